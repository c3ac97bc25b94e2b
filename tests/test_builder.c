/* test_builder.c - the C builder: structure of built programs, Program::wrapped
 * rules (vyre-ir.md §1.4), the sticky error, and allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fault_alloc.h"
#include "vyre/builder.h"

static vy_builder *new_builder(const vy_allocator *a) {
  vy_builder *b = NULL;
  assert_int_equal(vy_builder_create(a, &b), VY_OK);
  return b;
}

/* The §7.11 example program, built as the spec writes it. */
static void build_example(vy_builder *b) {
  vy_b_count(b, vy_b_read(b, "a", 0, VY_TYPE_U32), 4);
  vy_b_count(b, vy_b_output(b, "out", 1, VY_TYPE_U32), 4);
  vy_b_workgroup_size(b, 64, 1, 1);
  vy_b_let(b, "idx", vy_b_invocation_id(b, 0));
  vy_b_if(b, vy_b_bin(b, VY_BINOP_LT, vy_b_var(b, "idx"), vy_b_buf_len(b, "out")));
  vy_b_store(b, "out", vy_b_var(b, "idx"),
             vy_b_bin(b, VY_BINOP_ADD, vy_b_load(b, "a", vy_b_var(b, "idx")), vy_b_u32(b, 1)));
  vy_b_end(b);
}

static void builds_wrapped_example(void **state) {
  (void)state;
  vy_builder *b = new_builder(NULL);
  build_example(b);
  vy_program *p = NULL;
  vy_error err;
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, &err), VY_OK);
  assert_non_null(p);
  assert_int_equal(vy_program_buffer_count(p), 2);
  const vy_buffer_decl *a = vy_program_buffer(p, 0), *out = vy_program_buffer(p, 1);
  assert_int_equal(a->access, VY_ACCESS_READ_ONLY);
  assert_int_equal(a->kind, VY_MEMKIND_READONLY);
  assert_int_equal(a->count, 4);
  assert_false(a->is_output);
  assert_int_equal(out->access, VY_ACCESS_READ_WRITE);
  assert_int_equal(out->kind, VY_MEMKIND_GLOBAL);
  assert_true(out->is_output && out->pipeline_live_out);
  assert_int_equal(out->hints.cache_locality, VY_LOCALITY_TEMPORAL);
  uint32_t wg[3];
  vy_program_workgroup_size(p, wg);
  assert_int_equal(wg[0], 64);
  const vy_node_list *entry = vy_program_entry(p);
  assert_int_equal(entry->count, 1);
  const vy_node *root = entry->items[0];
  assert_int_equal(root->kind, VY_NODE_REGION);
  assert_memory_equal(root->u.region.generator.ptr, "vyre.program.root", 17);
  assert_false(root->u.region.has_source);
  assert_int_equal(root->u.region.body.count, 2);
  const vy_node *iff = root->u.region.body.items[1];
  assert_int_equal(iff->kind, VY_NODE_IF);
  assert_int_equal(iff->u.if_.then_body.count, 1);
  assert_int_equal(iff->u.if_.else_body.count, 0);
  assert_int_equal(iff->u.if_.then_body.items[0]->kind, VY_NODE_STORE);
  assert_non_null(vy_program_find_buffer(p, "out", 3));
  assert_true(vy_program_is_region_wrapped(p));
  vy_program_destroy(p);
  vy_builder_destroy(b);
}

/* Program::wrapped: an all-Region entry stays as is; an empty one becomes one
 * empty root Region; RAW keeps whatever was built. */
static void wrapping_rules(void **state) {
  (void)state;
  vy_builder *b = new_builder(NULL);
  vy_program *p;
  vy_b_region(b, "g1", "src");
  vy_b_end(b);
  vy_b_region(b, "g2", NULL);
  vy_b_end(b);
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL), VY_OK);
  assert_int_equal(vy_program_entry(p)->count, 2);
  assert_true(vy_program_entry(p)->items[0]->u.region.has_source);
  vy_program_destroy(p);

  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL), VY_OK); /* empty */
  assert_int_equal(vy_program_entry(p)->count, 1);
  assert_int_equal(vy_program_entry(p)->items[0]->u.region.body.count, 0);
  vy_program_destroy(p);

  assert_int_equal(vy_builder_finish(b, VY_FINISH_RAW, &p, NULL), VY_OK);
  assert_int_equal(vy_program_entry(p)->count, 0);
  assert_false(vy_program_is_region_wrapped(p));
  vy_program_destroy(p);

  vy_b_return(b);
  assert_int_equal(vy_builder_finish(b, VY_FINISH_RAW, &p, NULL), VY_OK);
  assert_int_equal(vy_program_entry(p)->items[0]->kind, VY_NODE_RETURN);
  vy_program_destroy(p);
  vy_builder_destroy(b);
}

