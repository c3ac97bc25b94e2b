/* backend_reference.c - the "reference" backend: the interpreter behind
 * the Backend / Executable / Streamable capabilities.
 *
 * DispatchConfig: ulp_budget, label and profile are ignored (the reference
 * is exact); workgroup_override, grid_override and fixpoint_iterations > 1
 * are refused with VY_E_UNSUPPORTED, because the reference's grid comes from
 * buffer sizes (vyre-ir.md §4.4) and it runs one launch on fresh buffers;
 * max_output_bytes and timeout_ns (the interpreter's wall-clock limit,
 * checked every 4096 steps) are honoured. Streamable is the generic one:
 * one independent dispatch per chunk on one prepared program. Asynchronous
 * dispatch runs each dispatch on the context's runner pool (async.c); resident
 * buffers are host memory copied into and out of the interpreter per launch.
 */
#include <string.h>

#include "alloc_int.h"
#include "async_int.h"
#include "backend_int.h"
#include "error_int.h"
#include "resident_int.h"
#include "vyre/interp.h"

/* The node ops the interpreter executes: vyre's core set without
 * indirect_dispatch (a runtime error in vyre's reference; refused up front
 * here), plus async_store and trap; collectives are lowered for the single
 * rank (§2.1) before this check. */
const char *const vy_reference_supported_ops[] = {
    "vyre.node.let",        "vyre.node.assign",     "vyre.node.store",      "vyre.node.if",
    "vyre.node.loop",       "vyre.node.return",     "vyre.node.block",      "vyre.node.barrier",
    "vyre.node.async_load", "vyre.node.async_wait", "vyre.node.async_store", "vyre.node.region",
    "vyre.node.trap",       "vyre.node.all_reduce", "vyre.node.all_gather", "vyre.node.reduce_scatter",
    "vyre.node.broadcast",
};
const size_t vy_reference_supported_op_count = sizeof vy_reference_supported_ops / sizeof *vy_reference_supported_ops;

typedef struct ref_backend {
  vy_backend base;
} ref_backend;

typedef struct ref_kernel {
  vy_kernel base;
  vy_interp_prepared *pp;
} ref_kernel;

static void ref_caps(const vy_backend *be, vy_backend_caps *c) {
  (void)be;
  /* The interpreter has no hardware limit; these bound what it accepts
   * before its own memory cap (vy_interp_options.max_memory_bytes). */
  c->max_workgroup_size[0] = c->max_workgroup_size[1] = c->max_workgroup_size[2] = 1u << 16;
  c->max_invocations_per_workgroup = 1u << 20;
  c->max_workgroups_per_dimension = UINT32_MAX;
  c->subgroup_size = 32;
  c->subgroup_ops = true; /* vyre's reference has the subgroup-ops feature */
  c->threads = 1;
  c->dispatches = true;
}

static vy_status refuse_config(const vy_backend *be, const vy_dispatch_config *cfg, const vy_program *p,
                               vy_error *err) {
  uint32_t wg[3];
  vy_program_workgroup_size(p, wg);
  vy_status st = vy_dispatch_config_check(be, cfg, wg, err);
  if (st != VY_OK) return st;
  const char *what = cfg->has_workgroup_override ? "workgroup_override"
                     : cfg->has_grid_override    ? "grid_override"
                     : (cfg->has_fixpoint_iterations && cfg->fixpoint_iterations > 1) ? "fixpoint_iterations > 1"
                                                                                      : NULL;
  if (what)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "the reference backend does not honour DispatchConfig.%s: its grid comes from buffer sizes "
                        "and it runs one launch on fresh buffers (vyre-ir.md §4.4). Fix: clear the field, or use a "
                        "compiled backend",
                        what);
  return VY_OK;
}

static vy_status ref_prepare(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg,
                             vy_interp_prepared **pp, vy_error *err) {
  if (!p) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "program is NULL. Fix: pass a program");
  vy_status st = refuse_config(be, cfg, p, err);
  if (st == VY_OK) st = vy_backend_check_ops(be, p, err);
  if (st == VY_OK) st = vy_interp_prepare(p, vy_context_host_ops(be->ctx), vy_context_allocator(be->ctx), pp, err);
  return st;
}

