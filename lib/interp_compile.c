/* interp_compile.c - preparing a program for the reference interpreter.
 *
 * Pipeline (vyre-reference execution/mod.rs program_for_interpreter, then
 * hashmap/mod.rs run_hashmap_reference):
 *   1. top-level Region checks (§4.1): an empty entry or one whose first node
 *      is a Store is refused; any other non-Region entry is wrapped in one
 *      Region "vyre.program.root";
 *   2. single-rank collective lowering (§2.1): WORLD AllReduce and
 *      Broadcast(root 0) vanish, AllGather / ReduceScatter become a guarded
 *      copy; other groups or roots are refused;
 *   3. validation with vyre's default options plus subgroup support (and
 *      the host registry for Call checks);
 *   4. compilation to vy_cn / vy_cx trees where every variable is a slot (one
 *      per distinct name: shadowing is a runtime error in vyre, so at most one
 *      binding of a name is live at a time), every buffer an index, every
 *      host op an index, every If containing a Barrier a dense id.
 */
#include <stdio.h>
#include <string.h>

#include "error_int.h"
#include "interp_int.h"
#include "program_int.h"
#include "vyre/validate.h"

#define MAX_COMPILE_DEPTH 4096u /* safety net below the validator's limits */

/* ---- 1 + 2: wrapping and collective lowering ---- */

static bool has_collective(const vy_node_list *l) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_node *n = l->items[i];
    switch (n->kind) {
    case VY_NODE_ALL_REDUCE:
    case VY_NODE_ALL_GATHER:
    case VY_NODE_REDUCE_SCATTER:
    case VY_NODE_BROADCAST: return true;
    case VY_NODE_IF:
      if (has_collective(&n->u.if_.then_body) || has_collective(&n->u.if_.else_body)) return true;
      break;
    case VY_NODE_LOOP:
      if (has_collective(&n->u.loop.body)) return true;
      break;
    case VY_NODE_BLOCK:
      if (has_collective(&n->u.block)) return true;
      break;
    case VY_NODE_REGION:
      if (has_collective(&n->u.region.body)) return true;
      break;
    default: break;
    }
  }
  return false;
}

typedef struct lower_ctx {
  vy_program *dst;
  uint32_t next_k; /* __vyre_single_rank_collective_idx_K */
  vy_error *err;
  vy_status st;
} lower_ctx;

static bool lower_list(lower_ctx *c, const vy_node_list *src, vy_node_list *out, unsigned depth);

static const vy_expr *mk_expr(lower_ctx *c, vy_expr_kind k) {
  vy_expr *e = vy_expr_new(c->dst, k);
  if (!e) c->st = vy_error_nomem(c->err);
  return e;
}

/* Appends the two statements the single-rank AllGather / ReduceScatter lower to. */
static bool lower_copy(lower_ctx *c, vy_str input, vy_str output, vy_ptrvec *v) {
  char name[64];
  int n = snprintf(name, sizeof name, "__vyre_single_rank_collective_idx_%u", c->next_k++);
  vy_node *let = vy_node_new(c->dst, VY_NODE_LET);
  vy_node *outer = vy_node_new(c->dst, VY_NODE_IF), *inner = vy_node_new(c->dst, VY_NODE_IF);
  vy_node *store = vy_node_new(c->dst, VY_NODE_STORE);
  vy_expr *gid = (vy_expr *)mk_expr(c, VY_EXPR_INVOCATION_ID);
  vy_expr *c1 = (vy_expr *)mk_expr(c, VY_EXPR_BIN_OP), *c2 = (vy_expr *)mk_expr(c, VY_EXPR_BIN_OP);
  vy_expr *v1 = (vy_expr *)mk_expr(c, VY_EXPR_VAR), *v2 = (vy_expr *)mk_expr(c, VY_EXPR_VAR);
  vy_expr *v3 = (vy_expr *)mk_expr(c, VY_EXPR_VAR), *v4 = (vy_expr *)mk_expr(c, VY_EXPR_VAR);
  vy_expr *l1 = (vy_expr *)mk_expr(c, VY_EXPR_BUF_LEN), *l2 = (vy_expr *)mk_expr(c, VY_EXPR_BUF_LEN);
  vy_expr *ld = (vy_expr *)mk_expr(c, VY_EXPR_LOAD);
  const vy_node **one_a = vy_arena_alloc(&c->dst->arena, sizeof *one_a);
  const vy_node **one_b = vy_arena_alloc(&c->dst->arena, sizeof *one_b);
  vy_str nm;
  if (!let || !outer || !inner || !store || !gid || !c1 || !c2 || !v1 || !v2 || !v3 || !v4 || !l1 || !l2 || !ld ||
      !one_a || !one_b || !vy_str_make(c->dst, name, (size_t)n, &nm)) {
    c->st = vy_error_nomem(c->err);
    return false;
  }
  gid->u.axis = 0;
  v1->u.var = v2->u.var = v3->u.var = v4->u.var = nm;
  let->u.let.name = nm;
  let->u.let.value = gid;
  l1->u.buf_len = output;
  l2->u.buf_len = input;
  c1->u.bin.op = c2->u.bin.op = VY_BINOP_LT;
  c1->u.bin.left = v1;
  c1->u.bin.right = l1;
  c2->u.bin.left = v2;
  c2->u.bin.right = l2;
  ld->u.load.buffer = input;
  ld->u.load.index = v4;
  store->u.store.buffer = output;
  store->u.store.index = v3;
  store->u.store.value = ld;
  one_b[0] = store;
  inner->u.if_.cond = c2;
  inner->u.if_.then_body = (vy_node_list){1, one_b};
  one_a[0] = inner;
  outer->u.if_.cond = c1;
  outer->u.if_.then_body = (vy_node_list){1, one_a};
  if (vy_ptrvec_push(v, let) || vy_ptrvec_push(v, outer)) {
    c->st = vy_error_nomem(c->err);
    return false;
  }
  return true;
}

