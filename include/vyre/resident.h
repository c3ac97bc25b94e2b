/**
 * @file resident.h
 * @brief Resident buffers: memory that belongs to a backend and stays there
 * between dispatches (vyre's allocate/upload/download/free_resident and
 * dispatch_resident, vyre-driver.md §1.2).
 *
 * A resident buffer is allocated on one backend (host memory on the
 * reference and llvm-cpu backends, device memory on GPUs), filled with
 * uploads, bound to dispatches without any copy on llvm-cpu (the kernel
 * reads and writes the buffer in place) and read back with downloads, whole
 * or in ranges. A buffer can only be used with the backend instance that
 * allocated it; any other backend refuses it with VY_E_INVALID_ARGUMENT.
 *
 * Binding. A resident dispatch takes one resident buffer per storage buffer
 * of the program: every buffer that is not workgroup memory, in declaration
 * order, outputs included. Read-only and uniform buffers are read; read_write
 * buffers are read and written in place; outputs the backend allocates
 * (vy_buffer_is_backend_allocated) are zero-filled over their declared size
 * at the start of the dispatch, as vy_dispatch does, and then written. Each
 * buffer must hold at least its declared size (count elements); its element
 * count, the dispatch grid and every other rule are those of vy_dispatch with
 * the buffer's bytes as the input (vyre-ir.md §4.2, §4.4). Nothing is read
 * back: results stay in the buffers until downloaded.
 *
 * fixpoint_iterations = N runs N launches back to back on the same buffers
 * (each launch sees the previous one's writes) before the call returns.
 *
 * Thread-safety: buffers may be allocated and freed from any thread. Uploads,
 * downloads and dispatches that touch the same buffer must not overlap (the
 * caller orders them); different buffers are independent.
 */
#ifndef VYRE_RESIDENT_H
#define VYRE_RESIDENT_H

#include <stddef.h>

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A buffer resident on one backend. Owned by the caller; free it with
 *  vy_resident_free before closing the backend. */
typedef struct vy_resident vy_resident;

/** The resident-buffer capability of a backend. The public functions below
 *  check arguments, ranges and ownership before calling these, so a backend
 *  only sees valid requests on its own buffers. */
typedef struct vy_residentable {
  /** Allocates `len` zero-filled bytes (len may be 0). */
  vy_status (*alloc)(vy_backend *be, size_t len, vy_resident **out, vy_error *err);
  /** Copies `len` bytes from `src` to the buffer at `offset`. */
  vy_status (*upload)(vy_resident *r, size_t offset, const void *src, size_t len, vy_error *err);
  /** Copies `len` bytes at `offset` of the buffer to `dst`. */
  vy_status (*download)(const vy_resident *r, size_t offset, size_t len, void *dst, vy_error *err);
  /** Frees the buffer. */
  void (*free)(vy_resident *r);
  /** Dispatches a kernel of this backend on resident buffers (see the top of
   *  this file); `cfg` is never NULL here. */
  vy_status (*dispatch)(vy_kernel *k, vy_resident *const *bufs, size_t nbufs, const vy_dispatch_config *cfg,
                        vy_error *err);
} vy_residentable;

/** The resident-buffer capability of `be`, or NULL when it has none. */
const vy_residentable *vy_backend_residentable(const vy_backend *be);

/** Allocates a resident buffer of `len` zero-filled bytes on `be`.
 *  @return VY_OK with *out set; VY_E_INVALID_ARGUMENT (NULL be or out);
 *  VY_E_UNSUPPORTED (no resident capability); VY_E_NOMEM. Thread-safe. */
vy_status vy_resident_alloc(vy_backend *be, size_t len, vy_resident **out, vy_error *err);

/** Copies `len` bytes of `src` into the buffer from byte `offset` (a whole
 *  upload is offset 0, len = vy_resident_len).
 *  @return VY_OK; VY_E_INVALID_ARGUMENT (NULL buffer, NULL src with len > 0,
 *  or offset + len past the end). Must not overlap other use of the buffer. */
vy_status vy_resident_upload(vy_resident *r, size_t offset, const void *src, size_t len, vy_error *err);

/** Copies `len` bytes of the buffer from byte `offset` into `dst` (caller's
 *  memory of at least len bytes).
 *  @return VY_OK; VY_E_INVALID_ARGUMENT (NULL buffer, NULL dst with len > 0,
 *  or a range past the end). Must not overlap a write of the buffer. */
vy_status vy_resident_download(const vy_resident *r, size_t offset, size_t len, void *dst, vy_error *err);

/** Byte length of the buffer (0 for NULL). Thread-safe. */
size_t vy_resident_len(const vy_resident *r);

/** The backend that owns the buffer (NULL for NULL). Thread-safe. */
vy_backend *vy_resident_backend(const vy_resident *r);

/** Frees the buffer. NULL is a no-op. Must not overlap other use of it. */
void vy_resident_free(vy_resident *r);

/** Dispatches compiled kernel `k` on resident buffers of its backend, in
 *  place, without reading anything back (binding rules at the top of this
 *  file). `cfg` may be NULL (the kernel's compile-time config).
 *  @return VY_OK; VY_E_INVALID_ARGUMENT (NULL kernel, NULL array or buffer,
 *  a buffer of another backend, a wrong buffer count); VY_E_UNSUPPORTED (no
 *  resident capability); the dispatch's own errors as vy_dispatch returns
 *  them (VY_E_RUNTIME for a buffer shorter than declared, ...). After a
 *  runtime error the buffers hold whatever the launches wrote.
 *  Thread-safe for dispatches on disjoint buffers. */
vy_status vy_kernel_dispatch_resident(vy_kernel *k, vy_resident *const *bufs, size_t nbufs,
                                      const vy_dispatch_config *cfg, vy_error *err);

/** Compiles `p` on `be` (validation included), dispatches it on resident
 *  buffers as vy_kernel_dispatch_resident does, and frees the kernel.
 *  Same errors, plus those of vy_compile. */
vy_status vy_dispatch_resident(vy_backend *be, const vy_program *p, vy_resident *const *bufs, size_t nbufs,
                               const vy_dispatch_config *cfg, vy_error *err);

#ifdef __cplusplus
}
#endif
#endif
