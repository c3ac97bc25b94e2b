/* test_jit_ptx_sim.c - the NVPTX flavour's kernels run on this machine by
 * a small SIMT simulator and compared with the reference interpreter on
 * the whole case corpus. No GPU here: this checks the lowering's logic
 * (alive flag, regions, barriers, uniformity votes, warp collectives,
 * error record, ids of split launches) before the H100 does.
 *
 * How: vy_lower_ptx builds the kernel (f32_ieee, so float results are
 * flushed by explicit calls and the host's IEEE arithmetic gives the
 * reference's bits); the NVVM intrinsics become calls of the vysim_*
 * functions below, as do the plain instructions whose GPU results differ
 * from the host's (cvt.f64.f32 of a NaN; float selects of min/max shape,
 * which the NVPTX backend may make max/min: their signed zeros), and the
 * module is compiled for the host with ORC. A block runs as one ucontext
 * coroutine per thread: a thread runs until it reaches a barrier or a
 * warp collective; a barrier is released when every
 * thread of the block waits at one (the threads of a warp at the same one:
 * bar.sync is .aligned), a collective when every lane of the
 * warp (the mask must be exactly the warp's lanes) waits at one. A thread
 * that leaves the kernel while others wait, collectives that differ inside
 * a warp, and deadlocks fail the case: the GPU would hang or be undefined.
 * Blocks run one after another; launches are split in chunks of 4 blocks
 * (wg_base) to cover that path. The corpus runs for sm_80 (redux.sync)
 * and sm_75 (the shuffle tree).
 *
 * Corpus cases the cuda backend refuses are skipped (counted), as are
 * cases that need the interpreter's step budget; the deviations every
 * compiled backend documents (jit_diff.h) must give their status.
 * VY_CASES=substring limits the corpus. Then programs of the differential
 * generator (diffgen.h; VY_DIFF_SEEDS per option set, default 150) must
 * give the interpreter's status and outputs (f32 outputs of programs with
 * transcendentals within 4 ULP: the simulator calls the host's libm).
 * Skipped under AddressSanitizer, which does not follow stack switches.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "backend_jit_int.h"
#include "cases.h"
#include "error_int.h"
#include "interp_int.h"
#include "jit_diff.h"
#include "ulp_compare.h"
#include "ptx_int.h"
#include "vyre/text.h"

#if defined(__SANITIZE_ADDRESS__)
#define SIM_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_UNDER_ASAN 1
#endif
#endif

/* ---- the simulated block ---- */

enum { T_RUN, T_BAR, T_WARP, T_DONE };
enum { OP_BAR, OP_BAR_OR, OP_BAR_POPC, OP_BALLOT, OP_SHFL_IDX, OP_SHFL_DOWN, OP_REDUX };

typedef void (*kernel_fn)(void *bufs, void *err, uint64_t wg_base, uint32_t gx, uint32_t gy, uint32_t gz);

typedef struct sthread {
  ucontext_t ctx;
  int state, op;
  uint32_t mask, a, b, res;
  const void *site; /* the barrier instruction it waits at (its call's return address) */
} sthread;

#define STACK_SIZE (128u * 1024u)

static struct sim {
  sthread t[1024];
  char *stacks;
  uint32_t n, cur, ctaid;
  ucontext_t sched;
  kernel_fn fn;
  void *bufs, *err;
  uint64_t wg_base;
  uint32_t g[3];
  char fail[256];
} S;

static void sim_fail(const char *why) {
  if (!S.fail[0]) snprintf(S.fail, sizeof S.fail, "%s", why);
}

static void thread_main(void) {
  S.fn(S.bufs, S.err, S.wg_base, S.g[0], S.g[1], S.g[2]);
  S.t[S.cur].state = T_DONE; /* uc_link returns to the scheduler */
}

static uint32_t wait_as(int state, int op, uint32_t mask, uint32_t a, uint32_t b) {
  sthread *t = &S.t[S.cur];
  t->state = state;
  t->op = op;
  t->mask = mask;
  t->a = a;
  t->b = b;
  swapcontext(&t->ctx, &S.sched);
  return t->res;
}

