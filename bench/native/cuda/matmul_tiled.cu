/* matmul_tiled.cu - CUDA baseline of bench/suite/matmul_tiled.vy:
 * C = A * B + bias through 16 x 16 tiles of A and B in shared memory; one
 * 16 x 16 block per 16 x 16 block of C, __syncthreads after each copy and
 * after each 16 fmaf steps, every element accumulated in k order. */
#include "vyb_cuda_run.cuh"

__global__ void __launch_bounds__(256) matmul_tiled(const float *__restrict__ a, const float *__restrict__ b,
                                                    float *__restrict__ c, const float *__restrict__ bias,
                                                    unsigned n) {
  __shared__ float ta[256], tb[256];
  unsigned lx = threadIdx.x, ly = threadIdx.y;
  unsigned col = blockIdx.x * 16u + lx, row = blockIdx.y * 16u + ly;
  float acc = 0.0f;
  for (unsigned t = 0; t < n / 16; t++) {
    ta[ly * 16 + lx] = a[row * n + t * 16 + lx];
    tb[ly * 16 + lx] = b[(t * 16 + ly) * n + col];
    __syncthreads();
#pragma unroll
    for (unsigned kk = 0; kk < 16; kk++) acc = fmaf(ta[ly * 16 + kk], tb[kk * 16 + lx], acc);
    __syncthreads();
  }
  if (row < n && col < n) c[row * n + col] = acc + bias[col];
}

extern "C" int vyb_cuda_matmul_tiled(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  if (nb != 4) return VYB_NATIVE_BAD_SHAPE;
  size_t n = vyb_len<float>(b[3]);
  if (n == 0 || n % 16 || n > 65535 || vyb_len<float>(b[0]) < n * n || vyb_len<float>(b[1]) < n * n ||
      vyb_len<float>(b[2]) != n * n)
    return VYB_NATIVE_BAD_SHAPE;
  return vyb_cuda_go(b, nb, 1u << 2, reps, seconds, [&](vyb_cuda_job &j) {
    dim3 grid((unsigned)n / 16, (unsigned)n / 16), block(16, 16);
    matmul_tiled<<<grid, block>>>(j.ptr<float>(0), j.ptr<float>(1), j.ptr<float>(2), j.ptr<float>(3), (unsigned)n);
  });
}
