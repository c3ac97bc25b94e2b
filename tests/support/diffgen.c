/* diffgen.c - see diffgen.h: statements, the workgroup-memory phases,
 * lockstep tracking for subgroup ops, the templates (reduction, barrier
 * loops and Ifs, sole-lane and async access), runtime-error injection, the
 * program body and the entry points. Values and expressions are in
 * diffgen_expr.c, the plan (shape, buffers, grid, inputs) in diffgen_plan.c.
 */
#include <stdio.h>
#include <string.h>

#include "alloc_int.h"
#include "diffgen_int.h"
#include "error_int.h"

/* ---- statements ----
 *
 * `bar_ok`: barriers may be emitted in this list (the top-level region
 * lists, barrier-loop bodies and barrier-If branches, and Blocks/Regions
 * nested directly in them). g->diverged tracks lockstep for subgroup ops. */

static void stmts(gen *g, unsigned depth, bool bar_ok, unsigned n);

/* Fresh modes for the workgroup buffers: a barrier has just completed every
 * earlier access, so any mode is safe for the phase that starts. */
static void new_phase(gen *g) {
  for (unsigned i = 0; i < g->nbufs; i++) {
    buf *w = &g->bufs[i];
    if (w->kind != B_WG) continue;
    unsigned r = below(g, 10);
    w->mode = r < 2 ? W_IDLE : r < 6 ? W_OWN : r < 9 ? W_READ : W_SOLE;
    w->perm = (uint8_t)below(g, 5);
    w->pc = below(g, g->P);
    if (w->perm == P_MUL) {
      w->pc = 1 + 2 * below(g, 9);
      while (gcd(w->pc, g->P) != 1) w->pc += 2;
    }
    w->lane = below(g, g->P);
  }
}

static void barrier(gen *g) {
  vy_b_barrier(g->b, vy_dg_barrier_ordering(g));
  g->stmts_left--;
  g->features |= VY_DIFFGEN_F_BARRIER;
  g->diverged = false;
  new_phase(g);
}

static void emit_let(gen *g, gty t, const vy_expr *e) {
  char nm[NAME_LEN];
  vy_dg_let_name(g, nm, 'v');
  vy_b_let(g->b, nm, e);
  vy_dg_declare(g, nm, t, true, true);
}

/* A bool input, for raw word copies; NULL if none. */
static const buf *bool_input(gen *g) {
  for (unsigned i = 0; i < g->nbufs; i++)
    if (g->bufs[i].kind == B_IN && g->bufs[i].ty == T_BOOL) return &g->bufs[i];
  return NULL;
}

static const vy_expr *rmw(gen *g, gty t, const vy_expr *old, const vy_expr *x) {
  static const vy_binop U32OPS[] = {VY_BINOP_ADD, VY_BINOP_BIT_XOR, VY_BINOP_MAX, VY_BINOP_WRAPPING_SUB};
  static const vy_binop I32OPS[] = {VY_BINOP_ADD, VY_BINOP_MIN, VY_BINOP_SUB};
  static const vy_binop F32OPS[] = {VY_BINOP_ADD, VY_BINOP_MUL, VY_BINOP_MAX};
  switch (t) {
  case T_U32:
    return BIN(g, PICK(g, U32OPS), old, x);
  case T_I32:
    return BIN(g, PICK(g, I32OPS), old, x);
  case T_F32:
    return BIN(g, PICK(g, F32OPS), old, x);
  case T_U64:
    return CAST(g, VY_TYPE_U64, BIN(g, VY_BINOP_WRAPPING_ADD, old, x));
  default:
    return BIN(g, VY_BINOP_NE, old, x); /* bool xor */
  }
}

/* The value stored at own element `idx` of `o`: a fresh value, a
 * read-modify-write, or a value whose runtime kind differs from its static
 * type (an i32 or u64 into a u32 element, a bool into u32, a raw word into a
 * bool element): the store writes its raw bytes (§4.3). */
