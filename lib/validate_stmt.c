/* validate_stmt.c - the statement walk and the statement rules
 * (vyre-ir.md §5.2; vyre F/validate/validate.rs PreorderValidator, binding.rs,
 * shadowing.rs, barrier.rs, uniformity.rs, fusion_safety.rs, nodes.rs,
 * bytes_rejection.rs, depth.rs).
 *
 * The walk is vyre's explicit-stack pre-order traversal: one frame per open
 * statement list, each frame a scope (If branches, Loop bodies, Blocks and
 * Regions all open one; lets do not outlive their list) and a fusion-hazard
 * state. Names resolve through the name table (validate.c): each name holds
 * its innermost binding, and a scope pops its bindings in O(1) each, so a
 * lookup is one hash probe whatever the nesting.
 *
 * Fusion state: a name's read_gen / atomic_gen equal the current frame's
 * generation when the name was read non-atomically / accessed atomically in
 * this list since its last Barrier. A Barrier starts a new generation, a new
 * list starts empty, and the undo log restores the parent's state when an
 * inner list ends.
 */
#include <stdio.h>
#include <string.h>

#include "program_int.h"
#include "validate_int.h"

#define NAMEF(s) (int)(s).len, (s).ptr

/* ---- paths -------------------------------------------------------------- */

void vy_vstmt_path(const vy_vctx *c, char *buf, size_t n) {
  static const char *const field[] = {"entry", ".body", ".then", ".else"};
  size_t at = 0;
  buf[0] = 0;
  for (size_t k = 0; k < c->nframes && at < n; k++) {
    int w = snprintf(buf + at, n - at, "%s[%u]", field[c->frames[k].field], c->frames[k].next - 1);
    at += w < 0 ? 0 : (size_t)w;
  }
  if (c->slot && at < n) {
    int w = snprintf(buf + at, n - at, ".%s", c->slot);
    at += w < 0 ? 0 : (size_t)w;
  }
  if (at >= n && n > 4) memcpy(buf + n - 4, "...", 4);
}

/* ---- frames, scopes ----------------------------------------------------- */

static vy_vframe *top(vy_vctx *c) { return &c->frames[c->nframes - 1]; }

static void push_frame(vy_vctx *c, const vy_node_list *list, uint8_t field, uint8_t post, uint32_t depth,
                       bool divergent, size_t acc_mark) {
  if (!vy_vgrow(c, (void **)&c->frames, &c->frames_cap, c->nframes + 1, sizeof *c->frames)) return;
  vy_vframe *f = &c->frames[c->nframes++];
  f->list = list;
  f->next = 0;
  f->depth = depth;
  f->serial = ++c->frame_serial;
  f->field = field;
  f->post = post;
  f->divergent = divergent;
  f->bind_mark = c->nbindings;
  f->undo_mark = c->nundo;
  f->acc_mark = acc_mark;
  f->gen = ++c->gen_counter;
}

/* Binds `name` in the innermost scope. */
static void bind(vy_vctx *c, uint32_t name, const vy_type *ty, bool ty_known, bool is_mutable, bool uniform,
                 bool is_let) {
  if (name == VY_VNONE || !vy_vgrow(c, (void **)&c->bindings, &c->bindings_cap, c->nbindings + 1, sizeof *c->bindings))
    return;
  c->bindings[c->nbindings] = (vy_vbinding){.name = name,
                                            .prev = c->names[name].binding,
                                            .frame = top(c)->serial,
                                            .ty = ty,
                                            .ty_known = ty_known,
                                            .is_mutable = is_mutable,
                                            .uniform = uniform,
                                            .is_let = is_let};
  c->names[name].binding = (uint32_t)c->nbindings++;
}

/* ---- fusion hazards ----------------------------------------------------- */

static void add_access(vy_vctx *c, vy_str buffer, bool atomic) {
  uint32_t id = vy_vname_id(c, buffer.ptr, buffer.len);
  if (id == VY_VNONE || !vy_vgrow(c, (void **)&c->acc, &c->acc_cap, c->nacc + 1, sizeof *c->acc)) return;
  c->acc[c->nacc++] = (vy_vacc){id, atomic};
}

