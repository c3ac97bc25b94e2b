/* reduce_sum.c - native baseline of bench/suite/reduce_sum.vy: lane g of
 * L = len(lane_sums) sums data[g], data[g + L], ... (wrapping u32), and
 * total[0] gets the sum of all lanes. Threads own contiguous blocks of
 * lanes and stream the data row by row (a row is L words), so every add is
 * a vector add of contiguous words into an L1/L2-resident block. */
#include <stdint.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "vyb_native.h"

int vyb_native_reduce_sum(const vyb_buf *b, size_t nb, int threads);

int vyb_native_reduce_sum(const vyb_buf *b, size_t nb, int threads) {
  if (nb != 3 || VYB_LEN(uint32_t, b[1]) == 0 || VYB_LEN(uint32_t, b[2]) < 1) return VYB_NATIVE_BAD_SHAPE;
  const uint32_t *restrict data = VYB_ARRAY(const uint32_t, b[0]);
  uint32_t *restrict lanes = VYB_ARRAY(uint32_t, b[1]);
  size_t n = VYB_LEN(uint32_t, b[0]), nl = VYB_LEN(uint32_t, b[1]);
  size_t full_rows = n / nl, tail = n % nl;
  uint32_t total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
  {
    int t = 0, nt = 1;
#ifdef _OPENMP
    t = omp_get_thread_num();
    nt = omp_get_num_threads();
#endif
    size_t lo = nl * (size_t)t / (size_t)nt, hi = nl * (size_t)(t + 1) / (size_t)nt;
    uint32_t *restrict acc = lanes + lo;
    memset(acc, 0, (hi - lo) * sizeof *acc);
    for (size_t r = 0; r < full_rows; r++) {
      const uint32_t *restrict row = data + r * nl + lo;
#pragma omp simd
      for (size_t g = 0; g < hi - lo; g++) acc[g] += row[g];
    }
    const uint32_t *restrict last = data + full_rows * nl;
    for (size_t g = lo; g < hi && g < tail; g++) lanes[g] += last[g];
    uint32_t sum = 0;
#pragma omp simd reduction(+ : sum)
    for (size_t g = 0; g < hi - lo; g++) sum += acc[g];
    total += sum;
  }
  VYB_ARRAY(uint32_t, b[2])[0] += total;
  return 0;
}
