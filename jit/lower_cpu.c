/* lower_cpu.c - the CPU flavour of the lowering: the kernel function that
 * runs a range of workgroups (cpu_dispatch_int.h has its ABI), barrier
 * regions as loops over the local invocations, context arrays for values
 * that live across regions, the returned-invocation mask, uniform Ifs and
 * Loops around barriers, and subgroup operations.
 *
 * Shape of the code for one workgroup (DESIGN.md §6, llvm-notes.md §4.1):
 *
 *   for wg in [begin, end):            stop flag checked first
 *     zero workgroup memory, the mask and the barrier-If records
 *     <statement list of the entry, at workgroup level>
 *
 * A statement is *workgroup-level* when it is a Barrier, contains one, or
 * has a subgroup operation in its own expressions (or contains such a
 * statement). Every maximal run of other statements becomes a region: a
 * counted loop over the local invocations (z, y, x; x innermost, i64
 * induction, llvm.loop.parallel_accesses with every memory access in its
 * access group, so LLVM vectorizes across invocations). Workgroup-level
 * Ifs evaluate their condition for every live invocation in a region of
 * their own, check it like the reference (records that are never cleared,
 * §4.6) and branch once for the workgroup; workgroup-level Loops evaluate
 * their bounds for every live invocation, require them to agree (the
 * reference has no rule here: llvm-cpu reports VY_E_UNSUPPORTED when they
 * differ) and run once for the workgroup with a uniform loop variable.
 *
 * A variable lives in a context array (one slot per invocation in scratch)
 * when it is used in another region than the one that bound it, else in an
 * alloca that LLVM promotes to registers. A pre-pass resolves every name
 * lexically (shadowing is a runtime error, so a name has one live binding)
 * and finds those variables.
 *
 * Subgroup operations (width 32): before the statement, one region
 * evaluates the operand for every lane (returned ones included, like the
 * reference's snapshots) into an array, a second one combines the lanes of
 * each subgroup; the statement then reads the result of its lane. This is
 * the reference's result when the lanes run in lockstep; in a subgroup If
 * whose condition differs across the workgroup llvm-cpu reports
 * VY_E_UNSUPPORTED instead.
 *
 * Fast path: a region whose loads, stores and `id < buf_len(b)` tests use
 * an invocation id as index is emitted twice; the first copy runs when, for
 * this workgroup, every such id is below the buffer's length, and leaves
 * those accesses unchecked (no masked loads); the second is fully checked.
 */
#include <string.h>

#include <llvm-c/DebugInfo.h>
#include <llvm-c/IRReader.h>

#include "cpu_dispatch_int.h"
#include "error_int.h"
#include "lower_cpu_int.h"
#include "program_int.h"

static const vy_jv never = {{VY_JK_NEVER, 0}, NULL};
static LLVMValueRef c32(vy_lw *w, uint32_t x) { return LLVMConstInt(w->t_i32, x, 0); }
static LLVMValueRef c64(vy_lw *w, uint64_t x) { return LLVMConstInt(w->t_i64, x, 0); }

/* ---- scratch arrays ---- */

static uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

/* A new per-invocation array of kind t; returns its number. */
uint32_t vy_cpu_new_array(cpu *k, vy_jt t) {
  if (k->narrs == k->caparrs) {
    uint32_t ncap = k->caparrs ? k->caparrs * 2 : 16;
    carr *a = vy_arena_array(&k->w.arena, ncap, sizeof *a);
    if (!a) return vy_lw_nomem(&k->w), 0;
    if (k->narrs) memcpy(a, k->arrs, k->narrs * sizeof *a);
    k->arrs = a;
    k->caparrs = ncap;
  }
  uint32_t sz = vy_lw_type_size(t);
  k->size = align_up(k->size, ALIGN);
  k->arrs[k->narrs] = (carr){k->size, t};
  k->size += (uint64_t)k->per_wg * (sz ? sz : 1);
  return k->narrs++;
}

/* Address of lane `lane` (i64) of array a. */
LLVMValueRef vy_cpu_array_addr(cpu *k, uint32_t a, LLVMValueRef lane) {
  vy_lw *w = &k->w;
  uint32_t sz = vy_lw_type_size(k->arrs[a].t);
  LLVMValueRef off = LLVMBuildAdd(w->b, c64(w, k->arrs[a].off - k->arr_base),
                                  LLVMBuildMul(w->b, lane, c64(w, sz ? sz : 1), ""), "");
  return LLVMBuildGEP2(w->b, w->t_i8, k->arrays, &off, 1, "slot");
}

static void tag(cpu *k, LLVMValueRef inst) {
  if (k->in_region && k->group) LLVMSetMetadata(inst, k->kind_group, LLVMMetadataAsValue(k->w.c, k->group));
}

LLVMValueRef vy_cpu_array_load(cpu *k, uint32_t a, LLVMValueRef lane) {
  vy_lw *w = &k->w;
  vy_jt t = k->arrs[a].t;
  LLVMValueRef v = LLVMBuildLoad2(w->b, vy_lw_mem_type(w, t), vy_cpu_array_addr(k, a, lane), "");
  tag(k, v);
  if (t.k == VY_JK_BOOL) return LLVMBuildTrunc(w->b, v, w->t_i1, "");
  if (t.k == VY_JK_BYTES) return vy_lw_resize(w, v, 16, t.n);
  return v;
}

void vy_cpu_array_store(cpu *k, uint32_t a, LLVMValueRef lane, LLVMValueRef v) {
  vy_lw *w = &k->w;
  vy_jt t = k->arrs[a].t;
  if (t.k == VY_JK_BOOL) v = LLVMBuildZExt(w->b, v, vy_lw_mem_type(w, t), "");
  if (t.k == VY_JK_BYTES) v = vy_lw_resize(w, v, t.n, 16);
  tag(k, LLVMBuildStore(w->b, v, vy_cpu_array_addr(k, a, lane)));
}

/* ---- hooks ---- */

static LLVMValueRef h_id(vy_lw *w, vy_expr_kind kind, unsigned axis) {
  cpu *k = C(w);
  if (kind == VY_EXPR_WORKGROUP_ID) return k->wid[axis];
  if (!k->in_region) return c32(w, 0); /* not reached: ids are read in regions */
  return kind == VY_EXPR_LOCAL_ID ? k->lid[axis] : k->gid[axis];
}

static LLVMValueRef h_id64(vy_lw *w, int id) {
  cpu *k = C(w);
  unsigned axis = (unsigned)id & 3;
  if (k->in_region) return id < 4 ? k->gid64[axis] : k->lid64[axis];
  return LLVMBuildZExt(w->b, h_id(w, id < 4 ? VY_EXPR_INVOCATION_ID : VY_EXPR_LOCAL_ID, axis), w->t_i64, "");
}

static void h_buffer(vy_lw *w, uint32_t b, LLVMValueRef *data, LLVMValueRef *bytes, LLVMValueRef *elems) {
  cpu *k = C(w);
  *data = k->data[b];
  *bytes = k->bytes[b];
  *elems = k->elems[b];
}

static void h_raise(vy_lw *w, uint32_t site, bool has_inv, vy_jv a, vy_jv b) {
  cpu *k = C(w);
  bool inv = has_inv && k->in_region;
  LLVMValueRef aw[2], bw[2];
  vy_lw_operand_words(w, a, aw);
  vy_lw_operand_words(w, b, bw);
  LLVMValueRef args[10] = {k->err,
                           c32(w, site),
                           c32(w, inv),
                           inv ? k->gid[0] : c32(w, 0),
                           inv ? k->gid[1] : c32(w, 0),
                           inv ? k->gid[2] : c32(w, 0),
                           aw[0],
                           aw[1],
                           bw[0],
                           bw[1]};
  LLVMTypeRef pt[10] = {w->t_ptr, w->t_i32, w->t_i32, w->t_i32, w->t_i32,
                        w->t_i32, w->t_i64, w->t_i64, w->t_i64, w->t_i64};
  LLVMTypeRef ft = LLVMFunctionType(w->t_void, pt, 10, 0);
  LLVMValueRef f = LLVMGetNamedFunction(w->m, VY_CPU_RAISE_SYMBOL);
  if (!f) {
    f = LLVMAddFunction(w->m, VY_CPU_RAISE_SYMBOL, ft);
    const char *cold = "cold";
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(w->c, LLVMGetEnumAttributeKindForName(cold, 4), 0));
  }
  LLVMBuildCall2(w->b, ft, f, args, 10, "");
  LLVMBuildBr(w->b, k->exit);
}

static void h_ret(vy_lw *w) {
  cpu *k = C(w);
  if (k->need_done) {
    LLVMValueRef off = LLVMBuildAdd(w->b, c64(w, k->done_off), LLVMBuildMul(w->b, k->lin, c64(w, 4), ""), "");
    tag(k, LLVMBuildStore(w->b, c32(w, 1), LLVMBuildGEP2(w->b, w->t_i8, k->scratch, &off, 1, "")));
  }
  LLVMBuildBr(w->b, k->inv_end);
}

static vy_home h_home(vy_lw *w, const vy_cn *n, bool *assigned, bool *uniform) {
  cinfo *ci = info_of(C(w), n);
  *assigned = ci ? ci->assigned : true;
  *uniform = ci && ci->uniform_let;
  /* an unassigned copy of an invocation id is recomputed in every region (vy_lw_read) */
  if (ci && ci->ctx && !ci->assigned && n->kind == VY_NODE_LET && vy_lw_id_of(w, n->e0) >= 0) return VY_HOME_LOCAL;
  return ci && ci->ctx ? VY_HOME_CTX : VY_HOME_LOCAL;
}