static int name_cmp(const vy_vctx *c, uint32_t a, uint32_t b) {
  const vy_vname *x = &c->names[a], *y = &c->names[b];
  uint32_t n = x->len < y->len ? x->len : y->len;
  int r = n ? memcmp(x->ptr, y->ptr, n) : 0;
  return r ? r : (x->len > y->len) - (x->len < y->len);
}

static void sift_down(const vy_vctx *c, uint32_t *a, size_t i, size_t n) {
  for (;;) {
    size_t m = i, l = 2 * i + 1, r = l + 1;
    if (l < n && name_cmp(c, a[l], a[m]) > 0) m = l;
    if (r < n && name_cmp(c, a[r], a[m]) > 0) m = r;
    if (m == i) return;
    uint32_t t = a[i];
    a[i] = a[m];
    a[m] = t;
    i = m;
  }
}

/* Heap sort by name bytes (vyre sorts hazards by name before reporting). */
static void sort_names(const vy_vctx *c, uint32_t *a, size_t n) {
  for (size_t i = n / 2; i-- > 0;) sift_down(c, a, i, n);
  for (size_t end = n; end > 1; end--) {
    uint32_t t = a[0];
    a[0] = a[end - 1];
    a[end - 1] = t;
    sift_down(c, a, 0, end - 1);
  }
}

/* X021: the accesses [from, c->nacc) of the statement being checked against
 * the current list's state: an atomic on a buffer read non-atomically since
 * the last Barrier, or a read of one accessed atomically. One report per
 * buffer, in name order. */
static void report_hazards(vy_vctx *c, size_t from) {
  uint64_t gen = top(c)->gen;
  c->nhz = 0;
  for (size_t i = from; i < c->nacc; i++) {
    const vy_vname *n = &c->names[c->acc[i].name];
    bool hazard = c->acc[i].atomic ? n->read_gen == gen : n->atomic_gen == gen;
    if (!hazard || !vy_vgrow(c, (void **)&c->hz, &c->hz_cap, c->nhz + 1, sizeof *c->hz)) continue;
    c->hz[c->nhz++] = c->acc[i].name;
  }
  sort_names(c, c->hz, c->nhz);
  for (size_t i = 0; i < c->nhz; i++) {
    if (i && c->hz[i] == c->hz[i - 1]) continue;
    const vy_vname *n = &c->names[c->hz[i]];
    vy_vdiag(c, false, "X021", c->cur_node->loc,
             "fusion hazard on buffer `%.*s`: one statement reads it non-atomically while another accesses it "
             "atomically, with no Barrier between them in this statement list. Fix: insert a Barrier between the "
             "plain accesses and the atomic ones, or use separate buffers",
             (int)n->len, n->ptr);
  }
}

/* Adds the accesses [from, c->nacc) to the current list's state. */
static void extend_state(vy_vctx *c, size_t from) {
  uint64_t gen = top(c)->gen;
  for (size_t i = from; i < c->nacc && !c->oom; i++) {
    vy_vname *n = &c->names[c->acc[i].name];
    uint64_t *slot = c->acc[i].atomic ? &n->atomic_gen : &n->read_gen;
    if (*slot == gen || !vy_vgrow(c, (void **)&c->undo, &c->undo_cap, c->nundo + 1, sizeof *c->undo)) continue;
    c->undo[c->nundo++] = (vy_vundo){c->acc[i].name, c->acc[i].atomic, *slot};
    *slot = gen;
  }
}

/* The common tail of a statement with accesses: report, then record them. */
static void settle_accesses(vy_vctx *c, size_t from) {
  report_hazards(c, from);
  extend_state(c, from);
  c->nacc = from;
}

/* ---- statement rules ---------------------------------------------------- */

