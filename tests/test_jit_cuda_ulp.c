/* test_jit_cuda_ulp.c - the cuda backend's transcendentals (libdevice)
 * against the interpreter: the largest ULP distance per function over
 * 16384 inputs (tests/support/ulp_sweep.h), which must stay within the
 * bound the README documents for cuda (4 ULP, as llvm-cpu). Skipped where
 * no GPU (or no libdevice) is present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#include "ulp_sweep.h"
#include "vyre/jit.h"
#include "vyre/vyre.h"

static void cuda_transcendentals(void **state) {
  (void)state;
  vy_context_options o;
  vy_context_options_init(&o);
  vy_context *ctx = NULL;
  assert_int_equal(vy_context_create(&o, &ctx, NULL), VY_OK);
  assert_int_equal(vy_jit_register_backends(ctx), VY_OK);
  vy_backend *gpu = NULL, *ref = NULL;
  vy_error e;
  if (vy_backend_open(ctx, "cuda", &gpu, &e) != VY_OK) {
    printf("cuda not available: %s\n", e.message);
    vy_context_destroy(ctx);
    skip();
  }
  assert_int_equal(vy_backend_open(ctx, "reference", &ref, NULL), VY_OK);
  uint32_t worst = vy_ulp_sweep(gpu, ref, "  cuda ");
  vy_backend_close(gpu);
  vy_backend_close(ref);
  vy_context_destroy(ctx);
  assert_true(worst <= 4);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(cuda_transcendentals)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
