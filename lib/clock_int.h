/* clock_int.h - the monotonic clock every timeout and measurement of the
 * library reads (CLOCK_MONOTONIC, nanoseconds). */
#ifndef VYRE_CLOCK_INT_H
#define VYRE_CLOCK_INT_H

#include <stdint.h>
#include <time.h>

#ifndef CLOCK_MONOTONIC /* strict -std=c11 hides POSIX clocks unless the file asked for them */
#error "clock_int.h needs POSIX: define _POSIX_C_SOURCE 200809L (or _GNU_SOURCE) before any #include"
#endif

/* Nanoseconds since an arbitrary fixed point; never goes backwards. */
static inline uint64_t vy_clock_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