static void h_ctx_new(vy_lw *w, vy_jbind *bd) {
  cpu *k = C(w);
  uintptr_t a = (uintptr_t)vy_pmap_get(&k->ctxof, bd->node);
  if (a && (k->arrs[a - 1].t.k != bd->t.k || k->arrs[a - 1].t.n != bd->t.n)) a = 0; /* not expected */
  if (!a) {
    a = (uintptr_t)vy_cpu_new_array(k, bd->t) + 1;
    if (!vy_lw_ok(w) || !vy_pmap_put(w, &k->ctxof, bd->node, (void *)a)) return;
  }
  bd->ctx = (uint32_t)(a - 1);
}

static LLVMValueRef h_ctx_addr(vy_lw *w, const vy_jbind *bd) { return vy_cpu_array_addr(C(w), bd->ctx, C(w)->lin); }

static vy_jv h_subgroup(vy_lw *w, const vy_cx *x) {
  cpu *k = C(w);
  sgres *r = vy_pmap_get(&k->sgmap, x);
  if (!r || !k->in_region) {
    vy_lw_unsupported(w, w->cur, "a subgroup operation in this position");
    return never;
  }
  if (r->t.k == VY_JK_NEVER) return never;
  return (vy_jv){r->t, vy_cpu_array_load(k, r->arr, k->lin)};
}

static void h_mem(vy_lw *w, LLVMValueRef inst) { tag(C(w), inst); }

static uint32_t priv_copies(cpu *k, uint32_t b);

static LLVMValueRef h_atomic_private(vy_lw *w, const vy_cx *x) {
  cpu *k = C(w);
  privbuf *pb = &k->priv[x->ref];
  if (!pb->used) return NULL;
  uint32_t count = w->p->buffers[x->ref].count;
  if (priv_copies(k, x->ref) == 1 || !k->in_region) return pb->ptr;
  /* neighbouring invocations update different copies (priv_copies) */
  LLVMValueRef off = LLVMBuildMul(w->b, LLVMBuildAnd(w->b, k->lin, c64(w, PRIV_COPIES - 1), ""),
                                  c64(w, (uint64_t)count * 4), "");
  return LLVMBuildGEP2(w->b, w->t_i8, pb->ptr, &off, 1, "privc");
}

static LLVMValueRef h_host_fn(vy_lw *w, uint32_t i) {
  LLVMValueRef idx = c64(w, i);
  LLVMValueRef p = LLVMBuildGEP2(w->b, w->t_ptr, C(w)->host, &idx, 1, "");
  return LLVMBuildLoad2(w->b, w->t_ptr, p, "hostfn");
}

/* Calls runtime helper `name` (declared on first use) returning i32 or void. */
static LLVMValueRef call_rt(vy_lw *w, const char *name, LLVMTypeRef ret, LLVMTypeRef *pt, LLVMValueRef *args,
                            unsigned n) {
  LLVMTypeRef ft = LLVMFunctionType(ret, pt, n, 0);
  LLVMValueRef f = LLVMGetNamedFunction(w->m, name);
  if (!f) f = LLVMAddFunction(w->m, name, ft);
  return LLVMBuildCall2(w->b, ft, f, args, n, "");
}

/* The async slot of tag `tag` for the current invocation. */
static LLVMValueRef async_slot(cpu *k, uint32_t tag) {
  vy_lw *w = &k->w;
  LLVMValueRef i = LLVMBuildAdd(w->b, LLVMBuildMul(w->b, k->lin, c64(w, w->pp->ntags), ""), c64(w, tag), "");
  LLVMValueRef off =
      LLVMBuildAdd(w->b, c64(w, k->async_off), LLVMBuildMul(w->b, i, c64(w, sizeof(vy_async_slot)), ""), "");
  return LLVMBuildGEP2(w->b, w->t_i8, k->scratch, &off, 1, "async");
}

/* Raises `site` (kind set by the caller) when r == code. */
static void check_code(vy_lw *w, LLVMValueRef r, uint32_t code, vy_site_kind kind, uint32_t aux) {
  uint32_t site = vy_lw_site(w, kind, NULL);
  if (!site) return;
  w->sites[site].aux = aux;
  vy_lw_check(w, LLVMBuildICmp(w->b, LLVMIntEQ, r, c32(w, code), ""), site, never, never);
}

static void h_async_begin(vy_lw *w, const vy_cn *n, LLVMValueRef offset, LLVMValueRef size) {
  cpu *k = C(w);
  bool load = n->kind == VY_NODE_ASYNC_LOAD;
  LLVMValueRef zero = c64(w, 0);
  LLVMValueRef args[9] = {k->rt,
                          async_slot(k, n->tag),
                          k->data[n->buf],
                          k->bytes[n->buf],
                          load ? offset : zero,
                          k->data[n->buf2],
                          k->bytes[n->buf2],
                          load ? zero : offset,
                          size};
  LLVMTypeRef pt[9] = {w->t_ptr, w->t_ptr, w->t_ptr, w->t_i64, w->t_i64, w->t_ptr, w->t_i64, w->t_i64, w->t_i64};
  LLVMValueRef r = call_rt(w, VY_CPU_ASYNC_BEGIN_SYMBOL, w->t_i32, pt, args, 9);
  check_code(w, r, 1, VY_SITE_ASYNC_TWICE, n->tag);
  check_code(w, r, 2, VY_SITE_NOMEM, 0);
}

static void h_async_wait(vy_lw *w, const vy_cn *n) {
  cpu *k = C(w);
  LLVMValueRef slot = async_slot(k, n->tag);
  LLVMValueRef r = call_rt(w, VY_CPU_ASYNC_WAIT_SYMBOL, w->t_i32, &w->t_ptr, &slot, 1);
  check_code(w, r, 1, VY_SITE_ASYNC_NONE, n->tag);
}

/* End of a workgroup: a transfer still pending in any invocation is the
 * reference's error, reported for the first (lane, tag) in lane order. */
static void async_end(cpu *k) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  LLVMValueRef base = LLVMBuildGEP2(B, w->t_i8, k->scratch, (LLVMValueRef[]){c64(w, k->async_off)}, 1, "");
  LLVMValueRef args[2] = {base, c32(w, k->nslots_async)};
  LLVMTypeRef pt[2] = {w->t_ptr, w->t_i32};
  LLVMValueRef r = call_rt(w, VY_CPU_ASYNC_PENDING_SYMBOL, w->t_i32, pt, args, 2);
  LLVMBasicBlockRef fail = vy_lw_block(w, "pending"), ok = vy_lw_block(w, "no.pending");
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, r, c32(w, 0), ""), fail, ok);
  LLVMPositionBuilderAtEnd(B, fail);
  w->cur = NULL;
  uint32_t site = vy_lw_site(w, VY_SITE_ASYNC_PENDING, NULL);
  if (site) w->sites[site].ta = (vy_jt){VY_JK_U32, 0};
  LLVMValueRef idx = LLVMBuildSub(B, r, c32(w, 1), "");
  LLVMValueRef lane = LLVMBuildUDiv(B, idx, c32(w, w->pp->ntags), ""),
               tag = LLVMBuildURem(B, idx, c32(w, w->pp->ntags), "");
  LLVMValueRef l[3] = {LLVMBuildURem(B, lane, c32(w, w->wg[0]), ""),
                       LLVMBuildURem(B, LLVMBuildUDiv(B, lane, c32(w, w->wg[0]), ""), c32(w, w->wg[1]), ""),
                       LLVMBuildUDiv(B, lane, c32(w, w->wg[0] * w->wg[1]), "")};
  bool saved = k->in_region;
  for (int a = 0; a < 3; a++) k->gid[a] = LLVMBuildAdd(B, LLVMBuildMul(B, k->wid[a], c32(w, w->wg[a]), ""), l[a], "");
  k->in_region = true; /* the raise names this invocation */
  h_raise(w, site, true, (vy_jv){{VY_JK_U32, 0}, tag}, never);
  k->in_region = saved;
  LLVMPositionBuilderAtEnd(B, ok);
}

/* Leaves the kernel when the dispatch's stop flag is set (a timeout, or an
 * error raised by another thread): vy_kerr.stop is the first field. */
static void h_poll(vy_lw *w) {
  cpu *k = C(w);
  LLVMValueRef stop = LLVMBuildLoad2(w->b, w->t_i32, k->err, "stop");
  LLVMSetOrdering(stop, LLVMAtomicOrderingMonotonic);
  LLVMSetAlignment(stop, 4);
  LLVMBasicBlockRef go = vy_lw_block(w, "poll.ok");
  LLVMBuildCondBr(w->b, LLVMBuildICmp(w->b, LLVMIntNE, stop, c32(w, 0), ""), k->exit, go);
  LLVMPositionBuilderAtEnd(w->b, go);
}

/* Literal Loops of at most this many iterations inside an invocation are
 * unrolled completely before LLVM's vectorizer runs (which only vectorizes
 * innermost loops: left rolled, such a Loop keeps the invocation loop
 * around it scalar). */
#define UNROLL_MAX_TRIPS 32u

static void h_latch(vy_lw *w, const vy_cn *n, LLVMValueRef br) {
  cpu *k = C(w);
  if (!k->in_region || n->e0->kind != VY_EXPR_LIT_U32 || n->e1->kind != VY_EXPR_LIT_U32) return;
  uint32_t from = n->e0->lit.v.u32, to = n->e1->lit.v.u32;
  if (to <= from || to - from > UNROLL_MAX_TRIPS) return;
  LLVMContextRef c = w->c;
  LLVMMetadataRef full = LLVMMDStringInContext2(c, "llvm.loop.unroll.full", 21);
  LLVMMetadataRef prop = LLVMMDNodeInContext2(c, &full, 1);
  LLVMMetadataRef temp = LLVMTemporaryMDNode(c, NULL, 0);
  LLVMMetadataRef ops[2] = {temp, prop};
  LLVMMetadataRef id = LLVMMDNodeInContext2(c, ops, 2);
  LLVMMetadataReplaceAllUsesWith(temp, id);
  LLVMSetMetadata(br, k->kind_loop, LLVMMetadataAsValue(c, id));
}

