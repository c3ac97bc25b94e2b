/* program.c - the program object: construction helpers shared by the
 * builder, parser and decoder; read accessors; structural equality. */
#include <string.h>

#include "error_int.h"
#include "program_int.h"

vy_program *vy_program_new(const vy_allocator *alloc) {
  vy_program *p = vy_mem_calloc(alloc, 1, sizeof *p);
  if (!p) return NULL;
  if (alloc) {
    p->alloc_copy = *alloc;
    p->alloc = &p->alloc_copy;
  }
  vy_arena_init(&p->arena, p->alloc);
  p->workgroup_size[0] = p->workgroup_size[1] = p->workgroup_size[2] = 1;
  return p;
}

void vy_program_destroy(vy_program *p) {
  if (!p) return;
  vy_arena_free_all(&p->arena);
  vy_mem_free(p->alloc, p, sizeof *p);
}

vy_expr *vy_expr_new(vy_program *p, vy_expr_kind kind) {
  vy_expr *e = vy_arena_alloc(&p->arena, sizeof *e);
  if (e) e->kind = kind;
  return e;
}

vy_node *vy_node_new(vy_program *p, vy_node_kind kind) {
  vy_node *n = vy_arena_alloc(&p->arena, sizeof *n);
  if (n) n->kind = kind;
  return n;
}

bool vy_str_make(vy_program *p, const char *s, size_t len, vy_str *out) {
  if (len > UINT32_MAX) return false;
  char *d = vy_arena_strndup(&p->arena, s ? s : "", s ? len : 0);
  if (!d) return false;
  out->ptr = d;
  out->len = s ? (uint32_t)len : 0;
  return true;
}

bool vy_type_copy(vy_program *p, const vy_type *src, vy_type *dst) {
  *dst = *src;
  const vy_type **inner = NULL;
  switch (src->kind) {
  case VY_TYPE_VEC:
    inner = &dst->u.vec.element;
    break;
  case VY_TYPE_TENSOR_SHAPED: {
    inner = &dst->u.tensor.element;
    uint32_t *dims = vy_arena_array(&p->arena, src->u.tensor.rank, sizeof *dims);
    if (!dims) return false;
    if (src->u.tensor.rank) memcpy(dims, src->u.tensor.dims, src->u.tensor.rank * sizeof *dims);
    dst->u.tensor.dims = dims;
    break;
  }
  case VY_TYPE_SPARSE_CSR:
  case VY_TYPE_SPARSE_COO:
    inner = &dst->u.sparse.element;
    break;
  case VY_TYPE_SPARSE_BSR:
    inner = &dst->u.bsr.element;
    break;
  case VY_TYPE_QUANTIZED:
    inner = &dst->u.quant.storage;
    break;
  case VY_TYPE_DEVICE_MESH: {
    uint32_t *axes = vy_arena_array(&p->arena, src->u.mesh.naxes, sizeof *axes);
    if (!axes) return false;
    if (src->u.mesh.naxes) memcpy(axes, src->u.mesh.axes, src->u.mesh.naxes * sizeof *axes);
    dst->u.mesh.axes = axes;
    return true;
  }
  default:
    return true;
  }
  if (!*inner) return true; /* malformed input type: left for the validator/encoder */
  vy_type *copy = vy_arena_alloc(&p->arena, sizeof *copy);
  if (!copy || !vy_type_copy(p, *inner, copy)) return false;
  *inner = copy;
  return true;
}

static bool shape_pred_copy(vy_program *p, const vy_shape_pred *src, const vy_shape_pred **dst) {
  if (!src) {
    *dst = NULL;
    return true;
  }
  vy_shape_pred *c = vy_arena_alloc(&p->arena, sizeof *c);
  if (!c) return false;
  *c = *src;
  switch (src->kind) {
  case VY_SHAPE_AND:
  case VY_SHAPE_OR:
    if (!shape_pred_copy(p, src->u.both.left, &c->u.both.left) ||
        !shape_pred_copy(p, src->u.both.right, &c->u.both.right))
      return false;
    break;
  case VY_SHAPE_NOT:
    if (!shape_pred_copy(p, src->u.inner, &c->u.inner)) return false;
    break;
  default:
    break;
  }
  *dst = c;
  return true;
}

