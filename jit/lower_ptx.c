/* lower_ptx.c - the NVPTX flavour of the lowering (lower_int.h): one PTX
 * kernel per program with the ABI of ptx_int.h, one GPU thread per
 * invocation, a CTA per workgroup, a warp per subgroup (DESIGN.md §7).
 *
 * Shape of the kernel:
 *
 *   ids from %tid.x / %ctaid.x and the wg_base, gx, gy parameters (no
 *   division when the block's workgroup index is below gx: a 1-D grid)
 *   buffer records loaded from `bufs` (element counts as u32, at least
 *   the declared count); workgroup buffers are addrspace(3) globals,
 *   zeroed by the block at start, then one barrier that also gives thread
 *   0's `stop` test to the block (a block never splits around a barrier);
 *   without barriers each thread tests `stop`; only kernels with a long
 *   Loop test it (ptx_int.h)
 *   <statement list of the entry>
 *
 * Statements holding a Barrier (block level) or a subgroup operation (warp
 * level) in themselves or inside are *sync* statements; every thread of
 * the block (warp) reaches them together, also threads whose invocation
 * returned or raised: those carry `alive` = false and keep arriving at
 * barriers and shuffles without doing anything else (the reference does
 * not wait for finished invocations; arriving without effect is the same).
 * Maximal runs of other statements are *regions*, run only when alive; a
 * Return or a raise inside clears alive and jumps to the region's end.
 *
 *  - Barrier: bar.sync 0.
 *  - If holding a sync statement: the live threads evaluate the condition;
 *    a barrier-If keeps the reference's per-invocation records (never
 *    cleared, vyre-ir.md §4.6) and raises the reference's non-uniform error
 *    when two live invocations recorded different values; a subgroup-only
 *    If raises VY_SITE_DIVERGENT_SUBGROUP (VY_E_UNSUPPORTED) when the live
 *    lanes of a warp disagree. The branch is then taken by the whole block
 *    (warp). A condition built only from literals, buffer lengths,
 *    workgroup ids and uniform loop variables needs no vote.
 *  - Loop holding a sync statement: the bounds of the live threads must
 *    agree over the block (warp), else VY_SITE_DIVERGENT_LOOP, as llvm-cpu.
 *  - Subgroup operations: before the statement, every thread (dead ones
 *    included, like the reference's snapshots of finished lanes) evaluates
 *    the operand; then vote.sync.ballot / redux.sync.add (sm_80+; a
 *    shfl.sync.down tree before) / shfl.sync.idx over the warp's lanes
 *    (the last warp of a block whose size is not a multiple of 32 has fewer
 *    lanes, as the reference's last subgroup). Under uniform control flow
 *    this is the reference's result.
 *
 * Errors: a raise claims err->claimed with a CAS; the winner fills the
 * record and sets err->stop. Blocks that start after that end at their
 * first long Loop (or at once, with a block-wide start test); those of a
 * kernel without long Loops run their bounded work (ptx_int.h).
 *
 * Speed (issue 8, against nvcc -O3 on the same algorithms): loads of
 * storage buffers that no Store or atomic of the program targets carry
 * !invariant.load (ld.global.nc, the read-only data path); a load that may
 * be out of range reads from a select of the element's address and 16
 * zero bytes (vyre.zeros) instead of branching around it; element counts
 * are u32 with the declared count as their least value (32-bit bounds
 * checks that fold); the record fields are loaded at the kernel's start;
 * long innermost Loops are unrolled 4 times, short literal ones
 * completely; workgroup memory that the first statements fill in full is
 * not zeroed (vy_ptx_find_filled, ptx_wgfill.c).
 *
 * f32: the kernel runs with FTZ (denormal-fp-math-f32 preserve-sign and
 * nvptx-f32ftz): subnormal operands read as signed zeros and subnormal
 * results become signed zeros, which is the reference's canonicalization
 * around every float op (vyre-ir.md §3.2); NaN bits are canonicalized by
 * the core where they become observable. No fast-math flags anywhere, so
 * add/sub/mul/div/sqrt are the .rn instructions, never contracted to FMA.
 * The reference rounds first and flushes after; the hardware's FTZ decides
 * tininess before rounding: measured on an H100 (driver 580.159.04),
 * (1 - 2^-24) * 2^-126, which rounds up to the smallest normal, became 0
 * (corpus case float/ftz_rounds_before_flush.vy, a documented cuda
 * deviation). vy_ptx_target.f32_ieee compiles IEEE instructions and
 * flushes every float value a load, bit cast, operation or math call
 * produces with mul.rn.ftz x, 1.0 (flush_f32); it passes the simulator
 * but NOT the real GPU (16 of 600 generated programs and 2 float cases
 * differed on the H100, probably because ptxas folds the multiplication
 * by 1), so the backend does not use it: an integer flush would be next.
 *
 * Refusals (VY_E_UNSUPPORTED) of the cuda backend, besides the core's
 * (lower_int.h: kind-changing variables and selects, loads of f64 or bytes
 * buffers, values wider than 16 bytes, atomics on unaligned elements):
 *  - workgroups of more than 1024 invocations, or with a zero dimension;
 *  - workgroup memory over 48 KiB (static shared memory of one block);
 *  - host calls (a Call that resolves to a registered host op);
 *  - async copies (AsyncLoad, AsyncStore, AsyncWait);
 *  - atomics or calls inside subgroup operands;
 *  - f32 transcendentals when no libdevice is given (ptx_compile.c);
 *  and at run time (the error record, vy_lower_error): a Loop holding a
 *  barrier (subgroup op) whose bounds differ across the block (warp), and
 *  subgroup ops under an If whose condition differs across a warp.
 *
 * Where results can differ from the reference (as for llvm-cpu, jit.h):
 * racy programs and old values of contended atomics; which error (and
 * invocation) is reported when several invocations fail; the reference's
 * round-by-round corners (a barrier-If record compared with an invocation
 * that finished later in the reference's order, a subgroup operand of a
 * lane that already finished: evaluated here from its last values, where
 * the reference may find its names unbound). A subgroup-only If needs a
 * uniform condition per warp here, per workgroup on llvm-cpu. The
 * transcendentals are libdevice's (not the interpreter's musl port); the
 * DispatchConfig ulp_budget is not used (never approximate instructions).
 */
#include <stdio.h>
#include <string.h>

#include <llvm-c/DebugInfo.h>

#include "error_int.h"
#include "program_int.h"
#include "ptx_int.h"

#define WARP 32u
#define MAX_THREADS 1024u
#define MAX_SHARED (48u * 1024u)

enum { LV_NONE = 0, LV_WARP = 1, LV_BLOCK = 2 };

/* What the pre-pass learns about a statement. */
typedef struct sinfo {
  uint8_t level; /* LV_*: the statement itself */
  uint8_t inner; /* LV_*: the statements inside it */
  bool sg_head;  /* a subgroup op in its own expressions */
} sinfo;

typedef struct ptx {
  vy_lw w;
  const vy_ptx_target *t;
  unsigned sm; /* e.g. 90 */
  uint32_t threads;
  uint64_t shared_bytes;
  vy_pmap info;  /* vy_cn* -> sinfo* */
  vy_pmap sgval; /* vy_cx* -> vy_jv* (subgroup results of the statement being lowered) */
  /* kernel */
  LLVMValueRef kernel, err;
  LLVMTypeRef t_p1;
  LLVMValueRef *data, *bytes, *elems;
  bool *written; /* per buffer: some Store or atomic targets it */
  bool *filled;  /* per workgroup buffer: written in full before any read (ptx_wgfill.c) */
  bool *assigned;    /* per variable slot: some Assign targets it */
  bool *raw;         /* per buffer: f32 workgroup memory only Loads read (vy_lw.raw_f32) */
  bool no_raw;       /* an opaque expression or node: every f32 store canonicalizes */
  LLVMValueRef *rec; /* per buffer: the loads of its record's 3 fields (NULL: workgroup buffer) */
  LLVMValueRef tid, lid[3], gid[3], wid[3], lane, wmask, wn;
  LLVMValueRef alive;  /* alloca i1 */
  LLVMValueRef polled; /* alloca i1: the invocation polled once (NULL: no poll yet) */
  LLVMValueRef stop0;  /* err->stop read at the start, for the first poll (NULL: none) */
  LLVMValueRef *ifrec; /* per barrier-If: alloca i8 */
  LLVMValueRef slot;   /* addrspace(3) i64: bounds of block-level Loops */
  LLVMBasicBlockRef start, exit, cont;
} ptx;

static const vy_jv never = {{VY_JK_NEVER, 0}, NULL};
static inline ptx *P(vy_lw *w) { return (ptx *)w; }
static LLVMValueRef c32(vy_lw *w, uint32_t x) { return LLVMConstInt(w->t_i32, x, 0); }
static LLVMValueRef c64(vy_lw *w, uint64_t x) { return LLVMConstInt(w->t_i64, x, 0); }
static LLVMValueRef c1(vy_lw *w, bool x) { return LLVMConstInt(w->t_i1, x, 0); }
static bool is_sg(vy_expr_kind k) {
  return k == VY_EXPR_SUBGROUP_ADD || k == VY_EXPR_SUBGROUP_BALLOT || k == VY_EXPR_SUBGROUP_SHUFFLE;
}

/* Refuses the program (first failure wins): VY_E_UNSUPPORTED naming the
 * cuda backend and the node. */
