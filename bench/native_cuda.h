/* native_cuda.h - the `cuda-native` column of `vyre-jit bench`: the CUDA C
 * baselines (bench/native/cuda, libvyb_cuda.so, built by nvcc where it
 * exists: cmake/cuda_baselines.cmake), loaded with dlopen, checked against
 * the interpreter like every backend, and timed by their own CUDA events
 * so they compare with the cuda backend's GPU time per dispatch. Belongs
 * to the tool: malloc, single-threaded.
 */
#ifndef VYRE_BENCH_NATIVE_CUDA_H
#define VYRE_BENCH_NATIVE_CUDA_H

#include "bench_int.h"

/* The backend name of the column. */
#define VYB_CUDA_NATIVE "cuda-native"

typedef struct vyb_cuda_lib {
  void *handle;
  char path[4096];
  const char *info;  /* vyb_cuda_build_info() */
  char device[256];  /* the GPU it runs on: name and compute capability */
  const char *(*last_error)(void);
} vyb_cuda_lib;

/* Opens the CUDA baseline library: `path`, else $VYRE_BENCH_CUDA, else
 * bench/libvyb_cuda.so next to the running executable, and checks that a
 * GPU can run it. VY_E_UNSUPPORTED, with the reason and a Fix: hint, when
 * the library is missing (nvcc was not found at build time), of another
 * ABI, or when there is no usable GPU or driver; *out is then closed. */
vy_status vyb_cuda_open(const char *path, vyb_cuda_lib *out, vy_error *err);
/* Forgets the library (it stays mapped: the CUDA runtime inside registers
 * exit handlers) and zeroes *lib. A closed or zeroed lib is a no-op. */
void vyb_cuda_close(vyb_cuda_lib *lib);

/* The cuda-native row of program `p` into *x (already added to the report
 * with backend VYB_CUDA_NATIVE and the timed size): vyb_cuda_<p->name>
 * runs on `small` and must give `golden` (the interpreter's outputs), then
 * on `timed` and must give `check` (the CPU baseline's outputs there; not
 * checked when check->count is 0); only then is its kernel time measured,
 * with about plan->min_seconds of GPU time within plan->max_wall_seconds,
 * at least plan->min_reps launches. Sets x->outcome (VYB_UNSUPPORTED when
 * the library has no function for the program), message, verified,
 * max_ulp, run and device (both the kernel times) and throughput. */
void vyb_cuda_row(const vyb_cuda_lib *lib, const vyb_program *p, const vyb_data *small, const vyb_data *timed,
                  const vyb_outset *golden, const vyb_outset *check, const vyb_plan *plan, vyb_result *x);

/* For one program's rows[0..n): every verified "cuda" row with a device
 * time gets vs_native = the cuda-native row's kernel time / its device
 * time (1.0 = as fast as hand-written CUDA C), replacing the comparison
 * with the CPU baseline. Rows without a verified cuda-native row keep
 * theirs. */
void vyb_cuda_ratios(vyb_result *rows, size_t n);

#endif
