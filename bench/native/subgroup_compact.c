/* subgroup_compact.c - native baseline of bench/suite/subgroup_compact.vy:
 * for every aligned group of 32 words (one vyre subgroup), the words with
 * x % 8 == 0 packed to the front in order, and per word the group maximum
 * + the group's wrapping sum + the next word of the group (wrapping). */
#include <stdint.h>

#include "vyb_native.h"

int vyb_native_subgroup_compact(const vyb_buf *b, size_t nb, int threads);

int vyb_native_subgroup_compact(const vyb_buf *b, size_t nb, int threads) {
  if (nb != 3) return VYB_NATIVE_BAD_SHAPE;
  const uint32_t *restrict data = VYB_ARRAY(const uint32_t, b[0]);
  uint32_t *restrict packed = VYB_ARRAY(uint32_t, b[1]);
  uint32_t *restrict stats = VYB_ARRAY(uint32_t, b[2]);
  size_t n = VYB_LEN(uint32_t, b[2]);
  if (n % 32 != 0 || VYB_LEN(uint32_t, b[0]) < n || VYB_LEN(uint32_t, b[1]) < n) return VYB_NATIVE_BAD_SHAPE;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (size_t g = 0; g < n / 32; g++) {
    const uint32_t *restrict x = data + g * 32;
    uint32_t *restrict p = packed + g * 32;
    uint32_t *restrict s = stats + g * 32;
    uint32_t max = 0, sum = 0;
#pragma omp simd reduction(max : max) reduction(+ : sum)
    for (int l = 0; l < 32; l++) {
      max = x[l] > max ? x[l] : max;
      sum += x[l];
    }
    for (int l = 0; l < 32; l++) s[l] = max + sum + x[(l + 1) & 31];
    int k = 0;
    for (int l = 0; l < 32; l++)
      if ((x[l] & 7u) == 0) p[k++] = x[l];
  }
  return 0;
}
