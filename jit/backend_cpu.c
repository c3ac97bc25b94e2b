/* backend_cpu.c - the "llvm-cpu" backend: vyre programs compiled with LLVM
 * for the host CPU and run on the context's worker threads (include/vyre/
 * jit.h states the contract). Its compile pipeline is compile_program();
 * dispatch binds buffers with the interpreter's binding code, runs the
 * kernel over the grid (runtime/cpu_dispatch.c) and turns a raised error
 * into the interpreter's error (lower_error.c). Streams run one chunk per
 * pool thread at once (lib/stream_pipe.c), asynchronous dispatch is the
 * threaded one (lib/async.c), and resident buffers are host memory the
 * kernel reads and writes in place. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "async_int.h"
#include "backend_cpu_int.h"
#include "backend_cuda_int.h"
#include "backend_int.h"
#include "backend_jit_int.h"
#include "bind_int.h"
#include "cache_int.h"
#include "cpu_artifact_int.h"
#include "error_int.h"
#include "lower_int.h"
#include "program_int.h"
#include "resident_int.h"
#include "stream_int.h"
#include "tm_pool_int.h"
#include "vyre/jit.h"
#include "vyre/version.h"

/* The node ops llvm-cpu executes (collectives are lowered for the single
 * rank by the preparation, as in the interpreter). */
static const char *const cpu_ops[] = {
    "vyre.node.let",
    "vyre.node.assign",
    "vyre.node.store",
    "vyre.node.if",
    "vyre.node.loop",
    "vyre.node.return",
    "vyre.node.block",
    "vyre.node.barrier",
    "vyre.node.region",
    "vyre.node.trap",
    "vyre.node.all_reduce",
    "vyre.node.all_gather",
    "vyre.node.reduce_scatter",
    "vyre.node.broadcast",
    "vyre.node.async_load",
    "vyre.node.async_wait",
    "vyre.node.async_store",
};

typedef struct cpu_backend {
  vy_backend base;
  vy_jit_host host;
  vy_orc *orc;
  vy_jit_tm_pool *tms; /* target machines reused by compile jobs */
  vy_pool *pool;
  vy_jit_opt opt;
  char vector_width[8]; /* "" = LLVM's choice */
  atomic_uint next_id;  /* entry names of uncached kernels */
  vy_ckey_base key_base; /* target part of this backend's cache keys */
} cpu_backend;

typedef struct cpu_kernel {
  vy_kernel base;
  vy_program *derived; /* workgroup_override copy, owned */
  vy_interp_prepared *pp;
  vy_cpu_lowered low;      /* sites resolved against pp, scratch size */
  vy_kcache_entry *entry;  /* the kernel cache's reference to the code, or */
  vy_cpu_code *code;       /* the code owned by this kernel (uncached) */
  vy_kernel_fn fn;
  void **host_fns; /* registry order */
  size_t nhost;
  bool *written; /* per buffer: some statement may write it (else inputs are borrowed) */
} cpu_kernel;

static const vy_backend_ops cpu_backend_ops;

static const vy_allocator *alloc_of(const vy_backend *be) { return vy_context_allocator(be->ctx); }

static void cpu_caps(const vy_backend *be, vy_backend_caps *c) {
  const cpu_backend *b = (const cpu_backend *)be;
  c->max_workgroup_size[0] = c->max_workgroup_size[1] = c->max_workgroup_size[2] = 1u << 16;
  c->max_invocations_per_workgroup = 1u << 16;
  c->max_workgroups_per_dimension = UINT32_MAX;
  c->subgroup_size = 32;
  c->subgroup_ops = true; /* vyre's 32-wide subgroup semantics (lower_cpu.c) */
  c->threads = vy_pool_threads(b->pool);
  c->dispatches = true;
}

/* ---- kernels ---- */

static void kernel_free(cpu_kernel *k) {
  if (!k) return;
  const vy_allocator *a = alloc_of(k->base.be);
  if (k->entry) vy_kcache_release(vy_kcache_global(), k->entry);
  vy_cpu_code_destroy(k->code, NULL);
  vy_cpu_lowered_free(a, &k->low);
  if (k->written) vy_mem_free(a, k->written, k->pp->nbufs * sizeof *k->written);
  vy_interp_prepared_destroy(k->pp);
  vy_program_destroy(k->derived);
  vy_mem_free(a, k->host_fns, k->nhost * sizeof *k->host_fns);
  vy_mem_free(a, k, sizeof *k);
}

