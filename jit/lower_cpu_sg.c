/* lower_cpu_sg.c - subgroup operations of the CPU lowering (vyre-ir.md
 * §4.7; the plan is at the top of lower_cpu.c): before the statement that
 * holds one, a region evaluates the operand for every lane (returned ones
 * included, like the reference's snapshots) into a per-invocation array,
 * and a workgroup-level step combines the lanes of each subgroup into a
 * result array the statement reads at its lane.
 *
 * Combining: for full subgroups (workgroup size a multiple of 32) an add or
 * ballot folds the 32 lanes as one vector, and a shuffle whose lane is the
 * same compile-time function of the lane number in every subgroup is one
 * constant permutation; otherwise scalar folds per subgroup and a gather
 * per lane. */
#include "lower_cpu_int.h"
#include "program_int.h"

static LLVMValueRef c32(vy_lw *w, uint32_t x) { return LLVMConstInt(w->t_i32, x, 0); }
static LLVMValueRef c64(vy_lw *w, uint64_t x) { return LLVMConstInt(w->t_i64, x, 0); }

typedef struct sg_args {
  const vy_cx *x;
  const vy_cn *n;
  uint32_t opv, src; /* operand array, lane array (shuffle) */
  uint32_t res;
  vy_jt t;
  bool typed;
  bool fixed;              /* shuffle: the lane of every invocation is known now, in mask */
  unsigned mask[SUBGROUP]; /* shuffle: lane j reads lane mask[j] of its subgroup (SUBGROUP: 0) */
} sg_args;

/* The value of `x` for the invocation with local ids id[3], when x is made
 * only of local ids, u32 literals and never-assigned names bound to such
 * expressions, joined by u32 operators (vyre-ir.md §3.2: wrapping
 * arithmetic, x / 0 = 0xFFFFFFFF, x % 0 = 0, shift amounts & 31); false
 * for anything else. None of these can raise, so the value is the
 * reference's. */
static bool lane_eval(cpu *k, const vy_cx *x, const uint32_t id[3], unsigned depth, uint32_t *out) {
  if (!x || depth > 32) return false;
  uint32_t a, b;
  switch (x->kind) {
  case VY_EXPR_LOCAL_ID:
    return x->axis <= 2 && (*out = id[x->axis], true);
  case VY_EXPR_LIT_U32:
    return *out = x->lit.v.u32, true;
  case VY_EXPR_VAR: {
    const vy_jbind *bd = x->ref < k->w.pp->nslots ? k->w.live[x->ref] : NULL;
    return bd && bd->def && lane_eval(k, bd->def, id, depth + 1, out);
  }
  case VY_EXPR_BIN_OP:
    if (!lane_eval(k, x->a, id, depth + 1, &a) || !lane_eval(k, x->b, id, depth + 1, &b)) return false;
    switch (x->op) {
    case VY_BINOP_ADD:
      *out = a + b;
      return true;
    case VY_BINOP_SUB:
      *out = a - b;
      return true;
    case VY_BINOP_MUL:
      *out = a * b;
      return true;
    case VY_BINOP_DIV:
      *out = b ? a / b : 0xFFFFFFFFu;
      return true;
    case VY_BINOP_MOD:
      *out = b ? a % b : 0;
      return true;
    case VY_BINOP_BIT_AND:
      *out = a & b;
      return true;
    case VY_BINOP_BIT_OR:
      *out = a | b;
      return true;
    case VY_BINOP_BIT_XOR:
      *out = a ^ b;
      return true;
    case VY_BINOP_SHL:
      *out = a << (b & 31u);
      return true;
    case VY_BINOP_SHR:
      *out = a >> (b & 31u);
      return true;
    case VY_BINOP_MIN:
      *out = a < b ? a : b;
      return true;
    case VY_BINOP_MAX:
      *out = a > b ? a : b;
      return true;
    default:
      return false;
    }
  default:
    return false;
  }
}

