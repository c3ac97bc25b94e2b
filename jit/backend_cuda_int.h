/* backend_cuda_int.h - internals of the "cuda" backend that the library's
 * registration, the tests and the benchmark use (backend_cuda.c). */
#ifndef VYRE_BACKEND_CUDA_INT_H
#define VYRE_BACKEND_CUDA_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "vyre/backend.h"
#include "vyre/context.h"

/* The "cuda" factory (registered by vy_jit_register_backends). Its probe
 * loads the driver at first use and fails with VY_E_UNSUPPORTED and a
 * Fix: hint when there is no driver, no GPU or no NVPTX in LLVM. */
extern const vy_backend_factory vy_cuda_backend_factory;

/* vy_compile on a "cuda" backend with validation optional (the case
 * corpus's no-validate cases); same contract otherwise.
 * VY_E_INVALID_ARGUMENT when `be` is not cuda. */
vy_status vy_cuda_compile_ex(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg, bool validate,
                             vy_kernel **out, vy_error *err);

/* GPU time of the launches of the last dispatch of kernel `k` (all
 * fixpoint iterations), measured with CUDA events, in nanoseconds; 0 when
 * `k` is not a cuda kernel or has not run. */
uint64_t vy_cuda_kernel_time_ns(const vy_kernel *k);

/* The PTX ISA version (x10) to emit for a driver of cuDriverGetVersion
 * `driver_version`: what the driver loads (vy_cuda_driver_ptx_isa), capped
 * at the newest LLVM 19 emits (8.5); 0 = LLVM's default for the SM. */
unsigned vy_cuda_pick_ptx_isa(int driver_version);

/* The LLVM CPU name for a device of compute capability major.minor:
 * "sm_<major><minor>", capped at sm_90 (newer GPUs load sm_90 PTX through
 * the driver's JIT). Writes at most cap bytes. */
void vy_cuda_pick_sm(int major, int minor, char *out, size_t cap);

#endif
