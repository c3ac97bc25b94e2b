/* backend_cuda_run.c - the cuda backend's dispatch engine
 * (backend_cuda_priv_int.h): lanes, binding, the staging layout, launches
 * and the error record, with one dispatch split into a start that queues
 * everything on a lane of its own and a finish that waits and reads back.
 *
 * Inputs are bound with the interpreter's binding code (lib/bind.c),
 * staged in one pinned host block laid out like the device block (the
 * vy_kbuf table, the vy_kerr record, every buffer 256-byte aligned),
 * uploaded with one copy (outputs the backend allocates are zeroed on the
 * device instead; a stream's fixed inputs are already on the device and
 * are bound in place or copied on the device, vy_cuda_run_start_fixed), the grid runs as 1-D launches of at most 2^31 - 1 blocks
 * (wg_base = first linear workgroup), the returned buffers and the error
 * record come back, and a claimed record becomes the interpreter's error
 * (vy_lower_error).
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "backend_cuda_priv_int.h"
#include "backend_jit_int.h"
#include "error_int.h"

#define MAX_BLOCKS_PER_LAUNCH 2147483647u /* gridDim.x limit of the driver */
#define ALIGN 256u

static const vy_allocator *alloc_of(const cuda_backend *be) { return vy_context_allocator(be->base.ctx); }

/* ---- lanes ---- */

static void lane_destroy(const vy_cuda_api *api, vy_cuda_lane *l) {
  if (l->s) api->StreamDestroy(l->s);
  if (l->ctl) api->StreamDestroy(l->ctl);
  for (int i = 0; i < 2; i++)
    if (l->ev[i]) api->EventDestroy(l->ev[i]);
}

vy_status vy_cuda_lane_take(cuda_backend *be, vy_cuda_lane **out, vy_error *err) {
  pthread_mutex_lock(&be->lock);
  vy_cuda_lane *l = be->lanes;
  if (l) be->lanes = l->next;
  pthread_mutex_unlock(&be->lock);
  if (l) {
    *out = l;
    return VY_OK;
  }
  const vy_cuda_api *api = be->dev.api;
  l = vy_mem_calloc(alloc_of(be), 1, sizeof *l);
  if (!l) return vy_error_nomem(err);
  vy_cu_result r = api->StreamCreate(&l->s, VY_CU_STREAM_NON_BLOCKING);
  if (r == VY_CU_SUCCESS) r = api->StreamCreate(&l->ctl, VY_CU_STREAM_NON_BLOCKING);
  if (r == VY_CU_SUCCESS) r = api->EventCreate(&l->ev[0], VY_CU_EVENT_DEFAULT);
  if (r == VY_CU_SUCCESS) r = api->EventCreate(&l->ev[1], VY_CU_EVENT_DEFAULT);
  if (r != VY_CU_SUCCESS) {
    vy_status st = vy_cuda_error(api, r, VY_E_DISPATCH_FAILED, "creating a CUDA stream", err);
    lane_destroy(api, l);
    vy_mem_free(alloc_of(be), l, sizeof *l);
    return st;
  }
  *out = l;
  return VY_OK;
}

void vy_cuda_lane_put(cuda_backend *be, vy_cuda_lane *l) {
  pthread_mutex_lock(&be->lock);
  l->next = be->lanes;
  be->lanes = l;
  pthread_mutex_unlock(&be->lock);
}

void vy_cuda_lanes_free(cuda_backend *be) {
  while (be->lanes) {
    vy_cuda_lane *l = be->lanes;
    be->lanes = l->next;
    lane_destroy(be->dev.api, l);
    vy_mem_free(alloc_of(be), l, sizeof *l);
  }
}

uint64_t vy_cuda_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

vy_status vy_cuda_lane_wait(cuda_backend *be, vy_cuda_lane *l, uint64_t deadline_ns, vy_cu_ptr stop, bool *timed_out,
                            vy_error *err) {
  const vy_cuda_api *api = be->dev.api;
  *timed_out = false;
  vy_cu_result r;
  if (!deadline_ns) {
    r = api->StreamSynchronize(l->s);
  } else {
    long pause = 2000; /* ns, doubled up to 1 ms */
    while ((r = api->StreamQuery(l->s)) == VY_CU_ERROR_NOT_READY) {
      if (!*timed_out && vy_cuda_now_ns() >= deadline_ns) {
        *timed_out = true;
        r = api->MemsetD8Async(stop, 1, 1, l->ctl);
        if (r != VY_CU_SUCCESS) break;
      }
      struct timespec ts = {0, pause};
      nanosleep(&ts, NULL);
      if (pause < 1000000) pause *= 2;
    }
    if (r == VY_CU_SUCCESS && *timed_out) r = api->StreamSynchronize(l->ctl);
  }
  return r == VY_CU_SUCCESS ? VY_OK : vy_cuda_error(api, r, VY_E_DISPATCH_FAILED, "running the kernel", err);
}