/* Host functions of the context's registry, for the kernel's Calls. */
static vy_status host_table(cpu_kernel *k, vy_error *err) {
  const vy_host_registry *r = k->pp->host;
  k->nhost = vy_host_registry_count(r);
  if (!k->nhost) return VY_OK;
  k->host_fns = vy_mem_calloc(alloc_of(k->base.be), k->nhost, sizeof *k->host_fns);
  if (!k->host_fns) return vy_error_nomem(err);
  for (size_t i = 0; i < k->nhost; i++) k->host_fns[i] = (void *)vy_host_fn_at(r, (uint32_t)i);
  return VY_OK;
}

/* Marks the buffers an expression may write (atomics). */
static void written_expr(cpu_kernel *k, const vy_cx *x) {
  if (!x) return;
  if (x->kind == VY_EXPR_ATOMIC && x->ref != VY_IX_NONE) k->written[x->ref] = true;
  written_expr(k, x->a);
  written_expr(k, x->b);
  written_expr(k, x->c);
  written_expr(k, x->d);
  for (uint32_t i = 0; i < x->argc; i++) written_expr(k, x->args[i]);
}

/* Marks the buffers statements may write: stores, atomics, async destinations. */
static void written_list(cpu_kernel *k, const vy_cl *l) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_cn *n = &l->items[i];
    if (n->kind == VY_NODE_STORE && n->buf != VY_IX_NONE) k->written[n->buf] = true;
    if ((n->kind == VY_NODE_ASYNC_LOAD || n->kind == VY_NODE_ASYNC_STORE) && n->buf2 != VY_IX_NONE)
      k->written[n->buf2] = true;
    written_expr(k, n->e0);
    written_expr(k, n->e1);
    written_expr(k, n->e2);
    written_list(k, &n->body);
    written_list(k, &n->body2);
  }
}

static vy_status find_written(cpu_kernel *k, vy_error *err) {
  if (!k->pp->nbufs) return VY_OK;
  k->written = vy_mem_calloc(alloc_of(k->base.be), k->pp->nbufs, sizeof *k->written);
  if (!k->written) return vy_error_nomem(err);
  written_list(k, &k->pp->entry);
  return VY_OK;
}

/* The lowering's options (every field is in the cache key, kernel_key). */
static vy_cpu_options lower_options(const cpu_backend *be) {
  vy_cpu_options o = {be->vector_width[0] ? be->vector_width : NULL, false};
  return o;
}

/* Lowering, target, optimization: `m` holds the optimized module in `ctx`. */
static vy_status lower_and_optimize(cpu_backend *be, cpu_kernel *k, vy_orc_ctx *ctx, const char *name, LLVMModuleRef *m,
                                    LLVMTargetMachineRef *tm, vy_cpu_lowered *low, vy_error *err) {
  vy_cpu_options o = lower_options(be);
  *m = LLVMModuleCreateWithNameInContext(name, vy_orc_ctx_llvm(ctx));
  vy_status st = vy_lower_cpu(k->pp, vy_orc_ctx_llvm(ctx), *m, name, &o, alloc_of(&be->base), low, err);
  if (st == VY_OK) st = vy_jit_tm_pool_take(be->tms, be->opt, tm, err);
  if (st == VY_OK) st = vy_jit_module_set_target(*m, *tm, err);
  if (st == VY_OK) st = vy_jit_optimize(*m, *tm, be->opt, err);
  return st;
}

/* The compile pipeline: config and op checks, the interpreter's
 * preparation (wrap, collectives, validation, name resolution), lowering,
 * optimization, object code, linking. */
static vy_status compile_program(cpu_backend *be, const vy_program *p, const vy_dispatch_config *cfg, bool validate,
                                 cpu_kernel **out, vy_error *err);

static const vy_kernel_ops cpu_kernel_ops;