static uint32_t vysim_tid(void) { return S.cur; }
static uint32_t vysim_ctaid(void) { return S.ctaid; }
/* Barriers remember where they were called from: bar.sync is .aligned, so
 * every thread of a warp must wait at the same instruction. */
static void vysim_bar(void) {
  S.t[S.cur].site = __builtin_return_address(0);
  wait_as(T_BAR, OP_BAR, 0, 0, 0);
}
static uint32_t vysim_bar_or(uint32_t p) {
  S.t[S.cur].site = __builtin_return_address(0);
  return wait_as(T_BAR, OP_BAR_OR, 0, p != 0, 0);
}
static uint32_t vysim_bar_popc(uint32_t p) {
  S.t[S.cur].site = __builtin_return_address(0);
  return wait_as(T_BAR, OP_BAR_POPC, 0, p != 0, 0);
}
static uint32_t vysim_ballot(uint32_t mask, uint32_t pred) { return wait_as(T_WARP, OP_BALLOT, mask, pred & 1, 0); }
static uint32_t vysim_shfl_idx(uint32_t mask, uint32_t v, uint32_t src, uint32_t c) {
  if (c != 0x1f) sim_fail("shfl.sync.idx with a clamp other than 0x1f");
  return wait_as(T_WARP, OP_SHFL_IDX, mask, v, src);
}
static uint32_t vysim_shfl_down(uint32_t mask, uint32_t v, uint32_t off, uint32_t c) {
  if (c != 0x1f) sim_fail("shfl.sync.down with a clamp other than 0x1f");
  return wait_as(T_WARP, OP_SHFL_DOWN, mask, v, off);
}
static uint32_t vysim_redux_add(uint32_t v, uint32_t mask) { return wait_as(T_WARP, OP_REDUX, mask, v, 0); }

static float flush(float x) {
  uint32_t b;
  memcpy(&b, &x, 4);
  if ((b & 0x7F800000u) == 0) b &= 0x80000000u;
  memcpy(&x, &b, 4);
  return x;
}
/* mul.rn.ftz.f32: operands and result flushed */
static float vysim_mul_ftz(float x, float y) { return flush(flush(x) * flush(y)); }

/* ---- instructions whose GPU results differ from the host's ----
 *
 * cvt.f64.f32 of a NaN: the host keeps the payload and sets the quiet bit
 * (0x7FC00000 -> 0x7FF8000000000000); an H100 (driver 580) gave
 * 0x7FFFFFFFE0000000, the GPU's canonical f32 NaN 0x7FFFFFFF widened. */
static double vysim_cvt_f64_f32(float x) {
  if (x == x) return (double)x;
  uint64_t b = 0x7FFFFFFFE0000000ull;
  double d;
  memcpy(&d, &b, 8);
  return d;
}

/* select(x > y, x, y) and its relatives: LLVM's NVPTX instruction
 * selection turns them into max/min (maxnum/minnum) when it proves both
 * operands are not NaN, and the GPU's max.f32 / min.f32 order -0 below +0
 * where the select keeps the operand the compare did not pick. r is the
 * select's own result; two zeros of different sign give the GPU's. */
static float vysim_sel_max_f32(float r, float x, float y) { return x == 0 && y == 0 && signbit(x) != signbit(y) ? 0.0f : r; }
static float vysim_sel_min_f32(float r, float x, float y) { return x == 0 && y == 0 && signbit(x) != signbit(y) ? -0.0f : r; }
static double vysim_sel_max_f64(double r, double x, double y) { return x == 0 && y == 0 && signbit(x) != signbit(y) ? 0.0 : r; }
static double vysim_sel_min_f64(double r, double x, double y) { return x == 0 && y == 0 && signbit(x) != signbit(y) ? -0.0 : r; }

