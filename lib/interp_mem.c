/* interp_mem.c - buffers of the reference interpreter: typed loads and
 * stores with vyre's out-of-bounds rules (§4.3; oob.rs), atomics (§4.5;
 * atomics.rs), workgroup memory (workgroup.rs, memory.rs) and outputs.
 * Input binding and the dispatch grid (§4.2, §4.4) are in bind.c, shared
 * with the llvm-cpu backend.
 */
#include <string.h>

#include "bind_int.h"
#include "error_int.h"
#include "interp_int.h"
#include "program_int.h"

#define MAX_WORKGROUP_BYTES ((uint64_t)64 << 20) /* workgroup.rs MAX_WORKGROUP_BYTES */

uint64_t vy_imem_elem_count(const vy_ibuf *b) { return b->stride ? b->len / b->stride : b->len; }

/* Byte width of the zero value / raw element of a type (value.rs
 * fixed_scalar_storage_width); UINT64_MAX when the type has none. */
static uint64_t fixed_width(const vy_type *t) {
  switch (t->kind) {
  case VY_TYPE_U8:
  case VY_TYPE_I8:
  case VY_TYPE_F8E4M3:
  case VY_TYPE_F8E5M2:
  case VY_TYPE_I4:
  case VY_TYPE_FP4:
  case VY_TYPE_NF4: return 1;
  case VY_TYPE_U16:
  case VY_TYPE_I16:
  case VY_TYPE_F16:
  case VY_TYPE_BF16: return 2;
  case VY_TYPE_HANDLE:
  case VY_TYPE_DEVICE_MESH: return 4;
  case VY_TYPE_I64:
  case VY_TYPE_VEC2U32: return 8;
  case VY_TYPE_VEC4U32: return 16;
  case VY_TYPE_ARRAY: return t->u.array_element_size;
  case VY_TYPE_VEC: {
    uint64_t w = fixed_width(t->u.vec.element);
    return w == UINT64_MAX ? w : w * t->u.vec.count;
  }
  case VY_TYPE_TENSOR_SHAPED: {
    uint64_t w = fixed_width(t->u.tensor.element);
    for (uint32_t i = 0; i < t->u.tensor.rank && w != UINT64_MAX; i++) {
      uint64_t d = t->u.tensor.dims[i];
      w = (d && w > UINT32_MAX * (uint64_t)16 / d) ? UINT64_MAX : w * d;
    }
    return w;
  }
  case VY_TYPE_QUANTIZED: return fixed_width(t->u.quant.storage);
  default: return UINT64_MAX;
  }
}

vy_ival vy_imem_zero_value(const vy_type *t) {
  switch (t->kind) {
  case VY_TYPE_U32:
  case VY_TYPE_BOOL: return vy_iv_u32(0); /* a Bool buffer loads as U32 */
  case VY_TYPE_I32: return vy_iv_i32(0);
  case VY_TYPE_U64: return vy_iv_u64(0);
  case VY_TYPE_F32:
  case VY_TYPE_F64: return vy_iv_float(0.0);
  default: {
    uint64_t w = fixed_width(t);
    if (w == UINT64_MAX) w = 0;
    vy_ival z = {.kind = VY_IV_BYTES, .len = (uint32_t)(w > UINT32_MAX ? UINT32_MAX : w)};
    return z; /* inline zeros, or ptr NULL = zeros */
  }
  }
}

static uint64_t rd_le(const uint8_t *p, size_t n) {
  uint64_t x = 0;
  for (size_t i = 0; i < n; i++) x |= (uint64_t)p[i] << (8 * i);
  return x;
}