static void check_limits(vy_vctx *c, const vy_node *nd, uint32_t depth) {
  if (++c->node_count > VY_V_MAX_STATEMENTS && !c->count_reported) {
    c->count_reported = true;
    vy_vdiag(c, false, "V019", nd->loc,
             "program has more than %u statements (this is statement %u in pre-order). Fix: split the program into "
             "smaller kernels or simplify it before lowering",
             VY_V_MAX_STATEMENTS, c->node_count);
  }
  if (depth > VY_V_MAX_NESTING && !c->nesting_reported) {
    c->nesting_reported = true;
    vy_vdiag(c, false, "V018", nd->loc,
             "statement nesting depth %u exceeds the maximum %u. Fix: flatten nested If/Loop/Block/Region "
             "structures or split the program",
             depth, VY_V_MAX_NESTING);
  }
}

/* vyre's store/assign element compatibility: equal, or u32 into bool/bytes,
 * or bool/bytes into u32. */
static bool element_accepts(const vy_type *elem, const vy_type *value) {
  if (vy_type_equal(elem, value)) return true;
  if (value->kind == VY_TYPE_U32) return elem->kind == VY_TYPE_BOOL || elem->kind == VY_TYPE_BYTES;
  return elem->kind == VY_TYPE_U32 && (value->kind == VY_TYPE_BOOL || value->kind == VY_TYPE_BYTES);
}

/* V008 for a Let name or loop variable already bound in an enclosing scope. */
static void check_shadowing(vy_vctx *c, vy_str name, const vy_vbinding *live, const char *what) {
  if (!live || c->opts.allow_shadowing) return;
  vy_vdiag(c, false, "V008", c->cur_node->loc,
           "%s `%.*s` shadows a binding of an enclosing scope. Fix: choose a unique local name (or validate with "
           "allow_shadowing; the reference still rejects a live duplicate at run time)",
           what, NAMEF(name));
}

static void visit_let(vy_vctx *c, const vy_node *nd) {
  size_t am = c->nacc;
  vy_vinfo v = vy_vexpr_check(c, nd->u.let.value, "value");
  c->slot = NULL;
  vy_str name = nd->u.let.name;
  uint32_t id = vy_vname_id(c, name.ptr, name.len);
  if (id == VY_VNONE) return;
  const vy_vbinding *live = vy_vlookup(c, id);
  if (live && live->is_let && live->frame == top(c)->serial)
    vy_vdiag(c, false, "V032", nd->loc,
             "duplicate let `%.*s` in the same statement list. Fix: rename one binding, or move one into an inner "
             "Block if a new scope is intended",
             NAMEF(name));
  else
    check_shadowing(c, name, live, "let");
  bind(c, id, v.ty ? v.ty : vy_type_scalar(VY_TYPE_U32), v.ty != NULL, true, v.uniform, true);
  settle_accesses(c, am);
}

static void visit_assign(vy_vctx *c, const vy_node *nd) {
  size_t am = c->nacc, mark = vy_vdiag_mark(c);
  vy_vinfo v = vy_vexpr_check(c, nd->u.assign.value, "value");
  size_t later = vy_vdiag_mark(c);
  c->slot = NULL;
  vy_str name = nd->u.assign.name;
  uint32_t id = vy_vname_id(c, name.ptr, name.len);
  if (id == VY_VNONE) return;
  vy_vbinding *b = vy_vlookup(c, id);
  const vy_buffer_decl *buf = b ? NULL : c->names[id].buffer;
  char t1[64], t2[64];
  if (b) {
    if (!b->is_mutable)
      vy_vdiag(c, false, "V011", nd->loc,
               "assignment to loop variable `%.*s`. Fix: loop variables are immutable; copy it into a let first",
               NAMEF(name));
    if (b->ty_known && v.ty && !vy_type_equal(v.ty, b->ty))
      vy_vdiag(c, false, "V045", nd->loc,
               "assignment to `%.*s` has type `%s` but the binding was declared as `%s`. Fix: cast the value to "
               "`%s` or introduce a new binding with the intended type",
               NAMEF(name), vy_vtype_name(v.ty, t1, sizeof t1), vy_vtype_name(b->ty, t2, sizeof t2), t2);
  } else if (buf) {
    if (buf->access != VY_ACCESS_READ_WRITE)
      vy_vdiag(c, false, "X011", nd->loc,
               "assignment to buffer `%.*s` requires read_write storage but its access is `%s`. Fix: store into a "
               "read_write buffer, or assign a local let instead",
               NAMEF(name), vy_access_name(buf->access));
    if (v.ty && !element_accepts(&buf->element, v.ty))
      vy_vdiag(c, false, "V045", nd->loc,
               "assignment to buffer `%.*s` has type `%s` but the element type is `%s`. Fix: cast the value to "
               "`%s` or write to a buffer with the intended element type",
               NAMEF(name), vy_vtype_name(v.ty, t1, sizeof t1), vy_vtype_name(&buf->element, t2, sizeof t2), t2);
  } else {
    vy_vdiag(c, false, "X010", nd->loc,
             "assignment to undeclared variable `%.*s`. Fix: declare it with a let before this assignment",
             NAMEF(name));
  }
  vy_vdiag_hoist(c, mark, later);
  if (b) b->uniform = b->uniform && v.uniform;
  settle_accesses(c, am);
}