static bool collective_group_err(lower_ctx *c, const char *what, uint32_t group) {
  c->st = vy_error_set(c->err, VY_E_INVALID_PROGRAM,
                       "%s on communication group %u cannot run on the single-rank reference interpreter. Fix: use "
                       "the WORLD group (0) or run the program on a distributed backend",
                       what, group);
  return false;
}

static bool lower_node(lower_ctx *c, const vy_node *n, vy_ptrvec *v, unsigned depth) {
  vy_node *copy;
  switch (n->kind) {
  case VY_NODE_ALL_REDUCE:
    if (n->u.all_reduce.group != 0) return collective_group_err(c, "AllReduce", n->u.all_reduce.group);
    return true;
  case VY_NODE_BROADCAST:
    if (n->u.broadcast.group != 0) return collective_group_err(c, "Broadcast", n->u.broadcast.group);
    if (n->u.broadcast.root != 0) {
      c->st = vy_error_set(c->err, VY_E_INVALID_PROGRAM,
                           "Broadcast from root %u cannot run on a single rank. Fix: broadcast from root 0",
                           n->u.broadcast.root);
      return false;
    }
    return true;
  case VY_NODE_ALL_GATHER:
    if (n->u.all_gather.group != 0) return collective_group_err(c, "AllGather", n->u.all_gather.group);
    return lower_copy(c, n->u.all_gather.input, n->u.all_gather.output, v);
  case VY_NODE_REDUCE_SCATTER:
    if (n->u.reduce_scatter.group != 0) return collective_group_err(c, "ReduceScatter", n->u.reduce_scatter.group);
    return lower_copy(c, n->u.reduce_scatter.input, n->u.reduce_scatter.output, v);
  case VY_NODE_IF:
  case VY_NODE_LOOP:
  case VY_NODE_BLOCK:
  case VY_NODE_REGION:
    copy = vy_node_new(c->dst, n->kind);
    if (!copy) {
      c->st = vy_error_nomem(c->err);
      return false;
    }
    *copy = *n;
    if (n->kind == VY_NODE_IF) {
      if (!lower_list(c, &n->u.if_.then_body, &copy->u.if_.then_body, depth + 1) ||
          !lower_list(c, &n->u.if_.else_body, &copy->u.if_.else_body, depth + 1))
        return false;
    } else if (n->kind == VY_NODE_LOOP) {
      if (!lower_list(c, &n->u.loop.body, &copy->u.loop.body, depth + 1)) return false;
    } else if (n->kind == VY_NODE_BLOCK) {
      if (!lower_list(c, &n->u.block, &copy->u.block, depth + 1)) return false;
    } else if (!lower_list(c, &n->u.region.body, &copy->u.region.body, depth + 1)) {
      return false;
    }
    n = copy;
    break;
  default: break;
  }
  if (vy_ptrvec_push(v, (void *)n)) {
    c->st = vy_error_nomem(c->err);
    return false;
  }
  return true;
}