bool vy_imem_load(const vy_ibuf *b, uint32_t idx, vy_ival *out, const uint8_t *(*copy_tail)(void *, const uint8_t *, size_t),
                  void *ctx) {
  const vy_type *t = &b->decl->element;
  if (t->kind == VY_TYPE_BYTES) {
    if (idx >= b->len) {
      *out = vy_iv_bytes(NULL, 0);
      return true;
    }
    size_t n = b->len - idx;
    if (n <= VY_IVAL_INLINE) {
      *out = vy_iv_bytes(b->data + idx, n);
      return true;
    }
    const uint8_t *copy = copy_tail(ctx, b->data + idx, n);
    if (!copy) return false;
    *out = vy_iv_bytes(copy, n);
    return true;
  }
  uint64_t off = (uint64_t)idx * b->stride;
  if (b->stride == 0 || off + b->stride > b->len) {
    *out = vy_imem_zero_value(t);
    return true;
  }
  const uint8_t *p = b->data + off;
  switch (t->kind) {
  case VY_TYPE_U32:
  case VY_TYPE_BOOL: *out = vy_iv_u32((uint32_t)rd_le(p, 4)); return true;
  case VY_TYPE_I32: *out = vy_iv_i32((int32_t)(uint32_t)rd_le(p, 4)); return true;
  case VY_TYPE_U64: *out = vy_iv_u64(rd_le(p, 8)); return true;
  case VY_TYPE_F32: *out = vy_iv_float((double)vy_f32_canon(vy_f32_from_bits((uint32_t)rd_le(p, 4)))); return true;
  case VY_TYPE_F64: {
    uint64_t bits = rd_le(p, 8);
    double d;
    memcpy(&d, &bits, 8);
    *out = vy_iv_float(d);
    return true;
  }
  default: {
    /* raw element bytes; strides above 16 (Vec of many lanes) are copied */
    if (b->stride <= VY_IVAL_INLINE) {
      *out = vy_iv_bytes(p, b->stride);
      return true;
    }
    const uint8_t *copy = copy_tail(ctx, p, b->stride);
    if (!copy) return false;
    *out = vy_iv_bytes(copy, b->stride);
    return true;
  }
  }
}

void vy_imem_store(vy_ibuf *b, uint32_t idx, const vy_ival *v) {
  const vy_type *t = &b->decl->element;
  if (t->kind == VY_TYPE_BYTES) {
    if (idx >= b->len) return;
    uint8_t tmp[8];
    size_t n = v->kind == VY_IV_BYTES ? v->len : vy_iv_raw(v, tmp, sizeof tmp);
    size_t room = b->len - idx;
    if (n > room) n = room;
    if (v->kind == VY_IV_BYTES)
      for (size_t i = 0; i < n; i++) b->data[idx + i] = vy_iv_byte_at(v, i);
    else
      memcpy(b->data + idx, tmp, n);
    return;
  }
  uint64_t off = (uint64_t)idx * b->stride;
  if (b->stride == 0 || off + b->stride > b->len) return;
  uint8_t *p = b->data + off;
  if (t->kind == VY_TYPE_F32) {
    float f = 0.0f;
    if (v->kind == VY_IV_FLOAT)
      f = (float)v->v.f;
    else if (v->kind == VY_IV_U32)
      f = vy_f32_from_bits(v->v.u32);
    uint32_t bits = vy_f32_bits(vy_f32_canon(f));
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(bits >> (8 * i));
    return;
  }
  if (v->kind == VY_IV_BYTES) {
    for (size_t i = 0; i < b->stride; i++) p[i] = i < v->len ? vy_iv_byte_at(v, i) : 0;
    return;
  }
  vy_iv_write_width(v, p, b->stride);
}

bool vy_imem_atomic(vy_ibuf *b, vy_atomic_op op, uint32_t idx, bool has_expected, uint32_t expected, uint32_t value,
                    uint32_t *old, vy_imsg *msg) {
  uint64_t stride = b->stride > 4 ? b->stride : 4;
  uint64_t off = (uint64_t)idx * stride;
  *old = 0;
  if (off + 4 > b->len) return true; /* OOB: returns 0, writes nothing */
  uint8_t *p = b->data + off;
  uint32_t o = (uint32_t)rd_le(p, 4), n;
  switch (op) {
  case VY_ATOMIC_ADD: n = o + value; break;
  case VY_ATOMIC_OR: n = o | value; break;
  case VY_ATOMIC_AND: n = o & value; break;
  case VY_ATOMIC_XOR: n = o ^ value; break;
  case VY_ATOMIC_MIN: n = o < value ? o : value; break;
  case VY_ATOMIC_MAX:
  case VY_ATOMIC_LRU_UPDATE: n = o > value ? o : value; break;
  case VY_ATOMIC_EXCHANGE: n = value; break;
  case VY_ATOMIC_COMPARE_EXCHANGE: n = (has_expected && o == expected) ? value : o; break;
  default:
    return vy_imsg_set(msg,
                       "atomic op `%s` has no reference semantics. Fix: use a strong compare_exchange, or express "
                       "fetch_nand as a compare_exchange loop",
                       vy_atomic_op_name(op));
  }
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(n >> (8 * i));
  *old = o;
  return true;
}