/* V036: a constant index at or past a statically sized buffer's end. */
static void check_constant_index(vy_vctx *c, const vy_node *nd, const vy_buffer_decl *buf) {
  const vy_expr *ix = nd->u.store.index;
  if (buf->count == 0) return;
  long long v;
  if (ix->kind == VY_EXPR_LIT_U32)
    v = ix->u.lit_u32;
  else if (ix->kind == VY_EXPR_LIT_I32)
    v = ix->u.lit_i32;
  else
    return;
  if (v >= 0 && v < (long long)buf->count) return;
  c->slot = "index";
  vy_vdiag(c, false, "V036", vy_vexpr_loc(c, ix),
           "store index %lld is outside buffer `%.*s` of count %u. Fix: keep constant store indices from 0 to %u", v,
           NAMEF(buf->name), buf->count, buf->count - 1);
  c->slot = NULL;
}

static void visit_store(vy_vctx *c, const vy_node *nd) {
  size_t am = c->nacc, mark = vy_vdiag_mark(c);
  vy_vexpr_check(c, nd->u.store.index, "index");
  vy_vinfo v = vy_vexpr_check(c, nd->u.store.value, "value");
  size_t later = vy_vdiag_mark(c);
  c->slot = NULL;
  vy_str name = nd->u.store.buffer;
  const vy_buffer_decl *buf = vy_vbuffer(c, name);
  if (!buf) {
    vy_vdiag(c, false, "X012", nd->loc, "store to unknown buffer `%.*s`. Fix: declare the buffer in the program",
             NAMEF(name));
  } else {
    vy_access a = buf->access;
    if (a != VY_ACCESS_READ_WRITE && a != VY_ACCESS_WRITE_ONLY && a != VY_ACCESS_WORKGROUP)
      vy_vdiag(c, false, "X013", nd->loc,
               "store to non-writable buffer `%.*s` (access `%s`). Fix: declare it read_write, write or workgroup",
               NAMEF(name), vy_access_name(a));
    if (buf->element.kind == VY_TYPE_BYTES && !buf->bytes_extraction)
      vy_vdiag(c, false, "V013", nd->loc,
               "store to buffer `%.*s` with element type `bytes` is not supported. Fix: use a typed buffer, or set "
               "bytes_extraction on the buffer for a bytes-producing op",
               NAMEF(name));
    char t1[64], t2[64];
    if (v.ty && !element_accepts(&buf->element, v.ty))
      vy_vdiag(c, false, "X014", vy_vexpr_loc(c, nd->u.store.value),
               "store into buffer `%.*s` has value type `%s` but the element type is `%s`. Fix: cast the value to "
               "`%s`",
               NAMEF(name), vy_vtype_name(v.ty, t1, sizeof t1), vy_vtype_name(&buf->element, t2, sizeof t2), t2);
    check_constant_index(c, nd, buf);
  }
  vy_vdiag_hoist(c, mark, later);
  add_access(c, name, false); /* a Store counts as a read of its target */
  settle_accesses(c, am);
}

