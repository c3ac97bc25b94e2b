/* byte_class.c - native baseline of bench/suite/byte_class.vy: classify
 * the 4 bytes of every u32 word (digit, letter, space, word start) with
 * branch-free range checks, and pack the masks, the number of word starts
 * and the position of the first digit into one word. The byte loop is
 * unrolled and the word loop vectorized by the compiler. */
#include <stdint.h>

#include "vyb_native.h"

int vyb_native_byte_class(const vyb_buf *b, size_t nb, int threads);

static inline uint32_t is_letter(uint32_t c) { return ((c | 32u) - 97u) < 26u; }

static inline uint32_t classify(uint32_t w, uint32_t before) {
  uint32_t digits = 0, letters = 0, spaces = 0, starts = 0, after = is_letter(before);
  for (uint32_t j = 0; j < 4; j++) {
    uint32_t c = (w >> (j * 8)) & 255u;
    uint32_t letter = is_letter(c);
    digits |= (uint32_t)(c - 48u < 10u) << j;
    letters |= letter << j;
    spaces |= (uint32_t)(c == 32u || c - 9u < 5u) << j;
    starts |= (letter & (after ^ 1u)) << j;
    after = letter;
  }
  uint32_t first_digit = digits ? (uint32_t)__builtin_ctz(digits) : 4u; /* min(ctz, 4); ctz(0) = 32 */
  return digits | letters << 4 | spaces << 8 | starts << 12 | (uint32_t)__builtin_popcount(starts) << 16 |
         first_digit << 20;
}

int vyb_native_byte_class(const vyb_buf *b, size_t nb, int threads) {
  if (nb != 2) return VYB_NATIVE_BAD_SHAPE;
  const uint32_t *restrict text = VYB_ARRAY(const uint32_t, b[0]);
  uint32_t *restrict out = VYB_ARRAY(uint32_t, b[1]);
  size_t n = VYB_LEN(uint32_t, b[1]);
  if (VYB_LEN(uint32_t, b[0]) < n) return VYB_NATIVE_BAD_SHAPE;
  if (n == 0) return 0;
  out[0] = classify(text[0], 0);
#pragma omp parallel for simd num_threads(threads) schedule(static)
  for (size_t i = 1; i < n; i++) out[i] = classify(text[i], text[i - 1] >> 24);
  return 0;
}
