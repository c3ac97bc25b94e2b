/* diffgen_expr.c - values, names and scopes, ids and ownership indices,
 * and expressions of the program generator (diffgen_int.h).
 *
 * vy_dg_ex(g, t, d) builds an expression of type t whose validator type and
 * interpreter value kind agree and whose evaluation cannot fail: where
 * vyre's static type differs from the runtime kind (bitwise ops, mod and
 * wrapping ops of i32 are statically u32; u64 arithmetic is only possible
 * through wrapping_add/sub and mul_high, statically u32; bool buffers load
 * the raw u32 word) a cast restores agreement; u64 -> u32 goes through
 * popcount/clz/ctz or mul_high by a u32 constant (no range error); i32
 * division gets a divisor that is nonzero and not -1 (or a dividend that is
 * not i32::MIN); subgroup operands read only lane-independent memory.
 */
#include <stdio.h>
#include <string.h>

#include "diffgen_int.h"

/* ---- random source and values ---- */

static const uint32_t U32_EDGE[] = {0,       1,    2,           3,           7,           8,           31,
                                    32,      33,   63,          64,          255,         256,         0xFFFFu,
                                    0x10000, 1000, 0x7FFFFFFFu, 0x80000000u, 0x80000001u, 0xFFFFFFFEu, 0xFFFFFFFFu};
static const int32_t I32_EDGE[] = {
    0, 1, -1, 2, -2, 7, -7, 100, -100, 65536, INT32_MAX, INT32_MIN, INT32_MIN + 1, INT32_MAX - 1, -65536};
static const uint64_t U64_EDGE[] = {0,
                                    1,
                                    2,
                                    0xFFFFFFFFull,
                                    0x100000000ull,
                                    0x7FFFFFFFFFFFFFFFull,
                                    0x8000000000000000ull,
                                    UINT64_MAX,
                                    UINT64_MAX - 1,
                                    0x123456789ull};
/* f32 literals in the wire encoder's canonical form (no -0.0, no subnormal,
 * NaN only 0x7FC00000): a wire round trip keeps them (vyre-ir.md §8.6). */
static const uint32_t F32_LIT[] = {0x00000000u, 0x3F800000u, 0xBF800000u, 0x3F000000u, 0xBF000000u, 0x40200000u,
                                   0xC0200000u, 0x3FC00000u, 0x40400000u, 0x7F800000u, 0xFF800000u, 0x7FC00000u,
                                   0x7F7FFFFFu, 0xFF7FFFFFu, 0x00800000u, 0x80800000u, 0x3EAAAAABu, 0x4B800001u,
                                   0x4B000000u, 0x3EFFFFFFu, 0x4F800000u, 0x4F000000u, 0xCF000000u, 0x5F800000u,
                                   0x42C80000u, 0x3A83126Fu, 0x40490FDBu, 0xC2C80000u};
/* Input f32 words add what only data can carry: -0.0, subnormals, NaN payloads. */
static const uint32_t F32_DATA[] = {0x80000000u, 0x00000001u, 0x807FFFFFu, 0x00400000u,
                                    0x7FC12345u, 0xFFC00000u, 0x7F800001u, 0xFFFFFFFFu};

static uint32_t u32_val(gen *g) {
  unsigned r = below(g, 10);
  if (r < 4) return below(g, 10);
  return r < 8 ? PICK(g, U32_EDGE) : rnd32(g);
}
static int32_t i32_val(gen *g) {
  unsigned r = below(g, 10);
  if (r < 4) return (int32_t)below(g, 19) - 9;
  return r < 8 ? PICK(g, I32_EDGE) : (int32_t)rnd32(g);
}
static uint32_t f32_canon_bits(uint32_t b) {
  if ((b & 0x7F800000u) == 0x7F800000u && (b & 0x7FFFFFu)) return 0x7FC00000u;
  return (b & 0x7F800000u) == 0 ? 0 : b;
}
static uint32_t f32_lit_bits(gen *g) { return chance(g, 3, 4) ? PICK(g, F32_LIT) : f32_canon_bits(rnd32(g)); }

static void put_le(uint8_t *p, uint64_t x, unsigned n) {
  for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(x >> (8 * i));
}

void vy_dg_fill_value(gen *g, gty t, uint8_t *p) {
  static const uint32_t ODD_BOOL[] = {2, 0xFFFFFFFFu, 0x80000000u, 256};
  unsigned r = below(g, 4);
  switch (t) {
  case T_U32:
    put_le(p, u32_val(g), 4);
    return;
  case T_I32:
    put_le(p, (uint32_t)i32_val(g), 4);
    return;
  case T_U64:
    put_le(p, r == 0 ? below(g, 10) : r == 1 ? rnd(g) : PICK(g, U64_EDGE), 8);
    return;
  case T_F32:
    put_le(p, r == 0 ? PICK(g, F32_DATA) : r == 1 ? rnd32(g) : PICK(g, F32_LIT), 4);
    return;
  default:
    put_le(p, r ? below(g, 2) : chance(g, 1, 2) ? PICK(g, ODD_BOOL) : rnd32(g), 4);
    return;
  }
}

/* ---- names and scopes ---- */

/* A name for a Let or a loop variable: fresh, or now and then one whose
 * scope has ended (vyre allows reuse once the earlier binding is popped). */
void vy_dg_let_name(gen *g, char *out, char prefix) {
  if (g->ndead && chance(g, 1, 4)) {
    unsigned i = below(g, g->ndead);
    memcpy(out, g->dead[i], NAME_LEN);
    memcpy(g->dead[i], g->dead[--g->ndead], NAME_LEN);
    return;
  }
  snprintf(out, NAME_LEN, "%c%u", prefix, g->fresh++);
}

