/* math_map.cu - CUDA baseline of bench/suite/math_map.vy:
 * out = exp(-x) * sin(x + 1) + log(x + 1) * cos(x) + sqrt(x) with CUDA's
 * accurate single-precision functions (no --use_fast_math). */
#include "vyb_cuda_run.cuh"

__global__ void __launch_bounds__(256) math_map(const float *__restrict__ x, float *__restrict__ out, unsigned n) {
  unsigned i = blockIdx.x * 256u + threadIdx.x;
  if (i < n) {
    float v = x[i];
    out[i] = expf(-v) * sinf(v + 1.0f) + logf(v + 1.0f) * cosf(v) + sqrtf(v);
  }
}

extern "C" int vyb_cuda_math_map(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  if (nb != 2) return VYB_NATIVE_BAD_SHAPE;
  size_t n = vyb_len<float>(b[1]);
  if (n == 0 || n > UINT32_MAX || vyb_len<float>(b[0]) < n) return VYB_NATIVE_BAD_SHAPE;
  return vyb_cuda_go(b, nb, 1u << 1, reps, seconds, [&](vyb_cuda_job &j) {
    math_map<<<vyb_blocks(n, 256), 256>>>(j.ptr<float>(0), j.ptr<float>(1), (unsigned)n);
  });
}