static vy_status prepare_kernel(cpu_backend *be, const vy_program *p, const vy_dispatch_config *cfg, bool validate,
                                cpu_kernel **out, vy_error *err) {
  *out = NULL;
  const vy_allocator *a = alloc_of(&be->base);
  uint32_t wg[3], one[3] = {1, 1, 1};
  vy_program_workgroup_size(p, wg);
  /* A zero workgroup dimension (only without validation, X002) is the
   * reference's runtime error at binding; the other rules still apply. */
  bool zero = !wg[0] || !wg[1] || !wg[2];
  vy_status st = vy_dispatch_config_check(&be->base, cfg, zero ? one : wg, err);
  if (st == VY_OK) st = vy_backend_check_ops(&be->base, p, err);
  if (st != VY_OK) return st;
  cpu_kernel *k = vy_mem_calloc(a, 1, sizeof *k);
  if (!k) return vy_error_nomem(err);
  k->base = (vy_kernel){&cpu_kernel_ops, &be->base, p, *cfg};
  st = vy_jit_apply_override(p, cfg, a, &k->derived, err);
  if (st == VY_OK)
    st = vy_interp_prepare_ex(k->derived ? k->derived : p, vy_context_host_ops(be->base.ctx), a, validate, &k->pp, err);
  if (st == VY_OK) st = host_table(k, err);
  if (st == VY_OK) st = find_written(k, err);
  if (st != VY_OK) {
    kernel_free(k);
    return st;
  }
  *out = k;
  return VY_OK;
}

/* One compile job, the user data of the cache's builder. */
typedef struct job {
  cpu_backend *be;
  cpu_kernel *k;
  char name[40]; /* entry symbol */
} job;

/* Builder.compile: lowering, optimization, object code, packed with what
 * dispatch needs (cpu_artifact_int.h). */
static vy_status job_compile(void *ud, const vy_allocator *alloc, vy_bytes *artifact, vy_error *err) {
  job *j = ud;
  vy_orc_ctx *ctx = vy_orc_ctx_create();
  LLVMModuleRef m = NULL;
  LLVMTargetMachineRef tm = NULL;
  vy_cpu_lowered low;
  memset(&low, 0, sizeof low);
  vy_bytes obj = {0};
  vy_status st = lower_and_optimize(j->be, j->k, ctx, j->name, &m, &tm, &low, err);
  if (st == VY_OK) st = vy_jit_emit(m, tm, VY_JIT_EMIT_OBJECT, alloc, &obj, err);
  if (st == VY_OK) st = vy_cpu_artifact_pack(j->k->pp, &low, &obj, alloc, artifact, err);
  vy_bytes_free(&obj);
  if (m) LLVMDisposeModule(m);
  vy_cpu_lowered_free(alloc_of(&j->be->base), &low);
  vy_jit_tm_pool_give(j->be->tms, j->be->opt, tm);
  vy_orc_ctx_release(ctx);
  return st;
}

/* Builder.load: the artifact linked into the backend's JIT. */
static vy_status job_load(void *ud, const uint8_t *artifact, size_t len, vy_kcache_kernel *out, vy_error *err) {
  job *j = ud;
  vy_cpu_code *c;
  vy_status st = vy_cpu_code_load(j->be->orc, j->k->pp, artifact, len, j->name, alloc_of(&j->be->base), &c, err);
  if (st != VY_OK) return st;
  *out = (vy_kcache_kernel){c, vy_cpu_code_destroy, NULL, len};
  return VY_OK;
}

/* The cache key of kernel k: the program's fingerprint, the optimization
 * level and every option that changes its code. *cached = false (compile
 * without the cache) when the program has no fingerprint. */
static vy_status kernel_key(cpu_backend *be, const vy_program *p, cpu_kernel *k, bool validate, vy_ckey *key,
                            bool *cached, vy_error *err) {
  uint8_t fp[32], host[32];
  *cached = vy_program_fingerprint(p, fp);
  if (!*cached) return VY_OK;
  vy_status st = vy_cpu_host_digest(k->pp, alloc_of(&be->base), host, err);
  if (st != VY_OK) return st;
  const vy_dispatch_config *cfg = &k->base.cfg;
  uint32_t wg[4] = {cfg->has_workgroup_override, 0, 0, 0};
  if (cfg->has_workgroup_override) memcpy(wg + 1, cfg->workgroup_override, sizeof cfg->workgroup_override);
  uint8_t wgb[16];
  for (int i = 0; i < 16; i++) wgb[i] = (uint8_t)(wg[i / 4] >> (8 * (i % 4)));
  vy_cpu_options o = lower_options(be);
  vy_ckey_builder kb;
  vy_ckey_begin(&kb, &be->key_base, fp, (uint32_t)be->opt);
  vy_ckey_opt_str(&kb, "vector_width", o.prefer_vector_width);
  vy_ckey_opt_u64(&kb, "libmvec", vy_jit_has_libmvec());
  vy_ckey_opt_bytes(&kb, "workgroup_override", wgb, sizeof wgb);
  vy_ckey_opt_bytes(&kb, "host_registry", host, sizeof host);
  vy_ckey_opt_u64(&kb, "validate", validate);
  vy_ckey_opt_u64(&kb, "no_interchange", o.no_interchange);
  return vy_ckey_finish(&kb, key, err);
}