static void visit_if(vy_vctx *c, const vy_node *nd) {
  size_t am = c->nacc;
  vy_vinfo v = vy_vexpr_check(c, nd->u.if_.cond, "cond");
  if (v.ty && v.ty->kind != VY_TYPE_U32 && v.ty->kind != VY_TYPE_BOOL) {
    char t[64];
    vy_vdiag(c, false, "X015", vy_vexpr_loc(c, nd->u.if_.cond),
             "if condition has type `%s` but must be `u32` or `bool`. Fix: compare or cast the condition to produce "
             "`u32` or `bool`",
             vy_vtype_name(v.ty, t, sizeof t));
  }
  c->slot = NULL;
  report_hazards(c, am); /* the cond's accesses join this list's state after both branches */
  const vy_vframe *f = top(c);
  push_frame(c, &nd->u.if_.then_body, VY_VF_THEN, VY_VP_THEN, f->depth + 1, f->divergent || !v.uniform, am);
}

static void visit_loop(vy_vctx *c, const vy_node *nd) {
  size_t am = c->nacc;
  vy_vinfo from = vy_vexpr_check(c, nd->u.loop.from, "from");
  vy_vinfo to = vy_vexpr_check(c, nd->u.loop.to, "to");
  const char *slots[2] = {"from", "to"};
  const vy_vinfo *bounds[2] = {&from, &to};
  const vy_expr *exprs[2] = {nd->u.loop.from, nd->u.loop.to};
  for (int i = 0; i < 2; i++) {
    if (!bounds[i]->ty || bounds[i]->ty->kind == VY_TYPE_U32) continue;
    char t[64];
    c->slot = slots[i];
    vy_vdiag(c, false, "X016", vy_vexpr_loc(c, exprs[i]),
             "loop %s-bound has type `%s` but loop bounds must be `u32`. Fix: cast the bound to `u32`", slots[i],
             vy_vtype_name(bounds[i]->ty, t, sizeof t));
  }
  c->slot = NULL;
  vy_str var = nd->u.loop.var;
  uint32_t id = vy_vname_id(c, var.ptr, var.len);
  if (id == VY_VNONE) return;
  check_shadowing(c, var, vy_vlookup(c, id), "loop variable");
  report_hazards(c, am);
  const vy_vframe *f = top(c);
  bool parent_divergent = f->divergent, bounds_uniform = from.uniform && to.uniform;
  push_frame(c, &nd->u.loop.body, VY_VF_BODY, VY_VP_EXTEND, f->depth + 1, parent_divergent || !bounds_uniform, am);
  bind(c, id, vy_type_scalar(VY_TYPE_U32), true, false, bounds_uniform && !parent_divergent, false);
}

static void visit_barrier(vy_vctx *c, const vy_node *nd) {
  if (top(c)->divergent)
    vy_vdiag(c, false, "V010", nd->loc,
             "barrier may be reached by only part of a workgroup: it is inside an If or Loop whose condition or "
             "bounds are not workgroup-uniform. Fix: move the barrier to uniform control flow");
  if (nd->u.barrier == VY_ORDERING_RELAXED)
    vy_vdiag(c, false, "V043", nd->loc,
             "barrier uses memory ordering `relaxed`, but a barrier must synchronize memory. Fix: use "
             "acquire, release, acq_rel or seq_cst, or no barrier at all");
  top(c)->gen = ++c->gen_counter; /* the hazard state starts over */
}

static void check_collective_buffer(vy_vctx *c, const vy_node *nd, vy_str name) {
  const vy_buffer_decl *b = vy_vbuffer(c, name);
  if (!b)
    vy_vdiag(c, false, "V046", nd->loc,
             "collective references unknown buffer `%.*s`. Fix: declare the collective buffer", NAMEF(name));
  else if (b->access == VY_ACCESS_WORKGROUP)
    vy_vdiag(c, false, "V046", nd->loc,
             "collective buffer `%.*s` is workgroup-local. Fix: use a storage buffer visible to the distributed "
             "backend",
             NAMEF(name));
  add_access(c, name, false);
}