bool vy_buffer_copy(vy_program *p, const vy_buffer_decl *src, vy_buffer_decl *dst) {
  *dst = *src;
  return vy_str_make(p, src->name.ptr, src->name.len, &dst->name) && vy_type_copy(p, &src->element, &dst->element) &&
         shape_pred_copy(p, src->shape_predicate, &dst->shape_predicate);
}

bool vy_node_list_from_vec(vy_program *p, const vy_ptrvec *v, vy_node_list *out) {
  out->count = 0;
  out->items = NULL;
  if (v->count == 0) return true;
  if (v->count > UINT32_MAX) return false;
  const vy_node **items = vy_arena_array(&p->arena, v->count, sizeof *items);
  if (!items) return false;
  memcpy(items, v->items, v->count * sizeof *items);
  out->count = (uint32_t)v->count;
  out->items = items;
  return true;
}

bool vy_program_is_region_wrapped(const vy_program *p) {
  if (p->entry.count == 0) return false;
  for (uint32_t i = 0; i < p->entry.count; i++)
    if (p->entry.items[i]->kind != VY_NODE_REGION) return false;
  return true;
}

bool vy_program_wrap_entry(vy_program *p) {
  if (vy_program_is_region_wrapped(p)) return true;
  vy_node *root = vy_node_new(p, VY_NODE_REGION);
  if (!root || !vy_str_make(p, "vyre.program.root", 17, &root->u.region.generator)) return false;
  root->u.region.body = p->entry;
  const vy_node **items = vy_arena_alloc(&p->arena, sizeof *items);
  if (!items) return false;
  items[0] = root;
  p->entry.items = items;
  p->entry.count = 1;
  return true;
}

vy_status vy_program_seal(vy_program *p, vy_error *err) {
  bool encodable = false;
  vy_status st = vy_canon_fingerprint(p, p->fingerprint, &encodable, err);
  if (st != VY_OK) return st;
  p->has_fingerprint = encodable;
  return VY_OK;
}

/* ---- accessors ---- */

uint32_t vy_program_buffer_count(const vy_program *p) { return p->nbuffers; }
const vy_buffer_decl *vy_program_buffer(const vy_program *p, uint32_t i) {
  return i < p->nbuffers ? &p->buffers[i] : NULL;
}
const vy_node_list *vy_program_entry(const vy_program *p) { return &p->entry; }
void vy_program_workgroup_size(const vy_program *p, uint32_t out[3]) { memcpy(out, p->workgroup_size, 3 * sizeof *out); }
bool vy_program_entry_op_id(const vy_program *p, vy_str *out) {
  if (p->has_entry_op_id && out) *out = p->entry_op_id;
  return p->has_entry_op_id;
}
bool vy_program_non_composable_with_self(const vy_program *p) { return p->non_composable_with_self; }

const vy_buffer_decl *vy_program_find_buffer(const vy_program *p, const char *name, size_t len) {
  const vy_buffer_decl *wg = NULL;
  for (uint32_t i = 0; i < p->nbuffers; i++) {
    const vy_buffer_decl *b = &p->buffers[i];
    if (!vy_str_eq_c(b->name, name, len)) continue;
    if (b->access != VY_ACCESS_WORKGROUP) return b;
    if (!wg) wg = b;
  }
  return wg;
}

uint32_t vy_expr_child_count(const vy_expr *e) {
  switch (e->kind) {
  case VY_EXPR_LOAD:
  case VY_EXPR_UN_OP:
  case VY_EXPR_CAST:
  case VY_EXPR_SUBGROUP_ADD:
  case VY_EXPR_SUBGROUP_BALLOT:
    return 1;
  case VY_EXPR_BIN_OP:
  case VY_EXPR_SUBGROUP_SHUFFLE:
    return 2;
  case VY_EXPR_SELECT:
  case VY_EXPR_ATOMIC:
  case VY_EXPR_FMA:
    return 3;
  case VY_EXPR_CALL:
    return e->u.call.argc;
  default:
    return 0;
  }
}

