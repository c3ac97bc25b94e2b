/* diffgen_int.h - internals of the differential-testing program generator
 * (diffgen.h), shared by its three files:
 *   diffgen_expr.c  values, names and scopes, ids and ownership indices,
 *                   expressions (static and runtime types kept equal);
 *   diffgen.c       statements, the workgroup-memory phases, lockstep
 *                   tracking, templates, runtime-error injection, entry points;
 *   diffgen_plan.c  workgroup shape, buffers, dispatch grid, declarations,
 *                   inputs, the one-line description.
 * Everything here works on one `gen` (the state of one vy_diffgen_make call);
 * nothing is global. Functions that draw random numbers must be called in
 * statements of their own, never two as arguments of one call (C leaves the
 * evaluation order of arguments unspecified, and the fuzzer is built by
 * another compiler than the tests). For tests/support and tests/fuzz only.
 */
#ifndef VY_DIFFGEN_INT_H
#define VY_DIFFGEN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "diffgen.h"

#define DEF_STMTS 48u
#define DEF_DEPTH 4u
#define DEF_EXPR_DEPTH 4u
#define DEF_INVOCATIONS 256u
#define MAX_BUFS 12u
#define MAX_VARS 160u
#define MAX_DEAD 32u
#define NAME_LEN 16u
#define EXPR_BUDGET 14u

/* The value types that take part in arithmetic (vyre-ir.md §1.1). */
typedef enum gty { T_U32, T_I32, T_U64, T_F32, T_BOOL, T_COUNT } gty;
static const vy_type_kind TK[T_COUNT] = {VY_TYPE_U32, VY_TYPE_I32, VY_TYPE_U64, VY_TYPE_F32, VY_TYPE_BOOL};
static const uint32_t STRIDE[T_COUNT] = {4, 4, 8, 4, 4};

typedef enum bkind { B_IN, B_OUT, B_SHARED_ATOM, B_OWNED_ATOM, B_COPY, B_WG } bkind;
/* R_RW: plain read_write (takes an input, returned); R_OUTPUT: is_output;
 * R_LIVE_OUT: read_write + pipeline_live_out (both start zeroed). */
typedef enum brole { R_READ, R_UNIFORM, R_RW, R_OUTPUT, R_LIVE_OUT, R_WORKGROUP } brole;
/* Ownership maps of per-invocation storage elements (diffgen.h). */
typedef enum omap { M_LIN, M_REV, M_XOR, M_TRANS, M_MUL, M_COUNT } omap;
/* Workgroup-buffer modes of a phase and lane permutations of "own". */
typedef enum wmode { W_IDLE, W_OWN, W_READ, W_SOLE } wmode;
typedef enum wperm { P_ID, P_REV, P_ROT, P_MUL, P_TRANS } wperm;

typedef struct buf {
  char name[NAME_LEN];
  uint8_t kind, role, ty;
  uint32_t binding, count; /* declared */
  uint32_t elems;          /* element count at run time (BufLen) */
  size_t bytes;            /* input length (input-taking buffers) */
  bool per_wg;             /* B_OUT: one designated lane per workgroup owns wid_lin*k + j */
  uint32_t lane;           /* per_wg lane; W_SOLE lane */
  uint8_t map;             /* omap */
  uint32_t mc, mm;         /* map constant and multiplier */
  uint32_t k;              /* elements per owner (B_OUT, B_OWNED_ATOM); slots per lane (B_WG) */
  vy_atomic_op op;         /* B_SHARED_ATOM */
  bool range;              /* output_byte_range set */
  uint8_t mode, perm;      /* B_WG: wmode, wperm of the current phase */
  uint32_t pc;             /* permutation constant */
} buf;

typedef struct var {
  char name[NAME_LEN];
  uint8_t ty;
  bool assignable, pooled; /* pooled: the name may be reused once its scope ends */
} var;

typedef struct gen {
  uint64_t rng;
  vy_builder *b;
  vy_diffgen_options o;
  unsigned max_depth, max_edepth, max_inv;
  uint32_t wg[3], grid[3], ext[3], P, T, nwg;
  buf bufs[MAX_BUFS];
  unsigned nbufs;
  var vars[MAX_VARS];
  unsigned nvars;
  char dead[MAX_DEAD][NAME_LEN]; /* names whose scope ended (sibling reuse) */
  unsigned ndead, fresh;
  int stmts_left;
  unsigned ebudget; /* expression nodes left for the current statement */
  bool use_sg;      /* this program uses subgroup ops (then no early Return) */
  bool diverged;    /* lanes may have run different statements since the last barrier */
  unsigned ndiv;    /* divergent constructs emitted so far */
  bool sg_arg;      /* generating a subgroup operand: pure, lane-independent memory only */
  unsigned pure;    /* > 0: no side effects (the expression is evaluated more than once) */
  uint32_t features;
  vy_diffgen_error error;
} gen;

/* ---- random source (splitmix64) ---- */

