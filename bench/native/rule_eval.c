/* rule_eval.c - native baseline of bench/suite/rule_eval.vy: the same five
 * rules per record, written without branches so the record loop
 * vectorizes, the 16-position bit count done with a popcount of the AND of
 * the three masks, and the number of rule-16 records added to total[0]
 * through an OpenMP reduction. */
#include <stdint.h>

#include "vyb_native.h"

int vyb_native_rule_eval(const vyb_buf *b, size_t nb, int threads);

int vyb_native_rule_eval(const vyb_buf *b, size_t nb, int threads) {
  if (nb != 8 || VYB_LEN(uint32_t, b[5]) < 1 || VYB_LEN(uint32_t, b[7]) < 1) return VYB_NATIVE_BAD_SHAPE;
  const uint32_t *restrict flags = VYB_ARRAY(const uint32_t, b[0]);
  const uint32_t *restrict strings = VYB_ARRAY(const uint32_t, b[1]);
  const uint32_t *restrict offsets = VYB_ARRAY(const uint32_t, b[2]);
  const uint32_t *restrict sizes = VYB_ARRAY(const uint32_t, b[3]);
  const float *restrict entropy = VYB_ARRAY(const float, b[4]);
  uint32_t threshold = VYB_ARRAY(const uint32_t, b[5])[0];
  uint32_t *restrict verdict = VYB_ARRAY(uint32_t, b[6]);
  size_t n = VYB_LEN(uint32_t, b[6]);
  for (int k = 0; k < 5; k++)
    if (b[k].bytes / 4 < n) return VYB_NATIVE_BAD_SHAPE;
  uint32_t total = 0;
#pragma omp parallel for simd num_threads(threads) schedule(static) reduction(+ : total)
  for (size_t i = 0; i < n; i++) {
    uint32_t f = flags[i], s = strings[i], count = s & 15u;
    uint32_t off = offsets[i] & 1048575u, size = sizes[i] & 1048575u;
    uint32_t many = count >= 8u, hot = entropy[i] > 0.75f;
    uint32_t hits = (uint32_t)__builtin_popcount(f & s & off & 0xFFFFu), fires = hits >= threshold;
    uint32_t v = (uint32_t)((f & 1u) && size < 65536u) | (many & hot) << 1 |
                 (many & (hot ^ 1u) & ((f & 6u) == 6u)) << 2 | (uint32_t)(off < size && (off & 15u) == 0) << 3 |
                 fires << 4;
    total += fires;
    verdict[i] = v;
  }
  VYB_ARRAY(uint32_t, b[7])[0] += total;
  return 0;
}
