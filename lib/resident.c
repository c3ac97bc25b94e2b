/* resident.c - resident buffers (include/vyre/resident.h): the public entry
 * points, which check arguments, ranges, ownership and the buffer count
 * before calling the owning backend, and the host-memory buffers of the
 * reference and llvm-cpu backends (resident_int.h). */
#include <string.h>

#include "alloc_int.h"
#include "backend_int.h"
#include "error_int.h"
#include "program_int.h"
#include "resident_int.h"

const vy_residentable *vy_backend_residentable(const vy_backend *be) { return be ? be->resident : NULL; }

static vy_status no_resident(const vy_backend *be, vy_error *err) {
  return vy_error_set(err, VY_E_UNSUPPORTED,
                      "backend `%s` has no resident buffers. Fix: use vy_dispatch, or a backend that has them",
                      vy_backend_id(be));
}

vy_status vy_resident_alloc(vy_backend *be, size_t len, vy_resident **out, vy_error *err) {
  if (out) *out = NULL;
  if (!be || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_resident_alloc needs a backend and an output. Fix: pass them");
  if (!be->resident) return no_resident(be, err);
  return be->resident->alloc(be, len, out, err);
}

/* offset + len within a buffer of `size` bytes, without overflow. */
static vy_status check_range(const char *fn, const vy_resident *r, size_t offset, size_t len, const void *mem,
                             vy_error *err) {
  if (!r || (len && !mem))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "%s needs a buffer and host memory. Fix: pass them", fn);
  if (offset > r->len || len > r->len - offset)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "%s: range [%zu, %zu + %zu) is outside the %zu-byte resident buffer. Fix: stay within "
                        "vy_resident_len",
                        fn, offset, offset, len, r->len);
  return VY_OK;
}

vy_status vy_resident_upload(vy_resident *r, size_t offset, const void *src, size_t len, vy_error *err) {
  vy_status st = check_range("vy_resident_upload", r, offset, len, src, err);
  if (st != VY_OK || !len) return st;
  return r->be->resident->upload(r, offset, src, len, err);
}

vy_status vy_resident_download(const vy_resident *r, size_t offset, size_t len, void *dst, vy_error *err) {
  vy_status st = check_range("vy_resident_download", r, offset, len, dst, err);
  if (st != VY_OK || !len) return st;
  return r->be->resident->download(r, offset, len, dst, err);
}

size_t vy_resident_len(const vy_resident *r) { return r ? r->len : 0; }
vy_backend *vy_resident_backend(const vy_resident *r) { return r ? r->be : NULL; }

void vy_resident_free(vy_resident *r) {
  if (r) r->be->resident->free(r);
}

/* One buffer per non-workgroup buffer, every one owned by `be`. */
static vy_status check_bufs(vy_backend *be, const vy_program *p, vy_resident *const *bufs, size_t n, vy_error *err) {
  size_t want = 0;
  for (uint32_t i = 0; i < vy_program_buffer_count(p); i++)
    want += vy_program_buffer(p, i)->access != VY_ACCESS_WORKGROUP;
  if (n != want || (n && !bufs))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "resident dispatch got %zu buffers for a program with %zu storage buffers. Fix: pass one "
                        "resident buffer per non-workgroup buffer, in declaration order, outputs included",
                        n, want);
  for (size_t i = 0; i < n; i++) {
    if (!bufs[i])
      return vy_error_set(err, VY_E_INVALID_ARGUMENT, "resident buffer %zu is NULL. Fix: allocate it with "
                          "vy_resident_alloc", i);
    if (bufs[i]->be != be)
      return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                          "resident buffer %zu belongs to backend `%s` (another backend instance), not to `%s`. Fix: "
                          "allocate it with vy_resident_alloc on the backend that dispatches, or download it and "
                          "upload the bytes to a buffer of that backend",
                          i, vy_backend_id(bufs[i]->be), vy_backend_id(be));
  }
  return VY_OK;
}

vy_status vy_kernel_dispatch_resident(vy_kernel *k, vy_resident *const *bufs, size_t nbufs,
                                      const vy_dispatch_config *cfg, vy_error *err) {
  if (!k)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_kernel_dispatch_resident: kernel is NULL. Fix: pass one");
  if (!k->be->resident) return no_resident(k->be, err);
  vy_status st = check_bufs(k->be, k->program, bufs, nbufs, err);
  if (st != VY_OK) return st;
  return k->be->resident->dispatch(k, bufs, nbufs, cfg ? cfg : &k->cfg, err);
}

vy_status vy_dispatch_resident(vy_backend *be, const vy_program *p, vy_resident *const *bufs, size_t nbufs,
                               const vy_dispatch_config *cfg, vy_error *err) {
  if (!be || !p)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_dispatch_resident needs a backend and a program. Fix: pass "
                        "them");
  if (!be->resident) return no_resident(be, err);
  vy_status st = check_bufs(be, p, bufs, nbufs, err);
  vy_kernel *k = NULL;
  if (st == VY_OK) st = vy_compile(be, p, cfg, &k, err);
  if (st == VY_OK) st = vy_kernel_dispatch_resident(k, bufs, nbufs, NULL, err);
  vy_kernel_destroy(k);
  return st;
}

/* ---- host memory ---- */

typedef struct host_resident {
  vy_resident base;
  uint8_t *data; /* max(len, 1) bytes */
} host_resident;

static size_t host_cap(size_t len) { return len ? len : 1; }

vy_status vy_resident_host_alloc(vy_backend *be, size_t len, vy_resident **out, vy_error *err) {
  const vy_allocator *a = vy_context_allocator(be->ctx);
  host_resident *h = vy_mem_calloc(a, 1, sizeof *h);
  if (!h) return vy_error_nomem(err);
  h->data = vy_mem_calloc(a, 1, host_cap(len));
  if (!h->data) {
    vy_mem_free(a, h, sizeof *h);
    return vy_error_set(err, VY_E_NOMEM, "cannot allocate a %zu-byte resident buffer. Fix: free some buffers or "
                        "allocate a smaller one", len);
  }
  h->base = (vy_resident){be, len};
  *out = &h->base;
  return VY_OK;
}

vy_status vy_resident_host_upload(vy_resident *r, size_t offset, const void *src, size_t len, vy_error *err) {
  (void)err;
  memcpy(((host_resident *)r)->data + offset, src, len);
  return VY_OK;
}

vy_status vy_resident_host_download(const vy_resident *r, size_t offset, size_t len, void *dst, vy_error *err) {
  (void)err;
  memcpy(dst, ((const host_resident *)r)->data + offset, len);
  return VY_OK;
}

void vy_resident_host_free(vy_resident *r) {
  host_resident *h = (host_resident *)r;
  const vy_allocator *a = vy_context_allocator(r->be->ctx);
  vy_mem_free(a, h->data, host_cap(r->len));
  vy_mem_free(a, h, sizeof *h);
}

uint8_t *vy_resident_host_data(const vy_resident *r) { return ((const host_resident *)r)->data; }