void vy_dg_declare(gen *g, const char *name, gty t, bool assignable, bool pooled) {
  if (g->nvars == MAX_VARS) return; /* still unique: it is simply never read */
  var *v = &g->vars[g->nvars++];
  snprintf(v->name, NAME_LEN, "%s", name);
  v->ty = (uint8_t)t;
  v->assignable = assignable;
  v->pooled = pooled;
}

void vy_dg_scope_close(gen *g, unsigned mark) {
  while (g->nvars > mark) {
    const var *v = &g->vars[--g->nvars];
    if (v->pooled && g->ndead < MAX_DEAD) memcpy(g->dead[g->ndead++], v->name, NAME_LEN);
  }
}

static const var *find_var(const gen *g, const char *name) {
  for (unsigned i = g->nvars; i-- > 0;)
    if (!strcmp(g->vars[i].name, name)) return &g->vars[i];
  return NULL;
}

const var *vy_dg_pick_var(gen *g, gty t, bool assign) {
  unsigned n = 0;
  for (unsigned i = 0; i < g->nvars; i++) n += g->vars[i].ty == t && (!assign || g->vars[i].assignable);
  if (!n) return NULL;
  unsigned k = below(g, n);
  for (unsigned i = 0; i < g->nvars; i++)
    if (g->vars[i].ty == t && (!assign || g->vars[i].assignable) && k-- == 0) return &g->vars[i];
  return NULL;
}

/* gid.x + gid.y*X + gid.z*X*Y (or the transposed order y, x, z), where
 * X, Y are the dispatch extents: an injective linear invocation id. */
const vy_expr *vy_dg_gl_inline(gen *g, bool transposed) {
  const vy_expr *x = vy_b_invocation_id(g->b, transposed ? 1 : 0);
  const vy_expr *y = vy_b_invocation_id(g->b, transposed ? 0 : 1);
  uint32_t extent = transposed ? g->ext[1] : g->ext[0];
  const vy_expr *e = BIN(g, VY_BINOP_ADD, x, BIN(g, VY_BINOP_MUL, y, U(g, extent)));
  if (g->ext[2] > 1)
    e = BIN(g, VY_BINOP_ADD, e, BIN(g, VY_BINOP_MUL, vy_b_invocation_id(g->b, 2), U(g, g->ext[0] * g->ext[1])));
  return e;
}
const vy_expr *vy_dg_gl(gen *g) { return find_var(g, "gl") ? vy_b_var(g->b, "gl") : vy_dg_gl_inline(g, false); }

/* The linear local index x + y*sx + z*sx*sy (the lane), or its transposed order. */
const vy_expr *vy_dg_ll_inline(gen *g, bool transposed) {
  const vy_expr *x = vy_b_local_id(g->b, transposed ? 1 : 0);
  const vy_expr *y = vy_b_local_id(g->b, transposed ? 0 : 1);
  const vy_expr *e = BIN(g, VY_BINOP_ADD, x, BIN(g, VY_BINOP_MUL, y, U(g, transposed ? g->wg[1] : g->wg[0])));
  if (g->wg[2] > 1)
    e = BIN(g, VY_BINOP_ADD, e, BIN(g, VY_BINOP_MUL, vy_b_local_id(g->b, 2), U(g, g->wg[0] * g->wg[1])));
  return e;
}
const vy_expr *vy_dg_ll(gen *g) { return find_var(g, "ll") ? vy_b_var(g->b, "ll") : vy_dg_ll_inline(g, false); }

/* The linear workgroup id: wid.x + wid.y*gx + wid.z*gx*gy. */
static const vy_expr *wl_expr(gen *g) {
  const vy_expr *e = vy_b_workgroup_id(g->b, 0);
  if (g->grid[1] > 1) e = BIN(g, VY_BINOP_ADD, e, BIN(g, VY_BINOP_MUL, vy_b_workgroup_id(g->b, 1), U(g, g->grid[0])));
  if (g->grid[2] > 1)
    e = BIN(g, VY_BINOP_ADD, e, BIN(g, VY_BINOP_MUL, vy_b_workgroup_id(g->b, 2), U(g, g->grid[0] * g->grid[1])));
  return e;
}

/* Element of `o` owned by this invocation (or its workgroup), j-th of k.
 * `j` is an expression (a loop variable) or NULL for the constant jc. Pure. */
const vy_expr *vy_dg_own_idx(gen *g, const buf *o, const vy_expr *j, uint32_t jc) {
  const vy_expr *base;
  if (o->per_wg) {
    base = wl_expr(g);
  } else {
    const vy_expr *lin = o->map == M_TRANS ? vy_dg_gl_inline(g, true) : vy_dg_gl(g);
    switch ((omap)o->map) {
    case M_REV:
      base = BIN(g, VY_BINOP_SUB, U(g, g->T - 1), lin);
      break;
    case M_XOR:
      base = BIN(g, VY_BINOP_BIT_XOR, lin, U(g, o->mc));
      break;
    case M_MUL:
      base = BIN(g, VY_BINOP_ADD, BIN(g, VY_BINOP_MUL, lin, U(g, o->mm)), U(g, o->mc));
      break;
    default:
      base = lin;
      break;
    }
  }
  if (o->k == 1) return base;
  return BIN(g, VY_BINOP_ADD, BIN(g, VY_BINOP_MUL, base, U(g, o->k)), j ? j : U(g, jc));
}