static const vy_expr *store_value(gen *g, const buf *o, const vy_expr *idx) {
  static const vy_binop AS_U32[] = {VY_BINOP_BIT_AND, VY_BINOP_BIT_OR, VY_BINOP_BIT_XOR, VY_BINOP_WRAPPING_ADD};
  static const vy_binop WIDE[] = {VY_BINOP_WRAPPING_ADD, VY_BINOP_WRAPPING_SUB, VY_BINOP_MUL_HIGH};
  gty t = (gty)o->ty;
  unsigned d = g->max_edepth, r = below(g, 10);
  const vy_expr *a, *b;
  if (r < 2) {
    a = vy_dg_load_as(g, o, idx, t);
    b = vy_dg_ex(g, t, d);
    return rmw(g, t, a, b);
  }
  if (r == 2 && (t == T_U32 || t == T_BOOL)) {
    const buf *bi = bool_input(g);
    switch (below(g, 4)) {
    case 0:
      if (!bi) break;
      a = vy_dg_in_index(g, bi, d);
      return vy_b_load(g->b, bi->name, a); /* statically bool, the raw word at run time */
    case 1:
      if (t == T_BOOL) return vy_dg_ex(g, T_U32, d);
      return vy_dg_ex(g, T_BOOL, d);
    case 2:
      if (t != T_U32) break;
      a = vy_dg_ex(g, T_I32, d);
      b = vy_dg_ex(g, T_I32, d);
      return BIN(g, PICK(g, AS_U32), a, b);
    default:
      if (t != T_U32 || !g->o.allow_u64) break;
      a = vy_dg_ex(g, T_U64, d);
      b = vy_dg_ex(g, T_U64, d);
      return BIN(g, PICK(g, WIDE), a, b); /* the low word is stored */
    }
  }
  return vy_dg_ex(g, t, d);
}

/* A store to this invocation's (or workgroup's) own element of output `o`. */
static void st_store(gen *g, const buf *o, unsigned depth) {
  uint32_t j = below(g, o->k);
  bool loop_j = o->k > 1 && g->o.allow_loops && depth < g->max_depth && chance(g, 1, 3);
  bool guard = !g->o.allow_oob || chance(g, 3, 4);
  if (!guard) g->features |= VY_DIFFGEN_F_OOB;
  if (o->per_wg) vy_b_if(g->b, BIN(g, VY_BINOP_EQ, vy_dg_ll(g), U(g, o->lane)));
  char jn[NAME_LEN] = "";
  unsigned m = vy_dg_scope_open(g);
  if (loop_j) {
    vy_dg_let_name(g, jn, 'j');
    vy_b_loop(g->b, jn, U(g, 0), U(g, o->k));
    vy_dg_declare(g, jn, T_U32, false, true);
    g->features |= VY_DIFFGEN_F_LOOP;
  }
  const vy_expr *idx = vy_dg_own_idx(g, o, loop_j ? vy_b_var(g->b, jn) : NULL, j);
  if (guard) vy_b_if(g->b, BIN(g, VY_BINOP_LT, idx, LEN(g, o)));
  if (guard || loop_j || o->per_wg) {
    g->diverged = true;
    g->ndiv++;
  }
  const vy_expr *v = store_value(g, o, idx);
  vy_b_store(g->b, o->name, idx, v);
  if (guard) vy_b_end(g->b);
  if (loop_j) vy_b_end(g->b);
  vy_dg_scope_close(g, m);
  if (o->per_wg) vy_b_end(g->b);
}

static void st_wg_store(gen *g, const buf *w) {
  uint32_t j = below(g, w->k);
  const vy_expr *idx = vy_dg_wg_own_slot(g, w, j);
  const vy_expr *v = store_value(g, w, idx);
  vy_b_store(g->b, w->name, idx, v);
  g->features |= VY_DIFFGEN_F_WORKGROUP_MEM;
}

/* A store past the end of a data output or workgroup buffer: dropped (§4.3). */
static void st_oob_store(gen *g, const buf *b) {
  uint32_t extra = chance(g, 1, 2) ? below(g, 4) : 0x7FFFFFFFu;
  const vy_expr *v = vy_dg_ex(g, (gty)b->ty, g->max_edepth);
  vy_b_store(g->b, b->name, BIN(g, VY_BINOP_ADD, LEN(g, b), U(g, extra)), v);
  g->features |= VY_DIFFGEN_F_OOB;
}

/* let _uN = atomic(op, buffer, any index, value): the old value is never read. */
static void st_shared_atomic(gen *g, const buf *a) {
  unsigned r = below(g, 5);
  const vy_expr *idx;
  if (r == 0) {
    idx = U(g, below(g, a->count));
  } else if (r == 1 && g->o.allow_oob) {
    idx = BIN(g, VY_BINOP_ADD, U(g, a->elems), U(g, below(g, 3))); /* out of range: no effect */
    g->features |= VY_DIFFGEN_F_OOB;
  } else {
    idx = vy_dg_ex(g, T_U32, g->max_edepth);
    idx = BIN(g, VY_BINOP_MOD, idx, U(g, a->count));
  }
  const vy_expr *v = vy_dg_ex(g, T_U32, g->max_edepth);
  vy_ordering ord = vy_dg_any_ordering(g);
  const vy_expr *e = vy_b_atomic(g->b, a->op, 0, ord, a->name, idx, NULL, v);
  char nm[NAME_LEN];
  snprintf(nm, NAME_LEN, "_u%u", g->fresh++);
  vy_b_let(g->b, nm, e);
  g->features |= VY_DIFFGEN_F_ATOMIC_SHARED;
}

