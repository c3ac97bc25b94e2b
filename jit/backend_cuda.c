/* backend_cuda.c - the "cuda" backend: vyre programs lowered to PTX by
 * LLVM's NVPTX target (jit/lower_ptx.c, contract in ptx_int.h), linked to
 * a cubin by the driver's linker and run on an NVIDIA GPU through the
 * driver API (runtime/cuda_*.c), with the reference semantics of the
 * llvm-cpu backend (include/vyre/jit.h): bit-identical outputs for
 * race-free programs, the interpreter's errors for runtime errors.
 *
 * Dispatch: inputs are bound with the interpreter's binding code
 * (lib/bind.c), staged in one pinned host block laid out like the device
 * block (the vy_kbuf table, the vy_kerr record, every buffer 256-byte
 * aligned), uploaded with one copy (outputs the backend allocates are
 * zeroed on the device instead), the grid runs as 1-D launches
 * of at most 2^31 - 1 blocks (wg_base = first linear workgroup), the
 * returned buffers and the error record come back, and a claimed record
 * becomes the interpreter's error (vy_lower_error).
 *
 * DispatchConfig: workgroup_override and grid_override are honoured,
 * fixpoint_iterations > 1 launches that many times back to back on the same
 * buffers, ulp_budget goes to the lowering (and the cache key), timeout_ns
 * sets the error record's stop flag once it has passed (blocks not yet
 * started return at once) and the dispatch fails with VY_E_TIMEOUT,
 * max_output_bytes is checked; label and profile are ignored; cooperative
 * and FORCE modes are rejected (vy_dispatch_config_check).
 *
 * Capabilities come from the device: workgroup limits from the block
 * limits, subgroup size from the warp size, storage from the device's
 * memory; grids up to u32 workgroups per axis (launches are split).
 * Workgroup memory above the device's static shared memory per block is
 * refused (VY_E_UNSUPPORTED) at compile time.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend_cuda_int.h"
#include "backend_int.h"
#include "backend_jit_int.h"
#include "bind_int.h"
#include "cpu_artifact_int.h"
#include "cuda_cache_int.h"
#include "error_int.h"
#include "vyre/jit.h"

#define LLVM_MAX_PTX_ISA 85u              /* LLVM 19 knows up to ptx85 */
#define MAX_BLOCKS_PER_LAUNCH 2147483647u /* gridDim.x limit of the driver */
#define ALIGN 256u

/* The node ops the cuda backend executes: those of llvm-cpu except the
 * async copies, which the NVPTX lowering does not lower (vyre's own CUDA
 * backend uses cp.async); other constructs it refuses are refused by
 * vy_ptx_compile with a reason. */
static const char *const cuda_ops[] = {
    "vyre.node.let",        "vyre.node.assign",     "vyre.node.store",          "vyre.node.if",        "vyre.node.loop",
    "vyre.node.return",     "vyre.node.block",      "vyre.node.barrier",        "vyre.node.region",    "vyre.node.trap",
    "vyre.node.all_reduce", "vyre.node.all_gather", "vyre.node.reduce_scatter", "vyre.node.broadcast",
};

/* A stream to run dispatches on, a control stream (the timeout's stop
 * flag) and the events that time the launches. */
typedef struct lane {
  vy_cu_stream s, ctl;
  vy_cu_event ev[2];
  struct lane *next;
} lane;

typedef struct cuda_backend {
  vy_backend base;
  vy_cuda_device dev;
  vy_cuda_pool *dmem, *hmem;
  char sm[16];
  unsigned ptx_isa;
  char libdevice[1024]; /* "" = none */
  vy_ckey_base key_base;
  pthread_mutex_t lock; /* lanes */
  lane *lanes;
} cuda_backend;

typedef struct cuda_kernel {
  vy_kernel base;
  vy_program *derived; /* workgroup_override copy, owned */
  vy_interp_prepared *pp;
  vy_site *sites; /* resolved against pp */
  uint32_t nsites;
  vy_kcache_entry *entry; /* the kernel cache's reference to the code, or */
  vy_cuda_code *code;     /* the code owned by this kernel (uncached) */
  _Atomic uint64_t kernel_ns;
} cuda_kernel;

static const vy_backend_ops cuda_backend_ops;
static const vy_kernel_ops cuda_kernel_ops;

