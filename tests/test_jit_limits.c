/* test_jit_limits.c - workgroup shapes at and past each backend's limits
 * (issue 10 §1), on every backend that can run here (reference, llvm-cpu,
 * and cuda where a GPU is present): at the limit the program runs and
 * every invocation writes its own local index; one past it, the program
 * is refused before anything runs with VY_E_INVALID_PROGRAM naming the
 * limit. The limits come from each backend's capability answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vyre/jit.h"
#include "vyre/vyre.h"

/* out[lid.x + wx * lid.y] = that index, one workgroup of wx * wy. */
static vy_program *shape(uint32_t wx, uint32_t wy) {
  vy_builder *b;
  if (vy_builder_create(NULL, &b) != VY_OK) return NULL;
  vy_b_count(b, vy_b_output(b, "out", 0, VY_TYPE_U32), wx * wy);
  vy_b_workgroup_size(b, wx, wy, 1);
  vy_b_let(b, "i", vy_b_bin(b, VY_BINOP_ADD, vy_b_local_id(b, 0),
                            vy_b_bin(b, VY_BINOP_MUL, vy_b_u32(b, wx), vy_b_local_id(b, 1))));
  vy_b_store(b, "out", vy_b_var(b, "i"), vy_b_var(b, "i"));
  vy_program *p = NULL;
  vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL);
  vy_builder_destroy(b);
  return p;
}

static void expect_runs(vy_backend *be, uint32_t wx, uint32_t wy) {
  vy_program *p = shape(wx, wy);
  assert_non_null(p);
  vy_outputs o;
  vy_error e;
  vy_status st = vy_dispatch(be, p, NULL, 0, NULL, &o, &e);
  if (st != VY_OK) fail_msg("%s, workgroup %ux%u: %s", vy_backend_id(be), wx, wy, e.message);
  assert_int_equal(o.items[0].len, (size_t)wx * wy * 4);
  for (uint32_t i = 0; i < wx * wy; i++) {
    uint32_t v;
    memcpy(&v, o.items[0].data + 4 * (size_t)i, 4);
    if (v != i) fail_msg("%s, workgroup %ux%u: out[%u] = %u", vy_backend_id(be), wx, wy, i, v);
  }
  vy_outputs_free(&o);
  vy_program_destroy(p);
}

static void expect_refused(vy_backend *be, uint32_t wx, uint32_t wy) {
  vy_program *p = shape(wx, wy);
  assert_non_null(p);
  vy_outputs o;
  vy_error e;
  vy_status st = vy_dispatch(be, p, NULL, 0, NULL, &o, &e);
  if (st != VY_E_INVALID_PROGRAM && st != VY_E_UNSUPPORTED)
    fail_msg("%s, workgroup %ux%u: status %s, want a refusal", vy_backend_id(be), wx, wy, vy_status_name(st));
  assert_non_null(strstr(e.message, vy_backend_id(be)));
  assert_non_null(strstr(e.message, "Fix:"));
  assert_int_equal(o.count, 0);
  vy_program_destroy(p);
}

static void limits_on_every_backend(void **state) {
  (void)state;
  vy_context_options opt;
  vy_context_options_init(&opt);
  vy_context *ctx = NULL;
  assert_int_equal(vy_context_create(&opt, &ctx, NULL), VY_OK);
  assert_int_equal(vy_jit_register_backends(ctx), VY_OK);
  for (size_t i = 0; i < vy_context_backend_count(ctx); i++) {
    const char *id = vy_context_backend_id(ctx, i);
    vy_backend *be = NULL;
    if (vy_context_probe_backend(ctx, id, NULL) != VY_OK || vy_backend_open(ctx, id, &be, NULL) != VY_OK) {
      printf("%s: not available here, skipped\n", id);
      continue;
    }
    vy_backend_caps c;
    vy_backend_capabilities(be, &c);
    uint32_t maxx = c.max_workgroup_size[0], maxinv = c.max_invocations_per_workgroup;
    /* at the limits (capped at 2^16 invocations so the interpreter stays quick) */
    uint32_t atx = maxx < maxinv ? maxx : maxinv;
    if (atx > 65536) atx = 65536;
    expect_runs(be, atx, 1);
    if (maxinv <= 65536 && maxinv / 2 <= c.max_workgroup_size[1]) expect_runs(be, 2, maxinv / 2);
    /* past them */
    expect_refused(be, maxx + 1, 1);
    if (maxinv < UINT32_MAX / 2 && (maxinv + 1) / 2 + 1 <= c.max_workgroup_size[1] && maxinv / 2 + 1 <= maxx)
      expect_refused(be, 2, maxinv / 2 + 1); /* each axis fine, the product one too many */
    printf("%s: max workgroup %u x %u x %u, %u invocations: at-limit runs, past-limit refused\n", id,
           c.max_workgroup_size[0], c.max_workgroup_size[1], c.max_workgroup_size[2], maxinv);
    vy_backend_close(be);
  }
  vy_context_destroy(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(limits_on_every_backend)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
