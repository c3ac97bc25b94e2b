/* test_stream.c - Streamable on every backend this program links
 * (reference; test_jit_stream.c adds llvm-cpu): streams of 0, 1 and many
 * chunks, uneven chunk sizes from a source that reuses one buffer, fixed
 * inputs (a read_write one starts afresh for every chunk), chunks of 32 MiB
 * (llvm-cpu runs them on all threads), a failing chunk
 * in the middle with the sink going on or stopping, a consumer that stops
 * early, a failing source, set-up errors, the bound on chunks in flight,
 * the memory/reader/FILE/fd sources and the FILE sink, and allocation
 * failures. Expected outputs come from a C loop in this file (the programs'
 * rules written out); every chunk is also checked against vy_dispatch of
 * that chunk alone. */
#define _POSIX_C_SOURCE 200809L /* fileno */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends.h"
#include "fault_alloc.h"
#include "vyre/vyre.h"
#ifdef VY_TEST_WITH_JIT
#include "vyre/jit.h"
static const char *const backends[] = {"reference", "llvm-cpu"};
#define REGISTER vy_jit_register_backends
#else
static const char *const backends[] = {"reference"};
#define REGISTER NULL
#endif
#define NBACKENDS (sizeof backends / sizeof *backends)

#define BAD 3735928559u /* 0xDEADBEEF: the in-place program traps on it */

/* In place over the chunk: data[i] = data[i] * k + i; a word equal to BAD traps. */
static const char inplace_src[] = "program workgroup(64) {\n"
                                  "  buffer data: u32 read_write @0\n"
                                  "  buffer k: u32 uniform @1 count(1)\n"
                                  "  region vyre.program.root {\n"
                                  "    let i = gid.x\n"
                                  "    if i < len(data) {\n"
                                  "      let v = data[i]\n"
                                  "      if v == 3735928559 {\n"
                                  "        trap(i, bad_word)\n"
                                  "      }\n"
                                  "      data[i] = v * k[0] + i\n"
                                  "    }\n"
                                  "  }\n"
                                  "}\n";

/* The chunk is read only; y (fixed, read_write) is the output: y[i] = x[i] * 3 + y[i]. */
static const char axpy_src[] = "program workgroup(32) {\n"
                               "  buffer x: u32 read @0\n"
                               "  buffer y: u32 read_write @1\n"
                               "  region vyre.program.root {\n"
                               "    let i = gid.x\n"
                               "    if i < len(y) {\n"
                               "      y[i] = x[i] * 3 + y[i]\n"
                               "    }\n"
                               "  }\n"
                               "}\n";

static vy_program *parse(const char *src, const vy_allocator *a) {
  vy_program *p = NULL;
  vy_error err;
  if (vy_text_parse(src, strlen(src), "test", a, &p, &err) != VY_OK && !a) fail_msg("parse: %s", err.message);
  return p;
}

static uint32_t rd32(const uint8_t *b) { return (uint32_t)b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24; }
static void wr32(uint8_t *b, uint32_t v) {
  for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
}

/* The in-place program's rule: whole words transformed, a trailing partial word kept. */
static void inplace_expect(const uint8_t *in, size_t len, uint32_t k, uint8_t *out) {
  memcpy(out, in, len);
  for (size_t i = 0; i + 4 <= len; i += 4) wr32(out + i, rd32(in + i) * k + (uint32_t)(i / 4));
}

/* ---- a recording sink ---- */

typedef struct record {
  vy_backend *be;          /* to check each chunk against vy_dispatch alone */
  const vy_program *p;
  const vy_input *fixed;
  size_t nfixed;
  const uint8_t *const *chunks; /* the chunk bytes by index (NULL: not checked) */
  const size_t *lens;
  uint32_t k;              /* in-place program's k */
  size_t puts, ok, failed, stop_after; /* stop_after: return false at this index (SIZE_MAX: never) */
  size_t next_index;
  bool stop_on_error;
  vy_status first_err;
  size_t first_err_index;
  vy_error first_error;
} record;

