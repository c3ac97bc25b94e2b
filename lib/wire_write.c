/* wire_write.c - the wire encoder (vyre-ir.md §7), byte for byte as vyre's
 * to_wire (W/encode/to_wire.rs, put_node.rs, put_expr.rs,
 * tags/data_type_tag.rs, output_set.rs).
 *
 * The body is written after a 40-byte hole; the header and the BLAKE3 digest
 * of the body are filled in last. Record payloads and the memory-region
 * shape/hints payloads carry LEB lengths, so they are built in a scratch
 * buffer first. Recursion follows the tree; nesting beyond
 * VY_WIRE_MAX_ENCODE_DEPTH is refused (see wire_int.h).
 */
#include <string.h>

#include "blake3_int.h"
#include "error_int.h"
#include "vyre/wire.h"
#include "utf8_int.h"
#include "wire_int.h"

#define TRY(x)                     \
  do {                             \
    vy_status try_st_ = (x);       \
    if (try_st_ != VY_OK) return try_st_; \
  } while (0)

typedef struct enc {
  vy_bytes *out; /* where put_* append */
  vy_error *err;
} enc;

/* ---- primitives ---- */

static vy_status put_raw(enc *e, const void *p, size_t n) {
  return vy_bytes_append(e->out, p, n) ? vy_error_nomem(e->err) : VY_OK;
}

static vy_status put_u8(enc *e, uint8_t v) { return put_raw(e, &v, 1); }

static vy_status put_u32(enc *e, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  return put_raw(e, b, 4);
}

static vy_status put_u64(enc *e, uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
  return put_raw(e, b, 8);
}

int vy_wire_put_leb(vy_bytes *out, uint64_t v) {
  uint8_t b[10];
  size_t n = 0;
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    b[n++] = (uint8_t)(byte | (v ? 0x80 : 0));
  } while (v);
  return vy_bytes_append(out, b, n);
}

static vy_status put_leb(enc *e, uint64_t v) { return vy_wire_put_leb(e->out, v) ? vy_error_nomem(e->err) : VY_OK; }

static vy_status malformed(enc *e, const char *what) {
  return vy_error_set(e->err, VY_E_ENCODE,
                      "cannot encode: %s. Fix: build programs with the builder, the text parser or the wire decoder, "
                      "which never produce this",
                      what);
}

static vy_status too_deep(enc *e) {
  return vy_error_set(e->err, VY_E_ENCODE,
                      "cannot encode: the program nests nodes, expressions and types more than %u levels deep "
                      "(vyre's decoder stops at %u). Fix: flatten the program",
                      VY_WIRE_MAX_ENCODE_DEPTH, VY_WIRE_MAX_DEPTH);
}

/* put_string: u32 length + UTF-8 bytes, at most 1 MiB. */
static vy_status put_str(enc *e, vy_str s, const char *what) {
  if (s.len && !s.ptr) return malformed(e, "a string with a length and no bytes");
  if (s.len > VY_WIRE_MAX_STRING)
    return vy_error_set(e->err, VY_E_ENCODE,
                        "cannot encode %s: it is %u bytes, over the wire limit of %zu bytes. Fix: shorten it", what,
                        s.len, VY_WIRE_MAX_STRING);
  size_t bad = vy_utf8_error_at((const uint8_t *)s.ptr, s.len);
  if (bad != s.len)
    return vy_error_set(e->err, VY_E_ENCODE,
                        "cannot encode %s: it is not valid UTF-8 (bad byte 0x%02x at index %zu), and vyre strings are "
                        "UTF-8. Fix: use a UTF-8 name",
                        what, (unsigned char)s.ptr[bad], bad);
  TRY(put_u32(e, s.len));
  return put_raw(e, s.ptr, s.len);
}

static vy_status put_opaque_payload(enc *e, uint32_t len, const uint8_t *payload, const char *what) {
  if (len && !payload) return malformed(e, "an opaque payload with a length and no bytes");
  if (len > VY_WIRE_MAX_OPAQUE)
    return vy_error_set(e->err, VY_E_ENCODE,
                        "cannot encode %s: its payload is %u bytes, over the wire limit of %zu bytes. Fix: split the "
                        "payload or reduce the extension data",
                        what, len, VY_WIRE_MAX_OPAQUE);
  TRY(put_u32(e, len));
  return put_raw(e, payload, len);
}

/* ---- small tables ---- */

