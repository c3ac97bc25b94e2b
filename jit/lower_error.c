/* lower_error.c - turns the error record of a compiled dispatch into the
 * interpreter's error: the same status and the same message (node path,
 * text location, invocation, and the wording of interp_exec.c). Operator
 * failures are re-run through the interpreter's own operator functions
 * with the recorded operands, so their text matches byte for byte. */
#include <stdio.h>
#include <string.h>

#include "error_int.h"
#include "lower_int.h"

/* The recorded operand as the interpreter's value. */
static vy_ival operand(vy_jt t, const uint64_t w[2]) {
  switch ((vy_jk)t.k) {
  case VY_JK_U32:
    return vy_iv_u32((uint32_t)w[0]);
  case VY_JK_I32:
    return vy_iv_i32((int32_t)(uint32_t)w[0]);
  case VY_JK_U64:
    return vy_iv_u64(w[0]);
  case VY_JK_BOOL:
    return vy_iv_bool(w[0] & 1);
  case VY_JK_F32:
    return vy_iv_float((double)vy_f32_canon(vy_f32_from_bits((uint32_t)w[0])));
  case VY_JK_BYTES: {
    uint8_t tmp[16];
    for (int i = 0; i < 16; i++) tmp[i] = (uint8_t)(w[i / 8] >> (8 * (i % 8)));
    return vy_iv_bytes(tmp, t.n);
  }
  case VY_JK_NEVER:
    break;
  }
  return vy_iv_u32(0);
}

static int plen(vy_str s) { return (int)s.len; }

/* Buffer name of a MISSING_BUF site. */
static vy_str missing_name(const vy_site *s) {
  vy_str none = {"?", 1};
  if (s->x) {
    if (s->x->kind == VY_EXPR_LOAD) return s->x->src->u.load.buffer;
    if (s->x->kind == VY_EXPR_BUF_LEN) return s->x->src->u.buf_len;
    return none;
  }
  if (!s->stmt) return none;
  const vy_node *n = s->stmt->src;
  if (n->kind == VY_NODE_STORE) return n->u.store.buffer;
  if (n->kind == VY_NODE_ASYNC_LOAD || n->kind == VY_NODE_ASYNC_STORE)
    return s->aux == 1 ? n->u.async_copy.source : n->u.async_copy.destination;
  return none;
}

static vy_str tag_name(const vy_interp_prepared *pp, uint32_t t) {
  vy_str none = {"?", 1};
  return t < pp->ntags ? pp->tag_names[t] : none;
}

