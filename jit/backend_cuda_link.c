/* backend_cuda_link.c - the host <-> device link bandwidth of a cuda
 * backend (backend_cuda_link_int.h): timed cuMemcpyHtoDAsync /
 * cuMemcpyDtoHAsync of one pinned block on a lane, each followed by a
 * stream synchronize, timed on the host clock. */
#include "backend_cuda_link_int.h"
#include "backend_cuda_priv_int.h"
#include "error_int.h"

/* One timed copy in each direction; the best rates so far in *h2d, *d2h. */
static vy_status copy_both(cuda_backend *be, vy_cuda_lane *l, const vy_cuda_block *hb, const vy_cuda_block *db,
                           size_t bytes, double *h2d, double *d2h, vy_error *err) {
  const vy_cuda_api *api = be->dev.api;
  for (int dir = 0; dir < 2; dir++) {
    uint64_t t0 = vy_cuda_now_ns();
    vy_cu_result r = dir == 0 ? api->MemcpyHtoDAsync(db->dptr, hb->host, bytes, l->s)
                              : api->MemcpyDtoHAsync(hb->host, db->dptr, bytes, l->s);
    if (r == VY_CU_SUCCESS) r = api->StreamSynchronize(l->s);
    if (r != VY_CU_SUCCESS) return vy_cuda_error(api, r, VY_E_DISPATCH_FAILED, "timing a host-device copy", err);
    uint64_t dt = vy_cuda_now_ns() - t0;
    double rate = (double)bytes * 1e9 / (double)(dt ? dt : 1);
    double *best = dir == 0 ? h2d : d2h;
    if (rate > *best) *best = rate;
  }
  return VY_OK;
}

vy_status vy_cuda_link_bandwidth(vy_backend *b, size_t bytes, int reps, double *h2d, double *d2h, vy_error *err) {
  if (!vy_cuda_is_backend(b) || !bytes || reps < 1 || !h2d || !d2h)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_cuda_link_bandwidth needs a cuda backend, a size, repetitions and outputs. Fix: pass them");
  cuda_backend *be = (cuda_backend *)b;
  vy_status st = vy_cuda_device_bind(&be->dev, err);
  vy_cuda_block hb = {0}, db = {0};
  vy_cuda_lane *l = NULL;
  if (st == VY_OK) st = vy_cuda_pool_get(be->hmem, bytes, &hb, err);
  if (st == VY_OK) st = vy_cuda_pool_get(be->dmem, bytes, &db, err);
  if (st == VY_OK) st = vy_cuda_lane_take(be, &l, err);
  double warm_h = 0, warm_d = 0;
  *h2d = *d2h = 0;
  if (st == VY_OK) st = copy_both(be, l, &hb, &db, bytes, &warm_h, &warm_d, err); /* untimed: first touch */
  for (int i = 0; st == VY_OK && i < reps; i++) st = copy_both(be, l, &hb, &db, bytes, h2d, d2h, err);
  if (l) vy_cuda_lane_put(be, l);
  vy_cuda_pool_put(be->hmem, &hb);
  vy_cuda_pool_put(be->dmem, &db);
  return st;
}
