/* validate.c - the validator's driver: the diagnostics list, the name table,
 * and the program-level rules (vyre-ir.md §5.1; vyre F/validate/validate.rs,
 * expr_rules.rs::validate_output_markers, linear_type.rs, shape_predicate.rs,
 * composition.rs::self_exclusive_region_key).
 *
 * Report order follows vyre's validate_with_options: top-level Region
 * invariant, workgroup size, per-buffer rules, output markers, the statement
 * tree (validate_stmt.c), duplicated self-exclusive regions, linear types,
 * shape predicates.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error_int.h"
#include "program_int.h"
#include "validate_int.h"

struct vy_diagnostics {
  vy_allocator alloc_copy;   /* the caller's allocator, copied */
  const vy_allocator *alloc; /* &alloc_copy, or NULL for malloc */
  vy_diagnostic *items;
  size_t count, cap;
  size_t errors; /* items with warning == false */
};

/* A self-exclusive region key seen a second time: reported after the walk,
 * sorted by key, at the second occurrence. */
struct vy_vselfex {
  uint32_t name;
  vy_srcloc loc;
  char path[VY_DIAG_PATH_MAX];
};

/* ---- the diagnostics list ---------------------------------------------- */

size_t vy_diagnostics_count(const vy_diagnostics *d) { return d ? d->count : 0; }
size_t vy_diagnostics_error_count(const vy_diagnostics *d) { return d ? d->errors : 0; }
size_t vy_diagnostics_warning_count(const vy_diagnostics *d) { return d ? d->count - d->errors : 0; }

const vy_diagnostic *vy_diagnostics_get(const vy_diagnostics *d, size_t i) {
  return d && i < d->count ? &d->items[i] : NULL;
}

void vy_diagnostics_destroy(vy_diagnostics *d) {
  if (!d) return;
  const vy_allocator *a = d->alloc;
  vy_mem_free(a, d->items, d->cap * sizeof *d->items);
  vy_mem_free(a, d, sizeof *d);
}

vy_status vy_diagnostics_first_error(const vy_diagnostics *d, vy_error *err) {
  size_t n = vy_diagnostics_error_count(d);
  if (n == 0) return VY_OK;
  const vy_diagnostic *g = d->items;
  while (g->warning) g++;
  if (!err) return VY_E_INVALID_PROGRAM;
  vy_error_set_at(err, VY_E_INVALID_PROGRAM, g->loc.line, g->loc.col, "%s at %s (error 1 of %zu): %s", g->code,
                  g->path[0] ? g->path : "program", n, g->message);
  snprintf(err->rule, sizeof err->rule, "%s", g->code);
  return VY_E_INVALID_PROGRAM;
}

void vy_validate_options_default(vy_validate_options *o) { memset(o, 0, sizeof *o); }

/* ---- working memory ----------------------------------------------------- */

bool vy_vgrow(vy_vctx *c, void **arr, size_t *cap, size_t need, size_t elem) {
  if (c->oom) return false;
  if (need <= *cap) return true;
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2 / elem) {
      c->oom = true;
      return false;
    }
    ncap *= 2;
  }
  void *p = vy_mem_realloc(c->alloc, *arr, *cap * elem, ncap * elem);
  if (!p) {
    c->oom = true;
    return false;
  }
  *arr = p;
  *cap = ncap;
  return true;
}

/* ---- the name table (FNV-1a, open addressing, load <= 1/2) -------------- */

static uint32_t name_hash(const char *s, uint32_t len) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static bool name_is(const vy_vname *n, const char *s, uint32_t len, uint32_t h) {
  return n->hash == h && n->len == len && (len == 0 || memcmp(n->ptr, s, len) == 0);
}

uint32_t vy_vname_find(const vy_vctx *c, const char *s, uint32_t len) {
  if (!c->slots_cap) return VY_VNONE;
  uint32_t h = name_hash(s, len);
  for (size_t i = h & (c->slots_cap - 1);; i = (i + 1) & (c->slots_cap - 1)) {
    uint32_t id1 = c->slots[i];
    if (!id1) return VY_VNONE;
    if (name_is(&c->names[id1 - 1], s, len, h)) return id1 - 1;
  }
}

