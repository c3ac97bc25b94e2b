/* backend_jit_int.h - what the compiled backends (llvm-cpu, cuda) share
 * around their compile and dispatch paths: the workgroup_override copy of
 * a program, the reference's checks between binding and the first
 * workgroup, and the rules for a kernel handle's dispatch-time config.
 * LLVM-free (backend_jit.c). */
#ifndef VYRE_BACKEND_JIT_INT_H
#define VYRE_BACKEND_JIT_INT_H

#include "backend_int.h"
#include "program_int.h"

/* The reference's workgroup-memory budget (vyre-reference workgroup.rs). */
#define VY_JIT_MAX_WORKGROUP_BYTES ((uint64_t)64 << 20)

/* *out = a shallow copy of `p` with the workgroup size of
 * cfg->workgroup_override (allocated with `a`; vy_program_destroy), or
 * NULL when there is no override. Errors: VY_E_NOMEM. */
vy_status vy_jit_apply_override(const vy_program *p, const vy_dispatch_config *cfg, const vy_allocator *a,
                                vy_program **out, vy_error *err);

/* The reference's checks between binding and the first workgroup for a
 * grid of `count` workgroups of `p`: workgroup memory within
 * VY_JIT_MAX_WORKGROUP_BYTES, every global id component within u32.
 * Errors: VY_E_RUNTIME with the interpreter's message. */
vy_status vy_jit_grid_checks(const vy_program *p, const uint32_t count[3], vy_error *err);

/* A kernel handle's dispatch-time config: vy_dispatch_config_check
 * against its backend, and the workgroup_override it was compiled with
 * (VY_E_INVALID_ARGUMENT when it differs). `cfg` == &k->cfg passes. */
vy_status vy_jit_kernel_config_check(const vy_kernel *k, const vy_dispatch_config *cfg, vy_error *err);

#endif