/* ---- binding ---- */

const vy_cuda_code *vy_cuda_kernel_code(const cuda_kernel *k) {
  return k->entry ? vy_kcache_entry_kernel(k->entry) : k->code;
}

vy_status vy_cuda_bind(cuda_kernel *k, const vy_allocator *alloc, const vy_input *inputs, size_t ninputs,
                       const vy_dispatch_config *cfg, const vy_bind_hooks *hooks, vy_ibuf *bufs, vy_igrid *grid,
                       vy_error *err) {
  const vy_program *p = k->pp->program;
  uint64_t used = 0;
  vy_status st =
      vy_bind_buffers(p, alloc, inputs, ninputs, VY_INTERP_DEFAULT_MAX_MEMORY, hooks, bufs, &used, grid, err);
  if (st == VY_OK && cfg->has_grid_override) {
    memcpy(grid->count, cfg->grid_override, sizeof grid->count);
    uint64_t xy = (uint64_t)grid->count[0] * grid->count[1];
    if (__builtin_mul_overflow(xy, (uint64_t)grid->count[2], &grid->total_wg))
      st = vy_error_set(err, VY_E_INVALID_PROGRAM,
                        "grid_override [%u,%u,%u] has more than 2^64 workgroups. Fix: use a smaller grid",
                        grid->count[0], grid->count[1], grid->count[2]);
  }
  if (st == VY_OK) st = vy_jit_grid_checks(p, grid->count, err);
  if (st == VY_OK && !vy_cuda_kernel_code(k))
    st = vy_error_set(err, VY_E_INTERNAL, "cuda kernel has no code. Fix: report this cuda bug");
  return st;
}

static bool borrow_all(void *ud, uint32_t i) {
  (void)ud, (void)i;
  return true; /* the host copy of a buffer that is not returned is only read (to upload it) */
}

/* The inputs of returned buffers are not copied by the binding: the host
 * buffer is only the destination of the download, and the staging block is
 * filled from the caller's bytes directly (one host copy instead of two). */
typedef struct deferred {
  const void *dst, *src;
} deferred;

typedef struct deferrals {
  deferred *d;
  uint32_t n, cap;
} deferrals;

static void defer_copy(void *ud, void *dst, const void *src, size_t len) {
  deferrals *t = ud;
  if (t->n < t->cap)
    t->d[t->n++] = (deferred){dst, src};
  else
    memcpy(dst, src, len); /* at most one per buffer: not reached */
}

/* The bytes to upload for bound buffer data: the caller's when deferred. */
static const void *source_of(const deferrals *t, const void *data) {
  for (uint32_t j = 0; j < t->n; j++)
    if (t->d[j].dst == data) return t->d[j].src;
  return data;
}

/* memcpy, split over the copier threads (NULL: none) from 2 MiB on. */
static void copy(vy_pool *copiers, void *dst, const void *src, size_t n) {
  vy_pool_memcpy(copiers, dst, src, n, (size_t)2 << 20);
}

static size_t align_up(size_t n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }

/* How a buffer's initial bytes reach the device, in the order of the
 * layout: uploaded from staging, copied on the device from a fixed input's
 * device copy, zeroed on the device (outputs the backend allocates); or
 * the buffer is the fixed input's device copy itself (read-only, no space
 * of its own); workgroup buffers have none. */
enum { UPLOADED, RESTORED, ZEROED, IN_PLACE, NO_SPACE };

static int buffer_class(const vy_cuda_run *r, uint32_t i) {
  const vy_ibuf *b = &r->bufs[i];
  if (b->workgroup) return NO_SPACE;
  if (vy_buffer_is_backend_allocated(b->decl)) return ZEROED;
  if (r->dev && r->dev[i]) return b->is_output ? RESTORED : IN_PLACE;
  return UPLOADED;
}