static bool refuse(ptx *k, const vy_cn *n, const char *what, const char *fix) {
  vy_lw *w = &k->w;
  if (w->st != VY_OK) return false;
  char path[200] = "";
  if (n) vy_interp_node_path(n, path, sizeof path);
  w->st = vy_error_set(w->err, VY_E_UNSUPPORTED, "backend `cuda` cannot compile the program%s%s: %s. Fix: %s",
                       path[0] ? " at " : "", path, what, fix);
  return false;
}

static LLVMValueRef nvvm(vy_lw *w, const char *name, LLVMValueRef *args, unsigned n) {
  return vy_lw_intrinsic(w, name, NULL, 0, args, n);
}

/* An alloca in the entry block (zeroed there when the kernel is finished). */
static LLVMValueRef entry_var(ptx *k, LLVMTypeRef t, const char *name) {
  LLVMBuilderRef eb = LLVMCreateBuilderInContext(k->w.c);
  LLVMPositionBuilderAtEnd(eb, k->w.entry);
  LLVMValueRef a = LLVMBuildAlloca(eb, t, name);
  LLVMDisposeBuilder(eb);
  return a;
}

/* ---- pre-pass: sync levels, refusals ---- */

/* The level an expression's subgroup ops give its statement; refuses side
 * effects inside subgroup operands (the reference evaluates them per lane). */
static uint8_t expr_level(ptx *k, const vy_cn *n, const vy_cx *x, bool in_operand) {
  if (!x) return LV_NONE;
  if (in_operand && (x->kind == VY_EXPR_ATOMIC || x->kind == VY_EXPR_CALL))
    return refuse(k, n, "an atomic or call inside a subgroup operand (the reference evaluates it once per lane)",
                  "compute the value before the subgroup operation"),
           LV_NONE;
  if (x->kind == VY_EXPR_ATOMIC && x->ref != VY_IX_NONE) k->written[x->ref] = true;
  if (x->kind == VY_EXPR_ATOMIC && x->ref != VY_IX_NONE) k->raw[x->ref] = false;
  if (x->kind == VY_EXPR_OPAQUE) k->no_raw = true;
  bool sg = is_sg(x->kind), inner = in_operand || sg;
  uint8_t lv = sg ? LV_WARP : LV_NONE;
  lv |= expr_level(k, n, x->a, inner);
  lv |= expr_level(k, n, x->b, inner);
  lv |= expr_level(k, n, x->c, inner);
  for (uint32_t i = 0; i < x->argc; i++) lv |= expr_level(k, n, x->args[i], inner);
  return lv;
}

static uint8_t mark_list(ptx *k, const vy_cl *l);

static uint8_t mark_node(ptx *k, const vy_cn *n) {
  sinfo *si = vy_arena_alloc(&k->w.arena, sizeof *si);
  if (!si || !vy_pmap_put(&k->w, &k->info, n, si)) return vy_lw_nomem(&k->w), LV_NONE;
  memset(si, 0, sizeof *si);
  uint8_t own = expr_level(k, n, n->e0, false) | expr_level(k, n, n->e1, false) | expr_level(k, n, n->e2, false);
  si->sg_head = own != LV_NONE;
  switch (n->kind) {
  case VY_NODE_BARRIER:
    own = LV_BLOCK;
    break;
  case VY_NODE_STORE:
    if (n->buf != VY_IX_NONE) k->written[n->buf] = true;
    break;
  case VY_NODE_ASSIGN:
    if (n->slot < k->w.pp->nslots) k->assigned[n->slot] = true;
    break;
  case VY_NODE_LET:
  case VY_NODE_IF:
  case VY_NODE_LOOP:
  case VY_NODE_RETURN:
  case VY_NODE_BLOCK:
  case VY_NODE_REGION:
  case VY_NODE_TRAP:
    break;
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
  case VY_NODE_ASYNC_WAIT:
    refuse(k, n, "async copies (AsyncLoad, AsyncStore, AsyncWait)",
           "use plain loads and stores, or run the program on llvm-cpu or the reference backend");
    break;
  default: /* a node that may move a buffer's bytes as they are */
    k->no_raw = true;
    break;
  }
  uint8_t in = mark_list(k, &n->body) | mark_list(k, &n->body2);
  si->inner = in >= LV_BLOCK ? LV_BLOCK : in;
  uint8_t lv = own | in;
  si->level = lv >= LV_BLOCK ? LV_BLOCK : lv;
  return si->level;
}

static uint8_t mark_list(ptx *k, const vy_cl *l) {
  uint8_t lv = LV_NONE;
  for (uint32_t i = 0; i < l->count && vy_lw_ok(&k->w); i++) lv |= mark_node(k, &l->items[i]);
  return lv >= LV_BLOCK ? LV_BLOCK : lv;
}

static const sinfo *info_of(ptx *k, const vy_cn *n) { return vy_pmap_get(&k->info, n); }

/* ---- workgroup memory written in full before it is read (ptx_wgfill.c) ---- */

static bool node_synced(void *ud, const vy_cn *n) { return info_of(ud, n)->level != LV_NONE; }

/* ---- hooks ---- */

static LLVMValueRef h_id(vy_lw *w, vy_expr_kind kind, unsigned axis) {
  ptx *k = P(w);
  if (kind == VY_EXPR_WORKGROUP_ID) return k->wid[axis];
  return kind == VY_EXPR_LOCAL_ID ? k->lid[axis] : k->gid[axis];
}

static LLVMValueRef h_id64(vy_lw *w, int id) {
  return LLVMBuildZExt(w->b, h_id(w, id < 4 ? VY_EXPR_INVOCATION_ID : VY_EXPR_LOCAL_ID, (unsigned)id & 3), w->t_i64,
                       "");
}

static void h_buffer(vy_lw *w, uint32_t b, LLVMValueRef *data, LLVMValueRef *bytes, LLVMValueRef *elems) {
  ptx *k = P(w);
  *data = k->data[b];
  *bytes = k->bytes[b];
  *elems = k->elems[b];
}

/* A field of the error record at byte offset `off`. */
static LLVMValueRef err_field(ptx *k, unsigned off) {
  LLVMValueRef o = c64(&k->w, off);
  return LLVMBuildGEP2(k->w.b, k->w.t_i8, k->err, &o, 1, "");
}

static void h_raise(vy_lw *w, uint32_t site, bool has_inv, vy_jv a, vy_jv b) {
  ptx *k = P(w);
  LLVMBuilderRef B = w->b;
  LLVMValueRef aw[2], bw[2];
  vy_lw_operand_words(w, a, aw);
  vy_lw_operand_words(w, b, bw);
  /* vy_kerr: stop @0, claimed @4, site @8, has_inv @12, inv @16, a @32, b @48 */
  LLVMValueRef cx = LLVMBuildAtomicCmpXchg(B, err_field(k, 4), c32(w, 0), c32(w, 1), LLVMAtomicOrderingMonotonic,
                                           LLVMAtomicOrderingMonotonic, 0);
  LLVMBasicBlockRef fill = vy_lw_block(w, "raise.fill"), after = vy_lw_block(w, "raise.done");
  LLVMBuildCondBr(B, LLVMBuildExtractValue(B, cx, 1, "won"), fill, after);
  LLVMPositionBuilderAtEnd(B, fill);
  LLVMBuildStore(B, c32(w, site), err_field(k, 8));
  LLVMBuildStore(B, c32(w, has_inv), err_field(k, 12));
  for (unsigned i = 0; i < 3; i++) LLVMBuildStore(B, has_inv ? k->gid[i] : c32(w, 0), err_field(k, 16 + 4 * i));
  LLVMBuildStore(B, aw[0], err_field(k, 32));
  LLVMBuildStore(B, aw[1], err_field(k, 40));
  LLVMBuildStore(B, bw[0], err_field(k, 48));
  LLVMBuildStore(B, bw[1], err_field(k, 56));
  LLVMSetVolatile(LLVMBuildStore(B, c32(w, 1), err_field(k, 0)), 1); /* read by other blocks' volatile loads */
  LLVMBuildBr(B, after);
  LLVMPositionBuilderAtEnd(B, after);
  LLVMBuildStore(B, c1(w, 0), k->alive);
  LLVMBuildBr(B, k->cont);
}

static void h_ret(vy_lw *w) {
  ptx *k = P(w);
  LLVMBuildStore(w->b, c1(w, 0), k->alive);
  LLVMBuildBr(w->b, k->cont);
}

/* Every name lives in an alloca (registers after mem2reg); a Let never
 * assigned keeps its expression for pure_u32. */
static vy_home h_home(vy_lw *w, const vy_cn *n, bool *assigned, bool *uniform) {
  *assigned = n->slot >= w->pp->nslots || P(w)->assigned[n->slot];
  *uniform = false;
  return VY_HOME_LOCAL;
}

static void h_ctx_new(vy_lw *w, vy_jbind *bd) {
  (void)bd;
  refuse(P(w), w->cur, "a context variable (internal: the PTX lowering keeps every name in a register)",
         "report this vyre-jit bug");
}

static LLVMValueRef h_ctx_addr(vy_lw *w, const vy_jbind *bd) {
  (void)bd;
  h_ctx_new(w, NULL);
  return LLVMConstNull(w->t_ptr);
}

