/* fault_alloc.c - see fault_alloc.h. Blocks carry a hidden header with their
 * size so that mismatched sizes on free are detected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault_alloc.h"

typedef struct {
  size_t size;
  size_t pad; /* keep 16-byte alignment of the payload */
} header;

static void *fault_fn(void *ud, void *ptr, size_t old_size, size_t new_size) {
  vy_fault_alloc *fa = ud;
  if (new_size == 0) {
    if (!ptr) return NULL;
    header *h = (header *)ptr - 1;
    if (h->size != old_size) fa->size_errors++;
    fa->live_bytes -= h->size;
    fa->live_blocks--;
    free(h);
    return NULL;
  }
  fa->calls++;
  if (fa->fail_at && fa->calls == fa->fail_at) {
    fa->failed = true;
    return NULL;
  }
  if (new_size > SIZE_MAX - sizeof(header)) return NULL;
  header *old = ptr ? (header *)ptr - 1 : NULL;
  if (old && old->size != old_size) fa->size_errors++;
  size_t prev = old ? old->size : 0;
  header *h = realloc(old, sizeof(header) + new_size);
  if (!h) return NULL;
  h->size = new_size;
  fa->live_bytes = fa->live_bytes - prev + new_size;
  if (!old) fa->live_blocks++;
  return h + 1;
}

void vy_fault_alloc_init(vy_fault_alloc *fa, unsigned fail_at) {
  memset(fa, 0, sizeof *fa);
  fa->alloc.fn = fault_fn;
  fa->alloc.ud = fa;
  fa->fail_at = fail_at;
}

unsigned vy_fault_run_all(vy_fault_fn fn, void *ctx) {
  for (unsigned n = 1;; n++) {
    vy_fault_alloc fa;
    vy_fault_alloc_init(&fa, n);
    vy_status st = fn(&fa.alloc, ctx);
    assert_int_equal(fa.live_bytes, 0);
    assert_int_equal(fa.live_blocks, 0);
    assert_int_equal(fa.size_errors, 0);
    if (!fa.failed) {
      assert_int_equal(st, VY_OK);
      print_message("fault injection: %u allocation failure(s) injected, each VY_E_NOMEM, nothing leaked\n", n - 1);
      return n - 1;
    }
    assert_int_equal(st, VY_E_NOMEM);
  }
}
