/* saxpy.c - native baseline of bench/suite/saxpy.vy: y = a * x + y. */
#include <stdint.h>

#include "vyb_native.h"

int vyb_native_saxpy(const vyb_buf *b, size_t nb, int threads);

int vyb_native_saxpy(const vyb_buf *b, size_t nb, int threads) {
  if (nb != 3 || VYB_LEN(float, b[2]) < 1) return VYB_NATIVE_BAD_SHAPE;
  const float *restrict x = VYB_ARRAY(const float, b[0]);
  float *restrict y = VYB_ARRAY(float, b[1]);
  const float a = VYB_ARRAY(const float, b[2])[0];
  size_t n = VYB_LEN(float, b[1]);
  if (VYB_LEN(float, b[0]) < n) return VYB_NATIVE_BAD_SHAPE;
#pragma omp parallel for simd num_threads(threads) schedule(static)
  for (size_t i = 0; i < n; i++) y[i] = a * x[i] + y[i];
  return 0;
}