uint32_t vy_wire_f32_bits(uint32_t bits) {
  uint32_t exp = bits & 0x7F800000u, man = bits & 0x007FFFFFu;
  if (exp == 0x7F800000u && man) return 0x7FC00000u; /* NaN */
  if (exp == 0) return 0;                             /* +-0 and subnormals */
  return bits;
}

bool vy_wire_is_quantized_storage(vy_type_kind k) {
  switch (k) {
  case VY_TYPE_I4:
  case VY_TYPE_I8:
  case VY_TYPE_I16:
  case VY_TYPE_U8:
  case VY_TYPE_U16:
  case VY_TYPE_F8E4M3:
  case VY_TYPE_F8E5M2:
  case VY_TYPE_FP4:
  case VY_TYPE_NF4:
    return true;
  default:
    return false;
  }
}

bool vy_wire_type_size(const vy_type *t, uint64_t *size) {
  switch (t->kind) {
  case VY_TYPE_ARRAY:
    *size = t->u.array_element_size;
    return true;
  case VY_TYPE_VEC: {
    uint64_t e;
    if (!t->u.vec.element || !vy_wire_type_size(t->u.vec.element, &e)) return false;
    *size = e * t->u.vec.count; /* element sizes are < 2^56: no overflow */
    return true;
  }
  case VY_TYPE_QUANTIZED:
    return t->u.quant.storage && vy_wire_type_size(t->u.quant.storage, size);
  default: {
    if ((unsigned)t->kind >= VY_TYPE_COUNT) return false;
    vy_type plain = {.kind = t->kind};
    uint32_t s = vy_type_size_bytes(&plain);
    if (s == VY_SIZE_NONE) return false;
    *size = s;
    return true;
  }
  }
}

/* ---- DataType, expression encoding (§7.6) ---- */

static vy_status put_type(enc *e, const vy_type *t, unsigned depth);

static vy_status put_element(enc *e, const vy_type *inner, unsigned depth) {
  if (!inner) return malformed(e, "a DataType with no element type");
  return put_type(e, inner, depth + 1);
}

/* The four quantization fields (tags from enums.def, params zero where the
 * variant has none), or VY_E_ENCODE for a PerGroup size of 0. */
typedef struct quant_fields {
  uint8_t scale_tag, zero_tag;
  uint32_t scale_param, zero_param;
} quant_fields;

static vy_status quant_params(enc *e, const vy_type *t, quant_fields *q) {
  q->scale_tag = vy_qscale_tag(t->u.quant.scale);
  q->zero_tag = vy_qzero_tag(t->u.quant.zero_point);
  if (q->scale_tag == VY_NO_TAG || q->zero_tag == VY_NO_TAG)
    return malformed(e, "a quantization with an unknown scale or zero point");
  q->scale_param = t->u.quant.scale == VY_QSCALE_PER_TENSOR ? 0 : t->u.quant.scale_param;
  q->zero_param = t->u.quant.zero_point == VY_QZERO_ABSENT || t->u.quant.zero_point == VY_QZERO_PER_TENSOR
                      ? 0
                      : t->u.quant.zero_point_param;
  if ((t->u.quant.scale == VY_QSCALE_PER_GROUP && q->scale_param == 0) ||
      (t->u.quant.zero_point == VY_QZERO_PER_GROUP && q->zero_param == 0))
    return vy_error_set(e->err, VY_E_ENCODE,
                        "cannot encode a quantized DataType: a PerGroup scale or zero point has group_size 0. Fix: use "
                        "a group size > 0");
  return VY_OK;
}

static vy_status quant_storage_error(enc *e) {
  return vy_error_set(e->err, VY_E_ENCODE,
                      "cannot encode a quantized DataType: its storage is not one of I4/I8/I16/U8/U16/F8E4M3/F8E5M2/"
                      "FP4/NF4. Fix: pick one of those storage types");
}

