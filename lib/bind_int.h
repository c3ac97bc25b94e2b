/* bind_int.h - binding inputs to buffers and computing the dispatch grid
 * (vyre-ir.md §4.2, §4.4), shared by the reference interpreter and the
 * llvm-cpu backend so both see the same buffers, lengths, errors and grid.
 */
#ifndef VYRE_BIND_INT_H
#define VYRE_BIND_INT_H

#include <stdbool.h>

#include "interp_int.h"

/* How a backend wants inputs bound. Both hooks are optional. */
typedef struct vy_bind_hooks {
  /* true: input buffer `i` (declaration index) may be used in place. Asked
   * only for buffers that are not returned (ReadOnly, Uniform, ...); say
   * yes only when the program never writes the buffer. A borrowed buffer
   * has cap 0 and points at the caller's bytes for the dispatch. */
  bool (*borrow)(void *ud, uint32_t i);
  /* Copies an input's n bytes into freshly allocated, uninitialized dst
   * (default memcpy); e.g. in parallel. */
  void (*copy)(void *ud, void *dst, const void *src, size_t n);
  void *ud;
  /* Resident binding (include/vyre/resident.h): true when buffer `i`
   * (declaration index, never workgroup) lives in caller-owned memory
   * *data of *len bytes, used in place for reading and writing whatever its
   * access; it takes no input. An output the backend allocates uses only
   * its declared size of that memory, zero-filled here after the length
   * check. Placed buffers have cap 0 (never freed here). */
  bool (*place)(void *ud, uint32_t i, uint8_t **data, size_t *len);
} vy_bind_hooks;

/* vy_imem_bind (interp_int.h) with hooks (NULL: copy everything, as the
 * interpreter does). Same contract and errors otherwise: on error the
 * caller frees what was allocated with vy_imem_free_bufs (which skips
 * borrowed buffers). */
vy_status vy_bind_buffers(const vy_program *p, const vy_allocator *alloc, const vy_input *inputs, size_t ninputs,
                          uint64_t max_bytes, const vy_bind_hooks *hooks, vy_ibuf *bufs, uint64_t *used, vy_igrid *grid,
                          vy_error *err);

/* Allocates b->data for len bytes (at least 1; zeroed when `zero`),
 * charging *used against max (VY_E_NOMEM past it). Sets data, len, cap. */
vy_status vy_bind_alloc(const vy_allocator *alloc, vy_ibuf *b, size_t len, bool zero, uint64_t *used, uint64_t max,
                        vy_error *err);

#endif
