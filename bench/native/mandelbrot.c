/* mandelbrot.c - native baseline of bench/suite/mandelbrot.vy: escape-time
 * counts of a w x h image, w = shape[0], max_iter = shape[1], each f32
 * operation in the program's order (so the counts agree exactly). Rows
 * cost very different amounts, so they are handed out dynamically. */
#include <stdint.h>

#include "vyb_native.h"

int vyb_native_mandelbrot(const vyb_buf *b, size_t nb, int threads);

int vyb_native_mandelbrot(const vyb_buf *b, size_t nb, int threads) {
  if (nb != 2 || VYB_LEN(uint32_t, b[0]) < 2) return VYB_NATIVE_BAD_SHAPE;
  uint32_t w = VYB_ARRAY(const uint32_t, b[0])[0], max_iter = VYB_ARRAY(const uint32_t, b[0])[1];
  uint32_t *restrict out = VYB_ARRAY(uint32_t, b[1]);
  size_t n = VYB_LEN(uint32_t, b[1]);
  if (w == 0 || n % w != 0) return VYB_NATIVE_BAD_SHAPE;
  float step = 3.0f / (float)w;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (size_t row = 0; row < n / w; row++) {
    float cy = -1.125f + (float)(uint32_t)row * step;
    for (uint32_t col = 0; col < w; col++) {
      float cx = -2.0f + (float)col * step;
      float x = 0.0f, y = 0.0f;
      uint32_t k = 0;
      for (; k < max_iter; k++) {
        float xx = x * x, yy = y * y;
        if (xx + yy > 4.0f) break;
        y = 2.0f * x * y + cy;
        x = xx - yy + cx;
      }
      out[row * w + col] = k;
    }
  }
  return 0;
}
