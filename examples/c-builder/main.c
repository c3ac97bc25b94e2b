/* c-builder: build a vyre program with the C builder, compile it once on the
 * llvm-cpu backend, dispatch the compiled kernel in a loop, then stream a file
 * through it chunk by chunk.
 *
 *   c-builder [FILE]      FILE defaults to a generated 1 MiB file
 *
 * The program (in vyre-jit's text form):
 *
 *   program workgroup(64) {
 *     buffer data: u32 read_write @0          (in and out: its final bytes come back)
 *     buffer k: u32 uniform @1 count(1)
 *     region vyre.program.root {
 *       let i = gid.x
 *       if i < len(data) { data[i] = data[i] * k[0] + 1 }
 *     }
 *   }
 *
 * Every result is checked against the same arithmetic done in plain C
 * (u32 wraps around: (w * k + 1) mod 2^32); trailing bytes of a chunk that do
 * not fill a whole u32 come back unchanged (vyre-ir.md §4.2: a buffer's
 * element count is byte_len / 4, and its whole content is returned).
 * Exit status 0 when every check passes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vyre/jit.h>
#include <vyre/vyre.h>

#define CHUNK_BYTES 65536 /* bytes per streamed chunk (a multiple of 4 but the last) */

static int fail(const char *what, const vy_error *err) {
  fprintf(stderr, "c-builder: %s: %s\n", what, err ? err->message : "failed");
  return 1;
}

/* The program above, built with the builder API: one check at the end. */
static vy_status build_program(vy_program **out, vy_error *err) {
  vy_builder *b;
  vy_status st = vy_builder_create(NULL, &b);
  if (st != VY_OK) return st;
  vy_b_workgroup_size(b, 64, 1, 1);
  vy_b_read_write(b, "data", 0, VY_TYPE_U32);
  vy_b_count(b, vy_b_uniform(b, "k", 1, VY_TYPE_U32), 1);
  vy_b_let(b, "i", vy_b_invocation_id(b, 0));
  vy_b_if(b, vy_b_bin(b, VY_BINOP_LT, vy_b_var(b, "i"), vy_b_buf_len(b, "data")));
  const vy_expr *scaled = vy_b_bin(b, VY_BINOP_MUL, vy_b_load(b, "data", vy_b_var(b, "i")),
                                   vy_b_load(b, "k", vy_b_u32(b, 0)));
  vy_b_store(b, "data", vy_b_var(b, "i"), vy_b_bin(b, VY_BINOP_ADD, scaled, vy_b_u32(b, 1)));
  vy_b_end(b);
  /* WRAPPED puts the entry in the "vyre.program.root" region, as Program::wrapped does */
  st = vy_builder_finish(b, VY_FINISH_WRAPPED, out, err);
  vy_builder_destroy(b);
  return st;
}

/* Little-endian u32 access, so the check does not depend on the host's byte order. */
static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* 1 when out[0..len) is in[0..len) transformed by w -> w * k + 1 per whole u32. */
static int transformed(const uint8_t *in, const uint8_t *out, size_t len, uint32_t k) {
  size_t whole = len / 4 * 4;
  for (size_t i = 0; i < whole; i += 4)
    if (get_u32(out + i) != get_u32(in + i) * k + 1u) return 0;
  return memcmp(in + whole, out + whole, len - whole) == 0;
}

/* ---- the compiled kernel in a loop ---- */

static int kernel_loop(vy_kernel *kernel) {
  enum { N = 1000 };
  uint32_t data[N];
  for (uint32_t i = 0; i < N; i++) data[i] = i;
  for (uint32_t k = 1; k <= 8; k++) {
    vy_input in[2] = {{data, sizeof data}, {&k, sizeof k}};
    vy_outputs outs;
    vy_error err;
    if (vy_kernel_dispatch(kernel, in, 2, NULL, &outs, &err) != VY_OK) return fail("vy_kernel_dispatch", &err);
    /* one returned buffer, "data", with i * k + 1 at index i */
    int ok = outs.count == 1 && outs.items[0].len == sizeof data;
    for (uint32_t i = 0; ok && i < N; i++) ok = get_u32(outs.items[0].data + 4 * i) == i * k + 1;
    vy_outputs_free(&outs);
    if (!ok) return fail("kernel loop: wrong output", NULL);
  }
  printf("kernel loop: 8 dispatches of one compiled kernel, 1000 elements each: ok\n");
  return 0;
}

/* ---- streaming a file ---- */

typedef struct file_source {
  FILE *f;
  uint8_t buf[CHUNK_BYTES];
} file_source;