static vy_status ref_execute(const vy_interp_prepared *pp, const vy_input *inputs, size_t ninputs,
                             const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err) {
  vy_interp_options o;
  vy_interp_options_default(&o);
  o.timeout_ns = cfg->timeout_ns;
  vy_interp_outputs io;
  vy_status st = vy_interp_execute(pp, inputs, ninputs, &o, &io, err);
  if (st != VY_OK) return st;
  out->count = io.count;
  out->items = io.items;
  out->alloc = io.alloc;
  return vy_outputs_check_cap(cfg, out, err);
}

static vy_status ref_dispatch(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                              const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err) {
  vy_dispatch_config def;
  if (!cfg) vy_dispatch_config_default(&def), cfg = &def;
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "dispatch: out is NULL. Fix: pass a vy_outputs");
  memset(out, 0, sizeof *out);
  if (ninputs && !inputs)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "dispatch: %zu inputs but a NULL array. Fix: pass them", ninputs);
  vy_interp_prepared *pp = NULL;
  vy_status st = ref_prepare(be, p, cfg, &pp, err);
  if (st == VY_OK) st = ref_execute(pp, inputs, ninputs, cfg, out, err);
  vy_interp_prepared_destroy(pp);
  return st;
}

static vy_status ref_kernel_dispatch(vy_kernel *k, const vy_input *inputs, size_t ninputs,
                                     const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err) {
  if (ninputs && !inputs)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "dispatch: %zu inputs but a NULL array. Fix: pass them", ninputs);
  vy_status st = cfg == &k->cfg ? VY_OK : refuse_config(k->be, cfg, k->program, err);
  if (st != VY_OK) return st;
  return ref_execute(((ref_kernel *)k)->pp, inputs, ninputs, cfg, out, err);
}

static void ref_kernel_destroy(vy_kernel *k) {
  ref_kernel *rk = (ref_kernel *)k;
  vy_interp_prepared_destroy(rk->pp);
  vy_mem_free(vy_context_allocator(k->be->ctx), rk, sizeof *rk);
}

static const vy_kernel_ops ref_kernel_ops = {ref_kernel_dispatch, ref_kernel_destroy};

static vy_status ref_compile(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg, vy_kernel **out,
                             vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "compile: out is NULL. Fix: pass a pointer");
  *out = NULL;
  vy_dispatch_config def;
  if (!cfg) vy_dispatch_config_default(&def), cfg = &def;
  const vy_allocator *a = vy_context_allocator(be->ctx);
  ref_kernel *k = vy_mem_calloc(a, 1, sizeof *k);
  if (!k) return vy_error_nomem(err);
  vy_status st = ref_prepare(be, p, cfg, &k->pp, err);
  if (st != VY_OK) {
    vy_mem_free(a, k, sizeof *k);
    return st;
  }
  k->base = (vy_kernel){&ref_kernel_ops, be, p, *cfg};
  *out = &k->base;
  return VY_OK;
}

static const vy_executable ref_executable = {ref_dispatch, ref_compile};
static const vy_streamable ref_streamable = {vy_stream_via_kernel};

/* ---- resident buffers: host memory, copied in and out of the interpreter ---- */

/* Writes output `o` of a launch back into buffer r (at the output range's
 * start when the program declares one). */
static void write_back(const vy_buffer_decl *d, const vy_bytes *o, vy_resident *r) {
  size_t off = d->has_output_range ? (size_t)d->range_start : 0, len = vy_resident_len(r);
  if (off >= len) return;
  size_t n = o->len < len - off ? o->len : len - off;
  if (n) memcpy(vy_resident_host_data(r) + off, o->data, n);
}

/* One launch: inputs are the resident bytes of the logical inputs, outputs
 * are written back to their buffers. */