static vy_status put_type(enc *e, const vy_type *t, unsigned depth) {
  if (depth >= VY_WIRE_MAX_ENCODE_DEPTH) return too_deep(e);
  uint8_t tag = vy_type_kind_tag(t->kind);
  if (tag == VY_NO_TAG) return malformed(e, "a DataType of unknown kind");
  if (t->kind == VY_TYPE_QUANTIZED &&
      (!t->u.quant.storage || !vy_wire_is_quantized_storage(t->u.quant.storage->kind)))
    return quant_storage_error(e);
  TRY(put_u8(e, tag));
  switch (t->kind) {
  case VY_TYPE_ARRAY:
    return put_u32(e, t->u.array_element_size);
  case VY_TYPE_HANDLE:
    return put_u32(e, t->u.handle_id);
  case VY_TYPE_OPAQUE:
    return put_u32(e, t->u.opaque_id);
  case VY_TYPE_VEC:
    TRY(put_element(e, t->u.vec.element, depth));
    return put_u8(e, t->u.vec.count);
  case VY_TYPE_TENSOR_SHAPED:
    if (t->u.tensor.rank && !t->u.tensor.dims) return malformed(e, "a tensor shape with a rank and no dims");
    TRY(put_element(e, t->u.tensor.element, depth));
    TRY(put_u32(e, t->u.tensor.rank));
    for (uint32_t i = 0; i < t->u.tensor.rank; i++) TRY(put_u32(e, t->u.tensor.dims[i]));
    return VY_OK;
  case VY_TYPE_SPARSE_CSR:
  case VY_TYPE_SPARSE_COO:
    return put_element(e, t->u.sparse.element, depth);
  case VY_TYPE_SPARSE_BSR:
    TRY(put_element(e, t->u.bsr.element, depth));
    TRY(put_u32(e, t->u.bsr.block_rows));
    return put_u32(e, t->u.bsr.block_cols);
  case VY_TYPE_DEVICE_MESH:
    if (t->u.mesh.naxes && !t->u.mesh.axes) return malformed(e, "a device mesh with a count and no axes");
    TRY(put_u32(e, t->u.mesh.naxes));
    for (uint32_t i = 0; i < t->u.mesh.naxes; i++) TRY(put_u32(e, t->u.mesh.axes[i]));
    return VY_OK;
  case VY_TYPE_QUANTIZED: {
    quant_fields q;
    TRY(quant_params(e, t, &q));
    TRY(put_element(e, t->u.quant.storage, depth));
    TRY(put_u8(e, q.scale_tag));
    TRY(put_u32(e, q.scale_param));
    TRY(put_u8(e, q.zero_tag));
    return put_u32(e, q.zero_param);
  }
  default:
    return VY_OK; /* payload-free */
  }
}

vy_status vy_wire_put_type(vy_bytes *out, const vy_type *t, vy_error *err) {
  enc e = {out, err};
  return put_type(&e, t, 0);
}

/* ---- expressions (§7.5) ---- */

static vy_status put_expr(enc *e, const vy_expr *x, unsigned depth);

static vy_status put_child(enc *e, const vy_expr *x, unsigned depth) {
  if (!x) return malformed(e, "an expression with a missing operand");
  return put_expr(e, x, depth + 1);
}

/* An op byte, or 0x80 + u32 extension id (BinOp, UnOp, AtomicOp). */
static vy_status put_op(enc *e, uint8_t tag, bool opaque, uint32_t ext_id) {
  if (opaque) {
    TRY(put_u8(e, 0x80));
    return put_u32(e, ext_id);
  }
  if (tag == VY_NO_TAG) return malformed(e, "an operator of unknown kind");
  return put_u8(e, tag);
}