static void record_init(record *r, vy_backend *be, const vy_program *p, const vy_input *fixed, size_t nfixed) {
  memset(r, 0, sizeof *r);
  r->be = be;
  r->p = p;
  r->fixed = fixed;
  r->nfixed = nfixed;
  r->stop_after = SIZE_MAX;
  r->first_err = VY_OK;
}

/* Dispatches chunk i alone and compares with what the stream gave. */
static void check_alone(record *r, size_t index, vy_status st, const vy_outputs *outs) {
  vy_input ins[4];
  ins[0] = (vy_input){r->chunks[index], r->lens[index]};
  for (size_t i = 0; i < r->nfixed; i++) ins[i + 1] = r->fixed[i];
  vy_outputs alone;
  vy_error err;
  vy_status st2 = vy_dispatch(r->be, r->p, ins, r->nfixed + 1, NULL, &alone, &err);
  assert_int_equal(st, st2);
  if (st == VY_OK) {
    assert_int_equal(outs->count, alone.count);
    for (size_t i = 0; i < alone.count; i++) {
      assert_int_equal(outs->items[i].len, alone.items[i].len);
      if (alone.items[i].len) assert_memory_equal(outs->items[i].data, alone.items[i].data, alone.items[i].len);
    }
  }
  vy_outputs_free(&alone);
}

static bool record_put(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  record *r = ud;
  assert_int_equal(index, r->next_index); /* chunk order */
  r->next_index++;
  r->puts++;
  if (st == VY_OK) {
    assert_non_null(outs);
    r->ok++;
    if (r->chunks && r->p && r->nfixed == 1 && outs->count == 1 && r->fixed[0].len == 4) { /* in-place program */
      uint8_t *want = malloc(r->lens[index] + 1);
      inplace_expect(r->chunks[index], r->lens[index], r->k, want);
      assert_int_equal(outs->items[0].len, r->lens[index]);
      if (r->lens[index]) assert_memory_equal(outs->items[0].data, want, r->lens[index]);
      free(want);
    }
  } else {
    assert_non_null(err);
    assert_non_null(strstr(err->message, "Fix:"));
    if (!r->failed++) {
      r->first_err = st;
      r->first_err_index = index;
      r->first_error = *err;
    }
  }
  if (r->chunks) check_alone(r, index, st, outs);
  if (st != VY_OK && r->stop_on_error) return false;
  return index != r->stop_after;
}

/* ---- a source of given chunks that reuses one buffer (not stable) ---- */

typedef struct list_src {
  const uint8_t *const *chunks;
  const size_t *lens;
  size_t n, next;
  uint8_t *buf; /* overwritten by every call: the stream must copy */
  size_t fail_at; /* return VY_E_IO at this index (SIZE_MAX: never) */
  size_t reads;
  const record *rec; /* to measure chunks in flight */
  size_t max_ahead;
} list_src;

static vy_status list_next(void *ud, vy_input *chunk, bool *done, vy_error *err) {
  list_src *s = ud;
  if (s->next == s->fail_at)
    return err ? (snprintf(err->message, sizeof err->message, "source broke. Fix: none"), err->code = VY_E_IO) : VY_E_IO;
  if (s->next == s->n) {
    *done = true;
    return VY_OK;
  }
  if (s->rec && s->next - s->rec->puts + 1 > s->max_ahead) s->max_ahead = s->next - s->rec->puts + 1;
  memset(s->buf, 0xAB, 8192);
  memcpy(s->buf, s->chunks[s->next], s->lens[s->next]);
  *chunk = (vy_input){s->buf, s->lens[s->next]};
  s->next++;
  s->reads++;
  return VY_OK;
}

/* Many chunks of varying size: chunk c holds words c*1000 + j; `bad` >= 0
 * puts BAD into chunk `bad`. */
typedef struct chunk_set {
  uint8_t *data[64];
  size_t lens[64];
  size_t n;
} chunk_set;