static vy_jv h_subgroup(vy_lw *w, const vy_cx *x) {
  vy_jv *r = vy_pmap_get(&P(w)->sgval, x);
  if (!r) {
    refuse(P(w), w->cur, "a subgroup operation in this position", "move it into a Let of its own");
    return never;
  }
  return *r;
}

/* Loads of a storage buffer that nothing in the program writes read
 * memory that stays the same for the whole kernel: ld.global.nc. */
static void h_mem(vy_lw *w, LLVMValueRef inst) {
  ptx *k = P(w);
  if (!LLVMIsALoadInst(inst)) return;
  LLVMValueRef p = LLVMGetOperand(inst, 0);
  if (LLVMIsASelectInst(p)) p = LLVMGetOperand(p, 1); /* a speculated load: the element or the zeros */
  if (LLVMIsAGetElementPtrInst(p)) p = LLVMGetOperand(p, 0);
  for (uint32_t b = 0; b < w->p->nbuffers; b++)
    if (k->data[b] == p && !k->written[b] && w->p->buffers[b].access != VY_ACCESS_WORKGROUP) {
      unsigned kind = LLVMGetMDKindIDInContext(w->c, "invariant.load", 14);
      LLVMSetMetadata(inst, kind, LLVMMetadataAsValue(w->c, LLVMMDNodeInContext2(w->c, NULL, 0)));
      return;
    }
}

static LLVMValueRef h_host_fn(vy_lw *w, uint32_t i) {
  (void)i;
  refuse(P(w), w->cur, "host calls (a GPU kernel cannot call the host's C functions)",
         "compute the value with vyre operations, or run the program on llvm-cpu or the reference backend");
  return LLVMConstNull(w->t_ptr);
}

static void h_async_begin(vy_lw *w, const vy_cn *n, LLVMValueRef offset, LLVMValueRef size) {
  (void)offset;
  (void)size;
  refuse(P(w), n, "async copies", "use plain loads and stores");
}

static void h_async_wait(vy_lw *w, const vy_cn *n) { refuse(P(w), n, "async copies", "use plain loads and stores"); }

/* Long Loops look at err->stop every VY_LW_POLL_CHUNK iterations: once
 * the dispatch failed (another invocation raised) or the host stopped it,
 * the invocation ends as if it returned (it keeps arriving at barriers).
 * An invocation's first poll reads nothing: it tests the value the kernel
 * read at its start (stop0, when there is no block-wide start test),
 * which has arrived by then, so a block that starts after an error or a
 * timeout still ends at its first Loop, yet a Loop of at most
 * VY_LW_POLL_CHUNK iterations never waits for the one L2 line every warp
 * of the grid reads. */
static void h_poll(vy_lw *w) {
  ptx *k = P(w);
  LLVMBuilderRef B = w->b;
  if (!k->polled) k->polled = entry_var(k, w->t_i1, "polled"); /* false at the start */
  LLVMValueRef again = LLVMBuildLoad2(B, w->t_i1, k->polled, "");
  LLVMBuildStore(B, c1(w, 1), k->polled);
  LLVMBasicBlockRef from = LLVMGetInsertBlock(B), read = vy_lw_block(w, "poll.read"),
                    check = vy_lw_block(w, "poll.check"), go = vy_lw_block(w, "poll.go"),
                    end = vy_lw_block(w, "poll.stop");
  LLVMBuildCondBr(B, again, read, k->stop0 ? check : go);
  LLVMPositionBuilderAtEnd(B, read);
  LLVMValueRef stop = LLVMBuildLoad2(B, w->t_i32, k->err, "stop");
  LLVMSetVolatile(stop, 1);
  LLVMBuildBr(B, check);
  LLVMPositionBuilderAtEnd(B, check);
  LLVMValueRef seen = LLVMBuildPhi(B, w->t_i32, "seen");
  LLVMAddIncoming(seen, &stop, &read, 1);
  if (k->stop0) LLVMAddIncoming(seen, &k->stop0, &from, 1);
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, seen, c32(w, 0), ""), end, go);
  LLVMPositionBuilderAtEnd(w->b, end);
  h_ret(w);
  LLVMPositionBuilderAtEnd(w->b, go);
}

/* Innermost long Loops are unrolled UNROLL times; innermost Loops with
 * literal bounds of at most UNROLL_FULL iterations completely. */
#define UNROLL 4u
#define UNROLL_FULL 32u

/* Whether list l holds a Loop at any depth. */
static bool has_loop(const vy_cl *l) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_cn *n = &l->items[i];
    if (n->kind == VY_NODE_LOOP || has_loop(&n->body) || has_loop(&n->body2)) return true;
  }
  return false;
}

/* A long innermost Loop (one that polls) is unrolled UNROLL times, as
 * nvcc -O3 does: LLVM's NVPTX default (partial threshold 75) leaves a
 * two-load dot-product loop rolled, one load latency per iteration. A
 * short literal one (matmul_tiled's 16 steps over the tiles) completely:
 * LLVM unrolled that one only twice. */
static void h_latch(vy_lw *w, const vy_cn *n, LLVMValueRef br) {
  LLVMContextRef c = w->c;
  LLVMMetadataRef prop;
  if (has_loop(&n->body)) return; /* innermost Loops only: no copies of a whole Loop nest */
  if (n->e0->kind == VY_EXPR_LIT_U32 && n->e1->kind == VY_EXPR_LIT_U32 && n->e1->lit.v.u32 > n->e0->lit.v.u32 &&
      n->e1->lit.v.u32 - n->e0->lit.v.u32 <= UNROLL_FULL) {
    LLVMMetadataRef full = LLVMMDStringInContext2(c, "llvm.loop.unroll.full", 21);
    prop = LLVMMDNodeInContext2(c, &full, 1);
  } else if (vy_lw_loop_polled(w, n)) {
    LLVMMetadataRef cnt[2] = {LLVMMDStringInContext2(c, "llvm.loop.unroll.count", 22),
                              LLVMValueAsMetadata(c32(w, UNROLL))};
    prop = LLVMMDNodeInContext2(c, cnt, 2);
  } else {
    return;
  }
  LLVMMetadataRef temp = LLVMTemporaryMDNode(c, NULL, 0);
  LLVMMetadataRef ops[2] = {temp, prop};
  LLVMMetadataRef id = LLVMMDNodeInContext2(c, ops, 2);
  LLVMMetadataReplaceAllUsesWith(temp, id);
  LLVMSetMetadata(br, LLVMGetMDKindIDInContext(c, "llvm.loop", 9), LLVMMetadataAsValue(c, id));
}

static const vy_lw_hooks ptx_hooks = {
    .id = h_id,
    .id64 = h_id64,
    .buffer = h_buffer,
    .raise = h_raise,
    .ret = h_ret,
    .home = h_home,
    .ctx_new = h_ctx_new,
    .ctx_addr = h_ctx_addr,
    .subgroup = h_subgroup,
    .mem = h_mem,
    .atomic_private = NULL,
    .host_fn = h_host_fn,
    .async_begin = h_async_begin,
    .async_wait = h_async_wait,
    .poll = h_poll,
    .latch = h_latch,
};

/* ---- collectives ---- */

static LLVMValueRef ballot(ptx *k, LLVMValueRef pred) {
  LLVMValueRef a[2] = {k->wmask, pred};
  return nvvm(&k->w, "llvm.nvvm.vote.ballot.sync", a, 2);
}

/* OR of `pred` over the warp (LV_WARP) or the block (LV_BLOCK). */
static LLVMValueRef any_of(ptx *k, LLVMValueRef pred, uint8_t level) {
  vy_lw *w = &k->w;
  if (level == LV_BLOCK) {
    LLVMValueRef p = LLVMBuildZExt(w->b, pred, w->t_i32, "");
    return LLVMBuildICmp(w->b, LLVMIntNE, nvvm(w, "llvm.nvvm.barrier0.or", &p, 1), c32(w, 0), "any");
  }
  return LLVMBuildICmp(w->b, LLVMIntNE, ballot(k, pred), c32(w, 0), "any");
}

static LLVMValueRef shfl_idx(ptx *k, LLVMValueRef v, LLVMValueRef src) {
  LLVMValueRef a[4] = {k->wmask, v, src, c32(&k->w, 0x1f)};
  return nvvm(&k->w, "llvm.nvvm.shfl.sync.idx.i32", a, 4);
}

/* Wrapping sum of v over the lanes of the warp, in every lane. */
static LLVMValueRef warp_sum(ptx *k, LLVMValueRef v) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  if (k->sm >= 80) {
    LLVMValueRef a[2] = {v, k->wmask};
    return nvvm(w, "llvm.nvvm.redux.sync.add", a, 2);
  }
  for (uint32_t off = WARP / 2; off; off /= 2) { /* lane 0 ends with the sum of lanes [0, n) */
    LLVMValueRef a[4] = {k->wmask, v, c32(w, off), c32(w, 0x1f)};
    LLVMValueRef o = nvvm(w, "llvm.nvvm.shfl.sync.down.i32", a, 4);
    LLVMValueRef has = LLVMBuildICmp(B, LLVMIntULT, LLVMBuildAdd(B, k->lane, c32(w, off), ""), k->wn, "");
    v = LLVMBuildSelect(B, has, LLVMBuildAdd(B, v, o, ""), v, "");
  }
  return shfl_idx(k, v, c32(w, 0));
}

/* ---- guarded code ---- */

/* Starts code that only live threads run; a raise or Return in it clears
 * alive and jumps to the end. Returns the previous continuation. */