static vy_status put_expr(enc *e, const vy_expr *x, unsigned depth) {
  if (depth >= VY_WIRE_MAX_ENCODE_DEPTH) return too_deep(e);
  uint8_t tag = vy_expr_kind_tag(x->kind);
  if (tag == VY_NO_TAG) return malformed(e, "an expression of unknown kind");
  TRY(put_u8(e, tag));
  switch (x->kind) {
  case VY_EXPR_LIT_U32:
    return put_u32(e, x->u.lit_u32);
  case VY_EXPR_LIT_I32:
    return put_u32(e, (uint32_t)x->u.lit_i32);
  case VY_EXPR_LIT_BOOL:
    return put_u8(e, x->u.lit_bool ? 1 : 0);
  case VY_EXPR_LIT_F32:
    return put_u32(e, vy_wire_f32_bits(x->u.lit_f32_bits));
  case VY_EXPR_VAR:
    return put_str(e, x->u.var, "a variable name");
  case VY_EXPR_LOAD:
    TRY(put_str(e, x->u.load.buffer, "a Load buffer name"));
    return put_child(e, x->u.load.index, depth);
  case VY_EXPR_BUF_LEN:
    return put_str(e, x->u.buf_len, "a BufLen buffer name");
  case VY_EXPR_INVOCATION_ID:
  case VY_EXPR_WORKGROUP_ID:
  case VY_EXPR_LOCAL_ID:
    return put_u8(e, x->u.axis);
  case VY_EXPR_BIN_OP:
    TRY(put_op(e, vy_binop_tag(x->u.bin.op), x->u.bin.op == VY_BINOP_OPAQUE, x->u.bin.ext_id));
    TRY(put_child(e, x->u.bin.left, depth));
    return put_child(e, x->u.bin.right, depth);
  case VY_EXPR_UN_OP:
    TRY(put_op(e, vy_unop_tag(x->u.un.op), x->u.un.op == VY_UNOP_OPAQUE, x->u.un.ext_id));
    return put_child(e, x->u.un.operand, depth);
  case VY_EXPR_CALL:
    if (x->u.call.argc && !x->u.call.args) return malformed(e, "a call with an argument count and no arguments");
    TRY(put_str(e, x->u.call.op_id, "a call op id"));
    TRY(put_u32(e, x->u.call.argc));
    for (uint32_t i = 0; i < x->u.call.argc; i++) TRY(put_child(e, x->u.call.args[i], depth));
    return VY_OK;
  case VY_EXPR_SELECT:
    TRY(put_child(e, x->u.select.cond, depth));
    TRY(put_child(e, x->u.select.if_true, depth));
    return put_child(e, x->u.select.if_false, depth);
  case VY_EXPR_CAST:
    TRY(put_type(e, &x->u.cast.target, depth + 1));
    return put_child(e, x->u.cast.value, depth);
  case VY_EXPR_ATOMIC: {
    uint8_t ord = vy_ordering_tag(x->u.atomic.ordering);
    if (ord == VY_NO_TAG) return malformed(e, "an atomic with an unknown memory ordering");
    TRY(put_op(e, vy_atomic_op_tag(x->u.atomic.op), x->u.atomic.op == VY_ATOMIC_OPAQUE, x->u.atomic.ext_id));
    TRY(put_u8(e, ord));
    TRY(put_str(e, x->u.atomic.buffer, "an atomic buffer name"));
    TRY(put_child(e, x->u.atomic.index, depth));
    TRY(put_u8(e, x->u.atomic.expected ? 1 : 0));
    if (x->u.atomic.expected) TRY(put_child(e, x->u.atomic.expected, depth));
    return put_child(e, x->u.atomic.value, depth);
  }
  case VY_EXPR_FMA:
    TRY(put_child(e, x->u.fma.a, depth));
    TRY(put_child(e, x->u.fma.b, depth));
    return put_child(e, x->u.fma.c, depth);
  case VY_EXPR_SUBGROUP_ADD:
    return put_child(e, x->u.subgroup_add, depth);
  case VY_EXPR_SUBGROUP_SHUFFLE:
    TRY(put_child(e, x->u.shuffle.value, depth));
    return put_child(e, x->u.shuffle.lane, depth);
  case VY_EXPR_SUBGROUP_BALLOT:
    return put_child(e, x->u.subgroup_ballot, depth);
  case VY_EXPR_SUBGROUP_LOCAL_ID:
  case VY_EXPR_SUBGROUP_SIZE:
    return VY_OK;
  case VY_EXPR_OPAQUE:
    TRY(put_str(e, x->u.opaque.kind, "an opaque expression kind"));
    return put_opaque_payload(e, x->u.opaque.len, x->u.opaque.payload, "an opaque expression");
  case VY_EXPR_COUNT:
    break;
  }
  return malformed(e, "an expression of unknown kind");
}

vy_status vy_wire_put_expr(vy_bytes *out, const vy_expr *x, vy_error *err) {
  enc e = {out, err};
  if (!x) return malformed(&e, "a missing expression");
  return put_expr(&e, x, 0);
}

/* ---- nodes (§7.4) ---- */

static vy_status put_node(enc *e, const vy_node *n, unsigned depth);

static vy_status put_nodes(enc *e, const vy_node_list *l, unsigned depth) {
  if (l->count && !l->items) return malformed(e, "a statement list with a count and no items");
  TRY(put_u32(e, l->count));
  for (uint32_t i = 0; i < l->count; i++) {
    if (!l->items[i]) return malformed(e, "a missing statement");
    TRY(put_node(e, l->items[i], depth + 1));
  }
  return VY_OK;
}

static vy_status put_node_expr(enc *e, const vy_expr *x, unsigned depth) {
  if (!x) return malformed(e, "a statement with a missing expression");
  return put_expr(e, x, depth + 1);
}