static void st_if(gen *g, unsigned depth) {
  bool uni = chance(g, 1, 4);
  const vy_expr *c = uni ? vy_dg_ucond(g) : vy_dg_cond(g);
  vy_b_if(g->b, c);
  if (!uni) g->diverged = true;
  bool entry = g->diverged;
  unsigned m = vy_dg_scope_open(g);
  stmts(g, depth + 1, false, 1 + below(g, 3));
  vy_dg_scope_close(g, m);
  bool then_div = g->diverged;
  if (chance(g, 1, 3)) {
    vy_b_else(g->b);
    g->diverged = entry;
    m = vy_dg_scope_open(g);
    stmts(g, depth + 1, false, 1 + below(g, 3));
    vy_dg_scope_close(g, m);
  }
  vy_b_end(g->b);
  g->diverged = g->diverged || then_div;
  if (!uni) g->ndiv++;
}

static void st_loop(gen *g, unsigned depth) {
  const vy_expr *from, *to, *e;
  bool uni = true;
  switch (below(g, 3)) {
  case 0:
    from = U(g, below(g, 3));
    to = U(g, below(g, 5));
    break;
  case 1:
    from = U(g, below(g, 2));
    e = vy_dg_uexpr(g, 1);
    to = BIN(g, VY_BINOP_MIN, e, U(g, 1 + below(g, 4)));
    break;
  default:
    uni = false;
    e = vy_dg_ex(g, T_U32, g->max_edepth);
    from = chance(g, 1, 2) ? U(g, 0) : BIN(g, VY_BINOP_MOD, e, U(g, 3));
    e = vy_dg_ex(g, T_U32, g->max_edepth);
    to = chance(g, 1, 2) ? BIN(g, VY_BINOP_MOD, e, U(g, 5)) : BIN(g, VY_BINOP_MIN, e, U(g, 3));
    break;
  }
  char nm[NAME_LEN];
  vy_dg_let_name(g, nm, 'i');
  vy_b_loop(g->b, nm, from, to);
  unsigned m = vy_dg_scope_open(g), n0 = g->ndiv;
  vy_dg_declare(g, nm, T_U32, false, true);
  bool d0 = g->diverged;
  g->diverged = true; /* a later iteration follows the body's end: no subgroup ops inside */
  stmts(g, depth + 1, false, 1 + below(g, 3));
  vy_dg_scope_close(g, m);
  vy_b_end(g->b);
  g->diverged = d0 || !uni || g->ndiv != n0;
  if (!uni) g->ndiv++;
  g->features |= VY_DIFFGEN_F_LOOP;
}

static void st_block(gen *g, unsigned depth, bool bar_ok) {
  if (chance(g, 1, 2))
    vy_b_block(g->b);
  else
    vy_b_region(g->b, "diffgen.scope", chance(g, 1, 2) ? "diffgen.source" : NULL);
  unsigned m = vy_dg_scope_open(g);
  stmts(g, depth + 1, bar_ok, 1 + below(g, 3));
  vy_dg_scope_close(g, m);
  vy_b_end(g->b);
}

static void st_return(gen *g, unsigned depth) {
  const vy_expr *c = vy_dg_cond(g);
  vy_b_if(g->b, c);
  g->diverged = true;
  unsigned m = vy_dg_scope_open(g);
  if (chance(g, 1, 2)) stmts(g, depth + 1, false, 1);
  vy_b_return(g->b);
  vy_dg_scope_close(g, m);
  vy_b_end(g->b);
  g->ndiv++;
  g->features |= VY_DIFFGEN_F_EARLY_RETURN;
}

/* barrier; loop k in a..b (uniform bounds) { phases; barrier } */
static void st_barrier_loop(gen *g, unsigned depth) {
  barrier(g);
  const vy_expr *from = U(g, below(g, 2)), *to;
  if (chance(g, 1, 2)) {
    to = U(g, below(g, 4));
  } else {
    const vy_expr *e = vy_dg_uexpr(g, 1);
    to = BIN(g, VY_BINOP_MIN, e, U(g, 3));
  }
  char nm[NAME_LEN];
  vy_dg_let_name(g, nm, 'k');
  vy_b_loop(g->b, nm, from, to);
  unsigned m = vy_dg_scope_open(g);
  vy_dg_declare(g, nm, T_U32, false, true);
  stmts(g, depth + 1, true, 1 + below(g, 3));
  barrier(g);
  if (chance(g, 1, 3)) {
    stmts(g, depth + 1, true, 1 + below(g, 2));
    barrier(g);
  }
  vy_dg_scope_close(g, m);
  vy_b_end(g->b);
  g->features |= VY_DIFFGEN_F_LOOP;
}

