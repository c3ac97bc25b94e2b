/* tables.c - name, tag and rule lookups: expansions of the *.def tables.
 *
 * Each family gets a row array indexed by enum value (designated
 * initialisers, so row order is irrelevant) and a reverse tag map built by a
 * switch over the same table. _Static_asserts keep array sizes in step with
 * the enums; tests/test_tables.c checks tags are unique and round-trip.
 */
#include <stddef.h>

#include "program_int.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A row of the families that have only a name and a wire tag. */
typedef struct {
  const char *name;
  uint8_t tag;
} name_tag;


/* ---- DataType ---- */
static const struct {
  const char *name;
  uint8_t tag;
  uint32_t min_bytes, size_bytes;
} type_rows[] = {
#define VY_TYPE(ID, tag, name, mb, sb) [VY_TYPE_##ID] = {name, tag, mb, sb},
#include "vyre/types.def"
};
_Static_assert(COUNT_OF(type_rows) == VY_TYPE_COUNT, "types.def");

const char *vy_type_kind_name(vy_type_kind k) { return (unsigned)k < VY_TYPE_COUNT ? type_rows[k].name : "?"; }
uint8_t vy_type_kind_tag(vy_type_kind k) { return (unsigned)k < VY_TYPE_COUNT ? type_rows[k].tag : VY_NO_TAG; }
bool vy_type_kind_from_tag(uint8_t tag, vy_type_kind *out) {
  switch (tag) {
#define VY_TYPE(ID, t, name, mb, sb) \
  case t:                            \
    *out = VY_TYPE_##ID;             \
    return true;
#include "vyre/types.def"
  }
  return false;
}

static const vy_type scalar_types[] = {
#define VY_TYPE(ID, tag, name, mb, sb) [VY_TYPE_##ID] = {.kind = VY_TYPE_##ID},
#include "vyre/types.def"
};

const vy_type *vy_type_scalar(vy_type_kind k) {
  switch (k) {
  case VY_TYPE_ARRAY:
  case VY_TYPE_HANDLE:
  case VY_TYPE_OPAQUE:
  case VY_TYPE_VEC:
  case VY_TYPE_TENSOR_SHAPED:
  case VY_TYPE_SPARSE_CSR:
  case VY_TYPE_SPARSE_COO:
  case VY_TYPE_SPARSE_BSR:
  case VY_TYPE_DEVICE_MESH:
  case VY_TYPE_QUANTIZED:
    return NULL;
  default:
    return (unsigned)k < VY_TYPE_COUNT ? &scalar_types[k] : NULL;
  }
}

uint32_t vy_type_min_bytes(const vy_type *t) {
  switch (t->kind) {
  case VY_TYPE_VEC: {
    uint64_t m = (uint64_t)vy_type_min_bytes(t->u.vec.element) * t->u.vec.count;
    return m > UINT32_MAX ? UINT32_MAX : (uint32_t)m; /* vyre: saturating in usize */
  }
  case VY_TYPE_QUANTIZED:
    return vy_type_min_bytes(t->u.quant.storage);
  default:
    return (unsigned)t->kind < VY_TYPE_COUNT ? type_rows[t->kind].min_bytes : 0;
  }
}

uint32_t vy_type_size_bytes(const vy_type *t) {
  switch (t->kind) {
  case VY_TYPE_ARRAY:
    return t->u.array_element_size;
  case VY_TYPE_VEC: {
    uint32_t e = vy_type_size_bytes(t->u.vec.element);
    if (e == VY_SIZE_NONE) return VY_SIZE_NONE;
    uint64_t m = (uint64_t)e * t->u.vec.count;
    return m >= VY_SIZE_NONE ? VY_SIZE_NONE - 1 : (uint32_t)m;
  }
  case VY_TYPE_QUANTIZED:
    return vy_type_size_bytes(t->u.quant.storage);
  default:
    return (unsigned)t->kind < VY_TYPE_COUNT ? type_rows[t->kind].size_bytes : VY_SIZE_NONE;
  }
}

/* ---- BinOp / UnOp ---- */
static const struct {
  const char *name;
  uint8_t tag;
  vy_result_rule rule;
  unsigned flags;
} binop_rows[] = {
#define VY_BINOP(ID, tag, name, rt, fl) [VY_BINOP_##ID] = {name, tag, rt, fl},
#include "vyre/binop.def"
};
_Static_assert(COUNT_OF(binop_rows) == VY_BINOP_COUNT, "binop.def");