static vy_status put_async(enc *e, const vy_node *n, unsigned depth) {
  TRY(put_str(e, n->u.async_copy.source, "an async source name"));
  TRY(put_str(e, n->u.async_copy.destination, "an async destination name"));
  TRY(put_node_expr(e, n->u.async_copy.offset, depth));
  TRY(put_node_expr(e, n->u.async_copy.size, depth));
  return put_str(e, n->u.async_copy.tag, "an async tag");
}

static vy_status put_collective_op(enc *e, vy_collective_op op) {
  uint8_t tag = vy_collective_op_tag(op);
  if (tag == VY_NO_TAG) return malformed(e, "a collective of unknown operation");
  return put_u8(e, tag);
}

static vy_status put_node(enc *e, const vy_node *n, unsigned depth) {
  if (depth >= VY_WIRE_MAX_ENCODE_DEPTH) return too_deep(e);
  uint8_t tag = vy_node_kind_tag(n->kind);
  if (tag == VY_NO_TAG) return malformed(e, "a statement of unknown kind");
  TRY(put_u8(e, tag));
  switch (n->kind) {
  case VY_NODE_LET:
  case VY_NODE_ASSIGN:
    TRY(put_str(e, n->u.let.name, "a variable name"));
    return put_node_expr(e, n->u.let.value, depth);
  case VY_NODE_STORE:
    TRY(put_str(e, n->u.store.buffer, "a Store buffer name"));
    TRY(put_node_expr(e, n->u.store.index, depth));
    return put_node_expr(e, n->u.store.value, depth);
  case VY_NODE_IF:
    TRY(put_node_expr(e, n->u.if_.cond, depth));
    TRY(put_nodes(e, &n->u.if_.then_body, depth));
    return put_nodes(e, &n->u.if_.else_body, depth);
  case VY_NODE_LOOP:
    TRY(put_str(e, n->u.loop.var, "a loop variable name"));
    TRY(put_node_expr(e, n->u.loop.from, depth));
    TRY(put_node_expr(e, n->u.loop.to, depth));
    return put_nodes(e, &n->u.loop.body, depth);
  case VY_NODE_RETURN:
    return VY_OK;
  case VY_NODE_BLOCK:
    return put_nodes(e, &n->u.block, depth);
  case VY_NODE_BARRIER: {
    uint8_t ord = vy_ordering_tag(n->u.barrier);
    if (ord == VY_NO_TAG) return malformed(e, "a barrier with an unknown memory ordering");
    return put_u8(e, ord);
  }
  case VY_NODE_INDIRECT_DISPATCH:
    TRY(put_str(e, n->u.indirect.count_buffer, "an indirect-dispatch buffer name"));
    return put_u64(e, n->u.indirect.count_offset);
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
    return put_async(e, n, depth);
  case VY_NODE_ASYNC_WAIT:
  case VY_NODE_RESUME:
    return put_str(e, n->u.tag, "an async tag");
  case VY_NODE_REGION:
    TRY(put_str(e, n->u.region.generator, "a region generator"));
    TRY(put_u8(e, n->u.region.has_source ? 1 : 0));
    if (n->u.region.has_source) TRY(put_str(e, n->u.region.source, "a region source name"));
    return put_nodes(e, &n->u.region.body, depth);
  case VY_NODE_TRAP:
    TRY(put_node_expr(e, n->u.trap.address, depth));
    return put_str(e, n->u.trap.tag, "a trap tag");
  case VY_NODE_ALL_REDUCE:
    TRY(put_str(e, n->u.all_reduce.buffer, "a collective buffer name"));
    TRY(put_collective_op(e, n->u.all_reduce.op));
    return put_u32(e, n->u.all_reduce.group);
  case VY_NODE_ALL_GATHER:
    TRY(put_str(e, n->u.all_gather.input, "a collective buffer name"));
    TRY(put_str(e, n->u.all_gather.output, "a collective buffer name"));
    return put_u32(e, n->u.all_gather.group);
  case VY_NODE_REDUCE_SCATTER:
    TRY(put_str(e, n->u.reduce_scatter.input, "a collective buffer name"));
    TRY(put_str(e, n->u.reduce_scatter.output, "a collective buffer name"));
    TRY(put_collective_op(e, n->u.reduce_scatter.op));
    return put_u32(e, n->u.reduce_scatter.group);
  case VY_NODE_BROADCAST:
    TRY(put_str(e, n->u.broadcast.buffer, "a collective buffer name"));
    TRY(put_u32(e, n->u.broadcast.root));
    return put_u32(e, n->u.broadcast.group);
  case VY_NODE_OPAQUE:
    TRY(put_str(e, n->u.opaque.kind, "an opaque node kind"));
    return put_opaque_payload(e, n->u.opaque.len, n->u.opaque.payload, "an opaque node");
  case VY_NODE_COUNT:
    break;
  }
  return malformed(e, "a statement of unknown kind");
}

