/* stream_io.c - ready-made chunk sources (memory, read callback, FILE, file
 * descriptor) and the FILE output sink (include/vyre/stream.h), plus the
 * close helpers of backend.h. Each keeps bounded state: at most one chunk. */
#define _POSIX_C_SOURCE 200809L /* read */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "alloc_int.h"
#include "error_int.h"
#include "vyre/stream.h"

void vy_chunk_source_close(vy_chunk_source *src) {
  if (!src) return;
  if (src->close) src->close(src->ud);
  memset(src, 0, sizeof *src);
}

void vy_output_sink_close(vy_output_sink *sink) {
  if (!sink) return;
  if (sink->close) sink->close(sink->ud);
  memset(sink, 0, sizeof *sink);
}

/* The allocator a helper keeps: a copy of the caller's, or none (malloc). */
typedef struct kept_alloc {
  vy_allocator copy;
  bool set;
} kept_alloc;

static kept_alloc keep_alloc(const vy_allocator *alloc) {
  kept_alloc k;
  memset(&k, 0, sizeof k);
  if (alloc) k.copy = *alloc, k.set = true;
  return k;
}

/* The allocator pointer of a kept allocator. */
#define KEPT(k) ((k).set ? &(k).copy : NULL)

/* ---- memory ---- */

typedef struct mem_src {
  kept_alloc alloc;
  const uint8_t *data;
  size_t len, pos, chunk;
} mem_src;

static vy_status mem_next(void *ud, vy_input *chunk, bool *done, vy_error *err) {
  (void)err;
  mem_src *m = ud;
  if (m->pos >= m->len) {
    *done = true;
    return VY_OK;
  }
  size_t n = m->len - m->pos < m->chunk ? m->len - m->pos : m->chunk;
  *chunk = (vy_input){m->data + m->pos, n};
  m->pos += n;
  return VY_OK;
}

static void mem_close(void *ud) {
  mem_src *m = ud;
  kept_alloc a = m->alloc;
  vy_mem_free(KEPT(a), m, sizeof *m);
}


vy_status vy_chunk_source_memory(const void *data, size_t len, size_t chunk_bytes, const vy_allocator *alloc,
                                 vy_chunk_source *out, vy_error *err) {
  if (out) memset(out, 0, sizeof *out);
  if (!out || (len && !data) || !chunk_bytes)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_chunk_source_memory needs an output, the data (when len > 0) and chunk_bytes > 0. Fix: "
                        "pass them");
  kept_alloc a = keep_alloc(alloc);
  mem_src *m = vy_mem_calloc(KEPT(a), 1, sizeof *m);
  if (!m) return vy_error_nomem(err);
  *m = (mem_src){a, data, len, 0, chunk_bytes};
  *out = (vy_chunk_source){mem_next, m, VY_CHUNK_STABLE, mem_close};
  return VY_OK;
}

/* ---- read callback, FILE, fd ---- */

typedef struct read_src {
  kept_alloc alloc;
  vy_read_fn read;
  void *ud;
  uint8_t *buf;
  size_t chunk;
  bool eof;
} read_src;

static vy_status read_next(void *ud, vy_input *chunk, bool *done, vy_error *err) {
  read_src *r = ud;
  size_t have = 0;
  while (!r->eof && have < r->chunk) {
    size_t got = 0;
    vy_status st = r->read(r->ud, r->buf + have, r->chunk - have, &got, err);
    if (st != VY_OK) return st;
    if (got > r->chunk - have)
      return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                          "the read callback reported %zu bytes for a %zu-byte buffer. Fix: report at most `cap`",
                          got, r->chunk - have);
    if (got == 0) r->eof = true;
    have += got;
  }
  if (!have) {
    *done = true;
    return VY_OK;
  }
  *chunk = (vy_input){r->buf, have};
  return VY_OK;
}

static void read_close(void *ud) {
  read_src *r = ud;
  kept_alloc a = r->alloc;
  vy_mem_free(KEPT(a), r->buf, r->chunk);
  vy_mem_free(KEPT(a), r, sizeof *r);
}

