/* test_jit_async.c - test_async.c's cases on llvm-cpu as well as the
 * reference (the same file, built with the JIT linked in). */
#define VY_TEST_WITH_JIT 1
#include "test_async.c"
