/* saxpy.cu - CUDA baseline of bench/suite/saxpy.vy: y = a * x + y, one
 * thread per element, blocks of 256. */
#include "vyb_cuda_run.cuh"

__global__ void __launch_bounds__(256) saxpy(const float *__restrict__ x, float *__restrict__ y,
                                             const float *__restrict__ a, unsigned n) {
  unsigned i = blockIdx.x * 256u + threadIdx.x;
  if (i < n) y[i] = a[0] * x[i] + y[i];
}

extern "C" int vyb_cuda_saxpy(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  if (nb != 3 || vyb_len<float>(b[2]) < 1) return VYB_NATIVE_BAD_SHAPE;
  size_t n = vyb_len<float>(b[1]);
  if (n == 0 || n > UINT32_MAX || vyb_len<float>(b[0]) < n) return VYB_NATIVE_BAD_SHAPE;
  return vyb_cuda_go(b, nb, 1u << 1, reps, seconds, [&](vyb_cuda_job &j) {
    saxpy<<<vyb_blocks(n, 256), 256>>>(j.ptr<float>(0), j.ptr<float>(1), j.ptr<float>(2), (unsigned)n);
  });
}
