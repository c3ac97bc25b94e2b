/* canon.c - canonicalization and the program fingerprint (vyre-ir.md §6),
 * as vyre's Program::canonicalized / canonical_wire_bytes / fingerprint
 * (F/ir_inner/model/program/canonical.rs, meta.rs::buffer_decl_canonical_key).
 *
 * 1. Buffers are stably sorted by their canonical key, compared as raw bytes.
 * 2. The entry is rewritten: in every statement list a Block with no direct
 *    Let child is spliced into the list; in commutative BinOps (after the
 *    operands were canonicalized) a lone literal moves right, two literals are
 *    ordered by their §7.5 bytes, and two non-literals are ordered the same
 *    way for the VY_OPF_SWAP_NONLIT ops only.
 * 3. The result is encoded with the normal encoder; its BLAKE3 is the
 *    fingerprint.
 *
 * The rewritten tree lives in a scratch arena and shares every unchanged
 * subtree with the program, so an already canonical program costs no copies.
 */
#include <stdlib.h>
#include <string.h>

#include "blake3_int.h"
#include "error_int.h"
#include "vyre/wire.h"
#include "wire_int.h"

#define TRY(x)                            \
  do {                                    \
    vy_status try_st_ = (x);              \
    if (try_st_ != VY_OK) return try_st_; \
  } while (0)

typedef struct canon {
  vy_arena arena;      /* rewritten nodes, expressions and lists */
  vy_bytes lkey, rkey; /* operand encodings for the swap rule */
  vy_error *err;
} canon;

static vy_status too_deep(canon *c) {
  return vy_error_set(c->err, VY_E_ENCODE,
                      "cannot canonicalize: the program nests more than %u levels deep (vyre's decoder stops at %u). "
                      "Fix: flatten the program",
                      VY_WIRE_MAX_ENCODE_DEPTH, VY_WIRE_MAX_DEPTH);
}

static void *clone(canon *c, const void *src, size_t size) {
  void *d = vy_arena_alloc(&c->arena, size);
  if (d) memcpy(d, src, size);
  return d;
}

/* ---- expressions ---- */

static bool is_literal(const vy_expr *x) {
  return x && (x->kind == VY_EXPR_LIT_U32 || x->kind == VY_EXPR_LIT_I32 || x->kind == VY_EXPR_LIT_F32 ||
               x->kind == VY_EXPR_LIT_BOOL);
}

/* Rust's Vec<u8> ordering: bytewise, a proper prefix first. */
static int bytes_cmp(const vy_bytes *a, const vy_bytes *b) {
  size_t n = a->len < b->len ? a->len : b->len;
  int r = n ? memcmp(a->data, b->data, n) : 0;
  if (r) return r;
  return a->len < b->len ? -1 : a->len > b->len;
}

/* should_swap_operands: applied to already canonical operands. */
static vy_status should_swap(canon *c, vy_binop op, const vy_expr *l, const vy_expr *r, bool *swap) {
  *swap = false;
  unsigned flags = vy_binop_flags(op);
  if (!(flags & VY_OPF_COMMUTATIVE) || !l || !r) return VY_OK;
  bool ll = is_literal(l), rl = is_literal(r);
  if (ll != rl) {
    *swap = ll;
    return VY_OK;
  }
  if (!ll && !(flags & VY_OPF_SWAP_NONLIT)) return VY_OK;
  c->lkey.len = c->rkey.len = 0;
  TRY(vy_wire_put_expr(&c->lkey, l, c->err));
  TRY(vy_wire_put_expr(&c->rkey, r, c->err));
  *swap = bytes_cmp(&c->lkey, &c->rkey) > 0;
  return VY_OK;
}

static vy_status canon_expr(canon *c, const vy_expr *x, unsigned depth, const vy_expr **out);

/* Canonicalizes child `*slot` of the expression being rebuilt; *changed is
 * set when the child is a new object. */
static vy_status child(canon *c, const vy_expr **slot, unsigned depth, bool *changed) {
  const vy_expr *n;
  TRY(canon_expr(c, *slot, depth + 1, &n));
  *changed |= n != *slot;
  *slot = n;
  return VY_OK;
}

/* The argument array is copied only once an argument changes. */
static vy_status canon_call_args(canon *c, vy_expr *e, unsigned depth, bool *changed) {
  if (!e->u.call.args) return VY_OK; /* the encoder reports a count without arguments */
  const vy_expr **copy = NULL;
  for (uint32_t i = 0; i < e->u.call.argc; i++) {
    const vy_expr *n;
    TRY(canon_expr(c, e->u.call.args[i], depth + 1, &n));
    if (n == e->u.call.args[i]) continue;
    if (!copy) {
      copy = clone(c, e->u.call.args, e->u.call.argc * sizeof *copy);
      if (!copy) return vy_error_nomem(c->err);
    }
    copy[i] = n;
  }
  if (copy) {
    e->u.call.args = copy;
    *changed = true;
  }
  return VY_OK;
}

