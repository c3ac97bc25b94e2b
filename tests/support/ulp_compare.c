/* ulp_compare.c - see ulp_compare.h. */
#include <string.h>

#include "ulp_compare.h"

/* Sign-magnitude f32 bits to a monotone integer line (+0 and -0 meet). */
static int64_t order(uint32_t bits) { return bits >> 31 ? -(int64_t)(bits & 0x7FFFFFFFu) : (int64_t)bits; }

static bool is_nan(uint32_t bits) { return (bits & 0x7FFFFFFFu) > 0x7F800000u; }

/* Bytes lo..hi-1 (0 <= lo < hi <= 4, not all four) of an element, given at x
 * and y. */
static bool cut_within(const uint8_t *x, const uint8_t *y, unsigned lo, unsigned hi, uint32_t ulp) {
  uint64_t a = 0, b = 0;
  for (unsigned i = hi; i-- > lo;) {
    a = a << 8 | x[i - lo];
    b = b << 8 | y[i - lo];
  }
  unsigned width = 8 * (hi - lo);
  uint64_t tol = ulp;
  if (lo) { /* high bytes: one carry at most; the sign bit apart */
    tol = (ulp >> (8 * lo)) + 1;
    if (hi == 4) {
      uint64_t sign = 1ull << (width - 1);
      bool differ = (a ^ b) & sign;
      a &= sign - 1;
      b &= sign - 1;
      if (differ) return a <= tol && b <= tol; /* both near zero */
    }
  }
  uint64_t mod = 1ull << width, d = (a - b) & (mod - 1); /* width <= 24 */
  return d <= tol || mod - d <= tol;
}

bool vy_ulp_within(const uint8_t *a, const uint8_t *b, size_t len, uint64_t start, uint32_t ulp) {
  size_t i = 0;
  while (i < len) {
    unsigned lo = (unsigned)((start + i) % 4), n = 4 - lo;
    if (n > len - i) n = (unsigned)(len - i);
    if (n < 4) {
      if (!cut_within(a + i, b + i, lo, lo + n, ulp)) return false;
    } else {
      uint32_t x, y;
      memcpy(&x, a + i, 4);
      memcpy(&y, b + i, 4);
      if (is_nan(x) || is_nan(y)) {
        if (is_nan(x) != is_nan(y)) return false;
      } else {
        int64_t d = order(x) - order(y);
        if ((d < 0 ? -d : d) > (int64_t)ulp) return false;
      }
    }
    i += n;
  }
  return true;
}