/* Slot j of this lane in workgroup buffer `w` under the phase's permutation. Pure. */
const vy_expr *vy_dg_wg_own_slot(gen *g, const buf *w, uint32_t j) {
  const vy_expr *l = w->perm == P_TRANS ? vy_dg_ll_inline(g, true) : vy_dg_ll(g), *s;
  switch ((wperm)w->perm) {
  case P_REV:
    s = BIN(g, VY_BINOP_SUB, U(g, g->P - 1), l);
    break;
  case P_ROT:
    s = BIN(g, VY_BINOP_MOD, BIN(g, VY_BINOP_ADD, l, U(g, w->pc)), U(g, g->P));
    break;
  case P_MUL:
    s = BIN(g, VY_BINOP_MOD, BIN(g, VY_BINOP_MUL, l, U(g, w->pc)), U(g, g->P));
    break;
  default:
    s = l;
    break;
  }
  return j ? BIN(g, VY_BINOP_ADD, s, U(g, g->P * j)) : s;
}

vy_ordering vy_dg_any_ordering(gen *g) { return (vy_ordering)(VY_ORDERING_RELAXED + below(g, 5)); } /* not grid_sync */
vy_ordering vy_dg_barrier_ordering(gen *g) {
  return chance(g, 1, 12) ? VY_ORDERING_GRID_SYNC : (vy_ordering)(VY_ORDERING_ACQUIRE + below(g, 4));
}

/* ---- expressions ----
 *
 * vy_dg_ex(g, t, d) builds an expression of type t, at most d levels of random
 * structure deep, whose validator type and interpreter value kind are both t
 * and whose evaluation cannot fail at run time. */

const vy_expr *vy_dg_ex(gen *g, gty t, unsigned d);

static bool type_ok(const gen *g, gty t) { return (t != T_F32 || g->o.allow_f32) && (t != T_U64 || g->o.allow_u64); }

/* A random allowed type: u32 35%, i32 20%, f32 20%, bool 15%, u64 10%. */
gty vy_dg_pick_type(gen *g) {
  for (;;) {
    unsigned r = below(g, 20);
    gty t = r < 7 ? T_U32 : r < 11 ? T_I32 : r < 15 ? T_F32 : r < 18 ? T_BOOL : T_U64;
    if (type_ok(g, t)) return t;
  }
}

static const vy_expr *lit(gen *g, gty t) {
  switch (t) {
  case T_U32:
    return U(g, u32_val(g));
  case T_I32:
    return I(g, i32_val(g));
  case T_U64:
    return CAST(g, VY_TYPE_U64, U(g, u32_val(g))); /* no u64 literal runs in the reference */
  case T_F32:
    if (chance(g, 1, 12)) return UN(g, VY_UNOP_NEGATE, vy_b_f32_bits(g->b, 0)); /* -0.0 */
    return vy_b_f32_bits(g->b, f32_lit_bits(g));
  default:
    return vy_b_bool(g->b, chance(g, 1, 2));
  }
}

/* LitU32(0), LitI32(0), LitF32(+-0) through Casts: the validator's V044 test. */
static bool static_zero(const vy_expr *e) {
  while (e && e->kind == VY_EXPR_CAST) e = e->u.cast.value;
  if (!e) return false;
  if (e->kind == VY_EXPR_LIT_U32) return e->u.lit_u32 == 0;
  if (e->kind == VY_EXPR_LIT_I32) return e->u.lit_i32 == 0;
  return e->kind == VY_EXPR_LIT_F32 && (e->u.lit_f32_bits & 0x7FFFFFFFu) == 0;
}

/* u64 -> u32 without a range error and without evaluating `e` twice. */
static const vy_expr *u64_small(gen *g, const vy_expr *e) {
  static const vy_unop COUNT_OPS[] = {VY_UNOP_POPCOUNT, VY_UNOP_CLZ, VY_UNOP_CTZ};
  if (chance(g, 1, 2)) return CAST(g, VY_TYPE_U32, UN(g, PICK(g, COUNT_OPS), e));
  /* mul_high(e, c) < c: statically u32, at run time a u64 below 2^32 */
  uint32_t c = chance(g, 1, 2) ? 0xFFFFFFFFu : 1 + below(g, 1000);
  return CAST(g, VY_TYPE_U32, BIN(g, VY_BINOP_MUL_HIGH, e, CAST(g, VY_TYPE_U64, U(g, c))));
}

/* Converts `e` (type from) to type `to` with casts that cannot fail. */
static const vy_expr *conv(gen *g, const vy_expr *e, gty from, gty to) {
  if (from == to) return e;
  switch (to) {
  case T_BOOL:
    return CAST(g, VY_TYPE_BOOL, e);
  case T_U32:
  case T_I32:
    if (from == T_U64) e = u64_small(g, e);
    return CAST(g, TK[to], e);
  case T_U64:
    if (from == T_I32) e = chance(g, 1, 2) ? CAST(g, VY_TYPE_U32, e) : BIN(g, VY_BINOP_MAX, e, I(g, 0));
    if (from == T_F32) e = CAST(g, VY_TYPE_U32, e); /* f32 -> u64 is not a legal cast */
    return CAST(g, VY_TYPE_U64, e);
  default: /* T_F32 */
    if (from == T_U64) e = u64_small(g, e);
    return CAST(g, VY_TYPE_F32, e);
  }
}

