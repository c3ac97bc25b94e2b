/* rule_eval.cu - CUDA baseline of bench/suite/rule_eval.vy: the branchy
 * verdict of each of n records (one thread each, blocks of 256) and a
 * global atomicAdd per record matching rule 16. */
#include "vyb_cuda_run.cuh"

__global__ void __launch_bounds__(256) rule_eval(const unsigned *__restrict__ flags,
                                                 const unsigned *__restrict__ strings,
                                                 const unsigned *__restrict__ offsets,
                                                 const unsigned *__restrict__ sizes, const float *__restrict__ entropy,
                                                 const unsigned *__restrict__ threshold, unsigned *__restrict__ verdict,
                                                 unsigned *__restrict__ total, unsigned n) {
  unsigned i = blockIdx.x * 256u + threadIdx.x;
  if (i >= n) return;
  unsigned f = flags[i], s = strings[i];
  unsigned count = s & 15u, off = offsets[i] & 1048575u, size = sizes[i] & 1048575u;
  unsigned v = 0;
  if ((f & 1u) != 0 && size < 65536u) v |= 1u;
  if (count >= 8u) {
    if (entropy[i] > 0.75f)
      v |= 2u;
    else if ((f & 6u) == 6u)
      v |= 4u;
  }
  if (off < size && (off & 15u) == 0) v |= 8u;
  unsigned hits = 0;
#pragma unroll
  for (unsigned b = 0; b < 16; b++)
    if ((f >> b & s >> b & off >> b & 1u) != 0) hits++;
  if (hits >= threshold[0]) {
    v |= 16u;
    atomicAdd(total, 1u);
  }
  verdict[i] = v;
}

extern "C" int vyb_cuda_rule_eval(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  if (nb != 8 || vyb_len<unsigned>(b[5]) != 1 || vyb_len<unsigned>(b[7]) != 1) return VYB_NATIVE_BAD_SHAPE;
  size_t n = vyb_len<unsigned>(b[6]);
  if (n == 0 || n > UINT32_MAX) return VYB_NATIVE_BAD_SHAPE;
  for (int k = 0; k < 5; k++)
    if (b[k].bytes / 4 < n) return VYB_NATIVE_BAD_SHAPE;
  return vyb_cuda_go(b, nb, 1u << 6 | 1u << 7, reps, seconds, [&](vyb_cuda_job &j) {
    rule_eval<<<vyb_blocks(n, 256), 256>>>(j.ptr<unsigned>(0), j.ptr<unsigned>(1), j.ptr<unsigned>(2),
                                           j.ptr<unsigned>(3), j.ptr<float>(4), j.ptr<unsigned>(5),
                                           j.ptr<unsigned>(6), j.ptr<unsigned>(7), (unsigned)n);
  });
}
