/* backend.c - the capability plumbing shared by every backend: identity
 * accessors, the NULL-checked capability calls, DispatchConfig rules, the
 * supported_ops walk and the generic Streamable. */
#include <stdio.h>
#include <string.h>

#include "alloc_int.h"
#include "backend_int.h"
#include "error_int.h"
#include "stream_int.h"

void vy_outputs_free(vy_outputs *out) {
  if (!out) return;
  for (size_t i = 0; i < out->count; i++) vy_bytes_free(&out->items[i]);
  vy_mem_free(out->alloc, out->items, out->count * sizeof *out->items);
  memset(out, 0, sizeof *out);
}

void vy_dispatch_config_default(vy_dispatch_config *c) {
  memset(c, 0, sizeof *c);
  c->ulp_budget = -1;
}

const char *vy_backend_id(const vy_backend *be) { return be ? be->ops->id : "?"; }
const char *vy_backend_version(const vy_backend *be) { return be ? VY_VERSION_STRING : "?"; }

void vy_backend_capabilities(const vy_backend *be, vy_backend_caps *out) {
  memset(out, 0, sizeof *out);
  if (be) be->ops->caps(be, out);
}

size_t vy_backend_supported_op_count(const vy_backend *be) { return be ? be->ops->nsupported : 0; }
const char *vy_backend_supported_op(const vy_backend *be, size_t i) {
  return be && i < be->ops->nsupported ? be->ops->supported_ops[i] : NULL;
}
bool vy_backend_supports_op(const vy_backend *be, const char *op_id, size_t len) {
  for (size_t i = 0; be && i < be->ops->nsupported; i++)
    if (strlen(be->ops->supported_ops[i]) == len && memcmp(be->ops->supported_ops[i], op_id, len) == 0) return true;
  return false;
}

void vy_backend_close(vy_backend *be) {
  if (be) be->ops->close(be);
}

const vy_executable *vy_backend_executable(const vy_backend *be) { return be ? be->executable : NULL; }
const vy_streamable *vy_backend_streamable(const vy_backend *be) { return be ? be->streamable : NULL; }

static vy_status missing(const vy_backend *be, const char *cap, vy_error *err) {
  if (!be) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "backend is NULL. Fix: open one with vy_backend_open");
  return vy_error_set(err, VY_E_UNSUPPORTED, "backend `%s` does not implement %s. Fix: choose a backend that does",
                      be->ops->id, cap);
}

vy_status vy_dispatch(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                      const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err) {
  if (out) memset(out, 0, sizeof *out);
  if (!be || !be->executable) return missing(be, "Executable", err);
  return be->executable->dispatch(be, p, inputs, ninputs, cfg, out, err);
}

vy_status vy_compile(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg, vy_kernel **out,
                     vy_error *err) {
  if (out) *out = NULL;
  if (!be || !be->executable) return missing(be, "Executable", err);
  return be->executable->compile(be, p, cfg, out, err);
}

