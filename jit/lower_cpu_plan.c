/* lower_cpu_plan.c - the planning pre-passes of the CPU lowering
 * (lower_cpu_int.h):
 *
 *   A. which statements run at workgroup level (barriers, subgroup ops,
 *      and Loops with workgroup-uniform bounds that are interchanged so
 *      the invocations run innermost), which names hold workgroup-uniform
 *      values;
 *   B. the lexical binding of every name and the region every use runs
 *      in, so that a name used in another region than the one that bound
 *      it lives in a context array;
 *   C. which atomics accumulate privately per worker;
 *   D. which workgroup buffers store f32 values without canonicalization.
 */
#include <string.h>

#include "lower_cpu_int.h"
#include "program_int.h"

/* ---- pre-pass A: workgroup-level statements ---- */

static void slot_push(cpu *k, pbstate *s, uint32_t slot);

/* Whether x contains a subgroup op; refuses side effects inside subgroup
 * operands (the reference evaluates them once per lane per lane). */
bool vy_cpu_expr_has_subgroup(cpu *k, const vy_cx *x, bool in_operand) {
  if (!x) return false;
  if (in_operand && (x->kind == VY_EXPR_ATOMIC || x->kind == VY_EXPR_CALL))
    return vy_lw_unsupported(&k->w, k->w.cur,
                             "an atomic or call inside a subgroup operand (the reference evaluates it "
                             "32 times per lane)"),
           false;
  bool sg = is_subgroup_kind(x->kind), inner = in_operand || sg, found = sg;
  found |= vy_cpu_expr_has_subgroup(k, x->a, inner);
  found |= vy_cpu_expr_has_subgroup(k, x->b, inner);
  found |= vy_cpu_expr_has_subgroup(k, x->c, inner);
  for (uint32_t i = 0; i < x->argc; i++) found |= vy_cpu_expr_has_subgroup(k, x->args[i], inner);
  return found;
}

/* Pre-pass A also finds Loops to interchange: a Loop whose bounds are the
 * same for every invocation of a workgroup (built from literals, buffer
 * lengths, workgroup ids and names bound to such values and never
 * assigned) runs at workgroup level, its body's regions looping over the
 * invocations innermost (PoCL's implicit loop barriers, llvm-notes.md
 * §4.1): consecutive invocations then touch consecutive elements in each
 * iteration, which LLVM vectorizes. For race-free programs this reorders
 * nothing an invocation can observe. Ifs around such Loops that hold no
 * barrier or subgroup op run at workgroup level with a per-invocation
 * mask instead of a uniform branch. Loops with literal bounds of at most 64
 * iterations stay inside the invocation (LLVM unrolls them), and a Loop
 * inside an invocation-level Loop with varying bounds is not moved. */
#define INTERCHANGE_MIN_TRIPS 64u

static bool uniform_expr_a(cpu *k, const vy_cx *x, unsigned depth) {
  if (!x || depth > 32) return false;
  switch (x->kind) {
  case VY_EXPR_LIT_U32:
  case VY_EXPR_LIT_I32:
  case VY_EXPR_LIT_BOOL:
  case VY_EXPR_LIT_F32:
  case VY_EXPR_BUF_LEN:
    return true;
  case VY_EXPR_WORKGROUP_ID:
    return x->axis <= 2;
  case VY_EXPR_VAR:
    return k->uni[x->ref] != 0;
  case VY_EXPR_BIN_OP:
  case VY_EXPR_SELECT:
  case VY_EXPR_FMA:
    return uniform_expr_a(k, x->a, depth + 1) && uniform_expr_a(k, x->b, depth + 1) &&
           (!x->c || uniform_expr_a(k, x->c, depth + 1));
  case VY_EXPR_UN_OP:
  case VY_EXPR_CAST:
    return uniform_expr_a(k, x->a, depth + 1);
  default:
    return false;
  }
}

/* Uniform Lets at the start of a statement list (after nothing but Lets
 * of ids and other such Lets) whose value takes only error-free integer
 * arithmetic (literals, buffer lengths, workgroup ids, uniform names; +,
 * - and *) are hoisted: computed once per workgroup at workgroup level,
 * they are live before the region after them starts, so its fast-path
 * checks can use them (`let last = len(src) - 1` ... `src[min(i, last)]`). */
