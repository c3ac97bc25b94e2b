/* backend_cuda.c - the "cuda" backend: vyre programs lowered to PTX by
 * LLVM's NVPTX target (jit/lower_ptx.c, contract in ptx_int.h), linked to
 * a cubin by the driver's linker and run on an NVIDIA GPU through the
 * driver API (runtime/cuda_*.c), with the reference semantics of the
 * llvm-cpu backend (include/vyre/jit.h): bit-identical outputs for
 * race-free programs, the interpreter's errors for runtime errors.
 *
 * Dispatch (the engine is backend_cuda_run.c; asynchronous dispatch,
 * Streamable and resident buffers are backend_cuda_{async,stream,resident}.c):
 * inputs are bound with the interpreter's binding code
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
#include "backend_cuda_priv_int.h"
#include "backend_int.h"
#include "backend_jit_int.h"
#include "bind_int.h"
#include "cpu_artifact_int.h"
#include "cuda_cache_int.h"
#include "error_int.h"
#include "vyre/jit.h"

#define LLVM_MAX_PTX_ISA 85u /* LLVM 19 knows up to ptx85 */

/* The node ops the cuda backend executes: those of llvm-cpu except the
 * async copies, which the NVPTX lowering does not lower (vyre's own CUDA
 * backend uses cp.async); other constructs it refuses are refused by
 * vy_ptx_compile with a reason. */
static const char *const cuda_ops[] = {
    "vyre.node.let",        "vyre.node.assign",     "vyre.node.store",          "vyre.node.if",        "vyre.node.loop",
    "vyre.node.return",     "vyre.node.block",      "vyre.node.barrier",        "vyre.node.region",    "vyre.node.trap",
    "vyre.node.all_reduce", "vyre.node.all_gather", "vyre.node.reduce_scatter", "vyre.node.broadcast",
};

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

static vy_status cuda_kernel_dispatch(vy_kernel *kb, const vy_input *inputs, size_t ninputs,
                                      const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err) {
  return vy_cuda_run_kernel((cuda_kernel *)kb, inputs, ninputs, cfg, out, err);
}

static void cuda_kernel_destroy(vy_kernel *k) { kernel_free((cuda_kernel *)k); }

static const vy_kernel_ops cuda_kernel_ops = {cuda_kernel_dispatch, cuda_kernel_destroy};

uint64_t vy_cuda_kernel_time_ns(const vy_kernel *k) {
  if (!k || k->ops != &cuda_kernel_ops) return 0;
  return atomic_load(&((const cuda_kernel *)k)->kernel_ns);
}

/* ---- Executable ---- */

static bool is_cuda(const vy_backend *be) { return be && be->ops == &cuda_backend_ops; }

bool vy_cuda_is_backend(const vy_backend *be) { return is_cuda(be); }

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

static const vy_executable cuda_executable = {vy_dispatch_via_kernel, cuda_compile};

/* ---- backend ---- */

static void cuda_close(vy_backend *be) {
  cuda_backend *b = (cuda_backend *)be;
  const vy_allocator *a = alloc_of(be);
  vy_cuda_device_bind(&b->dev, NULL);
  /* every kernel is destroyed by now (backend.h), so no module of this
   * backend (the cache's domain) is referenced any more */
  if (vy_kcache_global()) vy_kcache_purge(vy_kcache_global(), b, false);
  vy_cuda_lanes_free(b);
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
  b->base = (vy_backend){.ops = &cuda_backend_ops,
                         .executable = &cuda_executable,
                         .streamable = &vy_cuda_streamable,
                         .ctx = ctx,
                         .async = &vy_cuda_asyncable,
                         .resident = &vy_cuda_residentable};
  vy_status st = vy_cuda_device_open(-1, &b->dev, err);
  if (st == VY_OK) {
    vy_cuda_pick_sm(b->dev.cc_major, b->dev.cc_minor, b->sm, sizeof b->sm);
    b->ptx_isa = vy_cuda_pick_ptx_isa(b->dev.driver_version);
    vy_ptx_libdevice_path(b->libdevice, sizeof b->libdevice);
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
