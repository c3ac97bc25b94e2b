/**
 * @file stream.h
 * @brief Ready-made chunk sources and output sinks for vy_stream
 * (backend.h): chunks of a memory buffer, of a FILE or file descriptor, or of
 * any read callback, and a sink that writes every chunk's outputs to a FILE.
 *
 * Every helper uses bounded memory whatever the stream length: a reading
 * source holds one chunk (chunk_bytes) and the sink holds nothing. Each
 * returns a vy_chunk_source / vy_output_sink by value whose `close` frees
 * its state; call vy_chunk_source_close / vy_output_sink_close when done
 * (the FILE or descriptor itself is not closed). A source or sink must be
 * used by one stream at a time.
 */
#ifndef VYRE_STREAM_H
#define VYRE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Reads up to `cap` bytes into `buf`: sets *got (0 only at the end of the
 *  data) and returns VY_OK, or returns an error (with `err` set). */
typedef vy_status (*vy_read_fn)(void *ud, uint8_t *buf, size_t cap, size_t *got, vy_error *err);

/** A source of the chunks of `len` bytes at `data`, each `chunk_bytes` long
 *  except the last, which holds the rest. The chunks point into `data`
 *  (borrowed for the whole stream; the source is VY_CHUNK_STABLE, nothing is
 *  copied). len = 0 gives no chunk.
 *  @param alloc allocator of the source's state (NULL = malloc).
 *  @return VY_OK; VY_E_INVALID_ARGUMENT (NULL out, NULL data with len > 0,
 *  chunk_bytes 0); VY_E_NOMEM. */
vy_status vy_chunk_source_memory(const void *data, size_t len, size_t chunk_bytes, const vy_allocator *alloc,
                                 vy_chunk_source *out, vy_error *err);

/** A source that calls `read` until it has `chunk_bytes` bytes or the data
 *  ends, and hands them out as one chunk (the last chunk may be shorter;
 *  empty data gives no chunk). A read error ends the stream with it. The
 *  source owns one buffer of chunk_bytes bytes.
 *  @return VY_OK; VY_E_INVALID_ARGUMENT (NULL read or out, chunk_bytes 0);
 *  VY_E_NOMEM. */
vy_status vy_chunk_source_reader(vy_read_fn read, void *ud, size_t chunk_bytes, const vy_allocator *alloc,
                                 vy_chunk_source *out, vy_error *err);

/** vy_chunk_source_reader over a stdio stream (e.g. stdin), read from its
 *  current position to its end; a read error is VY_E_IO. The FILE stays open
 *  and owned by the caller. Same errors as vy_chunk_source_reader. */
vy_status vy_chunk_source_file(FILE *f, size_t chunk_bytes, const vy_allocator *alloc, vy_chunk_source *out,
                               vy_error *err);

/** vy_chunk_source_reader over a POSIX file descriptor (read(2), EINTR
 *  retried); a read error is VY_E_IO. The descriptor stays open and owned by
 *  the caller. Same errors as vy_chunk_source_reader. */
vy_status vy_chunk_source_fd(int fd, size_t chunk_bytes, const vy_allocator *alloc, vy_chunk_source *out,
                             vy_error *err);

/** What a file sink has seen, updated as chunks are delivered. */
typedef struct vy_sink_stats {
  uint64_t chunks;        /**< chunks delivered (successful or failed) */
  uint64_t failed;        /**< chunks whose dispatch failed */
  uint64_t bytes;         /**< output bytes written */
  size_t first_failed;    /**< index of the first failed chunk (valid when failed > 0) */
  vy_error first_error;   /**< its error */
  bool write_failed;      /**< a write to the FILE failed; the stream was stopped */
} vy_sink_stats;

/** A sink that writes each successful chunk's outputs to `f` in chunk order:
 *  output `output` only, or every output of the chunk one after the other
 *  when output < 0 (an output index the chunk does not have writes nothing).
 *  A failed chunk is counted in `stats` and stops the stream when
 *  `stop_on_error`, else is skipped. A failed write stops the stream.
 *  @param stats optional (NULL: not reported); zeroed here, must outlive the
 *  stream.
 *  @return VY_OK; VY_E_INVALID_ARGUMENT (NULL f or out); VY_E_NOMEM. */
vy_status vy_output_sink_file(FILE *f, int output, bool stop_on_error, vy_sink_stats *stats,
                              const vy_allocator *alloc, vy_output_sink *out, vy_error *err);

#ifdef __cplusplus
}
#endif
#endif