static LLVMBasicBlockRef guard_begin(ptx *k, bool only_alive, LLVMBasicBlockRef *end) {
  vy_lw *w = &k->w;
  LLVMBasicBlockRef saved = k->cont;
  *end = vy_lw_block(w, "g.end");
  if (only_alive) {
    LLVMBasicBlockRef run = vy_lw_block(w, "g.run");
    LLVMBuildCondBr(w->b, LLVMBuildLoad2(w->b, w->t_i1, k->alive, "alive"), run, *end);
    LLVMPositionBuilderAtEnd(w->b, run);
  }
  k->cont = *end;
  return saved;
}

static void guard_end(ptx *k, LLVMBasicBlockRef saved, LLVMBasicBlockRef end) {
  LLVMBuildBr(k->w.b, end);
  LLVMPositionBuilderAtEnd(k->w.b, end);
  k->cont = saved;
}

/* Raises `site` (no invocation) in the live threads where `bad`. */
static void sync_check(ptx *k, LLVMValueRef bad, vy_site_kind kind, const vy_cn *n) {
  vy_lw *w = &k->w;
  w->cur = n;
  uint32_t site = vy_lw_site(w, kind, NULL);
  if (!site) return;
  LLVMValueRef al = LLVMBuildLoad2(w->b, w->t_i1, k->alive, "alive");
  LLVMBasicBlockRef fail = vy_lw_block(w, "sync.fail"), ok = vy_lw_block(w, "sync.ok"), saved = k->cont;
  LLVMBuildCondBr(w->b, LLVMBuildAnd(w->b, al, bad, ""), fail, ok);
  LLVMPositionBuilderAtEnd(w->b, fail);
  k->cont = ok;
  h_raise(w, site, false, never, never);
  k->cont = saved;
  LLVMPositionBuilderAtEnd(w->b, ok);
}

/* ---- subgroup operations ---- */

/* Evaluates subgroup op x (its operands in every thread of the warp, then
 * the collective) and records the result for h_subgroup. */
static void sg_eval(ptx *k, const vy_cn *n, const vy_cx *x) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  LLVMBasicBlockRef end, saved = guard_begin(k, false, &end);
  w->cur = n;
  LLVMValueRef vslot = NULL, lslot = NULL, u = NULL;
  vy_jt t = {VY_JK_NEVER, 0};
  bool shuffle = x->kind != VY_EXPR_SUBGROUP_ADD && x->kind != VY_EXPR_SUBGROUP_BALLOT;
  vy_jv v = vy_lw_subgroup_operand(w, x, shuffle ? &u : NULL);
  if (v.t.k != VY_JK_NEVER && u) {
    lslot = entry_var(k, w->t_i32, "sg.lane");
    LLVMBuildStore(B, u, lslot);
  }
  if (v.t.k != VY_JK_NEVER && vy_lw_ok(w)) {
    t = v.t;
    vslot = entry_var(k, vy_lw_type(w, t), "sg.val");
    LLVMBuildStore(B, v.v, vslot);
  }
  guard_end(k, saved, end);
  vy_jv *r = vy_arena_alloc(&w->arena, sizeof *r);
  if (!r) {
    vy_lw_nomem(w);
    return;
  }
  *r = never; /* when the operand always raises, so does the statement */
  if (vslot) {
    LLVMValueRef val = LLVMBuildLoad2(B, vy_lw_type(w, t), vslot, "");
    if (x->kind == VY_EXPR_SUBGROUP_BALLOT) {
      *r = (vy_jv){{VY_JK_U32, 0}, ballot(k, val)};
    } else if (x->kind == VY_EXPR_SUBGROUP_ADD) {
      *r = (vy_jv){{VY_JK_U32, 0}, warp_sum(k, val)};
    } else {
      LLVMValueRef src = LLVMBuildLoad2(B, w->t_i32, lslot, "");
      LLVMValueRef inr = LLVMBuildICmp(B, LLVMIntULT, src, k->wn, "");
      LLVMValueRef bits = t.k == VY_JK_F32 ? LLVMBuildBitCast(B, val, w->t_i32, "") : val;
      LLVMValueRef got = shfl_idx(k, bits, LLVMBuildSelect(B, inr, src, k->lane, ""));
      got = LLVMBuildSelect(B, inr, got, c32(w, 0), "shuffled");
      *r = (vy_jv){t, t.k == VY_JK_F32 ? LLVMBuildBitCast(B, got, w->t_f32, "") : got};
    }
  }
  vy_pmap_put(w, &k->sgval, x, r);
}

/* The subgroup ops of an expression, innermost first. */
static void sg_prelude(ptx *k, const vy_cn *n, const vy_cx *x) {
  if (!x || !vy_lw_ok(&k->w)) return;
  sg_prelude(k, n, x->a);
  sg_prelude(k, n, x->b);
  sg_prelude(k, n, x->c);
  for (uint32_t i = 0; i < x->argc; i++) sg_prelude(k, n, x->args[i]);
  if (is_sg(x->kind)) sg_eval(k, n, x);
}

/* ---- sync statements ---- */

/* Whether expression x names a variable. */
static bool has_var(const vy_cx *x) {
  if (!x) return false;
  if (x->kind == VY_EXPR_VAR) return true;
  for (uint32_t i = 0; i < x->argc; i++)
    if (has_var(x->args[i])) return true;
  return has_var(x->a) || has_var(x->b) || has_var(x->c) || has_var(x->d);
}

/* A u32 the whole block (warp) shares that evaluates without any error:
 * u32 literals, buffer lengths, workgroup ids, uniform loop variables,
 * combined by operators that cannot fail on u32 operands. */
static bool pure_u32(ptx *k, const vy_cx *x, unsigned depth) {
  if (!x || depth > 16) return false;
  switch (x->kind) {
  case VY_EXPR_LIT_U32:
    return true;
  case VY_EXPR_BUF_LEN:
    return x->ref != VY_IX_NONE;
  case VY_EXPR_WORKGROUP_ID:
    return x->axis <= 2;
  case VY_EXPR_VAR: { /* a uniform loop variable, or a Let never assigned of a pure value */
    const vy_jbind *bd = k->w.live[x->ref];
    if (bd && bd->def && bd->t.k == VY_JK_U32 && !has_var(bd->def)) return pure_u32(k, bd->def, depth + 1);
    return bd && bd->home == VY_HOME_UNIFORM && bd->t.k == VY_JK_U32;
  }
  case VY_EXPR_BIN_OP:
    switch ((vy_binop)x->op) {
    case VY_BINOP_ADD:
    case VY_BINOP_SUB:
    case VY_BINOP_MUL:
    case VY_BINOP_WRAPPING_ADD:
    case VY_BINOP_WRAPPING_SUB:
    case VY_BINOP_DIV:
    case VY_BINOP_MOD:
    case VY_BINOP_BIT_AND:
    case VY_BINOP_BIT_OR:
    case VY_BINOP_BIT_XOR:
    case VY_BINOP_SHL:
    case VY_BINOP_SHR:
    case VY_BINOP_MIN:
    case VY_BINOP_MAX:
      return pure_u32(k, x->a, depth + 1) && pure_u32(k, x->b, depth + 1);
    default:
      return false;
    }
  default:
    return false;
  }
}

static bool pure_cond(ptx *k, const vy_cx *x) {
  if (x->kind == VY_EXPR_LIT_BOOL || pure_u32(k, x, 0)) return true;
  if (x->kind != VY_EXPR_BIN_OP) return false;
  switch ((vy_binop)x->op) {
  case VY_BINOP_EQ:
  case VY_BINOP_NE:
  case VY_BINOP_LT:
  case VY_BINOP_GT:
  case VY_BINOP_LE:
  case VY_BINOP_GE:
    return pure_u32(k, x->a, 0) && pure_u32(k, x->b, 0);
  default:
    return false;
  }
}

/* The value of a pure_cond / pure_u32 expression in every thread: a Let's
 * name is computed again from its expression (which names no variable),
 * since a thread whose invocation returned before the Let holds no value
 * in it, and every thread of the block (warp) must branch alike. */
static vy_jv pure_eval(ptx *k, const vy_cx *x) {
  vy_lw *w = &k->w;
  if (x->kind == VY_EXPR_VAR && w->live[x->ref] && w->live[x->ref]->def) return pure_eval(k, w->live[x->ref]->def);
  if (x->kind != VY_EXPR_BIN_OP) return vy_lw_expr(w, x);
  vy_jv a = pure_eval(k, x->a), b = pure_eval(k, x->b);
  if (a.t.k == VY_JK_NEVER || b.t.k == VY_JK_NEVER) return never;
  return vy_lw_binop(w, x, a, b);
}

static void sync_list(ptx *k, const vy_cl *l, bool scoped);