const vy_expr *vy_expr_child(const vy_expr *e, uint32_t i) {
  if (i >= vy_expr_child_count(e)) return NULL;
  switch (e->kind) {
  case VY_EXPR_LOAD:
    return e->u.load.index;
  case VY_EXPR_UN_OP:
    return e->u.un.operand;
  case VY_EXPR_CAST:
    return e->u.cast.value;
  case VY_EXPR_SUBGROUP_ADD:
    return e->u.subgroup_add;
  case VY_EXPR_SUBGROUP_BALLOT:
    return e->u.subgroup_ballot;
  case VY_EXPR_BIN_OP:
    return i == 0 ? e->u.bin.left : e->u.bin.right;
  case VY_EXPR_SUBGROUP_SHUFFLE:
    return i == 0 ? e->u.shuffle.value : e->u.shuffle.lane;
  case VY_EXPR_SELECT:
    return i == 0 ? e->u.select.cond : i == 1 ? e->u.select.if_true : e->u.select.if_false;
  case VY_EXPR_ATOMIC:
    return i == 0 ? e->u.atomic.index : i == 1 ? e->u.atomic.expected : e->u.atomic.value;
  case VY_EXPR_FMA:
    return i == 0 ? e->u.fma.a : i == 1 ? e->u.fma.b : e->u.fma.c;
  case VY_EXPR_CALL:
    return e->u.call.args[i];
  default:
    return NULL;
  }
}

vy_memory_kind vy_memory_kind_default(vy_access a) {
  switch (a) {
  case VY_ACCESS_READ_ONLY:
    return VY_MEMKIND_READONLY;
  case VY_ACCESS_UNIFORM:
    return VY_MEMKIND_UNIFORM;
  case VY_ACCESS_WORKGROUP:
    return VY_MEMKIND_SHARED;
  default:
    return VY_MEMKIND_GLOBAL;
  }
}

bool vy_buffer_is_backend_allocated(const vy_buffer_decl *d) {
  return d->access != VY_ACCESS_WORKGROUP &&
         (d->is_output || d->access == VY_ACCESS_WRITE_ONLY ||
          (d->pipeline_live_out && d->access == VY_ACCESS_READ_WRITE));
}
bool vy_buffer_is_input(const vy_buffer_decl *d) {
  return d->access != VY_ACCESS_WORKGROUP && !vy_buffer_is_backend_allocated(d);
}
bool vy_buffer_is_returned(const vy_buffer_decl *d) {
  return d->access != VY_ACCESS_WORKGROUP && (vy_buffer_is_backend_allocated(d) || d->access == VY_ACCESS_READ_WRITE);
}

bool vy_program_fingerprint(const vy_program *p, uint8_t out[32]) {
  if (!p->has_fingerprint) return false;
  memcpy(out, p->fingerprint, 32);
  return true;
}

/* ---- equality ---- */

bool vy_str_eq(vy_str a, vy_str b) { return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0); }
bool vy_str_eq_c(vy_str a, const char *s, size_t len) {
  return a.len == len && (len == 0 || memcmp(a.ptr, s, len) == 0);
}

bool vy_type_equal(const vy_type *a, const vy_type *b) {
  if (a == b) return true;
  if (!a || !b || a->kind != b->kind) return false;
  switch (a->kind) {
  case VY_TYPE_ARRAY:
    return a->u.array_element_size == b->u.array_element_size;
  case VY_TYPE_HANDLE:
    return a->u.handle_id == b->u.handle_id;
  case VY_TYPE_OPAQUE:
    return a->u.opaque_id == b->u.opaque_id;
  case VY_TYPE_VEC:
    return a->u.vec.count == b->u.vec.count && vy_type_equal(a->u.vec.element, b->u.vec.element);
  case VY_TYPE_TENSOR_SHAPED:
    return a->u.tensor.rank == b->u.tensor.rank && vy_type_equal(a->u.tensor.element, b->u.tensor.element) &&
           (a->u.tensor.rank == 0 || memcmp(a->u.tensor.dims, b->u.tensor.dims, a->u.tensor.rank * 4) == 0);
  case VY_TYPE_SPARSE_CSR:
  case VY_TYPE_SPARSE_COO:
    return vy_type_equal(a->u.sparse.element, b->u.sparse.element);
  case VY_TYPE_SPARSE_BSR:
    return a->u.bsr.block_rows == b->u.bsr.block_rows && a->u.bsr.block_cols == b->u.bsr.block_cols &&
           vy_type_equal(a->u.bsr.element, b->u.bsr.element);
  case VY_TYPE_DEVICE_MESH:
    return a->u.mesh.naxes == b->u.mesh.naxes &&
           (a->u.mesh.naxes == 0 || memcmp(a->u.mesh.axes, b->u.mesh.axes, a->u.mesh.naxes * 4) == 0);
  case VY_TYPE_QUANTIZED:
    return a->u.quant.scale == b->u.quant.scale && a->u.quant.scale_param == b->u.quant.scale_param &&
           a->u.quant.zero_point == b->u.quant.zero_point &&
           a->u.quant.zero_point_param == b->u.quant.zero_point_param &&
           vy_type_equal(a->u.quant.storage, b->u.quant.storage);
  default:
    return true;
  }
}