/* Releases the block's barrier when every thread waits at one. */
static bool release_barrier(void) {
  uint32_t waiting = 0, done = 0, any = 0, popc = 0;
  int op = -1;
  for (uint32_t i = 0; i < S.n; i++) {
    if (S.t[i].state == T_DONE) done++;
    if (S.t[i].state != T_BAR) continue;
    waiting++;
    if (op >= 0 && S.t[i].op != op) sim_fail("threads of a block wait at different barrier instructions");
    if (i % 32 && S.t[i - 1].state == T_BAR && S.t[i].site != S.t[i - 1].site)
      sim_fail("threads of a warp wait at different bar.sync instructions (.aligned: undefined on the GPU)");
    op = S.t[i].op;
    any |= S.t[i].a;
    popc += S.t[i].a;
  }
  if (!waiting || waiting + done < S.n) return false;
  if (done) {
    sim_fail("a thread left the kernel while others wait at a barrier");
    return false;
  }
  for (uint32_t i = 0; i < S.n; i++) {
    S.t[i].res = op == OP_BAR_OR ? any : popc;
    S.t[i].state = T_RUN;
  }
  return true;
}

/* Runs the collective of warp w when all its lanes wait at one. */
static bool release_warp(uint32_t w) {
  uint32_t first = w * 32, n = S.n - first < 32 ? S.n - first : 32;
  uint32_t mask = n == 32 ? 0xFFFFFFFFu : (1u << n) - 1;
  for (uint32_t l = 0; l < n; l++)
    if (S.t[first + l].state != T_WARP) {
      for (uint32_t j = 0; j < n; j++)
        if (S.t[first + j].state == T_WARP && S.t[first + l].state == T_DONE)
          sim_fail("a lane left the kernel while its warp waits at a collective");
      return false;
    }
  const sthread *t0 = &S.t[first];
  uint32_t ballot = 0, sum = 0;
  for (uint32_t l = 0; l < n; l++) {
    const sthread *t = &S.t[first + l];
    if (t->op != t0->op) sim_fail("lanes of a warp wait at different collectives");
    if (t->mask != mask) sim_fail("a collective's member mask is not its warp's lanes");
    ballot |= (t->a & 1) << l;
    sum += t->a;
  }
  for (uint32_t l = 0; l < n; l++) {
    sthread *t = &S.t[first + l];
    uint32_t src;
    switch (t0->op) {
    case OP_BALLOT:
      t->res = ballot;
      break;
    case OP_REDUX:
      t->res = sum;
      break;
    case OP_SHFL_IDX:
      src = t->b & 31;
      t->res = src < n ? S.t[first + src].a : 0xDEADBEEFu; /* a missing lane: undefined */
      break;
    default: /* down: lanes past 31 read their own value */
      src = l + t->b;
      t->res = src > 31 ? t->a : src < n ? S.t[first + src].a : 0xDEADBEEFu;
      break;
    }
  }
  for (uint32_t l = 0; l < n; l++) S.t[first + l].state = T_RUN;
  return true;
}

/* A fresh context for thread i at thread_main (its own function: getcontext
 * returns like setjmp, so no caller's loop variable lives across it). */
static void start_thread(uint32_t i) {
  sthread *t = &S.t[i];
  t->state = T_RUN;
  getcontext(&t->ctx);
  t->ctx.uc_stack.ss_sp = S.stacks + (size_t)i * STACK_SIZE;
  t->ctx.uc_stack.ss_size = STACK_SIZE;
  t->ctx.uc_link = &S.sched;
  makecontext(&t->ctx, thread_main, 0);
}

static void run_block(uint32_t ctaid, uint64_t wg_base) {
  S.ctaid = ctaid;
  S.wg_base = wg_base;
  for (uint32_t i = 0; i < S.n; i++) start_thread(i);
  for (;;) {
    for (uint32_t i = 0; i < S.n; i++)
      if (S.t[i].state == T_RUN) {
        S.cur = i;
        swapcontext(&S.sched, &S.t[i].ctx);
      }
    if (S.fail[0]) return;
    bool moved = false;
    for (uint32_t w = 0; w * 32 < S.n; w++) moved |= release_warp(w);
    if (!moved) moved = release_barrier();
    if (S.fail[0]) return;
    if (moved) continue;
    for (uint32_t i = 0; i < S.n; i++)
      if (S.t[i].state != T_DONE) return sim_fail("deadlock: threads wait at collectives that never complete");
    return;
  }
}

