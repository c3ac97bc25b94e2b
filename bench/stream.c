/* stream.c - the machine's memory bandwidth, measured in the same run as
 * the benchmark (after John McCalpin's STREAM, written anew): copy c = a
 * and triad a = b + s * c over arrays of doubles, each run `reps` times
 * with OpenMP static scheduling; the best repetition counts, and bytes
 * are counted as STREAM does (16 per element for copy, 24 for triad; the
 * write-allocate traffic of a store miss is not counted). Compiled into
 * the native baseline library with the same compiler and flags. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vyb_native.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int vyb_stream(size_t elements, int reps, int threads, vyb_stream_result *out) {
  size_t bytes = elements * sizeof(double);
  double *a = aligned_alloc(64, (bytes + 63) / 64 * 64);
  double *b = aligned_alloc(64, (bytes + 63) / 64 * 64);
  double *c = aligned_alloc(64, (bytes + 63) / 64 * 64);
  int rc = -1;
  if (!a || !b || !c || elements == 0 || reps < 1 || threads < 1) goto done;
    /* first touch by the threads that will use each page */
#pragma omp parallel for simd num_threads(threads) schedule(static)
  for (size_t i = 0; i < elements; i++) {
    a[i] = 1.0;
    b[i] = 2.0;
    c[i] = 0.0;
  }
  double best_copy = 1e30, best_triad = 1e30;
  const double s = 3.0;
  for (int r = 0; r < reps; r++) {
    double t0 = now_s();
#pragma omp parallel for simd num_threads(threads) schedule(static)
    for (size_t i = 0; i < elements; i++) c[i] = a[i];
    double t1 = now_s();
#pragma omp parallel for simd num_threads(threads) schedule(static)
    for (size_t i = 0; i < elements; i++) a[i] = b[i] + s * c[i];
    double t2 = now_s();
    if (t1 - t0 < best_copy) best_copy = t1 - t0;
    if (t2 - t1 < best_triad) best_triad = t2 - t1;
  }
  /* a use of the results: every round maps a[i] to 2 + 3 * a[i] (exact in doubles) */
  double expect = 1.0;
  for (int r = 0; r < reps; r++) expect = 2.0 + s * expect;
  if (a[elements / 2] != expect) goto done;
  out->copy_gbs = 16.0 * (double)elements / best_copy * 1e-9;
  out->triad_gbs = 24.0 * (double)elements / best_triad * 1e-9;
  out->elements = elements;
  out->threads = threads;
  rc = 0;
done:
  free(a);
  free(b);
  free(c);
  return rc;
}