static bool opt_expr_equal(const vy_expr *a, const vy_expr *b) { return (!a && !b) || (a && b && vy_expr_equal(a, b)); }

bool vy_expr_equal(const vy_expr *a, const vy_expr *b) {
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case VY_EXPR_LIT_U32:
    return a->u.lit_u32 == b->u.lit_u32;
  case VY_EXPR_LIT_I32:
    return a->u.lit_i32 == b->u.lit_i32;
  case VY_EXPR_LIT_BOOL:
    return a->u.lit_bool == b->u.lit_bool;
  case VY_EXPR_LIT_F32:
    return a->u.lit_f32_bits == b->u.lit_f32_bits;
  case VY_EXPR_VAR:
    return vy_str_eq(a->u.var, b->u.var);
  case VY_EXPR_LOAD:
    return vy_str_eq(a->u.load.buffer, b->u.load.buffer) && vy_expr_equal(a->u.load.index, b->u.load.index);
  case VY_EXPR_BUF_LEN:
    return vy_str_eq(a->u.buf_len, b->u.buf_len);
  case VY_EXPR_INVOCATION_ID:
  case VY_EXPR_WORKGROUP_ID:
  case VY_EXPR_LOCAL_ID:
    return a->u.axis == b->u.axis;
  case VY_EXPR_BIN_OP:
    return a->u.bin.op == b->u.bin.op && a->u.bin.ext_id == b->u.bin.ext_id &&
           vy_expr_equal(a->u.bin.left, b->u.bin.left) && vy_expr_equal(a->u.bin.right, b->u.bin.right);
  case VY_EXPR_UN_OP:
    return a->u.un.op == b->u.un.op && a->u.un.ext_id == b->u.un.ext_id &&
           vy_expr_equal(a->u.un.operand, b->u.un.operand);
  case VY_EXPR_CALL:
    if (!vy_str_eq(a->u.call.op_id, b->u.call.op_id) || a->u.call.argc != b->u.call.argc) return false;
    for (uint32_t i = 0; i < a->u.call.argc; i++)
      if (!vy_expr_equal(a->u.call.args[i], b->u.call.args[i])) return false;
    return true;
  case VY_EXPR_SELECT:
    return vy_expr_equal(a->u.select.cond, b->u.select.cond) &&
           vy_expr_equal(a->u.select.if_true, b->u.select.if_true) &&
           vy_expr_equal(a->u.select.if_false, b->u.select.if_false);
  case VY_EXPR_CAST:
    return vy_type_equal(&a->u.cast.target, &b->u.cast.target) && vy_expr_equal(a->u.cast.value, b->u.cast.value);
  case VY_EXPR_ATOMIC:
    return a->u.atomic.op == b->u.atomic.op && a->u.atomic.ext_id == b->u.atomic.ext_id &&
           a->u.atomic.ordering == b->u.atomic.ordering && vy_str_eq(a->u.atomic.buffer, b->u.atomic.buffer) &&
           vy_expr_equal(a->u.atomic.index, b->u.atomic.index) &&
           opt_expr_equal(a->u.atomic.expected, b->u.atomic.expected) &&
           vy_expr_equal(a->u.atomic.value, b->u.atomic.value);
  case VY_EXPR_FMA:
    return vy_expr_equal(a->u.fma.a, b->u.fma.a) && vy_expr_equal(a->u.fma.b, b->u.fma.b) &&
           vy_expr_equal(a->u.fma.c, b->u.fma.c);
  case VY_EXPR_SUBGROUP_ADD:
    return vy_expr_equal(a->u.subgroup_add, b->u.subgroup_add);
  case VY_EXPR_SUBGROUP_SHUFFLE:
    return vy_expr_equal(a->u.shuffle.value, b->u.shuffle.value) &&
           vy_expr_equal(a->u.shuffle.lane, b->u.shuffle.lane);
  case VY_EXPR_SUBGROUP_BALLOT:
    return vy_expr_equal(a->u.subgroup_ballot, b->u.subgroup_ballot);
  case VY_EXPR_SUBGROUP_LOCAL_ID:
  case VY_EXPR_SUBGROUP_SIZE:
    return true;
  case VY_EXPR_OPAQUE:
    return vy_str_eq(a->u.opaque.kind, b->u.opaque.kind) && a->u.opaque.len == b->u.opaque.len &&
           (a->u.opaque.len == 0 || memcmp(a->u.opaque.payload, b->u.opaque.payload, a->u.opaque.len) == 0);
  case VY_EXPR_COUNT:
    break;
  }
  return false;
}