/* For each buffer bound from a fixed input (the bytes it was bound from
 * are a fixed input's and no other input's), its device copy in r->dev. */
static vy_status match_fixed(vy_cuda_run *r, const vy_cuda_fixed *f, const vy_input *inputs, size_t ninputs,
                             const deferrals *t, vy_error *err) {
  if (!f || !r->n) return VY_OK;
  r->dev = vy_mem_calloc(r->alloc, r->n, sizeof *r->dev);
  if (!r->dev) return vy_error_nomem(err);
  for (uint32_t i = 0; i < r->n; i++) {
    const vy_ibuf *b = &r->bufs[i];
    if (b->workgroup || !b->len || vy_buffer_is_backend_allocated(b->decl)) continue;
    const void *src = source_of(t, b->data);
    vy_cu_ptr hit = 0;
    bool other = false;
    for (size_t m = 0; m < ninputs; m++) {
      if (inputs[m].data != src || inputs[m].len != b->len) continue;
      if (m >= f->first && m - f->first < f->n && f->dev[m - f->first])
        hit = f->dev[m - f->first];
      else
        other = true;
    }
    if (!other) r->dev[i] = hit;
  }
  return VY_OK;
}

/* Where a dispatch's data lives in its device block, mirrored by its
 * pinned staging block: the vy_kbuf table (at 0), the vy_kerr record, the
 * buffers uploaded with initial contents (up to r->upload), those restored
 * from a fixed input's device copy (up to r->restored), then the outputs
 * the backend allocates, which are zeroed on the device instead of being
 * copied up. A buffer used in place has no space here. */
static vy_status layout_make(vy_cuda_run *r, vy_error *err) {
  const vy_allocator *a = r->alloc;
  r->off = vy_mem_calloc(a, r->n ? r->n : 1, sizeof *r->off);
  if (!r->off) return vy_error_nomem(err);
  r->err_off = align_up((size_t)r->n * sizeof(vy_kbuf));
  size_t at = align_up(r->err_off + sizeof(vy_kerr));
  for (int cls = UPLOADED; cls <= ZEROED; cls++) {
    if (cls == RESTORED) r->upload = at;
    if (cls == ZEROED) r->restored = at;
    for (uint32_t i = 0; i < r->n; i++) {
      if (buffer_class(r, i) != cls) continue;
      r->off[i] = at;
      at += align_up(r->bufs[i].len ? r->bufs[i].len : 1);
    }
  }
  r->total = at;
  return VY_OK;
}

/* Fills the staging block: the buffer table, a zero error record, the
 * buffers to upload. */
static void layout_stage(const vy_cuda_run *r, const deferrals *t) {
  uint8_t *h = r->hb.host;
  vy_kbuf *tab = (vy_kbuf *)h;
  for (uint32_t i = 0; i < r->n; i++) {
    const vy_ibuf *b = &r->bufs[i];
    if (b->workgroup) {
      memset(&tab[i], 0, sizeof tab[i]);
      continue;
    }
    int cls = buffer_class(r, i);
    if (b->len && cls == UPLOADED) copy(r->copiers, h + r->off[i], source_of(t, b->data), b->len);
    vy_cu_ptr at = cls == IN_PLACE ? r->dev[i] : r->db.dptr + r->off[i];
    tab[i] = (vy_kbuf){(uint8_t *)(uintptr_t)at, b->len, b->elems};
  }
  memset(h + r->err_off, 0, sizeof(vy_kerr));
}

vy_status vy_cuda_enqueue_launches(cuda_backend *be, const vy_cuda_code *c, vy_cuda_lane *l, vy_cu_ptr tab,
                                   vy_cu_ptr rec, const vy_igrid *grid, uint32_t iters, vy_error *err) {
  const vy_cuda_api *api = be->dev.api;
  vy_cu_result r = api->EventRecord(l->ev[0], l->s);
  uint64_t per = be->dev.max_grid_x < MAX_BLOCKS_PER_LAUNCH ? be->dev.max_grid_x : MAX_BLOCKS_PER_LAUNCH;
  uint32_t gx = grid->count[0], gy = grid->count[1], gz = grid->count[2];
  for (uint32_t it = 0; it < iters && r == VY_CU_SUCCESS; it++) {
    for (uint64_t base = 0; base < grid->total_wg && r == VY_CU_SUCCESS; base += per) {
      uint64_t blocks = grid->total_wg - base < per ? grid->total_wg - base : per;
      void *params[] = {&tab, &rec, &base, &gx, &gy, &gz};
      r = api->LaunchKernel(c->mod->fn, (unsigned)blocks, 1, 1, c->block_threads, 1, 1, 0, l->s, params, NULL);
      if (r != VY_CU_SUCCESS) return vy_cuda_error(api, r, VY_E_DISPATCH_FAILED, "cuLaunchKernel", err);
    }
  }
  if (r == VY_CU_SUCCESS) r = api->EventRecord(l->ev[1], l->s);
  return r == VY_CU_SUCCESS ? VY_OK : vy_cuda_error(api, r, VY_E_DISPATCH_FAILED, "queueing the launches", err);
}