static bool lower_list(lower_ctx *c, const vy_node_list *src, vy_node_list *out, unsigned depth) {
  if (depth > MAX_COMPILE_DEPTH) {
    c->st = vy_error_set(c->err, VY_E_INVALID_PROGRAM,
                         "statements are nested more than %u deep. Fix: flatten the program", MAX_COMPILE_DEPTH);
    return false;
  }
  if (!has_collective(src)) {
    *out = *src;
    return true;
  }
  vy_ptrvec v;
  vy_ptrvec_init(&v, c->dst->alloc);
  bool ok = true;
  for (uint32_t i = 0; ok && i < src->count; i++) ok = lower_node(c, src->items[i], &v, depth);
  if (ok && !vy_node_list_from_vec(c->dst, &v, out)) {
    c->st = vy_error_nomem(c->err);
    ok = false;
  }
  vy_ptrvec_free(&v);
  return ok;
}

/* Builds the program that runs: `p` itself when nothing changes, else a
 * derived program (returned in *derived) sharing p's expressions and buffer
 * payloads. */
static vy_status program_for_interpreter(const vy_program *p, const vy_allocator *alloc, vy_program **derived,
                                         vy_error *err) {
  *derived = NULL;
  bool wrap = !vy_program_is_region_wrapped(p);
  if (wrap) {
    if (p->entry.count == 0)
      return vy_error_set(err, VY_E_INVALID_PROGRAM,
                          "program entry is empty. Fix: build the program with Program::wrapped (vy_builder_finish "
                          "with VY_FINISH_WRAPPED) so the body sits in a root Region");
    if (p->entry.items[0]->kind == VY_NODE_STORE)
      return vy_error_set(err, VY_E_INVALID_PROGRAM,
                          "program entry starts with a top-level Store outside any Region. Fix: wrap the body in a "
                          "Region (VY_FINISH_WRAPPED)");
  }
  bool lower = has_collective(&p->entry);
  if (!wrap && !lower) return VY_OK;
  vy_program *d = vy_program_new(alloc);
  if (!d) return vy_error_nomem(err);
  d->has_entry_op_id = p->has_entry_op_id;
  d->entry_op_id = p->entry_op_id;
  memcpy(d->workgroup_size, p->workgroup_size, sizeof d->workgroup_size);
  d->non_composable_with_self = p->non_composable_with_self;
  d->nbuffers = p->nbuffers;
  if (p->nbuffers) {
    d->buffers = vy_arena_array(&d->arena, p->nbuffers, sizeof *d->buffers);
    if (!d->buffers) {
      vy_program_destroy(d);
      return vy_error_nomem(err);
    }
    memcpy(d->buffers, p->buffers, p->nbuffers * sizeof *d->buffers);
  }
  d->entry = p->entry;
  if (wrap && !vy_program_wrap_entry(d)) {
    vy_program_destroy(d);
    return vy_error_nomem(err);
  }
  lower_ctx lc = {.dst = d, .err = err, .st = VY_OK};
  vy_node_list entry = d->entry;
  if (lower && !lower_list(&lc, &entry, &d->entry, 0)) {
    vy_program_destroy(d);
    return lc.st;
  }
  *derived = d;
  return VY_OK;
}

/* ---- 3: validation ---- */