/* ---- binding (§4.2) and grid (§4.4): lib/bind.c ---- */

vy_status vy_imem_bind(const vy_program *p, const vy_allocator *alloc, const vy_interp_input *inputs, size_t ninputs,
                       uint64_t max_bytes, vy_ibuf *bufs, uint64_t *used, vy_igrid *grid, vy_error *err) {
  return vy_bind_buffers(p, alloc, inputs, ninputs, max_bytes, NULL, bufs, used, grid, err);
}

void vy_imem_free_bufs(const vy_allocator *alloc, vy_ibuf *bufs, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (bufs[i].cap) vy_mem_free(alloc, bufs[i].data, bufs[i].cap); /* cap 0: borrowed (bind_int.h) */
    bufs[i].data = NULL;
    bufs[i].cap = bufs[i].len = 0;
  }
}

vy_status vy_imem_alloc_workgroup(const vy_program *p, const vy_allocator *alloc, vy_ibuf *bufs, uint64_t *used,
                                  uint64_t max_bytes, vy_error *err) {
  uint32_t n = vy_program_buffer_count(p);
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (!bufs[i].workgroup) continue;
    const vy_buffer_decl *d = bufs[i].decl;
    total += (uint64_t)d->count * bufs[i].stride;
    if (total > MAX_WORKGROUP_BYTES)
      return vy_error_set(err, VY_E_RUNTIME,
                          "workgroup memory requires %llu bytes, exceeding the %llu-byte reference budget. Fix: reduce "
                          "workgroup buffer counts",
                          (unsigned long long)total, (unsigned long long)MAX_WORKGROUP_BYTES);
  }
  for (uint32_t i = 0; i < n; i++) {
    if (!bufs[i].workgroup) continue;
    vy_status st =
        vy_bind_alloc(alloc, &bufs[i], (size_t)bufs[i].decl->count * bufs[i].stride, true, used, max_bytes, err);
    if (st != VY_OK) return st;
    bufs[i].elems = (uint32_t)vy_imem_elem_count(&bufs[i]);
    bufs[i].has_elems = true;
  }
  return VY_OK;
}

void vy_imem_zero_workgroup(vy_ibuf *bufs, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (bufs[i].workgroup && bufs[i].len) memset(bufs[i].data, 0, bufs[i].len);
}

vy_status vy_imem_collect_outputs(const vy_allocator *alloc, vy_ibuf *bufs, uint32_t n, vy_interp_outputs *out,
                                  vy_error *err) {
  size_t count = 0;
  for (uint32_t i = 0; i < n; i++) count += bufs[i].is_output;
  out->alloc = alloc;
  out->count = 0;
  out->items = count ? vy_mem_calloc(alloc, count, sizeof *out->items) : NULL;
  if (count && !out->items) return vy_error_nomem(err);
  for (uint32_t i = 0; i < n; i++) {
    vy_ibuf *b = &bufs[i];
    if (!b->is_output) continue;
    const vy_buffer_decl *d = b->decl;
    vy_bytes *o = &out->items[out->count];
    o->alloc = alloc;
    if (d->has_output_range && d->range_start <= d->range_end && d->range_end <= b->len) {
      size_t len = (size_t)(d->range_end - d->range_start);
      o->data = vy_mem_alloc(alloc, len + 1);
      if (!o->data) return vy_error_nomem(err);
      memcpy(o->data, b->data + d->range_start, len);
      o->data[len] = 0;
      o->len = len;
      o->cap = len + 1;
    } else {
      /* hand the buffer over without copying */
      o->data = b->data;
      o->len = b->len;
      o->cap = b->cap;
      b->data = NULL;
      b->cap = b->len = 0;
    }
    out->count++;
  }
  return VY_OK;
}
