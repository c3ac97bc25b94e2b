/* test_jit_stream.c - test_stream.c's cases on llvm-cpu as well as the
 * reference (the same file, built with the JIT linked in). */
#define VY_TEST_WITH_JIT 1
#include "test_stream.c"