/* ---- compiling for the host ---- */

static vy_jit_host g_host;
static vy_orc *g_orc;
static const char *g_sm = "sm_80"; /* sm_75: subgroup_add as a shuffle tree instead of redux.sync */

static const struct {
  const char *intrinsic, *sym;
  const void *fn;
} sims[] = {
    {"llvm.nvvm.read.ptx.sreg.tid.x", "vysim_tid", (const void *)vysim_tid},
    {"llvm.nvvm.read.ptx.sreg.ctaid.x", "vysim_ctaid", (const void *)vysim_ctaid},
    {"llvm.nvvm.barrier0", "vysim_bar", (const void *)vysim_bar},
    {"llvm.nvvm.barrier0.or", "vysim_bar_or", (const void *)vysim_bar_or},
    {"llvm.nvvm.barrier0.popc", "vysim_bar_popc", (const void *)vysim_bar_popc},
    {"llvm.nvvm.vote.ballot.sync", "vysim_ballot", (const void *)vysim_ballot},
    {"llvm.nvvm.shfl.sync.idx.i32", "vysim_shfl_idx", (const void *)vysim_shfl_idx},
    {"llvm.nvvm.shfl.sync.down.i32", "vysim_shfl_down", (const void *)vysim_shfl_down},
    {"llvm.nvvm.redux.sync.add", "vysim_redux_add", (const void *)vysim_redux_add},
    {"llvm.nvvm.mul.rn.ftz.f", "vysim_mul_ftz", (const void *)vysim_mul_ftz},
    {NULL, "vysim_cvt_f64_f32", (const void *)vysim_cvt_f64_f32},
    {NULL, "vysim_sel_max_f32", (const void *)vysim_sel_max_f32},
    {NULL, "vysim_sel_min_f32", (const void *)vysim_sel_min_f32},
    {NULL, "vysim_sel_max_f64", (const void *)vysim_sel_max_f64},
    {NULL, "vysim_sel_min_f64", (const void *)vysim_sel_min_f64},
};

static int setup(void **state) {
  (void)state;
  vy_error err;
  if (vy_jit_host_detect(NULL, &g_host, &err) != VY_OK) fail_msg("%s", err.message);
  if (vy_orc_create(NULL, &g_host, VY_JIT_O1, &g_orc, &err) != VY_OK) fail_msg("%s", err.message);
  for (size_t i = 0; i < sizeof sims / sizeof *sims; i++)
    if (vy_orc_define_symbol(g_orc, sims[i].sym, sims[i].fn, &err) != VY_OK) fail_msg("%s", err.message);
  S.stacks = malloc((size_t)1024 * STACK_SIZE);
  return S.stacks ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  vy_orc_destroy(g_orc);
  vy_jit_host_free(&g_host);
  free(S.stacks);
  return 0;
}

/* A call of simulator function `sym` (ret (args...)) at b's position. */
static LLVMValueRef sim_call(LLVMModuleRef m, LLVMBuilderRef b, const char *sym, LLVMTypeRef ret, LLVMValueRef *args,
                             unsigned n) {
  LLVMTypeRef params[3];
  for (unsigned i = 0; i < n; i++) params[i] = LLVMTypeOf(args[i]);
  LLVMTypeRef ft = LLVMFunctionType(ret, params, n, 0);
  LLVMValueRef f = LLVMGetNamedFunction(m, sym);
  if (!f) f = LLVMAddFunction(m, sym, ft);
  return LLVMBuildCall2(b, ft, f, args, n, "");
}

/* Is select `s` (condition an fcmp of its two operands) a max (1), a min
 * (-1), or neither (0)? */
static int select_minmax(LLVMValueRef s) {
  LLVMValueRef c = LLVMGetOperand(s, 0), t = LLVMGetOperand(s, 1), f = LLVMGetOperand(s, 2);
  if (!LLVMIsAInstruction(c) || LLVMGetInstructionOpcode(c) != LLVMFCmp) return 0;
  LLVMValueRef x = LLVMGetOperand(c, 0), y = LLVMGetOperand(c, 1);
  int gt;
  switch (LLVMGetFCmpPredicate(c)) {
  case LLVMRealOGT:
  case LLVMRealOGE:
  case LLVMRealUGT:
  case LLVMRealUGE:
    gt = 1;
    break;
  case LLVMRealOLT:
  case LLVMRealOLE:
  case LLVMRealULT:
  case LLVMRealULE:
    gt = -1;
    break;
  default:
    return 0;
  }
  if (t == x && f == y) return gt;
  if (t == y && f == x) return -gt;
  return 0;
}