static vy_status canon_expr(canon *c, const vy_expr *x, unsigned depth, const vy_expr **out) {
  *out = x;
  if (!x) return VY_OK; /* the encoder reports it */
  if (depth >= VY_WIRE_MAX_ENCODE_DEPTH) return too_deep(c);
  vy_expr e = *x;
  bool changed = false;
  switch (x->kind) {
  case VY_EXPR_BIN_OP: {
    TRY(child(c, &e.u.bin.left, depth, &changed));
    TRY(child(c, &e.u.bin.right, depth, &changed));
    bool swap;
    TRY(should_swap(c, e.u.bin.op, e.u.bin.left, e.u.bin.right, &swap));
    if (swap) {
      const vy_expr *t = e.u.bin.left;
      e.u.bin.left = e.u.bin.right;
      e.u.bin.right = t;
      changed = true;
    }
    break;
  }
  case VY_EXPR_UN_OP:
    TRY(child(c, &e.u.un.operand, depth, &changed));
    break;
  case VY_EXPR_LOAD:
    TRY(child(c, &e.u.load.index, depth, &changed));
    break;
  case VY_EXPR_CALL:
    TRY(canon_call_args(c, &e, depth, &changed));
    break;
  case VY_EXPR_SELECT:
    TRY(child(c, &e.u.select.cond, depth, &changed));
    TRY(child(c, &e.u.select.if_true, depth, &changed));
    TRY(child(c, &e.u.select.if_false, depth, &changed));
    break;
  case VY_EXPR_CAST:
    TRY(child(c, &e.u.cast.value, depth, &changed));
    break;
  case VY_EXPR_FMA:
    TRY(child(c, &e.u.fma.a, depth, &changed));
    TRY(child(c, &e.u.fma.b, depth, &changed));
    TRY(child(c, &e.u.fma.c, depth, &changed));
    break;
  case VY_EXPR_ATOMIC:
    TRY(child(c, &e.u.atomic.index, depth, &changed));
    if (e.u.atomic.expected) TRY(child(c, &e.u.atomic.expected, depth, &changed));
    TRY(child(c, &e.u.atomic.value, depth, &changed));
    break;
  case VY_EXPR_SUBGROUP_ADD:
    TRY(child(c, &e.u.subgroup_add, depth, &changed));
    break;
  case VY_EXPR_SUBGROUP_SHUFFLE:
    TRY(child(c, &e.u.shuffle.value, depth, &changed));
    TRY(child(c, &e.u.shuffle.lane, depth, &changed));
    break;
  case VY_EXPR_SUBGROUP_BALLOT:
    TRY(child(c, &e.u.subgroup_ballot, depth, &changed));
    break;
  default:
    return VY_OK; /* leaves and Opaque: unchanged (canonical.rs `other => other.clone()`) */
  }
  if (!changed) return VY_OK;
  vy_expr *n = clone(c, &e, sizeof e);
  if (!n) return vy_error_nomem(c->err);
  *out = n;
  return VY_OK;
}

/* ---- statements ---- */

static vy_status canon_node(canon *c, const vy_node *n, unsigned depth, const vy_node **out);

static bool has_direct_let(const vy_node_list *l) {
  for (uint32_t i = 0; i < l->count; i++)
    if (l->items[i] && l->items[i]->kind == VY_NODE_LET) return true;
  return false;
}

/* canonicalize_nodes + push_canonical_node. `out` is `in` itself when
 * nothing changed. */
static vy_status canon_nodes(canon *c, const vy_node_list *in, unsigned depth, vy_node_list *out) {
  *out = *in;
  if (!in->count || !in->items) return VY_OK;
  vy_ptrvec v; /* built only once the first item changes */
  vy_ptrvec_init(&v, c->arena.alloc);
  bool changed = false;
  vy_status st = VY_OK;
  for (uint32_t i = 0; i < in->count && st == VY_OK; i++) {
    const vy_node *item;
    st = canon_node(c, in->items[i], depth + 1, &item);
    if (st != VY_OK) break;
    bool splice = item && item->kind == VY_NODE_BLOCK && !has_direct_let(&item->u.block);
    if (!changed && (item != in->items[i] || splice)) {
      changed = true;
      for (uint32_t j = 0; j < i && st == VY_OK; j++)
        if (vy_ptrvec_push(&v, (void *)in->items[j])) st = vy_error_nomem(c->err);
    }
    if (!changed || st != VY_OK) continue;
    if (!splice) {
      if (vy_ptrvec_push(&v, (void *)item)) st = vy_error_nomem(c->err);
      continue;
    }
    for (uint32_t j = 0; j < item->u.block.count && st == VY_OK; j++)
      if (vy_ptrvec_push(&v, (void *)item->u.block.items[j])) st = vy_error_nomem(c->err);
  }
  if (st == VY_OK && changed) {
    out->count = (uint32_t)v.count;
    out->items = NULL;
    if (v.count) {
      const vy_node **items = clone(c, v.items, v.count * sizeof *items);
      if (!items) st = vy_error_nomem(c->err);
      out->items = items;
    }
  }
  vy_ptrvec_free(&v);
  return st;
}