bool vy_node_list_equal(const vy_node_list *a, const vy_node_list *b) {
  if (a->count != b->count) return false;
  for (uint32_t i = 0; i < a->count; i++)
    if (!vy_node_equal(a->items[i], b->items[i])) return false;
  return true;
}

static bool async_equal(const vy_node *a, const vy_node *b) {
  return vy_str_eq(a->u.async_copy.source, b->u.async_copy.source) &&
         vy_str_eq(a->u.async_copy.destination, b->u.async_copy.destination) &&
         vy_expr_equal(a->u.async_copy.offset, b->u.async_copy.offset) &&
         vy_expr_equal(a->u.async_copy.size, b->u.async_copy.size) &&
         vy_str_eq(a->u.async_copy.tag, b->u.async_copy.tag);
}

bool vy_node_equal(const vy_node *a, const vy_node *b) {
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case VY_NODE_LET:
    return vy_str_eq(a->u.let.name, b->u.let.name) && vy_expr_equal(a->u.let.value, b->u.let.value);
  case VY_NODE_ASSIGN:
    return vy_str_eq(a->u.assign.name, b->u.assign.name) && vy_expr_equal(a->u.assign.value, b->u.assign.value);
  case VY_NODE_STORE:
    return vy_str_eq(a->u.store.buffer, b->u.store.buffer) && vy_expr_equal(a->u.store.index, b->u.store.index) &&
           vy_expr_equal(a->u.store.value, b->u.store.value);
  case VY_NODE_IF:
    return vy_expr_equal(a->u.if_.cond, b->u.if_.cond) && vy_node_list_equal(&a->u.if_.then_body, &b->u.if_.then_body) &&
           vy_node_list_equal(&a->u.if_.else_body, &b->u.if_.else_body);
  case VY_NODE_LOOP:
    return vy_str_eq(a->u.loop.var, b->u.loop.var) && vy_expr_equal(a->u.loop.from, b->u.loop.from) &&
           vy_expr_equal(a->u.loop.to, b->u.loop.to) && vy_node_list_equal(&a->u.loop.body, &b->u.loop.body);
  case VY_NODE_RETURN:
    return true;
  case VY_NODE_BLOCK:
    return vy_node_list_equal(&a->u.block, &b->u.block);
  case VY_NODE_BARRIER:
    return a->u.barrier == b->u.barrier;
  case VY_NODE_INDIRECT_DISPATCH:
    return vy_str_eq(a->u.indirect.count_buffer, b->u.indirect.count_buffer) &&
           a->u.indirect.count_offset == b->u.indirect.count_offset;
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
    return async_equal(a, b);
  case VY_NODE_ASYNC_WAIT:
  case VY_NODE_RESUME:
    return vy_str_eq(a->u.tag, b->u.tag);
  case VY_NODE_REGION:
    return vy_str_eq(a->u.region.generator, b->u.region.generator) && a->u.region.has_source == b->u.region.has_source &&
           (!a->u.region.has_source || vy_str_eq(a->u.region.source, b->u.region.source)) &&
           vy_node_list_equal(&a->u.region.body, &b->u.region.body);
  case VY_NODE_TRAP:
    return vy_expr_equal(a->u.trap.address, b->u.trap.address) && vy_str_eq(a->u.trap.tag, b->u.trap.tag);
  case VY_NODE_ALL_REDUCE:
    return vy_str_eq(a->u.all_reduce.buffer, b->u.all_reduce.buffer) && a->u.all_reduce.op == b->u.all_reduce.op &&
           a->u.all_reduce.group == b->u.all_reduce.group;
  case VY_NODE_ALL_GATHER:
    return vy_str_eq(a->u.all_gather.input, b->u.all_gather.input) &&
           vy_str_eq(a->u.all_gather.output, b->u.all_gather.output) && a->u.all_gather.group == b->u.all_gather.group;
  case VY_NODE_REDUCE_SCATTER:
    return vy_str_eq(a->u.reduce_scatter.input, b->u.reduce_scatter.input) &&
           vy_str_eq(a->u.reduce_scatter.output, b->u.reduce_scatter.output) &&
           a->u.reduce_scatter.op == b->u.reduce_scatter.op && a->u.reduce_scatter.group == b->u.reduce_scatter.group;
  case VY_NODE_BROADCAST:
    return vy_str_eq(a->u.broadcast.buffer, b->u.broadcast.buffer) && a->u.broadcast.root == b->u.broadcast.root &&
           a->u.broadcast.group == b->u.broadcast.group;
  case VY_NODE_OPAQUE:
    return vy_str_eq(a->u.opaque.kind, b->u.opaque.kind) && a->u.opaque.len == b->u.opaque.len &&
           (a->u.opaque.len == 0 || memcmp(a->u.opaque.payload, b->u.opaque.payload, a->u.opaque.len) == 0);
  case VY_NODE_COUNT:
    break;
  }
  return false;
}