/* The "what" part of the message; returns the status. */
static vy_status what_of(const vy_interp_prepared *pp, const vy_site *s, const vy_kerr *e, char *buf, size_t cap) {
  const vy_cx *x = s->x;
  const vy_node *n = s->stmt ? s->stmt->src : NULL;
  vy_ival a = operand(s->ta, e->a), b = operand(s->tb, e->b), out;
  vy_imsg m;
  m.text[0] = 0;
  switch ((vy_site_kind)s->kind) {
  case VY_SITE_BINOP:
    if (vy_iop_binop((vy_binop)s->op, &a, &b, &out, &m)) snprintf(m.text, sizeof m.text, "binary op failed");
    snprintf(buf, cap, "%s", m.text);
    break;
  case VY_SITE_UNOP:
    if (vy_iop_unop((vy_unop)s->op, &a, &out, &m)) snprintf(m.text, sizeof m.text, "unary op failed");
    snprintf(buf, cap, "%s", m.text);
    break;
  case VY_SITE_CAST:
    if (vy_iop_cast(&x->src->u.cast.target, &a, &out, &m)) snprintf(m.text, sizeof m.text, "cast failed");
    snprintf(buf, cap, "%s", m.text);
    break;
  case VY_SITE_INDEX:
    snprintf(buf, cap, "%s cannot be represented as u32. Fix: use a non-negative scalar index within u32", s->label);
    break;
  case VY_SITE_AXIS:
    snprintf(buf, cap, "invocation/workgroup ID axis %u out of range. Fix: use 0, 1, or 2", (unsigned)x->axis);
    break;
  case VY_SITE_UNDECLARED:
    snprintf(buf, cap, "reference to undeclared variable `%.*s`. Fix: add a Let before this use", plen(x->src->u.var),
             x->src->u.var.ptr);
    break;
  case VY_SITE_MISSING_BUF: {
    vy_str nm = missing_name(s);
    snprintf(buf, cap, "missing buffer `%.*s`. Fix: declare the buffer before using it", plen(nm), nm.ptr);
    break;
  }
  case VY_SITE_DUP_BINDING: {
    vy_str nm = pp->slot_names[s->aux];
    snprintf(buf, cap, "duplicate local binding `%.*s`. Fix: choose a unique local name; shadowing is not allowed",
             plen(nm), nm.ptr);
    break;
  }
  case VY_SITE_ASSIGN_UNDECL:
    snprintf(buf, cap, "assignment to undeclared variable `%.*s`. Fix: add a Let before assigning it",
             plen(n->u.assign.name), n->u.assign.name.ptr);
    break;
  case VY_SITE_ASSIGN_LOOPVAR:
    snprintf(buf, cap, "assignment to loop variable `%.*s`. Fix: loop variables are immutable", plen(n->u.assign.name),
             n->u.assign.name.ptr);
    break;
  case VY_SITE_LOOP_FROM:
    snprintf(buf, cap, "loop lower bound cannot be represented as u32. Fix: use an in-range unsigned loop bound");
    break;
  case VY_SITE_LOOP_TO:
    snprintf(buf, cap, "loop upper bound cannot be represented as u32. Fix: use an in-range unsigned loop bound");
    break;
  case VY_SITE_TRAP_ADDR:
    snprintf(buf, cap, "reference trap `%.*s` address is not a u32. Fix: pass a scalar u32 trap address",
             plen(n->u.trap.tag), n->u.trap.tag.ptr);
    break;
  case VY_SITE_TRAP:
    snprintf(buf, cap,
             "reference dispatch trapped: address=%u, tag=`%.*s`. Fix: handle the trap condition or route this "
             "Program through a backend/runtime with replay support",
             (uint32_t)e->a[0], plen(n->u.trap.tag), n->u.trap.tag.ptr);
    break;
  case VY_SITE_INDIRECT:
    if (n->u.indirect.count_offset > UINT32_MAX)
      snprintf(buf, cap,
               "indirect dispatch count offset %llu exceeds u32. Fix: keep indirect dispatch offsets within the "
               "reference interpreter index domain",
               (unsigned long long)n->u.indirect.count_offset);
    else
      snprintf(buf, cap,
               "IndirectDispatch cannot execute in the reference interpreter because dynamic indirect dispatch "
               "requires runtime queue scheduling. Fix: lower `%.*s` at byte offset %llu to a static workgroup grid",
               plen(n->u.indirect.count_buffer), n->u.indirect.count_buffer.ptr,
               (unsigned long long)n->u.indirect.count_offset);
    break;
  case VY_SITE_RESUME:
    snprintf(buf, cap,
             "reference dispatch reached Resume `%.*s` without a replay runtime. Fix: lower Resume through a "
             "runtime-owned replay path before reference execution",
             plen(n->u.tag), n->u.tag.ptr);
    break;
  case VY_SITE_COLLECTIVE:
    snprintf(buf, cap,
             "the reference interpreter reached collective %s. Fix: run this Program on a distributed backend with "
             "collective support or lower the single-rank collective before reference execution",
             vy_node_kind_name(n->kind));
    break;
  case VY_SITE_OPAQUE_NODE:
    snprintf(buf, cap,
             "the reference interpreter does not support opaque node extension `%.*s`. Fix: lower it to core Node "
             "variants before evaluation",
             plen(n->u.opaque.kind), n->u.opaque.kind.ptr);
    break;
  case VY_SITE_OPAQUE_EXPR:
    snprintf(buf, cap,
             "the reference interpreter does not support opaque expression extension `%.*s`. Fix: lower it to core "
             "Expr variants before evaluation",
             plen(x->src->u.opaque.kind), x->src->u.opaque.kind.ptr);
    break;
  case VY_SITE_BINOP_EXT:
    snprintf(buf, cap, "binary op extension 0x%08x has no reference semantics. Fix: lower it to core BinOps",
             x->src->u.bin.ext_id);
    break;
  case VY_SITE_UNOP_EXT:
    snprintf(buf, cap, "unary op extension 0x%08x has no reference semantics. Fix: lower it to core UnOps",
             x->src->u.un.ext_id);
    break;
  case VY_SITE_SUBGROUP_ID:
    snprintf(buf, cap,
             "%s has no reference semantics (vyre's interpreter has no arm for it). Fix: derive the lane from "
             "local_id(0) %% 32 and use 32 as the subgroup size",
             vy_expr_kind_name(x->kind));
    break;
  case VY_SITE_FMA:
    snprintf(buf, cap, "fma operand `%c` is not a float. Fix: cast to f32 before fma", "abc"[s->aux % 3]);
    break;
  case VY_SITE_ATOMIC_NO_EXPECTED:
    snprintf(buf, cap,
             "compare-exchange atomic is missing expected value. Fix: set the expected operand for compare_exchange");
    break;
  case VY_SITE_ATOMIC_HAS_EXPECTED:
    snprintf(buf, cap,
             "non-compare-exchange atomic includes an expected value. Fix: use the expected operand only with "
             "compare_exchange");
    break;
  case VY_SITE_ATOMIC_EXPECTED:
    snprintf(buf, cap, "atomic expected value cannot be represented as u32. Fix: use a scalar u32-compatible argument");
    break;
  case VY_SITE_ATOMIC_VALUE:
    snprintf(buf, cap, "atomic value cannot be represented as u32. Fix: use a scalar u32-compatible argument");
    break;
  case VY_SITE_ATOMIC_TARGET:
    snprintf(buf, cap,
             "atomic target `%.*s` is workgroup memory or missing. Fix: atomics only support ReadWrite storage buffers",
             plen(x->src->u.atomic.buffer), x->src->u.atomic.buffer.ptr);
    break;
  case VY_SITE_ATOMIC_OP:
    snprintf(buf, cap,
             "atomic op `%s` has no reference semantics. Fix: use a strong compare_exchange, or express fetch_nand as "
             "a compare_exchange loop",
             vy_atomic_op_name((vy_atomic_op)s->op));
    break;
  case VY_SITE_SG_ADD_LANE:
    snprintf(buf, cap, "subgroup_add lane value is not a u32. Fix: use a scalar u32 value");
    break;
  case VY_SITE_SG_SHUFFLE_LANE:
    snprintf(buf, cap, "subgroup_shuffle lane index is not a u32. Fix: use a scalar u32 lane argument");
    break;
  case VY_SITE_SG_SHUFFLE_TYPE:
    snprintf(buf, cap,
             "subgroup_shuffle lanes have mixed or unsupported value types. Fix: cast every lane value to the same "
             "primitive u32 or f32 type before the subgroup collective");
    break;
  case VY_SITE_CALL_NOREG:
    snprintf(buf, cap,
             "unsupported call `%.*s`: no host-op registry is installed (vyre: no DialectLookup). Fix: pass a "
             "vy_host_registry to vy_interp_prepare",
             plen(x->src->u.call.op_id), x->src->u.call.op_id.ptr);
    break;
  case VY_SITE_CALL_UNKNOWN:
    snprintf(buf, cap, "unsupported call `%.*s`. Fix: register the op in the host-op registry",
             plen(x->src->u.call.op_id), x->src->u.call.op_id.ptr);
    break;
  case VY_SITE_CALL_ARGC: {
    const vy_host_signature *sig = vy_host_sig_at(pp->host, x->ref);
    snprintf(buf, cap,
             "call `%.*s` received %u arguments but the signature requires %u. Fix: pass exactly %u arguments",
             plen(x->src->u.call.op_id), x->src->u.call.op_id.ptr, x->argc, sig->nparams, sig->nparams);
    break;
  }
  case VY_SITE_ASYNC_OFFSET:
  case VY_SITE_ASYNC_SIZE: {
    const char *label = s->kind == VY_SITE_ASYNC_OFFSET
                            ? (s->aux ? "async load source offset" : "async store destination offset")
                            : (s->aux ? "async load size" : "async store size");
    snprintf(buf, cap, "%s cannot be represented as u64. Fix: use an in-range non-negative byte count", label);
    break;
  }
  case VY_SITE_ASYNC_TWICE: {
    vy_str t = tag_name(pp, s->aux);
    snprintf(buf, cap,
             "async transfer tag `%.*s` was started more than once before a matching wait. Fix: reuse the tag only "
             "after AsyncWait completes",
             plen(t), t.ptr);
    break;
  }
  case VY_SITE_ASYNC_NONE: {
    vy_str t = tag_name(pp, s->aux);
    snprintf(buf, cap,
             "async wait for tag `%.*s` has no matching async transfer. Fix: emit AsyncLoad or AsyncStore before "
             "AsyncWait",
             plen(t), t.ptr);
    break;
  }
  case VY_SITE_NOMEM:
    snprintf(buf, cap, "out of memory while running the kernel (async copy data). Fix: free memory or copy less");
    return VY_E_NOMEM;
  case VY_SITE_ASYNC_PENDING: {
    vy_str t = tag_name(pp, (uint32_t)e->a[0]);
    snprintf(buf, cap,
             "invocation completed with async transfer tag `%.*s` still pending. Fix: add AsyncWait for every "
             "AsyncLoad/AsyncStore tag before Return or end-of-program",
             plen(t), t.ptr);
    break;
  }
  case VY_SITE_NONUNIFORM_IF:
    snprintf(buf, cap,
             "program violates uniform-control-flow rule: Barrier appears inside an If whose condition differs across "
             "the workgroup. Fix: make the condition uniform or move Barrier outside the branch");
    break;
  case VY_SITE_DIVERGENT_LOOP:
    snprintf(
        buf, cap,
        "backend `llvm-cpu` cannot run a Loop that contains a barrier or subgroup operation when its bounds differ "
        "across the workgroup (the reference then releases barriers by arrival). Fix: make the loop bounds "
        "uniform, or use the reference backend");
    return VY_E_UNSUPPORTED;
  case VY_SITE_DIVERGENT_SUBGROUP:
    snprintf(buf, cap,
             "backend `llvm-cpu` cannot run subgroup operations under an If whose condition differs across the "
             "workgroup. Fix: make the condition uniform, or use the reference backend");
    return VY_E_UNSUPPORTED;
  case VY_SITE_KIND_COUNT:
    snprintf(buf, cap, "unknown error. Fix: report this llvm-cpu bug");
    return VY_E_INTERNAL;
  }
  return VY_E_RUNTIME;
}