/* The instructions whose GPU results the host would not give (see
 * vysim_cvt_f64_f32 and vysim_sel_*) become calls of their models. */
static void model_gpu_instructions(LLVMModuleRef m) {
  LLVMContextRef c = LLVMGetModuleContext(m);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
  LLVMTypeRef f32 = LLVMFloatTypeInContext(c), f64 = LLVMDoubleTypeInContext(c);
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn; fn = LLVMGetNextFunction(fn))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef i = LLVMGetFirstInstruction(bb), next; i; i = next) {
        next = LLVMGetNextInstruction(i);
        LLVMOpcode op = LLVMGetInstructionOpcode(i);
        LLVMTypeRef t = LLVMTypeOf(i);
        if (op == LLVMFPExt && t == f64 && LLVMTypeOf(LLVMGetOperand(i, 0)) == f32) {
          LLVMPositionBuilderBefore(b, i);
          LLVMValueRef arg = LLVMGetOperand(i, 0);
          LLVMValueRef call = sim_call(m, b, "vysim_cvt_f64_f32", f64, &arg, 1);
          LLVMReplaceAllUsesWith(i, call);
          LLVMInstructionEraseFromParent(i);
        } else if (op == LLVMSelect && (t == f32 || t == f64) && select_minmax(i)) {
          const char *sym = select_minmax(i) > 0 ? (t == f32 ? "vysim_sel_max_f32" : "vysim_sel_max_f64")
                                                 : (t == f32 ? "vysim_sel_min_f32" : "vysim_sel_min_f64");
          LLVMPositionBuilder(b, bb, next); /* next is never NULL: a block ends with its terminator */
          LLVMValueRef args[3] = {LLVMGetUndef(t), LLVMGetOperand(i, 1), LLVMGetOperand(i, 2)};
          LLVMValueRef call = sim_call(m, b, sym, t, args, 3);
          LLVMReplaceAllUsesWith(i, call);
          LLVMSetOperand(call, 0, i);
        }
      }
  LLVMDisposeBuilder(b);
}

/* The NVVM intrinsics as calls of the simulator (convergent, like them),
 * and the GPU's own results of some plain instructions. */
static bool retarget(LLVMModuleRef m, char *why, size_t cap) {
  LLVMContextRef c = LLVMGetModuleContext(m);
  model_gpu_instructions(m);
  for (LLVMValueRef f = LLVMGetFirstFunction(m), next; f; f = next) {
    next = LLVMGetNextFunction(f);
    size_t len;
    const char *name = LLVMGetValueName2(f, &len);
    if (strncmp(name, "llvm.nvvm.", 10) != 0) continue;
    size_t i = 0;
    while (i < sizeof sims / sizeof *sims && !(sims[i].intrinsic && strcmp(name, sims[i].intrinsic) == 0)) i++;
    if (i == sizeof sims / sizeof *sims) {
      snprintf(why, cap, "the simulator has no %s", name);
      return false;
    }
    LLVMValueRef g = LLVMAddFunction(m, sims[i].sym, LLVMGlobalGetValueType(f));
    LLVMAddAttributeAtIndex(g, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(c, LLVMGetEnumAttributeKindForName("convergent", 10), 0));
    LLVMReplaceAllUsesWith(f, g);
    LLVMDeleteFunction(f);
  }
  LLVMSetFunctionCallConv(LLVMGetNamedFunction(m, VY_PTX_ENTRY), LLVMCCallConv);
  return true;
}

typedef struct compiled {
  vy_interp_prepared *pp;
  vy_ptx_lowered low;
  vy_orc_kernel *kern;
} compiled;