/* A value of type `to` converted from a random other type. */
static const vy_expr *ex_conv(gen *g, gty to, unsigned d) {
  gty from = vy_dg_pick_type(g);
  const vy_expr *e = vy_dg_ex(g, from, d);
  return conv(g, e, from, to);
}

/* A value of type `want` loaded from `b` at `idx`. Bool elements load as the
 * raw u32 word (§4.3): a single cast to any type reads it as such. */
const vy_expr *vy_dg_load_as(gen *g, const buf *b, const vy_expr *idx, gty want) {
  const vy_expr *e = vy_b_load(g->b, b->name, idx);
  if (b->ty != T_BOOL) return conv(g, e, (gty)b->ty, want);
  if (want == T_BOOL && chance(g, 1, 3)) return UN(g, VY_UNOP_LOGICAL_NOT, e);
  return CAST(g, TK[want], e);
}

/* An index into input `b`: mostly in range, sometimes not (allow_oob). */
const vy_expr *vy_dg_in_index(gen *g, const buf *b, unsigned d) {
  unsigned r = below(g, 12);
  if (g->o.allow_oob && r == 0) {
    g->features |= VY_DIFFGEN_F_OOB;
    if (chance(g, 1, 2)) return BIN(g, VY_BINOP_ADD, LEN(g, b), U(g, below(g, 4)));
    return vy_dg_ex(g, T_U32, d);
  }
  if (r < 4) return BIN(g, VY_BINOP_MOD, chance(g, 2, 3) ? vy_dg_gl(g) : vy_dg_ll(g), LEN(g, b));
  if (r < 6 && b->count) return U(g, below(g, b->count));
  const vy_expr *e = vy_dg_ex(g, T_U32, d);
  if (r < 8) return BIN(g, VY_BINOP_MIN, e, BIN(g, VY_BINOP_SUB, LEN(g, b), U(g, 1)));
  return BIN(g, VY_BINOP_MOD, e, LEN(g, b));
}

/* Any slot of workgroup buffer `w` (read mode). */
static const vy_expr *wg_any_index(gen *g, const buf *w, unsigned d) {
  const vy_expr *e;
  switch (below(g, 6)) {
  case 0:
    e = BIN(g, VY_BINOP_ADD, vy_dg_ll(g), U(g, 1));
    break;
  case 1:
    e = BIN(g, VY_BINOP_SUB, vy_dg_ll(g), U(g, 1));
    break;
  case 2:
    e = vy_dg_ll_inline(g, true);
    break;
  case 3:
    e = U(g, below(g, w->count));
    break;
  default:
    e = vy_dg_ex(g, T_U32, d);
    break;
  }
  if (g->o.allow_oob && chance(g, 1, 6)) {
    g->features |= VY_DIFFGEN_F_OOB;
    return e; /* out of range reads give zero */
  }
  return BIN(g, VY_BINOP_MOD, e, U(g, w->count));
}

const vy_expr *vy_dg_owned_atomic(gen *g, const buf *a, unsigned d) {
  static const vy_atomic_op OPS[] = {VY_ATOMIC_ADD,       VY_ATOMIC_OR,  VY_ATOMIC_AND,      VY_ATOMIC_XOR,
                                     VY_ATOMIC_MIN,       VY_ATOMIC_MAX, VY_ATOMIC_EXCHANGE, VY_ATOMIC_COMPARE_EXCHANGE,
                                     VY_ATOMIC_LRU_UPDATE};
  vy_atomic_op op = PICK(g, OPS);
  uint32_t j = below(g, a->k);
  const vy_expr *expected = op == VY_ATOMIC_COMPARE_EXCHANGE ? vy_dg_ex(g, T_U32, d) : NULL;
  const vy_expr *value = vy_dg_ex(g, T_U32, d);
  vy_ordering ord = vy_dg_any_ordering(g);
  g->features |= VY_DIFFGEN_F_ATOMIC_OWNED;
  return vy_b_atomic(g->b, op, 0, ord, a->name, vy_dg_own_idx(g, a, NULL, j), expected, value);
}

/* A read of memory: an input anywhere, a workgroup buffer as its phase mode
 * allows, this invocation's own output element, or an owned atomic. NULL
 * when nothing is readable here. */
static const vy_expr *load_leaf(gen *g, gty t, unsigned d) {
  const buf *cand[MAX_BUFS];
  unsigned n = 0, same = 0;
  for (unsigned i = 0; i < g->nbufs; i++) {
    const buf *b = &g->bufs[i];
    bool ok = b->kind == B_IN || (b->kind == B_WG && (b->mode == W_READ || (b->mode == W_OWN && !g->sg_arg))) ||
              (b->kind == B_OUT && !b->per_wg && !g->sg_arg) || (b->kind == B_OWNED_ATOM && !g->sg_arg && !g->pure);
    if (!ok) continue;
    cand[n++] = b;
    same += b->ty == t;
  }
  if (!n) return NULL;
  /* prefer buffers of the wanted type */
  const buf *b = cand[below(g, n)];
  if (same && b->ty != t && chance(g, 2, 3)) {
    unsigned k = below(g, same);
    for (unsigned i = 0; i < n; i++)
      if (cand[i]->ty == t && k-- == 0) b = cand[i];
  }
  const vy_expr *idx;
  switch ((bkind)b->kind) {
  case B_IN:
    idx = vy_dg_in_index(g, b, d);
    break;
  case B_WG:
    g->features |= VY_DIFFGEN_F_WORKGROUP_MEM;
    idx = b->mode == W_OWN ? vy_dg_wg_own_slot(g, b, below(g, b->k)) : wg_any_index(g, b, d);
    break;
  case B_OWNED_ATOM: {
    const vy_expr *a = vy_dg_owned_atomic(g, b, d);
    return conv(g, a, T_U32, t);
  }
  default:
    idx = vy_dg_own_idx(g, b, NULL, below(g, b->k));
    break;
  }
  return vy_dg_load_as(g, b, idx, t);
}