/* barrier; if uniform { phases; barrier } [else { phases; barrier }] */
static void st_barrier_if(gen *g, unsigned depth) {
  barrier(g);
  const vy_expr *c = vy_dg_ucond(g);
  vy_b_if(g->b, c);
  unsigned m = vy_dg_scope_open(g);
  stmts(g, depth + 1, true, 1 + below(g, 3));
  barrier(g);
  vy_dg_scope_close(g, m);
  if (chance(g, 1, 2)) {
    vy_b_else(g->b);
    new_phase(g); /* the else branch starts right after the first barrier */
    m = vy_dg_scope_open(g);
    stmts(g, depth + 1, true, 1 + below(g, 2));
    barrier(g);
    vy_dg_scope_close(g, m);
  }
  vy_b_end(g->b);
}

/* The workgroup tree reduction into slot 0 of `w` (count >= C). */
static void st_reduce(gen *g, buf *w) {
  static const vy_binop U32OPS[] = {VY_BINOP_ADD,     VY_BINOP_BIT_XOR, VY_BINOP_BIT_OR,
                                    VY_BINOP_BIT_AND, VY_BINOP_MIN,     VY_BINOP_MAX};
  static const vy_binop SIGNED[] = {VY_BINOP_ADD, VY_BINOP_MIN, VY_BINOP_MAX, VY_BINOP_MUL};
  uint32_t P = g->P, C = npow2(P), L = 0;
  while ((1u << L) < C) L++;
  gty t = (gty)w->ty;
  vy_binop op = t == T_U32 ? PICK(g, U32OPS) : SIGNED[below(g, t == T_F32 ? 4 : 3)];
  const vy_expr *ident; /* fills the slots [P, C) */
  if (t == T_F32) {
    uint32_t bits = op == VY_BINOP_MIN   ? 0x7F800000u
                    : op == VY_BINOP_MAX ? 0xFF800000u
                    : op == VY_BINOP_MUL ? 0x3F800000u
                                         : 0;
    ident = vy_b_f32_bits(g->b, bits);
  } else if (t == T_I32) {
    ident = I(g, op == VY_BINOP_MIN ? INT32_MAX : op == VY_BINOP_MAX ? INT32_MIN : 0);
  } else {
    ident = U(g, op == VY_BINOP_MIN || op == VY_BINOP_BIT_AND ? 0xFFFFFFFFu : 0);
  }
  barrier(g);
  w->mode = W_IDLE; /* only the template touches it until slot 0 is read */
  const vy_expr *v = vy_dg_ex(g, t, g->max_edepth);
  vy_b_store(g->b, w->name, vy_dg_ll(g), v);
  if (C > P) {
    vy_b_if(g->b, BIN(g, VY_BINOP_LT, vy_dg_ll(g), U(g, C - P)));
    vy_b_store(g->b, w->name, BIN(g, VY_BINOP_ADD, vy_dg_ll(g), U(g, P)), ident);
    vy_b_end(g->b);
  }
  barrier(g);
  char kn[NAME_LEN];
  vy_dg_let_name(g, kn, 'k');
  vy_b_loop(g->b, kn, U(g, 0), U(g, L));
  unsigned m = vy_dg_scope_open(g);
  vy_dg_declare(g, kn, T_U32, false, true);
  const vy_expr *s = BIN(g, VY_BINOP_SHR, U(g, C), BIN(g, VY_BINOP_ADD, vy_b_var(g->b, kn), U(g, 1)));
  const vy_expr *l = vy_dg_ll(g);
  vy_b_if(g->b, BIN(g, VY_BINOP_LT, l, s));
  const vy_expr *mine = vy_b_load(g->b, w->name, l), *other = vy_b_load(g->b, w->name, BIN(g, VY_BINOP_ADD, l, s));
  vy_b_store(g->b, w->name, l, BIN(g, op, mine, other));
  vy_b_end(g->b);
  barrier(g);
  vy_dg_scope_close(g, m);
  vy_b_end(g->b);
  w->mode = W_READ;
  emit_let(g, t, vy_b_load(g->b, w->name, U(g, 0)));
  g->stmts_left -= 4;
  g->features |= VY_DIFFGEN_F_REDUCTION | VY_DIFFGEN_F_WORKGROUP_MEM | VY_DIFFGEN_F_LOOP;
}