/* A shuffle whose lane operand is the same function of the lane number in
 * every subgroup of the workgroup (full subgroups only) gets one constant
 * permutation: sa->mask, with SUBGROUP for a lane out of range (reads 0). */
static void sg_fix_lanes(cpu *k, sg_args *sa) {
  const uint32_t *wg = k->w.wg;
  if (k->per_wg % SUBGROUP || wg[0] == 0 || wg[1] == 0) return;
  for (uint32_t lin = 0; lin < k->per_wg; lin++) {
    uint32_t id[3] = {lin % wg[0], lin / wg[0] % wg[1], lin / wg[0] / wg[1]}, u;
    if (!lane_eval(k, sa->x->b, id, 0, &u)) return;
    unsigned m = u < SUBGROUP ? u : SUBGROUP;
    if (lin < SUBGROUP)
      sa->mask[lin] = m;
    else if (sa->mask[lin % SUBGROUP] != m)
      return;
  }
  sa->fixed = true;
}

static void sg_operand_body(cpu *k, void *ud) {
  sg_args *sa = ud;
  vy_lw *w = &k->w;
  w->cur = sa->n;
  LLVMValueRef u = NULL; /* a shuffle's lane, unless it is fixed (a u32 that cannot raise) */
  vy_jv v = vy_lw_subgroup_operand(w, sa->x, sa->fixed ? NULL : &u);
  if (v.t.k == VY_JK_NEVER) return;
  if (u) {
    if (!sa->typed) sa->src = vy_cpu_new_array(k, (vy_jt){VY_JK_U32, 0});
    vy_cpu_array_store(k, sa->src, k->lin, u);
  }
  if (!sa->typed) {
    sa->t = v.t;
    sa->opv = vy_cpu_new_array(k, v.t);
    sa->typed = true;
  }
  if (!vy_lw_ok(w)) return;
  vy_cpu_array_store(k, sa->opv, k->lin, v.v);
}

/* Shuffle: each lane reads the operand of the lane it names in its subgroup (0 when out of range). */
static void sg_combine_body(cpu *k, void *ud) {
  sg_args *sa = ud;
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  LLVMValueRef start = LLVMBuildAnd(B, k->lin, c64(w, ~(uint64_t)(SUBGROUP - 1)), "sg.start");
  LLVMValueRef cnt = LLVMBuildSub(B, c64(w, k->per_wg), start, "");
  cnt = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntULT, cnt, c64(w, SUBGROUP), ""), cnt, c64(w, SUBGROUP), "sg.n");
  LLVMValueRef s = LLVMBuildZExt(B, vy_cpu_array_load(k, sa->src, k->lin), w->t_i64, "");
  LLVMValueRef inr = LLVMBuildICmp(B, LLVMIntULT, s, cnt, "");
  LLVMValueRef lane = LLVMBuildSelect(B, inr, LLVMBuildAdd(B, start, s, ""), k->lin, "");
  LLVMValueRef r =
      LLVMBuildSelect(B, inr, vy_cpu_array_load(k, sa->opv, lane), LLVMConstNull(vy_lw_type(w, sa->t)), "");
  vy_cpu_array_store(k, sa->res, k->lin, r);
}

/* A counted loop i = 0 .. n - 1 (i64, n > 0) around body(k, i, ud) at workgroup level. */
static void count_loop(cpu *k, LLVMValueRef n, void (*body)(cpu *k, LLVMValueRef i, void *ud), void *ud) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(B), head = vy_lw_block(w, "sg.loop"), done = vy_lw_block(w, "sg.done");
  LLVMBuildBr(B, head);
  LLVMPositionBuilderAtEnd(B, head);
  LLVMValueRef i = LLVMBuildPhi(B, w->t_i64, "i");
  body(k, i, ud);
  LLVMValueRef ni = LLVMBuildNUWAdd(B, i, c64(w, 1), "");
  LLVMBasicBlockRef latch = LLVMGetInsertBlock(B);
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, ni, n, ""), head, done);
  LLVMValueRef v[2] = {c64(w, 0), ni};
  LLVMBasicBlockRef bb[2] = {pre, latch};
  LLVMAddIncoming(i, v, bb, 2);
  LLVMPositionBuilderAtEnd(B, done);
}