vy_status vy_lower_error(const vy_interp_prepared *pp, const vy_site *sites, uint32_t nsites, const vy_kerr *e,
                         vy_error *err) {
  if (e->site == 0 || e->site >= nsites)
    return vy_error_set(err, VY_E_INTERNAL, "a kernel raised an unknown error site %u. Fix: report this llvm-cpu bug",
                        e->site);
  const vy_site *s = &sites[e->site];
  char what[700], path[200] = "", loc[48] = "", who[64] = "";
  vy_status code = what_of(pp, s, e, what, sizeof what);
  vy_srcloc sl = {0, 0};
  if (s->x && s->x->src->loc.line)
    sl = s->x->src->loc;
  else if (s->stmt && s->stmt->src->loc.line)
    sl = s->stmt->src->loc;
  if (s->stmt) vy_interp_node_path(s->stmt, path, sizeof path);
  if (sl.line) snprintf(loc, sizeof loc, " (line %u, col %u)", sl.line, sl.col);
  if (e->has_inv) snprintf(who, sizeof who, "invocation (%u,%u,%u): ", e->inv[0], e->inv[1], e->inv[2]);
  return vy_error_set_at(err, code, sl.line, sl.col, "runtime error%s%s%s: %s%s", path[0] ? " at " : "", path, loc, who,
                         what);
}