/* Ids, lengths and linear ids (all u32). */
static const vy_expr *id_leaf(gen *g) {
  uint8_t axis = (uint8_t)below(g, 3);
  switch (below(g, 7)) {
  case 0:
    return vy_b_invocation_id(g->b, axis);
  case 1:
    return vy_b_local_id(g->b, axis);
  case 2:
    return vy_b_workgroup_id(g->b, axis);
  case 3:
    return vy_dg_gl(g);
  case 4:
    return vy_dg_ll(g);
  default: {
    unsigned n = 0;
    for (unsigned i = 0; i < g->nbufs; i++) n += g->bufs[i].kind != B_SHARED_ATOM && g->bufs[i].kind != B_OWNED_ATOM;
    unsigned k = below(g, n);
    for (unsigned i = 0; i < g->nbufs; i++) {
      const buf *b = &g->bufs[i];
      if (b->kind != B_SHARED_ATOM && b->kind != B_OWNED_ATOM && k-- == 0) return LEN(g, b);
    }
    return vy_b_invocation_id(g->b, axis);
  }
  }
}

static const vy_expr *leaf(gen *g, gty t, unsigned d) {
  unsigned r = below(g, 16);
  if (r < 5) {
    const var *v = vy_dg_pick_var(g, t, false);
    if (v) return vy_b_var(g->b, v->name);
  } else if (r < 9) {
    const vy_expr *e = load_leaf(g, t, d);
    if (e) return e;
  } else if (r < 12 && t == T_U32) {
    return id_leaf(g);
  }
  return lit(g, t);
}

/* The lane operand of a shuffle: relative to the subgroup start; 32 and up
 * (or past a partial subgroup's end) reads 0. */
static const vy_expr *shuffle_lane(gen *g, unsigned d) {
  switch (below(g, 5)) {
  case 0:
    return U(g, below(g, 40));
  case 1:
    return BIN(g, VY_BINOP_BIT_AND, BIN(g, VY_BINOP_BIT_XOR, vy_dg_ll(g), U(g, 1 + below(g, 31))), U(g, 31));
  case 2:
    return BIN(g, VY_BINOP_BIT_AND, BIN(g, VY_BINOP_ADD, vy_dg_ll(g), U(g, 1)), U(g, 31));
  default:
    return vy_dg_ex(g, T_U32, d);
  }
}

/* subgroup_add / ballot / shuffle (u32), or an f32 shuffle cast back to f32
 * (a float shuffle is statically u32 but carries the floats). */
const vy_expr *vy_dg_sg_expr(gen *g, gty t, unsigned d) {
  g->sg_arg = true;
  g->pure++;
  const vy_expr *e;
  unsigned r = t == T_F32 ? 3 : below(g, 3);
  if (r == 0) {
    e = vy_b_subgroup_add(g->b, vy_dg_ex(g, T_U32, d));
  } else if (r == 1) {
    gty ct = vy_dg_pick_type(g);
    e = vy_b_subgroup_ballot(g->b, vy_dg_ex(g, ct, d));
  } else {
    const vy_expr *v = vy_dg_ex(g, r == 3 ? T_F32 : T_U32, d);
    const vy_expr *lane = shuffle_lane(g, d);
    e = vy_b_subgroup_shuffle(g->b, v, lane);
    if (r == 3) e = CAST(g, VY_TYPE_F32, e);
  }
  g->pure--;
  g->sg_arg = false;
  g->features |= VY_DIFFGEN_F_SUBGROUP;
  return e;
}

static const vy_expr *owned_atomic_any(gen *g, unsigned d) {
  if (g->sg_arg || g->pure) return NULL;
  unsigned n = 0;
  for (unsigned i = 0; i < g->nbufs; i++) n += g->bufs[i].kind == B_OWNED_ATOM;
  unsigned k = below(g, n);
  for (unsigned i = 0; i < g->nbufs; i++)
    if (g->bufs[i].kind == B_OWNED_ATOM && k-- == 0) return vy_dg_owned_atomic(g, &g->bufs[i], d);
  return NULL;
}

/* cast<to>(cast<X>(v)) through a type the reference keeps as raw bytes
 * (u8/u16/i8/i16/i64 keep all the bytes of v, vec2/vec4 zero-pad): only the
 * combinations that read back without a range error (§3.4). */
static const vy_expr *exotic(gen *g, gty to, unsigned d) {
  static const vy_type_kind NARROW[] = {VY_TYPE_U8, VY_TYPE_U16, VY_TYPE_I8, VY_TYPE_I16, VY_TYPE_I64};
  static const gty SMALL[] = {T_U32, T_I32, T_BOOL};
  if (to == T_U32 || to == T_I32) {
    gty s = PICK(g, SMALL);
    const vy_expr *v = vy_dg_ex(g, s, d);
    return CAST(g, TK[to], CAST(g, PICK(g, NARROW), v));
  }
  gty s = g->o.allow_u64 && chance(g, 1, 3) ? T_U64 : PICK(g, SMALL);
  const vy_expr *v = vy_dg_ex(g, s, d);
  unsigned r = below(g, 3);
  vy_type_kind mid = r == 0 ? VY_TYPE_VEC2U32 : PICK(g, NARROW);
  if (to == T_BOOL && r == 1 && s != T_U64) return CAST(g, VY_TYPE_BOOL, CAST(g, VY_TYPE_VEC4U32, v));
  if (to == T_U64 && r == 1 && s != T_U64)
    return CAST(g, VY_TYPE_U64, CAST(g, VY_TYPE_VEC2U32, CAST(g, VY_TYPE_VEC4U32, v)));
  return CAST(g, TK[to], CAST(g, mid, v));
}

