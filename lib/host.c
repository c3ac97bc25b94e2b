/* host.c - the host-op registry and calls through libffi (host.h). */
#include <ffi.h>
#include <stdio.h>
#include <string.h>

#include "error_int.h"
#include "interp_int.h"
#include "validate_int.h"

struct vy_host_entry {
  char *id;
  size_t id_len;
  vy_host_signature sig;
  vy_type_kind *params; /* sig.params, owned */
  ffi_type **ffi_args;  /* nparams entries, owned */
  vy_str *spell;        /* nparams type spellings for the validator, owned */
  ffi_cif cif;
  vy_host_fn fn;
};

struct vy_host_registry {
  vy_allocator alloc_copy;
  const vy_allocator *alloc;
  vy_host_entry **items;
  size_t count, cap;
};

const char *vy_host_type_name(vy_type_kind k) {
  switch (k) {
  case VY_TYPE_U32: return "u32";
  case VY_TYPE_I32: return "i32";
  case VY_TYPE_U64: return "u64";
  case VY_TYPE_I64: return "i64";
  case VY_TYPE_F32: return "f32";
  case VY_TYPE_F64: return "f64";
  case VY_TYPE_BOOL: return "bool";
  case VY_TYPE_U8: return "u8";
  case VY_TYPE_I8: return "i8";
  default: return NULL;
  }
}

static ffi_type *ffi_of(vy_type_kind k) {
  switch (k) {
  case VY_TYPE_U32: return &ffi_type_uint32;
  case VY_TYPE_I32: return &ffi_type_sint32;
  case VY_TYPE_U64: return &ffi_type_uint64;
  case VY_TYPE_I64: return &ffi_type_sint64;
  case VY_TYPE_F32: return &ffi_type_float;
  case VY_TYPE_F64: return &ffi_type_double;
  case VY_TYPE_BOOL:
  case VY_TYPE_U8: return &ffi_type_uint8;
  case VY_TYPE_I8: return &ffi_type_sint8;
  default: return NULL;
  }
}

/* Byte width of a host type (its C size). */
static size_t width_of(vy_type_kind k) {
  switch (k) {
  case VY_TYPE_U64:
  case VY_TYPE_I64:
  case VY_TYPE_F64: return 8;
  case VY_TYPE_BOOL:
  case VY_TYPE_U8:
  case VY_TYPE_I8: return 1;
  default: return 4;
  }
}

vy_status vy_host_registry_create(const vy_allocator *alloc, vy_host_registry **out, vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_host_registry_create: out is NULL. Fix: pass a pointer");
  *out = NULL;
  vy_host_registry *r = vy_mem_calloc(alloc, 1, sizeof *r);
  if (!r) return vy_error_nomem(err);
  if (alloc) {
    r->alloc_copy = *alloc;
    r->alloc = &r->alloc_copy;
  }
  *out = r;
  return VY_OK;
}

static void entry_free(const vy_allocator *a, vy_host_entry *e) {
  if (!e) return;
  vy_mem_free(a, e->id, e->id_len + 1);
  vy_mem_free(a, e->params, e->sig.nparams * sizeof *e->params);
  vy_mem_free(a, e->ffi_args, e->sig.nparams * sizeof *e->ffi_args);
  vy_mem_free(a, e->spell, e->sig.nparams * sizeof *e->spell);
  vy_mem_free(a, e, sizeof *e);
}

void vy_host_registry_destroy(vy_host_registry *r) {
  if (!r) return;
  for (size_t i = 0; i < r->count; i++) entry_free(r->alloc, r->items[i]);
  vy_mem_free(r->alloc, r->items, r->cap * sizeof *r->items);
  vy_mem_free(r->alloc, r, sizeof *r);
}

uint32_t vy_host_find(const vy_host_registry *r, const char *id, size_t len) {
  if (!r) return VY_IX_NONE;
  for (size_t i = 0; i < r->count; i++)
    if (r->items[i]->id_len == len && memcmp(r->items[i]->id, id, len) == 0) return (uint32_t)i;
  return VY_IX_NONE;
}

bool vy_host_registry_lookup(const vy_host_registry *r, const char *op_id, size_t len, vy_host_signature *sig) {
  uint32_t i = vy_host_find(r, op_id, len);
  if (i == VY_IX_NONE) return false;
  if (sig) *sig = r->items[i]->sig;
  return true;
}

size_t vy_host_registry_count(const vy_host_registry *r) { return r ? r->count : 0; }

/* The validator's Call lookup (validate_int.h): the registered op's input
 * type spellings. Allocates nothing; thread-safe once registration is done. */
