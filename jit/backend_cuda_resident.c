/* backend_cuda_resident.c - resident buffers on the cuda backend
 * (include/vyre/resident.h): device memory from the backend's device pool,
 * uploaded and downloaded (whole or any byte range) through pinned staging
 * blocks of at most STAGE bytes, and bound to dispatches in place: the
 * kernel's buffer table points at the buffers themselves, so a resident
 * dispatch copies nothing but the table and the error record.
 * fixpoint_iterations = N queues N launches of the grid on one stream
 * before the single wait. lib/resident.c has checked arguments, ranges,
 * ownership and the buffer count before any entry here. */
#include <string.h>

#include "backend_cuda_priv_int.h"
#include "error_int.h"
#include "program_int.h"
#include "resident_int.h"

#define STAGE ((size_t)16 << 20) /* largest pinned block of one upload or download step */

typedef struct cuda_resident {
  vy_resident base;
  vy_cuda_block blk; /* device memory, max(len, 1) bytes */
} cuda_resident;

static cuda_backend *owner(const vy_resident *r) { return (cuda_backend *)r->be; }

vy_cu_ptr vy_cuda_resident_dptr(const vy_resident *r) { return ((const cuda_resident *)r)->blk.dptr; }
static const vy_allocator *alloc_of(const cuda_backend *be) { return vy_context_allocator(be->base.ctx); }

/* Synchronizes lane l (taken for one operation) and gives it back. */
static vy_status lane_done(cuda_backend *be, vy_cuda_lane *l, vy_cu_result r, const char *what, vy_error *err) {
  const vy_cuda_api *api = be->dev.api;
  vy_cu_result s = api->StreamSynchronize(l->s);
  vy_cuda_lane_put(be, l);
  if (r == VY_CU_SUCCESS) r = s;
  return r == VY_CU_SUCCESS ? VY_OK : vy_cuda_error(api, r, VY_E_DISPATCH_FAILED, what, err);
}

static vy_status res_alloc(vy_backend *b, size_t len, vy_resident **out, vy_error *err) {
  cuda_backend *be = (cuda_backend *)b;
  const vy_allocator *a = alloc_of(be);
  vy_status st = vy_cuda_device_bind(&be->dev, err);
  if (st != VY_OK) return st;
  cuda_resident *r = vy_mem_calloc(a, 1, sizeof *r);
  if (!r) return vy_error_nomem(err);
  r->base = (vy_resident){b, len};
  vy_cuda_lane *l = NULL;
  st = vy_cuda_pool_get(be->dmem, len ? len : 1, &r->blk, err);
  if (st == VY_OK) st = vy_cuda_lane_take(be, &l, err);
  if (st == VY_OK)
    st = lane_done(be, l, be->dev.api->MemsetD8Async(r->blk.dptr, 0, len ? len : 1, l->s), "zeroing a resident buffer",
                   err);
  if (st != VY_OK) {
    vy_cuda_pool_put(be->dmem, &r->blk);
    vy_mem_free(a, r, sizeof *r);
    return st;
  }
  *out = &r->base;
  return VY_OK;
}

/* Copies len bytes between host memory and the buffer at offset, through
 * pinned staging, STAGE bytes at a time. */