vy_status vy_chunk_source_reader(vy_read_fn read, void *ud, size_t chunk_bytes, const vy_allocator *alloc,
                                 vy_chunk_source *out, vy_error *err) {
  if (out) memset(out, 0, sizeof *out);
  if (!read || !out || !chunk_bytes)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_chunk_source_reader needs a read callback, an output and chunk_bytes > 0. Fix: pass them");
  kept_alloc a = keep_alloc(alloc);
  read_src *r = vy_mem_calloc(KEPT(a), 1, sizeof *r);
  if (!r) return vy_error_nomem(err);
  r->buf = vy_mem_alloc(KEPT(a), chunk_bytes);
  if (!r->buf) {
    vy_mem_free(KEPT(a), r, sizeof *r);
    return vy_error_nomem(err);
  }
  r->alloc = a;
  r->read = read;
  r->ud = ud;
  r->chunk = chunk_bytes;
  *out = (vy_chunk_source){read_next, r, 0, read_close};
  return VY_OK;
}

static vy_status file_read(void *ud, uint8_t *buf, size_t cap, size_t *got, vy_error *err) {
  FILE *f = ud;
  *got = fread(buf, 1, cap, f);
  if (*got == 0 && ferror(f))
    return vy_error_set(err, VY_E_IO, "reading the chunk stream failed: %s. Fix: check the input file",
                        strerror(errno));
  return VY_OK;
}

vy_status vy_chunk_source_file(FILE *f, size_t chunk_bytes, const vy_allocator *alloc, vy_chunk_source *out,
                               vy_error *err) {
  if (!f) {
    if (out) memset(out, 0, sizeof *out);
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_chunk_source_file: FILE is NULL. Fix: pass an open stream");
  }
  return vy_chunk_source_reader(file_read, f, chunk_bytes, alloc, out, err);
}

static vy_status fd_read(void *ud, uint8_t *buf, size_t cap, size_t *got, vy_error *err) {
  int fd = (int)(intptr_t)ud;
  for (;;) {
    ssize_t n = read(fd, buf, cap);
    if (n >= 0) {
      *got = (size_t)n;
      return VY_OK;
    }
    if (errno != EINTR)
      return vy_error_set(err, VY_E_IO, "reading the chunk stream failed: %s. Fix: check the input descriptor",
                          strerror(errno));
  }
}

vy_status vy_chunk_source_fd(int fd, size_t chunk_bytes, const vy_allocator *alloc, vy_chunk_source *out,
                             vy_error *err) {
  if (fd < 0) {
    if (out) memset(out, 0, sizeof *out);
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_chunk_source_fd: descriptor %d is invalid. Fix: pass an "
                        "open descriptor", fd);
  }
  return vy_chunk_source_reader(fd_read, (void *)(intptr_t)fd, chunk_bytes, alloc, out, err);
}

/* ---- FILE sink ---- */

typedef struct file_sink {
  kept_alloc alloc;
  FILE *f;
  int output;
  bool stop_on_error;
  vy_sink_stats *stats;
  vy_sink_stats own; /* when the caller wants none */
} file_sink;

static bool write_bytes(file_sink *s, const vy_bytes *b) {
  if (b->len && fwrite(b->data, 1, b->len, s->f) != b->len) return false;
  s->stats->bytes += b->len;
  return true;
}

static bool sink_put(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  file_sink *s = ud;
  s->stats->chunks++;
  if (st != VY_OK) {
    if (!s->stats->failed++) {
      s->stats->first_failed = index;
      if (err) s->stats->first_error = *err;
    }
    return !s->stop_on_error;
  }
  bool ok = true;
  for (size_t i = 0; ok && i < outs->count; i++)
    if (s->output < 0 || (size_t)s->output == i) ok = write_bytes(s, &outs->items[i]);
  if (!ok) s->stats->write_failed = true;
  return ok;
}

static void sink_close(void *ud) {
  file_sink *s = ud;
  kept_alloc a = s->alloc;
  vy_mem_free(KEPT(a), s, sizeof *s);
}

vy_status vy_output_sink_file(FILE *f, int output, bool stop_on_error, vy_sink_stats *stats,
                              const vy_allocator *alloc, vy_output_sink *out, vy_error *err) {
  if (out) memset(out, 0, sizeof *out);
  if (!f || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_output_sink_file needs a FILE and an output. Fix: pass them");
  kept_alloc a = keep_alloc(alloc);
  file_sink *s = vy_mem_calloc(KEPT(a), 1, sizeof *s);
  if (!s) return vy_error_nomem(err);
  s->alloc = a;
  s->f = f;
  s->output = output;
  s->stop_on_error = stop_on_error;
  s->stats = stats ? stats : &s->own;
  memset(s->stats, 0, sizeof *s->stats);
  *out = (vy_output_sink){sink_put, s, sink_close};
  return VY_OK;
}