static const vy_lw_hooks cpu_hooks = {
    h_id,       h_id64,     h_buffer, h_raise,          h_ret,     h_home,        h_ctx_new,
    h_ctx_addr, h_subgroup, h_mem,    h_atomic_private, h_host_fn, h_async_begin, h_async_wait,
    h_poll,     h_latch};

/* ---- metadata ---- */

/* A distinct empty node (an access group). The C API cannot create
 * distinct nodes, so a two-line module is parsed in the job's context; it
 * stays alive until the lowering ends. */
static bool make_group(cpu *k) {
  static const char ir[] = "@vy.md = external global i8, !vy.group !0\n!0 = distinct !{}\n";
  LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(ir, sizeof ir - 1, "vyre-md");
  char *msg = NULL;
  if (LLVMParseIRInContext(k->w.c, buf, &k->md_module, &msg)) { /* consumes buf */
    LLVMDisposeMessage(msg);
    k->md_module = NULL;
    return true; /* no access group: regions are simply not annotated */
  }
  size_t n = 0;
  LLVMValueMetadataEntry *e = LLVMGlobalCopyAllMetadata(LLVMGetNamedGlobal(k->md_module, "vy.md"), &n);
  if (n) k->group = LLVMValueMetadataEntriesGetMetadata(e, 0);
  LLVMDisposeValueMetadataEntries(e);
  return true;
}

/* Invocation loops of at most this many iterations are kept rolled until
 * the vectorizer runs: fully unrolled before it (LLVM's full unroll runs
 * first), a short loop along local x would be vectorized along the next
 * axis instead, with gathers. */
#define ROLLED_MAX_TRIPS 64u

/* Attaches a fresh loop id `!L = !{!L, !{"llvm.loop.parallel_accesses",
 * group}}` to the latch branch of an invocation loop of `trips`
 * iterations (short ones also get "llvm.loop.unroll.disable" and, since
 * the vectorizer reads that as "do not interleave", an interleave count of
 * 2), or `!{!L, !{"llvm.loop.vectorize.enable", i1 false}}` when
 * vectorization must stay off. */
static void mark_parallel(cpu *k, LLVMValueRef br, bool vectorize, uint32_t trips) {
  LLVMContextRef c = k->w.c;
  LLVMMetadataRef prop, noun = NULL, ilv = NULL;
  if (!vectorize) {
    LLVMMetadataRef off[2] = {LLVMMDStringInContext2(c, "llvm.loop.vectorize.enable", 26),
                              LLVMValueAsMetadata(LLVMConstInt(k->w.t_i1, 0, 0))};
    prop = LLVMMDNodeInContext2(c, off, 2);
  } else if (k->group) {
    LLVMMetadataRef pa[2] = {LLVMMDStringInContext2(c, "llvm.loop.parallel_accesses", 27), k->group};
    prop = LLVMMDNodeInContext2(c, pa, 2);
    if (trips <= ROLLED_MAX_TRIPS) {
      LLVMMetadataRef un = LLVMMDStringInContext2(c, "llvm.loop.unroll.disable", 24);
      noun = LLVMMDNodeInContext2(c, &un, 1);
      LLVMMetadataRef ic[2] = {LLVMMDStringInContext2(c, "llvm.loop.interleave.count", 26),
                               LLVMValueAsMetadata(LLVMConstInt(k->w.t_i32, 2, 0))};
      ilv = LLVMMDNodeInContext2(c, ic, 2);
    }
  } else {
    return;
  }
  LLVMMetadataRef temp = LLVMTemporaryMDNode(c, NULL, 0);
  LLVMMetadataRef ops[4] = {temp, prop, noun, ilv};
  LLVMMetadataRef id = LLVMMDNodeInContext2(c, ops, noun ? 4 : 2);
  LLVMMetadataReplaceAllUsesWith(temp, id);
  LLVMSetMetadata(br, k->kind_loop, LLVMMetadataAsValue(c, id));
}

/* ---- regions ---- */

/* Emits the loop over the local invocations (all of them when all_lanes,
 * else skipping returned ones) around body(k, ud). */
void vy_cpu_invocation_loop(cpu *k, bool all_lanes, region_body body, void *ud) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  LLVMValueRef idx[3] = {c64(w, 0), c64(w, 0), c64(w, 0)}, phis[3] = {NULL, NULL, NULL};
  LLVMBasicBlockRef heads[3] = {NULL, NULL, NULL}, pres[3] = {NULL, NULL, NULL};
  for (int a = 2; a >= 0; a--) {
    if (w->wg[a] <= 1) continue;
    pres[a] = LLVMGetInsertBlock(B);
    heads[a] = vy_lw_block(w, a == 0 ? "inv.x" : a == 1 ? "inv.y" : "inv.z");
    LLVMBuildBr(B, heads[a]);
    LLVMPositionBuilderAtEnd(B, heads[a]);
    idx[a] = phis[a] = LLVMBuildPhi(B, w->t_i64, "l");
  }
  /* linear local index and ids */
  k->lin = LLVMBuildAdd(
      B, idx[0],
      LLVMBuildMul(B, c64(w, w->wg[0]), LLVMBuildAdd(B, idx[1], LLVMBuildMul(B, c64(w, w->wg[1]), idx[2], ""), ""), ""),
      "lin");
  for (int a = 0; a < 3; a++) {
    k->lid[a] = LLVMBuildTrunc(B, idx[a], w->t_i32, "lid");
    /* no wrap: the dispatch checks that every global id fits u32 */
    k->gid[a] = LLVMBuildNUWAdd(B, LLVMBuildNUWMul(B, k->wid[a], c32(w, w->wg[a]), ""), k->lid[a], "gid");
    k->gid64[a] = LLVMBuildNUWAdd(
        B, LLVMBuildNUWMul(B, LLVMBuildZExt(B, k->wid[a], w->t_i64, ""), c64(w, w->wg[a]), ""), idx[a], "gid64");
    k->lid64[a] = idx[a];
  }
  LLVMBasicBlockRef saved_end = k->inv_end;
  bool saved_in = k->in_region;
  k->inv_end = vy_lw_block(w, "inv.end");
  k->in_region = true;
  LLVMValueRef skip = NULL; /* returned, or masked off by an enclosing divergent If */
  if (k->need_done && !all_lanes) {
    LLVMValueRef off = LLVMBuildAdd(B, c64(w, k->done_off), LLVMBuildMul(B, k->lin, c64(w, 4), ""), "");
    LLVMValueRef d = LLVMBuildLoad2(B, w->t_i32, LLVMBuildGEP2(B, w->t_i8, k->scratch, &off, 1, ""), "done");
    tag(k, d);
    skip = LLVMBuildICmp(B, LLVMIntNE, d, c32(w, 0), "");
  }
  if (k->mask >= 0 && !all_lanes) {
    LLVMValueRef m =
        LLVMBuildICmp(B, LLVMIntEQ, vy_cpu_array_load(k, (uint32_t)k->mask, k->lin), LLVMConstInt(w->t_i1, 0, 0), "");
    skip = skip ? LLVMBuildOr(B, skip, m, "") : m;
  }
  if (skip) {
    LLVMBasicBlockRef run = vy_lw_block(w, "inv.run");
    LLVMBuildCondBr(B, skip, k->inv_end, run);
    LLVMPositionBuilderAtEnd(B, run);
  }
  bool saved_nv = w->no_vectorize;
  w->no_vectorize = false;
  body(k, ud);
  bool vectorize = !w->no_vectorize && !k->scalar_region;
  w->no_vectorize |= saved_nv;
  LLVMBuildBr(B, k->inv_end);
  LLVMPositionBuilderAtEnd(B, k->inv_end);
  for (int a = 0; a < 3; a++) {
    if (!phis[a]) continue;
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(B), done = vy_lw_block(w, "inv.done");
    LLVMValueRef next = LLVMBuildNUWAdd(B, phis[a], c64(w, 1), "");
    LLVMValueRef br = LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, next, c64(w, w->wg[a]), ""), heads[a], done);
    mark_parallel(k, br, vectorize, w->wg[a]);
    LLVMValueRef vals[2] = {c64(w, 0), next};
    LLVMBasicBlockRef blocks[2] = {pres[a], latch};
    LLVMAddIncoming(phis[a], vals, blocks, 2);
    LLVMPositionBuilderAtEnd(B, done);
  }
  k->inv_end = saved_end;
  k->in_region = saved_in;
}

typedef struct run_args {
  const vy_cl *l;
  uint32_t first, last;
} run_args;

static void run_body(cpu *k, void *ud) {
  run_args *r = ud;
  vy_lw_stmts(&k->w, r->l, r->first, r->last);
}

/* The fast-path scan: the access patterns (buffer, invocation id, shared
 * offset) of a region's loads, stores and `id < len(b)` tests. Names bound
 * inside the region are followed to their invocation ids; shared offsets
 * may only use names live before the region (their value is needed to
 * check the range before the region runs). */
typedef struct fscan {
  int8_t *id_of;            /* slot -> invocation id code, -1 none */
  const vy_cx **def_of;     /* slot -> expression of an unassigned Let, NULL none */
  vy_fastacc *acc;
  uint32_t n, cap;
} fscan;

