/* measure.c - the clock, repeated runs and their statistics. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_int.h"
#include "error_int.h"

double vyb_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The q-quantile of sorted samples, interpolating between neighbours. */
static double quantile(const double *s, size_t n, double q) {
  double pos = q * (double)(n - 1);
  size_t lo = (size_t)pos;
  if (lo + 1 >= n) return s[n - 1];
  double frac = pos - (double)lo;
  return s[lo] + (s[lo + 1] - s[lo]) * frac;
}

void vyb_stats_compute(double *samples, size_t n, vyb_stats *out) {
  memset(out, 0, sizeof *out);
  out->n = n;
  if (n == 0) return;
  qsort(samples, n, sizeof *samples, cmp_double);
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += samples[i];
  out->min = samples[0];
  out->max = samples[n - 1];
  out->median = quantile(samples, n, 0.5);
  out->p25 = quantile(samples, n, 0.25);
  out->p75 = quantile(samples, n, 0.75);
  out->mean = sum / (double)n;
}

vy_status vyb_measure(const vyb_plan *plan, vyb_run_fn fn, void *ud, void (*tick)(void *ud, size_t reps),
                      vyb_stats *out, vy_error *err) {
  double seconds, start = vyb_now();
  vy_status st;
  do { /* warm-up: at least one run */
    if ((st = fn(ud, &seconds, err)) != VY_OK) return st;
  } while (vyb_now() - start < plan->warmup_seconds);
  size_t cap = plan->min_reps > 64 ? plan->min_reps : 64, n = 0;
  double *samples = malloc(cap * sizeof *samples), total = 0;
  if (!samples) return vy_error_nomem(err);
  start = vyb_now();
  while (n < plan->max_reps &&
         (n < plan->min_reps || (total < plan->min_seconds && vyb_now() - start < plan->max_wall_seconds))) {
    if (n == cap) {
      double *grown = realloc(samples, cap * 2 * sizeof *samples);
      if (!grown) {
        free(samples);
        return vy_error_nomem(err);
      }
      samples = grown;
      cap *= 2;
    }
    if ((st = fn(ud, &seconds, err)) != VY_OK) {
      free(samples);
      return st;
    }
    samples[n++] = seconds;
    total += seconds;
    if (tick) tick(ud, n);
  }
  vyb_stats_compute(samples, n, out);
  free(samples);
  return VY_OK;
}