static bool hoistable_expr(cpu *k, const vy_cx *x, unsigned depth) {
  if (!x || depth > 16) return false;
  switch (x->kind) {
  case VY_EXPR_LIT_U32:
  case VY_EXPR_LIT_I32:
    return true;
  case VY_EXPR_BUF_LEN:
    return x->ref != VY_IX_NONE;
  case VY_EXPR_WORKGROUP_ID:
    return x->axis <= 2;
  case VY_EXPR_VAR:
    return k->uni[x->ref] != 0;
  case VY_EXPR_BIN_OP:
    return (x->op == VY_BINOP_ADD || x->op == VY_BINOP_SUB || x->op == VY_BINOP_MUL || x->op == VY_BINOP_WRAPPING_ADD ||
            x->op == VY_BINOP_WRAPPING_SUB) &&
           hoistable_expr(k, x->a, depth + 1) && hoistable_expr(k, x->b, depth + 1);
  default:
    return false;
  }
}

static bool id_expr(const vy_cx *x) {
  return x && (x->kind == VY_EXPR_INVOCATION_ID || x->kind == VY_EXPR_LOCAL_ID || x->kind == VY_EXPR_WORKGROUP_ID) &&
         x->axis <= 2;
}

static bool slot_bound(const pbstate *s, uint32_t slot) {
  for (uint32_t i = 0; i < s->n; i++)
    if (s->bound[i] == slot) return true;
  return false;
}

static void assigned_slots(cpu *k, const vy_cl *l) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_cn *n = &l->items[i];
    if (n->kind == VY_NODE_ASSIGN) k->assigned[n->slot] = true;
    assigned_slots(k, &n->body);
    assigned_slots(k, &n->body2);
  }
}

/* A literal-bounded loop short enough for LLVM to unroll inside the invocation. */
static bool short_literal_loop(const vy_cn *n) {
  if (n->e0->kind != VY_EXPR_LIT_U32 || n->e1->kind != VY_EXPR_LIT_U32) return false;
  uint32_t from = n->e0->lit.v.u32, to = n->e1->lit.v.u32;
  return to <= from || to - from <= INTERCHANGE_MIN_TRIPS;
}

typedef struct mark_out {
  bool wg, sync;
} mark_out;

static mark_out mark_list(cpu *k, pbstate *s, const vy_cl *l, bool can_ix);

static bool list_has_sync(cpu *k, const vy_cl *l) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_cn *n = &l->items[i];
    if (n->kind == VY_NODE_BARRIER || vy_cpu_expr_has_subgroup(k, n->e0, false) ||
        vy_cpu_expr_has_subgroup(k, n->e1, false) || vy_cpu_expr_has_subgroup(k, n->e2, false) ||
        list_has_sync(k, &n->body) || list_has_sync(k, &n->body2))
      return true;
  }
  return false;
}