static void compiled_free(compiled *k) {
  vy_orc_kernel_remove(k->kern, NULL);
  vy_ptx_lowered_free(NULL, &k->low);
  vy_interp_prepared_destroy(k->pp);
  memset(k, 0, sizeof *k);
}

static vy_status compile_case(const vy_case *c, compiled *k, vy_error *err) {
  memset(k, 0, sizeof *k);
  vy_status st = vy_interp_prepare_ex(c->program, c->host, NULL, !c->no_validate, &k->pp, err);
  if (st != VY_OK) return st;
  vy_orc_ctx *ctx = vy_orc_ctx_create();
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext("vyre_ptx_sim", vy_orc_ctx_llvm(ctx));
  LLVMTargetMachineRef tm = NULL;
  vy_ptx_target t = {g_sm, 0, VY_JIT_O1, NULL, -1, true};
  st = vy_jit_tm_host(&g_host, VY_JIT_O1, &tm, err);
  if (st == VY_OK) st = vy_jit_module_set_target(m, tm, err);
  if (st == VY_OK) st = vy_lower_ptx(k->pp, &t, vy_orc_ctx_llvm(ctx), m, NULL, &k->low, err);
  char why[200];
  if (st == VY_OK && !retarget(m, why, sizeof why)) st = vy_error_set(err, VY_E_INTERNAL, "%s", why);
  if (st == VY_OK) st = vy_jit_optimize(m, tm, VY_JIT_O1, err);
  if (st == VY_OK) {
    st = vy_orc_add_module(g_orc, ctx, m, VY_PTX_ENTRY, &k->kern, err);
    m = NULL;
  }
  if (m) LLVMDisposeModule(m);
  if (tm) LLVMDisposeTargetMachine(tm);
  vy_orc_ctx_release(ctx);
  if (st != VY_OK) compiled_free(k);
  return st;
}

/* ---- the case backend ---- */

static vy_status sim_dispatch(const compiled *k, const vy_interp_input *inputs, size_t ninputs, vy_interp_outputs *out,
                              vy_error *err) {
  const vy_program *p = k->pp->program;
  uint32_t n = p->nbuffers;
  vy_ibuf *bufs = calloc(n ? n : 1, sizeof *bufs);
  vy_kbuf *kb = calloc(n ? n : 1, sizeof *kb);
  assert_true(bufs && kb);
  uint64_t used = 0;
  vy_igrid grid;
  vy_status st = vy_imem_bind(p, NULL, inputs, ninputs, (uint64_t)1 << 30, bufs, &used, &grid, err);
  if (st == VY_OK) st = vy_jit_grid_checks(p, grid.count, err);
  if (st == VY_OK) {
    for (uint32_t i = 0; i < n; i++)
      if (!bufs[i].workgroup) kb[i] = (vy_kbuf){bufs[i].data, bufs[i].len, bufs[i].elems};
    vy_kerr kerr;
    memset(&kerr, 0, sizeof kerr);
    S.fn = (kernel_fn)vy_orc_kernel_entry(k->kern);
    S.bufs = kb;
    S.err = &kerr;
    memcpy(S.g, grid.count, sizeof S.g);
    S.n = k->low.block_threads;
    S.fail[0] = 0;
    for (uint64_t b = 0; b < grid.total_wg && !S.fail[0]; b++) run_block((uint32_t)(b % 4), b - b % 4);
    if (S.fail[0])
      st = vy_error_set(err, VY_E_INTERNAL, "simulated GPU: %s", S.fail);
    else if (atomic_load(&kerr.claimed))
      st = vy_lower_error(k->pp, k->low.sites, k->low.nsites, &kerr, err);
    else
      st = vy_imem_collect_outputs(NULL, bufs, n, out, err);
  }
  vy_imem_free_bufs(NULL, bufs, n);
  free(bufs);
  free(kb);
  return st;
}

static vy_status sim_run(void *ud, const vy_case *c, const vy_interp_input *inputs, size_t ninputs,
                         vy_interp_outputs *out, vy_error *err) {
  (void)ud;
  memset(out, 0, sizeof *out);
  compiled k;
  vy_status st = compile_case(c, &k, err);
  if (st != VY_OK) return st;
  st = sim_dispatch(&k, inputs, ninputs, out, err);
  compiled_free(&k);
  return st;
}