/* if lane == c { ...only lane c touches `w` in this phase... } */
static void st_sole(gen *g, const buf *w) {
  vy_b_if(g->b, BIN(g, VY_BINOP_EQ, vy_dg_ll(g), U(g, w->lane)));
  g->diverged = true;
  g->ndiv++;
  const buf *src = NULL;
  for (unsigned i = 0; i < g->nbufs && !src; i++)
    if (g->bufs[i].kind == B_IN) src = &g->bufs[i];
  if (g->o.allow_async && src && chance(g, 1, 2)) {
    uint32_t off = below(g, 12), size = below(g, w->count * STRIDE[w->ty] + 9);
    char tag[NAME_LEN];
    snprintf(tag, NAME_LEN, "t%u", g->fresh++);
    vy_b_async_load(g->b, src->name, w->name, U(g, off), U(g, size), tag);
    vy_b_async_wait(g->b, tag);
    g->features |= VY_DIFFGEN_F_ASYNC;
  } else {
    const vy_expr *i = vy_dg_ex(g, T_U32, g->max_edepth);
    const vy_expr *idx = BIN(g, VY_BINOP_MOD, i, U(g, w->count));
    const vy_expr *v = store_value(g, w, idx);
    vy_b_store(g->b, w->name, idx, v);
  }
  vy_b_end(g->b);
  g->features |= VY_DIFFGEN_F_WORKGROUP_MEM;
}

/* if gl == 0 { async copy from an input into `cp`; wait }: only invocation 0
 * touches `cp`. */
static void st_async_copy(gen *g, const buf *cp) {
  const buf *src = NULL;
  unsigned n = 0;
  for (unsigned i = 0; i < g->nbufs; i++) n += g->bufs[i].kind == B_IN;
  unsigned k = below(g, n);
  for (unsigned i = 0; i < g->nbufs; i++)
    if (g->bufs[i].kind == B_IN && k-- == 0) src = &g->bufs[i];
  vy_b_if(g->b, BIN(g, VY_BINOP_EQ, vy_dg_gl(g), U(g, 0)));
  g->diverged = true;
  g->ndiv++;
  const vy_expr *off, *size, *e;
  if (chance(g, 1, 2)) {
    off = U(g, below(g, 16));
  } else {
    e = vy_dg_ex(g, T_U32, 2);
    off = BIN(g, VY_BINOP_MOD, e, U(g, 32));
  }
  if (chance(g, 1, 2)) {
    size = U(g, below(g, 48));
  } else {
    e = vy_dg_ex(g, T_U32, 2);
    size = BIN(g, VY_BINOP_MOD, e, U(g, 64));
  }
  char tag[NAME_LEN];
  snprintf(tag, NAME_LEN, "t%u", g->fresh++);
  if (chance(g, 1, 2))
    vy_b_async_load(g->b, src->name, cp->name, off, size, tag);
  else
    vy_b_async_store(g->b, src->name, cp->name, off, size, tag);
  vy_b_async_wait(g->b, tag);
  vy_b_end(g->b);
  g->features |= VY_DIFFGEN_F_ASYNC;
}

/* A let whose value is a subgroup op (only in lockstep code). */
static void st_sg_let(gen *g) {
  gty t = g->o.allow_f32 && chance(g, 1, 4) ? T_F32 : T_U32;
  const vy_expr *e = vy_dg_sg_expr(g, t, g->max_edepth);
  emit_let(g, t, e);
}

/* A random buffer of kind `k` (and mode `mode` for workgroup buffers, or
 * one usable by the reduction when mode is W_IDLE and k is B_WG). */
static buf *pick_buf(gen *g, bkind k, int mode) {
  unsigned n = 0;
  buf *found[MAX_BUFS];
  for (unsigned i = 0; i < g->nbufs; i++) {
    buf *b = &g->bufs[i];
    if (b->kind != k) continue;
    if (k == B_WG && mode >= 0 && b->mode != mode) continue;
    if (k == B_WG && mode < 0 && (b->ty == T_BOOL || b->ty == T_U64 || b->count < npow2(g->P))) continue;
    found[n++] = b;
  }
  return n ? found[below(g, n)] : NULL;
}