static vy_status compile_program(cpu_backend *be, const vy_program *p, const vy_dispatch_config *cfg, bool validate,
                                 cpu_kernel **out, vy_error *err) {
  cpu_kernel *k;
  vy_status st = prepare_kernel(be, p, cfg, validate, &k, err);
  if (st != VY_OK) return st;
  const uint32_t *wg = k->pp->program->workgroup_size;
  if (!wg[0] || !wg[1] || !wg[2]) { /* no code: binding reports the zero dimension */
    *out = k;
    return VY_OK;
  }
  const vy_allocator *a = alloc_of(&be->base);
  job j = {be, k, ""};
  vy_ckey key;
  bool cached = false;
  vy_kcache *cache = vy_jit_dump_stages() ? NULL : vy_kcache_global(); /* a dump needs the lowering to run */
  if (cache) st = kernel_key(be, p, k, validate, &key, &cached, err);
  if (st == VY_OK && cached) {
    char hex[65];
    vy_ckey_hex(&key, hex);
    snprintf(j.name, sizeof j.name, "vyk_%.32s", hex); /* loaded once per JIT: the cache's domain is the JIT */
    vy_kcache_builder b = {"o", be->key_base.label, job_compile, job_load, &j};
    st = vy_kcache_get(cache, &key, be->orc, &b, &k->entry, err);
    if (st == VY_OK) k->code = NULL;
  } else if (st == VY_OK) {
    snprintf(j.name, sizeof j.name, "vyre_cpu_%u", atomic_fetch_add(&be->next_id, 1u));
    vy_bytes art = {0};
    vy_kcache_kernel kk;
    st = job_compile(&j, a, &art, err);
    if (st == VY_OK) st = job_load(&j, art.data, art.len, &kk, err);
    if (st == VY_OK) k->code = kk.kernel;
    vy_bytes_free(&art);
  }
  const vy_cpu_code *c = k->entry ? vy_kcache_entry_kernel(k->entry) : k->code;
  if (st == VY_OK) st = vy_cpu_code_sites(c, k->pp, a, &k->low.sites, err);
  if (st == VY_OK) {
    k->low.nsites = c->sites.nsites;
    k->low.scratch_bytes = c->scratch_bytes;
    k->fn = c->fn;
  }
  if (st != VY_OK) {
    kernel_free(k);
    return st;
  }
  *out = k;
  return VY_OK;
}

/* ---- dispatch ---- */

/* ---- binding: inputs the program never writes are used in place; the
 * others are copied in parallel (bind_int.h) ---- */

/* What a binding needs: the kernel, the pool that runs it (the backend's,
 * or a stream worker's own), and the resident buffers by declaration index
 * (NULL: an ordinary dispatch). */
typedef struct bind_ctx {
  cpu_kernel *k;
  vy_pool *pool;
  vy_resident *const *by_decl;
  const vy_allocator *alloc; /* the dispatch's memory: the backend's, or a stream worker's reuse cache */
} bind_ctx;

static void bind_copy(void *ud, void *dst, const void *src, size_t n) {
  vy_pool_memcpy(((const bind_ctx *)ud)->pool, dst, src, n, (size_t)4 << 20); /* in parallel from 4 MiB on */
}

static bool bind_borrow(void *ud, uint32_t i) { return !((const bind_ctx *)ud)->k->written[i]; }