static vy_status ref_resident_launch(vy_kernel *k, vy_resident *const *bufs, vy_input *ins,
                                     const vy_dispatch_config *cfg, vy_error *err) {
  const vy_program *p = k->program;
  size_t m = 0, j = 0;
  for (uint32_t i = 0; i < vy_program_buffer_count(p); i++) {
    const vy_buffer_decl *d = vy_program_buffer(p, i);
    if (d->access == VY_ACCESS_WORKGROUP) continue;
    if (!vy_buffer_is_backend_allocated(d))
      ins[m++] = (vy_input){vy_resident_host_data(bufs[j]), vy_resident_len(bufs[j])};
    j++;
  }
  vy_outputs outs;
  vy_status st = ref_execute(((ref_kernel *)k)->pp, ins, m, cfg, &outs, err);
  if (st != VY_OK) return st;
  size_t o = 0;
  j = 0;
  for (uint32_t i = 0; i < vy_program_buffer_count(p); i++) {
    const vy_buffer_decl *d = vy_program_buffer(p, i);
    if (d->access == VY_ACCESS_WORKGROUP) continue;
    if (vy_buffer_is_returned(d) && o < outs.count) write_back(d, &outs.items[o++], bufs[j]);
    j++;
  }
  vy_outputs_free(&outs);
  return VY_OK;
}

/* fixpoint_iterations N runs N launches, each reading the previous one's
 * results from the buffers; allowed only when every output is read_write,
 * since the interpreter zero-fills the outputs it allocates at every launch
 * and so could not continue from them. */
static vy_status ref_resident_dispatch(vy_kernel *k, vy_resident *const *bufs, size_t nbufs,
                                       const vy_dispatch_config *cfg, vy_error *err) {
  const vy_program *p = k->program;
  uint32_t wg[3];
  vy_program_workgroup_size(p, wg);
  vy_dispatch_config once = *cfg;
  once.has_fixpoint_iterations = false;
  vy_status st = vy_dispatch_config_check(k->be, cfg, wg, err);
  if (st == VY_OK && cfg != &k->cfg) st = refuse_config(k->be, &once, p, err);
  if (st != VY_OK) return st;
  uint32_t iters = cfg->has_fixpoint_iterations ? cfg->fixpoint_iterations : 1;
  bool allocated = false;
  for (uint32_t i = 0; i < vy_program_buffer_count(p); i++)
    allocated |= vy_buffer_is_backend_allocated(vy_program_buffer(p, i));
  if (iters > 1 && allocated)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "the reference backend runs fixpoint_iterations > 1 on resident buffers only when every "
                        "output is read_write (it zero-fills the outputs it allocates at every launch). Fix: declare "
                        "the outputs read_write, or use llvm-cpu");
  const vy_allocator *a = vy_context_allocator(k->be->ctx);
  vy_input *ins = nbufs ? vy_mem_calloc(a, nbufs, sizeof *ins) : NULL;
  if (nbufs && !ins) return vy_error_nomem(err);
  for (uint32_t it = 0; it < iters && st == VY_OK; it++) st = ref_resident_launch(k, bufs, ins, &once, err);
  vy_mem_free(a, ins, nbufs * sizeof *ins);
  return st;
}

static const vy_residentable ref_resident = {vy_resident_host_alloc, vy_resident_host_upload,
                                             vy_resident_host_download, vy_resident_host_free,
                                             ref_resident_dispatch};

static void ref_close(vy_backend *be) { vy_mem_free(vy_context_allocator(be->ctx), be, sizeof(ref_backend)); }

static const vy_backend_ops ref_ops = {"reference", vy_reference_supported_ops, sizeof vy_reference_supported_ops /
                                                                                   sizeof *vy_reference_supported_ops,
                                       ref_caps, ref_close};

static vy_status ref_open(vy_context *ctx, vy_backend **out, vy_error *err) {
  ref_backend *b = vy_mem_calloc(vy_context_allocator(ctx), 1, sizeof *b);
  if (!b) return vy_error_nomem(err);
  b->base = (vy_backend){&ref_ops, &ref_executable, &ref_streamable, ctx, &vy_async_threaded, &ref_resident};
  *out = &b->base;
  return VY_OK;
}

const vy_backend_factory vy_reference_backend_factory = {"reference", 900, NULL, ref_open};