static mark_out mark_node(cpu *k, pbstate *s, const vy_cn *n, bool can_ix) {
  mark_out r = {false, false};
  cinfo *ci = vy_arena_alloc(&k->w.arena, sizeof *ci);
  if (!ci || !vy_pmap_put(&k->w, &k->info, n, ci)) return vy_lw_nomem(&k->w), r;
  k->w.cur = n;
  ci->sg_head = vy_cpu_expr_has_subgroup(k, n->e0, false); /* all three: each may refuse an operand */
  ci->sg_head |= vy_cpu_expr_has_subgroup(k, n->e1, false);
  ci->sg_head |= vy_cpu_expr_has_subgroup(k, n->e2, false);
  mark_out in = {false, false};
  uint32_t mark = s->n;
  bool hoist_list = k->hoist_list;
  switch (n->kind) {
  case VY_NODE_IF: {
    k->hoist_list = false; /* its lists may run inside the invocations */
    mark_out a = mark_list(k, s, &n->body, can_ix), b = mark_list(k, s, &n->body2, can_ix);
    in = (mark_out){a.wg || b.wg, a.sync || b.sync};
    break;
  }
  case VY_NODE_LOOP: {
    bool uniform = uniform_expr_a(k, n->e0, 0) && uniform_expr_a(k, n->e1, 0);
    ci->interchange = can_ix && uniform && !short_literal_loop(n) && !k->no_interchange;
    /* statements inside may move to workgroup level only if this Loop can run there */
    bool inside = can_ix && (uniform || list_has_sync(k, &n->body));
    slot_push(k, s, n->slot);
    k->uni[n->slot] = uniform;
    k->hoist_list = ci->interchange;
    in = mark_list(k, s, &n->body, inside);
    break;
  }
  case VY_NODE_BLOCK:
  case VY_NODE_REGION:
    k->hoist_list = hoist_list;
    in = mark_list(k, s, &n->body, can_ix);
    break;
  case VY_NODE_LET:
    ci->hoist = k->prologue && !k->assigned[n->slot] && !ci->sg_head && !slot_bound(s, n->slot) &&
                hoistable_expr(k, n->e0, 0);
    slot_push(k, s, n->slot);
    k->uni[n->slot] = !k->assigned[n->slot] && uniform_expr_a(k, n->e0, 0);
    ci->uniform_let = k->uni[n->slot];
    mark = s->n; /* the binding belongs to the enclosing list */
    break;
  case VY_NODE_RETURN:
    k->has_return = true;
    break;
  default:
    break;
  }
  while (s->n > mark) k->uni[s->bound[--s->n]] = 0;
  ci->inner = in.wg;
  ci->body_sync = in.sync;
  ci->sync = n->kind == VY_NODE_BARRIER || ci->sg_head || in.sync;
  ci->wg = n->kind == VY_NODE_BARRIER || ci->sg_head || in.wg || ci->interchange || ci->hoist;
  k->has_wg |= ci->wg;
  r.wg = ci->wg;
  r.sync = ci->sync;
  return r;
}

static mark_out mark_list(cpu *k, pbstate *s, const vy_cl *l, bool can_ix) {
  mark_out any = {false, false};
  uint32_t mark = s->n;
  bool here = k->hoist_list, prologue = here;
  for (uint32_t i = 0; i < l->count && vy_lw_ok(&k->w); i++) {
    const vy_cn *n = &l->items[i];
    k->prologue = prologue;
    k->hoist_list = here;
    mark_out r = mark_node(k, s, n, can_ix);
    any.wg |= r.wg;
    any.sync |= r.sync;
    cinfo *ci = info_of(k, n);
    if (ci && !ci->hoist) prologue = here && (r.wg || (prologue && n->kind == VY_NODE_LET && id_expr(n->e0)));
  }
  while (s->n > mark) k->uni[s->bound[--s->n]] = 0;
  return any;
}

/* ---- pre-pass B: lexical bindings and regions ---- */

static void slot_push(cpu *k, pbstate *s, uint32_t slot) {
  if (s->n == s->cap) {
    uint32_t ncap = s->cap ? s->cap * 2 : 32;
    uint32_t *a = vy_arena_array(&k->w.arena, ncap, sizeof *a);
    if (!a) {
      vy_lw_nomem(&k->w);
      return;
    }
    if (s->n) memcpy(a, s->bound, s->n * sizeof *a);
    s->bound = a;
    s->cap = ncap;
  }
  s->bound[s->n++] = slot;
}

static void pb_bind(cpu *k, pbstate *s, uint32_t slot, const vy_cn *n) {
  slot_push(k, s, slot);
  if (vy_lw_ok(&k->w)) k->pb_live[slot] = n;
}

static void pb_unbind_to(cpu *k, pbstate *s, uint32_t mark) {
  while (s->n > mark) k->pb_live[s->bound[--s->n]] = NULL;
}

static void pb_use(cpu *k, uint32_t slot, uint32_t region, bool assign) {
  const vy_cn *b = k->pb_live[slot];
  if (!b) return;
  cinfo *ci = info_of(k, b);
  if (!ci) return;
  if (ci->region && ci->region != region) ci->ctx = true;
  if (assign)
    ci->assigned = true;
  else
    ci->read = true;
}