static void chunks_make(chunk_set *cs, size_t n, const size_t *lens, long bad) {
  cs->n = n;
  for (size_t c = 0; c < n; c++) {
    cs->lens[c] = lens ? lens[c] : 4 * (1 + (c * 37) % 500);
    cs->data[c] = malloc(cs->lens[c] + 1);
    for (size_t i = 0; i < cs->lens[c]; i++) cs->data[c][i] = (uint8_t)((c * 1000 + i) * 2654435761u >> 13);
    if ((long)c == bad && cs->lens[c] >= 8) wr32(cs->data[c] + 4, BAD);
  }
}

static void chunks_free(chunk_set *cs) {
  for (size_t c = 0; c < cs->n; c++) free(cs->data[c]);
}

typedef struct fixture {
  vy_context *ctx;
  vy_backend *be;
  vy_program *p;
  uint8_t kbytes[4];
  vy_input fixed[1];
} fixture;

static void open_inplace(fixture *f, const char *name, uint32_t k) {
  vy_error err;
  assert_int_equal(vt_open_backend(name, NULL, REGISTER, &f->ctx, &f->be, &err), VY_OK);
  f->p = parse(inplace_src, NULL);
  wr32(f->kbytes, k);
  f->fixed[0] = (vy_input){f->kbytes, 4};
}

static void close_fixture(fixture *f) {
  vy_program_destroy(f->p);
  vt_close_backend(f->ctx, f->be);
}

/* Prepares a recording sink and a list source over `cs` for the in-place program. */
static void run_list(fixture *f, const chunk_set *cs, record *r, list_src *s) {
  record_init(r, f->be, f->p, f->fixed, 1);
  r->chunks = (const uint8_t *const *)cs->data;
  r->lens = cs->lens;
  r->k = rd32(f->kbytes);
  memset(s, 0, sizeof *s);
  s->chunks = (const uint8_t *const *)cs->data;
  s->lens = cs->lens;
  s->n = cs->n;
  s->buf = malloc(8192);
  s->fail_at = SIZE_MAX;
  s->rec = r;
}

static vy_status stream_list(fixture *f, list_src *s, record *r, uint32_t in_flight, vy_error *err) {
  vy_dispatch_config cfg;
  vy_dispatch_config_default(&cfg);
  cfg.max_chunks_in_flight = in_flight;
  vy_chunk_source src = {list_next, s, 0, NULL};
  vy_output_sink sink = {record_put, r, NULL};
  vy_status st = vy_stream(f->be, f->p, f->fixed, 1, &src, &sink, &cfg, err);
  free(s->buf);
  return st;
}

/* ---- tests ---- */

static void zero_one_many(void **state) {
  (void)state;
  for (size_t b = 0; b < NBACKENDS; b++) {
    fixture f;
    open_inplace(&f, backends[b], 7);
    static const size_t counts[] = {0, 1, 40};
    for (size_t t = 0; t < 3; t++) {
      chunk_set cs;
      chunks_make(&cs, counts[t], NULL, -1);
      record r;
      list_src s;
      run_list(&f, &cs, &r, &s);
      vy_error err;
      assert_int_equal(stream_list(&f, &s, &r, 0, &err), VY_OK);
      assert_int_equal(r.puts, counts[t]);
      assert_int_equal(r.ok, counts[t]);
      chunks_free(&cs);
    }
    close_fixture(&f);
  }
}

static void uneven_chunks(void **state) {
  (void)state;
  static const size_t lens[] = {4, 400, 0, 6, 4096, 8, 1, 3, 4100, 12};
  for (size_t b = 0; b < NBACKENDS; b++) {
    fixture f;
    open_inplace(&f, backends[b], 5);
    chunk_set cs;
    chunks_make(&cs, sizeof lens / sizeof *lens, lens, -1);
    for (uint32_t k = 1; k <= 4; k++) { /* 1 (one worker at a time) .. 4 chunks in flight */
      record r;
      list_src s;
      run_list(&f, &cs, &r, &s);
      vy_error err;
      assert_int_equal(stream_list(&f, &s, &r, k, &err), VY_OK);
      assert_int_equal(r.ok, cs.n);
      assert_true(s.max_ahead <= (k < 2 ? 2 : k)); /* the bound (at least the worker count of 2) */
    }
    chunks_free(&cs);
    close_fixture(&f);
  }
}