static void visit_collective(vy_vctx *c, const vy_node *nd) {
  size_t am = c->nacc;
  if (!c->opts.supports_collectives)
    vy_vdiag(c, false, "V046", nd->loc,
             "collective `%s` requires backend support for distributed collectives. Fix: validate with "
             "supports_collectives for a backend that has them, or lower collectives first",
             vy_node_kind_name(nd->kind));
  vy_str in = {0}, out = {0};
  switch (nd->kind) {
  case VY_NODE_ALL_REDUCE:
    check_collective_buffer(c, nd, nd->u.all_reduce.buffer);
    break;
  case VY_NODE_BROADCAST:
    check_collective_buffer(c, nd, nd->u.broadcast.buffer);
    break;
  case VY_NODE_ALL_GATHER:
    in = nd->u.all_gather.input, out = nd->u.all_gather.output;
    break;
  default: /* REDUCE_SCATTER */
    in = nd->u.reduce_scatter.input, out = nd->u.reduce_scatter.output;
    break;
  }
  if (in.ptr) {
    check_collective_buffer(c, nd, in);
    check_collective_buffer(c, nd, out);
    const vy_buffer_decl *bi = vy_vbuffer(c, in), *bo = vy_vbuffer(c, out);
    char t1[64], t2[64];
    if (bi && bo && !vy_type_equal(&bi->element, &bo->element))
      vy_vdiag(c, false, "V046", nd->loc,
               "collective input/output element mismatch: `%.*s` is `%s`, `%.*s` is `%s`. Fix: use matching element "
               "types",
               NAMEF(in), vy_vtype_name(&bi->element, t1, sizeof t1), NAMEF(out),
               vy_vtype_name(&bo->element, t2, sizeof t2));
  }
  settle_accesses(c, am);
}

static void check_tag(vy_vctx *c, const vy_node *nd, vy_str tag) {
  if (tag.len == 0)
    vy_vdiag(c, false, "X019", nd->loc,
             "%s has an empty tag. Fix: use a stable non-empty tag to pair async transfers with their AsyncWait",
             vy_node_kind_name(nd->kind));
}

static void visit_async_copy(vy_vctx *c, const vy_node *nd) {
  size_t am = c->nacc;
  check_tag(c, nd, nd->u.async_copy.tag);
  vy_vexpr_check_depth(c, nd->u.async_copy.offset, "offset");
  vy_vexpr_check_depth(c, nd->u.async_copy.size, "size");
  c->slot = NULL;
  add_access(c, nd->u.async_copy.source, false);
  add_access(c, nd->u.async_copy.destination, false);
  settle_accesses(c, am);
}

static void visit_indirect(vy_vctx *c, const vy_node *nd) {
  size_t am = c->nacc;
  if (nd->u.indirect.count_offset % 4 != 0)
    vy_vdiag(c, false, "X017", nd->loc,
             "indirect dispatch offset %llu is not 4-byte aligned. Fix: use an offset aligned to the u32 dispatch "
             "count tuple",
             (unsigned long long)nd->u.indirect.count_offset);
  if (!vy_vbuffer(c, nd->u.indirect.count_buffer))
    vy_vdiag(c, false, "X018", nd->loc,
             "indirect dispatch references unknown buffer `%.*s`. Fix: declare the count buffer",
             NAMEF(nd->u.indirect.count_buffer));
  add_access(c, nd->u.indirect.count_buffer, false);
  settle_accesses(c, am);
}

