/* progen.c - see progen.h.
 *
 * One generator state per call (splitmix64 + the builder + budgets). Every
 * random draw happens in a fixed sequence: operands are generated into
 * locals before the builder call that uses them (C leaves the order of
 * argument evaluation unspecified), and names are drawn last, right before
 * the call, because they live in a small ring of scratch buffers.
 *
 * Depth is counted the wire decoder's way: a top-level node is level 1, and
 * every expression operand or nested statement is one level deeper than its
 * parent. Types inside a Cast do not count.
 */
#include "progen.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_MAX_DEPTH 8u
#define DEFAULT_MAX_STMTS 40u
#define EXPRS_PER_STMT 12u
#define MAX_BUFFERS 7u
#define MAX_CALL_ARGS 5u
#define NAME_RING 4u
#define NAME_LEN 48u
#define TYPE_POOL 6u
#define MAX_RANK 4u
#define MAX_MESH_AXES 3u
#define PRED_POOL 8u
#define MAX_PAYLOAD 40u

typedef struct gen {
  uint64_t state;          /* splitmix64 */
  vy_builder *b;
  bool wire;               /* vy_progen_options.wire_encodable */
  unsigned max_depth;      /* effective nesting limit */
  unsigned stmts_left;     /* statement budget */
  unsigned exprs_left;     /* expression budget (beyond it only leaves) */
  unsigned fresh;          /* counter behind generated names */
  unsigned nbufs;          /* referenceable buffer names */
  char bufnames[MAX_BUFFERS][NAME_LEN];
  unsigned ring;           /* next slot of `names` */
  char names[NAME_RING][NAME_LEN];
} gen;

/* ---- random source ---- */

