/** @file
 * jit.h - the LLVM backends of libvyre-jit.
 *
 *   vy_context *ctx;  ... vy_context_create(&o, &ctx, &err);
 *   vy_jit_register_backends(ctx);             // adds "llvm-cpu" and "cuda"
 *   vy_backend *be;
 *   vy_backend_open(ctx, "llvm-cpu", &be, &err);
 *   vy_dispatch(be, program, inputs, n, NULL, &out, &err);
 *
 * "llvm-cpu" lowers a program to LLVM IR (one function that runs a range
 * of workgroups, vectorized across invocations), optimizes it for the host
 * CPU (its name and full feature string), links the object code with ORC
 * and runs the workgroups on the context's worker threads. Results are the
 * reference interpreter's, bit for bit (vyre-ir.md §2-§4), except:
 *  - the f32 transcendentals (sin cos tan asin acos atan sinh cosh tanh exp
 *    exp2 log log2): scalar code calls the same C library functions as the
 *    interpreter; vectorized code calls glibc's libmvec (LLVM 19 maps sin,
 *    cos, tan, exp and log to it). Bound: 4 ULP from the interpreter
 *    (measured: at most 3 for tan, 2 for sin, cos and exp, 1 for log, 0 for
 *    the others, over 16384 inputs each, tests/test_jit_cpu.c);
 *  - racy programs and the old values of contended atomics: workgroups run
 *    in parallel, invocations in vector lanes, and loops whose bounds are
 *    the same for the whole workgroup run with the invocations innermost,
 *    so only race-free programs and commutative atomics give the
 *    reference's memory;
 *  - a runtime error reports the same status and the interpreter's message
 *    (node path, location, invocation, operands), but the error or
 *    invocation named can be another one than the reference's first in its
 *    round-robin order when several invocations fail;
 *  - scheduling-dependent corners: the condition of an If that holds a
 *    barrier is compared over every live invocation at once (the reference
 *    compares records round by round, so an invocation that finished
 *    earlier can escape the check there), and a subgroup operand of a lane
 *    that already finished is evaluated from its last values (the
 *    reference may find its names unbound).
 * f32: kernels run with DAZ on and FTZ off, so every result is rounded
 * before it is flushed, as in the reference (x86's FTZ decides tininess
 * before rounding: a product like (1 - 2^-24) * 2^-126, which rounds up to
 * the smallest normal, would become 0), and values are canonicalized
 * wherever their bits become observable.
 * Constructs it refuses (VY_E_UNSUPPORTED, before running): a variable or
 * select whose runtime kind differs between paths, loads of f64 or bytes
 * buffers and values wider than 16 bytes, atomics or calls inside subgroup
 * operands, indirect dispatch, resume and opaque nodes. At run time it
 * refuses (VY_E_UNSUPPORTED) a Loop that holds a barrier or subgroup op
 * when its bounds differ across the workgroup, and subgroup ops under an If
 * whose condition differs: the reference gives those a scheduling-dependent
 * meaning. Host calls go straight to the registered C functions.
 *
 * DispatchConfig: workgroup_override and grid_override are honoured,
 * fixpoint_iterations > 1 runs the kernel that many times on the same
 * buffers, timeout_ns stops the run soon after it passes (VY_E_TIMEOUT; a
 * watchdog flag that kernels read before each workgroup and once per 4096
 * iterations of a Loop that may run long), max_output_bytes is checked;
 * ulp_budget, label and profile are ignored.
 *
 * "cuda" lowers the same way for NVIDIA GPUs (LLVM's NVPTX target, the SM
 * of the device, the PTX ISA its driver loads), links the PTX to a cubin
 * with the driver's linker and runs it through the CUDA driver API, which
 * is loaded with dlopen("libcuda.so.1") when the backend is first probed:
 * nothing of CUDA is needed to build or run vyre-jit, and without a driver
 * or GPU the backend reports VY_E_UNSUPPORTED with the reason. It is never
 * the default backend; open it by name (VYRE_CUDA_DEVICE picks the GPU).
 * Its results follow the same contract as llvm-cpu's above, with
 * libdevice's transcendentals (within 4 ULP; libdevice.10.bc from
 * $VYRE_JIT_LIBDEVICE, $CUDA_HOME/nvvm/libdevice or /usr/local/cuda/nvvm/
 * libdevice). It also refuses async copies, host calls and workgroup memory
 * above the device's 48 KiB of static shared memory per block. Its
 * capabilities come from the device; DispatchConfig as llvm-cpu, except
 * that a timeout stops the workgroups not yet started (running ones finish)
 * and ulp_budget is part of the compiled code (a kernel handle keeps its
 * own). Errors of the device map to vyre's codes: VY_E_DEVICE_OOM,
 * VY_E_COMPILE_FAILED (the driver rejects the PTX), VY_E_DISPATCH_FAILED.
 *
 * Thread-safety: as backend.h. Kernels (vy_compile) must be destroyed
 * before their backend is closed.
 */