static const vy_allocator *alloc_of(const vy_backend *be) { return vy_context_allocator(be->ctx); }

/* ---- target choices ---- */

unsigned vy_cuda_pick_ptx_isa(int driver_version) {
  unsigned d = vy_cuda_driver_ptx_isa(driver_version);
  return d > LLVM_MAX_PTX_ISA ? LLVM_MAX_PTX_ISA : d;
}

void vy_cuda_pick_sm(int major, int minor, char *out, size_t cap) {
  int cc = major * 10 + minor;
  snprintf(out, cap, "sm_%d", cc > 90 ? 90 : cc);
}

void vy_cuda_libdevice_path(char *out, size_t cap) {
  const char *env = getenv("VYRE_JIT_LIBDEVICE");
  if (env && *env) {
    snprintf(out, cap, "%s", env);
    return;
  }
  const char *home = getenv("CUDA_HOME");
  if (home && *home) {
    snprintf(out, cap, "%s/nvvm/libdevice/libdevice.10.bc", home);
    if (access(out, R_OK) == 0) return;
  }
  snprintf(out, cap, "/usr/local/cuda/nvvm/libdevice/libdevice.10.bc");
  if (access(out, R_OK) != 0) out[0] = 0;
}

/* ---- capabilities ---- */

static void cuda_caps(const vy_backend *be, vy_backend_caps *c) {
  const vy_cuda_device *d = &((const cuda_backend *)be)->dev;
  memcpy(c->max_workgroup_size, d->max_block, sizeof c->max_workgroup_size);
  c->max_invocations_per_workgroup = d->max_threads_per_block;
  c->max_workgroups_per_dimension = UINT32_MAX; /* launches are split along the linear workgroup index */
  c->subgroup_size = d->warp_size;
  c->subgroup_ops = d->warp_size == 32; /* vyre's 32-wide subgroups as warp shuffles, votes, reductions */
  c->max_storage_buffer_bytes = d->total_mem;
  c->threads = 0;
  c->dispatches = true;
}

/* ---- kernels ---- */

static void kernel_free(cuda_kernel *k) {
  if (!k) return;
  cuda_backend *be = (cuda_backend *)k->base.be;
  const vy_allocator *a = alloc_of(&be->base);
  if (k->entry || k->code) vy_cuda_device_bind(&be->dev, NULL);
  if (k->entry) vy_kcache_release(vy_kcache_global(), k->entry);
  vy_cuda_code_destroy(k->code, NULL);
  vy_mem_free(a, k->sites, k->nsites * sizeof *k->sites);
  vy_interp_prepared_destroy(k->pp);
  vy_program_destroy(k->derived);
  vy_mem_free(a, k, sizeof *k);
}

static vy_status prepare_kernel(cuda_backend *be, const vy_program *p, const vy_dispatch_config *cfg, bool validate,
                                cuda_kernel **out, vy_error *err) {
  *out = NULL;
  const vy_allocator *a = alloc_of(&be->base);
  uint32_t wg[3], one[3] = {1, 1, 1};
  vy_program_workgroup_size(p, wg);
  /* a zero workgroup dimension (only without validation) is the reference's runtime error at binding */
  bool zero = !wg[0] || !wg[1] || !wg[2];
  vy_status st = vy_dispatch_config_check(&be->base, cfg, zero ? one : wg, err);
  if (st == VY_OK) st = vy_backend_check_ops(&be->base, p, err);
  if (st != VY_OK) return st;
  cuda_kernel *k = vy_mem_calloc(a, 1, sizeof *k);
  if (!k) return vy_error_nomem(err);
  k->base = (vy_kernel){&cuda_kernel_ops, &be->base, p, *cfg};
  atomic_init(&k->kernel_ns, 0);
  st = vy_jit_apply_override(p, cfg, a, &k->derived, err);
  if (st == VY_OK)
    st = vy_interp_prepare_ex(k->derived ? k->derived : p, vy_context_host_ops(be->base.ctx), a, validate, &k->pp, err);
  if (st != VY_OK) {
    kernel_free(k);
    return st;
  }
  *out = k;
  return VY_OK;
}

typedef struct job {
  cuda_backend *be;
  cuda_kernel *k;
} job;

/* Builder.compile: PTX from the lowering, cubin from the driver's linker,
 * packed with the site table (cuda_cache_int.h). */