/* Resident buffers are host memory used in place (resident_int.h). */
static bool bind_place(void *ud, uint32_t i, uint8_t **data, size_t *len) {
  const bind_ctx *c = ud;
  if (!c->by_decl || !c->by_decl[i]) return false;
  *data = vy_resident_host_data(c->by_decl[i]);
  *len = vy_resident_len(c->by_decl[i]);
  return true;
}

/* Binds, runs the grid (fixpoint_iterations times on the same buffers) on
 * bc->pool and collects the outputs into *out, or, with resident buffers
 * (bc->by_decl), leaves the results in them (out is NULL then). */
static vy_status run_kernel(const bind_ctx *bc, const vy_input *inputs, size_t ninputs, const vy_dispatch_config *cfg,
                            vy_outputs *out, vy_error *err) {
  cpu_kernel *k = bc->k;
  const vy_allocator *a = bc->alloc;
  const vy_program *p = k->pp->program;
  uint32_t n = p->nbuffers;
  vy_ibuf *bufs = n ? vy_mem_calloc(a, n, sizeof *bufs) : NULL;
  vy_kbuf *kb = n ? vy_mem_calloc(a, n, sizeof *kb) : NULL;
  if (n && (!bufs || !kb)) {
    vy_mem_free(a, bufs, n * sizeof *bufs);
    vy_mem_free(a, kb, n * sizeof *kb);
    return vy_error_nomem(err);
  }
  uint64_t used = 0;
  vy_igrid grid;
  vy_bind_hooks hooks = {bind_borrow, bind_copy, (void *)bc, bind_place};
  vy_status st = vy_bind_buffers(p, a, inputs, ninputs, VY_INTERP_DEFAULT_MAX_MEMORY, &hooks, bufs, &used, &grid, err);
  if (st == VY_OK && cfg->has_grid_override) {
    memcpy(grid.count, cfg->grid_override, sizeof grid.count);
    grid.total_wg = (uint64_t)grid.count[0] * grid.count[1] * grid.count[2];
  }
  if (st == VY_OK) st = vy_jit_grid_checks(p, grid.count, err);
  if (st == VY_OK && !k->fn)
    st = vy_error_set(err, VY_E_INTERNAL, "llvm-cpu kernel has no code. Fix: report this llvm-cpu bug");
  if (st == VY_OK) {
    for (uint32_t i = 0; i < n; i++) kb[i] = (vy_kbuf){bufs[i].data, bufs[i].len, bufs[i].elems};
    vy_kerr e;
    memset(&e, 0, sizeof e);
    vy_kargs args = {kb, &e, {grid.count[0], grid.count[1], grid.count[2]}, (void *const *)k->host_fns, a};
    uint32_t iters = cfg->has_fixpoint_iterations ? cfg->fixpoint_iterations : 1;
    for (uint32_t it = 0; it < iters && st == VY_OK; it++) {
      st = vy_cpu_run(bc->pool, k->fn, &args, grid.total_wg, (size_t)k->low.scratch_bytes, cfg->timeout_ns, a, err);
      if (st == VY_OK && atomic_load(&e.claimed)) st = vy_lower_error(k->pp, k->low.sites, k->low.nsites, &e, err);
    }
  }
  if (st == VY_OK && out) {
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
  vy_mem_free(a, kb, n * sizeof *kb);
  if (st == VY_OK && out) st = vy_outputs_check_cap(cfg, out, err);
  return st;
}

static vy_status cpu_kernel_dispatch(vy_kernel *kb, const vy_input *inputs, size_t ninputs,
                                     const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err) {
  cpu_kernel *k = (cpu_kernel *)kb;
  if (ninputs && !inputs)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "dispatch: %zu inputs but a NULL array. Fix: pass them", ninputs);
  vy_status st = vy_jit_kernel_config_check(&k->base, cfg, err);
  if (st != VY_OK) return st;
  bind_ctx bc = {k, ((cpu_backend *)k->base.be)->pool, NULL, alloc_of(k->base.be)};
  return run_kernel(&bc, inputs, ninputs, cfg, out, err);
}

static void cpu_kernel_destroy(vy_kernel *k) { kernel_free((cpu_kernel *)k); }

static const vy_kernel_ops cpu_kernel_ops = {cpu_kernel_dispatch, cpu_kernel_destroy};

/* ---- Executable ---- */

static bool is_cpu(const vy_backend *be) { return be && be->ops == &cpu_backend_ops; }