/* Canonicalizes one expression field of the node being rebuilt. */
static vy_status node_expr(canon *c, const vy_expr **slot, unsigned depth, bool *changed) {
  return child(c, slot, depth, changed);
}

static vy_status node_list(canon *c, vy_node_list *slot, unsigned depth, bool *changed) {
  vy_node_list n;
  TRY(canon_nodes(c, slot, depth, &n));
  *changed |= n.items != slot->items || n.count != slot->count;
  *slot = n;
  return VY_OK;
}

static vy_status canon_node(canon *c, const vy_node *x, unsigned depth, const vy_node **out) {
  *out = x;
  if (!x) return VY_OK; /* the encoder reports it */
  if (depth >= VY_WIRE_MAX_ENCODE_DEPTH) return too_deep(c);
  vy_node n = *x;
  bool changed = false;
  switch (x->kind) {
  case VY_NODE_LET:
  case VY_NODE_ASSIGN:
    TRY(node_expr(c, &n.u.let.value, depth, &changed));
    break;
  case VY_NODE_STORE:
    TRY(node_expr(c, &n.u.store.index, depth, &changed));
    TRY(node_expr(c, &n.u.store.value, depth, &changed));
    break;
  case VY_NODE_IF:
    TRY(node_expr(c, &n.u.if_.cond, depth, &changed));
    TRY(node_list(c, &n.u.if_.then_body, depth, &changed));
    TRY(node_list(c, &n.u.if_.else_body, depth, &changed));
    break;
  case VY_NODE_LOOP:
    TRY(node_expr(c, &n.u.loop.from, depth, &changed));
    TRY(node_expr(c, &n.u.loop.to, depth, &changed));
    TRY(node_list(c, &n.u.loop.body, depth, &changed));
    break;
  case VY_NODE_BLOCK:
    TRY(node_list(c, &n.u.block, depth, &changed));
    break;
  case VY_NODE_REGION:
    TRY(node_list(c, &n.u.region.body, depth, &changed));
    break;
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
    TRY(node_expr(c, &n.u.async_copy.offset, depth, &changed));
    TRY(node_expr(c, &n.u.async_copy.size, depth, &changed));
    break;
  case VY_NODE_TRAP:
    TRY(node_expr(c, &n.u.trap.address, depth, &changed));
    break;
  default:
    return VY_OK;
  }
  if (!changed) return VY_OK;
  vy_node *copy = clone(c, &n, sizeof n);
  if (!copy) return vy_error_nomem(c->err);
  *out = copy;
  return VY_OK;
}

/* ---- buffers ---- */

/* Rust's TryFromIntError text, which buffer_decl_canonical_key appends after
 * u32::MAX when a range bound does not fit u32. */
#define TRY_FROM_INT_ERROR "out of range integral type conversion attempted"

static int key_u32(vy_bytes *k, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  return vy_bytes_append(k, b, 4);
}

static int key_range_bound(vy_bytes *k, uint64_t v) {
  if (v <= UINT32_MAX) return key_u32(k, (uint32_t)v);
  return key_u32(k, UINT32_MAX) || vy_bytes_append(k, TRY_FROM_INT_ERROR, sizeof TRY_FROM_INT_ERROR - 1);
}

/* buffer_decl_canonical_key (meta.rs). A WriteOnly access gets 0xFF (vyre
 * adds its error text; the program cannot be encoded either way). */
