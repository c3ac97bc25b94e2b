/* subgroup_compact.cu - CUDA baseline of bench/suite/subgroup_compact.vy
 * on 32-lane warps (blocks of 256): the elements with x % 8 == 0 packed to
 * the front of their group of 32 by a ballot and a popcount of the lanes
 * below, and stats = warp max (five xor shuffles) + warp sum
 * (__reduce_add_sync) + the next lane's x (a shuffle). */
#include "vyb_cuda_run.cuh"

__global__ void __launch_bounds__(256) subgroup_compact(const unsigned *__restrict__ data,
                                                        unsigned *__restrict__ packed, unsigned *__restrict__ stats,
                                                        unsigned n) {
  unsigned i = blockIdx.x * 256u + threadIdx.x, lane = threadIdx.x & 31u;
  if ((i & ~31u) >= n) return; /* n is a multiple of 32: whole warps leave */
  const unsigned all = 0xffffffffu;
  unsigned x = data[i];
  bool hit = (x & 7u) == 0;
  unsigned mask = __ballot_sync(all, hit);
  unsigned rank = __popc(mask & ((1u << lane) - 1u));
  unsigned total = __reduce_add_sync(all, x);
  unsigned right = __shfl_sync(all, x, (lane + 1u) & 31u);
  unsigned m = x;
  m = max(m, __shfl_xor_sync(all, m, 16));
  m = max(m, __shfl_xor_sync(all, m, 8));
  m = max(m, __shfl_xor_sync(all, m, 4));
  m = max(m, __shfl_xor_sync(all, m, 2));
  m = max(m, __shfl_xor_sync(all, m, 1));
  if (hit) packed[(i & ~31u) + rank] = x;
  stats[i] = m + total + right;
}

extern "C" int vyb_cuda_subgroup_compact(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  if (nb != 3) return VYB_NATIVE_BAD_SHAPE;
  size_t n = vyb_len<unsigned>(b[2]);
  if (n == 0 || n % 32 || n > UINT32_MAX - 256 || vyb_len<unsigned>(b[0]) != n || vyb_len<unsigned>(b[1]) != n)
    return VYB_NATIVE_BAD_SHAPE;
  return vyb_cuda_go(b, nb, 1u << 1 | 1u << 2, reps, seconds, [&](vyb_cuda_job &j) {
    subgroup_compact<<<vyb_blocks(n, 256), 256>>>(j.ptr<unsigned>(0), j.ptr<unsigned>(1), j.ptr<unsigned>(2),
                                                  (unsigned)n);
  });
}