static int scan_id(fscan *f, const vy_cx *x) {
  if (x->kind == VY_EXPR_INVOCATION_ID) return x->axis <= 2 ? x->axis : -1;
  if (x->kind == VY_EXPR_LOCAL_ID) return x->axis <= 2 ? 4 + x->axis : -1;
  if (x->kind == VY_EXPR_VAR) return f->id_of[x->ref];
  return -1;
}

static void scan_add(cpu *k, fscan *f, vy_fastacc p) {
  for (uint32_t i = 0; i < f->n; i++) {
    const vy_fastacc *a = &f->acc[i];
    if (a->buf == p.buf && a->id == p.id && a->u == p.u && a->neg == p.neg && a->clamp == p.clamp) return;
  }
  if (f->n == f->cap) {
    uint32_t ncap = f->cap ? f->cap * 2 : 16;
    vy_fastacc *a = vy_arena_array(&k->w.arena, ncap, sizeof *a);
    if (!a) {
      vy_lw_nomem(&k->w);
      return;
    }
    if (f->n) memcpy(a, f->acc, f->n * sizeof *a);
    f->acc = a;
    f->cap = ncap;
  }
  f->acc[f->n++] = p;
}

static int scan_id_cb(void *ud, const vy_cx *x) { return scan_id(ud, x); }

static const vy_cx *scan_def_cb(void *ud, const vy_cx *x) {
  fscan *f = ud;
  return x->kind == VY_EXPR_VAR ? f->def_of[x->ref] : NULL;
}

static void scan_index(cpu *k, fscan *f, uint32_t b, const vy_cx *x) {
  vy_fastacc p;
  vy_ixnames nm = {scan_id_cb, scan_def_cb, f};
  if (!vy_lw_index_pattern(&k->w, x, &nm, &p)) return;
  p.buf = b;
  scan_add(k, f, p);
}

static void scan_expr(cpu *k, fscan *f, const vy_cx *x) {
  if (!x || is_subgroup_kind(x->kind)) return;
  if ((x->kind == VY_EXPR_LOAD || x->kind == VY_EXPR_ATOMIC) && x->ref != VY_IX_NONE && x->ref < k->w.pp->nbufs)
    scan_index(k, f, x->ref, x->a);
  if (x->kind == VY_EXPR_BIN_OP && (x->op == VY_BINOP_LT || x->op == VY_BINOP_GT)) {
    const vy_cx *id = x->op == VY_BINOP_LT ? x->a : x->b, *len = x->op == VY_BINOP_LT ? x->b : x->a;
    if (len->kind == VY_EXPR_BUF_LEN && len->ref != VY_IX_NONE) scan_index(k, f, len->ref, id);
  }
  scan_expr(k, f, x->a);
  scan_expr(k, f, x->b);
  scan_expr(k, f, x->c);
  for (uint32_t i = 0; i < x->argc; i++) scan_expr(k, f, x->args[i]);
}

static void scan_stmt(cpu *k, fscan *f, const vy_cn *n) {
  scan_expr(k, f, n->e0);
  scan_expr(k, f, n->e1);
  scan_expr(k, f, n->e2);
  switch (n->kind) {
  case VY_NODE_LET: {
    cinfo *ci = info_of(k, n);
    f->id_of[n->slot] = (int8_t)(ci && !ci->assigned ? scan_id(f, n->e0) : -1);
    f->def_of[n->slot] = ci && !ci->assigned ? n->e0 : NULL;
    break;
  }
  case VY_NODE_STORE:
    if (n->buf != VY_IX_NONE) scan_index(k, f, n->buf, n->e0);
    break;
  case VY_NODE_IF:
    for (uint32_t i = 0; i < n->body2.count; i++) scan_stmt(k, f, &n->body2.items[i]);
    /* fallthrough */
  case VY_NODE_LOOP:
  case VY_NODE_BLOCK:
  case VY_NODE_REGION:
    for (uint32_t i = 0; i < n->body.count; i++) scan_stmt(k, f, &n->body.items[i]);
    break;
  default:
    break;
  }
}

/* Emits a run of invocation-level statements as one region (two copies
 * when a fast path applies). */
static void emit_region(cpu *k, const vy_cl *l, uint32_t first, uint32_t last) {
  vy_lw *w = &k->w;
  run_args ra = {l, first, last};
  uint32_t nslots = w->pp->nslots, nbufs = w->pp->nbufs;
  fscan f = {vy_arena_array(&w->arena, nslots ? nslots : 1, 1),
             vy_arena_array(&w->arena, nslots ? nslots : 1, sizeof *f.def_of), NULL, 0, 0};
  vy_jbind **saved = vy_arena_array(&w->arena, nslots ? nslots : 1, sizeof *saved);
  if (!f.id_of || !f.def_of || !saved) {
    vy_lw_nomem(w);
    return;
  }
  (void)nbufs;
  for (uint32_t s = 0; s < nslots; s++) {
    f.id_of[s] = (int8_t)(w->live[s] ? w->live[s]->id : -1);
    f.def_of[s] = w->live[s] ? w->live[s]->def : NULL;
  }
  for (uint32_t i = first; i < last; i++) scan_stmt(k, &f, &l->items[i]);
  /* every pattern's index range over the workgroup, id + u for id from
   * wid * size to (wid + 1) * size - 1 (0 to size - 1 for a local id):
   * below the length, no wrap below 0 for id - u, at most the clamp */
  LLVMValueRef ok = NULL;
  for (uint32_t i = 0; i < f.n && vy_lw_ok(w); i++) {
    const vy_fastacc *fa = &f.acc[i];
    unsigned a = (unsigned)fa->id & 3;
    LLVMBuilderRef B = w->b;
    if (fa->masked) { /* e & mask: at most mask */
      LLVMValueRef c = LLVMBuildICmp(B, LLVMIntULT, c64(w, fa->mask), k->elems[fa->buf], "cover");
      ok = ok ? LLVMBuildAnd(B, ok, c, "") : c;
      continue;
    }
    LLVMValueRef lo = c64(w, 0), hi = c64(w, w->wg[a]), c = NULL;
    if (fa->id < 4) {
      lo = LLVMBuildMul(B, LLVMBuildZExt(B, k->wid[a], w->t_i64, ""), c64(w, w->wg[a]), "");
      hi = LLVMBuildAdd(B, lo, c64(w, w->wg[a]), "");
    }
    if (fa->m) { /* id * m + u: its largest value (ids < 2^32, m and u < 2^32: no i64 wrap) in range and below 2^32 */
      LLVMValueRef m = LLVMBuildZExt(B, vy_lw_expr(w, fa->m).v, w->t_i64, "");
      LLVMValueRef top = LLVMBuildMul(B, LLVMBuildSub(B, hi, c64(w, 1), ""), m, "");
      if (fa->u) top = LLVMBuildAdd(B, top, LLVMBuildZExt(B, vy_lw_expr(w, fa->u).v, w->t_i64, ""), "");
      c = LLVMBuildICmp(B, LLVMIntULE, top, c64(w, UINT32_MAX), "nowrap");
      hi = LLVMBuildAdd(B, top, c64(w, 1), "");
    } else if (fa->u) {
      LLVMValueRef u = LLVMBuildZExt(B, vy_lw_expr(w, fa->u).v, w->t_i64, "");
      if (fa->neg) c = LLVMBuildICmp(B, LLVMIntUGE, lo, u, "nowrap");
      hi = fa->neg ? LLVMBuildSub(B, hi, u, "") : LLVMBuildAdd(B, hi, u, "");
    }
    LLVMValueRef in = LLVMBuildICmp(B, LLVMIntULE, hi, k->elems[fa->buf], "cover");
    c = c ? LLVMBuildAnd(B, c, in, "") : in;
    if (fa->clamp) {
      LLVMValueRef m = LLVMBuildZExt(B, vy_lw_expr(w, fa->clamp).v, w->t_i64, "");
      c = LLVMBuildAnd(B, c, LLVMBuildICmp(B, LLVMIntULE, hi, LLVMBuildAdd(B, m, c64(w, 1), ""), "unclamped"), "");
    }
    ok = ok ? LLVMBuildAnd(B, ok, c, "") : c;
  }
  if (!ok) {
    vy_cpu_invocation_loop(k, false, run_body, &ra);
    return;
  }
  LLVMBasicBlockRef fast = vy_lw_block(w, "fast"), slow = vy_lw_block(w, "checked"),
                    join = vy_lw_block(w, "region.end");
  LLVMBuildCondBr(w->b, ok, fast, slow);
  /* fast copy, then restore the bindings so the checked copy binds anew */
  if (nslots) memcpy(saved, w->live, nslots * sizeof *saved);
  uint32_t nbound = w->nbound;
  LLVMPositionBuilderAtEnd(w->b, fast);
  w->fast = true;
  w->fastacc = f.acc;
  w->nfastacc = f.n;
  vy_cpu_invocation_loop(k, false, run_body, &ra);
  w->fast = false;
  LLVMBuildBr(w->b, join);
  if (nslots) memcpy(w->live, saved, nslots * sizeof *saved);
  w->nbound = nbound;
  LLVMPositionBuilderAtEnd(w->b, slow);
  /* the checked copy runs for the edge workgroup(s) only: kept scalar, it
   * halves the code LLVM optimizes and emits */
  k->scalar_region = true;
  vy_cpu_invocation_loop(k, false, run_body, &ra);
  k->scalar_region = false;
  LLVMBuildBr(w->b, join);
  LLVMPositionBuilderAtEnd(w->b, join);
}

/* ---- workgroup-level statements ---- */