/* ---- program sections ---- */

/* reject_non_roundtrippable_shapes (to_wire.rs): checked before any byte. */
static vy_status check_shapes(enc *e, const vy_wire_view *v) {
  for (int axis = 0; axis < 3; axis++)
    if (v->workgroup_size[axis] == 0)
      return vy_error_set(e->err, VY_E_ENCODE,
                          "cannot encode: workgroup_size[%d] is 0. Fix: give every workgroup dimension a value >= 1",
                          axis);
  for (uint32_t i = 0; i < v->nbuffers; i++) {
    const vy_buffer_decl *b = &v->buffers[i];
    int nl = (int)(b->name.len > 200 ? 200 : b->name.len);
    const char *nm = b->name.ptr ? b->name.ptr : "";
    if (b->count == 0 && b->access == VY_ACCESS_WORKGROUP)
      return vy_error_set(e->err, VY_E_ENCODE,
                          "cannot encode: workgroup buffer `%.*s` has count 0. Fix: give shared-memory buffers a "
                          "positive element count",
                          nl, nm);
    if (b->count == 0 && b->pipeline_live_out)
      return vy_error_set(e->err, VY_E_ENCODE,
                          "cannot encode: live-out buffer `%.*s` has count 0. Fix: give externally visible buffers a "
                          "positive element count",
                          nl, nm);
    if (!b->has_output_range) continue;
    uint64_t full = UINT64_MAX; /* count 0: runtime-sized, only start <= end is checked */
    if (b->count > 0) {
      uint64_t size;
      if (!vy_wire_type_size(&b->element, &size))
        return vy_error_set(e->err, VY_E_ENCODE,
                            "cannot encode: buffer `%.*s` has an output byte range but a variable-width element "
                            "type. Fix: use a fixed-width element or drop the range",
                            nl, nm);
      if (size && b->count > UINT64_MAX / size)
        return vy_error_set(e->err, VY_E_ENCODE,
                            "cannot encode: buffer `%.*s` byte size overflows u64. Fix: split the buffer", nl, nm);
      full = (uint64_t)b->count * size;
    }
    if (b->range_start > b->range_end)
      return vy_error_set(e->err, VY_E_ENCODE,
                          "cannot encode: buffer `%.*s` output byte range has start %llu > end %llu. Fix: use a "
                          "range with start <= end",
                          nl, nm, (unsigned long long)b->range_start, (unsigned long long)b->range_end);
    if (full != UINT64_MAX && b->range_end > full)
      return vy_error_set(e->err, VY_E_ENCODE,
                          "cannot encode: buffer `%.*s` output byte range end %llu exceeds its byte size %llu. Fix: "
                          "keep the range inside count x element size",
                          nl, nm, (unsigned long long)b->range_end, (unsigned long long)full);
  }
  return VY_OK;
}

static vy_status put_hints(enc *e, const vy_memory_hints *h) {
  uint8_t loc = vy_cache_locality_tag(h->cache_locality);
  if (loc == VY_NO_TAG) return malformed(e, "buffer hints with an unknown cache locality");
  if (h->has_coalesce_axis) {
    TRY(put_u8(e, 1));
    TRY(put_u8(e, h->coalesce_axis));
  } else {
    TRY(put_u8(e, 0));
  }
  TRY(put_u32(e, h->preferred_alignment));
  return put_u8(e, loc);
}

static vy_status put_metadata(enc *e, const vy_wire_view *v) {
  TRY(put_raw(e, VY_WIRE_METADATA_MARKER, 9));
  TRY(put_u8(e, v->has_entry_op_id ? 1 : 0));
  if (v->has_entry_op_id) TRY(put_str(e, v->entry_op_id, "the entry op id"));
  for (int i = 0; i < 3; i++) TRY(put_u32(e, v->workgroup_size[i]));
  TRY(put_u8(e, v->non_composable_with_self ? 1 : 0));
  TRY(put_leb(e, v->nbuffers));
  for (uint32_t i = 0; i < v->nbuffers; i++) {
    const vy_buffer_decl *b = &v->buffers[i];
    TRY(put_str(e, b->name, "a buffer name"));
    TRY(put_u32(e, b->binding));
    TRY(put_u32(e, b->count));
    TRY(put_u8(e, b->is_output ? 1 : 0));
    TRY(put_u8(e, b->pipeline_live_out ? 1 : 0));
    if (b->has_output_range) {
      TRY(put_u8(e, 1));
      TRY(put_leb(e, b->range_start));
      TRY(put_leb(e, b->range_end));
    } else {
      TRY(put_u8(e, 0));
    }
    TRY(put_hints(e, &b->hints));
  }
  return VY_OK;
}