static void sync_if(ptx *k, const vy_cn *n, uint8_t level) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  LLVMValueRef take;
  w->cur = n;
  if (pure_cond(k, n->e0)) { /* the same value in every thread, no error possible */
    LLVMValueRef c = vy_lw_truthy(w, pure_eval(k, n->e0));
    if (n->if_id != VY_IX_NONE) {
      LLVMValueRef p = k->ifrec[n->if_id];
      LLVMValueRef rec = LLVMBuildOr(B, LLVMBuildLoad2(B, w->t_i8, p, ""),
                                     LLVMBuildSelect(B, c, LLVMConstInt(w->t_i8, 1, 0), LLVMConstInt(w->t_i8, 2, 0), ""),
                                     "rec");
      LLVMBuildStore(B, rec, p);
      sync_check(k, LLVMBuildICmp(B, LLVMIntEQ, rec, LLVMConstInt(w->t_i8, 3, 0), ""), VY_SITE_NONUNIFORM_IF, n);
    }
    take = c;
  } else {
    LLVMValueRef cv = entry_var(k, w->t_i1, "cond");
    LLVMBasicBlockRef end, saved = guard_begin(k, true, &end);
    vy_jv v = vy_lw_expr(w, n->e0);
    if (v.t.k != VY_JK_NEVER) LLVMBuildStore(B, vy_lw_truthy(w, v), cv);
    guard_end(k, saved, end);
    LLVMValueRef al = LLVMBuildLoad2(B, w->t_i1, k->alive, "alive"), c = LLVMBuildLoad2(B, w->t_i1, cv, "");
    LLVMValueRef t, f;
    if (n->if_id != VY_IX_NONE) {
      LLVMValueRef p = k->ifrec[n->if_id], old = LLVMBuildLoad2(B, w->t_i8, p, "");
      LLVMValueRef bit = LLVMBuildSelect(B, c, LLVMConstInt(w->t_i8, 1, 0), LLVMConstInt(w->t_i8, 2, 0), "");
      LLVMValueRef rec = LLVMBuildSelect(B, al, LLVMBuildOr(B, old, bit, ""), old, "rec");
      LLVMBuildStore(B, rec, p);
      LLVMValueRef z = LLVMConstInt(w->t_i8, 0, 0);
      t = LLVMBuildAnd(B, al, LLVMBuildICmp(B, LLVMIntNE, LLVMBuildAnd(B, rec, LLVMConstInt(w->t_i8, 1, 0), ""), z, ""),
                       "");
      f = LLVMBuildAnd(B, al, LLVMBuildICmp(B, LLVMIntNE, LLVMBuildAnd(B, rec, LLVMConstInt(w->t_i8, 2, 0), ""), z, ""),
                       "");
    } else {
      t = LLVMBuildAnd(B, al, c, "");
      f = LLVMBuildAnd(B, al, LLVMBuildNot(B, c, ""), "");
    }
    LLVMValueRef any_t = any_of(k, t, level), any_f = any_of(k, f, level);
    sync_check(k, LLVMBuildAnd(B, any_t, any_f, ""),
               n->if_id != VY_IX_NONE ? VY_SITE_NONUNIFORM_IF : VY_SITE_DIVERGENT_SUBGROUP, n);
    take = any_t;
  }
  LLVMBasicBlockRef tb = vy_lw_block(w, "s.then"), eb = vy_lw_block(w, "s.else"), join = vy_lw_block(w, "s.endif");
  LLVMBuildCondBr(B, take, tb, eb);
  LLVMPositionBuilderAtEnd(B, tb);
  sync_list(k, &n->body, true);
  LLVMBuildBr(B, join);
  LLVMPositionBuilderAtEnd(B, eb);
  sync_list(k, &n->body2, true);
  LLVMBuildBr(B, join);
  LLVMPositionBuilderAtEnd(B, join);
}

static LLVMValueRef loop_bound(vy_lw *w, const vy_cx *x, vy_site_kind kind) {
  vy_jv v = vy_lw_expr(w, x);
  if (v.t.k == VY_JK_NEVER) return NULL;
  LLVMValueRef bad, u = vy_lw_as_u32(w, v, &bad);
  if (bad) {
    uint32_t site = vy_lw_site(w, kind, x);
    if (site) w->sites[site].ta = v.t;
    vy_lw_check(w, bad, site, v, never);
  }
  return u;
}

static void sync_loop(ptx *k, const vy_cn *n, uint8_t level) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  LLVMValueRef from, to;
  w->cur = n;
  if (pure_u32(k, n->e0, 0) && pure_u32(k, n->e1, 0)) {
    from = pure_eval(k, n->e0).v;
    to = pure_eval(k, n->e1).v;
  } else {
    LLVMValueRef fv = entry_var(k, w->t_i32, "from"), tv = entry_var(k, w->t_i32, "to");
    LLVMBasicBlockRef end, saved = guard_begin(k, true, &end);
    LLVMValueRef f = loop_bound(w, n->e0, VY_SITE_LOOP_FROM);
    LLVMValueRef t = f ? loop_bound(w, n->e1, VY_SITE_LOOP_TO) : NULL;
    if (t) {
      LLVMBuildStore(B, f, fv);
      LLVMBuildStore(B, t, tv);
    }
    guard_end(k, saved, end);
    LLVMValueRef al = LLVMBuildLoad2(B, w->t_i1, k->alive, "alive");
    f = LLVMBuildLoad2(B, w->t_i32, fv, "");
    t = LLVMBuildLoad2(B, w->t_i32, tv, "");
    LLVMValueRef f0, t0, any;
    if (level == LV_BLOCK) { /* one live thread's bounds in shared memory, compared by all */
      LLVMValueRef nal = LLVMBuildZExt(B, al, w->t_i32, "");
      any = LLVMBuildICmp(B, LLVMIntNE, nvvm(w, "llvm.nvvm.barrier0.popc", &nal, 1), c32(w, 0), "");
      LLVMValueRef mine = LLVMBuildOr(B, LLVMBuildZExt(B, f, w->t_i64, ""),
                                      LLVMBuildShl(B, LLVMBuildZExt(B, t, w->t_i64, ""), c64(w, 32), ""), "");
      LLVMBasicBlockRef wr = vy_lw_block(w, "bounds.put"), rd = vy_lw_block(w, "bounds.get");
      LLVMBuildCondBr(B, al, wr, rd);
      LLVMPositionBuilderAtEnd(B, wr);
      LLVMBuildStore(B, mine, k->slot);
      LLVMBuildBr(B, rd);
      LLVMPositionBuilderAtEnd(B, rd);
      nvvm(w, "llvm.nvvm.barrier0", NULL, 0);
      LLVMValueRef s = LLVMBuildLoad2(B, w->t_i64, k->slot, "bounds");
      LLVMValueRef bad = any_of(k, LLVMBuildAnd(B, al, LLVMBuildICmp(B, LLVMIntNE, s, mine, ""), ""), LV_BLOCK);
      sync_check(k, bad, VY_SITE_DIVERGENT_LOOP, n);
      f0 = LLVMBuildTrunc(B, s, w->t_i32, "");
      t0 = LLVMBuildTrunc(B, LLVMBuildLShr(B, s, c64(w, 32), ""), w->t_i32, "");
    } else { /* the first live lane's bounds */
      LLVMValueRef bl = ballot(k, al);
      any = LLVMBuildICmp(B, LLVMIntNE, bl, c32(w, 0), "");
      LLVMValueRef tz[2] = {bl, c1(w, 0)};
      LLVMValueRef lead = LLVMBuildAnd(B, vy_lw_intrinsic(w, "llvm.cttz", &w->t_i32, 1, tz, 2), c32(w, 31), "lead");
      f0 = shfl_idx(k, f, lead);
      t0 = shfl_idx(k, t, lead);
      LLVMValueRef differ =
          LLVMBuildOr(B, LLVMBuildICmp(B, LLVMIntNE, f, f0, ""), LLVMBuildICmp(B, LLVMIntNE, t, t0, ""), "");
      sync_check(k, any_of(k, LLVMBuildAnd(B, al, differ, ""), LV_WARP), VY_SITE_DIVERGENT_LOOP, n);
    }
    from = f0;
    to = LLVMBuildSelect(B, any, t0, f0, "to"); /* no live thread: no iteration */
  }
  if (!vy_lw_ok(w)) return;
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(B), head = vy_lw_block(w, "s.loop"), body = vy_lw_block(w, "s.body"),
                    latch = vy_lw_block(w, "s.latch"), done = vy_lw_block(w, "s.endloop");
  LLVMBuildBr(B, head);
  LLVMPositionBuilderAtEnd(B, head);
  LLVMValueRef i = LLVMBuildPhi(B, w->t_i32, "si");
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, i, to, ""), body, done);
  LLVMPositionBuilderAtEnd(B, body);
  vy_lw_scope_push(w);
  w->cur = n;
  vy_jbind *bd = vy_lw_bind(w, n, n->slot, (vy_jt){VY_JK_U32, 0}, VY_HOME_UNIFORM, true);
  if (bd) bd->val = i;
  sync_list(k, &n->body, false);
  vy_lw_scope_pop(w);
  LLVMBuildBr(B, latch);
  LLVMPositionBuilderAtEnd(B, latch);
  LLVMValueRef next = LLVMBuildNUWAdd(B, i, c32(w, 1), "");
  LLVMBuildBr(B, head);
  LLVMValueRef vals[2] = {from, next};
  LLVMBasicBlockRef blocks[2] = {pre, latch};
  LLVMAddIncoming(i, vals, blocks, 2);
  LLVMPositionBuilderAtEnd(B, done);
}

/* Statements first .. last-1 of l, run by the live threads. */
static void region(ptx *k, const vy_cl *l, uint32_t first, uint32_t last) {
  LLVMBasicBlockRef end, saved = guard_begin(k, true, &end);
  vy_lw_stmts(&k->w, l, first, last);
  guard_end(k, saved, end);
}