const char *vy_binop_name(vy_binop op) { return (unsigned)op < VY_BINOP_COUNT ? binop_rows[op].name : "?"; }
uint8_t vy_binop_tag(vy_binop op) { return (unsigned)op < VY_BINOP_COUNT ? binop_rows[op].tag : VY_NO_TAG; }
vy_result_rule vy_binop_result_rule(vy_binop op) {
  return (unsigned)op < VY_BINOP_COUNT ? binop_rows[op].rule : VY_RT_UNKNOWN;
}
unsigned vy_binop_flags(vy_binop op) { return (unsigned)op < VY_BINOP_COUNT ? binop_rows[op].flags : 0; }
bool vy_binop_from_tag(uint8_t tag, vy_binop *out) {
  switch (tag) {
#define VY_BINOP(ID, t, name, rt, fl) \
  case t:                             \
    *out = VY_BINOP_##ID;             \
    return true;
#include "vyre/binop.def"
  }
  return false;
}

static const struct {
  const char *name;
  uint8_t tag;
  vy_result_rule rule;
} unop_rows[] = {
#define VY_UNOP(ID, tag, name, rt) [VY_UNOP_##ID] = {name, tag, rt},
#include "vyre/unop.def"
};
_Static_assert(COUNT_OF(unop_rows) == VY_UNOP_COUNT, "unop.def");

const char *vy_unop_name(vy_unop op) { return (unsigned)op < VY_UNOP_COUNT ? unop_rows[op].name : "?"; }
uint8_t vy_unop_tag(vy_unop op) { return (unsigned)op < VY_UNOP_COUNT ? unop_rows[op].tag : VY_NO_TAG; }
vy_result_rule vy_unop_result_rule(vy_unop op) {
  return (unsigned)op < VY_UNOP_COUNT ? unop_rows[op].rule : VY_RT_UNKNOWN;
}
bool vy_unop_from_tag(uint8_t tag, vy_unop *out) {
  switch (tag) {
#define VY_UNOP(ID, t, name, rt) \
  case t:                        \
    *out = VY_UNOP_##ID;         \
    return true;
#include "vyre/unop.def"
  }
  return false;
}

/* ---- Node / Expr ---- */
static const struct {
  const char *name;
  uint8_t tag;
  const char *op_id;
} node_rows[] = {
#define VY_NODE(ID, tag, name, op) [VY_NODE_##ID] = {name, tag, op},
#include "vyre/node.def"
};
_Static_assert(COUNT_OF(node_rows) == VY_NODE_COUNT, "node.def");

const char *vy_node_kind_name(vy_node_kind k) { return (unsigned)k < VY_NODE_COUNT ? node_rows[k].name : "?"; }
uint8_t vy_node_kind_tag(vy_node_kind k) { return (unsigned)k < VY_NODE_COUNT ? node_rows[k].tag : VY_NO_TAG; }
bool vy_node_kind_from_tag(uint8_t tag, vy_node_kind *out) {
  switch (tag) {
#define VY_NODE(ID, t, name, op) \
  case t:                        \
    *out = VY_NODE_##ID;         \
    return true;
#include "vyre/node.def"
  }
  return false;
}

vy_str vy_node_op_id(const vy_node *n) {
  if (n->kind == VY_NODE_OPAQUE) return n->u.opaque.kind;
  const char *s = (unsigned)n->kind < VY_NODE_COUNT ? node_rows[n->kind].op_id : "vyre.node.unknown";
  size_t len = 0;
  while (s[len]) len++;
  return (vy_str){s, (uint32_t)len};
}

static const name_tag expr_rows[] = {
#define VY_EXPR(ID, tag, name) [VY_EXPR_##ID] = {name, tag},
#include "vyre/expr.def"
};
_Static_assert(COUNT_OF(expr_rows) == VY_EXPR_COUNT, "expr.def");

const char *vy_expr_kind_name(vy_expr_kind k) { return (unsigned)k < VY_EXPR_COUNT ? expr_rows[k].name : "?"; }
uint8_t vy_expr_kind_tag(vy_expr_kind k) { return (unsigned)k < VY_EXPR_COUNT ? expr_rows[k].tag : VY_NO_TAG; }
bool vy_expr_kind_from_tag(uint8_t tag, vy_expr_kind *out) {
  switch (tag) {
#define VY_EXPR(ID, t, name) \
  case t:                    \
    *out = VY_EXPR_##ID;     \
    return true;
#include "vyre/expr.def"
  }
  return false;
}

/* ---- the small enums: one row array per family, then shared accessors ---- */