static void failing_chunk_goes_on_or_stops(void **state) {
  (void)state;
  for (size_t b = 0; b < NBACKENDS; b++) {
    fixture f;
    open_inplace(&f, backends[b], 3);
    chunk_set cs;
    chunks_make(&cs, 9, NULL, 4);
    record r;
    list_src s;
    run_list(&f, &cs, &r, &s);
    vy_error err;
    assert_int_equal(stream_list(&f, &s, &r, 0, &err), VY_OK); /* per-chunk errors are not the stream's */
    assert_int_equal(r.puts, 9);
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.first_err_index, 4);
    assert_int_equal(r.first_err, VY_E_RUNTIME);
    assert_non_null(strstr(r.first_error.message, "bad_word"));
    /* the sink stops at the error: nothing after chunk 4 is delivered */
    run_list(&f, &cs, &r, &s);
    r.stop_on_error = true;
    assert_int_equal(stream_list(&f, &s, &r, 3, &err), VY_OK);
    assert_int_equal(r.puts, 5);
    assert_true(s.reads <= 5 + 3);
    chunks_free(&cs);
    close_fixture(&f);
  }
}

static void consumer_stops_early(void **state) {
  (void)state;
  for (size_t b = 0; b < NBACKENDS; b++) {
    fixture f;
    open_inplace(&f, backends[b], 9);
    chunk_set cs;
    chunks_make(&cs, 60, NULL, -1);
    record r;
    list_src s;
    run_list(&f, &cs, &r, &s);
    r.stop_after = 2;
    vy_error err;
    assert_int_equal(stream_list(&f, &s, &r, 4, &err), VY_OK);
    assert_int_equal(r.puts, 3);
    assert_true(s.reads <= 3 + 4); /* at most K chunks read past the last delivered one */
    chunks_free(&cs);
    close_fixture(&f);
  }
}

static void failing_source(void **state) {
  (void)state;
  for (size_t b = 0; b < NBACKENDS; b++) {
    fixture f;
    open_inplace(&f, backends[b], 2);
    chunk_set cs;
    chunks_make(&cs, 10, NULL, -1);
    record r;
    list_src s;
    run_list(&f, &cs, &r, &s);
    s.fail_at = 6;
    vy_error err;
    assert_int_equal(stream_list(&f, &s, &r, 0, &err), VY_E_IO);
    assert_int_equal(r.puts, 6); /* the chunks read before the error are delivered */
    chunks_free(&cs);
    close_fixture(&f);
  }
}

static vy_status never_next(void *ud, vy_input *chunk, bool *done, vy_error *err) {
  (void)ud, (void)chunk, (void)done, (void)err;
  fail_msg("a stream with a set-up error read a chunk");
  return VY_E_INTERNAL;
}

static void setup_errors(void **state) {
  (void)state;
  for (size_t b = 0; b < NBACKENDS; b++) {
    fixture f;
    open_inplace(&f, backends[b], 2);
    record r;
    record_init(&r, NULL, NULL, NULL, 0);
    vy_chunk_source src = {never_next, NULL, 0, NULL};
    vy_output_sink sink = {record_put, &r, NULL};
    vy_error err;
    vy_program *bad = parse("program workgroup(0) {\n  buffer d: u32 read_write @0\n}\n", NULL);
    assert_int_not_equal(vy_stream(f.be, bad, NULL, 0, &src, &sink, NULL, &err), VY_OK); /* validation */
    assert_non_null(strstr(err.message, "Fix:"));
    assert_int_equal(vy_stream(f.be, f.p, NULL, 0, NULL, &sink, NULL, &err), VY_E_INVALID_ARGUMENT);
    assert_int_equal(vy_stream(f.be, f.p, NULL, 1, &src, &sink, NULL, &err), VY_E_INVALID_ARGUMENT);
    vy_dispatch_config cfg;
    vy_dispatch_config_default(&cfg);
    cfg.has_fixpoint_iterations = true; /* Some(0) */
    assert_int_equal(vy_stream(f.be, f.p, f.fixed, 1, &src, &sink, &cfg, &err), VY_E_INVALID_PROGRAM);
    assert_int_equal(r.puts, 0);
    vy_program_destroy(bad);
    close_fixture(&f);
  }
}

