/* interp_exec.c - scheduling and evaluation of the reference interpreter
 * (vyre-ir.md §2.1, §2.3, §4.4-§4.7; vyre-reference hashmap/{mod,state,step,
 * node_step,sync,subgroup}.rs).
 *
 * Workgroups run one after another (z, y, x). Inside a workgroup every
 * invocation has a frame stack; each round gives every invocation that is
 * neither finished nor waiting at a barrier one step, in linear lane order.
 * A step executes one statement (for If/Loop/Block/Region: the header, which
 * pushes the body), starts one loop iteration, ends a loop, or pops an
 * exhausted scoped statement list (node_step.rs returns `Ok(scoped)` there,
 * so that pop is a step of its own; only the unscoped entry list is popped
 * for free). After each round the uniform-control records are checked and a
 * barrier is released once every live invocation waits at one.
 *
 * Variables live in slots (one per distinct name) with a live bit and an
 * immutable bit per slot, so binding, shadowing errors, assignment and scope
 * exit cost O(1) and nothing is allocated per step.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime (clock_int.h) */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock_int.h"
#include "error_int.h"
#include "interp_int.h"
#include "program_int.h"

enum { F_LIVE = 1, F_IMM = 2 };
enum { FR_NODES, FR_LOOP };

typedef struct frame {
  const vy_cl *list; /* NODES: the list; LOOP: the body */
  uint32_t idx;      /* NODES: next statement */
  uint32_t extra;    /* NODES: loop variable to unbind with the scope; LOOP: the variable */
  uint32_t next, to; /* LOOP */
  const vy_cn *node; /* LOOP: the Loop statement (error locations) */
  uint8_t kind, scoped;
} frame;

typedef struct pend {
  bool active;
  uint32_t dest;
  size_t start, len, cap;
  uint8_t *data;
} pend;

typedef struct inv {
  uint32_t gid[3], lid[3];
  uint32_t fsp;
  bool done, waiting;
  frame *frames;
  vy_ival *vals;
  uint8_t *flags;
  uint8_t *ifrec; /* per barrier-If: 1 = recorded true, 2 = recorded false */
  pend *pending;
} inv;

/* Where a value environment comes from: a live invocation or a snapshot. */
typedef struct env {
  uint32_t lane;
  vy_ival *vals;
  uint8_t *flags;
} env;

/* A word an atomic overwrote while a subgroup argument was evaluated. */
typedef struct undo {
  uint8_t *word;
  uint8_t old[4];
} undo;

typedef struct rt {
  const vy_interp_prepared *pp;
  const vy_allocator *alloc;
  vy_error *err;
  vy_status st;
  vy_ibuf *bufs;
  uint32_t wid[3];
  inv *invs;
  uint32_t ninv;
  vy_ival *snap_vals;
  uint8_t *snap_flags;
  undo *undo;        /* atomic writes inside subgroup arguments, undone per lane (ev_on_lane) */
  uint32_t nundo, capundo;
  uint32_t sg_depth; /* > 0 while a subgroup argument is evaluated */
  uint32_t *ifcnt;     /* 2 per barrier-If: live invocations that recorded true / false */
  const vy_cn **cand;  /* Ifs whose records may conflict after this round */
  uint32_t ncand;
  uint32_t nlive, nwaiting;
  uint64_t steps, budget;
  uint64_t deadline_ns; /* CLOCK_MONOTONIC time the run must end by; 0 = none */
  uint64_t used, max_bytes;
  vy_arena bytes; /* long Bytes values of the current workgroup */
  const vy_cn *cur;
  const inv *cur_inv;
  vy_interp_sched sched; /* test-only order variants; zero = vyre's order */
} rt;

/* ---- errors ---- */

void vy_interp_node_path(const vy_cn *n, char *buf, size_t cap) {
  const vy_cn *chain[80];
  size_t depth = 0;
  for (const vy_cn *c = n; c && depth < sizeof chain / sizeof *chain; c = c->parent) chain[depth++] = c;
  size_t used = 0;
  buf[0] = 0;
  for (size_t k = depth; k-- > 0 && used < cap;) {
    const vy_cn *c = chain[k];
    const char *label = k == depth - 1 && !c->parent ? "entry" : c->which == 1 ? "then" : c->which == 2 ? "else" : "body";
    used += (size_t)snprintf(buf + used, cap - used, "%s%s[%u]", used ? "." : "", label, c->index);
  }
}