static void stmt(gen *g, unsigned depth, bool bar_ok) {
  g->ebudget = EXPR_BUDGET;
  g->stmts_left--;
  bool nest = depth < g->max_depth && g->stmts_left > 2;
  bool bar = bar_ok && g->o.allow_barriers;
  buf *b;
  for (;;) {
    unsigned r = below(g, 100);
    if (r < 20) {
      gty t = vy_dg_pick_type(g);
      const vy_expr *e = vy_dg_ex(g, t, g->max_edepth);
      emit_let(g, t, e);
      return;
    }
    if (r < 28) {
      gty t = vy_dg_pick_type(g);
      const var *v = vy_dg_pick_var(g, t, true);
      if (!v) continue;
      const vy_expr *e = vy_dg_ex(g, t, g->max_edepth);
      vy_b_assign(g->b, v->name, e);
      return;
    }
#define DO(call)                                                                                                       \
  do {                                                                                                                 \
    call;                                                                                                              \
    return;                                                                                                            \
  } while (0)
    if (r < 44 && (b = pick_buf(g, B_OUT, 0))) DO(st_store(g, b, depth));
    if (r >= 44 && r < 52 && (b = pick_buf(g, B_WG, W_OWN))) DO(st_wg_store(g, b));
    if (r >= 52 && r < 60 && nest) DO(st_if(g, depth));
    if (r >= 60 && r < 66 && nest && g->o.allow_loops) DO(st_loop(g, depth));
    if (r >= 66 && r < 69 && nest) DO(st_block(g, depth, bar_ok));
    if (r >= 69 && r < 73 && (b = pick_buf(g, B_SHARED_ATOM, 0))) DO(st_shared_atomic(g, b));
    if (r >= 73 && r < 76 && (b = pick_buf(g, B_OWNED_ATOM, 0))) {
      const vy_expr *e = vy_dg_owned_atomic(g, b, g->max_edepth);
      DO(emit_let(g, T_U32, e));
    }
    if (r >= 76 && r < 78 && nest && g->o.allow_early_return && !g->use_sg) DO(st_return(g, depth));
    if (r >= 78 && r < 83 && bar) DO(barrier(g));
    if (r >= 83 && r < 86 && bar && nest && g->o.allow_loops && (b = pick_buf(g, B_WG, -1))) DO(st_reduce(g, b));
    if (r >= 86 && r < 89 && bar && nest && g->o.allow_loops) DO(st_barrier_loop(g, depth));
    if (r >= 89 && r < 91 && bar && nest) DO(st_barrier_if(g, depth));
    if (r >= 91 && r < 94 && (b = pick_buf(g, B_WG, W_SOLE))) DO(st_sole(g, b));
    if (r >= 94 && r < 96 && (b = pick_buf(g, B_COPY, 0))) DO(st_async_copy(g, b));
    if (r == 96 && g->o.allow_oob) {
      b = chance(g, 1, 2) ? pick_buf(g, B_WG, W_IDLE) : pick_buf(g, B_OUT, 0);
      if (b) DO(st_oob_store(g, b));
    }
    if (r > 96 && vy_dg_lockstep(g)) DO(st_sg_let(g));
#undef DO
  }
}

static void stmts(gen *g, unsigned depth, bool bar_ok, unsigned n) {
  for (unsigned i = 0; i < n && g->stmts_left > 0; i++) stmt(g, depth, bar_ok);
}

/* ---- runtime-error injection (allow_runtime_errors) ----
 *
 * The first statements of the program raise the chosen error: at once, in
 * invocation 0 (`if gl == 0`), or in the second iteration of a loop. Each
 * form passes the validator; the reference fails with VY_E_RUNTIME. */