vy_status vy_cpu_compile_ex(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg, bool validate,
                            vy_kernel **out, vy_error *err) {
  if (out) *out = NULL;
  if (!is_cpu(be) || !p || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "compile needs an llvm-cpu backend, a program and an output. Fix: pass them");
  vy_dispatch_config def;
  if (!cfg) vy_dispatch_config_default(&def), cfg = &def;
  cpu_kernel *k;
  vy_status st = compile_program((cpu_backend *)be, p, cfg, validate, &k, err);
  if (st == VY_OK) *out = &k->base;
  return st;
}

static vy_status cpu_compile(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg, vy_kernel **out,
                             vy_error *err) {
  return vy_cpu_compile_ex(be, p, cfg, true, out, err);
}

void vy_cpu_kernel_stats(const vy_kernel *k, uint64_t *scratch_bytes, uint32_t *nsites) {
  const cpu_kernel *c = (const cpu_kernel *)k;
  if (scratch_bytes) *scratch_bytes = c ? c->low.scratch_bytes : 0;
  if (nsites) *nsites = c ? c->low.nsites : 0;
}

static const vy_executable cpu_executable = {vy_dispatch_via_kernel, cpu_compile};

/* ---- Streamable: chunks pipelined over the cores ----
 *
 * One worker thread per pool participant runs whole chunks, each chunk on
 * that worker alone through a one-participant pool of its own (the float
 * environment, scratch and timeout of vy_cpu_run, without the shared
 * pool's one-job-at-a-time queue), so a stream of small chunks keeps every
 * core busy; chunks of WIDE_CHUNK_BYTES or more use the shared pool. The
 * caller reads chunks and delivers results in order (lib/stream_pipe.c). */

/* A chunk this long or longer has work enough for every thread: it runs on
 * the backend's pool (all threads, one such chunk at a time) instead of one
 * worker's, so that a stream of few large chunks still uses every core. */
#define WIDE_CHUNK_BYTES ((size_t)32 << 20)

typedef struct cpu_stream {
  cpu_kernel *k;
  vy_pool **pools;        /* one per worker */
  vy_reuse_alloc *reuse;  /* one per worker: its chunk-sized buffers are kept for the next chunk */
} cpu_stream;

static vy_status stream_chunk(void *ud, unsigned worker, const vy_input *inputs, size_t ninputs, vy_outputs *out,
                              vy_error *err) {
  const cpu_stream *s = ud;
  bool wide = ninputs && inputs[0].len >= WIDE_CHUNK_BYTES;
  bind_ctx bc = {s->k, wide ? ((cpu_backend *)s->k->base.be)->pool : s->pools[worker], NULL,
                 &s->reuse[worker].alloc};
  return run_kernel(&bc, inputs, ninputs, &s->k->base.cfg, out, err);
}

static vy_status cpu_stream_run(vy_backend *be, const vy_program *p, const vy_input *fixed, size_t nfixed,
                                const vy_chunk_source *src, const vy_output_sink *sink,
                                const vy_dispatch_config *cfg, vy_error *err) {
  vy_status st = vy_stream_check_args(fixed, nfixed, src, sink, err);
  if (st != VY_OK) return st;
  const vy_allocator *a = alloc_of(be);
  unsigned workers = vy_pool_threads(((cpu_backend *)be)->pool);
  vy_kernel *k = NULL;
  st = vy_compile(be, p, cfg, &k, err);
  cpu_stream s = {(cpu_kernel *)k, NULL, NULL};
  if (st == VY_OK) {
    s.pools = vy_mem_calloc(a, workers, sizeof *s.pools);
    s.reuse = s.pools ? vy_mem_calloc(a, workers, sizeof *s.reuse) : NULL;
    if (!s.reuse) st = vy_error_nomem(err);
  }
  for (unsigned w = 0; st == VY_OK && w < workers; w++) {
    vy_reuse_alloc_init(&s.reuse[w], a);
    st = vy_pool_create(a, 1, &s.pools[w], err);
  }
  if (st == VY_OK) {
    vy_stream_exec ex = {workers, k->cfg.max_chunks_in_flight, stream_chunk, &s};
    st = vy_stream_pipeline(a, fixed, nfixed, src, sink, &ex, err);
  }
  for (unsigned w = 0; s.reuse && w < workers; w++) {
    vy_pool_destroy(s.pools[w]);
    if (s.reuse[w].alloc.fn) vy_reuse_alloc_destroy(&s.reuse[w]);
  }
  vy_mem_free(a, s.reuse, s.reuse ? workers * sizeof *s.reuse : 0);
  vy_mem_free(a, s.pools, workers * sizeof *s.pools);
  vy_kernel_destroy(k);
  return st;
}