static inline uint64_t rnd(gen *g) {
  uint64_t z = (g->rng += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static inline uint32_t rnd32(gen *g) { return (uint32_t)(rnd(g) >> 32); }
/* Uniform in [0, n); 0 when n is 0. */
static inline uint32_t below(gen *g, uint32_t n) { return n ? (uint32_t)(rnd(g) % n) : 0; }
static inline bool chance(gen *g, unsigned num, unsigned den) { return below(g, den) < num; }
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(g, a) ((a)[below((g), NELEM(a))])

static inline uint32_t npow2(uint32_t x) {
  uint32_t p = 1;
  while (p < x) p <<= 1;
  return p;
}
static inline uint32_t gcd(uint32_t a, uint32_t b) {
  while (b) {
    uint32_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* ---- builder shorthands (none of them draws) ---- */

static inline const vy_expr *U(gen *g, uint32_t v) { return vy_b_u32(g->b, v); }
static inline const vy_expr *I(gen *g, int32_t v) { return vy_b_i32(g->b, v); }
static inline const vy_expr *BIN(gen *g, vy_binop op, const vy_expr *l, const vy_expr *r) {
  return vy_b_bin(g->b, op, l, r);
}
static inline const vy_expr *UN(gen *g, vy_unop op, const vy_expr *x) { return vy_b_un(g->b, op, x); }
static inline const vy_expr *CAST(gen *g, vy_type_kind k, const vy_expr *x) {
  return vy_b_cast(g->b, vy_type_scalar(k), x);
}
static inline const vy_expr *LEN(gen *g, const buf *b) { return vy_b_buf_len(g->b, b->name); }

/* Subgroup ops are allowed: every lane has run the same statements since the
 * start or the last barrier, and this is not inside a subgroup operand. */
static inline bool vy_dg_lockstep(const gen *g) { return g->use_sg && !g->diverged && !g->sg_arg; }
static inline unsigned vy_dg_scope_open(const gen *g) { return g->nvars; }

/* ---- diffgen_expr.c ---- */

/* Typed random input data (little-endian, stride bytes at p). */
void vy_dg_fill_value(gen *g, gty t, uint8_t *p);
/* A Let or loop-variable name: fresh, or one whose scope ended. */
void vy_dg_let_name(gen *g, char *out, char prefix);
/* Tracks a binding of the innermost scope; pooled names are reusable once it ends. */
void vy_dg_declare(gen *g, const char *name, gty t, bool assignable, bool pooled);
/* Ends the scope opened when vy_dg_scope_open returned `mark`. */
void vy_dg_scope_close(gen *g, unsigned mark);
/* A live variable of type t (assignable ones only if `assign`), or NULL. */
const var *vy_dg_pick_var(gen *g, gty t, bool assign);
/* A random allowed type. */
gty vy_dg_pick_type(gen *g);
/* Linear global id (the `gl` let when live), linear lane (`ll`), inline forms. Pure. */
const vy_expr *vy_dg_gl(gen *g);
const vy_expr *vy_dg_gl_inline(gen *g, bool transposed);
const vy_expr *vy_dg_ll(gen *g);
const vy_expr *vy_dg_ll_inline(gen *g, bool transposed);
/* The j-th element owned by this invocation (or workgroup) in `o`; `j` an
 * expression or NULL for the constant jc. Pure. */
const vy_expr *vy_dg_own_idx(gen *g, const buf *o, const vy_expr *j, uint32_t jc);
/* This lane's slot j of workgroup buffer `w` under the phase's permutation. Pure. */
const vy_expr *vy_dg_wg_own_slot(gen *g, const buf *w, uint32_t j);
vy_ordering vy_dg_any_ordering(gen *g);     /* any but grid_sync (V042) */
vy_ordering vy_dg_barrier_ordering(gen *g); /* any but relaxed (V043) */
/* An expression of type t, at most d levels of random structure, whose
 * validator type and runtime value kind are both t and that cannot fail. */
const vy_expr *vy_dg_ex(gen *g, gty t, unsigned d);
/* A value of type `want` read from `b` at `idx` (bool elements load as the raw word). */
const vy_expr *vy_dg_load_as(gen *g, const buf *b, const vy_expr *idx, gty want);
/* An index into input `b`, mostly in range. */
const vy_expr *vy_dg_in_index(gen *g, const buf *b, unsigned d);
/* An atomic on this invocation's own element of owned atomic buffer `a` (u32). */
const vy_expr *vy_dg_owned_atomic(gen *g, const buf *a, unsigned d);
/* A subgroup op of type t (u32, or f32 through a float shuffle); lockstep only. */
const vy_expr *vy_dg_sg_expr(gen *g, gty t, unsigned d);
/* An If condition (bool or u32). */
const vy_expr *vy_dg_cond(gen *g);
/* Workgroup-uniform, loop-invariant u32 and conditions (literals, buf_len, workgroup ids). */
const vy_expr *vy_dg_uexpr(gen *g, unsigned d);
const vy_expr *vy_dg_ucond(gen *g);

/* ---- diffgen_plan.c ---- */

/* Chooses the workgroup shape, the buffers and their sizes, and computes the grid. */
void vy_dg_plan(gen *g);
/* Workgroup size and buffer declarations, in the planned (shuffled) order. */
void vy_dg_declare_buffers(gen *g);
/* One input per logical input buffer, in declaration order, into c->inputs.
 * VY_E_NOMEM on allocation failure (c keeps what it got, for vy_diffgen_case_free). */
vy_status vy_dg_make_inputs(gen *g, vy_diffgen_case *c, const vy_allocator *alloc);
/* The one-line description of the case. */
void vy_dg_describe(const gen *g, uint64_t seed, char *out, size_t cap);

#endif