static vy_status run_validation(const vy_program *p, const vy_host_registry *host, const vy_allocator *alloc,
                                vy_error *err) {
  vy_validate_options o;
  vy_validate_options_default(&o);
  o.supports_subgroup_ops = true; /* vyre-reference's default feature `subgroup-ops` */
  o.host_ops = host;
  vy_diagnostics *d = NULL;
  vy_status st = vy_validate(p, &o, alloc, &d, err);
  if (st != VY_OK) return st;
  if (vy_diagnostics_error_count(d) == 0) {
    vy_diagnostics_destroy(d);
    return VY_OK;
  }
  /* vyre's form: "program failed IR validation: msg1; msg2 ...". Each
   * diagnostic already ends with its own Fix: hint; only a list cut short
   * gets a closing hint of its own. */
  const char *tail = "; ... Fix: run `vyre-jit validate` for the full list";
  char msg[VY_ERROR_MESSAGE_MAX];
  size_t room = sizeof msg - strlen(tail) - 1;
  size_t used = (size_t)snprintf(msg, sizeof msg, "program failed IR validation: ");
  bool first = true, cut = false;
  vy_srcloc loc = {0, 0};
  for (size_t i = 0; i < vy_diagnostics_count(d); i++) {
    const vy_diagnostic *g = vy_diagnostics_get(d, i);
    if (g->warning) continue;
    if (first) loc = g->loc;
    int n = snprintf(msg + used, room - used, "%s%s %s", first ? "" : "; ", g->code, g->message);
    if (n < 0 || (size_t)n >= room - used) {
      cut = true;
      break;
    }
    used += (size_t)n;
    first = false;
  }
  vy_diagnostics_destroy(d);
  if (cut) snprintf(msg + used, sizeof msg - used, "%s", tail);
  vy_error_set_at(err, VY_E_INVALID_PROGRAM, loc.line, loc.col, "%s", msg);
  return VY_E_INVALID_PROGRAM;
}

/* ---- 4: compilation ---- */

typedef struct name_table {
  vy_str *names;
  uint32_t *slots; /* hash table of name indices, VY_IX_NONE = empty */
  uint32_t count, cap, hcap;
} name_table;

typedef struct cctx {
  vy_interp_prepared *pp;
  vy_arena *ar;
  name_table vars, tags;
  uint32_t nifs, max_frames;
  vy_ptrvec ifs; /* vy_cn* of Ifs that contain a Barrier, by id */
  bool subgroups;
  vy_error *err;
  vy_status st;
} cctx;

static uint32_t hash_str(vy_str s) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < s.len; i++) h = (h ^ (uint8_t)s.ptr[i]) * 16777619u;
  return h;
}

static bool cfail_nomem(cctx *c) {
  if (c->st == VY_OK) c->st = vy_error_nomem(c->err);
  return false;
}

/* Interns `s`; returns its id or VY_IX_NONE on OOM. */
static uint32_t intern(cctx *c, name_table *t, vy_str s) {
  if (t->count * 2 >= t->hcap) {
    uint32_t ncap = t->hcap ? t->hcap * 2 : 64;
    uint32_t *slots = vy_arena_array(c->ar, ncap, sizeof *slots);
    vy_str *names = vy_arena_array(c->ar, ncap / 2, sizeof *names);
    if (!slots || !names) return cfail_nomem(c), VY_IX_NONE;
    memset(slots, 0xFF, ncap * sizeof *slots);
    if (t->count) memcpy(names, t->names, t->count * sizeof *names);
    for (uint32_t i = 0; i < t->count; i++) {
      uint32_t h = hash_str(names[i]) & (ncap - 1);
      while (slots[h] != VY_IX_NONE) h = (h + 1) & (ncap - 1);
      slots[h] = i;
    }
    t->slots = slots;
    t->names = names;
    t->hcap = ncap;
  }
  uint32_t h = hash_str(s) & (t->hcap - 1);
  while (t->slots[h] != VY_IX_NONE) {
    if (vy_str_eq(t->names[t->slots[h]], s)) return t->slots[h];
    h = (h + 1) & (t->hcap - 1);
  }
  t->names[t->count] = s;
  t->slots[h] = t->count;
  return t->count++;
}

/* Storage buffers first, then workgroup ones (memory.rs resolve_buffer). */
static uint32_t find_buffer(const vy_program *p, vy_str name) {
  for (int pass = 0; pass < 2; pass++)
    for (uint32_t i = 0; i < p->nbuffers; i++)
      if ((p->buffers[i].access == VY_ACCESS_WORKGROUP) == (pass == 1) && vy_str_eq(p->buffers[i].name, name)) return i;
  return VY_IX_NONE;
}

static bool is_subgroup_call(vy_str id) {
  static const char *const pats[] = {"subgroup_", "::subgroup", "wave_", "::wave::", "warp_", "::warp::"};
  for (size_t k = 0; k < sizeof pats / sizeof *pats; k++) {
    size_t n = strlen(pats[k]);
    for (size_t i = 0; i + n <= id.len; i++)
      if (memcmp(id.ptr + i, pats[k], n) == 0) return true;
  }
  return false;
}

static const vy_cx *cexpr(cctx *c, const vy_expr *e, unsigned depth);

