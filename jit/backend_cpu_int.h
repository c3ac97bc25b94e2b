/* backend_cpu_int.h - internals of the "llvm-cpu" backend that tests use:
 * compiling without validation (as the interpreter's vy_interp_prepare_ex
 * does), which the case corpus needs for its `no-validate` cases. */
#ifndef VYRE_BACKEND_CPU_INT_H
#define VYRE_BACKEND_CPU_INT_H

#include <stdbool.h>

#include "vyre/backend.h"

/* vy_compile on an "llvm-cpu" backend with validation optional; same
 * contract otherwise. VY_E_INVALID_ARGUMENT when `be` is not llvm-cpu. */
vy_status vy_cpu_compile_ex(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg, bool validate,
                            vy_kernel **out, vy_error *err);

/* The scratch bytes per worker thread and the error-site count of a
 * compiled llvm-cpu kernel (for tests and the benchmark's reports). */
void vy_cpu_kernel_stats(const vy_kernel *k, uint64_t *scratch_bytes, uint32_t *nsites);

#endif