LLVMValueRef vy_cpu_wg_alloca(cpu *k, LLVMTypeRef t, LLVMValueRef init) {
  vy_lw *w = &k->w;
  LLVMBuilderRef eb = LLVMCreateBuilderInContext(w->c);
  LLVMValueRef first = LLVMGetFirstInstruction(w->entry);
  if (first)
    LLVMPositionBuilderBefore(eb, first);
  else
    LLVMPositionBuilderAtEnd(eb, w->entry);
  LLVMValueRef a = LLVMBuildAlloca(eb, t, "wgv");
  LLVMDisposeBuilder(eb);
  LLVMBuildStore(w->b, init, a);
  return a;
}

static LLVMValueRef ld(cpu *k, LLVMTypeRef t, LLVMValueRef p) { return LLVMBuildLoad2(k->w.b, t, p, ""); }

typedef struct cond_args {
  const vy_cn *n;
  LLVMValueRef nt, nf, any1, any2;
} cond_args;

static void cond_body(cpu *k, void *ud) {
  cond_args *ca = ud;
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  w->cur = ca->n;
  vy_jv v = vy_lw_expr(w, ca->n->e0);
  if (v.t.k == VY_JK_NEVER) return;
  LLVMValueRef c = vy_lw_truthy(w, v);
  LLVMValueRef c32v = LLVMBuildZExt(B, c, w->t_i32, "");
  LLVMBuildStore(B, LLVMBuildAdd(B, ld(k, w->t_i32, ca->nt), c32v, ""), ca->nt);
  LLVMBuildStore(B, LLVMBuildAdd(B, ld(k, w->t_i32, ca->nf), LLVMBuildSub(B, c32(w, 1), c32v, ""), ""), ca->nf);
  if (ca->n->if_id == VY_IX_NONE) return;
  LLVMValueRef off = LLVMBuildAdd(B, c64(w, k->ifrec_off + (uint64_t)ca->n->if_id * k->per_wg * 4),
                                  LLVMBuildMul(B, k->lin, c64(w, 4), ""), "");
  LLVMValueRef p = LLVMBuildGEP2(B, w->t_i8, k->scratch, &off, 1, "rec");
  LLVMValueRef rec = LLVMBuildLoad2(B, w->t_i32, p, "");
  tag(k, rec);
  rec = LLVMBuildOr(B, rec, LLVMBuildSelect(B, c, c32(w, 1), c32(w, 2), ""), "");
  tag(k, LLVMBuildStore(B, rec, p));
  LLVMValueRef r1 = LLVMBuildICmp(B, LLVMIntNE, LLVMBuildAnd(B, rec, c32(w, 1), ""), c32(w, 0), "");
  LLVMValueRef r2 = LLVMBuildICmp(B, LLVMIntNE, LLVMBuildAnd(B, rec, c32(w, 2), ""), c32(w, 0), "");
  LLVMBuildStore(B, LLVMBuildOr(B, ld(k, w->t_i1, ca->any1), r1, ""), ca->any1);
  LLVMBuildStore(B, LLVMBuildOr(B, ld(k, w->t_i1, ca->any2), r2, ""), ca->any2);
}

static void wg_list(cpu *k, const vy_cl *l, bool scoped);

/* Raises `site` (no invocation) when `bad`. */
static void wg_check(cpu *k, LLVMValueRef bad, vy_site_kind kind, const vy_cn *n) {
  vy_lw *w = &k->w;
  w->cur = n;
  uint32_t site = vy_lw_site(w, kind, NULL);
  if (!site) return;
  LLVMBasicBlockRef fail = vy_lw_block(w, "wg.fail"), cont = vy_lw_block(w, "wg.ok");
  LLVMBuildCondBr(w->b, bad, fail, cont);
  LLVMPositionBuilderAtEnd(w->b, fail);
  w->hk->raise(w, site, false, never, never);
  LLVMPositionBuilderAtEnd(w->b, cont);
}

static void wg_if(cpu *k, const vy_cn *n) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  cond_args ca = {n, vy_cpu_wg_alloca(k, w->t_i32, c32(w, 0)), vy_cpu_wg_alloca(k, w->t_i32, c32(w, 0)),
                  vy_cpu_wg_alloca(k, w->t_i1, LLVMConstInt(w->t_i1, 0, 0)),
                  vy_cpu_wg_alloca(k, w->t_i1, LLVMConstInt(w->t_i1, 0, 0))};
  vy_cpu_invocation_loop(k, false, cond_body, &ca);
  LLVMValueRef nt = ld(k, w->t_i32, ca.nt), nf = ld(k, w->t_i32, ca.nf);
  LLVMValueRef bad;
  if (n->if_id != VY_IX_NONE)
    bad = LLVMBuildAnd(B, ld(k, w->t_i1, ca.any1), ld(k, w->t_i1, ca.any2), "conflict");
  else
    bad = LLVMBuildAnd(B, LLVMBuildICmp(B, LLVMIntNE, nt, c32(w, 0), ""),
                       LLVMBuildICmp(B, LLVMIntNE, nf, c32(w, 0), ""), "divergent");
  wg_check(k, bad, n->if_id != VY_IX_NONE ? VY_SITE_NONUNIFORM_IF : VY_SITE_DIVERGENT_SUBGROUP, n);
  LLVMBasicBlockRef tb = vy_lw_block(w, "wg.then"), eb = vy_lw_block(w, "wg.else"), join = vy_lw_block(w, "wg.endif");
  LLVMValueRef any_true = LLVMBuildICmp(B, LLVMIntNE, nt, c32(w, 0), "");
  if (k->need_done || k->mask >= 0) { /* no live invocation: nothing of the If runs */
    LLVMBasicBlockRef some = vy_lw_block(w, "wg.live");
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntEQ, LLVMBuildAdd(B, nt, nf, ""), c32(w, 0), ""), join, some);
    LLVMPositionBuilderAtEnd(B, some);
  }
  LLVMBuildCondBr(B, any_true, tb, eb);
  LLVMPositionBuilderAtEnd(B, tb);
  wg_list(k, &n->body, true);
  LLVMBuildBr(B, join);
  LLVMPositionBuilderAtEnd(B, eb);
  wg_list(k, &n->body2, true);
  LLVMBuildBr(B, join);
  LLVMPositionBuilderAtEnd(B, join);
}

typedef struct mask_args {
  const vy_cn *n;
  uint32_t then_mask, else_mask;
  LLVMValueRef nt, nf;
} mask_args;

static void mask_body(cpu *k, void *ud) {
  mask_args *ma = ud;
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  w->cur = ma->n;
  vy_jv v = vy_lw_expr(w, ma->n->e0);
  if (v.t.k == VY_JK_NEVER) return;
  LLVMValueRef c = vy_lw_truthy(w, v);
  vy_cpu_array_store(k, ma->then_mask, k->lin, c);
  vy_cpu_array_store(k, ma->else_mask, k->lin, LLVMBuildNot(B, c, ""));
  LLVMValueRef c32v = LLVMBuildZExt(B, c, w->t_i32, "");
  LLVMBuildStore(B, LLVMBuildAdd(B, ld(k, w->t_i32, ma->nt), c32v, ""), ma->nt);
  LLVMBuildStore(B, LLVMBuildAdd(B, ld(k, w->t_i32, ma->nf), LLVMBuildSub(B, c32(w, 1), c32v, ""), ""), ma->nf);
}

/* An If around interchanged Loops, with no barrier or subgroup op inside:
 * both branches run at workgroup level, each for the invocations whose
 * condition chose it (a per-invocation mask). */
static void wg_if_masked(cpu *k, const vy_cn *n) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  vy_jt bt = {VY_JK_BOOL, 0};
  mask_args ma = {n, vy_cpu_new_array(k, bt), vy_cpu_new_array(k, bt), vy_cpu_wg_alloca(k, w->t_i32, c32(w, 0)),
                  vy_cpu_wg_alloca(k, w->t_i32, c32(w, 0))};
  if (!vy_lw_ok(w)) return;
  for (int m = 0; m < 2; m++) { /* invocations that do not evaluate the condition take neither branch */
    LLVMValueRef off = c64(w, k->arrs[m ? ma.else_mask : ma.then_mask].off - k->arr_base);
    LLVMBuildMemSet(B, LLVMBuildGEP2(B, w->t_i8, k->arrays, &off, 1, ""), LLVMConstInt(w->t_i8, 0, 0),
                    c64(w, (uint64_t)k->per_wg * vy_lw_type_size(bt)), ALIGN);
  }
  vy_cpu_invocation_loop(k, false, mask_body, &ma);
  int32_t saved = k->mask;
  const uint32_t masks[2] = {ma.then_mask, ma.else_mask};
  LLVMValueRef counts[2] = {ld(k, w->t_i32, ma.nt), ld(k, w->t_i32, ma.nf)};
  for (int m = 0; m < 2; m++) {
    const vy_cl *l = m ? &n->body2 : &n->body;
    if (!l->count) continue;
    LLVMBasicBlockRef run = vy_lw_block(w, m ? "wg.else" : "wg.then"), next = vy_lw_block(w, "wg.next");
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, counts[m], c32(w, 0), ""), run, next);
    LLVMPositionBuilderAtEnd(B, run);
    /* every invocation of the workgroup chose this branch (so none had
     * returned or was masked off): the copy without a mask, whose
     * accesses need no per-lane predication (ISPC's "all on") */
    LLVMBasicBlockRef all = vy_lw_block(w, "wg.all"), some = vy_lw_block(w, "wg.some");
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntEQ, counts[m], c32(w, k->per_wg), ""), all, some);
    LLVMPositionBuilderAtEnd(B, all);
    k->mask = -1;
    wg_list(k, l, true);
    LLVMBuildBr(B, next);
    LLVMPositionBuilderAtEnd(B, some);
    k->mask = (int32_t)masks[m];
    wg_list(k, l, true);
    k->mask = saved;
    LLVMBuildBr(B, next);
    LLVMPositionBuilderAtEnd(B, next);
  }
}