typedef struct sg_reduce {
  sg_args *sa;
  LLVMValueRef start, acc; /* acc: alloca of the running value */
} sg_reduce;

static void sg_fold_lane(cpu *k, LLVMValueRef j, void *ud) {
  sg_reduce *r = ud;
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  LLVMValueRef v = vy_cpu_array_load(k, r->sa->opv, LLVMBuildAdd(B, r->start, j, "")),
               acc = LLVMBuildLoad2(B, w->t_i32, r->acc, "");
  if (r->sa->x->kind == VY_EXPR_SUBGROUP_ADD)
    acc = LLVMBuildAdd(B, acc, v, "");
  else
    acc = LLVMBuildOr(B, acc,
                      LLVMBuildShl(B, LLVMBuildZExt(B, v, w->t_i32, ""), LLVMBuildTrunc(B, j, w->t_i32, ""), ""), "");
  LLVMBuildStore(B, acc, r->acc);
}

static void sg_give_lane(cpu *k, LLVMValueRef j, void *ud) {
  sg_reduce *r = ud;
  vy_cpu_array_store(k, r->sa->res, LLVMBuildAdd(k->w.b, r->start, j, ""),
                     LLVMBuildLoad2(k->w.b, k->w.t_i32, r->acc, ""));
}

static void sg_reduce_group(cpu *k, LLVMValueRef g, void *ud) {
  sg_reduce *r = ud;
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  r->start = LLVMBuildMul(B, g, c64(w, SUBGROUP), "sg.start");
  LLVMValueRef cnt = LLVMBuildSub(B, c64(w, k->per_wg), r->start, "");
  cnt = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntULT, cnt, c64(w, SUBGROUP), ""), cnt, c64(w, SUBGROUP), "sg.n");
  LLVMBuildStore(B, c32(w, 0), r->acc);
  count_loop(k, cnt, sg_fold_lane, r);
  count_loop(k, cnt, sg_give_lane, r);
}

/* Add / ballot: each subgroup's lanes are folded once (not once per lane)
 * and every lane of it gets the result. */
static void sg_reduce_all(cpu *k, sg_args *sa) {
  vy_lw *w = &k->w;
  sg_reduce r = {sa, NULL, vy_cpu_wg_alloca(k, w->t_i32, c32(w, 0))};
  count_loop(k, c64(w, (k->per_wg + SUBGROUP - 1) / SUBGROUP), sg_reduce_group, &r);
}

/* The lanes of subgroup g (full) of array a as one <SUBGROUP x T> value. */
static LLVMValueRef sg_vec_addr(cpu *k, uint32_t a, LLVMValueRef g) {
  return vy_cpu_array_addr(k, a, LLVMBuildMul(k->w.b, g, c64(&k->w, SUBGROUP), "sg.start"));
}

static LLVMValueRef sg_vec_load(cpu *k, uint32_t a, LLVMValueRef g) {
  vy_lw *w = &k->w;
  LLVMValueRef v =
      LLVMBuildLoad2(w->b, LLVMVectorType(vy_lw_mem_type(w, k->arrs[a].t), SUBGROUP), sg_vec_addr(k, a, g), "sg.lanes");
  LLVMSetAlignment(v, 4);
  return v;
}

static void sg_vec_store(cpu *k, uint32_t a, LLVMValueRef g, LLVMValueRef v) {
  LLVMSetAlignment(LLVMBuildStore(k->w.b, v, sg_vec_addr(k, a, g)), 4);
}

/* Subgroup g of a fixed shuffle: one constant permutation of its lanes,
 * lanes out of range taking 0 (llvm-cpu's vector permutes instead of a
 * gather per lane). */
