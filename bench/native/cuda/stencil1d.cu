/* stencil1d.cu - CUDA baseline of bench/suite/stencil1d.vy: a 5-point
 * stencil through a shared tile of 260 (256 cells and a halo of 2 each
 * side, edges clamped), one thread per element, blocks of 256. */
#include "vyb_cuda_run.cuh"

__global__ void __launch_bounds__(256) stencil1d(const float *__restrict__ src, float *__restrict__ dst, unsigned n) {
  __shared__ float tile[260];
  unsigned l = threadIdx.x, left = blockIdx.x * 256u, i = left + l, last = n - 1;
  tile[l + 2] = src[min(i, last)];
  if (l < 2) tile[l] = src[left >= 2 - l ? left - (2 - l) : 0u];
  if (l >= 254) tile[l + 4] = src[min(i + 2, last)];
  __syncthreads();
  if (i < n) {
    float c = tile[l + 2];
    float near = tile[l + 1] + tile[l + 3];
    float far = tile[l] + tile[l + 4];
    dst[i] = 0.1f * far + 0.2f * near + 0.4f * c;
  }
}

extern "C" int vyb_cuda_stencil1d(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  if (nb != 2) return VYB_NATIVE_BAD_SHAPE;
  size_t n = vyb_len<float>(b[0]);
  if (n == 0 || n > UINT32_MAX - 512 || vyb_len<float>(b[1]) != n) return VYB_NATIVE_BAD_SHAPE;
  return vyb_cuda_go(b, nb, 1u << 1, reps, seconds, [&](vyb_cuda_job &j) {
    stencil1d<<<vyb_blocks(n, 256), 256>>>(j.ptr<float>(0), j.ptr<float>(1), (unsigned)n);
  });
}