typedef struct bounds_args {
  const vy_cn *n;
  LLVMValueRef from, to, seen, mismatch;
} bounds_args;

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

static void bounds_body(cpu *k, void *ud) {
  bounds_args *ba = ud;
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  w->cur = ba->n;
  LLVMValueRef from = loop_bound(w, ba->n->e0, VY_SITE_LOOP_FROM);
  if (!from) return;
  LLVMValueRef to = loop_bound(w, ba->n->e1, VY_SITE_LOOP_TO);
  if (!to) return;
  LLVMValueRef seen = ld(k, w->t_i1, ba->seen), f0 = ld(k, w->t_i32, ba->from), t0 = ld(k, w->t_i32, ba->to);
  LLVMValueRef differ =
      LLVMBuildOr(B, LLVMBuildICmp(B, LLVMIntNE, from, f0, ""), LLVMBuildICmp(B, LLVMIntNE, to, t0, ""), "");
  LLVMBuildStore(B, LLVMBuildOr(B, ld(k, w->t_i1, ba->mismatch), LLVMBuildAnd(B, seen, differ, ""), ""), ba->mismatch);
  LLVMBuildStore(B, LLVMBuildSelect(B, seen, f0, from, ""), ba->from);
  LLVMBuildStore(B, LLVMBuildSelect(B, seen, t0, to, ""), ba->to);
  LLVMBuildStore(B, LLVMConstInt(w->t_i1, 1, 0), ba->seen);
}

static void wg_loop(cpu *k, const vy_cn *n) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  bounds_args ba = {n, vy_cpu_wg_alloca(k, w->t_i32, c32(w, 0)), vy_cpu_wg_alloca(k, w->t_i32, c32(w, 0)),
                    vy_cpu_wg_alloca(k, w->t_i1, LLVMConstInt(w->t_i1, 0, 0)),
                    vy_cpu_wg_alloca(k, w->t_i1, LLVMConstInt(w->t_i1, 0, 0))};
  vy_cpu_invocation_loop(k, false, bounds_body, &ba);
  wg_check(k, ld(k, w->t_i1, ba.mismatch), VY_SITE_DIVERGENT_LOOP, n);
  LLVMValueRef from = ld(k, w->t_i32, ba.from), to = ld(k, w->t_i32, ba.to);
  if (k->need_done || k->mask >= 0) /* no live invocation: an empty range */
    to = LLVMBuildSelect(B, ld(k, w->t_i1, ba.seen), to, c32(w, 0), "");
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(B), head = vy_lw_block(w, "wg.loop"), body = vy_lw_block(w, "wg.body"),
                    latch = vy_lw_block(w, "wg.latch"), done = vy_lw_block(w, "wg.endloop");
  LLVMBuildBr(B, head);
  LLVMPositionBuilderAtEnd(B, head);
  LLVMValueRef i = LLVMBuildPhi(B, w->t_i32, "wgi");
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, i, to, ""), body, done);
  LLVMPositionBuilderAtEnd(B, body);
  if (vy_lw_loop_polled(w, n)) h_poll(w); /* once per iteration: each runs a whole region */
  vy_lw_scope_push(w);
  w->cur = n;
  vy_jbind *bd = vy_lw_bind(w, n, n->slot, (vy_jt){VY_JK_U32, 0}, VY_HOME_UNIFORM, true);
  if (bd) bd->val = i;
  wg_list(k, &n->body, false);
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

/* ---- statement lists at workgroup level ---- */

static void wg_list(cpu *k, const vy_cl *l, bool scoped) {
  vy_lw *w = &k->w;
  if (scoped) vy_lw_scope_push(w);
  uint32_t i = 0;
  while (i < l->count && vy_lw_ok(w)) {
    const vy_cn *n = &l->items[i];
    cinfo *ci = info_of(k, n);
    if (!ci->wg) {
      uint32_t j = i;
      while (j < l->count && !info_of(k, &l->items[j])->wg) j++;
      emit_region(k, l, i, j);
      i = j;
      continue;
    }
    if (ci->hoist) { /* a uniform Let computed once, outside the invocation loops */
      w->cur = n;
      vy_lw_stmts(w, l, i, i + 1);
      i++;
      continue;
    }
    if (ci->sg_head) {
      vy_cpu_sg_prelude(k, n, n->e0);
      vy_cpu_sg_prelude(k, n, n->e1);
      vy_cpu_sg_prelude(k, n, n->e2);
    }
    /* structured statements are handled at workgroup level only when a
     * statement inside is; with a subgroup op only in its own expressions
     * a statement runs in a region after the prelude */
    switch (ci->inner || ci->interchange || n->kind == VY_NODE_BARRIER ? n->kind : VY_NODE_LET) {
    case VY_NODE_BARRIER:
      break;
    case VY_NODE_BLOCK:
    case VY_NODE_REGION:
      wg_list(k, &n->body, true);
      break;
    case VY_NODE_IF:
      if (ci->body_sync || n->if_id != VY_IX_NONE) /* a subgroup op in the condition ran in the prelude */
        wg_if(k, n);
      else
        wg_if_masked(k, n);
      break;
    case VY_NODE_LOOP:
      wg_loop(k, n);
      break;
    default: { /* statement with a subgroup op, joined by the plain statements after it */
      uint32_t j = i + 1;
      while (j < l->count && !info_of(k, &l->items[j])->wg) j++;
      emit_region(k, l, i, j);
      i = j;
      continue;
    }
    }
    i++;
  }
  if (scoped) vy_lw_scope_pop(w);
}

/* ---- the kernel function ---- */

/* Copies of a private buffer: in scratch, invocation l accumulates into
 * copy l % PRIV_COPIES, so a run of updates of one invocation after the
 * other rarely reads a word whose update is still in flight (a byte
 * histogram with one copy ran at 0.4x of C that keeps a table per byte
 * position); kernel exit combines them. */
static uint32_t priv_copies(cpu *k, uint32_t b) {
  uint32_t count = k->w.p->buffers[b].count;
  return count <= PRIV_ALLOCA_WORDS || count > PRIV_COPIES_MAX_WORDS ? 1 : PRIV_COPIES;
}

/* Kernel entry: the private copies start at the op's identity. */
static void priv_init(cpu *k) {
  vy_lw *w = &k->w;
  for (uint32_t b = 0; b < w->p->nbuffers; b++) {
    privbuf *pb = &k->priv[b];
    if (!pb->used) continue;
    uint32_t count = w->p->buffers[b].count;
    if (count <= PRIV_ALLOCA_WORDS) {
      pb->ptr = LLVMBuildAlloca(w->b, LLVMArrayType2(w->t_i32, count), "priv");
    } else {
      LLVMValueRef off = c64(w, pb->off);
      pb->ptr = LLVMBuildGEP2(w->b, w->t_i8, k->scratch, &off, 1, "priv");
    }
    uint8_t fill = vy_cpu_priv_identity(pb->op) ? 0xFF : 0;
    LLVMBuildMemSet(w->b, pb->ptr, LLVMConstInt(w->t_i8, fill, 0), c64(w, (uint64_t)count * 4 * priv_copies(k, b)),
                    4);
  }
}

/* The private-atomic op applied to two partial results. */
static LLVMValueRef priv_combine(cpu *k, uint8_t op, LLVMValueRef a, LLVMValueRef b) {
  vy_lw *w = &k->w;
  switch (op) {
  case VY_ATOMIC_ADD:
    return LLVMBuildAdd(w->b, a, b, "");
  case VY_ATOMIC_OR:
    return LLVMBuildOr(w->b, a, b, "");
  case VY_ATOMIC_AND:
    return LLVMBuildAnd(w->b, a, b, "");
  case VY_ATOMIC_XOR:
    return LLVMBuildXor(w->b, a, b, "");
  case VY_ATOMIC_MIN:
    return vy_lw_intrinsic(w, "llvm.umin", &w->t_i32, 1, (LLVMValueRef[]){a, b}, 2);
  default:
    return vy_lw_intrinsic(w, "llvm.umax", &w->t_i32, 1, (LLVMValueRef[]){a, b}, 2);
  }
}