bool vy_host_registry_signature(const struct vy_host_registry *reg, vy_str op_id, vy_op_signature *out) {
  uint32_t i = vy_host_find(reg, op_id.ptr, op_id.len);
  if (i == VY_IX_NONE) return false;
  out->ninputs = reg->items[i]->sig.nparams;
  out->input_types = reg->items[i]->spell;
  out->input_names = NULL;
  return true;
}

const vy_host_signature *vy_host_sig_at(const vy_host_registry *r, uint32_t i) { return &r->items[i]->sig; }

vy_status vy_host_register_typed(vy_host_registry *r, const char *op_id, const vy_host_signature *sig, vy_host_fn fn,
                                 vy_error *err) {
  if (!r || !op_id || !*op_id || !sig || !fn)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_host_register: registry, op id, signature and function must be non-NULL and the id "
                        "non-empty. Fix: pass all four");
  if (sig->nparams > VY_HOST_MAX_PARAMS || (sig->nparams && !sig->params))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "host op `%s` declares %u parameters (at most %u, with a parameter array). Fix: pass fewer "
                        "parameters, e.g. pack them in a buffer",
                        op_id, sig->nparams, VY_HOST_MAX_PARAMS);
  for (uint32_t i = 0; i < sig->nparams; i++)
    if (!vy_host_type_name(sig->params[i]))
      return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                          "host op `%s` parameter %u has type %s, which host calls do not support. Fix: use one of "
                          "u32 i32 u64 i64 f32 f64 bool u8 i8",
                          op_id, i, vy_type_kind_name(sig->params[i]));
  if (sig->has_result && !vy_host_type_name(sig->result))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "host op `%s` result type %s is not supported. Fix: use void or one of u32 i32 u64 i64 f32 "
                        "f64 bool u8 i8",
                        op_id, vy_type_kind_name(sig->result));
  size_t len = strlen(op_id);
  if (vy_host_find(r, op_id, len) != VY_IX_NONE)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "host op `%s` is already registered. Fix: register each id once",
                        op_id);
  if (r->count == r->cap) {
    size_t ncap = r->cap ? r->cap * 2 : 8;
    vy_host_entry **items = vy_mem_realloc(r->alloc, r->items, r->cap * sizeof *items, ncap * sizeof *items);
    if (!items) return vy_error_nomem(err);
    r->items = items;
    r->cap = ncap;
  }
  vy_host_entry *e = vy_mem_calloc(r->alloc, 1, sizeof *e);
  if (!e) return vy_error_nomem(err);
  e->sig.nparams = sig->nparams;
  e->id = vy_mem_alloc(r->alloc, len + 1);
  e->id_len = len;
  if (sig->nparams) {
    e->params = vy_mem_alloc(r->alloc, sig->nparams * sizeof *e->params);
    e->ffi_args = vy_mem_alloc(r->alloc, sig->nparams * sizeof *e->ffi_args);
    e->spell = vy_mem_alloc(r->alloc, sig->nparams * sizeof *e->spell);
  }
  if (!e->id || (sig->nparams && (!e->params || !e->ffi_args || !e->spell))) {
    entry_free(r->alloc, e);
    return vy_error_nomem(err);
  }
  memcpy(e->id, op_id, len + 1);
  for (uint32_t i = 0; i < sig->nparams; i++) {
    e->params[i] = sig->params[i];
    e->ffi_args[i] = ffi_of(sig->params[i]);
    e->spell[i].ptr = vy_host_type_name(sig->params[i]);
    e->spell[i].len = (uint32_t)strlen(e->spell[i].ptr);
  }
  e->sig.params = e->params;
  e->sig.has_result = sig->has_result;
  e->sig.result = sig->result;
  e->fn = fn;
  if (ffi_prep_cif(&e->cif, FFI_DEFAULT_ABI, sig->nparams, sig->has_result ? ffi_of(sig->result) : &ffi_type_void,
                   e->ffi_args) != FFI_OK) {
    entry_free(r->alloc, e);
    return vy_error_set(err, VY_E_INTERNAL, "libffi rejected the signature of host op `%s`. Fix: please report", op_id);
  }
  r->items[r->count++] = e;
  return VY_OK;
}

static const char *skip_ws(const char *s) {
  while (*s == ' ' || *s == '\t') s++;
  return s;
}

/* Parses one type name at *s; advances *s. */
static bool parse_type(const char **s, vy_type_kind *out, bool *is_void) {
  static const vy_type_kind kinds[] = {VY_TYPE_U32, VY_TYPE_I32, VY_TYPE_U64, VY_TYPE_I64, VY_TYPE_F32,
                                       VY_TYPE_F64, VY_TYPE_BOOL, VY_TYPE_U8,  VY_TYPE_I8};
  const char *p = skip_ws(*s), *q = p;
  while ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9')) q++;
  size_t n = (size_t)(q - p);
  *is_void = n == 4 && memcmp(p, "void", 4) == 0;
  if (*is_void) {
    *s = q;
    return true;
  }
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
    const char *name = vy_host_type_name(kinds[i]);
    if (strlen(name) == n && memcmp(p, name, n) == 0) {
      *out = kinds[i];
      *s = q;
      return true;
    }
  }
  return false;
}