/* An i32 dividend and divisor whose quotient and remainder are defined:
 * divisor nonzero and not -1, or dividend not i32::MIN. */
static void safe_i32_div(gen *g, unsigned d, const vy_expr **a, const vy_expr **b) {
  static const int32_t DIVS[] = {1, 2, 3, 7, -2, -3, -7, 100, INT32_MAX, INT32_MIN};
  static const int32_t SUBST[] = {1, -1, 5, INT32_MIN};
  const vy_expr *x = vy_dg_ex(g, T_I32, d);
  g->features |= VY_DIFFGEN_F_I32_DIV;
  switch (below(g, 4)) {
  case 0:
    *a = x;
    *b = BIN(g, VY_BINOP_MAX, vy_dg_ex(g, T_I32, d), I(g, 1));
    return;
  case 1:
    *a = x;
    *b = BIN(g, VY_BINOP_MIN, vy_dg_ex(g, T_I32, d), I(g, -2));
    return;
  case 2:
    *a = x;
    *b = I(g, PICK(g, DIVS));
    return;
  default: {
    g->pure++; /* dv is evaluated twice */
    const vy_expr *dv = vy_dg_ex(g, T_I32, d);
    g->pure--;
    int32_t s = PICK(g, SUBST);
    *a = BIN(g, VY_BINOP_MAX, x, I(g, INT32_MIN + 1));
    *b = vy_b_select(g->b, BIN(g, VY_BINOP_EQ, dv, I(g, 0)), I(g, s), dv);
    return;
  }
  }
}

static const vy_expr *select_of(gen *g, gty t, unsigned d) {
  gty ct = vy_dg_pick_type(g);
  const vy_expr *c = vy_dg_ex(g, ct, d);
  const vy_expr *x = vy_dg_ex(g, t, d);
  const vy_expr *y = vy_dg_ex(g, t, d);
  return vy_b_select(g->b, c, x, y);
}

static const vy_expr *ex_u32(gen *g, unsigned d) {
  static const vy_binop OPS[] = {VY_BINOP_ADD,
                                 VY_BINOP_SUB,
                                 VY_BINOP_MUL,
                                 VY_BINOP_DIV,
                                 VY_BINOP_MOD,
                                 VY_BINOP_BIT_AND,
                                 VY_BINOP_BIT_OR,
                                 VY_BINOP_BIT_XOR,
                                 VY_BINOP_SHL,
                                 VY_BINOP_SHR,
                                 VY_BINOP_ROTATE_LEFT,
                                 VY_BINOP_ROTATE_RIGHT,
                                 VY_BINOP_MIN,
                                 VY_BINOP_MAX,
                                 VY_BINOP_ABS_DIFF,
                                 VY_BINOP_SATURATING_ADD,
                                 VY_BINOP_SATURATING_SUB,
                                 VY_BINOP_SATURATING_MUL,
                                 VY_BINOP_WRAPPING_ADD,
                                 VY_BINOP_WRAPPING_SUB,
                                 VY_BINOP_MUL_HIGH};
  static const vy_unop UNS[] = {VY_UNOP_NEGATE, VY_UNOP_BIT_NOT, VY_UNOP_POPCOUNT,
                                VY_UNOP_CLZ,    VY_UNOP_CTZ,     VY_UNOP_REVERSE_BITS};
  static const vy_binop I32_AS_U32[] = {VY_BINOP_BIT_AND, VY_BINOP_BIT_OR, VY_BINOP_BIT_XOR, VY_BINOP_WRAPPING_ADD,
                                        VY_BINOP_WRAPPING_SUB};
  static const uint32_t SHIFTS[] = {0, 1, 5, 31, 32, 33, 63, 64, 0xFFFFFFFFu};
  const vy_expr *e;
  switch (below(g, 17)) {
  case 6:
  case 7:
    e = vy_dg_ex(g, T_U32, d);
    return UN(g, PICK(g, UNS), e);
  case 8:
    return select_of(g, T_U32, d);
  case 9:
  case 10:
    return ex_conv(g, T_U32, d);
  case 11: { /* statically u32, an i32 at run time: the cast makes it a u32 */
    const vy_expr *a, *b;
    vy_binop op = PICK(g, I32_AS_U32);
    if (g->o.allow_i32_div && chance(g, 1, 4)) {
      safe_i32_div(g, d, &a, &b);
      op = VY_BINOP_MOD;
    } else {
      a = vy_dg_ex(g, T_I32, d);
      b = vy_dg_ex(g, T_I32, d);
    }
    return CAST(g, VY_TYPE_U32, BIN(g, op, a, b));
  }
  case 12:
    if (!g->o.allow_u64) break;
    e = vy_dg_ex(g, T_U64, d);
    return u64_small(g, e);
  case 13:
    return exotic(g, T_U32, d);
  case 14:
    if (vy_dg_lockstep(g)) return vy_dg_sg_expr(g, T_U32, d);
    break;
  case 15:
    if ((e = owned_atomic_any(g, d))) return e;
    break;
  default:
    break;
  }
  vy_binop op = PICK(g, OPS);
  const vy_expr *l = vy_dg_ex(g, T_U32, d);
  bool shift = op == VY_BINOP_SHL || op == VY_BINOP_SHR || op == VY_BINOP_ROTATE_LEFT || op == VY_BINOP_ROTATE_RIGHT;
  const vy_expr *r = shift && chance(g, 1, 2) ? U(g, PICK(g, SHIFTS)) : vy_dg_ex(g, T_U32, d);
  if ((op == VY_BINOP_DIV || op == VY_BINOP_MOD) && static_zero(r)) r = U(g, 3); /* x/0 is fine, V044 is not */
  return BIN(g, op, l, r);
}