/* Kernel exit: one atomic per word that differs from the identity. */
static void priv_merge(cpu *k) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  for (uint32_t b = 0; b < w->p->nbuffers; b++) {
    if (!k->priv[b].used) continue;
    uint32_t id = vy_cpu_priv_identity(k->priv[b].op);
    LLVMAtomicRMWBinOp rmw = k->priv[b].op == VY_ATOMIC_ADD   ? LLVMAtomicRMWBinOpAdd
                             : k->priv[b].op == VY_ATOMIC_OR  ? LLVMAtomicRMWBinOpOr
                             : k->priv[b].op == VY_ATOMIC_AND ? LLVMAtomicRMWBinOpAnd
                             : k->priv[b].op == VY_ATOMIC_XOR ? LLVMAtomicRMWBinOpXor
                             : k->priv[b].op == VY_ATOMIC_MIN ? LLVMAtomicRMWBinOpUMin
                                                              : LLVMAtomicRMWBinOpUMax;
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(B), head = vy_lw_block(w, "merge"), upd = vy_lw_block(w, "merge.word"),
                      next = vy_lw_block(w, "merge.next"), done = vy_lw_block(w, "merge.done");
    LLVMBuildBr(B, head);
    LLVMPositionBuilderAtEnd(B, head);
    LLVMValueRef j = LLVMBuildPhi(B, w->t_i64, "j");
    LLVMValueRef off = LLVMBuildMul(B, j, c64(w, 4), "");
    LLVMValueRef v = LLVMBuildLoad2(B, w->t_i32, LLVMBuildGEP2(B, w->t_i8, k->priv[b].ptr, &off, 1, ""), "");
    for (uint32_t c = 1; c < priv_copies(k, b); c++) {
      LLVMValueRef o = LLVMBuildAdd(B, off, c64(w, (uint64_t)c * w->p->buffers[b].count * 4), "");
      v = priv_combine(k, k->priv[b].op, v,
                       LLVMBuildLoad2(B, w->t_i32, LLVMBuildGEP2(B, w->t_i8, k->priv[b].ptr, &o, 1, ""), ""));
    }
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, v, c32(w, id), ""), upd, next);
    LLVMPositionBuilderAtEnd(B, upd);
    LLVMValueRef roff = LLVMBuildMul(B, j, c64(w, 4), "");
    LLVMBuildAtomicRMW(B, rmw, LLVMBuildGEP2(B, w->t_i8, k->data[b], &roff, 1, ""), v,
                       LLVMAtomicOrderingSequentiallyConsistent, 0);
    LLVMBuildBr(B, next);
    LLVMPositionBuilderAtEnd(B, next);
    LLVMValueRef nj = LLVMBuildNUWAdd(B, j, c64(w, 1), "");
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, nj, c64(w, w->p->buffers[b].count), ""), head, done);
    LLVMValueRef vals[2] = {c64(w, 0), nj};
    LLVMBasicBlockRef blocks[2] = {pre, next};
    LLVMAddIncoming(j, vals, blocks, 2);
    LLVMPositionBuilderAtEnd(B, done);
  }
}

static void load_args(cpu *k, LLVMValueRef body) {
  vy_lw *w = &k->w;
  LLVMBuilderRef B = w->b;
  const vy_program *p = w->p;
  LLVMValueRef bufs = LLVMBuildLoad2(B, w->t_ptr, k->args, "bufs"); /* VY_KARGS_BUFS is field 0 */
  LLVMTypeRef kbuf = LLVMStructTypeInContext(w->c, (LLVMTypeRef[]){w->t_ptr, w->t_i64, w->t_i64}, 3, 0);
  LLVMTypeRef kargs = LLVMStructTypeInContext(
      w->c, (LLVMTypeRef[]){w->t_ptr, w->t_ptr, w->t_i64, w->t_i64, w->t_i64, w->t_ptr, w->t_ptr}, 7, 0);
  k->err = LLVMBuildLoad2(B, w->t_ptr, LLVMBuildStructGEP2(B, kargs, k->args, VY_KARGS_ERR, ""), "err");
  k->rt = LLVMBuildLoad2(B, w->t_ptr, LLVMBuildStructGEP2(B, kargs, k->args, VY_KARGS_RT, ""), "rt");
  k->host = LLVMBuildLoad2(B, w->t_ptr, LLVMBuildStructGEP2(B, kargs, k->args, VY_KARGS_HOST, ""), "host");
  LLVMValueRef grid[3];
  for (int a = 0; a < 3; a++)
    grid[a] = LLVMBuildLoad2(B, w->t_i64, LLVMBuildStructGEP2(B, kargs, k->args, VY_KARGS_GRID0 + a, ""), "grid");
  uint32_t pi = 0;
  for (uint32_t b = 0; b < p->nbuffers; b++) {
    if (p->buffers[b].access == VY_ACCESS_WORKGROUP) {
      LLVMValueRef off = c64(w, k->wg_off[b]);
      k->data[b] = LLVMBuildGEP2(B, w->t_i8, k->scratch, &off, 1, "wgmem");
      uint64_t bytes = (uint64_t)p->buffers[b].count * vy_type_min_bytes(&p->buffers[b].element);
      uint32_t s = vy_type_min_bytes(&p->buffers[b].element);
      k->bytes[b] = c64(w, bytes);
      k->elems[b] = c64(w, s ? bytes / s : bytes);
      continue;
    }
    LLVMValueRef idx = c64(w, b);
    LLVMValueRef e = LLVMBuildGEP2(B, kbuf, bufs, &idx, 1, "");
    k->data[b] = LLVMGetParam(body, 5 + pi++);
    k->bytes[b] = LLVMBuildLoad2(B, w->t_i64, LLVMBuildStructGEP2(B, kbuf, e, VY_KBUF_BYTES, ""), "bytes");
    k->elems[b] = LLVMBuildLoad2(B, w->t_i64, LLVMBuildStructGEP2(B, kbuf, e, VY_KBUF_ELEMS, ""), "elems");
  }
  if (k->nslots_async) { /* async slots start inactive; the kernel leaves them so */
    LLVMValueRef off = c64(w, k->async_off);
    LLVMBuildMemSet(B, LLVMBuildGEP2(B, w->t_i8, k->scratch, &off, 1, ""), LLVMConstInt(w->t_i8, 0, 0),
                    c64(w, (uint64_t)k->nslots_async * sizeof(vy_async_slot)), ALIGN);
  }
  priv_init(k);
  /* workgroup loop */
  LLVMBasicBlockRef loop = vy_lw_block(w, "wg"), run = vy_lw_block(w, "wg.run"), latch = vy_lw_block(w, "wg.next");
  k->exit = vy_lw_block(w, "exit");
  /* the first workgroup's ids by division, the next ones by counting */
  LLVMValueRef t0 = LLVMBuildUDiv(B, k->begin, grid[0], "");
  LLVMValueRef id0[3] = {LLVMBuildURem(B, k->begin, grid[0], ""), LLVMBuildURem(B, t0, grid[1], ""),
                         LLVMBuildUDiv(B, t0, grid[1], "")};
  LLVMBasicBlockRef entry_end = LLVMGetInsertBlock(B);
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, k->begin, k->end, ""), loop, k->exit);
  LLVMPositionBuilderAtEnd(B, loop);
  LLVMValueRef wg = LLVMBuildPhi(B, w->t_i64, "wgi"), idp[3];
  for (int a = 0; a < 3; a++) idp[a] = LLVMBuildPhi(B, w->t_i64, "wgid");
  LLVMValueRef stop = LLVMBuildLoad2(B, w->t_i32, k->err, "stop"); /* vy_kerr.stop is the first field */
  LLVMSetOrdering(stop, LLVMAtomicOrderingMonotonic);
  LLVMSetAlignment(stop, 4);
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, stop, c32(w, 0), ""), k->exit, run);
  LLVMPositionBuilderAtEnd(B, run);
  k->wid[0] = LLVMBuildTrunc(B, idp[0], w->t_i32, "wid.x");
  k->wid[1] = LLVMBuildTrunc(B, idp[1], w->t_i32, "wid.y");
  k->wid[2] = LLVMBuildTrunc(B, idp[2], w->t_i32, "wid.z");
  if (k->zero_size) LLVMBuildMemSet(B, k->scratch, LLVMConstInt(w->t_i8, 0, 0), c64(w, k->zero_size), ALIGN);
  k->w.cur = NULL;
  wg_list(k, &w->pp->entry, false);
  if (k->nslots_async) async_end(k);
  LLVMBuildBr(B, latch);
  LLVMPositionBuilderAtEnd(B, latch);
  LLVMValueRef next = LLVMBuildNUWAdd(B, wg, c64(w, 1), "");
  LLVMValueRef nx = LLVMBuildNUWAdd(B, idp[0], c64(w, 1), ""), wx = LLVMBuildICmp(B, LLVMIntEQ, nx, grid[0], "");
  LLVMValueRef ny = LLVMBuildAdd(B, idp[1], LLVMBuildZExt(B, wx, w->t_i64, ""), "");
  LLVMValueRef wy = LLVMBuildICmp(B, LLVMIntEQ, ny, grid[1], "");
  LLVMValueRef idn[3] = {LLVMBuildSelect(B, wx, c64(w, 0), nx, ""), LLVMBuildSelect(B, wy, c64(w, 0), ny, ""),
                         LLVMBuildAdd(B, idp[2], LLVMBuildZExt(B, wy, w->t_i64, ""), "")};
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, next, k->end, ""), loop, k->exit);
  LLVMValueRef vals[2] = {k->begin, next};
  LLVMBasicBlockRef blocks[2] = {entry_end, latch};
  LLVMAddIncoming(wg, vals, blocks, 2);
  for (int a = 0; a < 3; a++) {
    LLVMValueRef iv[2] = {id0[a], idn[a]};
    LLVMAddIncoming(idp[a], iv, blocks, 2);
  }
  LLVMPositionBuilderAtEnd(B, k->exit);
  priv_merge(k);
  if (k->nslots_async) { /* frees the data of transfers an error left pending */
    LLVMValueRef off = c64(w, k->async_off);
    LLVMValueRef args[3] = {k->rt, LLVMBuildGEP2(B, w->t_i8, k->scratch, &off, 1, ""), c32(w, k->nslots_async)};
    LLVMTypeRef pt[3] = {w->t_ptr, w->t_ptr, w->t_i32};
    call_rt(w, VY_CPU_ASYNC_RELEASE_SYMBOL, w->t_void, pt, args, 3);
  }
  LLVMBuildRetVoid(B);
}

static void fn_attr(vy_lw *w, LLVMValueRef f, const char *name) {
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                          LLVMCreateEnumAttribute(w->c, LLVMGetEnumAttributeKindForName(name, strlen(name)), 0));
}

static void str_attr(vy_lw *w, LLVMValueRef f, const char *k, const char *v) {
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(w->c, k, (unsigned)strlen(k), v, (unsigned)strlen(v)));
}