static vy_status transfer(const cuda_resident *r, size_t offset, void *host, size_t len, bool up, vy_error *err) {
  cuda_backend *be = owner(&r->base);
  const vy_cuda_api *api = be->dev.api;
  vy_status st = vy_cuda_device_bind(&be->dev, err);
  if (st != VY_OK) return st;
  vy_cuda_block hb = {0};
  vy_cuda_lane *l = NULL;
  st = vy_cuda_pool_get(be->hmem, len < STAGE ? len : STAGE, &hb, err);
  if (st == VY_OK) st = vy_cuda_lane_take(be, &l, err);
  for (size_t done = 0; st == VY_OK && done < len;) {
    size_t n = len - done < hb.size ? len - done : hb.size;
    vy_cu_ptr d = r->blk.dptr + offset + done;
    vy_cu_result cr;
    if (up) {
      memcpy(hb.host, (const uint8_t *)host + done, n);
      cr = api->MemcpyHtoDAsync(d, hb.host, n, l->s);
    } else {
      cr = api->MemcpyDtoHAsync(hb.host, d, n, l->s);
    }
    if (cr == VY_CU_SUCCESS) cr = api->StreamSynchronize(l->s);
    if (cr != VY_CU_SUCCESS)
      st = vy_cuda_error(api, cr, VY_E_DISPATCH_FAILED,
                         up ? "uploading to a resident buffer" : "downloading a resident buffer", err);
    else if (!up)
      memcpy((uint8_t *)host + done, hb.host, n);
    done += n;
  }
  if (l) vy_cuda_lane_put(be, l);
  vy_cuda_pool_put(be->hmem, &hb);
  return st;
}

static vy_status res_upload(vy_resident *r, size_t offset, const void *src, size_t len, vy_error *err) {
  return transfer((cuda_resident *)r, offset, (void *)(uintptr_t)src, len, true, err);
}

static vy_status res_download(const vy_resident *r, size_t offset, size_t len, void *dst, vy_error *err) {
  return transfer((const cuda_resident *)r, offset, dst, len, false, err);
}

static void res_free(vy_resident *rb) {
  cuda_resident *r = (cuda_resident *)rb;
  cuda_backend *be = owner(rb);
  vy_cuda_device_bind(&be->dev, NULL);
  vy_cuda_pool_put(be->dmem, &r->blk);
  vy_mem_free(alloc_of(be), r, sizeof *r);
}

/* ---- dispatch in place ---- */

typedef struct placing {
  vy_resident *const *by_decl; /* per declaration index (NULL for workgroup buffers) */
} placing;

/* The binding sees the buffer's length only: its bytes are on the device
 * (data NULL, so the binding reads and zeroes nothing). */
static bool place(void *ud, uint32_t i, uint8_t **data, size_t *len) {
  const placing *pl = ud;
  *data = NULL;
  *len = pl->by_decl[i]->len;
  return true;
}

/* Queues the table and error record upload, the zeroing of the outputs the
 * backend allocates, the launches and the record's download on lane l. */
static vy_status enqueue(cuda_backend *be, cuda_kernel *k, vy_cuda_lane *l, const vy_ibuf *bufs, uint32_t n,
                         vy_resident *const *by_decl, const vy_cuda_block *db, const vy_cuda_block *hb, size_t err_off,
                         const vy_igrid *grid, uint32_t iters, vy_error *err) {
  const vy_cuda_api *api = be->dev.api;
  vy_kbuf *tab = hb->host;
  for (uint32_t i = 0; i < n; i++)
    tab[i] = bufs[i].workgroup ? (vy_kbuf){0}
                               : (vy_kbuf){(uint8_t *)(uintptr_t)((const cuda_resident *)by_decl[i])->blk.dptr,
                                           bufs[i].len, bufs[i].elems};
  memset((uint8_t *)hb->host + err_off, 0, sizeof(vy_kerr));
  vy_cu_result cr = api->MemcpyHtoDAsync(db->dptr, hb->host, err_off + sizeof(vy_kerr), l->s);
  for (uint32_t i = 0; i < n && cr == VY_CU_SUCCESS; i++)
    if (!bufs[i].workgroup && vy_buffer_is_backend_allocated(bufs[i].decl) && bufs[i].len)
      cr = api->MemsetD8Async(((const cuda_resident *)by_decl[i])->blk.dptr, 0, bufs[i].len, l->s);
  if (cr != VY_CU_SUCCESS) return vy_cuda_error(api, cr, VY_E_DISPATCH_FAILED, "queueing a resident dispatch", err);
  vy_status st =
      vy_cuda_enqueue_launches(be, vy_cuda_kernel_code(k), l, db->dptr, db->dptr + err_off, grid, iters, err);
  if (st == VY_OK) cr = api->MemcpyDtoHAsync((uint8_t *)hb->host + err_off, db->dptr + err_off, sizeof(vy_kerr), l->s);
  if (st == VY_OK && cr != VY_CU_SUCCESS)
    st = vy_cuda_error(api, cr, VY_E_DISPATCH_FAILED, "queueing a resident dispatch", err);
  return st;
}