static bool fail_at(rt *r, vy_status code, const vy_cx *x, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static bool fail_at(rt *r, vy_status code, const vy_cx *x, const char *fmt, ...) {
  if (r->st != VY_OK) return false;
  char what[700], path[200] = "", loc[48] = "", who[64] = "";
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  vy_srcloc sl = {0, 0};
  if (x && x->src->loc.line) sl = x->src->loc;
  else if (r->cur && r->cur->src->loc.line) sl = r->cur->src->loc;
  if (r->cur) vy_interp_node_path(r->cur, path, sizeof path);
  if (sl.line) snprintf(loc, sizeof loc, " (line %u, col %u)", sl.line, sl.col);
  if (r->cur_inv)
    snprintf(who, sizeof who, "invocation (%u,%u,%u): ", r->cur_inv->gid[0], r->cur_inv->gid[1], r->cur_inv->gid[2]);
  if (r->err) {
    vy_error_set_at(r->err, code, sl.line, sl.col, "runtime error%s%s%s: %s%s", path[0] ? " at " : "", path, loc, who,
                    what);
  }
  r->st = code;
  return false;
}

#define FAIL(r, x, ...) fail_at((r), VY_E_RUNTIME, (x), __VA_ARGS__)

static bool fail_msg(rt *r, const vy_cx *x, const vy_imsg *m) { return FAIL(r, x, "%s", m->text); }

static bool nomem(rt *r) {
  if (r->st == VY_OK) r->st = vy_error_nomem(r->err);
  return false;
}

static const uint8_t *copy_tail(void *ctx, const uint8_t *src, size_t n) {
  rt *r = ctx;
  uint64_t in_use = r->used + r->bytes.total;
  if (in_use > r->max_bytes || (uint64_t)n > r->max_bytes - in_use) return NULL;
  uint8_t *p = vy_arena_alloc(&r->bytes, n);
  if (p) memcpy(p, src, n);
  return p;
}

static bool missing_buffer(rt *r, const vy_cx *x, vy_str name) {
  return FAIL(r, x, "missing buffer `%.*s`. Fix: declare the buffer before using it", (int)name.len, name.ptr);
}

/* ---- expression evaluation ---- */

static bool ev(rt *r, const env *en, const vy_cx *x, vy_ival *out);

static bool ev_index(rt *r, const env *en, const vy_cx *x, const char *label, uint32_t *idx) {
  vy_ival v;
  if (!ev(r, en, x, &v)) return false;
  if (!vy_iv_as_u32(&v, idx))
    return FAIL(r, x, "%s cannot be represented as u32. Fix: use a non-negative scalar index within u32", label);
  return true;
}

static bool axis_value(rt *r, const vy_cx *x, const uint32_t v[3], vy_ival *out) {
  if (x->axis > 2)
    return FAIL(r, x, "invocation/workgroup ID axis %u out of range. Fix: use 0, 1, or 2", (unsigned)x->axis);
  *out = vy_iv_u32(v[x->axis]);
  return true;
}

/* The lanes [start, end) of the subgroup holding `lane` (width 32). */
static void subgroup_bounds(const rt *r, uint32_t lane, uint32_t *start, uint32_t *end) {
  *start = lane / 32 * 32;
  *end = *start + 32 < r->ninv ? *start + 32 : r->ninv;
}

/* Evaluates a subgroup argument for one lane as vyre's eval_expr_snapshot
 * does (hashmap/step.rs): with that lane's start-of-round locals, against a
 * copy of the storage and workgroup buffers. An expression changes memory
 * only through atomics, so the copy is the real memory plus an undo log of
 * the atomic writes made during this evaluation. */
static bool ev_on_lane(rt *r, uint32_t lane, const vy_cx *x, vy_ival *out) {
  size_t ns = r->pp->nslots;
  env e = {lane, r->snap_vals + (size_t)lane * ns, r->snap_flags + (size_t)lane * ns};
  uint32_t mark = r->nundo;
  r->sg_depth++;
  bool ok = ev(r, &e, x, out);
  r->sg_depth--;
  while (r->nundo > mark) {
    const undo *u = &r->undo[--r->nundo];
    memcpy(u->word, u->old, 4);
  }
  return ok;
}

static bool ev_subgroup(rt *r, const env *en, const vy_cx *x, vy_ival *out) {
  uint32_t start, end;
  subgroup_bounds(r, en->lane, &start, &end);
  vy_ival vals[32];
  if (x->kind == VY_EXPR_SUBGROUP_BALLOT) {
    uint32_t mask = 0;
    for (uint32_t j = start; j < end; j++) {
      if (!ev_on_lane(r, j, x->a, &vals[0])) return false;
      if (vy_iv_truthy(&vals[0])) mask |= 1u << (j - start);
    }
    *out = vy_iv_u32(mask);
    return true;
  }
  for (uint32_t j = start; j < end; j++)
    if (!ev_on_lane(r, j, x->a, &vals[j - start])) return false;
  uint32_t n = end - start;
  if (x->kind == VY_EXPR_SUBGROUP_ADD) {
    uint32_t sum = 0, u;
    for (uint32_t k = 0; k < n; k++) {
      if (!vy_iv_as_u32(&vals[k], &u))
        return FAIL(r, x, "subgroup_add lane value is not a u32. Fix: use a scalar u32 value");
      sum += u;
    }
    *out = vy_iv_u32(sum);
    return true;
  }
  /* shuffle: every lane's value, then every lane's source lane */
  uint32_t src[32];
  for (uint32_t j = start; j < end; j++) {
    vy_ival l;
    if (!ev_on_lane(r, j, x->b, &l)) return false;
    if (!vy_iv_as_u32(&l, &src[j - start]))
      return FAIL(r, x, "subgroup_shuffle lane index is not a u32. Fix: use a scalar u32 lane argument");
  }
  uint32_t me = en->lane % 32, s = src[me];
  bool all_u32 = true, all_f = true;
  for (uint32_t k = 0; k < n; k++) {
    all_u32 &= vals[k].kind == VY_IV_U32;
    all_f &= vals[k].kind == VY_IV_FLOAT;
  }
  if (all_u32) *out = s < n ? vals[s] : vy_iv_u32(0);
  else if (all_f) *out = s < n ? vals[s] : vy_iv_float(0.0);
  else
    return FAIL(r, x,
                "subgroup_shuffle lanes have mixed or unsupported value types. Fix: cast every lane value to the "
                "same primitive u32 or f32 type before the subgroup collective");
  return true;
}

static bool ev_call(rt *r, const env *en, const vy_cx *x, vy_ival *out) {
  vy_str id = x->src->u.call.op_id;
  if (!r->pp->host)
    return FAIL(r, x,
                "unsupported call `%.*s`: no host-op registry is installed (vyre: no DialectLookup). Fix: pass a "
                "vy_host_registry to vy_interp_prepare",
                (int)id.len, id.ptr);
  if (x->ref == VY_IX_NONE)
    return FAIL(r, x, "unsupported call `%.*s`. Fix: register the op in the host-op registry", (int)id.len, id.ptr);
  const vy_host_signature *sig = vy_host_sig_at(r->pp->host, x->ref);
  if (x->argc != sig->nparams)
    return FAIL(r, x, "call `%.*s` received %u arguments but the signature requires %u. Fix: pass exactly %u arguments",
                (int)id.len, id.ptr, x->argc, sig->nparams, sig->nparams);
  vy_ival args[VY_HOST_MAX_PARAMS];
  for (uint32_t i = 0; i < x->argc; i++)
    if (!ev(r, en, x->args[i], &args[i])) return false;
  vy_host_call(r->pp->host, x->ref, args, out);
  return true;
}

/* Inside a subgroup argument: remembers the word an atomic on element `idx`
 * may overwrite (vy_imem_atomic's addressing: stride max(min_bytes, 4), in
 * range when the whole word fits). */
static bool log_atomic_word(rt *r, vy_ibuf *b, uint32_t idx) {
  uint64_t stride = b->stride > 4 ? b->stride : 4, off = (uint64_t)idx * stride;
  if (off + 4 > b->len) return true;
  if (r->nundo == r->capundo) {
    uint32_t cap = r->capundo ? r->capundo * 2 : 16;
    undo *grown = vy_mem_realloc(r->alloc, r->undo, r->capundo * sizeof *grown, cap * sizeof *grown);
    if (!grown) return nomem(r);
    r->undo = grown;
    r->capundo = cap;
  }
  undo *u = &r->undo[r->nundo++];
  u->word = b->data + off;
  memcpy(u->old, u->word, 4);
  return true;
}

static bool ev_atomic(rt *r, const env *en, const vy_cx *x, vy_ival *out) {
  vy_atomic_op op = (vy_atomic_op)x->op;
  if (op == VY_ATOMIC_COMPARE_EXCHANGE && !x->b)
    return FAIL(r, x,
                "compare-exchange atomic is missing expected value. Fix: set the expected operand for "
                "compare_exchange");
  if (op != VY_ATOMIC_COMPARE_EXCHANGE && x->b)
    return FAIL(r, x,
                "non-compare-exchange atomic includes an expected value. Fix: use the expected operand only with "
                "compare_exchange");
  uint32_t idx, expected = 0, value;
  if (!ev_index(r, en, x->a, "atomic index", &idx)) return false;
  vy_ival v;
  if (x->b) {
    if (!ev(r, en, x->b, &v)) return false;
    if (!vy_iv_as_u32(&v, &expected))
      return FAIL(r, x, "atomic expected value cannot be represented as u32. Fix: use a scalar u32-compatible argument");
  }
  if (!ev(r, en, x->c, &v)) return false;
  if (!vy_iv_as_u32(&v, &value))
    return FAIL(r, x, "atomic value cannot be represented as u32. Fix: use a scalar u32-compatible argument");
  vy_str name = x->src->u.atomic.buffer;
  if (x->ref == VY_IX_NONE || r->bufs[x->ref].workgroup)
    return FAIL(r, x,
                "atomic target `%.*s` is workgroup memory or missing. Fix: atomics only support ReadWrite storage "
                "buffers",
                (int)name.len, name.ptr);
  uint32_t old;
  vy_imsg m;
  if (r->sg_depth && !log_atomic_word(r, &r->bufs[x->ref], idx)) return false;
  if (!vy_imem_atomic(&r->bufs[x->ref], op, idx, x->b != NULL, expected, value, &old, &m)) return fail_msg(r, x, &m);
  *out = vy_iv_u32(old);
  return true;
}

static bool ev_fma(rt *r, const env *en, const vy_cx *x, vy_ival *out) {
  const vy_cx *ops[3] = {x->a, x->b, x->c};
  float f[3];
  for (int k = 0; k < 3; k++) {
    vy_ival v;
    if (!ev(r, en, ops[k], &v)) return false;
    if (!vy_iv_as_f32(&v, &f[k]))
      return FAIL(r, x, "fma operand `%c` is not a float. Fix: cast to f32 before fma", "abc"[k]);
  }
  *out = vy_iop_fma(f[0], f[1], f[2]);
  return true;
}

static bool ev(rt *r, const env *en, const vy_cx *x, vy_ival *out) {
  vy_ival a, b, c;
  vy_imsg m;
  switch (x->kind) {
  case VY_EXPR_LIT_U32:
  case VY_EXPR_LIT_I32:
  case VY_EXPR_LIT_BOOL:
  case VY_EXPR_LIT_F32: *out = x->lit; return true;
  case VY_EXPR_VAR:
    if (!(en->flags[x->ref] & F_LIVE))
      return FAIL(r, x, "reference to undeclared variable `%.*s`. Fix: add a Let before this use",
                  (int)x->src->u.var.len, x->src->u.var.ptr);
    *out = en->vals[x->ref];
    return true;
  case VY_EXPR_LOAD: {
    uint32_t idx;
    if (!ev_index(r, en, x->a, "load index", &idx)) return false;
    if (x->ref == VY_IX_NONE) return missing_buffer(r, x, x->src->u.load.buffer);
    if (!vy_imem_load(&r->bufs[x->ref], idx, out, copy_tail, r))
      return fail_at(r, VY_E_NOMEM, x,
                     "a Bytes load needs more memory than the interpreter's limit allows. Fix: raise "
                     "vy_interp_options.max_memory_bytes");
    return true;
  }
  case VY_EXPR_BUF_LEN:
    if (x->ref == VY_IX_NONE) return missing_buffer(r, x, x->src->u.buf_len);
    *out = vy_iv_u32(r->bufs[x->ref].elems);
    return true;
  case VY_EXPR_INVOCATION_ID: return axis_value(r, x, r->invs[en->lane].gid, out);
  case VY_EXPR_WORKGROUP_ID: return axis_value(r, x, r->wid, out);
  case VY_EXPR_LOCAL_ID: return axis_value(r, x, r->invs[en->lane].lid, out);
  case VY_EXPR_BIN_OP:
    if (!ev(r, en, x->a, &a) || !ev(r, en, x->b, &b)) return false;
    if (x->src->u.bin.op == VY_BINOP_OPAQUE)
      return FAIL(r, x, "binary op extension 0x%08x has no reference semantics. Fix: lower it to core BinOps",
                  x->src->u.bin.ext_id);
    return vy_iop_binop((vy_binop)x->op, &a, &b, out, &m) || fail_msg(r, x, &m);
  case VY_EXPR_UN_OP:
    if (!ev(r, en, x->a, &a)) return false;
    if (x->src->u.un.op == VY_UNOP_OPAQUE)
      return FAIL(r, x, "unary op extension 0x%08x has no reference semantics. Fix: lower it to core UnOps",
                  x->src->u.un.ext_id);
    return vy_iop_unop((vy_unop)x->op, &a, out, &m) || fail_msg(r, x, &m);
  case VY_EXPR_CALL: return ev_call(r, en, x, out);
  case VY_EXPR_SELECT:
    if (!ev(r, en, x->a, &a) || !ev(r, en, x->b, &b) || !ev(r, en, x->c, &c)) return false;
    *out = vy_iv_truthy(&a) ? b : c;
    return true;
  case VY_EXPR_CAST:
    if (!ev(r, en, x->a, &a)) return false;
    return vy_iop_cast(&x->src->u.cast.target, &a, out, &m) || fail_msg(r, x, &m);
  case VY_EXPR_ATOMIC: return ev_atomic(r, en, x, out);
  case VY_EXPR_FMA: return ev_fma(r, en, x, out);
  case VY_EXPR_SUBGROUP_ADD:
  case VY_EXPR_SUBGROUP_BALLOT:
  case VY_EXPR_SUBGROUP_SHUFFLE: return ev_subgroup(r, en, x, out);
  case VY_EXPR_SUBGROUP_LOCAL_ID:
  case VY_EXPR_SUBGROUP_SIZE:
    return FAIL(r, x,
                "%s has no reference semantics (vyre's interpreter has no arm for it). Fix: derive the lane from "
                "local_id(0) %% 32 and use 32 as the subgroup size",
                vy_expr_kind_name(x->kind));
  case VY_EXPR_OPAQUE:
  case VY_EXPR_COUNT: break;
  }
  return FAIL(r, x,
              "the reference interpreter does not support opaque expression extension `%.*s`. Fix: lower it to core "
              "Expr variants before evaluation",
              (int)x->src->u.opaque.kind.len, x->src->u.opaque.kind.ptr);
}

/* ---- statements ---- */

static bool bind(rt *r, inv *iv, uint32_t slot, vy_ival v, bool immutable, const vy_cx *x) {
  if (iv->flags[slot] & F_LIVE) {
    vy_str n = r->pp->slot_names[slot];
    return FAIL(r, x, "duplicate local binding `%.*s`. Fix: choose a unique local name; shadowing is not allowed",
                (int)n.len, n.ptr);
  }
  iv->vals[slot] = v;
  iv->flags[slot] = immutable ? F_LIVE | F_IMM : F_LIVE;
  return true;
}

static void unbind_scope(inv *iv, const frame *f) {
  for (uint32_t i = 0; i < f->list->nbind; i++) iv->flags[f->list->bind[i]] = 0;
  if (f->extra != VY_IX_NONE) iv->flags[f->extra] = 0;
}

static void push_list(inv *iv, const vy_cl *l, uint32_t extra) {
  frame *f = &iv->frames[iv->fsp++];
  f->kind = FR_NODES;
  f->list = l;
  f->idx = 0;
  f->extra = extra;
  f->scoped = 1;
}

static void record_if(rt *r, inv *iv, const vy_cn *n, bool cond) {
  uint8_t bit = cond ? 1 : 2;
  uint8_t *rec = &iv->ifrec[n->if_id];
  if (*rec & bit) return;
  *rec |= bit;
  uint32_t *cnt = &r->ifcnt[2 * n->if_id];
  cnt[cond ? 0 : 1]++;
  if (cnt[cond ? 1 : 0]) r->cand[r->ncand++] = n;
}

static bool byte_count(rt *r, const env *en, const vy_cx *x, const char *label, uint64_t *out) {
  vy_ival v;
  if (!ev(r, en, x, &v)) return false;
  if (!vy_iv_as_u64(&v, out))
    return FAIL(r, x, "%s cannot be represented as u64. Fix: use an in-range non-negative byte count", label);
  return true;
}

static bool async_begin(rt *r, inv *iv, const env *en, const vy_cn *n) {
  bool load = n->kind == VY_NODE_ASYNC_LOAD;
  uint64_t off, size;
  if (!byte_count(r, en, n->e0, load ? "async load source offset" : "async store destination offset", &off) ||
      !byte_count(r, en, n->e1, load ? "async load size" : "async store size", &size))
    return false;
  if (n->buf == VY_IX_NONE) return missing_buffer(r, NULL, n->src->u.async_copy.source);
  if (n->buf2 == VY_IX_NONE) return missing_buffer(r, NULL, n->src->u.async_copy.destination);
  pend *pd = &iv->pending[n->tag];
  if (pd->active) {
    vy_str t = r->pp->tag_names[n->tag];
    return FAIL(r, NULL,
                "async transfer tag `%.*s` was started more than once before a matching wait. Fix: reuse the tag "
                "only after AsyncWait completes",
                (int)t.len, t.ptr);
  }
  const vy_ibuf *src = &r->bufs[n->buf], *dst = &r->bufs[n->buf2];
  uint64_t src_off = load ? off : 0, start = load ? 0 : off;
  /* Only the bytes that can land in the destination are kept: the wait
   * writes min(size, dest_len - start) of them (node_step.rs). */
  uint64_t keep = start >= dst->len ? 0 : dst->len - start;
  if (size < keep) keep = size;
  if (keep > pd->cap) {
    uint8_t *p = vy_mem_realloc(r->alloc, pd->data, pd->cap, (size_t)keep);
    if (!p) return nomem(r);
    pd->data = p;
    pd->cap = (size_t)keep;
  }
  for (uint64_t i = 0; i < keep; i++) pd->data[i] = src_off + i < src->len ? src->data[src_off + i] : 0;
  pd->active = true;
  pd->dest = n->buf2;
  pd->start = (size_t)start;
  pd->len = (size_t)keep;
  return true;
}

static bool async_wait(rt *r, inv *iv, const vy_cn *n) {
  pend *pd = &iv->pending[n->tag];
  if (!pd->active) {
    vy_str t = r->pp->tag_names[n->tag];
    return FAIL(r, NULL,
                "async wait for tag `%.*s` has no matching async transfer. Fix: emit AsyncLoad or AsyncStore before "
                "AsyncWait",
                (int)t.len, t.ptr);
  }
  if (pd->len) memcpy(r->bufs[pd->dest].data + pd->start, pd->data, pd->len);
  pd->active = false;
  return true;
}

static void finish_inv(rt *r, inv *iv) {
  iv->done = true;
  r->nlive--;
  for (uint32_t k = 0; k < r->pp->nbarrier_ifs; k++) {
    if (iv->ifrec[k] & 1) r->ifcnt[2 * k]--;
    if (iv->ifrec[k] & 2) r->ifcnt[2 * k + 1]--;
  }
}

/* Executes statement `n` of the list whose frame was just advanced. */
static bool exec_node(rt *r, inv *iv, const env *en, const vy_cn *n) {
  vy_ival v;
  r->cur = n;
  switch (n->kind) {
  case VY_NODE_LET:
    if (!ev(r, en, n->e0, &v)) return false;
    return bind(r, iv, n->slot, v, false, NULL);
  case VY_NODE_ASSIGN: {
    if (!ev(r, en, n->e0, &v)) return false;
    vy_str name = n->src->u.assign.name;
    if (!(iv->flags[n->slot] & F_LIVE))
      return FAIL(r, NULL, "assignment to undeclared variable `%.*s`. Fix: add a Let before assigning it",
                  (int)name.len, name.ptr);
    if (iv->flags[n->slot] & F_IMM)
      return FAIL(r, NULL, "assignment to loop variable `%.*s`. Fix: loop variables are immutable", (int)name.len,
                  name.ptr);
    iv->vals[n->slot] = v;
    return true;
  }
  case VY_NODE_STORE: {
    uint32_t idx;
    if (!ev_index(r, en, n->e0, "store index", &idx) || !ev(r, en, n->e1, &v)) return false;
    if (n->buf == VY_IX_NONE) return missing_buffer(r, NULL, n->src->u.store.buffer);
    vy_imem_store(&r->bufs[n->buf], idx, &v);
    return true;
  }
  case VY_NODE_IF: {
    if (!ev(r, en, n->e0, &v)) return false;
    bool cond = vy_iv_truthy(&v);
    if (n->if_id != VY_IX_NONE) record_if(r, iv, n, cond);
    push_list(iv, cond ? &n->body : &n->body2, VY_IX_NONE);
    return true;
  }
  case VY_NODE_LOOP: {
    uint32_t from, to;
    if (!ev(r, en, n->e0, &v)) return false;
    if (!vy_iv_as_u32(&v, &from))
      return FAIL(r, n->e0, "loop lower bound cannot be represented as u32. Fix: use an in-range unsigned loop bound");
    if (!ev(r, en, n->e1, &v)) return false;
    if (!vy_iv_as_u32(&v, &to))
      return FAIL(r, n->e1, "loop upper bound cannot be represented as u32. Fix: use an in-range unsigned loop bound");
    frame *f = &iv->frames[iv->fsp++];
    f->kind = FR_LOOP;
    f->list = &n->body;
    f->node = n;
    f->extra = n->slot;
    f->next = from;
    f->to = to;
    return true;
  }
  case VY_NODE_RETURN: iv->fsp = 0; return true;
  case VY_NODE_BLOCK:
  case VY_NODE_REGION: push_list(iv, &n->body, VY_IX_NONE); return true;
  case VY_NODE_BARRIER:
    iv->waiting = true;
    r->nwaiting++;
    return true;
  case VY_NODE_INDIRECT_DISPATCH: {
    vy_str b = n->src->u.indirect.count_buffer;
    uint64_t off = n->src->u.indirect.count_offset;
    if (off > UINT32_MAX)
      return FAIL(r, NULL,
                  "indirect dispatch count offset %llu exceeds u32. Fix: keep indirect dispatch offsets within the "
                  "reference interpreter index domain",
                  (unsigned long long)off);
    return FAIL(r, NULL,
                "IndirectDispatch cannot execute in the reference interpreter because dynamic indirect dispatch "
                "requires runtime queue scheduling. Fix: lower `%.*s` at byte offset %llu to a static workgroup grid",
                (int)b.len, b.ptr, (unsigned long long)off);
  }
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE: return async_begin(r, iv, en, n);
  case VY_NODE_ASYNC_WAIT: return async_wait(r, iv, n);
  case VY_NODE_TRAP: {
    uint32_t addr;
    vy_str tag = n->src->u.trap.tag;
    if (!ev(r, en, n->e0, &v)) return false;
    if (!vy_iv_as_u32(&v, &addr))
      return FAIL(r, n->e0, "reference trap `%.*s` address is not a u32. Fix: pass a scalar u32 trap address",
                  (int)tag.len, tag.ptr);
    return FAIL(r, NULL,
                "reference dispatch trapped: address=%u, tag=`%.*s`. Fix: handle the trap condition or route this "
                "Program through a backend/runtime with replay support",
                addr, (int)tag.len, tag.ptr);
  }
  case VY_NODE_RESUME:
    return FAIL(r, NULL,
                "reference dispatch reached Resume `%.*s` without a replay runtime. Fix: lower Resume through a "
                "runtime-owned replay path before reference execution",
                (int)n->src->u.tag.len, n->src->u.tag.ptr);
  case VY_NODE_ALL_REDUCE:
  case VY_NODE_ALL_GATHER:
  case VY_NODE_REDUCE_SCATTER:
  case VY_NODE_BROADCAST:
    return FAIL(r, NULL,
                "the reference interpreter reached collective %s. Fix: run this Program on a distributed backend "
                "with collective support or lower the single-rank collective before reference execution",
                vy_node_kind_name(n->kind));
  case VY_NODE_OPAQUE:
  case VY_NODE_COUNT: break;
  }
  return FAIL(r, NULL,
              "the reference interpreter does not support opaque node extension `%.*s`. Fix: lower it to core Node "
              "variants before evaluation",
              (int)n->src->u.opaque.kind.len, n->src->u.opaque.kind.ptr);
}

/* One scheduling step of `iv` (step.rs step). */
static bool step(rt *r, inv *iv, uint32_t lane) {
  env en = {lane, iv->vals, iv->flags};
  while (iv->fsp) {
    frame *f = &iv->frames[iv->fsp - 1];
    if (f->kind == FR_NODES) {
      if (f->idx >= f->list->count) {
        iv->fsp--;
        if (f->scoped) {
          unbind_scope(iv, f);
          return true;
        }
        continue;
      }
      const vy_cn *n = &f->list->items[f->idx++];
      return exec_node(r, iv, &en, n);
    }
    /* loop frame: start the next iteration or end the loop */
    if (f->next >= f->to) {
      iv->fsp--;
      return true;
    }
    uint32_t var = f->extra, cur = f->next++;
    r->cur = f->node;
    if (!bind(r, iv, var, vy_iv_u32(cur), true, NULL)) return false;
    push_list(iv, f->list, var);
    return true;
  }
  return true;
}

/* ---- workgroups ---- */

/* The uniform-control check of the barrier-Ifs recorded since the last one. */
static bool check_candidates(rt *r) {
  for (uint32_t k = 0; k < r->ncand; k++) {
    const vy_cn *n = r->cand[k];
    if (r->ifcnt[2 * n->if_id] && r->ifcnt[2 * n->if_id + 1]) {
      r->cur = n;
      r->cur_inv = NULL;
      return FAIL(r, NULL,
                  "program violates uniform-control-flow rule: Barrier appears inside an If whose condition differs "
                  "across the workgroup. Fix: make the condition uniform or move Barrier outside the branch");
    }
  }
  r->ncand = 0;
  return true;
}

/* Before a step: VY_E_TIMEOUT when the step budget is spent or the
 * deadline (read every 4096 steps) has passed; returns true then. */
static bool out_of_time(rt *r) {
  bool budget = r->budget && r->steps >= r->budget;
  if (!budget && !(r->deadline_ns && (r->steps & 4095) == 0 && vy_clock_ns() >= r->deadline_ns)) return false;
  r->cur_inv = NULL;
  r->cur = NULL;
  if (budget)
    fail_at(r, VY_E_TIMEOUT, NULL,
            "the step budget of %llu statement steps ran out. Fix: raise vy_interp_options.step_budget or check the "
            "program for an endless loop",
            (unsigned long long)r->budget);
  else
    fail_at(r, VY_E_TIMEOUT, NULL,
            "the run took longer than its timeout (%llu steps done). Fix: raise the timeout or check the program for "
            "an endless loop",
            (unsigned long long)r->steps);
  return true;
}

static bool run_workgroup(rt *r) {
  const vy_interp_prepared *pp = r->pp;
  uint32_t wg[3];
  vy_program_workgroup_size(pp->program, wg);
  size_t ns = pp->nslots;
  r->cur = NULL;
  r->cur_inv = NULL;
  for (int a = 0; a < 3; a++)
    if ((uint64_t)r->wid[a] * wg[a] + (wg[a] - 1) > UINT32_MAX)
      return FAIL(r, NULL,
                  "workgroup * dispatch dimensions overflow u32 global id. Fix: reduce workgroup id or workgroup size "
                  "so each global_invocation_id component fits in u32");
  if (ns) memset(r->invs[0].flags, 0, (size_t)r->ninv * ns);
  if (pp->nbarrier_ifs) {
    memset(r->invs[0].ifrec, 0, (size_t)r->ninv * pp->nbarrier_ifs);
    memset(r->ifcnt, 0, 2 * sizeof *r->ifcnt * pp->nbarrier_ifs);
  }
  uint32_t i = 0;
  for (uint32_t z = 0; z < wg[2]; z++)
    for (uint32_t y = 0; y < wg[1]; y++)
      for (uint32_t x = 0; x < wg[0]; x++, i++) {
        inv *iv = &r->invs[i];
        uint32_t l[3] = {x, y, z};
        for (int a = 0; a < 3; a++) {
          iv->lid[a] = l[a];
          iv->gid[a] = r->wid[a] * wg[a] + l[a];
        }
        iv->done = iv->waiting = false;
        iv->fsp = 1;
        iv->frames[0] = (frame){.kind = FR_NODES, .list = &pp->entry, .extra = VY_IX_NONE, .scoped = 0};
      }
  r->nlive = r->ninv;
  r->nwaiting = 0;
  while (r->nlive) {
    if (pp->uses_subgroups && ns) {
      memcpy(r->snap_vals, r->invs[0].vals, (size_t)r->ninv * ns * sizeof *r->snap_vals);
      memcpy(r->snap_flags, r->invs[0].flags, (size_t)r->ninv * ns);
    }
    bool progress = false;
    r->ncand = 0;
    for (uint32_t n = 0; n < r->ninv; n++) {
      uint32_t k = r->sched.reverse_lanes ? r->ninv - 1 - n : n;
      inv *iv = &r->invs[k];
      do { /* one step; under run_to_block, steps until the lane waits or finishes */
        if (iv->done || iv->waiting) break;
        if (out_of_time(r)) return false;
        r->steps++;
        r->cur_inv = iv;
        if (!step(r, iv, k)) return false;
        if (!iv->fsp) finish_inv(r, iv);
        progress = true;
        /* `cand` holds one entry per lane: a lane that runs on checks after each step */
        if (r->sched.run_to_block && !check_candidates(r)) return false;
      } while (r->sched.run_to_block);
    }
    r->cur_inv = NULL;
    if (!check_candidates(r)) return false;
    if (r->nlive && r->nwaiting == r->nlive) {
      for (uint32_t k = 0; k < r->ninv; k++) r->invs[k].waiting = false;
      r->nwaiting = 0;
      continue;
    }
    if (!progress && r->nwaiting) {
      r->cur = NULL;
      return FAIL(r, NULL,
                  "program violates uniform-control-flow rule: not every live invocation reached the same barrier. "
                  "Fix: move Barrier to uniform control flow");
    }
  }
  for (uint32_t k = 0; k < r->ninv; k++)
    for (uint32_t t = 0; t < pp->ntags; t++)
      if (r->invs[k].pending[t].active) {
        vy_str tag = pp->tag_names[t];
        r->cur = NULL;
        r->cur_inv = &r->invs[k];
        return FAIL(r, NULL,
                    "invocation completed with async transfer tag `%.*s` still pending. Fix: add AsyncWait for every "
                    "AsyncLoad/AsyncStore tag before Return or end-of-program",
                    (int)tag.len, tag.ptr);
      }
  return true;
}

/* Saturating a*b for sizing. */
static uint64_t mul_sat(uint64_t a, uint64_t b) { return b && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

/* Allocates the per-invocation state of one workgroup (reused by all). */
static bool alloc_invocations(rt *r, void **block, size_t *block_size) {
  const vy_interp_prepared *pp = r->pp;
  uint64_t n = r->ninv, ns = pp->nslots;
  uint64_t per = sizeof(inv) + mul_sat(pp->max_frames, sizeof(frame)) + ns * (sizeof(vy_ival) + 1) +
                 pp->nbarrier_ifs + mul_sat(pp->ntags, sizeof(pend)) + sizeof(void *);
  if (pp->uses_subgroups) per += ns * (sizeof(vy_ival) + 1);
  uint64_t total = mul_sat(n, per) + mul_sat(2 * sizeof(uint32_t), pp->nbarrier_ifs) + 64;
  if (total > r->max_bytes - r->used) {
    fail_at(r, VY_E_NOMEM, NULL,
            "a workgroup of %llu invocations needs %llu bytes of interpreter state, which exceeds the memory limit "
            "of %llu bytes. Fix: use a smaller workgroup size or raise vy_interp_options.max_memory_bytes",
            (unsigned long long)n, (unsigned long long)total, (unsigned long long)r->max_bytes);
    return false;
  }
  uint8_t *p = vy_mem_calloc(r->alloc, 1, (size_t)total);
  if (!p) return nomem(r);
  *block = p;
  *block_size = (size_t)total;
  r->used += total;
  /* carve: invs, cand, frames, vals, snap_vals, pend, ifcnt, flags, snap_flags, ifrec (largest alignment first) */
  r->invs = (inv *)p;
  p += n * sizeof(inv);
  r->cand = (const vy_cn **)p;
  p += n * sizeof(void *);
  frame *frames = (frame *)p;
  p += n * pp->max_frames * sizeof(frame);
  vy_ival *vals = (vy_ival *)p;
  p += n * ns * sizeof(vy_ival);
  if (pp->uses_subgroups) {
    r->snap_vals = (vy_ival *)p;
    p += n * ns * sizeof(vy_ival);
  }
  pend *pending = (pend *)p;
  p += n * pp->ntags * sizeof(pend);
  r->ifcnt = (uint32_t *)p;
  p += 2 * sizeof(uint32_t) * pp->nbarrier_ifs;
  uint8_t *flags = p;
  p += n * ns;
  if (pp->uses_subgroups) {
    r->snap_flags = p;
    p += n * ns;
  }
  uint8_t *ifrec = p;
  for (uint64_t i = 0; i < n; i++) {
    inv *iv = &r->invs[i];
    iv->frames = frames + i * pp->max_frames;
    iv->vals = vals + i * ns;
    iv->flags = flags + i * ns;
    iv->ifrec = ifrec + i * pp->nbarrier_ifs;
    iv->pending = pending + i * pp->ntags;
  }
  return true;
}

static void free_pending(rt *r) {
  if (!r->invs) return;
  for (uint32_t k = 0; k < r->ninv; k++)
    for (uint32_t t = 0; t < r->pp->ntags; t++) {
      pend *pd = &r->invs[k].pending[t];
      if (pd->data) vy_mem_free(r->alloc, pd->data, pd->cap);
      pd->data = NULL;
      pd->cap = 0;
    }
}

void vy_interp_options_default(vy_interp_options *o) {
  if (!o) return;
  o->step_budget = 0;
  o->max_memory_bytes = VY_INTERP_DEFAULT_MAX_MEMORY;
  o->timeout_ns = 0;
}

void vy_interp_outputs_free(vy_interp_outputs *out) {
  if (!out) return;
  for (size_t i = 0; i < out->count; i++) vy_bytes_free(&out->items[i]);
  if (out->items) vy_mem_free(out->alloc, out->items, out->count * sizeof *out->items);
  memset(out, 0, sizeof *out);
}

static vy_status run_all(rt *r, const vy_interp_input *inputs, size_t ninputs, vy_interp_outputs *out) {
  const vy_interp_prepared *pp = r->pp;
  const vy_program *p = pp->program;
  vy_igrid grid;
  vy_status st = vy_imem_bind(p, r->alloc, inputs, ninputs, r->max_bytes, r->bufs, &r->used, &grid, r->err);
  if (st != VY_OK) return st;
  uint32_t wg[3];
  vy_program_workgroup_size(p, wg);
  void *block = NULL;
  size_t block_size = 0;
  for (uint32_t z = 0; z < grid.count[2] && r->st == VY_OK; z++)
    for (uint32_t y = 0; y < grid.count[1] && r->st == VY_OK; y++)
      for (uint32_t x = 0; x < grid.count[0] && r->st == VY_OK; x++) {
        if (!block) { /* first workgroup: memory, then invocations (hashmap/mod.rs order) */
          st = vy_imem_alloc_workgroup(p, r->alloc, r->bufs, &r->used, r->max_bytes, r->err);
          if (st != VY_OK) return st;
          uint64_t count = (uint64_t)wg[0] * wg[1] * wg[2];
          if (count > UINT32_MAX)
            return vy_error_set(r->err, VY_E_RUNTIME,
                                "workgroup invocation count %llu overflows u32. Fix: reduce workgroup dimensions before "
                                "reference execution",
                                (unsigned long long)count);
          r->ninv = (uint32_t)count;
          if (!alloc_invocations(r, &block, &block_size)) return r->st;
        } else {
          vy_imem_zero_workgroup(r->bufs, pp->nbufs);
        }
        bool rev = r->sched.reverse_workgroups;
        r->wid[0] = rev ? grid.count[0] - 1 - x : x;
        r->wid[1] = rev ? grid.count[1] - 1 - y : y;
        r->wid[2] = rev ? grid.count[2] - 1 - z : z;
        bool ok = run_workgroup(r);
        vy_arena_free_all(&r->bytes);
        vy_arena_init(&r->bytes, r->alloc);
        out->invocations += r->ninv;
        if (!ok) {
          free_pending(r);
          vy_mem_free(r->alloc, block, block_size);
          return r->st;
        }
      }
  free_pending(r);
  vy_mem_free(r->alloc, block, block_size);
  return vy_imem_collect_outputs(pp->user_alloc, r->bufs, pp->nbufs, out, r->err);
}

vy_status vy_interp_execute(const vy_interp_prepared *pp, const vy_interp_input *inputs, size_t ninputs,
                            const vy_interp_options *opts, vy_interp_outputs *out, vy_error *err) {
  return vy_interp_execute_sched(pp, inputs, ninputs, opts, NULL, out, err);
}

vy_status vy_interp_execute_sched(const vy_interp_prepared *pp, const vy_interp_input *inputs, size_t ninputs,
                                  const vy_interp_options *opts, const vy_interp_sched *sched,
                                  vy_interp_outputs *out, vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_interp_execute: out is NULL. Fix: pass a pointer");
  memset(out, 0, sizeof *out);
  if (!pp) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_interp_execute: prepared program is NULL");
  if (ninputs && !inputs)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_interp_execute: %zu inputs but a NULL array. Fix: pass them",
                        ninputs);
  vy_interp_options o;
  vy_interp_options_default(&o);
  if (opts) o = *opts;
  if (!o.max_memory_bytes) o.max_memory_bytes = VY_INTERP_DEFAULT_MAX_MEMORY;
  rt r = {.pp = pp, .alloc = pp->alloc, .err = err, .st = VY_OK, .budget = o.step_budget, .max_bytes = o.max_memory_bytes};
  if (sched) r.sched = *sched;
  if (o.timeout_ns) r.deadline_ns = vy_clock_ns() + o.timeout_ns;
  vy_arena_init(&r.bytes, r.alloc);
  vy_status st = VY_OK;
  if (pp->nbufs) {
    r.bufs = vy_mem_calloc(r.alloc, pp->nbufs, sizeof *r.bufs);
    if (!r.bufs) st = vy_error_nomem(err);
  }
  if (st == VY_OK) st = run_all(&r, inputs, ninputs, out);
  out->steps = r.steps;
  vy_arena_free_all(&r.bytes);
  if (r.undo) vy_mem_free(r.alloc, r.undo, r.capundo * sizeof *r.undo);
  if (r.bufs) {
    vy_imem_free_bufs(r.alloc, r.bufs, pp->nbufs);
    vy_mem_free(r.alloc, r.bufs, pp->nbufs * sizeof *r.bufs);
  }
  if (st != VY_OK) {
    uint64_t steps = out->steps;
    vy_interp_outputs_free(out);
    out->steps = steps;
  }
  return st;
}

vy_status vy_interp_run(const vy_program *p, const vy_interp_input *inputs, size_t ninputs,
                        const vy_host_registry *host, const vy_interp_options *opts, const vy_allocator *alloc,
                        vy_interp_outputs *out, vy_error *err) {
  if (out) memset(out, 0, sizeof *out);
  vy_interp_prepared *pp = NULL;
  vy_status st = vy_interp_prepare(p, host, alloc, &pp, err);
  if (st != VY_OK) return st;
  st = vy_interp_execute(pp, inputs, ninputs, opts, out, err);
  vy_interp_prepared_destroy(pp);
  return st;
}