/* One record: LEB op-id length, op id, LEB payload length, payload, LEB 0
 * operands. */
static vy_status put_record(enc *e, const char *op_id, size_t op_len, const vy_bytes *payload) {
  TRY(put_leb(e, op_len));
  TRY(put_raw(e, op_id, op_len));
  TRY(put_leb(e, payload->len));
  TRY(put_raw(e, payload->data, payload->len));
  return put_leb(e, 0);
}

static vy_status put_node_section(enc *e, const vy_wire_view *v, vy_bytes *scratch) {
  if (v->entry.count && !v->entry.items) return malformed(e, "an entry with a count and no items");
  TRY(put_leb(e, (uint64_t)v->entry.count + 1));
  vy_bytes *body = e->out;
  e->out = scratch;
  scratch->len = 0;
  vy_status st = put_metadata(e, v);
  e->out = body;
  TRY(st);
  TRY(put_record(e, VY_WIRE_METADATA_OP_ID, sizeof VY_WIRE_METADATA_OP_ID - 1, scratch));
  for (uint32_t i = 0; i < v->entry.count; i++) {
    const vy_node *n = v->entry.items[i];
    if (!n) return malformed(e, "a missing entry statement");
    scratch->len = 0;
    e->out = scratch;
    st = put_node(e, n, 0);
    e->out = body;
    TRY(st);
    vy_str op = vy_node_op_id(n);
    TRY(put_record(e, op.ptr, op.len, scratch));
  }
  return VY_OK;
}

/* The dense element's shape payload (§7.8): LEB count, then the element's
 * LEB parameters. Vec and TensorShaped get none (vyre's decoder then rejects
 * them); sparse and DeviceMesh cannot be encoded. */
static vy_status put_dense_shape(enc *e, const vy_buffer_decl *b, int nl, const char *nm) {
  const vy_type *t = &b->element;
  TRY(put_leb(e, b->count));
  switch (t->kind) {
  case VY_TYPE_ARRAY:
    return put_leb(e, t->u.array_element_size);
  case VY_TYPE_HANDLE:
    return put_leb(e, t->u.handle_id);
  case VY_TYPE_OPAQUE:
    return put_leb(e, t->u.opaque_id);
  case VY_TYPE_QUANTIZED: {
    if (!t->u.quant.storage || !vy_wire_is_quantized_storage(t->u.quant.storage->kind))
      return vy_error_set(e->err, VY_E_ENCODE,
                          "cannot encode buffer `%.*s`: its quantized storage is not one of I4/I8/I16/U8/U16/F8E4M3/"
                          "F8E5M2/FP4/NF4. Fix: pick one of those storage types",
                          nl, nm);
    /* the §7.6 fields, each as a LEB */
    quant_fields q;
    TRY(quant_params(e, t, &q));
    TRY(put_leb(e, vy_type_kind_tag(t->u.quant.storage->kind)));
    TRY(put_leb(e, q.scale_tag));
    TRY(put_leb(e, q.scale_param));
    TRY(put_leb(e, q.zero_tag));
    return put_leb(e, q.zero_param);
  }
  default:
    return VY_OK;
  }
}