vy_status vy_cuda_conclude(cuda_backend *be, cuda_kernel *k, vy_cuda_lane *l, const vy_kerr *e, bool timed_out,
                           const vy_dispatch_config *cfg, vy_error *err) {
  float ms = 0;
  if (be->dev.api->EventElapsedTime(&ms, l->ev[0], l->ev[1]) == VY_CU_SUCCESS)
    atomic_store(&k->kernel_ns, (uint64_t)((double)ms * 1e6));
  if (atomic_load(&e->claimed)) return vy_lower_error(k->pp, k->sites, k->nsites, e, err);
  if (timed_out)
    return vy_error_set(err, VY_E_TIMEOUT,
                        "the dispatch ran past its timeout of %llu ns and was stopped. Fix: raise timeout_ns or "
                        "dispatch less work",
                        (unsigned long long)cfg->timeout_ns);
  return VY_OK;
}

/* ---- one dispatch ---- */

/* Queues the upload, the restores, the zeroing, the launches and the
 * downloads of r. */
static vy_status enqueue(vy_cuda_run *r, vy_error *err) {
  cuda_backend *be = (cuda_backend *)r->k->base.be;
  const vy_cuda_api *api = be->dev.api;
  vy_cuda_lane *l = r->l;
  uint8_t *h = r->hb.host;
  vy_cu_ptr d = r->db.dptr;
  vy_cu_result cr = api->MemcpyHtoDAsync(d, h, r->upload, l->s);
  for (uint32_t i = 0; i < r->n && cr == VY_CU_SUCCESS; i++)
    if (buffer_class(r, i) == RESTORED) cr = api->MemcpyDtoDAsync(d + r->off[i], r->dev[i], r->bufs[i].len, l->s);
  if (cr == VY_CU_SUCCESS && r->total > r->restored)
    cr = api->MemsetD8Async(d + r->restored, 0, r->total - r->restored, l->s);
  if (cr != VY_CU_SUCCESS) return vy_cuda_error(api, cr, VY_E_DISPATCH_FAILED, "queueing the upload", err);
  uint32_t iters = r->cfg.has_fixpoint_iterations ? r->cfg.fixpoint_iterations : 1;
  vy_status st = vy_cuda_enqueue_launches(be, vy_cuda_kernel_code(r->k), l, d, d + r->err_off, &r->grid, iters, err);
  for (uint32_t i = 0; i < r->n && st == VY_OK && cr == VY_CU_SUCCESS; i++)
    if (r->bufs[i].is_output && r->bufs[i].len)
      cr = api->MemcpyDtoHAsync(h + r->off[i], d + r->off[i], r->bufs[i].len, l->s);
  if (st == VY_OK && cr == VY_CU_SUCCESS)
    cr = api->MemcpyDtoHAsync(h + r->err_off, d + r->err_off, sizeof(vy_kerr), l->s);
  if (st == VY_OK && cr != VY_CU_SUCCESS)
    st = vy_cuda_error(api, cr, VY_E_DISPATCH_FAILED, "queueing the download", err);
  return st;
}

vy_status vy_cuda_check_cfg(const cuda_kernel *k, const vy_dispatch_config *cfg, vy_error *err) {
  if (cfg == &k->base.cfg) return VY_OK;
  vy_status st = vy_jit_kernel_config_check(&k->base, cfg, err);
  if (st == VY_OK && cfg->ulp_budget != k->base.cfg.ulp_budget)
    st = vy_error_set(err, VY_E_INVALID_ARGUMENT,
                      "ulp_budget differs from the one the cuda kernel was compiled with. Fix: compile the program "
                      "again with the new ulp_budget");
  return st;
}