static vy_status res_dispatch(vy_kernel *kb, vy_resident *const *rbufs, size_t nbufs, const vy_dispatch_config *cfg,
                              vy_error *err) {
  cuda_kernel *k = (cuda_kernel *)kb;
  cuda_backend *be = (cuda_backend *)kb->be;
  const vy_allocator *a = alloc_of(be);
  const vy_program *p = k->pp->program;
  uint32_t n = p->nbuffers;
  (void)nbufs; /* checked by lib/resident.c: one per non-workgroup buffer */
  vy_status st = vy_cuda_check_cfg(k, cfg, err);
  if (st == VY_OK) st = vy_cuda_device_bind(&be->dev, err);
  if (st != VY_OK) return st;
  vy_ibuf *bufs = n ? vy_mem_calloc(a, n, sizeof *bufs) : NULL;
  vy_resident **by_decl = n ? vy_mem_calloc(a, n, sizeof *by_decl) : NULL;
  if (n && (!bufs || !by_decl)) st = vy_error_nomem(err);
  for (uint32_t i = 0, j = 0; st == VY_OK && i < n; i++)
    if (p->buffers[i].access != VY_ACCESS_WORKGROUP) by_decl[i] = rbufs[j++];
  placing pl = {by_decl};
  vy_bind_hooks hooks = {.place = place, .ud = &pl};
  vy_igrid grid;
  if (st == VY_OK) st = vy_cuda_bind(k, a, NULL, 0, cfg, &hooks, bufs, &grid, err);
  size_t err_off = ((size_t)n * sizeof(vy_kbuf) + 255) / 256 * 256;
  vy_cuda_block db = {0}, hb = {0};
  vy_cuda_lane *l = NULL;
  if (st == VY_OK) st = vy_cuda_pool_get(be->dmem, err_off + sizeof(vy_kerr), &db, err);
  if (st == VY_OK) st = vy_cuda_pool_get(be->hmem, err_off + sizeof(vy_kerr), &hb, err);
  if (st == VY_OK) st = vy_cuda_lane_take(be, &l, err);
  if (st == VY_OK) {
    uint64_t deadline = cfg->timeout_ns ? vy_cuda_now_ns() + cfg->timeout_ns : 0;
    uint32_t iters = cfg->has_fixpoint_iterations ? cfg->fixpoint_iterations : 1;
    bool timed_out = false;
    st = enqueue(be, k, l, bufs, n, by_decl, &db, &hb, err_off, &grid, iters, err);
    vy_status wst = vy_cuda_lane_wait(be, l, deadline, db.dptr + err_off + offsetof(vy_kerr, stop), &timed_out,
                                      st == VY_OK ? err : NULL);
    if (st == VY_OK) st = wst;
    if (st == VY_OK) {
      vy_kerr e;
      memcpy(&e, (const uint8_t *)hb.host + err_off, sizeof e);
      st = vy_cuda_conclude(be, k, l, &e, timed_out, cfg, err);
    }
  }
  if (l) vy_cuda_lane_put(be, l);
  vy_cuda_pool_put(be->hmem, &hb);
  vy_cuda_pool_put(be->dmem, &db);
  if (bufs) vy_imem_free_bufs(a, bufs, n);
  vy_mem_free(a, bufs, n * sizeof *bufs);
  vy_mem_free(a, by_decl, n * sizeof *by_decl);
  return st;
}

const vy_residentable vy_cuda_residentable = {res_alloc, res_upload, res_download, res_free, res_dispatch};