static bool cexprs(cctx *c, const vy_expr *e, vy_cx *x, unsigned depth) {
  const vy_program *p = c->pp->program;
  switch (e->kind) {
  case VY_EXPR_LIT_U32: x->lit = vy_iv_u32(e->u.lit_u32); return true;
  case VY_EXPR_LIT_I32: x->lit = vy_iv_i32(e->u.lit_i32); return true;
  case VY_EXPR_LIT_BOOL: x->lit = vy_iv_bool(e->u.lit_bool); return true;
  case VY_EXPR_LIT_F32: x->lit = vy_iv_float((double)vy_f32_canon(vy_f32_from_bits(e->u.lit_f32_bits))); return true;
  case VY_EXPR_VAR: return (x->ref = intern(c, &c->vars, e->u.var)) != VY_IX_NONE;
  case VY_EXPR_LOAD:
    x->ref = find_buffer(p, e->u.load.buffer);
    return (x->a = cexpr(c, e->u.load.index, depth + 1)) != NULL;
  case VY_EXPR_BUF_LEN: x->ref = find_buffer(p, e->u.buf_len); return true;
  case VY_EXPR_INVOCATION_ID:
  case VY_EXPR_WORKGROUP_ID:
  case VY_EXPR_LOCAL_ID: x->axis = e->u.axis; return true;
  case VY_EXPR_BIN_OP:
    x->op = (uint8_t)e->u.bin.op;
    return (x->a = cexpr(c, e->u.bin.left, depth + 1)) && (x->b = cexpr(c, e->u.bin.right, depth + 1));
  case VY_EXPR_UN_OP: x->op = (uint8_t)e->u.un.op; return (x->a = cexpr(c, e->u.un.operand, depth + 1)) != NULL;
  case VY_EXPR_CALL: {
    if (is_subgroup_call(e->u.call.op_id)) c->subgroups = true;
    x->ref = vy_host_find(c->pp->host, e->u.call.op_id.ptr, e->u.call.op_id.len);
    x->argc = e->u.call.argc;
    if (!x->argc) return true;
    const vy_cx **args = vy_arena_array(c->ar, x->argc, sizeof *args);
    if (!args) return cfail_nomem(c);
    for (uint32_t i = 0; i < x->argc; i++)
      if (!(args[i] = cexpr(c, e->u.call.args[i], depth + 1))) return false;
    x->args = args;
    return true;
  }
  case VY_EXPR_SELECT:
    return (x->a = cexpr(c, e->u.select.cond, depth + 1)) && (x->b = cexpr(c, e->u.select.if_true, depth + 1)) &&
           (x->c = cexpr(c, e->u.select.if_false, depth + 1));
  case VY_EXPR_CAST: return (x->a = cexpr(c, e->u.cast.value, depth + 1)) != NULL;
  case VY_EXPR_ATOMIC:
    x->op = (uint8_t)e->u.atomic.op;
    x->ref = find_buffer(p, e->u.atomic.buffer);
    if (!(x->a = cexpr(c, e->u.atomic.index, depth + 1))) return false;
    if (e->u.atomic.expected && !(x->b = cexpr(c, e->u.atomic.expected, depth + 1))) return false;
    return (x->c = cexpr(c, e->u.atomic.value, depth + 1)) != NULL;
  case VY_EXPR_FMA:
    return (x->a = cexpr(c, e->u.fma.a, depth + 1)) && (x->b = cexpr(c, e->u.fma.b, depth + 1)) &&
           (x->c = cexpr(c, e->u.fma.c, depth + 1));
  case VY_EXPR_SUBGROUP_ADD: c->subgroups = true; return (x->a = cexpr(c, e->u.subgroup_add, depth + 1)) != NULL;
  case VY_EXPR_SUBGROUP_BALLOT:
    c->subgroups = true;
    return (x->a = cexpr(c, e->u.subgroup_ballot, depth + 1)) != NULL;
  case VY_EXPR_SUBGROUP_SHUFFLE:
    c->subgroups = true;
    return (x->a = cexpr(c, e->u.shuffle.value, depth + 1)) && (x->b = cexpr(c, e->u.shuffle.lane, depth + 1));
  case VY_EXPR_SUBGROUP_LOCAL_ID:
  case VY_EXPR_SUBGROUP_SIZE: c->subgroups = true; return true;
  case VY_EXPR_OPAQUE:
  case VY_EXPR_COUNT: return true; /* runtime error when evaluated */
  }
  return true;
}

