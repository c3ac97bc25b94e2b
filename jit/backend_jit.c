/* backend_jit.c - shared pieces of the compiled backends' compile and
 * dispatch paths (backend_jit_int.h). */
#include <string.h>

#include "backend_jit_int.h"
#include "error_int.h"

vy_status vy_jit_apply_override(const vy_program *p, const vy_dispatch_config *cfg, const vy_allocator *a,
                                vy_program **out, vy_error *err) {
  *out = NULL;
  if (!cfg->has_workgroup_override) return VY_OK;
  vy_program *d = vy_program_new(a);
  if (!d) return vy_error_nomem(err);
  d->has_entry_op_id = p->has_entry_op_id;
  d->entry_op_id = p->entry_op_id;
  memcpy(d->workgroup_size, cfg->workgroup_override, sizeof d->workgroup_size);
  d->non_composable_with_self = p->non_composable_with_self;
  d->nbuffers = p->nbuffers;
  d->buffers = p->nbuffers ? vy_arena_array(&d->arena, p->nbuffers, sizeof *d->buffers) : NULL;
  if (p->nbuffers && !d->buffers) {
    vy_program_destroy(d);
    return vy_error_nomem(err);
  }
  if (p->nbuffers) memcpy(d->buffers, p->buffers, p->nbuffers * sizeof *d->buffers);
  d->entry = p->entry;
  *out = d;
  return VY_OK;
}

vy_status vy_jit_grid_checks(const vy_program *p, const uint32_t count[3], vy_error *err) {
  uint32_t wg[3];
  vy_program_workgroup_size(p, wg);
  uint64_t total = 0;
  for (uint32_t i = 0; i < p->nbuffers; i++) {
    if (p->buffers[i].access != VY_ACCESS_WORKGROUP) continue;
    total += (uint64_t)p->buffers[i].count * vy_type_min_bytes(&p->buffers[i].element);
    if (total > VY_JIT_MAX_WORKGROUP_BYTES)
      return vy_error_set(err, VY_E_RUNTIME,
                          "workgroup memory requires %llu bytes, exceeding the %llu-byte reference budget. Fix: reduce "
                          "workgroup buffer counts",
                          (unsigned long long)total, (unsigned long long)VY_JIT_MAX_WORKGROUP_BYTES);
  }
  for (int a = 0; a < 3; a++)
    if ((uint64_t)(count[a] - 1) * wg[a] + (wg[a] - 1) > UINT32_MAX)
      return vy_error_set(err, VY_E_RUNTIME,
                          "runtime error: workgroup * dispatch dimensions overflow u32 global id. Fix: reduce "
                          "workgroup id or workgroup size so each global_invocation_id component fits in u32");
  return VY_OK;
}

vy_status vy_jit_kernel_config_check(const vy_kernel *k, const vy_dispatch_config *cfg, vy_error *err) {
  if (cfg == &k->cfg) return VY_OK;
  uint32_t wg[3];
  vy_program_workgroup_size(k->program, wg);
  vy_status st = vy_dispatch_config_check(k->be, cfg, wg, err);
  if (st != VY_OK) return st;
  const vy_dispatch_config *c0 = &k->cfg;
  bool same_wg = cfg->has_workgroup_override == c0->has_workgroup_override &&
                 (!cfg->has_workgroup_override ||
                  memcmp(cfg->workgroup_override, c0->workgroup_override, sizeof cfg->workgroup_override) == 0);
  if (!same_wg)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "workgroup_override differs from the one the kernel was compiled with. Fix: compile the "
                        "program again with the new workgroup size");
  return VY_OK;
}