static void if_else_and_loops(void **state) {
  (void)state;
  vy_builder *b = new_builder(NULL);
  vy_b_loop(b, "i", vy_b_u32(b, 0), vy_b_u32(b, 4));
  vy_b_if(b, vy_b_bool(b, true));
  vy_b_return(b);
  vy_b_else(b);
  vy_b_barrier(b, VY_ORDERING_SEQ_CST);
  vy_b_block(b);
  vy_b_end(b);
  vy_b_end(b);
  vy_b_end(b);
  vy_program *p;
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL), VY_OK);
  const vy_node *loop = vy_program_entry(p)->items[0]->u.region.body.items[0];
  assert_int_equal(loop->kind, VY_NODE_LOOP);
  const vy_node *iff = loop->u.loop.body.items[0];
  assert_int_equal(iff->u.if_.then_body.count, 1);
  assert_int_equal(iff->u.if_.else_body.count, 2);
  assert_int_equal(iff->u.if_.else_body.items[1]->kind, VY_NODE_BLOCK);
  vy_program_destroy(p);
  vy_builder_destroy(b);
}

/* After the first error every call is a no-op and finish reports that error. */
static void sticky_error(void **state) {
  (void)state;
  vy_builder *b = new_builder(NULL);
  vy_b_let(b, "x", NULL); /* first error */
  assert_int_equal(vy_builder_status(b), VY_E_INVALID_ARGUMENT);
  assert_null(vy_b_u32(b, 1));
  vy_b_else(b); /* would be a second, different error */
  vy_program *p = (vy_program *)1;
  vy_error err;
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, &err), VY_E_INVALID_ARGUMENT);
  assert_null(p);
  assert_non_null(strstr(err.message, "vy_b_let"));
  assert_non_null(strstr(err.message, "Fix:"));
  /* the builder is reusable afterwards */
  vy_b_return(b);
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, &err), VY_OK);
  vy_program_destroy(p);
  vy_builder_destroy(b);
}

static void misuse_is_reported(void **state) {
  (void)state;
  vy_builder *b = new_builder(NULL);
  vy_program *p;
  vy_error err;
  vy_b_if(b, vy_b_bool(b, true)); /* never closed */
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "still open"));
  vy_b_end(b); /* nothing open */
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, &err), VY_E_INVALID_ARGUMENT);
  vy_b_loop(b, "i", vy_b_u32(b, 0), vy_b_u32(b, 1));
  vy_b_else(b); /* else on a loop */
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, &err), VY_E_INVALID_ARGUMENT);
  assert_null(vy_b_read(b, "v", 0, VY_TYPE_VEC)); /* payload kind needs vy_b_buffer */
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, &err), VY_E_INVALID_ARGUMENT);
  assert_null(vy_b_bin(b, VY_BINOP_COUNT, vy_b_u32(b, 1), vy_b_u32(b, 2)));
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, &err), VY_E_INVALID_ARGUMENT);
  vy_builder_destroy(b);
}

static void wide_literals(void **state) {
  (void)state;
  vy_builder *b = new_builder(NULL);
  const vy_expr *e = vy_b_lit_u64(b, 0x0102030405060708ull);
  assert_non_null(e);
  assert_int_equal(e->kind, VY_EXPR_OPAQUE);
  assert_int_equal(e->u.opaque.len, 8);
  static const uint8_t le[8] = {8, 7, 6, 5, 4, 3, 2, 1};
  assert_memory_equal(e->u.opaque.payload, le, 8);
  assert_memory_equal(e->u.opaque.kind.ptr, "vyre.literal.u64", 16);
  e = vy_b_lit_f64(b, 1.0); /* 0x3FF0000000000000 */
  assert_int_equal(e->u.opaque.payload[7], 0x3F);
  assert_int_equal(e->u.opaque.payload[6], 0xF0);
  vy_builder_destroy(b);
}

static vy_status build_under_faults(const vy_allocator *a, void *ctx) {
  (void)ctx;
  vy_builder *b = NULL;
  vy_status st = vy_builder_create(a, &b);
  if (st != VY_OK) return st;
  build_example(b);
  for (int i = 0; i < 40; i++) vy_b_let(b, "x", vy_b_u32(b, (uint32_t)i)); /* force list growth */
  vy_program *p = NULL;
  st = vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL);
  vy_program_destroy(p);
  vy_builder_destroy(b);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  unsigned failing = vy_fault_run_all(build_under_faults, NULL);
  assert_true(failing > 5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(builds_wrapped_example), cmocka_unit_test(wrapping_rules),
      cmocka_unit_test(if_else_and_loops),      cmocka_unit_test(sticky_error),
      cmocka_unit_test(misuse_is_reported),     cmocka_unit_test(wide_literals),
      cmocka_unit_test(allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