static const vy_expr *ex_i32(gen *g, unsigned d) {
  static const vy_binop OPS[] = {VY_BINOP_ADD, VY_BINOP_SUB, VY_BINOP_MUL, VY_BINOP_MIN, VY_BINOP_MAX};
  static const vy_binop AS_U32[] = {VY_BINOP_BIT_AND, VY_BINOP_BIT_OR, VY_BINOP_BIT_XOR, VY_BINOP_WRAPPING_ADD,
                                    VY_BINOP_WRAPPING_SUB};
  static const vy_unop UNS[] = {VY_UNOP_BIT_NOT, VY_UNOP_POPCOUNT, VY_UNOP_CLZ, VY_UNOP_CTZ, VY_UNOP_REVERSE_BITS};
  const vy_expr *a, *b;
  switch (below(g, 13)) {
  case 5:
  case 6:
    if (!g->o.allow_i32_div) break;
    safe_i32_div(g, d, &a, &b);
    if (chance(g, 1, 2)) return BIN(g, VY_BINOP_DIV, a, b);
    return CAST(g, VY_TYPE_I32, BIN(g, VY_BINOP_MOD, a, b)); /* mod is statically u32 */
  case 7:
    a = vy_dg_ex(g, T_I32, d);
    b = vy_dg_ex(g, T_I32, d);
    return CAST(g, VY_TYPE_I32, BIN(g, PICK(g, AS_U32), a, b));
  case 8:
    a = vy_dg_ex(g, T_I32, d);
    return UN(g, PICK(g, UNS), a);
  case 9:
    return select_of(g, T_I32, d);
  case 10:
  case 11:
    return ex_conv(g, T_I32, d);
  case 12:
    return exotic(g, T_I32, d);
  default:
    break;
  }
  vy_binop op = PICK(g, OPS);
  a = vy_dg_ex(g, T_I32, d);
  b = vy_dg_ex(g, T_I32, d);
  return BIN(g, op, a, b);
}

static const vy_expr *ex_u64(gen *g, unsigned d) {
  static const vy_unop UNS[] = {VY_UNOP_BIT_NOT, VY_UNOP_POPCOUNT, VY_UNOP_CLZ, VY_UNOP_CTZ, VY_UNOP_REVERSE_BITS};
  static const vy_binop WIDE[] = {VY_BINOP_WRAPPING_ADD, VY_BINOP_WRAPPING_SUB, VY_BINOP_MUL_HIGH};
  const vy_expr *a, *b;
  g->features |= VY_DIFFGEN_F_U64;
  switch (below(g, 10)) {
  case 0:
  case 1:
  case 2:
    a = vy_dg_ex(g, T_U64, d);
    return UN(g, PICK(g, UNS), a);
  case 3:
  case 4: /* statically u32 (no u64 arithmetic passes the validator), a u64 at run time */
    a = vy_dg_ex(g, T_U64, d);
    b = vy_dg_ex(g, T_U64, d);
    return CAST(g, VY_TYPE_U64, BIN(g, PICK(g, WIDE), a, b));
  case 5:
    return select_of(g, T_U64, d);
  case 9:
    return exotic(g, T_U64, d);
  default:
    return ex_conv(g, T_U64, d);
  }
}

static const vy_expr *ex_f32(gen *g, unsigned d) {
  static const vy_binop OPS[] = {VY_BINOP_ADD, VY_BINOP_SUB, VY_BINOP_MUL, VY_BINOP_DIV, VY_BINOP_MIN, VY_BINOP_MAX};
  static const vy_unop UNS[] = {VY_UNOP_NEGATE, VY_UNOP_ABS,   VY_UNOP_SQRT, VY_UNOP_FLOOR,        VY_UNOP_CEIL,
                                VY_UNOP_ROUND,  VY_UNOP_TRUNC, VY_UNOP_SIGN, VY_UNOP_INVERSE_SQRT, VY_UNOP_RECIPROCAL};
  static const vy_unop TRANS[] = {VY_UNOP_SIN,  VY_UNOP_COS,  VY_UNOP_TAN,  VY_UNOP_ASIN, VY_UNOP_ACOS,
                                  VY_UNOP_ATAN, VY_UNOP_SINH, VY_UNOP_COSH, VY_UNOP_TANH, VY_UNOP_EXP,
                                  VY_UNOP_EXP2, VY_UNOP_LOG,  VY_UNOP_LOG2};
  const vy_expr *a, *b, *c;
  g->features |= VY_DIFFGEN_F_F32;
  switch (below(g, 14)) {
  case 6:
  case 7:
  case 8: {
    vy_unop op = PICK(g, UNS);
    if (g->o.allow_transcendentals && chance(g, 1, 3)) {
      op = PICK(g, TRANS);
      g->features |= VY_DIFFGEN_F_TRANSCENDENTAL;
    }
    a = vy_dg_ex(g, T_F32, d);
    return UN(g, op, a);
  }
  case 9:
    a = vy_dg_ex(g, T_F32, d);
    b = vy_dg_ex(g, T_F32, d);
    c = vy_dg_ex(g, T_F32, d);
    return vy_b_fma(g->b, a, b, c);
  case 10:
    return select_of(g, T_F32, d);
  case 11:
  case 12:
    return ex_conv(g, T_F32, d);
  case 13:
    if (vy_dg_lockstep(g)) return vy_dg_sg_expr(g, T_F32, d);
    break;
  default:
    break;
  }
  vy_binop op = PICK(g, OPS);
  a = vy_dg_ex(g, T_F32, d);
  b = vy_dg_ex(g, T_F32, d);
  if (op == VY_BINOP_DIV && static_zero(b)) b = vy_b_f32_bits(g->b, 0x40400000u);
  return BIN(g, op, a, b);
}