static vy_status buffer_key(canon *c, const vy_buffer_decl *b, vy_bytes *k) {
  if (b->name.len && !b->name.ptr)
    return vy_error_set(c->err, VY_E_ENCODE,
                        "cannot encode: a buffer name has a length and no bytes. Fix: build programs with the builder, "
                        "the text parser or the wire decoder");
  int bad = key_u32(k, b->name.len) || vy_bytes_append(k, b->name.ptr, b->name.len) || key_u32(k, b->binding) ||
            vy_bytes_putc(k, vy_access_tag(b->access)) || vy_bytes_putc(k, vy_memory_kind_key(b->kind));
  if (bad) return vy_error_nomem(c->err);
  TRY(vy_wire_put_type(k, &b->element, c->err));
  bad = key_u32(k, b->count) || vy_bytes_putc(k, b->is_output) || vy_bytes_putc(k, b->pipeline_live_out);
  if (!bad && b->has_output_range)
    bad = vy_bytes_putc(k, 1) || key_range_bound(k, b->range_start) || key_range_bound(k, b->range_end);
  else if (!bad)
    bad = vy_bytes_putc(k, 0);
  if (!bad && b->hints.has_coalesce_axis)
    bad = vy_bytes_putc(k, 1) || vy_bytes_putc(k, b->hints.coalesce_axis);
  else if (!bad)
    bad = vy_bytes_putc(k, 0);
  bad = bad || key_u32(k, b->hints.preferred_alignment) ||
        vy_bytes_putc(k, vy_cache_locality_tag(b->hints.cache_locality)) || vy_bytes_putc(k, b->bytes_extraction);
  return bad ? vy_error_nomem(c->err) : VY_OK;
}

typedef struct sort_item {
  const uint8_t *key;
  size_t len;
  uint32_t index; /* declaration position: ties keep it (sort_by_cached_key is stable) */
} sort_item;

static int sort_item_cmp(const void *pa, const void *pb) {
  const sort_item *a = pa, *b = pb;
  size_t n = a->len < b->len ? a->len : b->len;
  int r = n ? memcmp(a->key, b->key, n) : 0;
  if (r) return r;
  if (a->len != b->len) return a->len < b->len ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

/* The buffers of `p` in canonical order, as shallow copies in the arena. */
static vy_status sort_buffers(canon *c, const vy_program *p, const vy_buffer_decl **out) {
  *out = p->buffers;
  if (p->nbuffers < 2 || !p->buffers) return VY_OK;
  size_t n = p->nbuffers;
  size_t *ends = vy_mem_calloc(c->arena.alloc, n, sizeof *ends);
  sort_item *items = vy_mem_calloc(c->arena.alloc, n, sizeof *items);
  vy_bytes keys = {.alloc = c->arena.alloc};
  vy_status st = ends && items ? VY_OK : vy_error_nomem(c->err);
  for (size_t i = 0; i < n && st == VY_OK; i++) {
    st = buffer_key(c, &p->buffers[i], &keys);
    ends[i] = keys.len;
  }
  vy_buffer_decl *sorted = NULL;
  if (st == VY_OK) {
    for (size_t i = 0; i < n; i++)
      items[i] = (sort_item){keys.data + (i ? ends[i - 1] : 0), ends[i] - (i ? ends[i - 1] : 0), (uint32_t)i};
    qsort(items, n, sizeof *items, sort_item_cmp);
    sorted = vy_arena_array(&c->arena, n, sizeof *sorted);
    if (!sorted) st = vy_error_nomem(c->err);
  }
  if (st == VY_OK) {
    for (size_t i = 0; i < n; i++) sorted[i] = p->buffers[items[i].index];
    *out = sorted;
  }
  vy_bytes_free(&keys);
  vy_mem_free(c->arena.alloc, items, n * sizeof *items);
  vy_mem_free(c->arena.alloc, ends, n * sizeof *ends);
  return st;
}

/* ---- entry points ---- */

static vy_status canonical_blob(const vy_program *p, const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  *out = (vy_bytes){.alloc = alloc};
  canon c = {.err = err, .lkey = {.alloc = alloc}, .rkey = {.alloc = alloc}};
  vy_arena_init(&c.arena, alloc);
  vy_wire_view v;
  vy_wire_view_of(p, &v);
  vy_status st = sort_buffers(&c, p, &v.buffers);
  if (st == VY_OK) st = canon_nodes(&c, &p->entry, 0, &v.entry);
  if (st == VY_OK) st = vy_wire_encode_view(&v, alloc, out, err);
  vy_bytes_free(&c.lkey);
  vy_bytes_free(&c.rkey);
  vy_arena_free_all(&c.arena);
  return st;
}

vy_status vy_wire_encode_canonical(const vy_program *p, const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  if (!p || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_wire_encode_canonical: NULL %s. Fix: pass a program and an output vy_bytes",
                        p ? "output" : "program");
  return canonical_blob(p, alloc, out, err);
}

vy_status vy_canon_fingerprint(const vy_program *p, uint8_t out[32], bool *encodable, vy_error *err) {
  *encodable = false;
  vy_bytes blob;
  vy_error local;
  vy_status st = canonical_blob(p, p->alloc, &blob, &local);
  if (st == VY_E_ENCODE) return VY_OK; /* vyre would use a non-portable fallback digest: we have none */
  if (st != VY_OK) {
    if (err) *err = local;
    return st;
  }
  vy_blake3_hash(blob.data, blob.len, out);
  vy_bytes_free(&blob);
  *encodable = true;
  return VY_OK;
}