static bool shape_pred_equal(const vy_shape_pred *a, const vy_shape_pred *b) {
  if (!a || !b) return a == b;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case VY_SHAPE_MOD_EQUALS:
    return a->u.mod.modulus == b->u.mod.modulus && a->u.mod.remainder == b->u.mod.remainder;
  case VY_SHAPE_AFFINE_RANGE:
    return a->u.affine.scale == b->u.affine.scale && a->u.affine.offset == b->u.affine.offset &&
           a->u.affine.min == b->u.affine.min && a->u.affine.max == b->u.affine.max;
  case VY_SHAPE_AND:
  case VY_SHAPE_OR:
    return shape_pred_equal(a->u.both.left, b->u.both.left) && shape_pred_equal(a->u.both.right, b->u.both.right);
  case VY_SHAPE_NOT:
    return shape_pred_equal(a->u.inner, b->u.inner);
  default:
    return a->u.n == b->u.n;
  }
}

/* BufferDecl's derived PartialEq: every field, including the unserialized ones. */
static bool buffer_equal(const vy_buffer_decl *a, const vy_buffer_decl *b) {
  return vy_str_eq(a->name, b->name) && a->binding == b->binding && a->access == b->access && a->kind == b->kind &&
         vy_type_equal(&a->element, &b->element) && a->count == b->count && a->is_output == b->is_output &&
         a->pipeline_live_out == b->pipeline_live_out && a->has_output_range == b->has_output_range &&
         (!a->has_output_range || (a->range_start == b->range_start && a->range_end == b->range_end)) &&
         a->hints.has_coalesce_axis == b->hints.has_coalesce_axis &&
         (!a->hints.has_coalesce_axis || a->hints.coalesce_axis == b->hints.coalesce_axis) &&
         a->hints.preferred_alignment == b->hints.preferred_alignment &&
         a->hints.cache_locality == b->hints.cache_locality && a->bytes_extraction == b->bytes_extraction &&
         a->linear_type == b->linear_type && shape_pred_equal(a->shape_predicate, b->shape_predicate);
}

bool vy_program_equal(const vy_program *a, const vy_program *b) {
  if (a->has_entry_op_id != b->has_entry_op_id || (a->has_entry_op_id && !vy_str_eq(a->entry_op_id, b->entry_op_id)) ||
      a->non_composable_with_self != b->non_composable_with_self ||
      memcmp(a->workgroup_size, b->workgroup_size, sizeof a->workgroup_size) != 0 || a->nbuffers != b->nbuffers ||
      !vy_node_list_equal(&a->entry, &b->entry))
    return false;
  /* buffers as a multiset: each buffer of a matches a distinct one of b
   * (quadratic; buffer counts are small and bounded by the decoder) */
  for (uint32_t i = 0; i < a->nbuffers; i++) {
    uint32_t in_a = 0, in_b = 0;
    for (uint32_t j = 0; j < a->nbuffers; j++) {
      in_a += buffer_equal(&a->buffers[i], &a->buffers[j]);
      in_b += buffer_equal(&a->buffers[i], &b->buffers[j]);
    }
    if (in_a != in_b) return false;
  }
  return true;
}