static vy_status put_memory_regions(enc *e, const vy_wire_view *v, vy_bytes *scratch) {
  TRY(put_leb(e, v->nbuffers));
  for (uint32_t i = 0; i < v->nbuffers; i++) {
    const vy_buffer_decl *b = &v->buffers[i];
    int nl = (int)(b->name.len > 200 ? 200 : b->name.len);
    const char *nm = b->name.ptr ? b->name.ptr : "";
    uint8_t kind = vy_memory_kind_tag(b->kind), access = vy_access_tag(b->access);
    uint8_t elem = vy_type_kind_tag(b->element.kind);
    if (kind == VY_NO_TAG) return malformed(e, "a buffer of unknown memory kind");
    if (access == VY_NO_TAG)
      return vy_error_set(e->err, VY_E_ENCODE,
                          "cannot encode buffer `%.*s`: access %s has no wire tag (vyre cannot serialize WriteOnly). "
                          "Fix: declare it read_write",
                          nl, nm, vy_access_name(b->access));
    switch (b->element.kind) {
    case VY_TYPE_SPARSE_CSR:
    case VY_TYPE_SPARSE_COO:
    case VY_TYPE_SPARSE_BSR:
    case VY_TYPE_DEVICE_MESH:
      return vy_error_set(e->err, VY_E_ENCODE,
                          "cannot encode buffer `%.*s`: element type %s is not a valid dense memory-region element. "
                          "Fix: lower it to a scalar, array, handle or opaque element first",
                          nl, nm, vy_type_kind_name(b->element.kind));
    default:
      break;
    }
    if (elem == VY_NO_TAG) return malformed(e, "a buffer element of unknown kind");
    TRY(put_leb(e, i));
    TRY(put_u8(e, kind));
    TRY(put_u8(e, access));
    TRY(put_u8(e, elem));
    TRY(put_u8(e, 0)); /* shape tag: Dense */
    vy_bytes *body = e->out;
    e->out = scratch;
    scratch->len = 0;
    vy_status st = put_dense_shape(e, b, nl, nm);
    e->out = body;
    TRY(st);
    TRY(put_leb(e, scratch->len));
    TRY(put_raw(e, scratch->data, scratch->len));
    e->out = scratch;
    scratch->len = 0;
    st = put_hints(e, &b->hints);
    e->out = body;
    TRY(st);
    TRY(put_leb(e, scratch->len));
    TRY(put_raw(e, scratch->data, scratch->len));
  }
  return VY_OK;
}

/* OutputSet: the indices of ReadWrite (and WriteOnly) buffers. */
static vy_status put_output_set(enc *e, const vy_wire_view *v) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < v->nbuffers; i++)
    n += v->buffers[i].access == VY_ACCESS_READ_WRITE || v->buffers[i].access == VY_ACCESS_WRITE_ONLY;
  TRY(put_leb(e, n));
  for (uint32_t i = 0; i < v->nbuffers; i++)
    if (v->buffers[i].access == VY_ACCESS_READ_WRITE || v->buffers[i].access == VY_ACCESS_WRITE_ONLY)
      TRY(put_leb(e, i));
  return VY_OK;
}

static vy_status encode_body(enc *e, const vy_wire_view *v, vy_bytes *scratch) {
  TRY(check_shapes(e, v));
  static const uint8_t hole[VY_WIRE_HEADER_LEN];
  TRY(put_raw(e, hole, sizeof hole));
  TRY(put_node_section(e, v, scratch));
  TRY(put_memory_regions(e, v, scratch));
  TRY(put_output_set(e, v));
  uint8_t *h = e->out->data;
  memcpy(h, VY_WIRE_MAGIC, 4);
  h[4] = VY_WIRE_VERSION & 0xFF;
  h[5] = VY_WIRE_VERSION >> 8;
  h[6] = VY_WIRE_FLAG_OPAQUE_ENDIAN_FIXED & 0xFF;
  h[7] = VY_WIRE_FLAG_OPAQUE_ENDIAN_FIXED >> 8;
  vy_blake3_hash(h + VY_WIRE_HEADER_LEN, e->out->len - VY_WIRE_HEADER_LEN, h + 8);
  return VY_OK;
}

vy_status vy_wire_encode_view(const vy_wire_view *v, const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  *out = (vy_bytes){.alloc = alloc};
  vy_bytes scratch = {.alloc = alloc};
  enc e = {out, err};
  vy_status st = v->nbuffers && !v->buffers ? malformed(&e, "a buffer table with a count and no entries")
                                            : encode_body(&e, v, &scratch);
  vy_bytes_free(&scratch);
  if (st != VY_OK) vy_bytes_free(out);
  return st;
}

void vy_wire_view_of(const vy_program *p, vy_wire_view *v) {
  v->has_entry_op_id = p->has_entry_op_id;
  v->entry_op_id = p->entry_op_id;
  memcpy(v->workgroup_size, p->workgroup_size, sizeof v->workgroup_size);
  v->non_composable_with_self = p->non_composable_with_self;
  v->nbuffers = p->nbuffers;
  v->buffers = p->buffers;
  v->entry = p->entry;
}

vy_status vy_wire_encode(const vy_program *p, const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  if (!p || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_wire_encode: NULL %s. Fix: pass a program and an output vy_bytes", p ? "output" : "program");
  vy_wire_view v;
  vy_wire_view_of(p, &v);
  return vy_wire_encode_view(&v, alloc, out, err);
}
