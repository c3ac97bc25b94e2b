/* test_ulp_compare.c - the ULP comparison the differential tests and the
 * fuzz driver apply to f32 outputs of programs with transcendentals
 * (tests/support/ulp_compare.h), on windows of a buffer. Expected results
 * are worked out by hand from the f32 bit patterns in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ulp_compare.h"

/* Little-endian bytes of the words w[0..n-1] into out. */
static void put(uint8_t *out, const uint32_t *w, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (unsigned k = 0; k < 4; k++) out[4 * i + k] = (uint8_t)(w[i] >> (8 * k));
}

static bool within(uint32_t x, uint32_t y, uint64_t start, size_t len, uint32_t ulp) {
  uint8_t a[4], b[4];
  put(a, &x, 1);
  put(b, &y, 1);
  return vy_ulp_within(a + start, b + start, len, start, ulp);
}

static void whole_elements(void **state) {
  (void)state;
  assert_true(within(0x3F800000u, 0x3F800004u, 0, 4, 4));  /* 1.0 and 4 steps up */
  assert_false(within(0x3F800000u, 0x3F800005u, 0, 4, 4)); /* 5 steps */
  assert_true(within(0x00000000u, 0x80000000u, 0, 4, 0));  /* +0, -0: one point */
  assert_true(within(0x00000001u, 0x80000001u, 0, 4, 2));  /* -1 and +1 step: 2 apart */
  assert_false(within(0x00000001u, 0x80000001u, 0, 4, 1));
  assert_true(within(0x7FC00000u, 0x7F800001u, 0, 4, 0));  /* NaN against NaN */
  assert_false(within(0x7FC00000u, 0x3F800000u, 0, 4, 4)); /* NaN against 1.0 */
  assert_false(within(0x3F800000u, 0xBF800000u, 0, 4, 4)); /* 1.0 and -1.0 */
}

static void cut_elements(void **state) {
  (void)state;
  /* low 3 bytes (output_byte_range 0..3): 0x800000 and 0x7FFFFE, 2 apart */
  assert_true(within(0x3F800000u, 0x3F7FFFFEu, 0, 3, 4));
  assert_false(within(0x3F800000u, 0x3F7FFFFEu, 0, 3, 1));
  assert_false(within(0x3F800000u, 0x3F800100u, 0, 3, 4)); /* 256 steps */
  /* high 3 bytes (1..4): 0x3F8000 and 0x3F7FFF differ by one carry */
  assert_true(within(0x3F800000u, 0x3F7FFFFFu, 1, 3, 4));
  assert_false(within(0x3F800000u, 0x3E800000u, 1, 3, 4));
  /* signs differ: only near zero (both magnitudes' high bytes 0) */
  assert_true(within(0x00000001u, 0x80000002u, 1, 3, 4));
  assert_false(within(0x3F800000u, 0xBF800000u, 1, 3, 4));
  /* a middle byte alone (1..2): 0x00 vs 0xFF is one carry */
  assert_true(within(0x3F800000u, 0x3F7FFFFFu, 1, 1, 4));
}

static void windows_across_elements(void **state) {
  (void)state;
  /* bytes 2..10 of [1.0, 2.0, 3.0] against [1.0 + 1 step, 2.0 + 3 steps, 3.0 - 1 step] */
  uint32_t x[3] = {0x3F800000u, 0x40000000u, 0x40400000u}, y[3] = {0x3F800001u, 0x40000003u, 0x403FFFFFu};
  uint8_t a[12], b[12];
  put(a, x, 3);
  put(b, y, 3);
  assert_true(vy_ulp_within(a + 2, b + 2, 8, 2, 3));
  assert_false(vy_ulp_within(a + 2, b + 2, 8, 2, 2)); /* the whole middle element is 3 apart */
  y[2] = 0x40400000u + 0x20000u;                      /* the cut low bytes of the last: 0x0000 vs 0x0000 */
  put(b, y, 3);
  assert_true(vy_ulp_within(a + 2, b + 2, 8, 2, 3)); /* what the window cannot see */
  assert_false(vy_ulp_within(a, b, 12, 0, 3));       /* the whole buffer sees it */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(whole_elements),
      cmocka_unit_test(cut_elements),
      cmocka_unit_test(windows_across_elements),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