/* The fixed read_write y starts from the same bytes for every chunk. */
static void fixed_read_write_is_per_chunk(void **state) {
  (void)state;
  enum { N = 100 };
  uint8_t y[4 * N], x[3][4 * N];
  for (uint32_t i = 0; i < N; i++) wr32(y + 4 * i, 1000 + i);
  for (int c = 0; c < 3; c++)
    for (uint32_t i = 0; i < N; i++) wr32(x[c] + 4 * i, (uint32_t)c * 7 + i);
  size_t lens[3] = {sizeof x[0], sizeof x[1], 40}; /* the last chunk is short: x reads 0 past it */
  for (size_t b = 0; b < NBACKENDS; b++) {
    vy_context *ctx;
    vy_backend *be;
    assert_int_equal(vt_open_backend(backends[b], NULL, REGISTER, &ctx, &be, NULL), VY_OK);
    vy_program *p = parse(axpy_src, NULL);
    vy_input fixed[1] = {{y, sizeof y}};
    const uint8_t *chunks[3] = {x[0], x[1], x[2]};
    record r;
    record_init(&r, be, p, fixed, 1);
    r.chunks = chunks;
    r.lens = lens;
    list_src s = {chunks, lens, 3, 0, malloc(8192), SIZE_MAX, 0, NULL, 0};
    vy_chunk_source src = {list_next, &s, 0, NULL};
    vy_output_sink sink = {record_put, &r, NULL};
    assert_int_equal(vy_stream(be, p, fixed, 1, &src, &sink, NULL, NULL), VY_OK);
    assert_int_equal(r.ok, 3);
    free(s.buf);
    /* the rule by hand for the last chunk: y[i] = (i < 10 ? x[i] * 3 : 0) + y0[i] */
    vy_input ins[2] = {{x[2], 40}, {y, sizeof y}};
    vy_outputs o;
    assert_int_equal(vy_dispatch(be, p, ins, 2, NULL, &o, NULL), VY_OK);
    for (uint32_t i = 0; i < N; i++)
      assert_int_equal(rd32(o.items[0].data + 4 * i), (i < 10 ? (2 * 7 + i) * 3 : 0) + 1000 + i);
    vy_outputs_free(&o);
    vy_program_destroy(p);
    vt_close_backend(ctx, be);
  }
}

/* Chunks of 32 MiB or more run on all of llvm-cpu's threads; small ones
 * after them still one per thread (the interpreter would take seconds on
 * these sizes, so only compiled backends run this). */
static void wide_chunks(void **state) {
  (void)state;
  enum { BIG = 32 << 20 };
  uint8_t *data = malloc(2 * (size_t)BIG + 8);
  for (size_t i = 0; i < 2 * (size_t)BIG + 8; i++) data[i] = (uint8_t)(i * 13 + (i >> 12));
  const uint8_t *chunks[3] = {data, data + BIG, data + 2 * (size_t)BIG};
  size_t lens[3] = {BIG, BIG, 8};
  for (size_t b = 0; b < NBACKENDS; b++) {
    if (strcmp(backends[b], "reference") == 0) continue;
    fixture f;
    open_inplace(&f, backends[b], 6);
    vy_chunk_source src;
    assert_int_equal(vy_chunk_source_memory(data, 2 * (size_t)BIG + 8, BIG, NULL, &src, NULL), VY_OK);
    record r;
    record_init(&r, f.be, f.p, f.fixed, 1);
    r.k = 6;
    r.chunks = chunks;
    r.lens = lens;
    vy_output_sink sink = {record_put, &r, NULL};
    assert_int_equal(vy_stream(f.be, f.p, f.fixed, 1, &src, &sink, NULL, NULL), VY_OK);
    assert_int_equal(r.ok, 3);
    vy_chunk_source_close(&src);
    close_fixture(&f);
  }
  free(data);
}