/* Visits one statement pre-order; structured statements open a frame. */
static void visit(vy_vctx *c, const vy_node *nd) {
  const vy_vframe *f = top(c);
  c->cur_node = nd;
  c->slot = NULL;
  check_limits(c, nd, f->depth);
  switch (nd->kind) {
  case VY_NODE_LET:
    visit_let(c, nd);
    break;
  case VY_NODE_ASSIGN:
    visit_assign(c, nd);
    break;
  case VY_NODE_STORE:
    visit_store(c, nd);
    break;
  case VY_NODE_IF:
    visit_if(c, nd);
    break;
  case VY_NODE_LOOP:
    visit_loop(c, nd);
    break;
  case VY_NODE_BLOCK:
    push_frame(c, &nd->u.block, VY_VF_BODY, VY_VP_NONE, f->depth + 1, f->divergent, 0);
    break;
  case VY_NODE_REGION:
    vy_vselfex_note(c, nd);
    push_frame(c, &nd->u.region.body, VY_VF_BODY, VY_VP_NONE, f->depth + 1, f->divergent, 0);
    break;
  case VY_NODE_BARRIER:
    visit_barrier(c, nd);
    break;
  case VY_NODE_INDIRECT_DISPATCH:
    visit_indirect(c, nd);
    break;
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
    visit_async_copy(c, nd);
    break;
  case VY_NODE_ASYNC_WAIT:
    check_tag(c, nd, nd->u.tag);
    break;
  case VY_NODE_TRAP:
    vy_vexpr_check_depth(c, nd->u.trap.address, "address");
    break;
  case VY_NODE_ALL_REDUCE:
  case VY_NODE_ALL_GATHER:
  case VY_NODE_REDUCE_SCATTER:
  case VY_NODE_BROADCAST:
    visit_collective(c, nd);
    break;
  case VY_NODE_OPAQUE:
    if (nd->u.opaque.kind.len == 0)
      vy_vdiag(c, false, "V031", nd->loc,
               "opaque statement has an empty extension kind. Fix: give the extension a stable non-empty namespace");
    break;
  case VY_NODE_RETURN:
  case VY_NODE_RESUME:
  case VY_NODE_COUNT:
    break;
  }
}

/* Ends the innermost list: unreachable statements after a Return (X020),
 * scope and fusion state restored, then what follows the list. */
static void pop_frame(vy_vctx *c) {
  vy_vframe *f = top(c);
  const vy_node_list *l = f->list;
  for (uint32_t i = 0; i < l->count; i++) {
    if (l->items[i]->kind != VY_NODE_RETURN) continue;
    if (i + 1 < l->count) {
      f->next = i + 2; /* the path names the first unreachable statement */
      c->cur_node = l->items[i + 1];
      c->slot = NULL;
      vy_vdiag(c, false, "X020", c->cur_node->loc,
               "unreachable statements after `return` (%u statement(s) follow it in this list). Fix: remove them "
               "or move the return after them",
               l->count - i - 1);
    }
    break;
  }
  while (c->nbindings > f->bind_mark) {
    const vy_vbinding *b = &c->bindings[--c->nbindings];
    c->names[b->name].binding = b->prev;
  }
  while (c->nundo > f->undo_mark) {
    const vy_vundo *u = &c->undo[--c->nundo];
    vy_vname *n = &c->names[u->name];
    *(u->atomic ? &n->atomic_gen : &n->read_gen) = u->old;
  }
  uint8_t post = f->post;
  size_t acc_mark = f->acc_mark;
  bool divergent = f->divergent;
  uint32_t depth = f->depth;
  c->nframes--;
  if (post == VY_VP_THEN) {
    const vy_vframe *p = top(c);
    const vy_node *owner = p->list->items[p->next - 1];
    push_frame(c, &owner->u.if_.else_body, VY_VF_ELSE, VY_VP_EXTEND, depth, divergent, acc_mark);
  } else if (post == VY_VP_EXTEND) {
    extend_state(c, acc_mark);
    c->nacc = acc_mark;
  }
}

void vy_vstmt_run(vy_vctx *c) {
  push_frame(c, &c->p->entry, VY_VF_ENTRY, VY_VP_NONE, 0, false, 0);
  while (c->nframes && !c->oom) {
    vy_vframe *f = top(c);
    if (f->next < f->list->count)
      visit(c, f->list->items[f->next++]);
    else
      pop_frame(c);
  }
  c->cur_node = NULL;
  c->slot = NULL;
}