static const vy_case_backend sim_backend = {"cuda (simulated)", true, 4, sim_run, NULL};

/* ---- the corpus ---- */

static void corpus(const char *sm) {
  g_sm = sm;
  char root[1024];
  vy_case_root(root, sizeof root);
  char **paths = NULL;
  long n = vy_case_find(root, &paths);
  assert_true(n > 0);
  const char *only = getenv("VY_CASES");
  int passed = 0, refused = 0, skipped = 0, deviations = 0, failed = 0;
  for (long i = 0; i < n; i++) {
    if (only && *only && !strstr(paths[i], only)) continue;
    vy_case *c = NULL;
    vy_error err;
    if (vy_case_load(paths[i], &c, &err) != VY_OK) fail_msg("%s: %s", paths[i], err.message);
    if (c->step_budget) {
      skipped++;
      vy_case_free(c);
      continue;
    }
    compiled k;
    vy_status st = compile_case(c, &k, &err);
    if (st == VY_OK) compiled_free(&k);
    if (st == VY_E_UNSUPPORTED && !(c->expect_error && c->error_code == VY_E_UNSUPPORTED)) {
      refused++;
      vy_case_free(c);
      continue;
    }
    vy_status dev;
    const char *why;
    if (vy_jit_case_deviation("ptx-sim", paths[i], &dev, &why)) {
      st = vy_jit_case_status(c, &sim_backend, &err);
      if (st != dev) {
        print_error("%s: documented deviation (%s) expects status %d, got %d: %s\n", paths[i], why, dev, st,
                    err.message);
        failed++;
      }
      deviations++;
      vy_case_free(c);
      continue;
    }
    char *report = NULL;
    if (vy_case_check(c, &sim_backend, &report)) {
      passed++;
    } else {
      print_error("%s", report ? report : "(no report)\n");
      failed++;
    }
    free(report);
    vy_case_free(c);
  }
  vy_case_paths_free(paths, n);
  print_message("ptx simulator corpus (%s): %d passed, %d documented deviations, %d refused by cuda, %d skipped (step "
                "budget), %d failed\n",
                sm, passed, deviations, refused, skipped, failed);
  assert_int_equal(failed, 0);
}

static void test_corpus(void **state) {
  (void)state;
#ifdef SIM_UNDER_ASAN
  skip();
#endif
  corpus("sm_80");
  corpus("sm_75");
  g_sm = "sm_80";
}

/* ---- generated programs ---- */

/* Seed `seed` of options `o` on the interpreter and on the simulator:
 * 1 agree, 0 refused by cuda, -1 differ (reported). */