/* ---- the stream.h helpers ---- */

static void memory_file_fd_sources_and_file_sink(void **state) {
  (void)state;
  enum { LEN = 10006, CHUNK = 1000 }; /* 11 chunks, the last 6 bytes */
  uint8_t *data = malloc(LEN), *want = malloc(LEN);
  for (size_t i = 0; i < LEN; i++) data[i] = (uint8_t)(i * 31 + 7);
  for (size_t off = 0; off < LEN; off += CHUNK)
    inplace_expect(data + off, LEN - off < CHUNK ? LEN - off : CHUNK, 11, want + off);
  for (size_t b = 0; b < NBACKENDS; b++) {
    fixture f;
    open_inplace(&f, backends[b], 11);
    for (int kind = 0; kind < 3; kind++) { /* memory, FILE, fd */
      FILE *in = tmpfile(), *out = tmpfile();
      assert_non_null(in);
      assert_non_null(out);
      assert_int_equal(fwrite(data, 1, LEN, in), LEN);
      rewind(in);
      vy_chunk_source src;
      vy_error err;
      if (kind == 0) assert_int_equal(vy_chunk_source_memory(data, LEN, CHUNK, NULL, &src, &err), VY_OK);
      if (kind == 1) assert_int_equal(vy_chunk_source_file(in, CHUNK, NULL, &src, &err), VY_OK);
      if (kind == 2) assert_int_equal(vy_chunk_source_fd(fileno(in), CHUNK, NULL, &src, &err), VY_OK);
      assert_int_equal(src.flags, kind == 0 ? VY_CHUNK_STABLE : 0u);
      vy_sink_stats stats;
      vy_output_sink sink;
      assert_int_equal(vy_output_sink_file(out, 0, true, &stats, NULL, &sink, &err), VY_OK);
      assert_int_equal(vy_stream(f.be, f.p, f.fixed, 1, &src, &sink, NULL, &err), VY_OK);
      assert_int_equal(stats.chunks, 11);
      assert_int_equal(stats.failed, 0);
      assert_int_equal(stats.bytes, LEN);
      rewind(out);
      uint8_t *got = malloc(LEN + 1);
      assert_int_equal(fread(got, 1, LEN + 1, out), LEN);
      assert_memory_equal(got, want, LEN);
      free(got);
      vy_chunk_source_close(&src);
      vy_output_sink_close(&sink);
      vy_chunk_source_close(&src); /* twice is harmless */
      fclose(in);
      fclose(out);
    }
    close_fixture(&f);
  }
  free(data);
  free(want);
}

static void file_sink_counts_failures(void **state) {
  (void)state;
  uint8_t data[64];
  for (uint32_t i = 0; i < 16; i++) wr32(data + 4 * i, i == 9 ? BAD : i);
  for (size_t b = 0; b < NBACKENDS; b++) {
    fixture f;
    open_inplace(&f, backends[b], 1);
    for (int stop = 0; stop < 2; stop++) {
      FILE *out = tmpfile();
      vy_chunk_source src;
      vy_output_sink sink;
      vy_sink_stats stats;
      assert_int_equal(vy_chunk_source_memory(data, sizeof data, 8, NULL, &src, NULL), VY_OK);
      assert_int_equal(vy_output_sink_file(out, -1, stop, &stats, NULL, &sink, NULL), VY_OK);
      assert_int_equal(vy_stream(f.be, f.p, f.fixed, 1, &src, &sink, NULL, NULL), VY_OK);
      assert_int_equal(stats.failed, 1);
      assert_int_equal(stats.first_failed, 4); /* word 9 is in chunk 4 */
      assert_int_equal(stats.first_error.code, VY_E_RUNTIME);
      assert_int_equal(stats.chunks, stop ? 5 : 8);
      assert_int_equal(stats.bytes, stop ? 32 : 56);
      vy_chunk_source_close(&src);
      vy_output_sink_close(&sink);
      fclose(out);
    }
    close_fixture(&f);
  }
}