/* Uses in an expression evaluated in `region` (subgroup operands are
 * evaluated in regions of their own: not descended). */
static void pb_expr(cpu *k, const vy_cx *x, uint32_t region) {
  if (!x) return;
  if (x->kind == VY_EXPR_VAR) pb_use(k, x->ref, region, false);
  if (is_subgroup_kind(x->kind)) return;
  pb_expr(k, x->a, region);
  pb_expr(k, x->b, region);
  pb_expr(k, x->c, region);
  for (uint32_t i = 0; i < x->argc; i++) pb_expr(k, x->args[i], region);
}

/* Subgroup operands of x (post-order), each in a fresh region. */
static void pb_subgroup_operands(cpu *k, const vy_cx *x) {
  if (!x) return;
  pb_subgroup_operands(k, x->a);
  pb_subgroup_operands(k, x->b);
  pb_subgroup_operands(k, x->c);
  for (uint32_t i = 0; i < x->argc; i++) pb_subgroup_operands(k, x->args[i]);
  if (is_subgroup_kind(x->kind)) {
    uint32_t r = ++k->nregions;
    pb_expr(k, x->a, r);
    pb_expr(k, x->b, r);
  }
}

static void pb_list(cpu *k, pbstate *s, const vy_cl *l, bool scoped);

/* An invocation-level statement in `region`. */
static void pb_inv(cpu *k, pbstate *s, const vy_cn *n, uint32_t region) {
  pb_expr(k, n->e0, region);
  pb_expr(k, n->e1, region);
  pb_expr(k, n->e2, region);
  uint32_t mark = s->n;
  cinfo *ci = info_of(k, n);
  switch (n->kind) {
  case VY_NODE_LET:
    if (ci) ci->region = region;
    pb_bind(k, s, n->slot, n);
    break;
  case VY_NODE_ASSIGN:
    pb_use(k, n->slot, region, true);
    break;
  case VY_NODE_IF:
    for (uint32_t i = 0; i < n->body.count; i++) pb_inv(k, s, &n->body.items[i], region);
    pb_unbind_to(k, s, mark);
    for (uint32_t i = 0; i < n->body2.count; i++) pb_inv(k, s, &n->body2.items[i], region);
    pb_unbind_to(k, s, mark);
    break;
  case VY_NODE_LOOP:
    if (ci) ci->region = region;
    pb_bind(k, s, n->slot, n);
    for (uint32_t i = 0; i < n->body.count; i++) pb_inv(k, s, &n->body.items[i], region);
    pb_unbind_to(k, s, mark);
    break;
  case VY_NODE_BLOCK:
  case VY_NODE_REGION:
    for (uint32_t i = 0; i < n->body.count; i++) pb_inv(k, s, &n->body.items[i], region);
    pb_unbind_to(k, s, mark);
    break;
  default:
    break;
  }
}

static void pb_list(cpu *k, pbstate *s, const vy_cl *l, bool scoped) {
  uint32_t mark = s->n, region = 0;
  for (uint32_t i = 0; i < l->count && vy_lw_ok(&k->w); i++) {
    const vy_cn *n = &l->items[i];
    cinfo *ci = info_of(k, n);
    if (!ci->wg) {
      if (!region) region = ++k->nregions;
      pb_inv(k, s, n, region);
      continue;
    }
    region = 0;
    if (ci->hoist) { /* a region of its own, at workgroup level */
      pb_inv(k, s, n, ++k->nregions);
      continue;
    }
    if (ci->sg_head) {
      pb_subgroup_operands(k, n->e0);
      pb_subgroup_operands(k, n->e1);
      pb_subgroup_operands(k, n->e2);
    }
    switch (ci->inner || ci->interchange || n->kind == VY_NODE_BARRIER ? n->kind : VY_NODE_LET) {
    case VY_NODE_BARRIER:
      break;
    case VY_NODE_BLOCK:
    case VY_NODE_REGION:
      pb_list(k, s, &n->body, true);
      break;
    case VY_NODE_IF: {
      uint32_t r = ++k->nregions;
      pb_expr(k, n->e0, r);
      pb_list(k, s, &n->body, true);
      pb_list(k, s, &n->body2, true);
      break;
    }
    case VY_NODE_LOOP: {
      uint32_t r = ++k->nregions, m2 = s->n;
      pb_expr(k, n->e0, r);
      pb_expr(k, n->e1, r);
      ci->region = 0; /* uniform */
      pb_bind(k, s, n->slot, n);
      pb_list(k, s, &n->body, false);
      pb_unbind_to(k, s, m2);
      break;
    }
    default: /* a statement with a subgroup op joins a fresh region */
      region = ++k->nregions;
      pb_inv(k, s, n, region);
      break;
    }
  }
  if (scoped) pb_unbind_to(k, s, mark);
}

