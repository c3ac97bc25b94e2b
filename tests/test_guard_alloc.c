/* test_guard_alloc.c - the guard-page allocator of the test support
 * (tests/support/guard_alloc.h) really traps: a child process that reads
 * or writes just past a block, or just before it, dies of SIGSEGV, while
 * every byte of the block is usable and realloc keeps the contents. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard_alloc.h"

/* Runs touch(p, at) in a child; returns the signal that ended it (0 = none). */
static int child_signal(volatile uint8_t *p, ptrdiff_t at, int write) {
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL); /* cmocka's handler would report and exit normally */
    if (write) p[at] = 1;
    else if (p[at] == 0xEE) _exit(3);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* AddressSanitizer owns SIGSEGV handling (and the guard test's purpose,
 * catching stray accesses of uninstrumented JIT code, is served by the
 * plain build's test_jit_cases_guard), so the check runs without it. */
#if defined(__SANITIZE_ADDRESS__)
#define VY_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VY_UNDER_ASAN 1
#endif
#endif

static void traps_outside_blocks(void **state) {
  (void)state;
#ifdef VY_UNDER_ASAN
  skip();
#endif
  const vy_allocator *a = vy_guard_allocator();
  size_t sizes[] = {1, 12, 16, 4095, 4096, 10000};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    size_t n = sizes[i], r = (n + 15) / 16 * 16;
    uint8_t *p = a->fn(a->ud, NULL, 0, n);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    memset(p, 0xAB, n); /* every byte usable */
    assert_int_equal(child_signal(p, (ptrdiff_t)n - 1, 1), 0);
    assert_int_equal(child_signal(p, (ptrdiff_t)r, 0), SIGSEGV);  /* first byte past the rounded end */
    assert_int_equal(child_signal(p, (ptrdiff_t)r, 1), SIGSEGV);
    assert_int_equal(child_signal(p, -4097, 0), SIGSEGV); /* the page before the block's page */
    uint8_t *q = a->fn(a->ud, p, n, n + 100);
    assert_non_null(q);
    for (size_t j = 0; j < n; j++) assert_int_equal(q[j], 0xAB);
    assert_int_equal(child_signal(q, (ptrdiff_t)((n + 100 + 15) / 16 * 16), 0), SIGSEGV);
    assert_null(a->fn(a->ud, q, n + 100, 0));
  }
  uint32_t src[3] = {1, 2, 3};
  uint8_t *c = vy_guard_copy(src, sizeof src);
  assert_memory_equal(c, src, sizeof src);
  assert_int_equal(child_signal(c, 16, 0), SIGSEGV);
  vy_guard_free(c, sizeof src);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(traps_outside_blocks)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
