/* interp_value.c - runtime values of the reference interpreter: truthiness,
 * conversions and byte views (vyre-ir.md §3.1; vyre-reference value.rs). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "interp_int.h"

bool vy_imsg_set(vy_imsg *msg, const char *fmt, ...) {
  if (msg) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg->text, sizeof msg->text, fmt, ap);
    va_end(ap);
  }
  return false;
}

uint32_t vy_f32_bits(float x) {
  uint32_t b;
  memcpy(&b, &x, 4);
  return b;
}

float vy_f32_from_bits(uint32_t b) {
  float x;
  memcpy(&x, &b, 4);
  return x;
}

float vy_f32_canon(float x) {
  uint32_t b = vy_f32_bits(x);
  uint32_t exp = (b >> 23) & 0xFFu, man = b & 0x7FFFFFu;
  if (exp == 0xFFu && man != 0) return vy_f32_from_bits(0x7FC00000u);
  if (exp == 0 && man != 0) return vy_f32_from_bits(b & 0x80000000u);
  return x;
}

vy_ival vy_iv_bytes(const uint8_t *p, size_t len) {
  vy_ival v = {.kind = VY_IV_BYTES, .len = (uint32_t)len};
  if (len <= VY_IVAL_INLINE) {
    if (len && p) memcpy(v.v.inl, p, len);
  } else {
    v.v.ptr = p;
  }
  return v;
}

uint8_t vy_iv_byte_at(const vy_ival *v, size_t i) {
  if (v->len <= VY_IVAL_INLINE) return v->v.inl[i];
  return v->v.ptr ? v->v.ptr[i] : 0;
}

static void put_le(uint8_t *tmp, uint64_t x, size_t n) {
  for (size_t i = 0; i < n; i++) tmp[i] = (uint8_t)(x >> (8 * i));
}

size_t vy_iv_raw(const vy_ival *v, uint8_t *dst, size_t cap) {
  uint8_t tmp[8];
  size_t n;
  switch ((vy_ival_kind)v->kind) {
  case VY_IV_U32: put_le(tmp, v->v.u32, n = 4); break;
  case VY_IV_I32: put_le(tmp, (uint32_t)v->v.i32, n = 4); break;
  case VY_IV_BOOL: put_le(tmp, v->v.b ? 1u : 0u, n = 4); break;
  case VY_IV_U64: put_le(tmp, v->v.u64, n = 8); break;
  case VY_IV_FLOAT: {
    uint64_t bits;
    memcpy(&bits, &v->v.f, 8);
    put_le(tmp, bits, n = 8);
    break;
  }
  case VY_IV_BYTES: {
    size_t m = v->len < cap ? v->len : cap;
    if (v->len <= VY_IVAL_INLINE)
      memcpy(dst, v->v.inl, m);
    else if (v->v.ptr)
      memcpy(dst, v->v.ptr, m);
    else
      memset(dst, 0, m);
    return v->len;
  }
  default: return 0;
  }
  memcpy(dst, tmp, n < cap ? n : cap);
  return n;
}

void vy_iv_write_width(const vy_ival *v, uint8_t *dst, size_t width) {
  size_t n = vy_iv_raw(v, dst, width);
  if (n < width) memset(dst + n, 0, width - n);
}

static uint64_t le_prefix(const vy_ival *v, size_t max) {
  uint64_t x = 0;
  size_t n = v->len < max ? v->len : max;
  for (size_t i = 0; i < n; i++) x |= (uint64_t)vy_iv_byte_at(v, i) << (8 * i);
  return x;
}

bool vy_iv_as_u32(const vy_ival *v, uint32_t *out) {
  switch ((vy_ival_kind)v->kind) {
  case VY_IV_U32: *out = v->v.u32; return true;
  case VY_IV_I32:
    if (v->v.i32 < 0) return false;
    *out = (uint32_t)v->v.i32;
    return true;
  case VY_IV_U64:
    if (v->v.u64 > UINT32_MAX) return false;
    *out = (uint32_t)v->v.u64;
    return true;
  case VY_IV_BOOL: *out = v->v.b ? 1u : 0u; return true;
  case VY_IV_BYTES:
    if (v->len > 4) return false;
    *out = (uint32_t)le_prefix(v, 4);
    return true;
  case VY_IV_FLOAT:
    if (!isfinite(v->v.f) || !(v->v.f >= 0.0) || v->v.f > 4294967295.0) return false;
    *out = (uint32_t)v->v.f;
    return true;
  }
  return false;
}

bool vy_iv_as_u64(const vy_ival *v, uint64_t *out) {
  switch ((vy_ival_kind)v->kind) {
  case VY_IV_U32: *out = v->v.u32; return true;
  case VY_IV_I32:
    if (v->v.i32 < 0) return false;
    *out = (uint64_t)v->v.i32;
    return true;
  case VY_IV_U64: *out = v->v.u64; return true;
  case VY_IV_BOOL: *out = v->v.b ? 1u : 0u; return true;
  case VY_IV_BYTES:
    if (v->len > 8) return false;
    *out = le_prefix(v, 8);
    return true;
  case VY_IV_FLOAT:
    if (!isfinite(v->v.f) || !(v->v.f >= 0.0) || v->v.f >= 18446744073709551616.0) return false;
    *out = (uint64_t)v->v.f;
    return true;
  }
  return false;
}

bool vy_iv_as_f32(const vy_ival *v, float *out) {
  if (v->kind == VY_IV_FLOAT) {
    *out = (float)v->v.f;
    return true;
  }
  if (v->kind == VY_IV_U32) {
    *out = vy_f32_from_bits(v->v.u32);
    return true;
  }
  return false;
}

bool vy_iv_truthy(const vy_ival *v) {
  if (v->kind == VY_IV_FLOAT) return v->v.f != 0.0;
  uint32_t x;
  if (!vy_iv_as_u32(v, &x)) return true;
  return x != 0;
}

void vy_iv_describe(const vy_ival *v, char *buf, size_t cap) {
  switch ((vy_ival_kind)v->kind) {
  case VY_IV_U32: snprintf(buf, cap, "u32 %u", v->v.u32); return;
  case VY_IV_I32: snprintf(buf, cap, "i32 %d", v->v.i32); return;
  case VY_IV_U64: snprintf(buf, cap, "u64 %llu", (unsigned long long)v->v.u64); return;
  case VY_IV_BOOL: snprintf(buf, cap, "bool %s", v->v.b ? "true" : "false"); return;
  case VY_IV_FLOAT: snprintf(buf, cap, "float %.9g", v->v.f); return;
  case VY_IV_BYTES: snprintf(buf, cap, "bytes[%u]", v->len); return;
  }
  snprintf(buf, cap, "?");
}