/* ---- private atomics ---- */

static bool commutative_atomic(vy_atomic_op op) {
  return op == VY_ATOMIC_ADD || op == VY_ATOMIC_OR || op == VY_ATOMIC_AND || op == VY_ATOMIC_XOR ||
         op == VY_ATOMIC_MIN || op == VY_ATOMIC_MAX || op == VY_ATOMIC_LRU_UPDATE;
}

/* lru_update is max (§4.5): one kind for both. */
static uint8_t atomic_kind(vy_atomic_op op) { return (uint8_t)(op == VY_ATOMIC_LRU_UPDATE ? VY_ATOMIC_MAX : op); }

static void priv_expr(cpu *k, const vy_cx *x, bool unused) {
  if (!x) return;
  if ((x->kind == VY_EXPR_LOAD || x->kind == VY_EXPR_ATOMIC) && x->ref != VY_IX_NONE && x->ref < k->w.pp->nbufs) {
    privbuf *pb = &k->priv[x->ref];
    if (x->kind == VY_EXPR_LOAD) pb->bad = true;
    if (x->kind == VY_EXPR_ATOMIC) {
      vy_atomic_op op = (vy_atomic_op)x->op;
      if (!unused || !commutative_atomic(op) || x->b || (pb->used && pb->op != atomic_kind(op))) pb->bad = true;
      pb->used = true;
      pb->op = atomic_kind(op);
    }
  }
  priv_expr(k, x->a, false);
  priv_expr(k, x->b, false);
  priv_expr(k, x->c, false);
  priv_expr(k, x->d, false);
  for (uint32_t i = 0; i < x->argc; i++) priv_expr(k, x->args[i], false);
}

static void priv_list(cpu *k, const vy_cl *l) {
  for (uint32_t i = 0; i < l->count && vy_lw_ok(&k->w); i++) {
    const vy_cn *n = &l->items[i];
    bool let_atomic = n->kind == VY_NODE_LET && n->e0->kind == VY_EXPR_ATOMIC;
    if (let_atomic && vy_ptrvec_push(&k->priv_lets, (void *)n)) vy_lw_nomem(&k->w);
    if (n->kind == VY_NODE_STORE && n->buf != VY_IX_NONE) k->priv[n->buf].bad = true;
    if (n->kind == VY_NODE_ASYNC_LOAD || n->kind == VY_NODE_ASYNC_STORE) {
      if (n->buf != VY_IX_NONE) k->priv[n->buf].bad = true;
      if (n->buf2 != VY_IX_NONE) k->priv[n->buf2].bad = true;
    }
    priv_expr(k, n->e0, let_atomic);
    priv_expr(k, n->e1, false);
    priv_expr(k, n->e2, false);
    priv_list(k, &n->body);
    priv_list(k, &n->body2);
  }
}

/* After pre-pass B (which knows which Lets are read): the buffers to privatize. */
static void priv_decide(cpu *k) {
  const vy_program *p = k->w.p;
  for (size_t i = 0; i < k->priv_lets.count; i++) {
    const vy_cn *n = k->priv_lets.items[i];
    cinfo *ci = info_of(k, n);
    if ((!ci || ci->read) && n->e0->ref != VY_IX_NONE) k->priv[n->e0->ref].bad = true;
  }
  for (uint32_t b = 0; b < p->nbuffers; b++) {
    const vy_buffer_decl *d = &p->buffers[b];
    privbuf *pb = &k->priv[b];
    bool fixed = d->access != VY_ACCESS_WORKGROUP && vy_buffer_is_backend_allocated(d) && d->count > 0 &&
                 d->count <= PRIV_MAX_WORDS && vy_type_min_bytes(&d->element) == 4;
    pb->used = pb->used && !pb->bad && fixed;
  }
}