static uint64_t next_u64(gen *g) {
  uint64_t z = (g->state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static uint32_t next_u32(gen *g) { return (uint32_t)(next_u64(g) >> 32); }

/* Uniform in [0, n); n > 0. The modulo bias is irrelevant here. */
static unsigned below(gen *g, unsigned n) { return (unsigned)(next_u64(g) % n); }

/* True with probability num/den. */
static bool chance(gen *g, unsigned num, unsigned den) { return below(g, den) < num; }

/* ---- strings ---- */

#define X10(s) s s s s s s s s s s
/* 300 bytes: longer than 255, so its canonical-key length prefix differs in
 * its second byte from every short name. */
static const char LONG_NAME[] = X10(X10("a\xc3\xa9"));

/* Valid UTF-8 throughout (vyre's strings are Rust Strings). */
static const char *const ODD_NAMES[] = {
    "",
    "x",
    "idx",
    "\xc3\xbc" "n\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9",          /* "ünïcødé" */
    "\xe5\x90\x8d\xe5\x89\x8d",                         /* CJK */
    "\xf0\x9f\x9a\x80 rocket",                          /* 4-byte UTF-8 */
    "quote\"d",
    "back\\slash",
    "\\\"",
    "new\nline",
    "tab\there",
    "cr\rlf",
    "\x01\x1f\x7f",
    "{ } ( ) [ ] ; , # // /* */",
    "'single'",
    "ends with space ",
    " leading",
    "\xc2\xa0nbsp",
    "\xe2\x80\x8bzero-width",
    "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d rtl",
    "%s%n%%",
    "0digit",
    "vyre.program.root",
    "vyre.node.let",
    "primitive.arith.add",
    "vyre-libs::parsing::c::lower::ast_to_pg_nodes",
    "buffer",
    "let",
};
#define N_ODD (sizeof ODD_NAMES / sizeof ODD_NAMES[0])

/* Buffer names with embedded NUL bytes (counted strings via vy_b_str). */
static const struct {
  const char *s;
  size_t len;
} NUL_NAMES[] = {{"\0", 1}, {"a\0b", 3}, {"\0\0tail", 6}, {"nul\0", 4}};
#define N_NUL (sizeof NUL_NAMES / sizeof NUL_NAMES[0])

/* A name for anything: a fresh identifier, a reused one, an odd one or the
 * long one. Valid until NAME_RING more names are drawn. */
static const char *name(gen *g) {
  unsigned r = below(g, 16);
  if (r < 6) {
    char *slot = g->names[g->ring++ % NAME_RING];
    unsigned id = r < 4 ? g->fresh++ : below(g, g->fresh + 1);
    snprintf(slot, NAME_LEN, "v%u", id);
    return slot;
  }
  if (r == 6) return LONG_NAME;
  return ODD_NAMES[below(g, N_ODD)];
}

/* A buffer name for Load/Store/Atomic/...: mostly a declared one. */
static const char *buffer_ref(gen *g) {
  if (g->nbufs > 0 && chance(g, 4, 5)) return g->bufnames[below(g, g->nbufs)];
  return name(g);
}

/* ---- scalars ---- */

static uint32_t odd_u32(gen *g) {
  static const uint32_t V[] = {0, 1, 2, 3, 31, 32, 255, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
  return chance(g, 1, 2) ? V[below(g, sizeof V / sizeof V[0])] : next_u32(g);
}

static uint32_t small_or_odd(gen *g) { return chance(g, 3, 4) ? below(g, 9) : odd_u32(g); }

static uint32_t ext_id(gen *g) {
  uint32_t id = chance(g, 1, 4) ? odd_u32(g) : 0x80000000u | below(g, 16);
  return g->wire ? id | 0x80000000u : id;
}

static bool f32_is_nan(uint32_t b) { return (b & 0x7F800000u) == 0x7F800000u && (b & 0x007FFFFFu) != 0; }

/* The wire encoder's LitF32 canonical form (vyre-ir.md §7.5). */
static uint32_t f32_canonical(uint32_t b) {
  if (f32_is_nan(b)) return 0x7FC00000u;
  if ((b & 0x7F800000u) == 0) return 0; /* +-0 and subnormals */
  return b;
}

static uint32_t odd_f32_bits(gen *g) {
  static const uint32_t V[] = {
      0x7FC00000u, /* quiet NaN */
      0xFFC00000u, /* negative quiet NaN */
      0x7F800001u, /* signalling NaN */
      0x7FC12345u, /* NaN with payload */
      0x80000000u, /* -0.0 */
      0x00000001u, /* smallest subnormal */
      0x807FFFFFu, /* largest negative subnormal */
      0x7F800000u, /* +inf */
      0xFF800000u, /* -inf */
      0x00800000u, /* smallest normal */
      0x7F7FFFFFu, /* largest finite */
      0x3F800000u, /* 1.0 */
      0xBF800000u, /* -1.0 */
      0x00000000u, /* +0.0 */
      0x3EAAAAABu, /* 1/3 */
      0x4B800001u, /* 2^24 + 2 */
  };
  uint32_t b = chance(g, 3, 4) ? V[below(g, sizeof V / sizeof V[0])] : next_u32(g);
  return g->wire ? f32_canonical(b) : b;
}

static uint8_t axis(gen *g) { return chance(g, 7, 8) ? (uint8_t)below(g, 3) : (uint8_t)next_u32(g); }

static void random_bytes(gen *g, uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)next_u32(g);
}

/* ---- types ---- */

typedef struct type_pool {
  vy_type nodes[TYPE_POOL];
  uint32_t dims[TYPE_POOL][MAX_RANK];
  unsigned used;
} type_pool;

static const vy_type_kind QUANT_STORAGE[] = {VY_TYPE_I4,     VY_TYPE_I8,     VY_TYPE_I16, VY_TYPE_U8, VY_TYPE_U16,
                                             VY_TYPE_F8E4M3, VY_TYPE_F8E5M2, VY_TYPE_FP4, VY_TYPE_NF4};

static bool type_has_element(vy_type_kind k) {
  return k == VY_TYPE_VEC || k == VY_TYPE_TENSOR_SHAPED || k == VY_TYPE_SPARSE_CSR || k == VY_TYPE_SPARSE_COO ||
         k == VY_TYPE_SPARSE_BSR;
}

/* Buffer element kinds the memory-region section cannot carry (§7.8). */
static bool wire_bad_element(vy_type_kind k) { return type_has_element(k) || k == VY_TYPE_DEVICE_MESH; }

/* A group size: > 0 in wire mode (the decoder rejects 0), else rarely 0. */
static uint32_t group_size(gen *g) {
  uint32_t v = chance(g, 1, 8) ? 0 : 1u << below(g, 9);
  return (g->wire && v == 0) ? 128 : v;
}

static void quantized(gen *g, vy_type *t) {
  t->u.quant.storage = vy_type_scalar(QUANT_STORAGE[below(g, sizeof QUANT_STORAGE / sizeof QUANT_STORAGE[0])]);
  t->u.quant.scale = (vy_qscale)below(g, VY_QSCALE_COUNT);
  t->u.quant.scale_param = t->u.quant.scale == VY_QSCALE_PER_TENSOR  ? 0
                           : t->u.quant.scale == VY_QSCALE_PER_GROUP ? group_size(g)
                                                                     : small_or_odd(g);
  t->u.quant.zero_point = (vy_qzero)below(g, VY_QZERO_COUNT);
  switch (t->u.quant.zero_point) {
  case VY_QZERO_PER_CHANNEL:
    t->u.quant.zero_point_param = small_or_odd(g);
    break;
  case VY_QZERO_PER_GROUP:
    t->u.quant.zero_point_param = group_size(g);
    break;
  default:
    t->u.quant.zero_point_param = 0;
    break;
  }
}

/* A random type in `pool` (valid while the pool lives). `element_role`: a
 * buffer element (restricted in wire mode). `nest`: payload nesting so far;
 * kinds with an element type stop at 2. */
static const vy_type *gen_type(gen *g, type_pool *pool, bool element_role, unsigned nest) {
  if (pool->used == TYPE_POOL) return vy_type_scalar(VY_TYPE_U32);
  unsigned slot = pool->used++;
  vy_type *t = &pool->nodes[slot];
  memset(t, 0, sizeof *t);
  vy_type_kind k;
  do {
    k = (vy_type_kind)below(g, VY_TYPE_COUNT);
  } while ((element_role && g->wire && wire_bad_element(k)) || (nest >= 2 && type_has_element(k)));
  t->kind = k;
  switch (k) {
  case VY_TYPE_ARRAY:
    t->u.array_element_size = small_or_odd(g);
    break;
  case VY_TYPE_HANDLE:
    t->u.handle_id = odd_u32(g);
    break;
  case VY_TYPE_OPAQUE:
    t->u.opaque_id = ext_id(g);
    break;
  case VY_TYPE_VEC:
    t->u.vec.count = (uint8_t)(chance(g, 3, 4) ? 2 + below(g, 3) : next_u32(g));
    t->u.vec.element = gen_type(g, pool, false, nest + 1);
    break;
  case VY_TYPE_TENSOR_SHAPED:
    t->u.tensor.rank = below(g, MAX_RANK + 1);
    for (unsigned i = 0; i < t->u.tensor.rank; i++) pool->dims[slot][i] = small_or_odd(g);
    t->u.tensor.dims = t->u.tensor.rank ? pool->dims[slot] : NULL;
    t->u.tensor.element = gen_type(g, pool, false, nest + 1);
    break;
  case VY_TYPE_SPARSE_CSR:
  case VY_TYPE_SPARSE_COO:
    t->u.sparse.element = gen_type(g, pool, false, nest + 1);
    break;
  case VY_TYPE_SPARSE_BSR:
    t->u.bsr.block_rows = small_or_odd(g);
    t->u.bsr.block_cols = small_or_odd(g);
    t->u.bsr.element = gen_type(g, pool, false, nest + 1);
    break;
  case VY_TYPE_DEVICE_MESH:
    t->u.mesh.naxes = below(g, MAX_MESH_AXES + 1);
    for (unsigned i = 0; i < t->u.mesh.naxes; i++) pool->dims[slot][i] = small_or_odd(g);
    t->u.mesh.axes = t->u.mesh.naxes ? pool->dims[slot] : NULL;
    break;
  case VY_TYPE_QUANTIZED:
    quantized(g, t);
    break;
  default:
    break;
  }
  return t;
}

/* ---- buffers ---- */

typedef struct pred_pool {
  vy_shape_pred nodes[PRED_POOL];
  unsigned used;
} pred_pool;

/* A signed 64-bit value of random magnitude (operands drawn in sequence). */
static int64_t affine_term(gen *g) {
  uint64_t v = next_u64(g);
  unsigned shift = below(g, 64);
  int64_t s = (int64_t)(v >> shift);
  return (v & 1) ? -s : s;
}

static const vy_shape_pred *gen_pred(gen *g, pred_pool *pool, unsigned nest) {
  if (pool->used == PRED_POOL) return NULL;
  vy_shape_pred *p = &pool->nodes[pool->used++];
  memset(p, 0, sizeof *p);
  do {
    p->kind = (vy_shape_pred_kind)below(g, VY_SHAPE_NOT + 1);
  } while (nest >= 2 && p->kind >= VY_SHAPE_AND);
  switch (p->kind) {
  case VY_SHAPE_MOD_EQUALS:
    p->u.mod.modulus = small_or_odd(g);
    p->u.mod.remainder = small_or_odd(g);
    break;
  case VY_SHAPE_AFFINE_RANGE:
    p->u.affine.scale = affine_term(g);
    p->u.affine.offset = affine_term(g);
    p->u.affine.min = chance(g, 1, 4) ? INT64_MIN : -(int64_t)below(g, 100);
    p->u.affine.max = chance(g, 1, 4) ? INT64_MAX : (int64_t)below(g, 1000);
    break;
  case VY_SHAPE_AND:
  case VY_SHAPE_OR: {
    const vy_shape_pred *l = gen_pred(g, pool, nest + 1);
    const vy_shape_pred *r = gen_pred(g, pool, nest + 1);
    if (!l || !r) { /* pool exhausted: degrade to a leaf */
      p->kind = VY_SHAPE_AT_LEAST;
      p->u.n = 1;
      break;
    }
    p->u.both.left = l;
    p->u.both.right = r;
    break;
  }
  case VY_SHAPE_NOT:
    p->u.inner = gen_pred(g, pool, nest + 1);
    if (!p->u.inner) {
      p->kind = VY_SHAPE_EXACTLY;
      p->u.n = 4;
    }
    break;
  default: /* AT_LEAST, AT_MOST, EXACTLY, MULTIPLE_OF */
    p->u.n = small_or_odd(g);
    break;
  }
  return p;
}

static uint32_t gen_count(gen *g) {
  unsigned r = below(g, 8);
  if (r < 2) return 0;
  if (r < 6) return 1 + below(g, 64);
  return r == 6 ? 1u << below(g, 20) : odd_u32(g);
}

static void remember_buffer(gen *g, const char *s) {
  if (g->nbufs == MAX_BUFFERS || strlen(s) >= NAME_LEN) return;
  memcpy(g->bufnames[g->nbufs++], s, strlen(s) + 1);
}

/* A buffer through one of vyre's constructor shortcuts (payload-free
 * element, constructor defaults, optional count). */
static void gen_buffer_shortcut(gen *g, const char *nm) {
  vy_type_kind elem;
  do {
    elem = (vy_type_kind)below(g, VY_TYPE_COUNT);
  } while (!vy_type_scalar(elem));
  uint32_t binding = small_or_odd(g), count = gen_count(g);
  const vy_buffer_decl *d = NULL;
  switch (below(g, 5)) {
  case 0:
    d = vy_b_read(g->b, nm, binding, elem);
    break;
  case 1:
    d = vy_b_read_write(g->b, nm, binding, elem);
    break;
  case 2:
    d = vy_b_uniform(g->b, nm, binding, elem);
    break;
  case 3: /* is_output and live-out: count > 0 on the wire */
    d = vy_b_output(g->b, nm, binding, elem);
    if (g->wire && count == 0) count = 1;
    break;
  default: /* workgroup: count > 0 on the wire */
    vy_b_workgroup(g->b, nm, (g->wire && count == 0) ? 8 : count, elem);
    return;
  }
  if (count != 0 || chance(g, 1, 2)) vy_b_count(g->b, d, count);
}

static void gen_buffer(gen *g) {
  if (chance(g, 1, 8)) {
    const char *nm = name(g);
    remember_buffer(g, nm);
    gen_buffer_shortcut(g, nm);
    return;
  }
  type_pool types = {0};
  pred_pool preds = {0};
  vy_buffer_decl d;
  memset(&d, 0, sizeof d);
  if (chance(g, 1, 8)) {
    unsigned i = below(g, N_NUL);
    d.name = vy_b_str(g->b, NUL_NAMES[i].s, NUL_NAMES[i].len);
  } else {
    const char *nm = name(g);
    remember_buffer(g, nm);
    d.name.ptr = nm;
    d.name.len = (uint32_t)strlen(nm);
  }
  d.binding = small_or_odd(g);
  do {
    d.access = (vy_access)below(g, VY_ACCESS_COUNT);
  } while (g->wire && d.access == VY_ACCESS_WRITE_ONLY);
  d.kind = (vy_memory_kind)below(g, VY_MEMKIND_COUNT);
  d.element = *gen_type(g, &types, true, 0);
  d.count = gen_count(g);
  d.is_output = chance(g, 1, 4);
  d.pipeline_live_out = chance(g, 1, 4);
  if (g->wire && d.count == 0 && (d.access == VY_ACCESS_WORKGROUP || d.is_output || d.pipeline_live_out))
    d.count = 1 + below(g, 64);
  if (chance(g, 1, 4)) {
    uint32_t size = vy_type_size_bytes(&d.element);
    if (!g->wire) {
      d.has_output_range = true;
      d.range_start = chance(g, 1, 8) ? next_u64(g) : below(g, 64);
      d.range_end = chance(g, 1, 8) ? next_u64(g) : below(g, 256);
    } else if (d.count > 0 && size != VY_SIZE_NONE) {
      uint64_t full = (uint64_t)d.count * size;
      d.has_output_range = true;
      d.range_end = chance(g, 1, 4) ? full : next_u64(g) % (full + 1);
      d.range_start = chance(g, 1, 4) ? d.range_end : next_u64(g) % (d.range_end + 1);
    }
  }
  d.hints.has_coalesce_axis = chance(g, 1, 3);
  d.hints.coalesce_axis = d.hints.has_coalesce_axis ? axis(g) : 0;
  d.hints.preferred_alignment = chance(g, 1, 2) ? 0 : chance(g, 3, 4) ? 1u << below(g, 13) : next_u32(g);
  d.hints.cache_locality = (vy_cache_locality)below(g, VY_LOCALITY_COUNT);
  if (!g->wire) {
    d.bytes_extraction = chance(g, 1, 4);
    d.linear_type = (vy_linear_type)below(g, VY_LINEAR_COUNT);
    d.shape_predicate = chance(g, 1, 3) ? gen_pred(g, &preds, 0) : NULL;
  }
  vy_b_buffer(g->b, &d);
}

/* ---- expressions ---- */

static bool expr_is_leaf(vy_expr_kind k) {
  switch (k) {
  case VY_EXPR_LOAD:
  case VY_EXPR_BIN_OP:
  case VY_EXPR_UN_OP:
  case VY_EXPR_SELECT:
  case VY_EXPR_CAST:
  case VY_EXPR_ATOMIC:
  case VY_EXPR_FMA:
  case VY_EXPR_SUBGROUP_ADD:
  case VY_EXPR_SUBGROUP_SHUFFLE:
  case VY_EXPR_SUBGROUP_BALLOT:
    return false;
  default: /* CALL is a leaf with no arguments */
    return true;
  }
}

static const char *const WIDE_KINDS[] = {"vyre.literal.u64", "vyre.literal.i64", "vyre.literal.f64"};

static const vy_expr *gen_opaque_expr(gen *g) {
  uint8_t payload[MAX_PAYLOAD];
  unsigned r = below(g, 8);
  if (r == 0) return vy_b_lit_u64(g->b, next_u64(g));
  if (r == 1) return vy_b_lit_i64(g->b, (int64_t)next_u64(g));
  if (r == 2) {
    static const uint64_t F64[] = {0x7FF8000000000000ull, 0x8000000000000000ull, 0x0000000000000001ull,
                                   0x7FF0000000000000ull, 0x3FF0000000000000ull};
    uint64_t bits = chance(g, 1, 2) ? F64[below(g, sizeof F64 / sizeof F64[0])] : next_u64(g);
    double v;
    memcpy(&v, &bits, sizeof v);
    return vy_b_lit_f64(g->b, v);
  }
  if (g->wire || r < 5) { /* a wide literal spelled out by hand */
    random_bytes(g, payload, 8);
    return vy_b_opaque_expr(g->b, WIDE_KINDS[below(g, 3)], payload, 8);
  }
  uint32_t len = chance(g, 1, 4) ? 0 : below(g, MAX_PAYLOAD + 1);
  random_bytes(g, payload, len);
  return vy_b_opaque_expr(g->b, name(g), payload, len);
}

static const vy_expr *gen_expr(gen *g, unsigned level);

/* Literal or other operand-free expression. */
static const vy_expr *gen_leaf(gen *g, vy_expr_kind k) {
  switch (k) {
  case VY_EXPR_LIT_U32:
    return vy_b_u32(g->b, odd_u32(g));
  case VY_EXPR_LIT_I32:
    return vy_b_i32(g->b, (int32_t)odd_u32(g));
  case VY_EXPR_LIT_BOOL:
    return vy_b_bool(g->b, chance(g, 1, 2));
  case VY_EXPR_LIT_F32:
    if (chance(g, 1, 8)) return vy_b_f32(g->b, (float)below(g, 1000) / 8.0f);
    return vy_b_f32_bits(g->b, odd_f32_bits(g));
  case VY_EXPR_VAR:
    return vy_b_var(g->b, name(g));
  case VY_EXPR_BUF_LEN:
    return vy_b_buf_len(g->b, buffer_ref(g));
  case VY_EXPR_INVOCATION_ID:
    return vy_b_invocation_id(g->b, axis(g));
  case VY_EXPR_WORKGROUP_ID:
    return vy_b_workgroup_id(g->b, axis(g));
  case VY_EXPR_LOCAL_ID:
    return vy_b_local_id(g->b, axis(g));
  case VY_EXPR_SUBGROUP_LOCAL_ID:
    return vy_b_subgroup_local_id(g->b);
  case VY_EXPR_SUBGROUP_SIZE:
    return vy_b_subgroup_size(g->b);
  case VY_EXPR_CALL:
    return vy_b_call(g->b, name(g), 0, NULL);
  default: /* OPAQUE */
    return gen_opaque_expr(g);
  }
}

static const vy_expr *gen_atomic(gen *g, unsigned level) {
  vy_atomic_op op = (vy_atomic_op)below(g, VY_ATOMIC_COUNT);
  uint32_t ext = op == VY_ATOMIC_OPAQUE ? ext_id(g) : 0;
  vy_ordering ord = (vy_ordering)below(g, VY_ORDERING_COUNT);
  bool cas = op == VY_ATOMIC_COMPARE_EXCHANGE || op == VY_ATOMIC_COMPARE_EXCHANGE_WEAK;
  const vy_expr *index = gen_expr(g, level + 1);
  const vy_expr *expected = (cas || chance(g, 1, 4)) ? gen_expr(g, level + 1) : NULL;
  const vy_expr *value = gen_expr(g, level + 1);
  return vy_b_atomic(g->b, op, ext, ord, buffer_ref(g), index, expected, value);
}

/* An expression at nesting `level` (<= max_depth); its operands are at
 * level + 1. Only leaves at the limit or once the budget is spent. */
static const vy_expr *gen_expr(gen *g, unsigned level) {
  bool leaf_only = level >= g->max_depth || g->exprs_left == 0;
  if (g->exprs_left) g->exprs_left--;
  vy_expr_kind k;
  do {
    k = (vy_expr_kind)below(g, VY_EXPR_COUNT);
  } while (leaf_only && !expr_is_leaf(k));
  if (leaf_only || (k == VY_EXPR_CALL && chance(g, 1, 4))) return gen_leaf(g, k);
  switch (k) {
  case VY_EXPR_LOAD: {
    const vy_expr *i = gen_expr(g, level + 1);
    return vy_b_load(g->b, buffer_ref(g), i);
  }
  case VY_EXPR_BIN_OP: {
    vy_binop op = (vy_binop)below(g, VY_BINOP_COUNT);
    const vy_expr *l = gen_expr(g, level + 1);
    const vy_expr *r = gen_expr(g, level + 1);
    if (op == VY_BINOP_OPAQUE) return vy_b_bin_ext(g->b, ext_id(g), l, r);
    return vy_b_bin(g->b, op, l, r);
  }
  case VY_EXPR_UN_OP: {
    vy_unop op = (vy_unop)below(g, VY_UNOP_COUNT);
    const vy_expr *x = gen_expr(g, level + 1);
    if (op == VY_UNOP_OPAQUE) return vy_b_un_ext(g->b, ext_id(g), x);
    return vy_b_un(g->b, op, x);
  }
  case VY_EXPR_CALL: {
    const vy_expr *args[MAX_CALL_ARGS];
    uint32_t argc = 1 + below(g, MAX_CALL_ARGS);
    for (uint32_t i = 0; i < argc; i++) args[i] = gen_expr(g, level + 1);
    return vy_b_call(g->b, name(g), argc, args);
  }
  case VY_EXPR_SELECT: {
    const vy_expr *c = gen_expr(g, level + 1);
    const vy_expr *t = gen_expr(g, level + 1);
    const vy_expr *f = gen_expr(g, level + 1);
    return vy_b_select(g->b, c, t, f);
  }
  case VY_EXPR_CAST: {
    type_pool types = {0};
    const vy_type *target = vy_b_type(g->b, gen_type(g, &types, false, 0));
    const vy_expr *v = gen_expr(g, level + 1);
    return vy_b_cast(g->b, target, v);
  }
  case VY_EXPR_ATOMIC:
    return gen_atomic(g, level);
  case VY_EXPR_FMA: {
    const vy_expr *a = gen_expr(g, level + 1);
    const vy_expr *b = gen_expr(g, level + 1);
    const vy_expr *c = gen_expr(g, level + 1);
    return vy_b_fma(g->b, a, b, c);
  }
  case VY_EXPR_SUBGROUP_ADD:
    return vy_b_subgroup_add(g->b, gen_expr(g, level + 1));
  case VY_EXPR_SUBGROUP_SHUFFLE: {
    const vy_expr *v = gen_expr(g, level + 1);
    const vy_expr *lane = gen_expr(g, level + 1);
    return vy_b_subgroup_shuffle(g->b, v, lane);
  }
  case VY_EXPR_SUBGROUP_BALLOT:
    return vy_b_subgroup_ballot(g->b, gen_expr(g, level + 1));
  default:
    return gen_leaf(g, k);
  }
}

/* A chain of one-operand expressions from `level` down to max_depth. */
static const vy_expr *gen_chain(gen *g, unsigned level) {
  if (level >= g->max_depth) return gen_leaf(g, VY_EXPR_LIT_U32);
  const vy_expr *inner = gen_chain(g, level + 1);
  switch (below(g, 4)) {
  case 0:
    return vy_b_un(g->b, (vy_unop)below(g, VY_UNOP_OPAQUE), inner);
  case 1:
    return vy_b_load(g->b, buffer_ref(g), inner);
  case 2:
    return vy_b_subgroup_add(g->b, inner);
  default: {
    const vy_expr *lit = gen_leaf(g, VY_EXPR_LIT_I32);
    return vy_b_bin(g->b, (vy_binop)below(g, VY_BINOP_OPAQUE), inner, lit);
  }
  }
}

/* ---- statements ---- */

static void gen_list(gen *g, unsigned level, unsigned max_len);

static bool node_needs_expr(vy_node_kind k) {
  switch (k) {
  case VY_NODE_LET:
  case VY_NODE_ASSIGN:
  case VY_NODE_STORE:
  case VY_NODE_IF:
  case VY_NODE_LOOP:
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
  case VY_NODE_TRAP:
    return true;
  default:
    return false;
  }
}

static const char *tag_name(gen *g) { return chance(g, 1, 2) ? "t" : name(g); }

static uint32_t group(gen *g) { return chance(g, 2, 3) ? 0 : small_or_odd(g); }

static void gen_async(gen *g, unsigned level, bool load) {
  const vy_expr *off = gen_expr(g, level + 1);
  const vy_expr *size = gen_expr(g, level + 1);
  const char *src = buffer_ref(g), *dst = buffer_ref(g), *tag = tag_name(g);
  if (load)
    vy_b_async_load(g->b, src, dst, off, size, tag);
  else
    vy_b_async_store(g->b, src, dst, off, size, tag);
}

/* Opens a structured node at `level`, generating its header expressions;
 * the caller fills the body and calls vy_b_end. */
static void open_structured(gen *g, vy_node_kind k, unsigned level) {
  switch (k) {
  case VY_NODE_IF:
    vy_b_if(g->b, gen_expr(g, level + 1));
    break;
  case VY_NODE_LOOP: {
    const vy_expr *from = gen_expr(g, level + 1);
    const vy_expr *to = gen_expr(g, level + 1);
    vy_b_loop(g->b, name(g), from, to);
    break;
  }
  case VY_NODE_BLOCK:
    vy_b_block(g->b);
    break;
  default: { /* REGION */
    const char *gen_name = chance(g, 1, 3) ? "vyre.program.root" : name(g);
    vy_b_region(g->b, gen_name, chance(g, 1, 2) ? NULL : name(g));
    break;
  }
  }
}

static void gen_stmt(gen *g, unsigned level, vy_node_kind k) {
  g->stmts_left--;
  switch (k) {
  case VY_NODE_LET:
  case VY_NODE_ASSIGN: {
    const vy_expr *v = gen_expr(g, level + 1);
    if (k == VY_NODE_LET)
      vy_b_let(g->b, name(g), v);
    else
      vy_b_assign(g->b, name(g), v);
    break;
  }
  case VY_NODE_STORE: {
    const vy_expr *i = gen_expr(g, level + 1);
    const vy_expr *v = gen_expr(g, level + 1);
    vy_b_store(g->b, buffer_ref(g), i, v);
    break;
  }
  case VY_NODE_IF:
  case VY_NODE_LOOP:
  case VY_NODE_BLOCK:
  case VY_NODE_REGION:
    open_structured(g, k, level);
    if (level < g->max_depth) gen_list(g, level + 1, 4);
    if (k == VY_NODE_IF && chance(g, 1, 2)) {
      vy_b_else(g->b);
      if (level < g->max_depth) gen_list(g, level + 1, 3);
    }
    vy_b_end(g->b);
    break;
  case VY_NODE_RETURN:
    vy_b_return(g->b);
    break;
  case VY_NODE_BARRIER:
    vy_b_barrier(g->b, (vy_ordering)below(g, VY_ORDERING_COUNT));
    break;
  case VY_NODE_INDIRECT_DISPATCH: {
    uint64_t off = chance(g, 1, 2) ? below(g, 64) : next_u64(g);
    vy_b_indirect_dispatch(g->b, buffer_ref(g), off);
    break;
  }
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
    gen_async(g, level, k == VY_NODE_ASYNC_LOAD);
    break;
  case VY_NODE_ASYNC_WAIT:
    vy_b_async_wait(g->b, tag_name(g));
    break;
  case VY_NODE_TRAP: {
    const vy_expr *addr = gen_expr(g, level + 1);
    vy_b_trap(g->b, addr, tag_name(g));
    break;
  }
  case VY_NODE_RESUME:
    vy_b_resume(g->b, tag_name(g));
    break;
  case VY_NODE_ALL_REDUCE: {
    vy_collective_op op = (vy_collective_op)below(g, VY_COLLECTIVE_COUNT);
    uint32_t grp = group(g);
    vy_b_all_reduce(g->b, buffer_ref(g), op, grp);
    break;
  }
  case VY_NODE_ALL_GATHER: {
    uint32_t grp = group(g);
    const char *in = buffer_ref(g), *out = buffer_ref(g);
    vy_b_all_gather(g->b, in, out, grp);
    break;
  }
  case VY_NODE_REDUCE_SCATTER: {
    vy_collective_op op = (vy_collective_op)below(g, VY_COLLECTIVE_COUNT);
    uint32_t grp = group(g);
    const char *in = buffer_ref(g), *out = buffer_ref(g);
    vy_b_reduce_scatter(g->b, in, out, op, grp);
    break;
  }
  case VY_NODE_BROADCAST: {
    uint32_t root = chance(g, 2, 3) ? 0 : small_or_odd(g);
    uint32_t grp = group(g);
    vy_b_broadcast(g->b, buffer_ref(g), root, grp);
    break;
  }
  default: { /* OPAQUE (never in wire mode) */
    uint8_t payload[MAX_PAYLOAD];
    uint32_t len = chance(g, 1, 4) ? 0 : below(g, MAX_PAYLOAD + 1);
    random_bytes(g, payload, len);
    vy_b_opaque_node(g->b, chance(g, 1, 2) ? "ext.node.custom" : name(g), payload, len);
    break;
  }
  }
}

static vy_node_kind pick_node(gen *g, unsigned level) {
  vy_node_kind k;
  do {
    k = (vy_node_kind)below(g, VY_NODE_COUNT);
  } while ((g->wire && k == VY_NODE_OPAQUE) || (node_needs_expr(k) && level >= g->max_depth));
  return k;
}

/* Up to max_len statements (fewer when the budget runs out) at `level`. */
static void gen_list(gen *g, unsigned level, unsigned max_len) {
  unsigned n = below(g, max_len + 1);
  for (unsigned i = 0; i < n && g->stmts_left > 0; i++) gen_stmt(g, level, pick_node(g, level));
}

/* A chain of structured nodes from `level` down to a Let whose value is an
 * expression chain reaching max_depth exactly. Costs one statement per
 * level; the caller checks the budget. */
static void gen_spine(gen *g, unsigned level) {
  static const vy_node_kind OPENERS[] = {VY_NODE_BLOCK, VY_NODE_REGION, VY_NODE_IF, VY_NODE_LOOP};
  g->stmts_left--;
  if (level + 1 >= g->max_depth || chance(g, 1, 8)) {
    const vy_expr *v = gen_chain(g, level + 1);
    vy_b_let(g->b, name(g), v);
    return;
  }
  vy_node_kind k = OPENERS[below(g, 4)];
  unsigned saved = g->exprs_left;
  g->exprs_left = 0; /* header expressions stay leaves */
  open_structured(g, k, level);
  g->exprs_left = saved;
  gen_spine(g, level + 1);
  vy_b_end(g->b);
}

/* The entry: top-level statements at `level` (1, or 2 when the builder will
 * wrap them in a root Region). */
static void gen_entry(gen *g, unsigned level, bool all_regions) {
  unsigned n = 1 + below(g, 6);
  bool spine = g->max_depth >= 6 && chance(g, 1, 8);
  unsigned spine_at = below(g, n);
  for (unsigned i = 0; i < n && g->stmts_left > 0; i++) {
    if (all_regions) {
      g->stmts_left--;
      open_structured(g, VY_NODE_REGION, level);
      if (spine && i == spine_at && g->stmts_left >= g->max_depth)
        gen_spine(g, level + 1);
      else if (level < g->max_depth)
        gen_list(g, level + 1, 5);
      vy_b_end(g->b);
    } else if (spine && i == spine_at && g->stmts_left >= g->max_depth) {
      gen_spine(g, level);
    } else {
      gen_stmt(g, level, pick_node(g, level));
    }
  }
}

/* ---- program ---- */

static uint32_t wg_dim(gen *g) {
  static const uint32_t V[] = {1, 1, 2, 32, 64, 256, 1024, 0xFFFFFFFFu};
  uint32_t v = chance(g, 7, 8) ? V[below(g, sizeof V / sizeof V[0])] : (chance(g, 1, 3) ? 0 : next_u32(g));
  return (g->wire && v == 0) ? 1 : v;
}

static void gen_program(gen *g, vy_finish_mode *mode) {
  if (chance(g, 7, 8)) {
    uint32_t x = wg_dim(g), y = wg_dim(g), z = wg_dim(g);
    vy_b_workgroup_size(g->b, x, y, z);
  }
  if (chance(g, 1, 2)) vy_b_entry_op_id(g->b, chance(g, 1, 8) ? NULL : name(g));
  if (chance(g, 1, 2)) vy_b_non_composable_with_self(g->b, chance(g, 1, 2));
  unsigned nbuf = below(g, MAX_BUFFERS + 1);
  for (unsigned i = 0; i < nbuf; i++) gen_buffer(g);

  unsigned shape = below(g, 16);
  *mode = VY_FINISH_RAW;
  if (shape == 0) return; /* empty entry */
  if (shape < 5 && g->max_depth >= 2 && g->stmts_left >= 2) {
    *mode = VY_FINISH_WRAPPED;
    g->stmts_left--; /* the root Region the builder may add */
    gen_entry(g, 2, false);
  } else {
    gen_entry(g, 1, shape < 9);
  }
}

vy_status vy_progen_random(uint64_t seed, const vy_progen_options *opt, const vy_allocator *alloc,
                           vy_program **out) {
  if (!out) return VY_E_INVALID_ARGUMENT;
  *out = NULL;
  gen g;
  memset(&g, 0, sizeof g);
  g.state = seed;
  g.wire = opt && opt->wire_encodable;
  g.max_depth = (opt && opt->max_depth) ? opt->max_depth : DEFAULT_MAX_DEPTH;
  if (g.wire && g.max_depth > VY_PROGEN_WIRE_MAX_DEPTH) g.max_depth = VY_PROGEN_WIRE_MAX_DEPTH;
  g.stmts_left = (opt && opt->max_stmts) ? opt->max_stmts : DEFAULT_MAX_STMTS;
  g.exprs_left = g.stmts_left * EXPRS_PER_STMT;
  vy_status st = vy_builder_create(alloc, &g.b);
  if (st != VY_OK) return st;
  vy_finish_mode mode;
  gen_program(&g, &mode);
  vy_error err;
  st = vy_builder_finish(g.b, mode, out, &err);
  vy_builder_destroy(g.b);
  return st;
}