static const vy_cx *cexpr(cctx *c, const vy_expr *e, unsigned depth) {
  if (!e) {
    if (c->st == VY_OK)
      c->st = vy_error_set(c->err, VY_E_INVALID_PROGRAM, "expression is missing (NULL operand). Fix: build it fully");
    return NULL;
  }
  if (depth > MAX_COMPILE_DEPTH) {
    if (c->st == VY_OK)
      c->st = vy_error_set(c->err, VY_E_INVALID_PROGRAM,
                           "expression nested more than %u deep. Fix: split it with Lets", MAX_COMPILE_DEPTH);
    return NULL;
  }
  vy_cx *x = vy_arena_alloc(c->ar, sizeof *x);
  if (!x) return cfail_nomem(c), NULL;
  x->kind = e->kind;
  x->src = e;
  x->ref = VY_IX_NONE;
  return cexprs(c, e, x, depth) ? x : NULL;
}

static bool clist(cctx *c, const vy_node_list *l, vy_cl *out, const vy_cn *parent, uint8_t which, uint32_t height,
                  bool *has_barrier);

static bool cnode(cctx *c, const vy_node *n, vy_cn *x, uint32_t height, bool *has_barrier) {
  const vy_program *p = c->pp->program;
  x->kind = n->kind;
  x->src = n;
  x->slot = x->buf = x->buf2 = x->tag = x->if_id = VY_IX_NONE;
  bool inner = false;
  switch (n->kind) {
  case VY_NODE_LET:
  case VY_NODE_ASSIGN:
    if ((x->slot = intern(c, &c->vars, n->u.let.name)) == VY_IX_NONE) return false;
    return (x->e0 = cexpr(c, n->u.let.value, 0)) != NULL;
  case VY_NODE_STORE:
    x->buf = find_buffer(p, n->u.store.buffer);
    return (x->e0 = cexpr(c, n->u.store.index, 0)) && (x->e1 = cexpr(c, n->u.store.value, 0));
  case VY_NODE_IF:
    if (!(x->e0 = cexpr(c, n->u.if_.cond, 0))) return false;
    if (!clist(c, &n->u.if_.then_body, &x->body, x, 1, height + 1, &inner) ||
        !clist(c, &n->u.if_.else_body, &x->body2, x, 2, height + 1, &inner))
      return false;
    if (inner) {
      x->if_id = c->nifs++;
      if (vy_ptrvec_push(&c->ifs, x)) return cfail_nomem(c);
      *has_barrier = true;
    }
    return true;
  case VY_NODE_LOOP:
    if ((x->slot = intern(c, &c->vars, n->u.loop.var)) == VY_IX_NONE) return false;
    if (!(x->e0 = cexpr(c, n->u.loop.from, 0)) || !(x->e1 = cexpr(c, n->u.loop.to, 0))) return false;
    return clist(c, &n->u.loop.body, &x->body, x, 0, height + 2, has_barrier);
  case VY_NODE_BLOCK: return clist(c, &n->u.block, &x->body, x, 0, height + 1, has_barrier);
  case VY_NODE_REGION: return clist(c, &n->u.region.body, &x->body, x, 0, height + 1, has_barrier);
  case VY_NODE_BARRIER: *has_barrier = true; return true;
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
    x->buf = find_buffer(p, n->u.async_copy.source);
    x->buf2 = find_buffer(p, n->u.async_copy.destination);
    if ((x->tag = intern(c, &c->tags, n->u.async_copy.tag)) == VY_IX_NONE) return false;
    return (x->e0 = cexpr(c, n->u.async_copy.offset, 0)) && (x->e1 = cexpr(c, n->u.async_copy.size, 0));
  case VY_NODE_ASYNC_WAIT: return (x->tag = intern(c, &c->tags, n->u.tag)) != VY_IX_NONE;
  case VY_NODE_TRAP: return (x->e0 = cexpr(c, n->u.trap.address, 0)) != NULL;
  default: return true; /* Return, IndirectDispatch, Resume, collectives, Opaque: no operands to compile */
  }
}