static vy_status job_compile(void *ud, const vy_allocator *alloc, vy_bytes *artifact, vy_error *err) {
  job *j = ud;
  cuda_backend *be = j->be;
  vy_ptx_target t = {be->sm, be->ptx_isa, VY_JIT_O2, be->libdevice[0] ? be->libdevice : NULL,
                     j->k->base.cfg.ulp_budget};
  vy_bytes ptx = {0}, cubin = {0};
  ptx.alloc = alloc;
  vy_ptx_lowered low;
  memset(&low, 0, sizeof low);
  vy_status st = vy_ptx_compile(j->k->pp, &t, alloc, &ptx, &low, err);
  if (st == VY_OK && low.shared_bytes > be->dev.shared_per_block)
    st = vy_error_set(err, VY_E_UNSUPPORTED,
                      "backend `cuda` cannot run this program: its workgroup memory takes %llu bytes, above the %llu "
                      "bytes of shared memory a block of %s may use. Fix: use smaller workgroup buffers or the "
                      "llvm-cpu backend",
                      (unsigned long long)low.shared_bytes, (unsigned long long)be->dev.shared_per_block, be->dev.name);
  if (st == VY_OK) st = vy_cuda_link_ptx(&be->dev, (const char *)ptx.data, ptx.len, alloc, &cubin, err);
  if (st == VY_OK) st = vy_cuda_artifact_pack(j->k->pp, &low, &ptx, &cubin, alloc, artifact, err);
  vy_bytes_free(&ptx);
  vy_bytes_free(&cubin);
  vy_ptx_lowered_free(alloc, &low);
  return st;
}

/* Builder.load: the artifact's cubin loaded into the device's context. */
static vy_status job_load(void *ud, const uint8_t *artifact, size_t len, vy_kcache_kernel *out, vy_error *err) {
  job *j = ud;
  vy_cuda_code *c;
  vy_status st = vy_cuda_code_load(&j->be->dev, j->k->pp, artifact, len, alloc_of(&j->be->base), &c, err);
  if (st != VY_OK) return st;
  *out = (vy_kcache_kernel){c, vy_cuda_code_destroy, NULL, len};
  return VY_OK;
}

/* The cache key of kernel k: fingerprint, level and every option that
 * changes its code. *cached = false when the program has no fingerprint. */
static vy_status kernel_key(cuda_backend *be, const vy_program *p, cuda_kernel *k, bool validate, vy_ckey *key,
                            bool *cached, vy_error *err) {
  uint8_t fp[32], host[32];
  *cached = vy_program_fingerprint(p, fp);
  if (!*cached) return VY_OK;
  vy_status st = vy_cpu_host_digest(k->pp, alloc_of(&be->base), host, err);
  if (st != VY_OK) return st;
  const vy_dispatch_config *cfg = &k->base.cfg;
  uint8_t wgb[16] = {cfg->has_workgroup_override};
  for (int i = 0; i < 12 && cfg->has_workgroup_override; i++)
    wgb[4 + i] = (uint8_t)(cfg->workgroup_override[i / 4] >> (8 * (i % 4)));
  vy_ckey_builder kb;
  vy_ckey_begin(&kb, &be->key_base, fp, (uint32_t)VY_JIT_O2);
  vy_ckey_opt_bytes(&kb, "workgroup_override", wgb, sizeof wgb);
  vy_ckey_opt_bytes(&kb, "host_registry", host, sizeof host);
  vy_ckey_opt_u64(&kb, "validate", validate);
  vy_ckey_opt_u64(&kb, "ulp_budget", (uint64_t)(cfg->ulp_budget + 1));
  vy_ckey_opt_str(&kb, "libdevice", be->libdevice);
  return vy_ckey_finish(&kb, key, err);
}