static void sync_list(ptx *k, const vy_cl *l, bool scoped) {
  vy_lw *w = &k->w;
  if (scoped) vy_lw_scope_push(w);
  uint32_t i = 0;
  while (i < l->count && vy_lw_ok(w)) {
    const vy_cn *n = &l->items[i];
    const sinfo *si = info_of(k, n);
    if (!si->level) {
      uint32_t j = i;
      while (j < l->count && !info_of(k, &l->items[j])->level) j++;
      region(k, l, i, j);
      i = j;
      continue;
    }
    if (si->sg_head) {
      sg_prelude(k, n, n->e0);
      sg_prelude(k, n, n->e1);
      sg_prelude(k, n, n->e2);
    }
    w->cur = n;
    if (n->kind == VY_NODE_BARRIER)
      nvvm(w, "llvm.nvvm.barrier0", NULL, 0);
    else if (si->inner && (n->kind == VY_NODE_BLOCK || n->kind == VY_NODE_REGION))
      sync_list(k, &n->body, true);
    else if (si->inner && n->kind == VY_NODE_IF)
      sync_if(k, n, si->inner);
    else if (si->inner && n->kind == VY_NODE_LOOP)
      sync_loop(k, n, si->inner);
    else /* a statement with subgroup ops only in its own expressions */
      region(k, l, i, i + 1);
    i++;
  }
  if (scoped) vy_lw_scope_pop(w);
}

/* ---- the kernel ---- */

static LLVMValueRef sreg(vy_lw *w, const char *name) { return nvvm(w, name, NULL, 0); }

/* Local, global and workgroup ids, the warp's lane count and mask. */
static void ids(ptx *k, LLVMValueRef wg_base, LLVMValueRef gx, LLVMValueRef gy) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  k->tid = sreg(w, "llvm.nvvm.read.ptx.sreg.tid.x");
  LLVMValueRef ctaid = sreg(w, "llvm.nvvm.read.ptx.sreg.ctaid.x");
  uint32_t *wg = w->wg;
  k->lid[0] = wg[0] == 1 ? c32(w, 0) : wg[1] * wg[2] == 1 ? k->tid : LLVMBuildURem(B, k->tid, c32(w, wg[0]), "lid.x");
  k->lid[1] = wg[1] == 1 ? c32(w, 0)
                         : LLVMBuildURem(B, LLVMBuildUDiv(B, k->tid, c32(w, wg[0]), ""), c32(w, wg[1]), "lid.y");
  k->lid[2] = wg[2] == 1 ? c32(w, 0) : LLVMBuildUDiv(B, k->tid, c32(w, wg[0] * wg[1]), "lid.z");
  LLVMValueRef lin = LLVMBuildAdd(B, wg_base, LLVMBuildZExt(B, ctaid, w->t_i64, ""), "wg.lin");
  LLVMValueRef g0 = LLVMBuildZExt(B, gx, w->t_i64, ""), g1 = LLVMBuildZExt(B, gy, w->t_i64, "");
  /* lin < gx (every block of a 1-D grid): wid.x = lin, no 64-bit division
   * (a branch, uniform over the block, that LLVM cannot flatten: gx may be 0) */
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(B), divide = vy_lw_block(w, "wid.div"), done = vy_lw_block(w, "wid");
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, lin, g0, ""), done, divide);
  LLVMPositionBuilderAtEnd(B, divide);
  LLVMValueRef q = LLVMBuildUDiv(B, lin, g0, ""), r = LLVMBuildURem(B, lin, g0, "");
  LLVMBuildBr(B, done);
  LLVMPositionBuilderAtEnd(B, done);
  LLVMValueRef rest = LLVMBuildPhi(B, w->t_i64, ""), x = LLVMBuildPhi(B, w->t_i64, "");
  LLVMBasicBlockRef from[2] = {pre, divide};
  LLVMAddIncoming(rest, (LLVMValueRef[]){c64(w, 0), q}, from, 2);
  LLVMAddIncoming(x, (LLVMValueRef[]){lin, r}, from, 2);
  k->wid[0] = LLVMBuildTrunc(B, x, w->t_i32, "wid.x");
  k->wid[1] = LLVMBuildTrunc(B, LLVMBuildURem(B, rest, g1, ""), w->t_i32, "wid.y");
  k->wid[2] = LLVMBuildTrunc(B, LLVMBuildUDiv(B, rest, g1, ""), w->t_i32, "wid.z");
  for (int a = 0; a < 3; a++) /* no wrap: the host checks that every global id fits u32 */
    k->gid[a] = LLVMBuildNUWAdd(B, LLVMBuildNUWMul(B, k->wid[a], c32(w, wg[a]), ""), k->lid[a], "gid");
  k->lane = LLVMBuildAnd(B, k->tid, c32(w, WARP - 1), "lane");
  uint32_t tail = k->threads % WARP;
  if (!tail) {
    k->wn = c32(w, WARP);
    k->wmask = c32(w, 0xFFFFFFFFu);
  } else { /* the last warp is partial */
    LLVMValueRef last = LLVMBuildICmp(B, LLVMIntUGE, k->tid, c32(w, k->threads - tail), "");
    k->wn = LLVMBuildSelect(B, last, c32(w, tail), c32(w, WARP), "warp.n");
    k->wmask = LLVMBuildSelect(B, last, c32(w, (1u << tail) - 1), c32(w, 0xFFFFFFFFu), "warp.mask");
  }
}

/* Whether list l holds a Loop at any depth whose work is not bounded by
 * VY_LW_POLL_FREE iterations (a Loop within that bound has only bounded
 * Loops inside it). */
static bool has_long_loop(const vy_lw *w, const vy_cl *l) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_cn *n = &l->items[i];
    if (n->kind == VY_NODE_LOOP && vy_lw_loop_polled(w, n)) return true;
    if ((n->kind == VY_NODE_IF || n->kind == VY_NODE_BLOCK || n->kind == VY_NODE_REGION) &&
        (has_long_loop(w, &n->body) || has_long_loop(w, &n->body2)))
      return true;
  }
  return false;
}

/* The least value of field j (1 bytes, 2 elems) of buffer b's record:
 * the host binds at least the declared count (vy_bind; 0 for min_bytes 0,
 * where BufLen counts bytes). */
static uint64_t record_min(const vy_lw *w, uint32_t b, unsigned j) {
  uint64_t s = vy_type_min_bytes(&w->p->buffers[b].element), count = s ? w->p->buffers[b].count : 0;
  return j == 1 ? count * s : count;
}

/* !range [lo, 2^bits) on load `v` of integer type `t` (0 < lo < 2^bits). */
static void range_md(vy_lw *w, LLVMValueRef v, LLVMTypeRef t, uint64_t lo) {
  LLVMMetadataRef r[2] = {LLVMValueAsMetadata(LLVMConstInt(t, lo, 0)), LLVMValueAsMetadata(LLVMConstInt(t, 0, 0))};
  LLVMSetMetadata(v, LLVMGetMDKindIDInContext(w->c, "range", 5),
                  LLVMMetadataAsValue(w->c, LLVMMDNodeInContext2(w->c, r, 2)));
}

/* Buffer records, workgroup memory (declared and zeroed) and the stop
 * test (ptx_int.h). Only a kernel with a long Loop (one that polls,
 * vy_lw_loop_polled) and a barrier or workgroup memory tests `stop` at
 * the start: thread 0 reads it and the start barrier tells the block (a
 * Loop holding a barrier does not poll). Without barriers every thread
 * reads it at the start but only its first poll tests it (h_poll): no
 * wait at the start; a kernel without long Loops does bounded work and
 * runs to the end. A read that every warp of the grid sends to
 * one L2 line, and that its loads wait for, cost saxpy 2/3 of the H100's
 * bandwidth (and byte_class, with its 4-iteration Loop, half). */
