/* matmul.c - native baseline of bench/suite/matmul_naive.vy and
 * matmul_tiled.vy: C = A * B + bias for n x n row-major f32 matrices,
 * n = len(bias). Every element accumulates fma(A[i][k], B[k][j], acc) for
 * k = 0..n-1 in order from 0, then adds bias[j], as both programs do, so
 * the result is bit-identical. Threads take blocks of 4 rows; for each k,
 * one row of B is loaded once and used for the 4 rows of C (a register
 * block), with the j loop vectorized over a row block kept in L1. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "vyb_native.h"

int vyb_native_matmul(const vyb_buf *b, size_t nb, int threads);

enum { ROWS = 4, COLS = 512 };

/* C[i0..i0+rows)[j0..j0+cols) for all k. */
static void block(const float *restrict a, const float *restrict bm, float *restrict c, size_t n, size_t i0,
                  size_t rows, size_t j0, size_t cols) {
  float acc[ROWS][COLS];
  memset(acc, 0, sizeof acc);
  for (size_t k = 0; k < n; k++) {
    const float *restrict brow = bm + k * n + j0;
    if (rows == ROWS) {
      float a0 = a[(i0 + 0) * n + k], a1 = a[(i0 + 1) * n + k], a2 = a[(i0 + 2) * n + k], a3 = a[(i0 + 3) * n + k];
#pragma omp simd
      for (size_t j = 0; j < cols; j++) {
        float bv = brow[j];
        acc[0][j] = fmaf(a0, bv, acc[0][j]);
        acc[1][j] = fmaf(a1, bv, acc[1][j]);
        acc[2][j] = fmaf(a2, bv, acc[2][j]);
        acc[3][j] = fmaf(a3, bv, acc[3][j]);
      }
    } else {
      for (size_t r = 0; r < rows; r++) {
        float av = a[(i0 + r) * n + k];
#pragma omp simd
        for (size_t j = 0; j < cols; j++) acc[r][j] = fmaf(av, brow[j], acc[r][j]);
      }
    }
  }
  for (size_t r = 0; r < rows; r++) memcpy(c + (i0 + r) * n + j0, acc[r], cols * sizeof(float));
}

int vyb_native_matmul(const vyb_buf *b, size_t nb, int threads) {
  if (nb != 4) return VYB_NATIVE_BAD_SHAPE;
  size_t n = VYB_LEN(float, b[3]);
  if (VYB_LEN(float, b[0]) < n * n || VYB_LEN(float, b[1]) < n * n || VYB_LEN(float, b[2]) < n * n)
    return VYB_NATIVE_BAD_SHAPE;
  const float *restrict a = VYB_ARRAY(const float, b[0]);
  const float *restrict bm = VYB_ARRAY(const float, b[1]);
  float *restrict c = VYB_ARRAY(float, b[2]);
  const float *restrict bias = VYB_ARRAY(const float, b[3]);
  size_t row_blocks = (n + ROWS - 1) / ROWS, col_blocks = (n + COLS - 1) / COLS;
#pragma omp parallel for num_threads(threads) schedule(static) collapse(2)
  for (size_t rb = 0; rb < row_blocks; rb++)
    for (size_t cb = 0; cb < col_blocks; cb++) {
      size_t i0 = rb * ROWS, j0 = cb * COLS;
      size_t rows = n - i0 < ROWS ? n - i0 : ROWS, cols = n - j0 < COLS ? n - j0 : COLS;
      block(a, bm, c, n, i0, rows, j0, cols);
      for (size_t r = 0; r < rows; r++) {
        float *restrict crow = c + (i0 + r) * n + j0;
#pragma omp simd
        for (size_t j = 0; j < cols; j++) crow[j] = crow[j] + bias[j0 + j];
      }
    }
  return 0;
}