#define VY_ACCESS(ID, tag, name) [VY_ACCESS_##ID] = {name, tag},
static const name_tag access_rows[] = {
#include "vyre/enums.def"
};
_Static_assert(COUNT_OF(access_rows) == VY_ACCESS_COUNT, "access rows");

#define VY_ORDERING(ID, tag, name) [VY_ORDERING_##ID] = {name, tag},
static const name_tag ordering_rows[] = {
#include "vyre/enums.def"
};
_Static_assert(COUNT_OF(ordering_rows) == VY_ORDERING_COUNT, "ordering rows");

#define VY_ATOMIC(ID, tag, name) [VY_ATOMIC_##ID] = {name, tag},
static const name_tag atomic_op_rows[] = {
#include "vyre/enums.def"
};
_Static_assert(COUNT_OF(atomic_op_rows) == VY_ATOMIC_COUNT, "atomic rows");

#define VY_COLLECTIVE(ID, tag, name) [VY_COLLECTIVE_##ID] = {name, tag},
static const name_tag collective_op_rows[] = {
#include "vyre/enums.def"
};
_Static_assert(COUNT_OF(collective_op_rows) == VY_COLLECTIVE_COUNT, "collective rows");

#define VY_LOCALITY(ID, tag, name) [VY_LOCALITY_##ID] = {name, tag},
static const name_tag cache_locality_rows[] = {
#include "vyre/enums.def"
};
_Static_assert(COUNT_OF(cache_locality_rows) == VY_LOCALITY_COUNT, "locality rows");

#define VY_QSCALE(ID, tag, name) [VY_QSCALE_##ID] = {name, tag},
static const name_tag qscale_rows[] = {
#include "vyre/enums.def"
};
_Static_assert(COUNT_OF(qscale_rows) == VY_QSCALE_COUNT, "qscale rows");

#define VY_QZERO(ID, tag, name) [VY_QZERO_##ID] = {name, tag},
static const name_tag qzero_rows[] = {
#include "vyre/enums.def"
};
_Static_assert(COUNT_OF(qzero_rows) == VY_QZERO_COUNT, "qzero rows");

#define VY_MEMKIND(ID, tag, key, name) [VY_MEMKIND_##ID] = {name, tag, key},
static const struct {
  const char *name;
  uint8_t tag, key;
} memory_kind_rows[] = {
#include "vyre/enums.def"
};
_Static_assert(COUNT_OF(memory_kind_rows) == VY_MEMKIND_COUNT, "memkind rows");

#define VY_LINEAR(ID, name) [VY_LINEAR_##ID] = name,
static const char *const linear_names[] = {
#include "vyre/enums.def"
};
_Static_assert(COUNT_OF(linear_names) == VY_LINEAR_COUNT, "linear rows");

const char *vy_linear_type_name(vy_linear_type l) { return (unsigned)l < VY_LINEAR_COUNT ? linear_names[l] : "?"; }
uint8_t vy_memory_kind_key(vy_memory_kind k) {
  return (unsigned)k < VY_MEMKIND_COUNT ? memory_kind_rows[k].key : VY_NO_TAG;
}

/* name / tag / from_tag accessors for the families above */
#define ACCESSORS(fam, type, COUNT)                                                              \
  const char *vy_##fam##_name(type v) { return (unsigned)v < COUNT ? fam##_rows[v].name : "?"; } \
  uint8_t vy_##fam##_tag(type v) { return (unsigned)v < COUNT ? fam##_rows[v].tag : VY_NO_TAG; } \
  bool vy_##fam##_from_tag(uint8_t tag, type *out) {                                             \
    if (tag == VY_NO_TAG) return false;                                                          \
    for (unsigned i = 0; i < COUNT; i++)                                                         \
      if (fam##_rows[i].tag == tag) {                                                            \
        *out = (type)i;                                                                          \
        return true;                                                                             \
      }                                                                                          \
    return false;                                                                                \
  }
ACCESSORS(access, vy_access, VY_ACCESS_COUNT)
ACCESSORS(memory_kind, vy_memory_kind, VY_MEMKIND_COUNT)
ACCESSORS(ordering, vy_ordering, VY_ORDERING_COUNT)
ACCESSORS(atomic_op, vy_atomic_op, VY_ATOMIC_COUNT)
ACCESSORS(collective_op, vy_collective_op, VY_COLLECTIVE_COUNT)
ACCESSORS(cache_locality, vy_cache_locality, VY_LOCALITY_COUNT)
ACCESSORS(qscale, vy_qscale, VY_QSCALE_COUNT)
ACCESSORS(qzero, vy_qzero, VY_QZERO_COUNT)