static void buffers(ptx *k, LLVMValueRef bufs, bool uses_sync) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  const vy_program *p = w->p;
  LLVMTypeRef kbuf = LLVMStructTypeInContext(w->c, (LLVMTypeRef[]){w->t_i64, w->t_i64, w->t_i64}, 3, 0);
  unsigned inv = LLVMGetMDKindIDInContext(w->c, "invariant.load", 14);
  LLVMValueRef empty = LLVMMetadataAsValue(w->c, LLVMMDNodeInContext2(w->c, NULL, 0));
  bool zeroes = false; /* some workgroup buffer is zeroed at the start */
  for (uint32_t b = 0; b < p->nbuffers; b++) {
    uint32_t s = vy_type_min_bytes(&p->buffers[b].element);
    if (p->buffers[b].access == VY_ACCESS_WORKGROUP) {
      uint64_t bytes = (uint64_t)p->buffers[b].count * s, words = (bytes + 3) / 4;
      char name[32];
      snprintf(name, sizeof name, "vyre.wg.%u", b);
      LLVMTypeRef at = LLVMArrayType2(w->t_i32, words ? words : 1);
      LLVMValueRef g = LLVMAddGlobalInAddressSpace(w->m, at, name, 3);
      LLVMSetInitializer(g, LLVMGetUndef(at));
      LLVMSetLinkage(g, LLVMInternalLinkage);
      LLVMSetAlignment(g, 16);
      k->data[b] = g;
      k->bytes[b] = c64(w, bytes);
      k->elems[b] = c64(w, s ? bytes / s : bytes);
      if (k->filled[b]) continue; /* the program writes it all before reading it (ptx_wgfill.c) */
      zeroes = true;
      /* zeroed by the block: thread t clears words t, t + threads, ... */
      LLVMBasicBlockRef pre = LLVMGetInsertBlock(B), head = vy_lw_block(w, "wg.zero"), done = vy_lw_block(w, "wg.zeroed");
      LLVMValueRef first = LLVMBuildZExt(B, k->tid, w->t_i64, "");
      LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, first, c64(w, words), ""), head, done);
      LLVMPositionBuilderAtEnd(B, head);
      LLVMValueRef i = LLVMBuildPhi(B, w->t_i64, "zi");
      LLVMValueRef off = LLVMBuildMul(B, i, c64(w, 4), "");
      LLVMBuildStore(B, c32(w, 0), LLVMBuildGEP2(B, w->t_i8, g, &off, 1, ""));
      LLVMValueRef next = LLVMBuildNUWAdd(B, i, c64(w, k->threads), "");
      LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, next, c64(w, words), ""), head, done);
      LLVMValueRef vals[2] = {first, next};
      LLVMBasicBlockRef blocks[2] = {pre, head};
      LLVMAddIncoming(i, vals, blocks, 2);
      LLVMPositionBuilderAtEnd(B, done);
      continue;
    }
    LLVMValueRef idx = c64(w, b);
    LLVMValueRef e = LLVMBuildGEP2(B, kbuf, bufs, &idx, 1, "");
    /* the host binds at least `count` elements (vy_bind) and never more
     * than u32 can count (vy_ibuf.elems): the element count is in
     * [count, 2^32) and goes through i32, so bounds checks become 32-bit
     * compares that LLVM can fold against the ids and BufLen */
    LLVMValueRef f[3];
    for (unsigned j = 0; j < 3; j++) { /* elems: the low word (little-endian) */
      LLVMTypeRef ft = j == 2 ? w->t_i32 : w->t_i64;
      f[j] = k->rec[3 * b + j] = LLVMBuildLoad2(B, ft, LLVMBuildStructGEP2(B, kbuf, e, j, ""), j == 0 ? "data" : "len");
      LLVMSetMetadata(f[j], inv, empty);
    }
    for (unsigned j = 1; j < 3; j++)
      if (record_min(w, b, j)) range_md(w, f[j], LLVMTypeOf(f[j]), record_min(w, b, j));
    k->data[b] = LLVMBuildIntToPtr(B, f[0], k->t_p1, "buf");
    k->bytes[b] = f[1];
    k->elems[b] = LLVMBuildZExt(B, f[2], w->t_i64, "elems");
  }
  if (!has_long_loop(w, &w->pp->entry)) { /* bounded work: no stop test; a barrier ends the zeroing */
    if (zeroes) nvvm(w, "llvm.nvvm.barrier0", NULL, 0);
    return;
  }
  if (!zeroes && !uses_sync) { /* read first thing, tested by the first poll (h_poll) */
    LLVMBuilderRef eb = LLVMCreateBuilderInContext(w->c);
    LLVMPositionBuilderAtEnd(eb, w->entry);
    k->stop0 = LLVMBuildLoad2(eb, w->t_i32, k->err, "stop0");
    LLVMSetVolatile(k->stop0, 1);
    LLVMDisposeBuilder(eb);
    return;
  }
  /* thread 0 reads `stop`, the start barrier gives its answer to the block
   * (and ends the zeroing) */
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(B), read = vy_lw_block(w, "stop.read"), got = vy_lw_block(w, "stop.got");
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntEQ, k->tid, c32(w, 0), ""), read, got);
  LLVMPositionBuilderAtEnd(B, read);
  LLVMValueRef stop = LLVMBuildLoad2(B, w->t_i32, k->err, "stop"); /* vy_kerr.stop is the first field */
  LLVMSetOrdering(stop, LLVMAtomicOrderingMonotonic);
  LLVMSetAlignment(stop, 4);
  LLVMBuildBr(B, got);
  LLVMPositionBuilderAtEnd(B, got);
  LLVMValueRef seen = LLVMBuildPhi(B, w->t_i32, "stop.seen");
  LLVMAddIncoming(seen, (LLVMValueRef[]){stop, c32(w, 0)}, (LLVMBasicBlockRef[]){read, pre}, 2);
  LLVMValueRef s = LLVMBuildZExt(B, LLVMBuildICmp(B, LLVMIntNE, seen, c32(w, 0), ""), w->t_i32, "");
  LLVMValueRef stopped = LLVMBuildICmp(B, LLVMIntNE, nvvm(w, "llvm.nvvm.barrier0.or", &s, 1), c32(w, 0), "stopped");
  LLVMBasicBlockRef run = vy_lw_block(w, "run");
  LLVMBuildCondBr(B, stopped, k->exit, run);
  LLVMPositionBuilderAtEnd(B, run);
}

static void str_attr(vy_lw *w, LLVMValueRef f, const char *key, const char *v) {
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(w->c, key, (unsigned)strlen(key), v, (unsigned)strlen(v)));
}

static void annotate(ptx *k, const char *what, uint32_t v) {
  vy_lw *w = &k->w;
  LLVMMetadataRef ops[3] = {LLVMValueAsMetadata(k->kernel), LLVMMDStringInContext2(w->c, what, strlen(what)),
                            LLVMValueAsMetadata(c32(w, v))};
  LLVMAddNamedMetadataOperand(w->m, "nvvm.annotations", LLVMMetadataAsValue(w->c, LLVMMDNodeInContext2(w->c, ops, 3)));
}

/* The record fields the kernel uses are read at its start, all at once
 * (moved to the entry block, before the ids' computation, each through an
 * empty asm statement there, which LLVM and the
 * backend cannot sink into the branch of its first use (they did: saxpy
 * read y's record, tested its If, then read x's and a's, two dependent
 * trips to memory before its first data load instead of one). */
static void to_entry(vy_lw *w, LLVMValueRef i) {
  if (!LLVMIsAInstruction(i) || LLVMGetInstructionParent(i) == w->entry) return;
  LLVMInstructionRemoveFromParent(i);
  LLVMInsertIntoBuilder(w->b, i);
}

static void pin_records(ptx *k) {
  vy_lw *w = &k->w;
  LLVMPositionBuilderAtEnd(w->b, w->entry); /* before the kernel's ids: the loads need only `bufs` */
  for (uint32_t i = 0; i < 3 * w->p->nbuffers; i++) {
    LLVMValueRef ld = k->rec[i];
    if (!ld || !LLVMGetFirstUse(ld)) continue;
    LLVMValueRef fp = LLVMGetOperand(ld, 0);
    if (LLVMIsAInstruction(fp)) to_entry(w, LLVMGetOperand(fp, 0)); /* the record's address */
    to_entry(w, fp);
    to_entry(w, ld);
    bool wide = LLVMTypeOf(ld) == w->t_i64;
    LLVMTypeRef ft = LLVMFunctionType(LLVMTypeOf(ld), (LLVMTypeRef[]){LLVMTypeOf(ld)}, 1, 0);
    LLVMValueRef asm_ = LLVMGetInlineAsm(ft, "", 0, wide ? "=l,0" : "=r,0", 4, 1, 0, LLVMInlineAsmDialectATT, 0);
    LLVMValueRef pinned = LLVMBuildCall2(w->b, ft, asm_, (LLVMValueRef[]){ld}, 1, "");
    LLVMReplaceAllUsesWith(ld, pinned);
    LLVMSetOperand(pinned, 0, ld);
    uint64_t lo = i % 3 ? record_min(w, i / 3, i % 3) : 0; /* the load's !range, for the value */
    if (lo) {
      uint64_t hi = 0;
      unsigned kind = LLVMGetEnumAttributeKindForName("range", 5);
      LLVMAddCallSiteAttribute(pinned, LLVMAttributeReturnIndex,
                               LLVMCreateConstantRangeAttribute(w->c, kind, wide ? 64 : 32, &lo, &hi));
    }
  }
}

/* PTX_Kernel, LLVM 19's CallingConv::PTX_Kernel. */
#define CC_PTX_KERNEL 71

