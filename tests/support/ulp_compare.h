/* ulp_compare.h - f32 outputs compared within a bound in units in the last
 * place: the one comparison the corpus runner (cases.c), the differential
 * tests (jit_diff.c) and the differential fuzz driver (fuzz_jit.c) apply to
 * the f32 outputs of programs with transcendentals.
 *
 * An output may be a window of its buffer (BufferDecl output_byte_range), so
 * its first byte may sit anywhere in an f32 element and its last element may
 * be cut. Whole elements are compared as floats: NaN only against NaN,
 * otherwise at most `ulp` steps apart on the number line (+0 and -0 are one
 * point). A cut element is compared by the bytes it has, which is all the
 * window tells: taken as a little-endian integer, the low bytes of two floats
 * within `ulp` differ by at most `ulp` (modulo their width); the high bytes
 * (with the sign bit set aside) by at most one carry; different signs pass
 * only near zero.
 *
 * Pure functions, reentrant. Fuzz drivers compile this file in (they link no
 * test support). */
#ifndef VY_ULP_COMPARE_H
#define VY_ULP_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether `len` bytes `a` and `b`, taken from byte `start` of an f32 buffer,
 * hold the same floats within `ulp` (see above). */
bool vy_ulp_within(const uint8_t *a, const uint8_t *b, size_t len, uint64_t start, uint32_t ulp);

#endif
