/* histogram.cu - CUDA baseline of bench/suite/histogram.vy: 256 bins, one
 * global atomicAdd per byte; 256 threads (4 blocks of 64, the grid the
 * program's 256-element output gives), thread i walking words i, i + 256,
 * ... (no shared-memory privatization: the program has none). */
#include "vyb_cuda_run.cuh"

__global__ void __launch_bounds__(64) histogram(const unsigned *__restrict__ data, unsigned *__restrict__ bins,
                                                unsigned n) {
  unsigned i = blockIdx.x * 64u + threadIdx.x;
  for (unsigned k = i; k < n; k += 256u) {
    unsigned w = data[k];
#pragma unroll
    for (unsigned b = 0; b < 4; b++) atomicAdd(&bins[(w >> (b * 8)) & 255u], 1u);
  }
}

extern "C" int vyb_cuda_histogram(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  if (nb != 2 || vyb_len<unsigned>(b[1]) != 256) return VYB_NATIVE_BAD_SHAPE;
  size_t n = vyb_len<unsigned>(b[0]);
  if (n > UINT32_MAX - 256) return VYB_NATIVE_BAD_SHAPE;
  return vyb_cuda_go(b, nb, 1u << 1, reps, seconds, [&](vyb_cuda_job &j) {
    histogram<<<4, 64>>>(j.ptr<unsigned>(0), j.ptr<unsigned>(1), (unsigned)n);
  });
}