static void build(ptx *k, bool uses_sync) {
  vy_lw *w = &k->w;
  LLVMTypeRef pt[6] = {k->t_p1, k->t_p1, w->t_i64, w->t_i32, w->t_i32, w->t_i32};
  k->kernel = LLVMAddFunction(w->m, VY_PTX_ENTRY, LLVMFunctionType(w->t_void, pt, 6, 0));
  LLVMSetFunctionCallConv(k->kernel, CC_PTX_KERNEL);
  static const char *const names[6] = {"bufs", "err", "wg_base", "gx", "gy", "gz"};
  for (unsigned i = 0; i < 6; i++) LLVMSetValueName2(LLVMGetParam(k->kernel, i), names[i], strlen(names[i]));
  LLVMAddAttributeAtIndex(k->kernel, LLVMAttributeFunctionIndex,
                          LLVMCreateEnumAttribute(w->c, LLVMGetEnumAttributeKindForName("nounwind", 8), 0));
  if (!k->t->f32_ieee) {
    str_attr(w, k->kernel, "denormal-fp-math-f32", "preserve-sign,preserve-sign");
    str_attr(w, k->kernel, "nvptx-f32ftz", "true");
  }
  annotate(k, "kernel", 1);
  annotate(k, "reqntidx", k->threads);
  w->fn = k->kernel;
  w->entry = LLVMAppendBasicBlockInContext(w->c, k->kernel, "entry");
  k->start = vy_lw_block(w, "start");
  k->exit = vy_lw_block(w, "exit");
  k->err = LLVMGetParam(k->kernel, 1);
  LLVMPositionBuilderAtEnd(w->b, k->start);
  k->alive = entry_var(k, w->t_i1, "alive");
  for (uint32_t i = 0; i < w->pp->nbarrier_ifs; i++) k->ifrec[i] = entry_var(k, w->t_i8, "ifrec");
  ids(k, LLVMGetParam(k->kernel, 2), LLVMGetParam(k->kernel, 3), LLVMGetParam(k->kernel, 4));
  buffers(k, LLVMGetParam(k->kernel, 0), uses_sync);
  k->cont = k->exit; /* an unconditional raise at sync level ends every thread */
  sync_list(k, &w->pp->entry, false);
  LLVMBuildBr(w->b, k->exit);
  LLVMPositionBuilderAtEnd(w->b, k->exit);
  LLVMBuildRetVoid(w->b);
  pin_records(k);
  /* entry: every variable starts defined (a dead lane's operand may read
   * one its invocation never bound), alive starts true */
  LLVMPositionBuilderAtEnd(w->b, w->entry);
  for (LLVMValueRef in = LLVMGetFirstInstruction(w->entry); in; in = LLVMGetNextInstruction(in))
    if (LLVMIsAAllocaInst(in)) {
      LLVMTypeRef t = LLVMGetAllocatedType(in);
      LLVMBuildStore(w->b, in == k->alive ? c1(w, 1) : LLVMConstNull(t), in);
    }
  LLVMBuildBr(w->b, k->start);
}

/* Whether instruction i produces a float value that may be subnormal. */
static bool makes_float(vy_lw *w, LLVMValueRef i) {
  if (LLVMTypeOf(i) != w->t_f32) return false;
  switch (LLVMGetInstructionOpcode(i)) {
  case LLVMFAdd:
  case LLVMFSub:
  case LLVMFMul:
  case LLVMFDiv:
  case LLVMFRem:
  case LLVMFPTrunc:
  case LLVMBitCast:
  case LLVMCall:
    return true;
  case LLVMLoad: /* a variable holds a value flushed already */
    return !LLVMIsAAllocaInst(LLVMGetOperand(i, 0));
  default: /* phi, select, fneg, int to float: canonical when their operands are */
    return false;
  }
}

/* f32_ieee: every float value made by an operation, a load, a bit cast or
 * a call is flushed right after (NaN passes unchanged). */
static void flush_f32(ptx *k) {
  vy_lw *w = &k->w;
  LLVMValueRef one = LLVMConstReal(w->t_f32, 1.0);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(k->kernel); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
      if (!makes_float(w, i)) continue;
      LLVMPositionBuilderBefore(w->b, LLVMGetNextInstruction(i));
      LLVMValueRef args[2] = {LLVMGetUndef(w->t_f32), one};
      LLVMValueRef f = nvvm(w, "llvm.nvvm.mul.rn.ftz.f", args, 2);
      LLVMReplaceAllUsesWith(i, f);
      LLVMSetOperand(f, 0, i);
      i = f;
    }
}

vy_status vy_lower_ptx(const vy_interp_prepared *pp, const vy_ptx_target *t, LLVMContextRef c, LLVMModuleRef m,
                       const vy_allocator *alloc, vy_ptx_lowered *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  ptx *k = vy_mem_calloc(alloc, 1, sizeof *k);
  if (!k) return vy_error_nomem(err);
  vy_lw *w = &k->w;
  vy_lw_init(w, c, m, pp, &ptx_hooks, k, alloc, err);
  k->t = t;
  unsigned sm = 0;
  if (t->sm && sscanf(t->sm, "sm_%u", &sm) != 1) sm = 0;
  k->sm = sm;
  k->t_p1 = LLVMPointerTypeInContext(c, 1);
  { /* out-of-range loads of storage buffers read these zeros instead of branching (lower_int.h) */
    LLVMTypeRef zt = LLVMArrayType2(w->t_i8, 16);
    LLVMValueRef z = LLVMAddGlobalInAddressSpace(m, zt, "vyre.zeros", 1);
    LLVMSetInitializer(z, LLVMConstNull(zt));
    LLVMSetGlobalConstant(z, 1);
    LLVMSetLinkage(z, LLVMInternalLinkage);
    LLVMSetAlignment(z, 16);
    w->safe_ptr = z;
    w->spec_loads = true;
  }
  uint32_t nb = pp->nbufs ? pp->nbufs : 1;
  k->data = vy_arena_array(&w->arena, nb, sizeof *k->data);
  k->bytes = vy_arena_array(&w->arena, nb, sizeof *k->bytes);
  k->elems = vy_arena_array(&w->arena, nb, sizeof *k->elems);
  k->written = vy_arena_array(&w->arena, nb, sizeof *k->written);
  k->filled = vy_arena_array(&w->arena, nb, sizeof *k->filled);
  k->assigned = vy_arena_array(&w->arena, pp->nslots ? pp->nslots : 1, sizeof *k->assigned);
  k->rec = vy_arena_array(&w->arena, 3 * (size_t)nb, sizeof *k->rec);
  k->raw = vy_arena_array(&w->arena, nb, sizeof *k->raw);
  k->ifrec = vy_arena_array(&w->arena, pp->nbarrier_ifs ? pp->nbarrier_ifs : 1, sizeof *k->ifrec);
  if (!k->data || !k->bytes || !k->elems || !k->written || !k->filled || !k->assigned || !k->rec || !k->raw ||
      !k->ifrec)
    vy_lw_nomem(w);
  uint64_t threads = (uint64_t)w->wg[0] * w->wg[1] * w->wg[2];
  k->threads = (uint32_t)threads;
  if (!threads || threads > MAX_THREADS) {
    char what[160];
    snprintf(what, sizeof what, "a workgroup of %u x %u x %u invocations (a CUDA block has 1 to %u threads)", w->wg[0],
             w->wg[1], w->wg[2], MAX_THREADS);
    refuse(k, NULL, what, "use a workgroup size of at most 1024 invocations");
  }
  for (uint32_t b = 0; b < w->p->nbuffers; b++)
    if (w->p->buffers[b].access == VY_ACCESS_WORKGROUP)
      k->shared_bytes += ((uint64_t)w->p->buffers[b].count * vy_type_min_bytes(&w->p->buffers[b].element) + 15) / 16 * 16;
  /* Workgroup memory is scratch that only the block's Loads read back (the
   * cuda backend refuses async copies; an atomic on it is an error), and
   * Loads carry f32 values uncanonicalized anyway (lower_int.h): an f32
   * workgroup buffer stores floats as they are (stencil1d's and
   * matmul_tiled's tiles: six instructions per store less). */
  for (uint32_t b = 0; vy_lw_ok(w) && b < w->p->nbuffers; b++)
    k->raw[b] = w->p->buffers[b].access == VY_ACCESS_WORKGROUP && w->p->buffers[b].element.kind == VY_TYPE_F32;
  uint8_t lv = LV_NONE;
  if (vy_lw_ok(w)) lv = mark_list(k, &pp->entry);
  if (vy_lw_ok(w) && !k->no_raw) w->raw_f32 = k->raw;
  bool uses_sync = lv != LV_NONE;
  if (vy_lw_ok(w)) vy_ptx_find_filled(w, node_synced, k, k->filled);
  if (uses_sync) { /* the bounds slot of block-level Loops */
    LLVMValueRef g = LLVMAddGlobalInAddressSpace(m, w->t_i64, "vyre.bounds", 3);
    LLVMSetInitializer(g, LLVMGetUndef(w->t_i64));
    LLVMSetLinkage(g, LLVMInternalLinkage);
    LLVMSetAlignment(g, 8);
    k->slot = g;
    k->shared_bytes += 8;
  }
  if (k->shared_bytes > MAX_SHARED) {
    char what[160];
    snprintf(what, sizeof what, "%llu bytes of workgroup memory (a CUDA block has at most %u bytes of static shared memory)",
             (unsigned long long)k->shared_bytes, MAX_SHARED);
    refuse(k, NULL, what, "use less workgroup memory, or keep the data in a storage buffer");
  }
  if (vy_lw_ok(w)) build(k, uses_sync);
  if (vy_lw_ok(w) && t->f32_ieee) flush_f32(k);
  if (vy_lw_ok(w)) vy_lw_flush_float_observers(w, k->kernel); /* ptxas and FTZ compares */
  vy_status st = w->st;
  if (st == VY_OK) {
    out->sites = vy_mem_alloc(alloc, (size_t)w->nsites * sizeof *out->sites);
    if (!out->sites)
      st = vy_error_nomem(err);
    else {
      memcpy(out->sites, w->sites, (size_t)w->nsites * sizeof *out->sites);
      out->nsites = w->nsites;
      out->block_threads = k->threads;
      out->shared_bytes = k->shared_bytes;
    }
  }
  vy_lw_free(w);
  vy_mem_free(alloc, k, sizeof *k);
  return st;
}

void vy_ptx_lowered_free(const vy_allocator *alloc, vy_ptx_lowered *l) {
  if (!l) return;
  vy_mem_free(alloc, l->sites, (size_t)l->nsites * sizeof *l->sites);
  memset(l, 0, sizeof *l);
}