static bool rehash(vy_vctx *c, size_t ncap) {
  uint32_t *slots = vy_mem_calloc(c->alloc, ncap, sizeof *slots);
  if (!slots) {
    c->oom = true;
    return false;
  }
  for (size_t id = 0; id < c->nnames; id++) {
    size_t i = c->names[id].hash & (ncap - 1);
    while (slots[i]) i = (i + 1) & (ncap - 1);
    slots[i] = (uint32_t)id + 1;
  }
  vy_mem_free(c->alloc, c->slots, c->slots_cap * sizeof *c->slots);
  c->slots = slots;
  c->slots_cap = ncap;
  return true;
}

uint32_t vy_vname_id(vy_vctx *c, const char *s, uint32_t len) {
  if (c->oom) return VY_VNONE;
  uint32_t id = vy_vname_find(c, s, len);
  if (id != VY_VNONE) return id;
  if (c->nnames >= UINT32_MAX - 1) {
    c->oom = true;
    return VY_VNONE;
  }
  if ((c->nnames + 1) * 2 > c->slots_cap && !rehash(c, c->slots_cap ? c->slots_cap * 2 : 64)) return VY_VNONE;
  if (!vy_vgrow(c, (void **)&c->names, &c->names_cap, c->nnames + 1, sizeof *c->names)) return VY_VNONE;
  uint32_t h = name_hash(s, len);
  vy_vname *n = &c->names[c->nnames];
  memset(n, 0, sizeof *n);
  n->ptr = s;
  n->len = len;
  n->hash = h;
  n->binding = VY_VNONE;
  size_t i = h & (c->slots_cap - 1);
  while (c->slots[i]) i = (i + 1) & (c->slots_cap - 1);
  c->slots[i] = (uint32_t)c->nnames + 1;
  return (uint32_t)c->nnames++;
}

vy_vbinding *vy_vlookup(vy_vctx *c, uint32_t name) {
  if (name == VY_VNONE || c->names[name].binding == VY_VNONE) return NULL;
  return &c->bindings[c->names[name].binding];
}

const vy_buffer_decl *vy_vbuffer(const vy_vctx *c, vy_str name) {
  uint32_t id = vy_vname_find(c, name.ptr, name.len);
  return id == VY_VNONE ? NULL : c->names[id].buffer;
}

/* ---- diagnostics -------------------------------------------------------- */

void vy_vdiag(vy_vctx *c, bool warning, const char *code, vy_srcloc loc, const char *fmt, ...) {
  vy_diagnostics *d = c->diags;
  if (!vy_vgrow(c, (void **)&d->items, &d->cap, d->count + 1, sizeof *d->items)) return;
  vy_diagnostic *g = &d->items[d->count++];
  memset(g, 0, sizeof *g); /* no stale bytes past the strings: lists compare with memcmp */
  g->warning = warning;
  snprintf(g->code, sizeof g->code, "%s", code);
  g->loc = loc;
  if (c->cur_node)
    vy_vstmt_path(c, g->path, sizeof g->path);
  else
    snprintf(g->path, sizeof g->path, "%s", c->where);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g->message, sizeof g->message, fmt, ap);
  va_end(ap);
  if (!warning) d->errors++;
}

size_t vy_vdiag_mark(const vy_vctx *c) { return c->diags->count; }

static void diag_reverse(vy_diagnostic *items, size_t lo, size_t hi) {
  vy_diagnostic tmp;
  while (lo + 1 < hi) {
    tmp = items[lo];
    items[lo++] = items[--hi];
    items[hi] = tmp;
  }
}

void vy_vdiag_hoist(vy_vctx *c, size_t mark, size_t later) {
  vy_diagnostics *d = c->diags;
  if (c->oom || later == mark || later == d->count) return;
  diag_reverse(d->items, mark, later);
  diag_reverse(d->items, later, d->count);
  diag_reverse(d->items, mark, d->count);
}

/* ---- type names (vyre's Display spellings, S/data_type/display.rs) ------ */

