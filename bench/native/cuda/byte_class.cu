/* byte_class.cu - CUDA baseline of bench/suite/byte_class.vy: per u32 word
 * of text, the digit, letter, space and word-start masks of its 4 bytes,
 * the popcount of the starts and the clamped ctz of the digits. */
#include "vyb_cuda_run.cuh"

__global__ void __launch_bounds__(256) byte_class(const unsigned *__restrict__ text, unsigned *__restrict__ classes,
                                                  unsigned n) {
  unsigned i = blockIdx.x * 256u + threadIdx.x;
  if (i >= n) return;
  unsigned w = text[i];
  unsigned before = i ? text[i - 1] >> 24 : 0u; /* word 0 has no previous byte */
  bool after_letter = (before | 32u) - 97u < 26u;
  unsigned digits = 0, letters = 0, spaces = 0, starts = 0;
#pragma unroll
  for (unsigned j = 0; j < 4; j++) {
    unsigned c = (w >> (j * 8)) & 255u;
    bool letter = (c | 32u) - 97u < 26u;
    bool digit = c - 48u < 10u;
    bool space = c == 32u || c - 9u < 5u;
    digits |= (unsigned)digit << j;
    letters |= (unsigned)letter << j;
    spaces |= (unsigned)space << j;
    starts |= (unsigned)(letter && !after_letter) << j;
    after_letter = letter;
  }
  unsigned masks = digits | letters << 4 | spaces << 8 | starts << 12;
  unsigned ctz = digits ? (unsigned)(__ffs(digits) - 1) : 32u;
  classes[i] = masks | (unsigned)__popc(starts) << 16 | min(ctz, 4u) << 20;
}

extern "C" int vyb_cuda_byte_class(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  if (nb != 2) return VYB_NATIVE_BAD_SHAPE;
  size_t n = vyb_len<unsigned>(b[1]);
  if (n == 0 || n > UINT32_MAX || vyb_len<unsigned>(b[0]) < n) return VYB_NATIVE_BAD_SHAPE;
  return vyb_cuda_go(b, nb, 1u << 1, reps, seconds, [&](vyb_cuda_job &j) {
    byte_class<<<vyb_blocks(n, 256), 256>>>(j.ptr<unsigned>(0), j.ptr<unsigned>(1), (unsigned)n);
  });
}
