/* histogram.c - native baseline of bench/suite/histogram.vy: a 256-bin
 * histogram of every byte of the u32 words. Each thread counts its share
 * into private tables (one per byte position, so consecutive increments of
 * one bin do not wait on each other) and merges them once at the end. */
#include <stdint.h>
#include <string.h>

#include "vyb_native.h"

int vyb_native_histogram(const vyb_buf *b, size_t nb, int threads);

int vyb_native_histogram(const vyb_buf *b, size_t nb, int threads) {
  if (nb != 2 || VYB_LEN(uint32_t, b[1]) < 256) return VYB_NATIVE_BAD_SHAPE;
  const uint32_t *restrict data = VYB_ARRAY(const uint32_t, b[0]);
  uint32_t *restrict bins = VYB_ARRAY(uint32_t, b[1]);
  size_t n = VYB_LEN(uint32_t, b[0]);
#pragma omp parallel num_threads(threads)
  {
    uint32_t local[4][256];
    memset(local, 0, sizeof local);
#pragma omp for schedule(static) nowait
    for (size_t i = 0; i < n; i++) {
      uint32_t w = data[i];
      local[0][w & 255]++;
      local[1][(w >> 8) & 255]++;
      local[2][(w >> 16) & 255]++;
      local[3][w >> 24]++;
    }
    for (int k = 0; k < 256; k++) {
      uint32_t c = local[0][k] + local[1][k] + local[2][k] + local[3][k];
#pragma omp atomic
      bins[k] += c;
    }
  }
  return 0;
}