static size_t type_name_at(const vy_type *t, char *buf, size_t n, size_t at, unsigned depth);

static size_t put(char *buf, size_t n, size_t at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static size_t put(char *buf, size_t n, size_t at, const char *fmt, ...) {
  if (at >= n) return at;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(buf + at, n - at, fmt, ap);
  va_end(ap);
  return k < 0 ? at : at + (size_t)k;
}

static size_t dims_at(const uint32_t *d, uint32_t nd, char *buf, size_t n, size_t at) {
  for (uint32_t i = 0; i < nd; i++) at = put(buf, n, at, i ? "x%u" : "%u", d[i]);
  return at;
}

static size_t type_name_at(const vy_type *t, char *buf, size_t n, size_t at, unsigned depth) {
  if (!t) return put(buf, n, at, "unknown");
  if (depth > 4) return put(buf, n, at, "...");
  switch (t->kind) {
  case VY_TYPE_ARRAY:
    return put(buf, n, at, "array<%u>", t->u.array_element_size);
  case VY_TYPE_HANDLE:
    return put(buf, n, at, "handle<0x%x>", t->u.handle_id);
  case VY_TYPE_OPAQUE:
    return put(buf, n, at, "opaque<0x%x>", t->u.opaque_id);
  case VY_TYPE_VEC:
    at = type_name_at(t->u.vec.element, buf, n, put(buf, n, at, "vec<"), depth + 1);
    return put(buf, n, at, ";%u>", t->u.vec.count);
  case VY_TYPE_TENSOR_SHAPED:
    at = type_name_at(t->u.tensor.element, buf, n, put(buf, n, at, "tensor<"), depth + 1);
    return put(buf, n, dims_at(t->u.tensor.dims, t->u.tensor.rank, buf, n, put(buf, n, at, ";")), ">");
  case VY_TYPE_SPARSE_CSR:
  case VY_TYPE_SPARSE_COO:
    at = put(buf, n, at, "%s<", vy_type_kind_name(t->kind));
    return put(buf, n, type_name_at(t->u.sparse.element, buf, n, at, depth + 1), ">");
  case VY_TYPE_SPARSE_BSR:
    at = type_name_at(t->u.bsr.element, buf, n, put(buf, n, at, "sparse_bsr<"), depth + 1);
    return put(buf, n, at, ";%ux%u>", t->u.bsr.block_rows, t->u.bsr.block_cols);
  case VY_TYPE_DEVICE_MESH:
    return put(buf, n, dims_at(t->u.mesh.axes, t->u.mesh.naxes, buf, n, put(buf, n, at, "device_mesh<")), ">");
  case VY_TYPE_QUANTIZED:
    return put(buf, n, type_name_at(t->u.quant.storage, buf, n, put(buf, n, at, "quantized<"), depth + 1), ">");
  default:
    return put(buf, n, at, "%s", vy_type_kind_name(t->kind));
  }
}

const char *vy_vtype_name(const vy_type *t, char *buf, size_t n) {
  if (n) buf[0] = 0;
  type_name_at(t, buf, n, 0, 0);
  return buf;
}

bool vy_vtype_is(const vy_type *t, vy_type_kind k) { return t && t->kind == k; }

/* ---- program-level rules ------------------------------------------------ */

static void check_entry(vy_vctx *c) {
  const vy_node_list *entry = &c->p->entry;
  if (entry->count == 0) {
    snprintf(c->where, sizeof c->where, "entry");
    vy_vdiag(c, false, "X001", (vy_srcloc){0, 0},
             "program entry has no top-level Region. Fix: finish the builder with VY_FINISH_WRAPPED "
             "(vyre's Program::wrapped) or wrap the body in a Region");
    return;
  }
  for (uint32_t i = 0; i < entry->count; i++) {
    const vy_node *n = entry->items[i];
    if (n->kind == VY_NODE_REGION) continue;
    snprintf(c->where, sizeof c->where, "entry[%u]", i);
    vy_vdiag(c, false, "X001", n->loc,
             "program entry node %u is `%s` instead of a Region: every top-level node must be a Region. Fix: "
             "finish the builder with VY_FINISH_WRAPPED (vyre's Program::wrapped) or wrap the top-level body "
             "in a Region",
             i, vy_node_kind_name(n->kind));
    return;
  }
}

static void check_workgroup_size(vy_vctx *c) {
  for (unsigned axis = 0; axis < 3; axis++) {
    if (c->p->workgroup_size[axis]) continue;
    snprintf(c->where, sizeof c->where, "workgroup_size[%u]", axis);
    vy_vdiag(c, false, "X002", (vy_srcloc){0, 0}, "workgroup_size[%u] is 0. Fix: all workgroup dimensions must be >= 1",
             axis);
  }
}

/* Insert-or-find in an open-addressed set of binding slots (0 = empty slot,
 * so values are stored + 1 in 64 bits). Returns true when already present. */
static bool binding_seen(uint64_t *set, size_t cap, uint32_t binding) {
  uint64_t key = (uint64_t)binding + 1;
  size_t i = (binding * 2654435761u) & (cap - 1);
  while (set[i]) {
    if (set[i] == key) return true;
    i = (i + 1) & (cap - 1);
  }
  set[i] = key;
  return false;
}

static void check_buffers(vy_vctx *c) {
  const vy_program *p = c->p;
  size_t cap = 16;
  while (cap < (size_t)p->nbuffers * 2) cap *= 2;
  uint64_t *bindings = vy_mem_calloc(c->alloc, cap, sizeof *bindings);
  if (!bindings) {
    c->oom = true;
    return;
  }
  uint32_t outputs = 0;
  for (uint32_t i = 0; i < p->nbuffers && !c->oom; i++) {
    const vy_buffer_decl *b = &p->buffers[i];
    int nl = (int)b->name.len;
    snprintf(c->where, sizeof c->where, "buffers[%u]", i);
    uint32_t id = vy_vname_id(c, b->name.ptr, b->name.len);
    if (id == VY_VNONE) break;
    if (c->names[id].declared)
      vy_vdiag(c, false, "X003", b->loc, "duplicate buffer name `%.*s`. Fix: each buffer must have a unique name", nl,
               b->name.ptr);
    c->names[id].declared = true;
    c->names[id].buffer = b; /* vyre's name map: the last declaration wins */
    if (b->access != VY_ACCESS_WORKGROUP && binding_seen(bindings, cap, b->binding))
      vy_vdiag(c, false, "X004", b->loc,
               "duplicate binding slot %u (buffer `%.*s`). Fix: each non-workgroup buffer must have a "
               "unique binding",
               b->binding, nl, b->name.ptr);
    if (b->access == VY_ACCESS_WORKGROUP && b->count == 0)
      vy_vdiag(c, false, "X005", b->loc, "workgroup buffer `%.*s` has count 0. Fix: declare a positive element count",
               nl, b->name.ptr);
    if (b->is_output && (b->element.kind == VY_TYPE_ARRAY || b->element.kind == VY_TYPE_TENSOR)) {
      char tn[64];
      vy_vdiag(c, false, "X006", b->loc,
               "output buffer `%.*s` uses unsupported element type `%s`. Fix: output buffers must use fixed-width "
               "scalar or vector element types, not Array or Tensor",
               nl, b->name.ptr, vy_vtype_name(&b->element, tn, sizeof tn));
    }
    outputs += b->is_output;
  }
  vy_mem_free(c->alloc, bindings, cap * sizeof *bindings);
  if (outputs > 1) {
    snprintf(c->where, sizeof c->where, "buffers");
    vy_vdiag(c, false, "V022", (vy_srcloc){0, 0},
             "program declares %u output buffers. Fix: mark at most one result buffer as output (vyre's "
             "BufferDecl::output)",
             outputs);
  }
}

/* ---- self-exclusive regions (X009) -------------------------------------- */

static int selfex_cmp(const vy_vctx *c, const vy_vselfex *a, const vy_vselfex *b) {
  const vy_vname *x = &c->names[a->name], *y = &c->names[b->name];
  uint32_t n = x->len < y->len ? x->len : y->len;
  int r = n ? memcmp(x->ptr, y->ptr, n) : 0;
  return r ? r : (x->len > y->len) - (x->len < y->len);
}

static void report_selfex(vy_vctx *c) {
  /* insertion sort: one entry per distinct duplicated key, a handful at most */
  for (size_t i = 1; i < c->nselfex; i++)
    for (size_t j = i; j > 0 && selfex_cmp(c, &c->selfex[j - 1], &c->selfex[j]) > 0; j--) {
      vy_vselfex t = c->selfex[j];
      c->selfex[j] = c->selfex[j - 1];
      c->selfex[j - 1] = t;
    }
  for (size_t i = 0; i < c->nselfex; i++) {
    const vy_vname *k = &c->names[c->selfex[i].name];
    memcpy(c->where, c->selfex[i].path, sizeof c->where);
    vy_vdiag(c, false, "X009", c->selfex[i].loc,
             "region `%.*s#self-exclusive` is marked non-composable with itself but appears %u times in one "
             "program. Fix: split it into separate dispatches, or give each instance distinct scratch storage "
             "and a distinct generator before fusion",
             (int)k->len, k->ptr, k->selfex);
  }
}

void vy_vselfex_note(vy_vctx *c, const vy_node *region) {
  static const char suffix[] = "#self-exclusive";
  const uint32_t sl = sizeof suffix - 1;
  vy_str g = region->u.region.generator;
  if (g.len < sl || memcmp(g.ptr + g.len - sl, suffix, sl) != 0) return;
  uint32_t id = vy_vname_id(c, g.ptr, g.len - sl);
  if (id == VY_VNONE || ++c->names[id].selfex != 2) return;
  if (!vy_vgrow(c, (void **)&c->selfex, &c->selfex_cap, c->nselfex + 1, sizeof *c->selfex)) return;
  vy_vselfex *s = &c->selfex[c->nselfex++];
  s->name = id;
  s->loc = region->loc;
  vy_vstmt_path(c, s->path, sizeof s->path);
}

/* ---- linear types (X007): syntactic use counts -------------------------- */

static void bump_use(vy_vctx *c, vy_str name) {
  uint32_t id = vy_vname_find(c, name.ptr, name.len);
  if (id != VY_VNONE) c->names[id].uses++;
}

typedef struct walk_item {
  const void *ptr;
  bool is_expr;
} walk_item;

static bool push_item(vy_vctx *c, walk_item **st, size_t *n, size_t *cap, const void *ptr, bool is_expr) {
  if (!ptr) return true;
  if (!vy_vgrow(c, (void **)st, cap, *n + 1, sizeof **st)) return false;
  (*st)[(*n)++] = (walk_item){ptr, is_expr};
  return true;
}

static bool push_list(vy_vctx *c, walk_item **st, size_t *n, size_t *cap, const vy_node_list *l) {
  for (uint32_t i = 0; i < l->count; i++)
    if (!push_item(c, st, n, cap, l->items[i], false)) return false;
  return true;
}

/* Pushes the child expressions and statement lists of node `nd`, and counts
 * the buffers it names itself (Store, IndirectDispatch, async endpoints). */
static bool walk_node_children(vy_vctx *c, walk_item **st, size_t *n, size_t *cap, const vy_node *nd) {
#define PE(e) push_item(c, st, n, cap, (e), true)
#define PL(l) push_list(c, st, n, cap, (l))
  switch (nd->kind) {
  case VY_NODE_LET:
  case VY_NODE_ASSIGN:
    return PE(nd->u.let.value);
  case VY_NODE_STORE:
    bump_use(c, nd->u.store.buffer);
    return PE(nd->u.store.index) && PE(nd->u.store.value);
  case VY_NODE_IF:
    return PE(nd->u.if_.cond) && PL(&nd->u.if_.then_body) && PL(&nd->u.if_.else_body);
  case VY_NODE_LOOP:
    return PE(nd->u.loop.from) && PE(nd->u.loop.to) && PL(&nd->u.loop.body);
  case VY_NODE_BLOCK:
    return PL(&nd->u.block);
  case VY_NODE_REGION:
    return PL(&nd->u.region.body);
  case VY_NODE_INDIRECT_DISPATCH:
    bump_use(c, nd->u.indirect.count_buffer);
    return true;
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
    bump_use(c, nd->u.async_copy.source);
    bump_use(c, nd->u.async_copy.destination);
    return PE(nd->u.async_copy.offset) && PE(nd->u.async_copy.size);
  case VY_NODE_TRAP:
    return PE(nd->u.trap.address);
  default:
    return true;
  }
}

/* Pushes the operands of expression `e`, and counts the buffer it names
 * (Load, BufLen, Atomic). */
static bool walk_expr_children(vy_vctx *c, walk_item **st, size_t *n, size_t *cap, const vy_expr *e) {
  switch (e->kind) {
  case VY_EXPR_LOAD:
    bump_use(c, e->u.load.buffer);
    return PE(e->u.load.index);
  case VY_EXPR_BUF_LEN:
    bump_use(c, e->u.buf_len);
    return true;
  case VY_EXPR_BIN_OP:
    return PE(e->u.bin.left) && PE(e->u.bin.right);
  case VY_EXPR_UN_OP:
    return PE(e->u.un.operand);
  case VY_EXPR_CALL:
    for (uint32_t i = 0; i < e->u.call.argc; i++)
      if (!PE(e->u.call.args[i])) return false;
    return true;
  case VY_EXPR_SELECT:
    return PE(e->u.select.cond) && PE(e->u.select.if_true) && PE(e->u.select.if_false);
  case VY_EXPR_CAST:
    return PE(e->u.cast.value);
  case VY_EXPR_ATOMIC:
    bump_use(c, e->u.atomic.buffer);
    return PE(e->u.atomic.index) && PE(e->u.atomic.expected) && PE(e->u.atomic.value);
  case VY_EXPR_FMA:
    return PE(e->u.fma.a) && PE(e->u.fma.b) && PE(e->u.fma.c);
  case VY_EXPR_SUBGROUP_ADD:
    return PE(e->u.subgroup_add);
  case VY_EXPR_SUBGROUP_SHUFFLE:
    return PE(e->u.shuffle.value) && PE(e->u.shuffle.lane);
  case VY_EXPR_SUBGROUP_BALLOT:
    return PE(e->u.subgroup_ballot);
  default:
    return true;
  }
#undef PE
#undef PL
}

static void check_linear_types(vy_vctx *c) {
  const vy_program *p = c->p;
  bool any = false;
  for (uint32_t i = 0; i < p->nbuffers; i++) any |= p->buffers[i].linear_type != VY_LINEAR_UNRESTRICTED;
  if (!any || c->oom) return; /* every buffer name is interned when no allocation failed */
  walk_item *st = NULL;
  size_t n = 0, cap = 0;
  bool ok = push_list(c, &st, &n, &cap, &p->entry);
  while (ok && n) {
    walk_item it = st[--n];
    ok = it.is_expr ? walk_expr_children(c, &st, &n, &cap, it.ptr) : walk_node_children(c, &st, &n, &cap, it.ptr);
  }
  vy_mem_free(c->alloc, st, cap * sizeof *st);
  for (uint32_t i = 0; ok && i < p->nbuffers; i++) {
    const vy_buffer_decl *b = &p->buffers[i];
    uint32_t uses = c->names[vy_vname_find(c, b->name.ptr, b->name.len)].uses;
    const char *want = NULL;
    switch (b->linear_type) {
    case VY_LINEAR_LINEAR:
      if (uses != 1) want = "exactly once";
      break;
    case VY_LINEAR_AFFINE:
      if (uses > 1) want = "at most once";
      break;
    case VY_LINEAR_RELEVANT:
      if (uses == 0) want = "at least once";
      break;
    default:
      break;
    }
    if (!want) continue;
    snprintf(c->where, sizeof c->where, "buffers[%u]", i);
    vy_vdiag(c, false, "X007", b->loc,
             "buffer `%.*s` declared `%s` must be used %s but is referenced %u time(s) (Load, BufLen, Atomic, "
             "Store, async and indirect references, counted in the program text). Fix: change the number of "
             "references, or relax the buffer's linear type",
             (int)b->name.len, b->name.ptr, vy_linear_type_name(b->linear_type), want, uses);
  }
}

/* ---- shape predicates (X008) ------------------------------------------- */

static bool pred_leaf(const vy_shape_pred *q, uint32_t count) {
  switch (q->kind) {
  case VY_SHAPE_AT_LEAST:
    return count >= q->u.n;
  case VY_SHAPE_AT_MOST:
    return count <= q->u.n;
  case VY_SHAPE_EXACTLY:
    return count == q->u.n;
  case VY_SHAPE_MULTIPLE_OF:
    return q->u.n != 0 && count % q->u.n == 0;
  case VY_SHAPE_MOD_EQUALS:
    return q->u.mod.modulus != 0 && q->u.mod.remainder < q->u.mod.modulus &&
           count % q->u.mod.modulus == q->u.mod.remainder;
  case VY_SHAPE_AFFINE_RANGE: {
    __extension__ __int128 v = (__int128)count * q->u.affine.scale + q->u.affine.offset;
    return q->u.affine.min <= v && v <= q->u.affine.max;
  }
  default:
    return false;
  }
}

/* Evaluates a predicate tree with explicit stacks (a builder may nest And/Or
 * arbitrarily deep). Returns false on OOM as well; check c->oom. */
static bool pred_holds(vy_vctx *c, const vy_shape_pred *root, uint32_t count) {
  typedef struct {
    const vy_shape_pred *q;
    bool expanded;
  } item;
  item *st = NULL;
  bool *vals = NULL;
  size_t n = 0, cap = 0, nv = 0, vcap = 0;
  if (vy_vgrow(c, (void **)&st, &cap, 1, sizeof *st)) st[n++] = (item){root, false};
  while (n && !c->oom) {
    item it = st[--n];
    const vy_shape_pred *q = it.q;
    bool compound = q->kind == VY_SHAPE_AND || q->kind == VY_SHAPE_OR || q->kind == VY_SHAPE_NOT;
    if (!compound || it.expanded) {
      bool v;
      if (!compound)
        v = pred_leaf(q, count);
      else if (q->kind == VY_SHAPE_NOT)
        v = !vals[--nv];
      else {
        bool r = vals[--nv], l = vals[--nv];
        v = q->kind == VY_SHAPE_AND ? l && r : l || r;
      }
      if (vy_vgrow(c, (void **)&vals, &vcap, nv + 1, sizeof *vals)) vals[nv++] = v;
      continue;
    }
    if (!vy_vgrow(c, (void **)&st, &cap, n + 3, sizeof *st)) break;
    st[n++] = (item){q, true};
    if (q->kind == VY_SHAPE_NOT) {
      st[n++] = (item){q->u.inner, false};
    } else {
      st[n++] = (item){q->u.both.right, false};
      st[n++] = (item){q->u.both.left, false};
    }
  }
  bool result = !c->oom && nv == 1 && vals[0];
  vy_mem_free(c->alloc, st, cap * sizeof *st);
  vy_mem_free(c->alloc, vals, vcap * sizeof *vals);
  return result;
}

/* vyre's ShapePredicate::describe, nested parts shortened past a few levels. */
static size_t pred_describe(const vy_shape_pred *q, char *buf, size_t n, size_t at, unsigned depth) {
  if (depth > 3) return put(buf, n, at, "...");
  switch (q->kind) {
  case VY_SHAPE_AT_LEAST:
    return put(buf, n, at, "count >= %u", q->u.n);
  case VY_SHAPE_AT_MOST:
    return put(buf, n, at, "count <= %u", q->u.n);
  case VY_SHAPE_EXACTLY:
    return put(buf, n, at, "count == %u", q->u.n);
  case VY_SHAPE_MULTIPLE_OF:
    return put(buf, n, at, "count %% %u == 0", q->u.n);
  case VY_SHAPE_MOD_EQUALS:
    return put(buf, n, at, "count %% %u == %u", q->u.mod.modulus, q->u.mod.remainder);
  case VY_SHAPE_AFFINE_RANGE:
    return put(buf, n, at, "%lld <= count * %lld + %lld <= %lld", (long long)q->u.affine.min,
               (long long)q->u.affine.scale, (long long)q->u.affine.offset, (long long)q->u.affine.max);
  case VY_SHAPE_NOT:
    return put(buf, n, pred_describe(q->u.inner, buf, n, put(buf, n, at, "!("), depth + 1), ")");
  default:
    at = pred_describe(q->u.both.left, buf, n, put(buf, n, at, "("), depth + 1);
    at = put(buf, n, at, q->kind == VY_SHAPE_AND ? " && " : " || ");
    return put(buf, n, pred_describe(q->u.both.right, buf, n, at, depth + 1), ")");
  }
}

static void check_shape_predicates(vy_vctx *c) {
  for (uint32_t i = 0; i < c->p->nbuffers && !c->oom; i++) {
    const vy_buffer_decl *b = &c->p->buffers[i];
    if (!b->shape_predicate || pred_holds(c, b->shape_predicate, b->count) || c->oom) continue;
    char desc[160];
    desc[0] = 0;
    pred_describe(b->shape_predicate, desc, sizeof desc, 0, 0);
    snprintf(c->where, sizeof c->where, "buffers[%u]", i);
    vy_vdiag(c, false, "X008", b->loc,
             "buffer `%.*s` declares shape predicate `%s` but has count=%u. Fix: change the count to satisfy the "
             "predicate, or relax the predicate",
             (int)b->name.len, b->name.ptr, desc, b->count);
  }
}

/* ---- entry points ------------------------------------------------------- */

static void ctx_free(vy_vctx *c) {
  const vy_allocator *a = c->alloc;
  vy_mem_free(a, c->names, c->names_cap * sizeof *c->names);
  vy_mem_free(a, c->slots, c->slots_cap * sizeof *c->slots);
  vy_mem_free(a, c->bindings, c->bindings_cap * sizeof *c->bindings);
  vy_mem_free(a, c->frames, c->frames_cap * sizeof *c->frames);
  vy_mem_free(a, c->acc, c->acc_cap * sizeof *c->acc);
  vy_mem_free(a, c->undo, c->undo_cap * sizeof *c->undo);
  vy_mem_free(a, c->hz, c->hz_cap * sizeof *c->hz);
  vy_mem_free(a, c->tys, c->tys_cap * sizeof *c->tys);
  vy_mem_free(a, c->selfex, c->selfex_cap * sizeof *c->selfex);
}

vy_status vy_validate_with(const vy_program *p, const vy_validate_options *opts, vy_op_signature_fn lookup,
                           const vy_allocator *alloc, vy_diagnostics **out, vy_error *err) {
  if (out) *out = NULL;
  if (!p || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_validate: %s is NULL. Fix: pass a built program and a place for the diagnostics",
                        !p ? "the program" : "`out`");
  vy_diagnostics *d = vy_mem_calloc(alloc, 1, sizeof *d);
  if (!d) return vy_error_nomem(err);
  if (alloc) {
    d->alloc_copy = *alloc;
    d->alloc = &d->alloc_copy;
  }
  vy_vctx c;
  memset(&c, 0, sizeof c);
  c.p = p;
  if (opts)
    c.opts = *opts;
  else
    vy_validate_options_default(&c.opts);
  c.lookup = c.opts.host_ops ? lookup : NULL;
  c.alloc = d->alloc;
  c.diags = d;

  check_entry(&c);
  check_workgroup_size(&c);
  check_buffers(&c);
  c.where[0] = 0;
  vy_vstmt_run(&c);
  c.cur_node = NULL;
  report_selfex(&c);
  check_linear_types(&c);
  check_shape_predicates(&c);

  bool oom = c.oom;
  ctx_free(&c);
  if (oom) {
    vy_diagnostics_destroy(d);
    return vy_error_nomem(err);
  }
  *out = d;
  return VY_OK;
}

vy_status vy_validate(const vy_program *p, const vy_validate_options *opts, const vy_allocator *alloc,
                      vy_diagnostics **out, vy_error *err) {
  return vy_validate_with(p, opts, vy_host_registry_signature, alloc, out, err);
}