#ifndef VYRE_JIT_H
#define VYRE_JIT_H

#include "backend.h"
#include "context.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Registers the backends of libvyre-jit in `ctx`: "llvm-cpu" and "cuda". Must not race
 * with other calls on the context. Errors: VY_E_INVALID_ARGUMENT (NULL),
 * VY_E_NOMEM. */
vy_status vy_jit_register_backends(vy_context *ctx);

/** Options of an "llvm-cpu" backend. */
typedef struct vy_jit_cpu_options {
  int opt_level;                /**< vyre's kernel pipeline (2, the default) or LLVM's default<O3> (3) */
  unsigned prefer_vector_width; /**< 0 = LLVM's choice for the host; else 128, 256 or 512 bits */
} vy_jit_cpu_options;

/** Fills the defaults (O2, LLVM's vector width). */
void vy_jit_cpu_options_default(vy_jit_cpu_options *o);

/** Sets the options of an open "llvm-cpu" backend for later compiles. Not
 * to be called while the backend compiles. Errors: VY_E_INVALID_ARGUMENT
 * (not an llvm-cpu backend, a level other than 2 or 3, an unknown width). */
vy_status vy_jit_cpu_configure(vy_backend *be, const vy_jit_cpu_options *o, vy_error *err);

/** What vy_jit_cpu_emit prints. */
typedef enum vy_jit_cpu_format {
  VY_JIT_CPU_LLVM, /**< the optimized LLVM IR module, as text */
  VY_JIT_CPU_ASM   /**< the host assembly of it */
} vy_jit_cpu_format;

/** Compiles `p` with an "llvm-cpu" backend as vy_compile would (same checks
 * and errors) and returns the optimized code as NUL-terminated text in
 * *out (allocated with the context's allocator; vy_bytes_free). */
vy_status vy_jit_cpu_emit(vy_backend *be, const vy_program *p, vy_jit_cpu_format fmt, vy_bytes *out, vy_error *err);

/** PTX for NVIDIA GPUs, offline (no GPU or driver needed): the kernel the
 * cuda backend would build for `p`, for SM `sm` ("sm_80", "sm_90", ...)
 * and PTX ISA `ptx_isa` x10 (78 = 7.8; 0 = LLVM's minimum for the SM),
 * as NUL-terminated text in *out (allocated with `alloc`, NULL = malloc;
 * vy_bytes_free). Transcendentals link libdevice from $VYRE_JIT_LIBDEVICE
 * or /usr/local/cuda/nvvm/libdevice. Errors: VY_E_INVALID_PROGRAM and the
 * other validation errors of vy_interp_prepare, VY_E_UNSUPPORTED (a
 * construct the cuda backend refuses, an SM or PTX version LLVM 19 does not
 * know), VY_E_COMPILE_FAILED, VY_E_NOMEM. Thread-safe. */
vy_status vy_jit_ptx_emit(const vy_program *p, const char *sm, unsigned ptx_isa, const vy_allocator *alloc,
                          vy_bytes *out, vy_error *err);

#ifdef __cplusplus
}
#endif
#endif