vy_status vy_cuda_run_start(cuda_kernel *k, const vy_allocator *alloc, vy_pool *copiers, const vy_input *inputs,
                            size_t ninputs, const vy_dispatch_config *cfg, vy_cuda_run *r, vy_error *err) {
  return vy_cuda_run_start_fixed(k, alloc, copiers, NULL, inputs, ninputs, cfg, r, err);
}

vy_status vy_cuda_run_start_fixed(cuda_kernel *k, const vy_allocator *alloc, vy_pool *copiers,
                                  const vy_cuda_fixed *fixed, const vy_input *inputs, size_t ninputs,
                                  const vy_dispatch_config *cfg, vy_cuda_run *r, vy_error *err) {
  cuda_backend *be = (cuda_backend *)k->base.be;
  const vy_allocator *a = alloc ? alloc : alloc_of(be);
  memset(r, 0, sizeof *r);
  r->k = k;
  r->alloc = a;
  r->copiers = copiers;
  r->cfg = cfg ? *cfg : k->base.cfg;
  r->n = k->pp->program->nbuffers;
  vy_error_clear(&r->err);
  vy_status st = vy_cuda_check_cfg(k, cfg ? cfg : &k->base.cfg, err);
  if (st == VY_OK && ninputs && !inputs)
    st = vy_error_set(err, VY_E_INVALID_ARGUMENT, "dispatch: %zu inputs but a NULL array. Fix: pass them", ninputs);
  if (st == VY_OK) st = vy_cuda_device_bind(&be->dev, err);
  if (st == VY_OK && r->n) {
    r->bufs = vy_mem_calloc(a, r->n, sizeof *r->bufs);
    if (!r->bufs) st = vy_error_nomem(err);
  }
  deferrals t = {NULL, 0, r->n};
  if (st == VY_OK && r->n && !(t.d = vy_mem_calloc(a, r->n, sizeof *t.d))) st = vy_error_nomem(err);
  vy_bind_hooks hooks = {.borrow = borrow_all, .copy = defer_copy, .ud = &t};
  if (st == VY_OK) st = vy_cuda_bind(k, a, inputs, ninputs, &r->cfg, &hooks, r->bufs, &r->grid, err);
  if (st == VY_OK) st = match_fixed(r, fixed, inputs, ninputs, &t, err);
  if (st == VY_OK) st = layout_make(r, err);
  if (st == VY_OK) st = vy_cuda_pool_get(be->dmem, r->total, &r->db, err);
  if (st == VY_OK) st = vy_cuda_pool_get(be->hmem, r->total, &r->hb, err);
  if (st == VY_OK) st = vy_cuda_lane_take(be, &r->l, err);
  if (st == VY_OK) {
    if (r->cfg.timeout_ns) r->deadline = vy_cuda_now_ns() + r->cfg.timeout_ns;
    layout_stage(r, &t);
    st = enqueue(r, err);
  }
  vy_mem_free(a, t.d, r->n * sizeof *t.d);
  if (st != VY_OK) {
    r->st = st;
    if (err) r->err = *err;
  }
  return st;
}

bool vy_cuda_run_ready(const vy_cuda_run *r) {
  if (r->st != VY_OK || !r->l) return true;
  const cuda_backend *be = (const cuda_backend *)r->k->base.be;
  if (vy_cuda_device_bind(&be->dev, NULL) != VY_OK) return true; /* the wait reports it */
  return be->dev.api->StreamQuery(r->l->s) != VY_CU_ERROR_NOT_READY;
}

/* Frees everything r holds (after its stream is idle or failed). */
static void run_release(vy_cuda_run *r) {
  cuda_backend *be = (cuda_backend *)r->k->base.be;
  const vy_allocator *a = r->alloc;
  if (r->l) vy_cuda_lane_put(be, r->l);
  vy_cuda_pool_put(be->hmem, &r->hb);
  vy_cuda_pool_put(be->dmem, &r->db);
  vy_mem_free(a, r->off, (r->n ? r->n : 1) * sizeof *r->off);
  vy_mem_free(a, r->dev, r->n * sizeof *r->dev);
  if (r->bufs) vy_imem_free_bufs(a, r->bufs, r->n);
  vy_mem_free(a, r->bufs, r->n * sizeof *r->bufs);
  r->l = NULL, r->off = NULL, r->dev = NULL, r->bufs = NULL;
}