static vy_status compile_program(cuda_backend *be, const vy_program *p, const vy_dispatch_config *cfg, bool validate,
                                 cuda_kernel **out, vy_error *err) {
  cuda_kernel *k;
  vy_status st = vy_cuda_device_bind(&be->dev, err);
  if (st == VY_OK) st = prepare_kernel(be, p, cfg, validate, &k, err);
  if (st != VY_OK) return st;
  const uint32_t *wg = k->pp->program->workgroup_size;
  if (!wg[0] || !wg[1] || !wg[2]) { /* no code: binding reports the zero dimension */
    *out = k;
    return VY_OK;
  }
  const vy_allocator *a = alloc_of(&be->base);
  job j = {be, k};
  vy_ckey key;
  bool cached = false;
  vy_kcache *cache = vy_jit_dump_stages() ? NULL : vy_kcache_global(); /* a dump needs the lowering to run */
  if (cache) st = kernel_key(be, p, k, validate, &key, &cached, err);
  if (st == VY_OK && cached) {
    vy_kcache_builder b = {VY_CUDA_ARTIFACT_EXT, be->key_base.label, job_compile, job_load, &j};
    st = vy_kcache_get(cache, &key, be, &b, &k->entry, err); /* loaded modules are per backend */
    /* an eviction inside may have made another backend's context current */
    if (st == VY_OK) st = vy_cuda_device_bind(&be->dev, err);
  } else if (st == VY_OK) {
    vy_bytes art = {0};
    vy_kcache_kernel kk;
    st = job_compile(&j, a, &art, err);
    if (st == VY_OK) st = job_load(&j, art.data, art.len, &kk, err);
    if (st == VY_OK) k->code = kk.kernel;
    vy_bytes_free(&art);
  }
  const vy_cuda_code *c = k->entry ? vy_kcache_entry_kernel(k->entry) : k->code;
  if (st == VY_OK) st = vy_site_table_resolve(&c->sites, k->pp, "cuda", a, &k->sites, err);
  if (st == VY_OK) k->nsites = c->sites.nsites;
  if (st != VY_OK) {
    kernel_free(k);
    return st;
  }
  *out = k;
  return VY_OK;
}

/* ---- lanes ---- */

static void lane_destroy(const vy_cuda_api *api, lane *l) {
  if (l->s) api->StreamDestroy(l->s);
  if (l->ctl) api->StreamDestroy(l->ctl);
  for (int i = 0; i < 2; i++)
    if (l->ev[i]) api->EventDestroy(l->ev[i]);
}

static vy_status lane_take(cuda_backend *be, lane **out, vy_error *err) {
  pthread_mutex_lock(&be->lock);
  lane *l = be->lanes;
  if (l) be->lanes = l->next;
  pthread_mutex_unlock(&be->lock);
  if (l) {
    *out = l;
    return VY_OK;
  }
  const vy_cuda_api *api = be->dev.api;
  l = vy_mem_calloc(alloc_of(&be->base), 1, sizeof *l);
  if (!l) return vy_error_nomem(err);
  vy_cu_result r = api->StreamCreate(&l->s, VY_CU_STREAM_NON_BLOCKING);
  if (r == VY_CU_SUCCESS) r = api->StreamCreate(&l->ctl, VY_CU_STREAM_NON_BLOCKING);
  if (r == VY_CU_SUCCESS) r = api->EventCreate(&l->ev[0], VY_CU_EVENT_DEFAULT);
  if (r == VY_CU_SUCCESS) r = api->EventCreate(&l->ev[1], VY_CU_EVENT_DEFAULT);
  if (r != VY_CU_SUCCESS) {
    vy_status st = vy_cuda_error(api, r, VY_E_DISPATCH_FAILED, "creating a CUDA stream", err);
    lane_destroy(api, l);
    vy_mem_free(alloc_of(&be->base), l, sizeof *l);
    return st;
  }
  *out = l;
  return VY_OK;
}

