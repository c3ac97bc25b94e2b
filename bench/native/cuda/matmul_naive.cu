/* matmul_naive.cu - CUDA baseline of bench/suite/matmul_naive.vy:
 * C = A * B + bias, one thread per element of C (x = column, y = row) in
 * 16 x 16 blocks, each running the whole dot product from global memory
 * with fmaf in k order. */
#include "vyb_cuda_run.cuh"

__global__ void __launch_bounds__(256) matmul_naive(const float *__restrict__ a, const float *__restrict__ b,
                                                    float *__restrict__ c, const float *__restrict__ bias,
                                                    unsigned n) {
  unsigned col = blockIdx.x * 16u + threadIdx.x, row = blockIdx.y * 16u + threadIdx.y;
  if (row < n && col < n) {
    float acc = 0.0f;
    for (unsigned k = 0; k < n; k++) acc = fmaf(a[row * n + k], b[k * n + col], acc);
    c[row * n + col] = acc + bias[col];
  }
}

extern "C" int vyb_cuda_matmul_naive(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  if (nb != 4) return VYB_NATIVE_BAD_SHAPE;
  size_t n = vyb_len<float>(b[3]);
  if (n == 0 || n % 16 || n > 65535 || vyb_len<float>(b[0]) < n * n || vyb_len<float>(b[1]) < n * n ||
      vyb_len<float>(b[2]) != n * n)
    return VYB_NATIVE_BAD_SHAPE;
  return vyb_cuda_go(b, nb, 1u << 2, reps, seconds, [&](vyb_cuda_job &j) {
    dim3 grid((unsigned)n / 16, (unsigned)n / 16), block(16, 16);
    matmul_naive<<<grid, block>>>(j.ptr<float>(0), j.ptr<float>(1), j.ptr<float>(2), j.ptr<float>(3), (unsigned)n);
  });
}