static void inject_error(gen *g) {
  const buf *atom = pick_buf(g, B_SHARED_ATOM, 0);
  if (!atom) atom = pick_buf(g, B_OWNED_ATOM, 0);
  const buf *out = pick_buf(g, B_OUT, 0), *in = pick_buf(g, B_IN, 0);
  vy_diffgen_error k;
  do k = (vy_diffgen_error)(1 + below(g, VY_DIFFGEN_ERR_COUNT - 1));
  while (k == VY_DIFFGEN_ERR_ATOMIC_OP && !atom);
  unsigned trig = below(g, 3);
  char ln[NAME_LEN];
  g->diverged |= trig == 1;
  if (trig == 1) vy_b_if(g->b, BIN(g, VY_BINOP_EQ, vy_dg_gl(g), U(g, 0)));
  if (trig == 2) {
    vy_dg_let_name(g, ln, 'i');
    vy_b_loop(g->b, ln, U(g, 0), U(g, 2));
    vy_b_if(g->b, BIN(g, VY_BINOP_EQ, vy_b_var(g->b, ln), U(g, 1)));
  }
  unsigned m = vy_dg_scope_open(g);
  const vy_expr *e = NULL, *a, *x;
  switch (k) {
  case VY_DIFFGEN_ERR_TRAP:
    a = vy_dg_ex(g, T_U32, 2);
    vy_b_trap(g->b, a, "diffgen.trap");
    break;
  case VY_DIFFGEN_ERR_I32_DIV_ZERO:
  case VY_DIFFGEN_ERR_I32_MOD_ZERO:
  case VY_DIFFGEN_ERR_I32_DIV_OVERFLOW:
    g->pure++;
    x = vy_dg_ex(g, T_I32, 2); /* x - x: a zero the validator cannot see */
    g->pure--;
    a = k == VY_DIFFGEN_ERR_I32_DIV_OVERFLOW ? BIN(g, VY_BINOP_ADD, I(g, INT32_MIN), BIN(g, VY_BINOP_SUB, x, x))
                                             : vy_dg_ex(g, T_I32, 2);
    e = BIN(g, k == VY_DIFFGEN_ERR_I32_MOD_ZERO ? VY_BINOP_MOD : VY_BINOP_DIV, a,
            k == VY_DIFFGEN_ERR_I32_DIV_OVERFLOW ? I(g, -1) : BIN(g, VY_BINOP_SUB, x, x));
    break;
  case VY_DIFFGEN_ERR_NEGATIVE_INDEX:
    a = vy_dg_ex(g, T_I32, 2);
    e = vy_b_load(g->b, in->name, BIN(g, VY_BINOP_MIN, a, I(g, -1)));
    break;
  case VY_DIFFGEN_ERR_CAST_RANGE:
    e = CAST(g, VY_TYPE_U32, UN(g, VY_UNOP_BIT_NOT, CAST(g, VY_TYPE_U64, U(g, below(g, 5)))));
    break;
  case VY_DIFFGEN_ERR_MISMATCHED:
    a = vy_dg_ex(g, T_U32, 2);
    x = vy_dg_ex(g, T_BOOL, 2);
    e = BIN(g, chance(g, 1, 2) ? VY_BINOP_AND : VY_BINOP_OR, a, x);
    break;
  case VY_DIFFGEN_ERR_ASSIGN_BUFFER:
    a = vy_dg_ex(g, (gty)out->ty, 2);
    vy_b_assign(g->b, out->name, a);
    break;
  case VY_DIFFGEN_ERR_ASYNC:
    if (chance(g, 1, 2)) {
      vy_b_async_wait(g->b, "diffgen.none");
    } else { /* never waited for: an error when the workgroup ends */
      vy_b_async_load(g->b, in->name, out->name, U(g, 0), U(g, 4), "diffgen.pending");
    }
    break;
  case VY_DIFFGEN_ERR_ATOMIC_OP:
    a = vy_dg_ex(g, T_U32, 2);
    e = vy_b_atomic(g->b, chance(g, 1, 2) ? VY_ATOMIC_FETCH_NAND : VY_ATOMIC_COMPARE_EXCHANGE_WEAK, 0,
                    VY_ORDERING_SEQ_CST, atom->name, U(g, 0), NULL, a);
    break;
  default: /* VY_DIFFGEN_ERR_UNSUPPORTED */
    switch (below(g, g->o.allow_subgroups ? 6 : 4)) {
    case 0:
      e = vy_b_lit_u64(g->b, rnd(g));
      break;
    case 1:
      a = vy_dg_ex(g, T_U32, 2);
      e = vy_b_call(g->b, "diffgen.no_such_op", 1, &a);
      break;
    case 2:
      vy_b_indirect_dispatch(g->b, in->name, 4 * below(g, 4));
      break;
    case 3:
      vy_b_resume(g->b, "diffgen.resume");
      break;
    case 4:
      e = vy_b_subgroup_local_id(g->b);
      break;
    default:
      e = vy_b_subgroup_size(g->b);
      break;
    }
    break;
  }
  if (e) {
    char nm[NAME_LEN];
    snprintf(nm, NAME_LEN, "_e%u", g->fresh++);
    vy_b_let(g->b, nm, e);
  }
  vy_dg_scope_close(g, m);
  if (trig == 2) vy_b_end(g->b);
  if (trig) vy_b_end(g->b);
  g->error = k;
  g->stmts_left -= 2;
}

/* The program body: one to three top-level Regions. */
static void body(gen *g) {
  unsigned r = below(g, 10), regions = r < 6 ? 1 : r < 9 ? 2 : 3;
  new_phase(g);
  for (unsigned i = 0; i < regions; i++) {
    vy_b_region(g->b, i == 0 ? "vyre.program.root" : "diffgen.part", NULL);
    unsigned m = vy_dg_scope_open(g);
    if (chance(g, 7, 8)) {
      vy_b_let(g->b, "gl", vy_dg_gl_inline(g, false));
      vy_dg_declare(g, "gl", T_U32, false, false);
    }
    if (chance(g, 7, 8)) {
      vy_b_let(g->b, "ll", vy_dg_ll_inline(g, false));
      vy_dg_declare(g, "ll", T_U32, false, false);
    }
    if (i == 0 && g->o.allow_runtime_errors && chance(g, 1, 3)) inject_error(g);
    if (vy_dg_lockstep(g) && chance(g, 2, 3)) st_sg_let(g);
    int stop = g->stmts_left - g->stmts_left / (int)(regions - i);
    while (g->stmts_left > stop) stmt(g, 1, true);
    if (i + 1 == regions && g->o.allow_early_return && !g->use_sg && chance(g, 1, 8)) vy_b_return(g->b);
    vy_dg_scope_close(g, m);
    vy_b_end(g->b);
  }
}