/* Builds @entry (the ABI function) and the body it calls, which takes the
 * storage buffers as noalias pointers so that LLVM knows distinct bindings
 * never alias (the body is inlined; the noalias facts become scopes). */
static void build(cpu *k, const char *entry, const vy_cpu_options *o) {
  vy_lw *w = &k->w;
  const vy_program *p = w->p;
  uint32_t nstorage = 0;
  for (uint32_t b = 0; b < p->nbuffers; b++) nstorage += p->buffers[b].access != VY_ACCESS_WORKGROUP;
  LLVMTypeRef *pt = vy_arena_array(&w->arena, 5 + nstorage, sizeof *pt);
  if (!pt) {
    vy_lw_nomem(w);
    return;
  }
  pt[0] = w->t_ptr;
  pt[1] = w->t_i64;
  pt[2] = w->t_i64;
  pt[3] = w->t_ptr;
  for (uint32_t i = 0; i < nstorage + 1; i++) pt[4 + i] = w->t_ptr;
  LLVMTypeRef bt = LLVMFunctionType(w->t_void, pt, 5 + nstorage, 0);
  LLVMValueRef body = LLVMAddFunction(w->m, "vyre.body", bt);
  LLVMSetLinkage(body, LLVMInternalLinkage);
  fn_attr(w, body, "alwaysinline");
  fn_attr(w, body, "nounwind");
  str_attr(w, body, "denormal-fp-math-f32", "ieee,preserve-sign");
  if (o->prefer_vector_width) str_attr(w, body, "prefer-vector-width", o->prefer_vector_width);
  unsigned na = LLVMGetEnumAttributeKindForName("noalias", 7);
  for (unsigned i = 3; i < 5 + nstorage; i++)
    LLVMAddAttributeAtIndex(body, i + 1, LLVMCreateEnumAttribute(w->c, na, 0));
  LLVMTypeRef kt = LLVMFunctionType(w->t_void, pt, 4, 0);
  k->kernel = LLVMAddFunction(w->m, entry, kt);
  fn_attr(w, k->kernel, "nounwind");
  str_attr(w, k->kernel, "denormal-fp-math-f32", "ieee,preserve-sign");
  if (o->prefer_vector_width) str_attr(w, k->kernel, "prefer-vector-width", o->prefer_vector_width);
  /* entry: load the buffer pointers, call the body */
  LLVMPositionBuilderAtEnd(w->b, LLVMAppendBasicBlockInContext(w->c, k->kernel, "entry"));
  LLVMValueRef *cargs = vy_arena_array(&w->arena, 5 + nstorage, sizeof *cargs);
  if (!cargs) {
    vy_lw_nomem(w);
    return;
  }
  for (unsigned i = 0; i < 4; i++) cargs[i] = LLVMGetParam(k->kernel, i);
  /* the per-invocation arrays: a pointer of their own, disjoint from the
   * rest of scratch, so LLVM knows they never alias workgroup memory */
  LLVMValueRef abase = c64(w, k->arr_base);
  cargs[4] = LLVMBuildGEP2(w->b, w->t_i8, cargs[3], &abase, 1, "arrays");
  LLVMTypeRef kbuf = LLVMStructTypeInContext(w->c, (LLVMTypeRef[]){w->t_ptr, w->t_i64, w->t_i64}, 3, 0);
  LLVMValueRef bufs = LLVMBuildLoad2(w->b, w->t_ptr, cargs[0], "bufs");
  uint32_t pi = 0;
  for (uint32_t b = 0; b < p->nbuffers; b++) {
    if (p->buffers[b].access == VY_ACCESS_WORKGROUP) continue;
    LLVMValueRef idx = c64(w, b);
    LLVMValueRef e = LLVMBuildGEP2(w->b, kbuf, bufs, &idx, 1, "");
    cargs[5 + pi++] = LLVMBuildLoad2(w->b, w->t_ptr, LLVMBuildStructGEP2(w->b, kbuf, e, VY_KBUF_DATA, ""), "data");
  }
  LLVMBuildCall2(w->b, bt, body, cargs, 5 + nstorage, "");
  LLVMBuildRetVoid(w->b);
  /* the body */
  w->fn = body;
  w->entry = LLVMAppendBasicBlockInContext(w->c, body, "entry");
  LLVMPositionBuilderAtEnd(w->b, w->entry);
  k->args = LLVMGetParam(body, 0);
  k->begin = LLVMGetParam(body, 1);
  k->end = LLVMGetParam(body, 2);
  k->scratch = LLVMGetParam(body, 3);
  k->arrays = LLVMGetParam(body, 4);
  w->safe_ptr = k->scratch; /* at least 64 bytes (cpu_dispatch.c) */
  load_args(k, body);
}

/* Scratch layout: workgroup buffers, the returned mask and the barrier-If
 * records first (zeroed per workgroup), then arrays as the code needs them. */
static void layout(cpu *k) {
  const vy_program *p = k->w.p;
  for (uint32_t b = 0; b < p->nbuffers; b++) {
    if (p->buffers[b].access != VY_ACCESS_WORKGROUP) continue;
    k->size = align_up(k->size, ALIGN);
    k->wg_off[b] = k->size;
    k->size += (uint64_t)p->buffers[b].count * vy_type_min_bytes(&p->buffers[b].element);
  }
  k->need_done = k->has_wg && k->has_return;
  if (k->need_done) {
    k->done_off = k->size = align_up(k->size, 4);
    k->size += (uint64_t)k->per_wg * 4; /* i32 flags (vy_lw_mem_type) */
  }
  if (k->w.pp->nbarrier_ifs) {
    k->ifrec_off = k->size = align_up(k->size, 4);
    k->size += (uint64_t)k->per_wg * 4 * k->w.pp->nbarrier_ifs;
  }
  k->zero_size = align_up(k->size, 16);
  k->size = k->zero_size;
  for (uint32_t b = 0; b < k->w.p->nbuffers; b++) {
    if (!k->priv[b].used || k->w.p->buffers[b].count <= PRIV_ALLOCA_WORDS) continue;
    k->size = align_up(k->size, ALIGN);
    k->priv[b].off = k->size;
    k->size += (uint64_t)k->w.p->buffers[b].count * 4 * priv_copies(k, b);
  }
  k->nslots_async = k->per_wg * k->w.pp->ntags;
  if (k->nslots_async) {
    k->async_off = align_up(k->size, ALIGN);
    k->size = k->async_off + (uint64_t)k->nslots_async * sizeof(vy_async_slot);
  }
  k->size = k->arr_base = align_up(k->size, ALIGN); /* the per-invocation arrays follow (vy_cpu_new_array) */
}

vy_status vy_lower_cpu(const vy_interp_prepared *pp, LLVMContextRef c, LLVMModuleRef m, const char *entry,
                       const vy_cpu_options *o, const vy_allocator *alloc, vy_cpu_lowered *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  cpu *k = vy_mem_calloc(alloc, 1, sizeof *k);
  if (!k) return vy_error_nomem(err);
  vy_lw *w = &k->w;
  vy_lw_init(w, c, m, pp, &cpu_hooks, k, alloc, err);
  uint32_t nb = pp->nbufs ? pp->nbufs : 1, ns = pp->nslots ? pp->nslots : 1;
  k->data = vy_arena_array(&w->arena, nb, sizeof *k->data);
  k->bytes = vy_arena_array(&w->arena, nb, sizeof *k->bytes);
  k->elems = vy_arena_array(&w->arena, nb, sizeof *k->elems);
  k->wg_off = vy_arena_array(&w->arena, nb, sizeof *k->wg_off);
  k->pb_live = vy_arena_array(&w->arena, ns, sizeof *k->pb_live);
  k->priv = vy_arena_array(&w->arena, nb, sizeof *k->priv);
  k->uni = vy_arena_array(&w->arena, ns, 1);
  k->assigned = vy_arena_array(&w->arena, ns, sizeof *k->assigned);
  k->mask = -1;
  k->no_interchange = o->no_interchange;
  vy_ptrvec_init(&k->priv_lets, alloc);
  if (!k->data || !k->bytes || !k->elems || !k->wg_off || !k->pb_live || !k->priv || !k->uni || !k->assigned)
    vy_lw_nomem(w);
  k->per_wg = w->wg[0] * w->wg[1] * w->wg[2];
  k->kind_group = LLVMGetMDKindIDInContext(c, "llvm.access.group", 17);
  k->kind_loop = LLVMGetMDKindIDInContext(c, "llvm.loop", 9);
  vy_cpu_plan(k);
  if (vy_lw_ok(w)) {
    layout(k);
    make_group(k);
    build(k, entry, o);
  }
  vy_status st = w->st;
  if (st == VY_OK) { /* hand the sites out (they point into pp) */
    out->sites = vy_mem_alloc(alloc, (size_t)w->nsites * sizeof *out->sites);
    if (!out->sites)
      st = vy_error_nomem(err);
    else {
      memcpy(out->sites, w->sites, (size_t)w->nsites * sizeof *out->sites);
      out->nsites = w->nsites;
      out->scratch_bytes = k->size;
      out->md_module = k->md_module;
      k->md_module = NULL;
    }
  }
  vy_ptrvec_free(&k->priv_lets);
  vy_lw_free(w);
  if (k->md_module) LLVMDisposeModule(k->md_module);
  vy_mem_free(alloc, k, sizeof *k);
  return st;
}

void vy_cpu_lowered_free(const vy_allocator *alloc, vy_cpu_lowered *l) {
  if (!l) return;
  vy_mem_free(alloc, l->sites, (size_t)l->nsites * sizeof *l->sites);
  if (l->md_module) LLVMDisposeModule(l->md_module);
  memset(l, 0, sizeof *l);
}