vy_status vy_kernel_dispatch(vy_kernel *k, const vy_input *inputs, size_t ninputs, const vy_dispatch_config *cfg,
                             vy_outputs *out, vy_error *err) {
  if (out) memset(out, 0, sizeof *out);
  if (!k || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_kernel_dispatch: NULL kernel or output. Fix: pass both");
  return k->ops->dispatch(k, inputs, ninputs, cfg ? cfg : &k->cfg, out, err);
}

void vy_kernel_destroy(vy_kernel *k) {
  if (k) k->ops->destroy(k);
}

vy_status vy_stream(vy_backend *be, const vy_program *p, const vy_input *fixed, size_t nfixed,
                    const vy_chunk_source *src, const vy_output_sink *sink, const vy_dispatch_config *cfg,
                    vy_error *err) {
  if (!be || !be->streamable) return missing(be, "Streamable", err);
  return be->streamable->stream(be, p, fixed, nfixed, src, sink, cfg, err);
}

/* ---- supported_ops ---- */

/* Appends ".name[i]" to a path buffer, truncating safely. */
static void path_push(char *path, size_t cap, const char *field, uint32_t i) {
  size_t len = strlen(path);
  if (len < cap) snprintf(path + len, cap - len, "%s%s[%u]", len ? "." : "", field, i);
}

vy_status vy_backend_check_ops(const vy_backend *be, const vy_program *p, vy_error *err) {
  /* Explicit stack of (list, next index, path length); depth is bounded by
   * the program's nesting, grown on the heap. */
  typedef struct {
    const vy_node_list *list;
    uint32_t next;
    const char *field;
    size_t path_len;
  } item;
  const vy_allocator *a = vy_context_allocator(be->ctx);
  size_t cap = 16, n = 0;
  item *stack = vy_mem_alloc(a, cap * sizeof *stack);
  if (!stack) return vy_error_nomem(err);
  char path[256] = "";
  stack[n++] = (item){vy_program_entry(p), 0, "entry", 0};
  vy_status st = VY_OK;
  while (n && st == VY_OK) {
    item *top = &stack[n - 1];
    if (top->next >= top->list->count) {
      n--;
      continue;
    }
    uint32_t i = top->next++;
    path[top->path_len] = 0;
    path_push(path, sizeof path, top->field, i);
    size_t here = strlen(path);
    const vy_node *nd = top->list->items[i];
    vy_str id = vy_node_op_id(nd);
    if (!vy_backend_supports_op(be, id.ptr, id.len)) {
      st = vy_error_set(err, VY_E_UNSUPPORTED,
                        "backend `%s` does not support operation `%.*s` at node %s. Fix: choose a backend that "
                        "supports `%.*s`, or lower it to core IR before dispatch",
                        be->ops->id, (int)id.len, id.ptr, path, (int)id.len, id.ptr);
      if (err && nd->loc.line) {
        err->line = nd->loc.line;
        err->col = nd->loc.col;
      }
      break;
    }
    const vy_node_list *kids[2] = {NULL, NULL};
    const char *names[2] = {"body", NULL};
    switch (nd->kind) {
    case VY_NODE_IF:
      kids[0] = &nd->u.if_.then_body, names[0] = "then";
      kids[1] = &nd->u.if_.else_body, names[1] = "else";
      break;
    case VY_NODE_LOOP:
      kids[0] = &nd->u.loop.body;
      break;
    case VY_NODE_BLOCK:
      kids[0] = &nd->u.block;
      break;
    case VY_NODE_REGION:
      kids[0] = &nd->u.region.body;
      break;
    default:
      break;
    }
    for (int k = 1; k >= 0; k--) { /* push else first so then is walked first */
      if (!kids[k] || !kids[k]->count) continue;
      if (n == cap) {
        item *s = vy_mem_realloc(a, stack, cap * sizeof *stack, 2 * cap * sizeof *stack);
        if (!s) {
          st = vy_error_nomem(err);
          break;
        }
        stack = s;
        cap *= 2;
      }
      stack[n++] = (item){kids[k], 0, names[k], here};
    }
  }
  vy_mem_free(a, stack, cap * sizeof *stack);
  return st;
}

/* ---- DispatchConfig ---- */

vy_status vy_dispatch_config_check(const vy_backend *be, const vy_dispatch_config *cfg, const uint32_t wg[3],
                                   vy_error *err) {
  vy_backend_caps caps;
  vy_backend_capabilities(be, &caps);
  const char *id = be->ops->id;
  if (cfg->ulp_budget < -1 || cfg->ulp_budget > 255)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "ulp_budget %d is out of range. Fix: use -1 (None, exact) or 0..255", cfg->ulp_budget);
  if (cfg->has_fixpoint_iterations && cfg->fixpoint_iterations == 0)
    return vy_error_set(err, VY_E_INVALID_PROGRAM,
                        "fixpoint_iterations is Some(0). Fix: use None (one launch) or at least 1");
  if (cfg->cooperative && !caps.grid_sync)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "backend `%s` cannot launch cooperatively: it has no grid sync. Fix: clear `cooperative`", id);
  if (cfg->speculation == VY_MODE_FORCE && !caps.speculation)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "backend `%s` does not support speculative dispatch. Fix: use speculation Auto or Disable", id);
  if (cfg->persistent_thread == VY_MODE_FORCE && !caps.persistent_thread)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "backend `%s` does not support persistent-thread dispatch. Fix: use Auto or Disable", id);
  const uint32_t *eff = cfg->has_workgroup_override ? cfg->workgroup_override : wg;
  uint64_t inv = 1;
  for (int a = 0; a < 3; a++) {
    if (eff[a] == 0 || eff[a] > caps.max_workgroup_size[a])
      return vy_error_set(err, VY_E_INVALID_PROGRAM,
                          "workgroup size [%u,%u,%u] is outside backend `%s`'s limit [%u,%u,%u] on axis %d. Fix: "
                          "use a workgroup size within the backend's max_workgroup_size",
                          eff[0], eff[1], eff[2], id, caps.max_workgroup_size[0], caps.max_workgroup_size[1],
                          caps.max_workgroup_size[2], a);
    inv *= eff[a];
  }
  if (inv > caps.max_invocations_per_workgroup)
    return vy_error_set(err, VY_E_INVALID_PROGRAM,
                        "workgroup of %llu invocations exceeds backend `%s`'s %u. Fix: use a smaller workgroup",
                        (unsigned long long)inv, id, caps.max_invocations_per_workgroup);
  if (cfg->has_grid_override)
    for (int a = 0; a < 3; a++)
      if (cfg->grid_override[a] == 0 || cfg->grid_override[a] > caps.max_workgroups_per_dimension)
        return vy_error_set(err, VY_E_INVALID_PROGRAM,
                            "grid_override [%u,%u,%u] axis %d is 0 or above backend `%s`'s %u workgroups per "
                            "dimension. Fix: give every axis 1..%u workgroups",
                            cfg->grid_override[0], cfg->grid_override[1], cfg->grid_override[2], a, id,
                            caps.max_workgroups_per_dimension, caps.max_workgroups_per_dimension);
  return VY_OK;
}