static const vy_expr *ex_bool(gen *g, unsigned d) {
  static const vy_binop CMP[] = {VY_BINOP_EQ, VY_BINOP_NE, VY_BINOP_LT, VY_BINOP_GT, VY_BINOP_LE, VY_BINOP_GE};
  static const vy_unop FCLASS[] = {VY_UNOP_IS_NAN, VY_UNOP_IS_INF, VY_UNOP_IS_FINITE};
  const vy_expr *a, *b;
  gty t;
  switch (below(g, 13)) {
  case 5:
  case 6: /* logical and/or: both u32 or both bool (a mix fails at run time) */
    t = chance(g, 1, 2) ? T_BOOL : T_U32;
    a = vy_dg_ex(g, t, d);
    b = vy_dg_ex(g, t, d);
    return BIN(g, chance(g, 1, 2) ? VY_BINOP_AND : VY_BINOP_OR, a, b);
  case 7:
    t = chance(g, 1, 2) ? T_BOOL : T_U32;
    a = vy_dg_ex(g, t, d);
    return UN(g, VY_UNOP_LOGICAL_NOT, a);
  case 8:
    if (!g->o.allow_f32) break;
    a = vy_dg_ex(g, T_F32, d);
    return UN(g, PICK(g, FCLASS), a);
  case 9:
    return select_of(g, T_BOOL, d);
  case 10:
  case 11:
    return ex_conv(g, T_BOOL, d);
  case 12:
    return exotic(g, T_BOOL, d);
  default:
    break;
  }
  t = vy_dg_pick_type(g);
  vy_binop op = t == T_BOOL ? (chance(g, 1, 2) ? VY_BINOP_EQ : VY_BINOP_NE) : PICK(g, CMP); /* bool: eq/ne only */
  a = vy_dg_ex(g, t, d);
  b = vy_dg_ex(g, t, d);
  return BIN(g, op, a, b);
}

const vy_expr *vy_dg_ex(gen *g, gty t, unsigned d) {
  if (d == 0 || g->ebudget == 0 || chance(g, 1, 5)) return leaf(g, t, d);
  g->ebudget--;
  switch (t) {
  case T_U32:
    return ex_u32(g, d - 1);
  case T_I32:
    return ex_i32(g, d - 1);
  case T_U64:
    return ex_u64(g, d - 1);
  case T_F32:
    return ex_f32(g, d - 1);
  default:
    return ex_bool(g, d - 1);
  }
}

/* An If condition: bool, u32, or a raw bool-buffer word (statically bool). */
const vy_expr *vy_dg_cond(gen *g) {
  gty t = chance(g, 3, 4) ? T_BOOL : T_U32;
  return vy_dg_ex(g, t, g->max_edepth);
}

/* Workgroup-uniform u32 (validator and runtime): literals, buf_len and
 * workgroup ids only, so also invariant across loop iterations. */
const vy_expr *vy_dg_uexpr(gen *g, unsigned d) {
  static const vy_binop OPS[] = {VY_BINOP_ADD, VY_BINOP_SUB,     VY_BINOP_MUL, VY_BINOP_MIN,
                                 VY_BINOP_MAX, VY_BINOP_BIT_AND, VY_BINOP_SHR, VY_BINOP_MOD};
  if (d == 0 || chance(g, 1, 3)) {
    switch (below(g, 3)) {
    case 0:
      return U(g, u32_val(g));
    case 1:
      return vy_b_workgroup_id(g->b, (uint8_t)below(g, 3));
    default: {
      const buf *b = &g->bufs[below(g, g->nbufs)];
      if (b->kind == B_SHARED_ATOM || b->kind == B_OWNED_ATOM) return U(g, below(g, 5));
      return LEN(g, b);
    }
    }
  }
  vy_binop op = PICK(g, OPS);
  const vy_expr *a = vy_dg_uexpr(g, d - 1);
  const vy_expr *b = op == VY_BINOP_MOD ? U(g, 1 + below(g, 7)) : vy_dg_uexpr(g, d - 1);
  return BIN(g, op, a, b);
}

const vy_expr *vy_dg_ucond(gen *g) {
  static const vy_binop CMP[] = {VY_BINOP_EQ, VY_BINOP_NE, VY_BINOP_LT, VY_BINOP_GT, VY_BINOP_LE, VY_BINOP_GE};
  if (chance(g, 1, 4)) return vy_dg_uexpr(g, 2);
  vy_binop op = PICK(g, CMP);
  const vy_expr *a = vy_dg_uexpr(g, 2);
  const vy_expr *b = vy_dg_uexpr(g, 1);
  return BIN(g, op, a, b);
}