static int diff_one(uint64_t seed, const vy_diffgen_options *o) {
  vy_diffgen_case dc;
  vy_error err, rerr, cerr;
  if (vy_diffgen_make(seed, o, NULL, &dc, &err) != VY_OK) fail_msg("seed %llu: %s", (unsigned long long)seed, err.message);
  vy_interp_input *in = calloc(dc.ninputs + 1, sizeof *in);
  assert_non_null(in);
  for (size_t i = 0; i < dc.ninputs; i++) in[i] = (vy_interp_input){dc.inputs[i].data, dc.inputs[i].len};
  vy_interp_outputs ref, got;
  memset(&got, 0, sizeof got);
  vy_status rst = vy_interp_run(dc.program, in, dc.ninputs, NULL, NULL, NULL, &ref, &rerr);
  vy_case c;
  memset(&c, 0, sizeof c);
  c.program = dc.program;
  compiled k;
  vy_status cst = compile_case(&c, &k, &cerr);
  int res = 1;
  if (cst == VY_E_UNSUPPORTED && dc.expect_error && dc.error == VY_DIFFGEN_ERR_UNSUPPORTED) {
    cst = rst; /* the generator's group of constructs a compiled backend may refuse */
  } else if (cst == VY_E_UNSUPPORTED) {
    if (getenv("VY_DIFF_VERBOSE")) print_message("refused: %s\n", cerr.message);
    res = 0;
  } else if (cst == VY_OK) {
    cst = sim_dispatch(&k, in, dc.ninputs, &got, &cerr);
    compiled_free(&k);
  }
  if (res == 1 && cst != rst) {
    print_error("%s\nreference: %s %s\nsimulated cuda: %s %s\n", dc.description, vy_status_name(rst),
                rst ? rerr.message : "", vy_status_name(cst), cst ? cerr.message : "");
    res = -1;
  }
  if (res == 1 && rst == VY_OK) {
    const vy_buffer_decl *returned[64];
    size_t nret = 0;
    for (uint32_t b = 0; b < vy_program_buffer_count(dc.program) && nret < 64; b++)
      if (vy_buffer_is_returned(vy_program_buffer(dc.program, b))) returned[nret++] = vy_program_buffer(dc.program, b);
    for (size_t i = 0; i < ref.count && res == 1; i++) {
      bool ulp = (dc.features & VY_DIFFGEN_F_TRANSCENDENTAL) && i < nret && returned[i]->element.kind == VY_TYPE_F32;
      bool same = i < got.count && got.items[i].len == ref.items[i].len &&
                  (ulp ? vy_ulp_within(got.items[i].data, ref.items[i].data, ref.items[i].len,
                                       returned[i]->has_output_range ? returned[i]->range_start : 0, 4)
                       : memcmp(got.items[i].data, ref.items[i].data, ref.items[i].len) == 0);
      if (!same) {
        size_t at = 0;
        while (i < got.count && at < ref.items[i].len && at < got.items[i].len &&
               got.items[i].data[at] == ref.items[i].data[at])
          at++;
        vy_bytes text = {0};
        vy_text_print(dc.program, NULL, &text, &err);
        print_error("%s\nsimulated cuda: output %zu differs at byte %zu\n", dc.description, i, at);
        fprintf(stderr, "%s\n", text.data ? (const char *)text.data : "");
        vy_bytes_free(&text);
        res = -1;
      }
    }
  }
  if (rst == VY_OK) vy_interp_outputs_free(&ref);
  vy_interp_outputs_free(&got);
  free(in);
  vy_diffgen_case_free(&dc);
  return res;
}

static void test_diffgen(void **state) {
  (void)state;
#ifdef SIM_UNDER_ASAN
  skip();
#endif
  unsigned seeds = vy_diff_seeds(150);
  vy_diffgen_options sets[3];
  for (int i = 0; i < 3; i++) {
    vy_diffgen_options_default(&sets[i]);
    sets[i].allow_async = false; /* refused by cuda: keep the budget for what runs */
  }
  sets[1].allow_runtime_errors = true;
  sets[2].allow_transcendentals = true;
  int agree = 0, refused = 0, differ = 0;
  for (int s = 0; s < 3; s++)
    for (unsigned i = 0; i < seeds; i++) {
      int r = diff_one(1000u * (unsigned)s + i + 1, &sets[s]);
      agree += r == 1;
      refused += r == 0;
      differ += r < 0;
    }
  print_message("ptx simulator diffgen: %d agree, %d refused by cuda, %d differ\n", agree, refused, differ);
  assert_int_equal(differ, 0);
}

/* VY_DIFF_REPLAY=FILE: the case of one fuzz input (a fuzz_jit finding of
 * VY_FUZZ_BACKEND=cuda), on the simulator. */
static void test_replay(void **state) {
  (void)state;
#ifdef SIM_UNDER_ASAN
  skip();
#endif
  uint64_t seed;
  vy_diffgen_options o;
  if (!vy_diff_replay(&seed, &o)) skip();
  assert_int_not_equal(diff_one(seed, &o), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_corpus),
      cmocka_unit_test(test_diffgen),
  };
  const struct CMUnitTest replay[] = {cmocka_unit_test(test_replay)};
  const char *r = getenv("VY_DIFF_REPLAY");
  if (r && *r) return cmocka_run_group_tests(replay, setup, teardown); /* the replayed case alone */
  return cmocka_run_group_tests(tests, setup, teardown);
}