/* ---- pre-pass D: workgroup buffers whose f32 stores skip canonicalization ---- */

/* Clears raw[b] for every buffer an atomic in x touches; false when x holds
 * something whose buffer use is not known here. */
static bool raw_expr(const vy_cx *x, uint32_t nbufs, bool *raw) {
  if (!x) return true;
  if (x->kind == VY_EXPR_OPAQUE) return false;
  if (x->kind == VY_EXPR_ATOMIC && x->ref < nbufs) raw[x->ref] = false;
  bool ok = raw_expr(x->a, nbufs, raw) && raw_expr(x->b, nbufs, raw) && raw_expr(x->c, nbufs, raw) &&
            raw_expr(x->d, nbufs, raw);
  for (uint32_t i = 0; ok && i < x->argc; i++) ok = raw_expr(x->args[i], nbufs, raw);
  return ok;
}

/* The same over a statement list; only statements that touch buffers
 * through Loads, Stores and atomics are accepted (async copies, for one,
 * would move the stored bytes as they are). */
static bool raw_list(const vy_cl *l, uint32_t nbufs, bool *raw) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_cn *n = &l->items[i];
    switch (n->kind) {
    case VY_NODE_LET:
    case VY_NODE_ASSIGN:
    case VY_NODE_STORE:
    case VY_NODE_IF:
    case VY_NODE_LOOP:
    case VY_NODE_RETURN:
    case VY_NODE_BLOCK:
    case VY_NODE_BARRIER:
    case VY_NODE_REGION:
    case VY_NODE_TRAP:
      break;
    default:
      return false;
    }
    if (!raw_expr(n->e0, nbufs, raw) || !raw_expr(n->e1, nbufs, raw) || !raw_expr(n->e2, nbufs, raw) ||
        !raw_list(&n->body, nbufs, raw) || !raw_list(&n->body2, nbufs, raw))
      return false;
  }
  return true;
}

/* Workgroup memory is scratch that only this workgroup's Loads read back,
 * and Loads carry f32 values uncanonicalized anyway (canonicalized where
 * observed, lower_int.h), so an f32 workgroup buffer that no atomic or
 * async copy touches stores floats as they are: the canonicalization at
 * such a store is work whose result nobody sees. */
static void raw_decide(cpu *k) {
  const vy_program *p = k->w.p;
  if (p->nbuffers == 0) return;
  bool *raw = vy_arena_array(&k->w.arena, p->nbuffers, sizeof *raw);
  if (!raw) {
    vy_lw_nomem(&k->w);
    return;
  }
  for (uint32_t b = 0; b < p->nbuffers; b++)
    raw[b] = p->buffers[b].access == VY_ACCESS_WORKGROUP && p->buffers[b].element.kind == VY_TYPE_F32;
  if (raw_list(&k->w.pp->entry, p->nbuffers, raw)) k->w.raw_f32 = raw;
}

uint32_t vy_cpu_priv_identity(uint8_t op) { return op == VY_ATOMIC_AND || op == VY_ATOMIC_MIN ? UINT32_MAX : 0; }

void vy_cpu_plan(cpu *k) {
  vy_lw *w = &k->w;
  const vy_interp_prepared *pp = w->pp;
  if (vy_lw_ok(w)) {
    pbstate s = {0};
    assigned_slots(k, &pp->entry);
    k->hoist_list = true;
    mark_list(k, &s, &pp->entry, true);
  }
  if (vy_lw_ok(w)) priv_list(k, &pp->entry);
  if (vy_lw_ok(w)) {
    pbstate s = {0};
    pb_list(k, &s, &pp->entry, false);
  }
  if (vy_lw_ok(w)) priv_decide(k);
  if (vy_lw_ok(w)) raw_decide(k);
}
