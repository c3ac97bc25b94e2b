/* test_tables.c - the op/type tables: tags unique, in range, and
 * round-tripping tag -> enum -> tag; names unique; wire tags as spec §7.7. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vyre/ir.h"

#define CHECK_FAMILY(COUNT, type, tagfn, fromfn, namefn)                  \
  do {                                                                    \
    for (unsigned i = 0; i < (COUNT); i++) {                              \
      uint8_t t = tagfn((type)i);                                         \
      if (t == VY_NO_TAG) continue;                                       \
      type back;                                                          \
      assert_true(fromfn(t, &back));                                      \
      assert_int_equal(back, i);                                          \
      for (unsigned j = 0; j < i; j++) {                                  \
        assert_int_not_equal(tagfn((type)j), t);                          \
        assert_string_not_equal(namefn((type)j), namefn((type)i));        \
      }                                                                   \
    }                                                                     \
  } while (0)

static void tags_round_trip(void **state) {
  (void)state;
  CHECK_FAMILY(VY_TYPE_COUNT, vy_type_kind, vy_type_kind_tag, vy_type_kind_from_tag, vy_type_kind_name);
  CHECK_FAMILY(VY_BINOP_COUNT, vy_binop, vy_binop_tag, vy_binop_from_tag, vy_binop_name);
  CHECK_FAMILY(VY_UNOP_COUNT, vy_unop, vy_unop_tag, vy_unop_from_tag, vy_unop_name);
  CHECK_FAMILY(VY_NODE_COUNT, vy_node_kind, vy_node_kind_tag, vy_node_kind_from_tag, vy_node_kind_name);
  CHECK_FAMILY(VY_EXPR_COUNT, vy_expr_kind, vy_expr_kind_tag, vy_expr_kind_from_tag, vy_expr_kind_name);
  CHECK_FAMILY(VY_ACCESS_COUNT, vy_access, vy_access_tag, vy_access_from_tag, vy_access_name);
  CHECK_FAMILY(VY_MEMKIND_COUNT, vy_memory_kind, vy_memory_kind_tag, vy_memory_kind_from_tag, vy_memory_kind_name);
  CHECK_FAMILY(VY_ORDERING_COUNT, vy_ordering, vy_ordering_tag, vy_ordering_from_tag, vy_ordering_name);
  CHECK_FAMILY(VY_ATOMIC_COUNT, vy_atomic_op, vy_atomic_op_tag, vy_atomic_op_from_tag, vy_atomic_op_name);
  CHECK_FAMILY(VY_COLLECTIVE_COUNT, vy_collective_op, vy_collective_op_tag, vy_collective_op_from_tag,
               vy_collective_op_name);
  CHECK_FAMILY(VY_LOCALITY_COUNT, vy_cache_locality, vy_cache_locality_tag, vy_cache_locality_from_tag,
               vy_cache_locality_name);
  CHECK_FAMILY(VY_QSCALE_COUNT, vy_qscale, vy_qscale_tag, vy_qscale_from_tag, vy_qscale_name);
  CHECK_FAMILY(VY_QZERO_COUNT, vy_qzero, vy_qzero_tag, vy_qzero_from_tag, vy_qzero_name);
}

/* Spot checks against vyre-ir.md §7.7 and §1.2, typed in from the spec. */
static void tags_match_spec(void **state) {
  (void)state;
  assert_int_equal(vy_binop_tag(VY_BINOP_LE), 0x0F);
  assert_int_equal(vy_binop_tag(VY_BINOP_GE), 0x10);
  assert_int_equal(vy_binop_tag(VY_BINOP_AND), 0x11);
  assert_int_equal(vy_binop_tag(VY_BINOP_OR), 0x12);
  assert_int_equal(vy_binop_tag(VY_BINOP_ABS_DIFF), 0x13);
  assert_int_equal(vy_binop_tag(VY_BINOP_MUL_HIGH), 0x21);
  assert_int_equal(vy_unop_tag(VY_UNOP_RECIPROCAL), 0x24);
  assert_int_equal(vy_node_kind_tag(VY_NODE_ASYNC_WAIT), 10);
  assert_int_equal(vy_node_kind_tag(VY_NODE_REGION), 11);
  assert_int_equal(vy_node_kind_tag(VY_NODE_ASYNC_STORE), 12);
  assert_int_equal(vy_expr_kind_tag(VY_EXPR_LIT_F32), 15);
  assert_int_equal(vy_expr_kind_tag(VY_EXPR_FMA), 16);
  assert_int_equal(vy_memory_kind_tag(VY_MEMKIND_PUSH), 5);
  assert_int_equal(vy_memory_kind_key(VY_MEMKIND_PUSH), 6);
  assert_int_equal(vy_memory_kind_tag(VY_MEMKIND_PERSISTENT), 6);
  assert_int_equal(vy_memory_kind_key(VY_MEMKIND_PERSISTENT), 5);
  assert_int_equal(vy_access_tag(VY_ACCESS_WRITE_ONLY), VY_NO_TAG);
  assert_int_equal(vy_type_kind_tag(VY_TYPE_F32), 0x0B);
  assert_int_equal(vy_type_kind_tag(VY_TYPE_OPAQUE), 0x80);
  vy_binop b;
  assert_false(vy_binop_from_tag(0x22, &b));
  assert_false(vy_binop_from_tag(0x00, &b));
}

static void type_sizes(void **state) {
  (void)state;
  assert_int_equal(vy_type_min_bytes(vy_type_scalar(VY_TYPE_BOOL)), 4);
  assert_int_equal(vy_type_min_bytes(vy_type_scalar(VY_TYPE_BYTES)), 0);
  assert_int_equal(vy_type_size_bytes(vy_type_scalar(VY_TYPE_BYTES)), 1);
  assert_int_equal(vy_type_size_bytes(vy_type_scalar(VY_TYPE_TENSOR)), VY_SIZE_NONE);
  vy_type vec = {.kind = VY_TYPE_VEC, .u.vec = {vy_type_scalar(VY_TYPE_U16), 3}};
  assert_int_equal(vy_type_min_bytes(&vec), 6);
  assert_int_equal(vy_type_size_bytes(&vec), 6);
  vy_type arr = {.kind = VY_TYPE_ARRAY, .u.array_element_size = 12};
  assert_int_equal(vy_type_min_bytes(&arr), 0);
  assert_int_equal(vy_type_size_bytes(&arr), 12);
  assert_null(vy_type_scalar(VY_TYPE_VEC));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tags_round_trip),
      cmocka_unit_test(tags_match_spec),
      cmocka_unit_test(type_sizes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