static void sg_shuffle_group(cpu *k, LLVMValueRef g, void *ud) {
  sg_args *sa = ud;
  vy_lw *w = &k->w;
  LLVMValueRef lanes = sg_vec_load(k, sa->opv, g), idx[SUBGROUP];
  for (unsigned j = 0; j < SUBGROUP; j++) idx[j] = c32(w, sa->mask[j]);
  LLVMValueRef r = LLVMBuildShuffleVector(w->b, lanes, LLVMConstNull(LLVMTypeOf(lanes)), LLVMConstVector(idx, SUBGROUP),
                                          "sg.shuffle");
  sg_vec_store(k, sa->res, g, r);
}

/* Subgroup g (full) of an add or ballot: the lanes folded as one vector
 * (a wrapping sum; the truthy lanes' bits, lane j at bit j), the result
 * given to every lane. */
static void sg_reduce_vec_group(cpu *k, LLVMValueRef g, void *ud) {
  sg_args *sa = ud;
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  LLVMValueRef lanes = sg_vec_load(k, sa->opv, g), r;
  if (sa->x->kind == VY_EXPR_SUBGROUP_ADD) {
    LLVMTypeRef vt = LLVMTypeOf(lanes);
    r = vy_lw_intrinsic(w, "llvm.vector.reduce.add", &vt, 1, &lanes, 1);
  } else {
    LLVMValueRef on = LLVMBuildICmp(B, LLVMIntNE, lanes, LLVMConstNull(LLVMTypeOf(lanes)), "");
    r = LLVMBuildBitCast(B, on, w->t_i32, "sg.ballot");
  }
  LLVMTypeRef vt = LLVMVectorType(w->t_i32, SUBGROUP);
  LLVMValueRef one = LLVMBuildInsertElement(B, LLVMGetUndef(vt), r, c32(w, 0), "");
  sg_vec_store(k, sa->res, g, LLVMBuildShuffleVector(B, one, LLVMGetUndef(vt), LLVMConstNull(vt), "sg.splat"));
}

void vy_cpu_sg_prelude(cpu *k, const vy_cn *n, const vy_cx *x) {
  if (!x || !vy_lw_ok(&k->w)) return;
  vy_cpu_sg_prelude(k, n, x->a);
  vy_cpu_sg_prelude(k, n, x->b);
  vy_cpu_sg_prelude(k, n, x->c);
  for (uint32_t i = 0; i < x->argc; i++) vy_cpu_sg_prelude(k, n, x->args[i]);
  if (!is_subgroup_kind(x->kind)) return;
  sg_args sa = {.x = x, .n = n};
  if (x->kind == VY_EXPR_SUBGROUP_SHUFFLE) sg_fix_lanes(k, &sa);
  vy_cpu_invocation_loop(k, true, sg_operand_body, &sa);
  if (!vy_lw_ok(&k->w)) return;
  vy_jt rt = {VY_JK_NEVER, 0}; /* when the operand always raises, so does the statement */
  if (sa.typed) {
    rt = x->kind == VY_EXPR_SUBGROUP_SHUFFLE ? sa.t : (vy_jt){VY_JK_U32, 0};
    sa.res = vy_cpu_new_array(k, rt);
    LLVMValueRef groups = c64(&k->w, k->per_wg / SUBGROUP);
    if (x->kind == VY_EXPR_SUBGROUP_SHUFFLE && sa.fixed)
      count_loop(k, groups, sg_shuffle_group, &sa);
    else if (x->kind == VY_EXPR_SUBGROUP_SHUFFLE)
      vy_cpu_invocation_loop(k, true, sg_combine_body, &sa);
    else if (k->per_wg % SUBGROUP == 0)
      count_loop(k, groups, sg_reduce_vec_group, &sa);
    else
      sg_reduce_all(k, &sa);
  }
  sgres *r = vy_arena_alloc(&k->w.arena, sizeof *r);
  if (!r) {
    vy_lw_nomem(&k->w);
    return;
  }
  *r = (sgres){sa.res, rt};
  vy_pmap_put(&k->w, &k->sgmap, x, r);
}
