/* ulp_sweep.h - the transcendental accuracy measurement shared by the
 * compiled backends' tests: each f32 transcendental over 16384 inputs
 * spread over a range where it is finite, on a backend and on the
 * reference interpreter, and the largest distance in units in the last
 * place between the two (NaN equals NaN only). */
#ifndef VY_ULP_SWEEP_H
#define VY_ULP_SWEEP_H

#include <stdint.h>

#include "vyre/backend.h"

/* ULPs between two floats (UINT32_MAX when only one is NaN). */
uint32_t vy_ulp_distance(float a, float b);

/* Runs the sweep of every transcendental on `be` and `ref`, prints one
 * line per function ("<prefix>sin max 2 ULP ...") and returns the largest
 * distance over all; fails the cmocka test on a dispatch error. */
uint32_t vy_ulp_sweep(vy_backend *be, vy_backend *ref, const char *prefix);

#endif