static void lane_put(cuda_backend *be, lane *l) {
  pthread_mutex_lock(&be->lock);
  l->next = be->lanes;
  be->lanes = l;
  pthread_mutex_unlock(&be->lock);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Waits for the lane's stream. With a timeout, polls and, once it has
 * passed, sets the error record's stop flag (at `stop`) from the control
 * stream so that blocks not yet started return; *timed_out then. */
static vy_status lane_wait(cuda_backend *be, lane *l, uint64_t timeout_ns, vy_cu_ptr stop, bool *timed_out,
                           vy_error *err) {
  const vy_cuda_api *api = be->dev.api;
  *timed_out = false;
  vy_cu_result r;
  if (!timeout_ns) {
    r = api->StreamSynchronize(l->s);
  } else {
    uint64_t deadline = now_ns() + timeout_ns;
    long pause = 2000; /* ns, doubled up to 1 ms */
    while ((r = api->StreamQuery(l->s)) == VY_CU_ERROR_NOT_READY) {
      if (!*timed_out && now_ns() >= deadline) {
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

/* ---- dispatch ---- */

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

static size_t align_up(size_t n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }

/* Where a dispatch's data lives in its device block, mirrored by its
 * pinned staging block: the vy_kbuf table, the vy_kerr record, the buffers
 * with initial contents, then the outputs the backend allocates, which are
 * zeroed on the device instead of being copied up. */
typedef struct layout {
  size_t *off; /* per buffer (workgroup buffers: unused) */
  size_t table_off, err_off;
  size_t upload; /* [0, upload) is copied up, [upload, total) zeroed on the device */
  size_t total;
} layout;

static vy_status layout_make(const vy_allocator *a, const vy_ibuf *bufs, uint32_t n, layout *L, vy_error *err) {
  memset(L, 0, sizeof *L);
  L->off = vy_mem_calloc(a, n ? n : 1, sizeof *L->off);
  if (!L->off) return vy_error_nomem(err);
  L->table_off = 0;
  L->err_off = align_up((size_t)n * sizeof(vy_kbuf));
  size_t at = align_up(L->err_off + sizeof(vy_kerr));
  for (int zero = 0; zero < 2; zero++) {
    if (zero) L->upload = at;
    for (uint32_t i = 0; i < n; i++) {
      if (bufs[i].workgroup || vy_buffer_is_backend_allocated(bufs[i].decl) != (bool)zero) continue;
      L->off[i] = at;
      at += align_up(bufs[i].len ? bufs[i].len : 1);
    }
  }
  L->total = at;
  return VY_OK;
}

/* Fills the staging block h for device block d: the buffer table, a zero
 * error record, the buffers to upload. */
static void layout_stage(const layout *L, const vy_ibuf *bufs, uint32_t n, const deferrals *t, uint8_t *h,
                         vy_cu_ptr d) {
  vy_kbuf *tab = (vy_kbuf *)(h + L->table_off);
  for (uint32_t i = 0; i < n; i++) {
    if (bufs[i].workgroup) {
      memset(&tab[i], 0, sizeof tab[i]);
      continue;
    }
    if (bufs[i].len && L->off[i] < L->upload) memcpy(h + L->off[i], source_of(t, bufs[i].data), bufs[i].len);
    tab[i] = (vy_kbuf){(uint8_t *)(uintptr_t)(d + L->off[i]), bufs[i].len, bufs[i].elems};
  }
  memset(h + L->err_off, 0, sizeof(vy_kerr));
}

/* Enqueues the upload, the zeroing, the launches and the downloads of one
 * dispatch on lane l (staging h mirrors device block d per L). */
static vy_status enqueue(cuda_backend *be, const vy_cuda_code *c, lane *l, const vy_ibuf *bufs, uint32_t n,
                         const layout *L, uint8_t *h, vy_cu_ptr d, const vy_igrid *grid, uint32_t iters,
                         vy_error *err) {
  const vy_cuda_api *api = be->dev.api;
  vy_cu_result r = api->MemcpyHtoDAsync(d, h, L->upload, l->s);
  if (r == VY_CU_SUCCESS && L->total > L->upload) r = api->MemsetD8Async(d + L->upload, 0, L->total - L->upload, l->s);
  if (r == VY_CU_SUCCESS) r = api->EventRecord(l->ev[0], l->s);
  vy_cu_ptr tab = d + L->table_off, rec = d + L->err_off;
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
  for (uint32_t i = 0; i < n && r == VY_CU_SUCCESS; i++)
    if (bufs[i].is_output && bufs[i].len) r = api->MemcpyDtoHAsync(h + L->off[i], d + L->off[i], bufs[i].len, l->s);
  if (r == VY_CU_SUCCESS) r = api->MemcpyDtoHAsync(h + L->err_off, rec, sizeof(vy_kerr), l->s);
  return r == VY_CU_SUCCESS ? VY_OK : vy_cuda_error(api, r, VY_E_DISPATCH_FAILED, "queueing a dispatch", err);
}

/* Runs the kernel on the bound buffers and copies the returned buffers
 * back into bufs. */
static vy_status run_on_device(cuda_backend *be, cuda_kernel *k, const vy_cuda_code *c, vy_ibuf *bufs,
                               const deferrals *t, const vy_igrid *grid, const vy_dispatch_config *cfg, vy_error *err) {
  const vy_allocator *a = alloc_of(&be->base);
  uint32_t n = k->pp->program->nbuffers;
  layout L;
  vy_status st = layout_make(a, bufs, n, &L, err);
  if (st != VY_OK) return st;
  vy_cuda_block db = {0}, hb = {0};
  lane *l = NULL;
  st = vy_cuda_pool_get(be->dmem, L.total, &db, err);
  if (st == VY_OK) st = vy_cuda_pool_get(be->hmem, L.total, &hb, err);
  if (st == VY_OK) st = lane_take(be, &l, err);
  bool timed_out = false;
  if (st == VY_OK) {
    layout_stage(&L, bufs, n, t, hb.host, db.dptr);
    uint32_t iters = cfg->has_fixpoint_iterations ? cfg->fixpoint_iterations : 1;
    st = enqueue(be, c, l, bufs, n, &L, hb.host, db.dptr, grid, iters, err);
    vy_status wst = lane_wait(be, l, cfg->timeout_ns, db.dptr + L.err_off + offsetof(vy_kerr, stop), &timed_out,
                              st == VY_OK ? err : NULL);
    if (st == VY_OK) st = wst;
  }
  if (st == VY_OK) {
    const uint8_t *h = hb.host;
    for (uint32_t i = 0; i < n; i++)
      if (bufs[i].is_output && bufs[i].len) memcpy(bufs[i].data, h + L.off[i], bufs[i].len);
    vy_kerr e;
    memcpy(&e, h + L.err_off, sizeof e);
    float ms = 0;
    if (be->dev.api->EventElapsedTime(&ms, l->ev[0], l->ev[1]) == VY_CU_SUCCESS)
      atomic_store(&k->kernel_ns, (uint64_t)((double)ms * 1e6));
    if (atomic_load(&e.claimed))
      st = vy_lower_error(k->pp, k->sites, k->nsites, &e, err);
    else if (timed_out)
      st = vy_error_set(err, VY_E_TIMEOUT,
                        "the dispatch ran past its timeout of %llu ns and was stopped. Fix: raise timeout_ns or "
                        "dispatch less work",
                        (unsigned long long)cfg->timeout_ns);
  }
  if (l) lane_put(be, l);
  vy_cuda_pool_put(be->hmem, &hb);
  vy_cuda_pool_put(be->dmem, &db);
  vy_mem_free(a, L.off, (n ? n : 1) * sizeof *L.off);
  return st;
}

static vy_status run_kernel(cuda_kernel *k, const vy_input *inputs, size_t ninputs, const vy_dispatch_config *cfg,
                            vy_outputs *out, vy_error *err) {
  cuda_backend *be = (cuda_backend *)k->base.be;
  const vy_allocator *a = alloc_of(&be->base);
  const vy_program *p = k->pp->program;
  uint32_t n = p->nbuffers;
  vy_status st = vy_cuda_device_bind(&be->dev, err);
  if (st != VY_OK) return st;
  vy_ibuf *bufs = n ? vy_mem_calloc(a, n, sizeof *bufs) : NULL;
  deferrals t = {n ? vy_mem_calloc(a, n, sizeof *t.d) : NULL, 0, n};
  if (n && (!bufs || !t.d)) {
    vy_mem_free(a, bufs, n * sizeof *bufs);
    vy_mem_free(a, t.d, n * sizeof *t.d);
    return vy_error_nomem(err);
  }
  uint64_t used = 0;
  vy_igrid grid;
  vy_bind_hooks hooks = {.borrow = borrow_all, .copy = defer_copy, .ud = &t};
  st = vy_bind_buffers(p, a, inputs, ninputs, VY_INTERP_DEFAULT_MAX_MEMORY, &hooks, bufs, &used, &grid, err);
  if (st == VY_OK && cfg->has_grid_override) {
    memcpy(grid.count, cfg->grid_override, sizeof grid.count);
    uint64_t xy = (uint64_t)grid.count[0] * grid.count[1];
    if (__builtin_mul_overflow(xy, (uint64_t)grid.count[2], &grid.total_wg))
      st = vy_error_set(err, VY_E_INVALID_PROGRAM,
                        "grid_override [%u,%u,%u] has more than 2^64 workgroups. Fix: use a smaller grid",
                        grid.count[0], grid.count[1], grid.count[2]);
  }
  if (st == VY_OK) st = vy_jit_grid_checks(p, grid.count, err);
  const vy_cuda_code *c = k->entry ? vy_kcache_entry_kernel(k->entry) : k->code;
  if (st == VY_OK && !c) st = vy_error_set(err, VY_E_INTERNAL, "cuda kernel has no code. Fix: report this cuda bug");
  if (st == VY_OK) st = run_on_device(be, k, c, bufs, &t, &grid, cfg, err);
  if (st == VY_OK) {
    vy_interp_outputs io;
    memset(&io, 0, sizeof io);
    st = vy_imem_collect_outputs(a, bufs, n, &io, err);
    out->count = io.count;
    out->items = io.items;
    out->alloc = io.alloc;
    if (st != VY_OK) vy_outputs_free(out);
  }
  vy_imem_free_bufs(a, bufs, n);
  vy_mem_free(a, bufs, n * sizeof *bufs);
  vy_mem_free(a, t.d, n * sizeof *t.d);
  if (st == VY_OK) st = vy_outputs_check_cap(cfg, out, err);
  return st;
}

static vy_status cuda_kernel_dispatch(vy_kernel *kb, const vy_input *inputs, size_t ninputs,
                                      const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err) {
  cuda_kernel *k = (cuda_kernel *)kb;
  if (ninputs && !inputs)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "dispatch: %zu inputs but a NULL array. Fix: pass them", ninputs);
  vy_status st = vy_jit_kernel_config_check(&k->base, cfg, err);
  if (st == VY_OK && cfg != &k->base.cfg && cfg->ulp_budget != k->base.cfg.ulp_budget)
    st = vy_error_set(err, VY_E_INVALID_ARGUMENT,
                      "ulp_budget differs from the one the cuda kernel was compiled with. Fix: compile the program "
                      "again with the new ulp_budget");
  if (st != VY_OK) return st;
  return run_kernel(k, inputs, ninputs, cfg, out, err);
}

static void cuda_kernel_destroy(vy_kernel *k) { kernel_free((cuda_kernel *)k); }

static const vy_kernel_ops cuda_kernel_ops = {cuda_kernel_dispatch, cuda_kernel_destroy};

uint64_t vy_cuda_kernel_time_ns(const vy_kernel *k) {
  if (!k || k->ops != &cuda_kernel_ops) return 0;
  return atomic_load(&((const cuda_kernel *)k)->kernel_ns);
}

/* ---- Executable ---- */

static bool is_cuda(const vy_backend *be) { return be && be->ops == &cuda_backend_ops; }

vy_status vy_cuda_compile_ex(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg, bool validate,
                             vy_kernel **out, vy_error *err) {
  if (out) *out = NULL;
  if (!is_cuda(be) || !p || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "compile needs a cuda backend, a program and an output. Fix: pass them");
  vy_dispatch_config def;
  if (!cfg) vy_dispatch_config_default(&def), cfg = &def;
  cuda_kernel *k;
  vy_status st = compile_program((cuda_backend *)be, p, cfg, validate, &k, err);
  if (st == VY_OK) *out = &k->base;
  return st;
}

static vy_status cuda_compile(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg, vy_kernel **out,
                              vy_error *err) {
  return vy_cuda_compile_ex(be, p, cfg, true, out, err);
}

static vy_status cuda_dispatch(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                               const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "dispatch: out is NULL. Fix: pass a vy_outputs");
  memset(out, 0, sizeof *out);
  if (ninputs && !inputs)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "dispatch: %zu inputs but a NULL array. Fix: pass them", ninputs);
  vy_kernel *k = NULL;
  vy_status st = cuda_compile(be, p, cfg, &k, err);
  if (st == VY_OK) st = run_kernel((cuda_kernel *)k, inputs, ninputs, &k->cfg, out, err);
  vy_kernel_destroy(k);
  return st;
}

static const vy_executable cuda_executable = {cuda_dispatch, cuda_compile};
static const vy_streamable cuda_streamable = {vy_stream_via_kernel};

/* ---- backend ---- */

static void cuda_close(vy_backend *be) {
  cuda_backend *b = (cuda_backend *)be;
  const vy_allocator *a = alloc_of(be);
  vy_cuda_device_bind(&b->dev, NULL);
  /* every kernel is destroyed by now (backend.h), so no module of this
   * backend (the cache's domain) is referenced any more */
  if (vy_kcache_global()) vy_kcache_purge(vy_kcache_global(), b, false);
  while (b->lanes) {
    lane *l = b->lanes;
    b->lanes = l->next;
    lane_destroy(b->dev.api, l);
    vy_mem_free(a, l, sizeof *l);
  }
  vy_cuda_pool_destroy(b->dmem);
  vy_cuda_pool_destroy(b->hmem);
  vy_cuda_device_close(&b->dev);
  pthread_mutex_destroy(&b->lock);
  vy_mem_free(a, b, sizeof *b);
}

static const vy_backend_ops cuda_backend_ops = {"cuda", cuda_ops, sizeof cuda_ops / sizeof *cuda_ops, cuda_caps,
                                                cuda_close};

static vy_status cuda_open(vy_context *ctx, vy_backend **out, vy_error *err) {
  const vy_allocator *a = vy_context_allocator(ctx);
  cuda_backend *b = vy_mem_calloc(a, 1, sizeof *b);
  if (!b) return vy_error_nomem(err);
  if (pthread_mutex_init(&b->lock, NULL) != 0) {
    vy_mem_free(a, b, sizeof *b);
    return vy_error_set(err, VY_E_INTERNAL, "cannot create a mutex. Fix: free system resources");
  }
  b->base = (vy_backend){
      .ops = &cuda_backend_ops, .executable = &cuda_executable, .streamable = &cuda_streamable, .ctx = ctx};
  vy_status st = vy_cuda_device_open(-1, &b->dev, err);
  if (st == VY_OK) {
    vy_cuda_pick_sm(b->dev.cc_major, b->dev.cc_minor, b->sm, sizeof b->sm);
    b->ptx_isa = vy_cuda_pick_ptx_isa(b->dev.driver_version);
    vy_cuda_libdevice_path(b->libdevice, sizeof b->libdevice);
    st = vy_cuda_cache_base(&b->dev, b->sm, b->ptx_isa, &b->key_base, err);
  }
  /* idle blocks kept for the next dispatch: a quarter of the device's
   * memory, an eighth of the host's (at most 16 GiB) of pinned staging */
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  uint64_t host = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page / 8 : (uint64_t)1 << 30;
  if (host > (uint64_t)16 << 30) host = (uint64_t)16 << 30;
  if (st == VY_OK) st = vy_cuda_pool_create(&b->dev, false, b->dev.total_mem / 4, a, &b->dmem, err);
  if (st == VY_OK) st = vy_cuda_pool_create(&b->dev, true, host, a, &b->hmem, err);
  if (st != VY_OK) {
    vy_cuda_pool_destroy(b->dmem);
    vy_cuda_pool_destroy(b->hmem);
    if (b->dev.ctx) vy_cuda_device_close(&b->dev);
    pthread_mutex_destroy(&b->lock);
    vy_mem_free(a, b, sizeof *b);
    return st;
  }
  *out = &b->base;
  return VY_OK;
}

static vy_status cuda_probe(vy_context *ctx, vy_error *err) {
  (void)ctx;
  vy_status st = vy_jit_init(err);
  if (st != VY_OK) return st;
  if (!vy_jit_has_nvptx())
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "backend `cuda` needs LLVM's NVPTX target, which this LLVM lacks. Fix: build vyre-jit "
                        "against an LLVM 19 with NVPTX (Debian's llvm-19-dev has it), or use llvm-cpu");
  const vy_cuda_api *api;
  st = vy_cuda_api_get(&api, err);
  if (st != VY_OK) return st;
  int count = 0;
  vy_cu_result r = api->DeviceGetCount(&count);
  if (r != VY_CU_SUCCESS) return vy_cuda_error(api, r, VY_E_UNSUPPORTED, "cuDeviceGetCount", err);
  if (count <= 0)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "no CUDA device: the NVIDIA driver is installed but sees no GPU. Fix: check nvidia-smi and "
                        "CUDA_VISIBLE_DEVICES, or use the llvm-cpu backend");
  return VY_OK;
}

/* Rank 200: never the default over llvm-cpu (rank 100); asked for by name. */
const vy_backend_factory vy_cuda_backend_factory = {"cuda", 200, cuda_probe, cuda_open};