vy_status vy_host_register(vy_host_registry *r, const char *op_id, const char *signature, vy_host_fn fn,
                           vy_error *err) {
  if (!signature)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_host_register: signature is NULL. Fix: pass e.g. \"u32(u32)\"");
  vy_type_kind params[VY_HOST_MAX_PARAMS];
  vy_host_signature sig = {0};
  const char *s = signature;
  bool is_void = false;
  if (!parse_type(&s, &sig.result, &is_void)) goto bad;
  sig.has_result = !is_void;
  s = skip_ws(s);
  if (*s++ != '(') goto bad;
  s = skip_ws(s);
  if (*s != ')') {
    for (;;) {
      vy_type_kind k;
      if (!parse_type(&s, &k, &is_void) || is_void) goto bad;
      if (sig.nparams == VY_HOST_MAX_PARAMS) goto bad;
      params[sig.nparams++] = k;
      s = skip_ws(s);
      if (*s == ',') {
        s++;
        continue;
      }
      break;
    }
  }
  if (*s++ != ')' || *skip_ws(s) != 0) goto bad;
  sig.params = params;
  return vy_host_register_typed(r, op_id, &sig, fn, err);
bad:
  return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                      "host op `%s`: cannot parse signature \"%s\". Fix: write RESULT(PARAM, ...) with the types void "
                      "u32 i32 u64 i64 f32 f64 bool u8 i8, at most %u parameters",
                      op_id ? op_id : "(null)", signature, VY_HOST_MAX_PARAMS);
}

vy_host_fn vy_host_fn_at(const vy_host_registry *r, uint32_t i) { return r->items[i]->fn; }

void vy_host_call(const vy_host_registry *r, uint32_t i, const vy_ival *args, vy_ival *out) {
  const vy_host_entry *e = r->items[i];
  union slot {
    uint8_t b[8];
    uint8_t u8;
    uint32_t u32;
    uint64_t u64;
    float f32;
    double f64;
  } slots[VY_HOST_MAX_PARAMS];
  void *ptrs[VY_HOST_MAX_PARAMS];
  for (uint32_t k = 0; k < e->sig.nparams; k++) {
    vy_type_kind t = e->params[k];
    memset(&slots[k], 0, sizeof slots[k]);
    if (t == VY_TYPE_F32 && args[k].kind == VY_IV_FLOAT)
      slots[k].f32 = (float)args[k].v.f;
    else if (t == VY_TYPE_F64 && args[k].kind == VY_IV_FLOAT)
      slots[k].f64 = args[k].v.f;
    else {
      uint8_t tmp[8];
      size_t w = width_of(t);
      vy_iv_write_width(&args[k], tmp, w);
      /* little-endian host: the low bytes of the slot are the value */
      memcpy(slots[k].b, tmp, w);
    }
    ptrs[k] = &slots[k];
  }
  union {
    ffi_arg a;
    float f32;
    double f64;
    uint64_t u64;
  } rv;
  memset(&rv, 0, sizeof rv);
  ffi_call((ffi_cif *)&e->cif, e->fn, &rv, e->sig.nparams ? ptrs : NULL);
  if (!e->sig.has_result) {
    *out = vy_iv_bytes(NULL, 0);
    return;
  }
  uint8_t tmp[8];
  switch (e->sig.result) {
  case VY_TYPE_U32: *out = vy_iv_u32((uint32_t)rv.a); return;
  case VY_TYPE_I32: *out = vy_iv_i32((int32_t)(uint32_t)rv.a); return;
  case VY_TYPE_F32: *out = vy_iv_float((double)vy_f32_canon(rv.f32)); return;
  case VY_TYPE_F64: memcpy(tmp, &rv.f64, 8); *out = vy_iv_bytes(tmp, 8); return;
  case VY_TYPE_U64:
  case VY_TYPE_I64:
    for (int k = 0; k < 8; k++) tmp[k] = (uint8_t)(rv.u64 >> (8 * k));
    *out = vy_iv_bytes(tmp, 8);
    return;
  default: /* bool, u8, i8: one byte, widened to ffi_arg by libffi */
    tmp[0] = (uint8_t)rv.a;
    *out = vy_iv_bytes(tmp, 1);
    return;
  }
}