static const vy_streamable cpu_streamable = {cpu_stream_run};

/* ---- resident buffers: host memory bound in place ---- */

static vy_status cpu_resident_dispatch(vy_kernel *kb, vy_resident *const *bufs, size_t nbufs,
                                       const vy_dispatch_config *cfg, vy_error *err) {
  cpu_kernel *k = (cpu_kernel *)kb;
  vy_status st = vy_jit_kernel_config_check(&k->base, cfg, err);
  if (st != VY_OK) return st;
  const vy_allocator *a = alloc_of(kb->be);
  const vy_program *p = k->pp->program;
  uint32_t n = p->nbuffers;
  vy_resident **by_decl = n ? vy_mem_calloc(a, n, sizeof *by_decl) : NULL;
  if (n && !by_decl) return vy_error_nomem(err);
  size_t j = 0;
  for (uint32_t i = 0; i < n && j < nbufs; i++)
    if (p->buffers[i].access != VY_ACCESS_WORKGROUP) by_decl[i] = bufs[j++];
  bind_ctx bc = {k, ((cpu_backend *)kb->be)->pool, by_decl, a};
  st = run_kernel(&bc, NULL, 0, cfg, NULL, err);
  vy_mem_free(a, by_decl, n * sizeof *by_decl);
  return st;
}

static const vy_residentable cpu_resident = {vy_resident_host_alloc, vy_resident_host_upload,
                                             vy_resident_host_download, vy_resident_host_free,
                                             cpu_resident_dispatch};

/* ---- emit (vyre-jit emit) ---- */

vy_status vy_jit_cpu_emit(vy_backend *be, const vy_program *p, vy_jit_cpu_format fmt, vy_bytes *out, vy_error *err) {
  if (!is_cpu(be) || !p || !out || out->data || (fmt != VY_JIT_CPU_LLVM && fmt != VY_JIT_CPU_ASM))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_jit_cpu_emit needs an llvm-cpu backend, a program, a format and an empty output. Fix: "
                        "pass them");
  cpu_backend *b = (cpu_backend *)be;
  vy_dispatch_config cfg;
  vy_dispatch_config_default(&cfg);
  cpu_kernel *k;
  vy_status st = prepare_kernel(b, p, &cfg, true, &k, err);
  if (st != VY_OK) return st;
  vy_orc_ctx *ctx = vy_orc_ctx_create();
  LLVMModuleRef m = NULL;
  LLVMTargetMachineRef tm = NULL;
  st = lower_and_optimize(b, k, ctx, "vyre_cpu_emit", &m, &tm, &k->low, err);
  if (st == VY_OK && fmt == VY_JIT_CPU_ASM) st = vy_jit_emit(m, tm, VY_JIT_EMIT_ASM, alloc_of(be), out, err);
  if (st == VY_OK && fmt == VY_JIT_CPU_LLVM) {
    char *text = LLVMPrintModuleToString(m);
    out->alloc = alloc_of(be);
    if (vy_bytes_append(out, text, strlen(text))) st = vy_error_nomem(err);
    LLVMDisposeMessage(text);
  }
  if (m) LLVMDisposeModule(m);
  vy_jit_tm_pool_give(b->tms, b->opt, tm);
  vy_cpu_lowered_free(alloc_of(be), &k->low);
  vy_orc_ctx_release(ctx);
  kernel_free(k);
  return st;
}

/* ---- backend ---- */

void vy_jit_cpu_options_default(vy_jit_cpu_options *o) {
  memset(o, 0, sizeof *o);
  o->opt_level = 2;
}

