/* stencil1d.c - native baseline of bench/suite/stencil1d.vy:
 * dst[i] = 0.1 * (s[i-2] + s[i+2]) + 0.2 * (s[i-1] + s[i+1]) + 0.4 * s[i],
 * edges clamped, operations in the program's order. */
#include <stdint.h>

#include "vyb_native.h"

int vyb_native_stencil1d(const vyb_buf *b, size_t nb, int threads);

static inline float point(float l2, float l1, float c, float r1, float r2) {
  return 0.1f * (l2 + r2) + 0.2f * (l1 + r1) + 0.4f * c;
}

int vyb_native_stencil1d(const vyb_buf *b, size_t nb, int threads) {
  if (nb != 2) return VYB_NATIVE_BAD_SHAPE;
  const float *restrict s = VYB_ARRAY(const float, b[0]);
  float *restrict d = VYB_ARRAY(float, b[1]);
  size_t n = VYB_LEN(float, b[1]);
  if (VYB_LEN(float, b[0]) != n || n < 4) return VYB_NATIVE_BAD_SHAPE;
  size_t last = n - 1;
#pragma omp parallel for simd num_threads(threads) schedule(static)
  for (size_t i = 2; i < n - 2; i++) d[i] = point(s[i - 2], s[i - 1], s[i], s[i + 1], s[i + 2]);
  d[0] = point(s[0], s[0], s[0], s[1], s[2]);
  d[1] = point(s[0], s[0], s[1], s[2], s[3]);
  d[last - 1] = point(s[last - 3], s[last - 2], s[last - 1], s[last], s[last]);
  d[last] = point(s[last - 2], s[last - 1], s[last], s[last], s[last]);
  return 0;
}
