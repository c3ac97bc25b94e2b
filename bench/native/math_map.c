/* math_map.c - native baseline of bench/suite/math_map.vy:
 * out = exp(-x) * sin(x + 1) + log(x + 1) * cos(x) + sqrt(x). The C
 * library's functions (vectorized through libmvec where the compiler can)
 * differ from vyre's musl-based ones by a few ULP. */
#include <math.h>

#include "vyb_native.h"

int vyb_native_math_map(const vyb_buf *b, size_t nb, int threads);

int vyb_native_math_map(const vyb_buf *b, size_t nb, int threads) {
  if (nb != 2) return VYB_NATIVE_BAD_SHAPE;
  const float *restrict x = VYB_ARRAY(const float, b[0]);
  float *restrict out = VYB_ARRAY(float, b[1]);
  size_t n = VYB_LEN(float, b[1]);
  if (VYB_LEN(float, b[0]) < n) return VYB_NATIVE_BAD_SHAPE;
#pragma omp parallel for simd num_threads(threads) schedule(static)
  for (size_t i = 0; i < n; i++) {
    float v = x[i];
    out[i] = expf(-v) * sinf(v + 1.0f) + logf(v + 1.0f) * cosf(v) + sqrtf(v);
  }
  return 0;
}