vy_status vy_jit_cpu_configure(vy_backend *be, const vy_jit_cpu_options *o, vy_error *err) {
  if (!is_cpu(be) || !o || (o->opt_level != 2 && o->opt_level != 3) ||
      (o->prefer_vector_width && o->prefer_vector_width != 128 && o->prefer_vector_width != 256 &&
       o->prefer_vector_width != 512))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_jit_cpu_configure needs an llvm-cpu backend, opt_level 2 or 3 and a vector width of 0, "
                        "128, 256 or 512. Fix: pass valid options");
  cpu_backend *b = (cpu_backend *)be;
  b->opt = o->opt_level == 3 ? VY_JIT_O3 : VY_JIT_O2;
  b->vector_width[0] = 0;
  if (o->prefer_vector_width) snprintf(b->vector_width, sizeof b->vector_width, "%u", o->prefer_vector_width);
  return VY_OK;
}

static void cpu_close(vy_backend *be) {
  cpu_backend *b = (cpu_backend *)be;
  /* Every kernel is destroyed by now (backend.h), so none of this JIT's
   * code is referenced any more. */
  if (vy_kcache_global()) vy_kcache_purge(vy_kcache_global(), b->orc, false);
  vy_pool_destroy(b->pool);
  vy_orc_destroy(b->orc);
  vy_jit_tm_pool_destroy(b->tms);
  vy_jit_host_free(&b->host);
  vy_mem_free(alloc_of(be), b, sizeof *b);
}

static const vy_backend_ops cpu_backend_ops = {"llvm-cpu", cpu_ops, sizeof cpu_ops / sizeof *cpu_ops, cpu_caps,
                                               cpu_close};

static vy_status cpu_open(vy_context *ctx, vy_backend **out, vy_error *err) {
  const vy_allocator *a = vy_context_allocator(ctx);
  cpu_backend *b = vy_mem_calloc(a, 1, sizeof *b);
  if (!b) return vy_error_nomem(err);
  b->base = (vy_backend){&cpu_backend_ops, &cpu_executable, &cpu_streamable, ctx, &vy_async_threaded, &cpu_resident};
  b->opt = VY_JIT_O2;
  atomic_init(&b->next_id, 0);
  vy_status st = vy_jit_host_detect(a, &b->host, err);
  if (st == VY_OK) st = vy_jit_tm_pool_create(a, &b->host, &b->tms, err);
  if (st == VY_OK) st = vy_orc_create(a, &b->host, VY_JIT_O2, &b->orc, err);
  if (st == VY_OK) st = vy_jit_cache_base_cpu(&b->host, "llvm-cpu", VY_VERSION_STRING, &b->key_base, err);
  static const struct {
    const char *name;
    void (*fn)(void);
  } helpers[] = {{VY_CPU_RAISE_SYMBOL, (void (*)(void))vy_cpu_raise},
                 {VY_CPU_ASYNC_BEGIN_SYMBOL, (void (*)(void))vy_cpu_async_begin},
                 {VY_CPU_ASYNC_WAIT_SYMBOL, (void (*)(void))vy_cpu_async_wait},
                 {VY_CPU_ASYNC_PENDING_SYMBOL, (void (*)(void))vy_cpu_async_pending},
                 {VY_CPU_ASYNC_RELEASE_SYMBOL, (void (*)(void))vy_cpu_async_release}};
  for (size_t i = 0; st == VY_OK && i < sizeof helpers / sizeof *helpers; i++)
    st = vy_orc_define_symbol(b->orc, helpers[i].name, (const void *)helpers[i].fn, err);
  if (st == VY_OK) st = vy_pool_create(a, vy_context_threads(ctx), &b->pool, err);
  if (st != VY_OK) {
    vy_pool_destroy(b->pool);
    vy_orc_destroy(b->orc);
    vy_jit_tm_pool_destroy(b->tms);
    vy_jit_host_free(&b->host);
    vy_mem_free(a, b, sizeof *b);
    return st;
  }
  *out = &b->base;
  return VY_OK;
}

static vy_status cpu_probe(vy_context *ctx, vy_error *err) {
  (void)ctx;
  return vy_jit_init(err);
}

static const vy_backend_factory cpu_factory = {"llvm-cpu", 100, cpu_probe, cpu_open};

vy_status vy_jit_register_backends(vy_context *ctx) {
  if (!ctx) return VY_E_INVALID_ARGUMENT;
  vy_status st = vy_context_register_backend(ctx, &cpu_factory);
  return st == VY_OK ? vy_context_register_backend(ctx, &vy_cuda_backend_factory) : st;
}