static bool clist(cctx *c, const vy_node_list *l, vy_cl *out, const vy_cn *parent, uint8_t which, uint32_t height,
                  bool *has_barrier) {
  if (height > MAX_COMPILE_DEPTH) {
    if (c->st == VY_OK)
      c->st = vy_error_set(c->err, VY_E_INVALID_PROGRAM, "statements nested more than %u deep. Fix: flatten them",
                           MAX_COMPILE_DEPTH);
    return false;
  }
  if (height + 1 > c->max_frames) c->max_frames = height + 1;
  out->count = l->count;
  if (!l->count) return true;
  vy_cn *items = vy_arena_array(c->ar, l->count, sizeof *items);
  if (!items) return cfail_nomem(c);
  uint32_t nlet = 0;
  for (uint32_t i = 0; i < l->count; i++) nlet += l->items[i]->kind == VY_NODE_LET;
  uint32_t *bind = nlet ? vy_arena_array(c->ar, nlet, sizeof *bind) : NULL;
  if (nlet && !bind) return cfail_nomem(c);
  uint32_t k = 0;
  for (uint32_t i = 0; i < l->count; i++) {
    items[i].parent = parent;
    items[i].index = i;
    items[i].which = which;
    if (!l->items[i]) {
      if (c->st == VY_OK)
        c->st = vy_error_set(c->err, VY_E_INVALID_PROGRAM, "statement list holds a NULL node. Fix: build it fully");
      return false;
    }
    if (!cnode(c, l->items[i], &items[i], height, has_barrier)) return false;
    if (items[i].kind == VY_NODE_LET) bind[k++] = items[i].slot;
  }
  out->items = items;
  out->nbind = nlet;
  out->bind = bind;
  return true;
}

void vy_interp_prepared_destroy(vy_interp_prepared *pp) {
  if (!pp) return;
  const vy_allocator *a = pp->alloc;
  vy_program_destroy(pp->derived);
  vy_arena_free_all(&pp->arena);
  vy_mem_free(a, pp, sizeof *pp);
}

vy_status vy_interp_prepare(const vy_program *p, const vy_host_registry *host, const vy_allocator *alloc,
                            vy_interp_prepared **out, vy_error *err) {
  return vy_interp_prepare_ex(p, host, alloc, true, out, err);
}

vy_status vy_interp_prepare_ex(const vy_program *p, const vy_host_registry *host, const vy_allocator *alloc,
                               bool validate, vy_interp_prepared **out, vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_interp_prepare: out is NULL. Fix: pass a pointer");
  *out = NULL;
  if (!p) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_interp_prepare: program is NULL. Fix: pass a program");
  vy_interp_prepared *pp = vy_mem_calloc(alloc, 1, sizeof *pp);
  if (!pp) return vy_error_nomem(err);
  if (alloc) {
    pp->alloc_copy = *alloc;
    pp->alloc = &pp->alloc_copy;
  }
  vy_arena_init(&pp->arena, pp->alloc);
  pp->user_alloc = alloc;
  pp->host = host;
  vy_status st = program_for_interpreter(p, pp->alloc, &pp->derived, err);
  if (st == VY_OK) {
    pp->program = pp->derived ? pp->derived : p;
    if (validate) st = run_validation(pp->program, host, pp->alloc, err);
  }
  if (st == VY_OK) {
    cctx c = {.pp = pp, .ar = &pp->arena, .err = err, .st = VY_OK};
    vy_ptrvec_init(&c.ifs, pp->alloc);
    bool dummy = false;
    if (!clist(&c, &pp->program->entry, &pp->entry, NULL, 0, 0, &dummy) && c.st == VY_OK) c.st = vy_error_nomem(err);
    if (c.st == VY_OK && c.nifs) {
      const vy_cn **ifs = vy_arena_array(&pp->arena, c.nifs, sizeof *ifs);
      if (ifs)
        memcpy(ifs, c.ifs.items, c.nifs * sizeof *ifs);
      else
        c.st = vy_error_nomem(err);
      pp->if_nodes = ifs;
    }
    vy_ptrvec_free(&c.ifs);
    st = c.st;
    pp->nslots = c.vars.count;
    pp->slot_names = c.vars.names;
    pp->ntags = c.tags.count;
    pp->tag_names = c.tags.names;
    pp->nbarrier_ifs = c.nifs;
    pp->max_frames = c.max_frames ? c.max_frames : 1;
    pp->uses_subgroups = c.subgroups;
    pp->nbufs = pp->program->nbuffers;
  }
  if (st != VY_OK) {
    vy_interp_prepared_destroy(pp);
    return st;
  }
  *out = pp;
  return VY_OK;
}