static void helper_argument_errors(void **state) {
  (void)state;
  vy_chunk_source src;
  vy_output_sink sink;
  vy_error err;
  assert_int_equal(vy_chunk_source_memory(NULL, 4, 4, NULL, &src, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "Fix:"));
  assert_int_equal(vy_chunk_source_memory("abcd", 4, 0, NULL, &src, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_chunk_source_file(NULL, 4, NULL, &src, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_chunk_source_fd(-1, 4, NULL, &src, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_chunk_source_reader(NULL, NULL, 4, NULL, &src, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_output_sink_file(NULL, 0, false, NULL, NULL, &sink, &err), VY_E_INVALID_ARGUMENT);
  assert_null(sink.put);
  vy_chunk_source_close(NULL);
  vy_output_sink_close(NULL);
}

/* ---- allocation failures: open, parse, stream through a reader source and a FILE sink ---- */

typedef struct fault_case {
  const char *backend;
  FILE *in, *out;
} fault_case;

static vy_status fault_stream_locked(const vy_allocator *a, void *ud) {
  fault_case *fc = ud;
  vy_context *ctx = NULL;
  vy_backend *be = NULL;
  vy_program *p = NULL;
  vy_chunk_source src = {0};
  vy_output_sink sink = {0};
  vy_error err;
  uint8_t k[4] = {3, 0, 0, 0};
  vy_input fixed[1] = {{k, 4}};
  rewind(fc->in);
  vy_status st = vt_open_backend(fc->backend, a, REGISTER, &ctx, &be, &err);
  if (st == VY_OK) st = vy_text_parse(inplace_src, strlen(inplace_src), "t", a, &p, &err);
  if (st == VY_OK) st = vy_chunk_source_file(fc->in, 256, a, &src, &err);
  vy_sink_stats stats;
  if (st == VY_OK) st = vy_output_sink_file(fc->out, 0, true, &stats, a, &sink, &err);
  if (st == VY_OK) st = vy_stream(be, p, fixed, 1, &src, &sink, NULL, &err);
  if (st == VY_OK && stats.failed) { /* a chunk's dispatch ran out of memory: the sink stopped the stream */
    st = stats.first_error.code;
    err = stats.first_error;
  }
  vy_chunk_source_close(&src);
  vy_output_sink_close(&sink);
  vy_program_destroy(p);
  vt_close_backend(ctx, be);
  if (st != VY_OK && st != VY_E_NOMEM) fail_msg("unexpected %s: %s", vy_status_name(st), err.message);
  return st;
}

/* The fault allocator counts without locks: dispatches that allocate on
 * several threads reach it through a mutex. */
static vy_status fault_stream(const vy_allocator *fault, void *ud) {
  vt_locked_alloc la;
  vt_locked_alloc_init(&la, fault);
  vy_status st = fault_stream_locked(&la.alloc, ud);
  vt_locked_alloc_destroy(&la);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  for (size_t b = 0; b < NBACKENDS; b++) {
    fault_case fc = {backends[b], tmpfile(), tmpfile()};
    uint8_t data[1500];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)i;
    assert_int_equal(fwrite(data, 1, sizeof data, fc.in), sizeof data);
    assert_true(vy_fault_run_all(fault_stream, &fc) > 5);
    fclose(fc.in);
    fclose(fc.out);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(zero_one_many),
      cmocka_unit_test(uneven_chunks),
      cmocka_unit_test(failing_chunk_goes_on_or_stops),
      cmocka_unit_test(consumer_stops_early),
      cmocka_unit_test(failing_source),
      cmocka_unit_test(setup_errors),
      cmocka_unit_test(fixed_read_write_is_per_chunk),
      cmocka_unit_test(wide_chunks),
      cmocka_unit_test(memory_file_fd_sources_and_file_sink),
      cmocka_unit_test(file_sink_counts_failures),
      cmocka_unit_test(helper_argument_errors),
      cmocka_unit_test(allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