vy_status vy_outputs_check_cap(const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err) {
  if (!cfg->max_output_bytes) return VY_OK;
  uint64_t total = 0;
  for (size_t i = 0; i < out->count; i++) total += out->items[i].len;
  if (total <= cfg->max_output_bytes) return VY_OK;
  vy_outputs_free(out);
  return vy_error_set(err, VY_E_DISPATCH_FAILED,
                      "the outputs total %llu bytes, above max_output_bytes = %llu. Fix: raise max_output_bytes or "
                      "return less (output_byte_range)",
                      (unsigned long long)total, (unsigned long long)cfg->max_output_bytes);
}

/* ---- generic Streamable ---- */

typedef struct kernel_run {
  vy_kernel *k;
} kernel_run;

static vy_status run_chunk(void *ud, unsigned worker, const vy_input *inputs, size_t ninputs, vy_outputs *out,
                           vy_error *err) {
  (void)worker;
  return vy_kernel_dispatch(((kernel_run *)ud)->k, inputs, ninputs, NULL, out, err);
}

vy_status vy_dispatch_via_kernel(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                                 const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "dispatch: out is NULL. Fix: pass a vy_outputs");
  memset(out, 0, sizeof *out);
  if (ninputs && !inputs)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "dispatch: %zu inputs but a NULL array. Fix: pass them", ninputs);
  vy_kernel *k = NULL;
  vy_status st = be->executable->compile(be, p, cfg, &k, err);
  if (st == VY_OK) st = k->ops->dispatch(k, inputs, ninputs, &k->cfg, out, err);
  vy_kernel_destroy(k);
  return st;
}

vy_status vy_stream_via_kernel(vy_backend *be, const vy_program *p, const vy_input *fixed, size_t nfixed,
                               const vy_chunk_source *src, const vy_output_sink *sink,
                               const vy_dispatch_config *cfg, vy_error *err) {
  vy_status st = vy_stream_check_args(fixed, nfixed, src, sink, err);
  kernel_run r = {NULL};
  if (st == VY_OK) st = vy_compile(be, p, cfg, &r.k, err);
  vy_stream_exec ex = {0, 1, run_chunk, &r};
  if (st == VY_OK) st = vy_stream_pipeline(vy_context_allocator(be->ctx), fixed, nfixed, src, sink, &ex, err);
  vy_kernel_destroy(r.k);
  return st;
}