/* vy_chunk_source.next: the next CHUNK_BYTES of the file (fewer at its end). */
static vy_status next_chunk(void *ud, vy_input *chunk, bool *done, vy_error *err) {
  file_source *s = ud;
  size_t n = fread(s->buf, 1, sizeof s->buf, s->f);
  if (n == 0) {
    if (ferror(s->f)) {
      snprintf(err->message, sizeof err->message, "read error. Fix: check the file");
      return err->code = VY_E_IO;
    }
    *done = true;
    return VY_OK;
  }
  chunk->data = s->buf;
  chunk->len = n;
  return VY_OK;
}

typedef struct check_sink {
  const uint8_t *whole; /* the file's bytes, read separately, to check against */
  size_t len;
  uint32_t k;
  size_t chunks, bytes, bad;
} check_sink;

/* vy_output_sink.put: checks chunk `index` against the file's bytes. */
static bool put_chunk(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  check_sink *s = ud;
  size_t off = index * CHUNK_BYTES;
  if (st != VY_OK) {
    fprintf(stderr, "c-builder: chunk %zu: %s\n", index, err->message);
    s->bad++;
    return false;
  }
  size_t expect = s->len - off < CHUNK_BYTES ? s->len - off : CHUNK_BYTES;
  if (outs->count != 1 || outs->items[0].len != expect ||
      !transformed(s->whole + off, outs->items[0].data, expect, s->k))
    s->bad++;
  s->chunks++;
  s->bytes += expect;
  return true;
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *data = NULL;
  size_t cap = 0;
  *len = 0;
  for (;;) {
    if (*len == cap) {
      cap = cap ? cap * 2 : 1 << 16;
      uint8_t *grown = realloc(data, cap);
      if (!grown) break;
      data = grown;
    }
    size_t n = fread(data + *len, 1, cap - *len, f);
    if (n == 0) break;
    *len += n;
  }
  fclose(f);
  return data;
}

static int stream_file(vy_backend *be, const vy_program *p, const char *path) {
  check_sink sink = {.k = 7};
  sink.whole = read_file(path, &sink.len);
  file_source *src = malloc(sizeof *src);
  if (!sink.whole || !src || !(src->f = fopen(path, "rb"))) {
    fprintf(stderr, "c-builder: cannot read %s\n", path);
    free(src);
    free((void *)sink.whole);
    return 1;
  }
  vy_input fixed = {&sink.k, sizeof sink.k}; /* "k", bound again for every chunk */
  vy_chunk_source source = {.next = next_chunk, .ud = src};
  vy_output_sink out = {.put = put_chunk, .ud = &sink};
  vy_error err;
  vy_status st = vy_stream(be, p, &fixed, 1, &source, &out, NULL, &err);
  fclose(src->f);
  free(src);
  free((void *)sink.whole);
  if (st != VY_OK) return fail("vy_stream", &err);
  if (sink.bad || sink.bytes != sink.len) return fail("stream: wrong output", NULL);
  printf("stream: %zu bytes of %s in %zu chunks, every chunk checked: ok\n", sink.bytes, path, sink.chunks);
  return 0;
}

/* A deterministic test file: 1 MiB + 3 bytes (the last chunk has a partial word). */
static int make_file(const char *path) {
  FILE *f = fopen(path, "wb");
  if (!f) return 1;
  uint32_t x = 12345;
  for (size_t i = 0; i < (1u << 20) + 3; i++) {
    x = x * 1103515245u + 12345u;
    fputc((int)(x >> 24), f);
  }
  return fclose(f) != 0;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "c-builder-input.bin";
  if (argc <= 1 && make_file(path)) return fail("cannot write c-builder-input.bin", NULL);

  vy_error err;
  vy_program *p = NULL;
  if (build_program(&p, &err) != VY_OK) return fail("building the program", &err);

  vy_context_options o;
  vy_context_options_init(&o); /* records the header version: a mismatched library is refused */
  vy_context *ctx = NULL;
  vy_backend *be = NULL;
  vy_kernel *kernel = NULL;
  int rc = 1;
  if (vy_context_create(&o, &ctx, &err) != VY_OK) {
    fail("vy_context_create", &err);
  } else if (vy_jit_register_backends(ctx) != VY_OK || vy_backend_open(ctx, "llvm-cpu", &be, &err) != VY_OK) {
    fail("opening llvm-cpu", &err);
  } else if (vy_compile(be, p, NULL, &kernel, &err) != VY_OK) {
    fail("vy_compile", &err);
  } else {
    printf("vyre-jit %s, backend %s\n", vy_version_string(), vy_backend_id(be));
    rc = kernel_loop(kernel) || stream_file(be, p, path);
  }
  vy_kernel_destroy(kernel); /* kernels before their backend, backends before the context */
  vy_backend_close(be);
  vy_context_destroy(ctx);
  vy_program_destroy(p);
  if (rc == 0) printf("c-builder: all checks passed\n");
  return rc;
}
