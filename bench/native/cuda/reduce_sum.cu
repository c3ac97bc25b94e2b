/* reduce_sum.cu - CUDA baseline of bench/suite/reduce_sum.vy: the wrapping
 * u32 sum in two levels. lanes = len(lane_sums) threads (blocks of 256)
 * each add a grid stride of data into lane_sums[g]; each block then
 * reduces its 256 sums as a tree in shared memory (a __syncthreads after
 * every step) and thread 0 adds the block's sum to total[0] atomically. */
#include "vyb_cuda_run.cuh"

__global__ void __launch_bounds__(256) reduce_sum(const unsigned *__restrict__ data, unsigned *__restrict__ lane_sums,
                                                  unsigned *__restrict__ total, unsigned n, unsigned lanes) {
  __shared__ unsigned scratch[256];
  unsigned l = threadIdx.x, g = blockIdx.x * 256u + l;
  unsigned acc = 0;
  for (size_t k = g; k < n; k += lanes) acc += data[k];
  lane_sums[g] = acc;
  scratch[l] = acc;
  __syncthreads();
#pragma unroll
  for (unsigned half = 128; half > 0; half >>= 1) {
    if (l < half) scratch[l] += scratch[l + half];
    __syncthreads();
  }
  if (l == 0) atomicAdd(total, scratch[0]);
}

extern "C" int vyb_cuda_reduce_sum(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  if (nb != 3 || vyb_len<unsigned>(b[2]) != 1) return VYB_NATIVE_BAD_SHAPE;
  size_t n = vyb_len<unsigned>(b[0]), lanes = vyb_len<unsigned>(b[1]);
  if (lanes == 0 || lanes % 256 || n > UINT32_MAX) return VYB_NATIVE_BAD_SHAPE;
  return vyb_cuda_go(b, nb, 1u << 1 | 1u << 2, reps, seconds, [&](vyb_cuda_job &j) {
    reduce_sum<<<(unsigned)(lanes / 256), 256>>>(j.ptr<unsigned>(0), j.ptr<unsigned>(1), j.ptr<unsigned>(2),
                                                 (unsigned)n, (unsigned)lanes);
  });
}
