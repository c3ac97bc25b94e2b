/* fault_alloc.h - a counting allocator that fails the Nth allocation and
 * tracks live bytes, for the fault-injection tests (style-anchors §8.5).
 *
 * Typical use, once per public entry point:
 *
 *   for (unsigned n = 1;; n++) {
 *     vy_fault_alloc fa; vy_fault_alloc_init(&fa, n);
 *     vy_status st = entry_point(&fa.alloc, ...);
 *     ...free what succeeded...
 *     assert_int_equal(fa.live_bytes, 0);           // nothing leaked
 *     if (!fa.failed) break;                         // ran to completion
 *     assert_int_equal(st, VY_E_NOMEM);              // clean error
 *   }
 */
#ifndef VY_FAULT_ALLOC_H
#define VY_FAULT_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include "vyre/status.h"

typedef struct vy_fault_alloc {
  vy_allocator alloc;   /* pass &fa.alloc to the library */
  unsigned fail_at;     /* 1-based index of the (re)allocation to fail; 0 = never */
  unsigned calls;       /* allocations and reallocations seen */
  bool failed;          /* the injected failure happened */
  size_t live_bytes;    /* bytes currently allocated */
  size_t live_blocks;   /* blocks currently allocated */
  size_t size_errors;   /* frees/reallocs whose old_size did not match (must stay 0) */
} vy_fault_alloc;

void vy_fault_alloc_init(vy_fault_alloc *fa, unsigned fail_at);

/* Runs `fn(alloc, ctx)` with the Nth allocation failing for N = 1, 2, ...
 * until a run does not hit the injected failure. After every run, checks
 * with cmocka asserts that no bytes leaked and that the run either
 * succeeded or returned VY_E_NOMEM. `fn` must release everything it
 * obtained before returning. Returns the number of failing runs. */
typedef vy_status (*vy_fault_fn)(const vy_allocator *alloc, void *ctx);
unsigned vy_fault_run_all(vy_fault_fn fn, void *ctx);

#endif