/* Waits for r and reads its error record (the start's error, a driver
 * error, the kernel's, a timeout). After an error, work queued before it
 * may still use r's blocks: the stream is drained before they go back. */
static vy_status run_wait(vy_cuda_run *r, vy_error *err) {
  cuda_backend *be = (cuda_backend *)r->k->base.be;
  vy_status st = r->st;
  if (st != VY_OK && err) *err = r->err;
  vy_status bound = vy_cuda_device_bind(&be->dev, st == VY_OK ? err : NULL);
  if (st == VY_OK) st = bound;
  bool timed_out = false;
  if (st == VY_OK)
    st = vy_cuda_lane_wait(be, r->l, r->deadline, r->db.dptr + r->err_off + offsetof(vy_kerr, stop), &timed_out, err);
  if (st == VY_OK) {
    vy_kerr e;
    memcpy(&e, (const uint8_t *)r->hb.host + r->err_off, sizeof e);
    st = vy_cuda_conclude(be, r->k, r->l, &e, timed_out, &r->cfg, err);
  }
  if (st != VY_OK && r->l && bound == VY_OK) be->dev.api->StreamSynchronize(r->l->s);
  return st;
}

vy_status vy_cuda_run_finish(vy_cuda_run *r, vy_outputs *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  vy_status st = run_wait(r, err);
  if (st == VY_OK) {
    const uint8_t *h = r->hb.host;
    for (uint32_t i = 0; i < r->n; i++)
      if (r->bufs[i].is_output && r->bufs[i].len) copy(r->copiers, r->bufs[i].data, h + r->off[i], r->bufs[i].len);
    vy_interp_outputs io;
    memset(&io, 0, sizeof io);
    st = vy_imem_collect_outputs(r->alloc, r->bufs, r->n, &io, err);
    out->count = io.count;
    out->items = io.items;
    out->alloc = io.alloc;
    if (st != VY_OK) vy_outputs_free(out);
  }
  run_release(r);
  if (st == VY_OK) st = vy_outputs_check_cap(&r->cfg, out, err);
  return st;
}

vy_status vy_cuda_run_finish_lent(vy_cuda_run *r, vy_outputs *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  vy_status st = run_wait(r, err);
  size_t count = 0;
  for (uint32_t i = 0; st == VY_OK && i < r->n; i++) count += r->bufs[i].is_output;
  if (st == VY_OK && count && !(out->items = vy_mem_calloc(r->alloc, count, sizeof *out->items)))
    st = vy_error_nomem(err);
  if (st == VY_OK) { /* the lengths first: a failed max_output_bytes check frees only the array */
    out->alloc = r->alloc;
    for (uint32_t i = 0; i < r->n; i++) {
      const vy_ibuf *b = &r->bufs[i];
      if (!b->is_output) continue;
      const vy_buffer_decl *d = b->decl;
      bool ranged = d->has_output_range && d->range_start <= d->range_end && d->range_end <= b->len;
      out->items[out->count++].len = ranged ? (size_t)(d->range_end - d->range_start) : b->len;
    }
    st = vy_outputs_check_cap(&r->cfg, out, err);
  }
  if (st != VY_OK) {
    run_release(r);
    return st;
  }
  for (uint32_t i = 0, j = 0; i < r->n; i++) {
    const vy_ibuf *b = &r->bufs[i];
    if (!b->is_output) continue;
    const vy_buffer_decl *d = b->decl;
    bool ranged = d->has_output_range && d->range_start <= d->range_end && d->range_end <= b->len;
    out->items[j++].data = (uint8_t *)r->hb.host + r->off[i] + (ranged ? (size_t)d->range_start : 0);
  }
  return VY_OK;
}

void vy_cuda_run_unlend(vy_cuda_run *r, vy_outputs *out) {
  vy_mem_free(out->alloc, out->items, out->count * sizeof *out->items);
  memset(out, 0, sizeof *out);
  run_release(r);
}

vy_status vy_cuda_run_kernel(cuda_kernel *k, const vy_input *inputs, size_t ninputs, const vy_dispatch_config *cfg,
                             vy_outputs *out, vy_error *err) {
  vy_cuda_run r;
  vy_cuda_run_start(k, NULL, NULL, inputs, ninputs, cfg, &r, err);
  return vy_cuda_run_finish(&r, out, err);
}