void vy_diffgen_options_default(vy_diffgen_options *o) {
  memset(o, 0, sizeof *o);
  o->allow_barriers = o->allow_workgroup_mem = o->allow_atomics = o->allow_subgroups = true;
  o->allow_f32 = o->allow_u64 = o->allow_i32_div = o->allow_loops = o->allow_oob = true;
  o->allow_early_return = o->allow_async = true;
}

void vy_diffgen_from_bytes(const uint8_t *data, size_t size, uint64_t *seed, vy_diffgen_options *o) {
  uint8_t b[16] = {0};
  if (size) memcpy(b, data, size < sizeof b ? size : sizeof b);
  *seed = 0;
  for (int i = 7; i >= 0; i--) *seed = *seed << 8 | b[i];
  vy_diffgen_options_default(o);
  unsigned bits = (unsigned)b[8] | (unsigned)b[9] << 8;
  bool *off[] = {&o->allow_barriers, &o->allow_workgroup_mem, &o->allow_atomics, &o->allow_subgroups,
                 &o->allow_f32,      &o->allow_u64,           &o->allow_i32_div, &o->allow_loops,
                 &o->allow_oob,      &o->allow_early_return,  &o->allow_async};
  for (unsigned i = 0; i < sizeof off / sizeof *off; i++)
    if (bits & (1u << i)) *off[i] = false;
  o->allow_transcendentals = bits & (1u << 11);
  o->allow_runtime_errors = bits & (1u << 12);
  o->max_stmts = 8u + b[10] % 80u;
  o->max_depth = 1u + b[11] % 6u;
  o->max_expr_depth = 1u + b[12] % 6u;
  o->max_invocations = 64u + 2u * b[13];
}

vy_status vy_diffgen_make(uint64_t seed, const vy_diffgen_options *opt, const vy_allocator *alloc, vy_diffgen_case *out,
                          vy_error *err) {
  if (!out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_diffgen_make: out is NULL. Fix: pass a vy_diffgen_case");
  memset(out, 0, sizeof *out);
  gen g;
  memset(&g, 0, sizeof g);
  g.rng = seed;
  if (opt)
    g.o = *opt;
  else
    vy_diffgen_options_default(&g.o);
  g.max_depth = g.o.max_depth ? g.o.max_depth : DEF_DEPTH;
  g.max_edepth = g.o.max_expr_depth ? g.o.max_expr_depth : DEF_EXPR_DEPTH;
  g.max_inv = g.o.max_invocations ? g.o.max_invocations : DEF_INVOCATIONS;
  if (g.max_inv < 64) g.max_inv = 64;
  g.stmts_left = (int)(g.o.max_stmts ? g.o.max_stmts : DEF_STMTS);
  vy_dg_plan(&g);
  g.use_sg = g.o.allow_subgroups && chance(&g, 1, 3);
  vy_status st = vy_builder_create(alloc, &g.b);
  if (st != VY_OK) return vy_error_nomem(err);
  vy_dg_declare_buffers(&g);
  body(&g);
  st = vy_builder_finish(g.b, VY_FINISH_RAW, &out->program, err);
  vy_builder_destroy(g.b);
  if (st != VY_OK) return st;
  out->alloc = alloc;
  if (vy_dg_make_inputs(&g, out, alloc) != VY_OK) {
    vy_diffgen_case_free(out);
    return vy_error_nomem(err);
  }
  out->error = g.error;
  out->expect_error = g.error != VY_DIFFGEN_ERR_NONE;
  out->features = g.features;
  memcpy(out->workgroup, g.wg, sizeof out->workgroup);
  memcpy(out->grid, g.grid, sizeof out->grid);
  vy_dg_describe(&g, seed, out->description, sizeof out->description);
  return VY_OK;
}

void vy_diffgen_case_free(vy_diffgen_case *c) {
  if (!c) return;
  vy_program_destroy(c->program);
  for (size_t i = 0; i < c->ninputs; i++) vy_bytes_free(&c->inputs[i]);
  if (c->inputs) vy_mem_free(c->alloc, c->inputs, c->ninputs * sizeof *c->inputs);
  memset(c, 0, sizeof *c);
}
