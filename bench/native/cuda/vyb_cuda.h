/* vyb_cuda.h - the interface between `vyre-jit bench` and the CUDA C
 * baselines of the benchmark suite (libvyb_cuda.so, built by nvcc -O3 for
 * sm_90 and sm_80 where nvcc exists: cmake/cuda_baselines.cmake; loaded
 * with dlopen by bench/native_cuda.c, so the tool needs no CUDA toolkit).
 *
 * One function per suite program, named `vyb_cuda_<program>` (the .vy file
 * name: matmul_naive and matmul_tiled are two functions, as they are two
 * algorithms on the GPU). Each runs the same algorithm as the program,
 * written as a performance-minded CUDA C programmer would: one thread per
 * invocation, the program's workgroup size as the block size, the grid the
 * reference would compute (vyre-ir.md §4.4), workgroup memory as
 * __shared__, barriers as __syncthreads, subgroups as warps.
 *
 *   bufs, nbufs  exactly as for vyb_native_<name> (vyb_native.h): one entry
 *                per non-workgroup buffer in declaration order, inputs with
 *                their initial bytes, read_write buffers with their initial
 *                bytes (they receive the result), backend-allocated outputs
 *                zero-filled.
 *   reps         timed launches (>= 1). Every buffer is copied to the GPU
 *                once; before every launch the read_write buffers are reset
 *                to their initial bytes (untimed), so each launch does one
 *                dispatch's work; one untimed warm-up launch comes first.
 *   seconds      NULL, or reps entries: the GPU time of each launch, from
 *                CUDA events recorded right before and after it (transfers
 *                excluded), as the cuda backend's device time is measured.
 *
 * After the last launch the read_write buffers are copied back into bufs.
 * Returns 0, VYB_NATIVE_BAD_SHAPE when the buffers do not fit the
 * algorithm (nothing is launched), or VYB_CUDA_ERROR when a CUDA call
 * failed (vyb_cuda_last_error() says which and why). Every function may be
 * called any number of times and frees what it allocated.
 *
 * Floating point: compiled with -fmad=false (each multiply and add rounds
 * separately, as the programs do; fma only where the program writes fma),
 * IEEE division and square root, no denormal flushing, so the results
 * agree with the interpreter bit for bit except for math_map, whose
 * transcendentals (CUDA's expf, sinf, logf, cosf) are checked within the
 * program's ULP budget.
 */
#ifndef VYB_CUDA_H
#define VYB_CUDA_H

#include <stddef.h>

#include "../vyb_native.h" /* vyb_buf, VYB_NATIVE_BAD_SHAPE */

#ifdef __cplusplus
extern "C" {
#endif

#define VYB_CUDA_ABI 1     /* bumped on any change to this file */
#define VYB_CUDA_ERROR 2   /* return value: a CUDA call failed */

typedef int (*vyb_cuda_fn)(const vyb_buf *bufs, size_t nbufs, int reps, double *seconds);

/* VYB_CUDA_ABI of the build. */
int vyb_cuda_abi(void);
/* nvcc version, targets and flags. */
const char *vyb_cuda_build_info(void);
/* 0 when a CUDA device can run the kernels: `buf` gets its name and
 * compute capability; else nonzero and `buf` gets the reason (no driver,
 * no device, a device older than sm_80). Thread-safe. */
int vyb_cuda_probe(char *buf, size_t cap);
/* The message of the last VYB_CUDA_ERROR of the calling thread. */
const char *vyb_cuda_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
