/* wire_read.c - the wire decoder (vyre-ir.md §7), with vyre's limits and
 * check order (F/serial/wire.rs, W/decode/from_wire.rs, impl_reader.rs,
 * framing/impl_reader.rs, output_set.rs, invariants.rs).
 *
 * The reader walks the blob with absolute offsets, so every error names the
 * byte where the problem is. Length-prefixed sections (record payloads,
 * metadata, shape and hints payloads) narrow `end` while they are read and
 * must be consumed exactly. Every count is checked against vyre's limit and
 * against the bytes that remain before anything is allocated for it, so a
 * blob never makes the decoder allocate more than a small multiple of its
 * length. Recursion is bounded: nodes and expressions by the shared depth
 * limit of 64, DataTypes by VY_WIRE_MAX_TYPE_DEPTH.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "blake3_int.h"
#include "error_int.h"
#include "vyre/wire.h"
#include "utf8_int.h"
#include "wire_int.h"

#define TRY(x)                            \
  do {                                    \
    vy_status try_st_ = (x);              \
    if (try_st_ != VY_OK) return try_st_; \
  } while (0)

/* Longest name quoted in an error message. */
#define QUOTE_MAX 64

typedef struct rd {
  const uint8_t *data; /* the whole blob */
  size_t pos;          /* absolute offset of the next byte */
  size_t end;          /* absolute end of the section being read */
  const char *section; /* its name, for truncation messages */
  unsigned depth;      /* node/expr nesting of the current record (§7.10) */
  vy_program *p;       /* the program being built (arena owner) */
  vy_error *err;
} rd;

static vy_status fail_code(rd *r, vy_status code, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static vy_status fail_code(rd *r, vy_status code, size_t off, const char *fmt, ...) {
  char msg[VY_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return vy_error_set_offset(r->err, code, off, "wire blob, byte offset %zu: %s", off, msg);
}

#define fail(r, off, ...) fail_code((r), VY_E_DECODE, (off), __VA_ARGS__)

static size_t left(const rd *r) { return r->end - r->pos; }

static vy_status truncated(rd *r, const char *what, size_t n) {
  return fail(r, r->pos,
              "expected %s (%zu byte%s), but the %s ends %zu byte%s later. Fix: provide the complete blob; it was cut "
              "short or a length field before this point is wrong",
              what, n, n == 1 ? "" : "s", r->section, left(r), left(r) == 1 ? "" : "s");
}

/* A count read at `at` promises more elements than the bytes left can hold
 * (every element takes at least `min` bytes): refused before allocating. */
static vy_status overcount(rd *r, size_t at, const char *what, uint64_t n, unsigned min) {
  return fail(r, at,
              "%llu %s need at least %llu bytes, but the %s has %zu left. Fix: provide the complete blob; it was cut "
              "short or this count is wrong",
              (unsigned long long)n, what, (unsigned long long)n * min, r->section, left(r));
}

static vy_status take(rd *r, size_t n, const char *what, const uint8_t **out) {
  *out = r->data + r->pos; /* defined on every path */
  if (left(r) < n) return truncated(r, what, n);
  *out = r->data + r->pos;
  r->pos += n;
  return VY_OK;
}

static vy_status rd_u8(rd *r, const char *what, uint8_t *v) {
  const uint8_t *b;
  *v = 0;
  TRY(take(r, 1, what, &b));
  *v = b[0];
  return VY_OK;
}

static vy_status rd_u32(rd *r, const char *what, uint32_t *v) {
  const uint8_t *b;
  *v = 0;
  TRY(take(r, 4, what, &b));
  *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  return VY_OK;
}

static vy_status rd_u64(rd *r, const char *what, uint64_t *v) {
  const uint8_t *b;
  *v = 0;
  TRY(take(r, 8, what, &b));
  for (int i = 7; i >= 0; i--) *v = *v << 8 | b[i];
  return VY_OK;
}

/* Unsigned LEB128: at most 10 bytes, the 10th at most 1; non-minimal forms
 * are accepted (from_wire.rs::leb_u64). */
static vy_status rd_leb(rd *r, const char *what, uint64_t *v) {
  size_t at = r->pos;
  uint64_t result = 0;
  *v = 0;
  for (unsigned i = 0;; i++) {
    uint8_t b;
    if (left(r) == 0)
      return fail(r, r->pos,
                  "expected LEB128 %s (started at byte %zu), but the %s ends. Fix: provide the complete blob; it was "
                  "cut short or a length field before this point is wrong",
                  what, at, r->section);
    b = r->data[r->pos++];
    if (i == 9 && b > 1)
      return fail(r, at,
                  "LEB128 %s does not fit u64 (its 10th byte is 0x%02x; at most 0x01 is allowed). Fix: reject this "
                  "malformed blob",
                  what, b);
    result |= (uint64_t)(b & 0x7F) << (7 * i);
    if (!(b & 0x80)) break;
  }
  *v = result;
  return VY_OK;
}

static vy_status rd_leb_u32(rd *r, const char *what, uint32_t *v) {
  size_t at = r->pos;
  uint64_t x;
  *v = 0;
  TRY(rd_leb(r, what, &x));
  if (x > UINT32_MAX)
    return fail(r, at, "LEB128 %s is %llu, which does not fit u32. Fix: reject this malformed blob", what,
                (unsigned long long)x);
  *v = (uint32_t)x;
  return VY_OK;
}

/* A LEB length or count checked against vyre's limit for it. */
static vy_status rd_leb_len(rd *r, const char *what, uint64_t max, uint64_t *v) {
  size_t at = r->pos;
  TRY(rd_leb(r, what, v));
  if (*v > max)
    return fail(r, at, "%s is %llu, over the wire limit of %llu. Fix: split the program or reject this blob", what,
                (unsigned long long)*v, (unsigned long long)max);
  return VY_OK;
}

static vy_status check_utf8(rd *r, const uint8_t *s, size_t n, const char *what) {
  size_t bad = vy_utf8_error_at(s, n);
  if (bad == n) return VY_OK;
  return fail(r, (size_t)(s - r->data) + bad,
              "%s is not valid UTF-8 (bad byte 0x%02x at index %zu of %zu). Fix: serialize strings as valid UTF-8",
              what, s[bad], bad, n);
}

/* put_string's form: u32 length (<= 1 MiB) + UTF-8 bytes; copied into the
 * program arena. */
static vy_status rd_str(rd *r, const char *what, vy_str *out) {
  size_t at = r->pos;
  uint32_t len;
  const uint8_t *bytes;
  TRY(rd_u32(r, what, &len));
  if (len > VY_WIRE_MAX_STRING)
    return fail(r, at, "the length of %s is %u, over the wire limit of %zu bytes. Fix: reject this blob", what, len,
                VY_WIRE_MAX_STRING);
  TRY(take(r, len, what, &bytes));
  TRY(check_utf8(r, bytes, len, what));
  if (!vy_str_make(r->p, (const char *)bytes, len, out)) return vy_error_nomem(r->err);
  return VY_OK;
}

/* An opaque payload: u32 length (<= 4 MiB) + bytes, left in the blob. */
static vy_status rd_payload(rd *r, const char *what, uint32_t *len, const uint8_t **bytes) {
  size_t at = r->pos;
  TRY(rd_u32(r, what, len));
  if (*len > VY_WIRE_MAX_OPAQUE)
    return fail(r, at, "the length of %s is %u, over the wire limit of %zu bytes. Fix: reject this blob", what, *len,
                VY_WIRE_MAX_OPAQUE);
  return take(r, *len, what, bytes);
}

static const uint8_t *arena_copy(rd *r, const uint8_t *src, size_t n) {
  uint8_t *d = vy_arena_alloc(&r->p->arena, n ? n : 1);
  if (d && n) memcpy(d, src, n);
  return d;
}

/* Narrowing to a length-prefixed section; `leave` requires it consumed. */
typedef struct section {
  size_t end;
  const char *name;
} section;

static vy_status enter(rd *r, size_t len, const char *name, const char *what, section *saved) {
  saved->end = r->end;
  saved->name = r->section;
  if (left(r) < len) return truncated(r, what, len);
  saved->end = r->end;
  saved->name = r->section;
  r->end = r->pos + len;
  r->section = name;
  return VY_OK;
}

static vy_status leave(rd *r, const section *saved) {
  if (r->pos != r->end)
    return fail(r, r->pos, "%zu unread byte%s at the end of the %s. Fix: reject this non-canonical blob", left(r),
                left(r) == 1 ? "" : "s", r->section);
  r->end = saved->end;
  r->section = saved->name;
  return VY_OK;
}

/* reject_reserved_extension_id: extension ids need bit 31. */
static vy_status ext_id(rd *r, const char *surface, uint32_t *id) {
  size_t at = r->pos;
  TRY(rd_u32(r, "an extension id", id));
  if (*id & 0x80000000u) return VY_OK;
  return fail(r, at,
              "%s extension id 0x%08x collides with core IR (bit 31 is clear). Fix: extension ids must lie in "
              "0x80000000..0xffffffff",
              surface, *id);
}

static vy_status bad_tag(rd *r, size_t at, const char *what, uint8_t tag) {
  return fail(r, at, "0x%02x is not a valid %s. Fix: encode with a vyre 0.4.2-compatible writer (wire format v%u)",
              tag, what, VY_WIRE_VERSION);
}

/* ---- DataType, expression encoding (§7.6) ---- */

static vy_status rd_type(rd *r, vy_type *t, unsigned tdepth);

static vy_status rd_inner_type(rd *r, const vy_type **out, unsigned tdepth) {
  vy_type *t = vy_arena_alloc(&r->p->arena, sizeof *t);
  if (!t) return vy_error_nomem(r->err);
  *out = t;
  return rd_type(r, t, tdepth + 1);
}

/* A u32 count followed by that many u32 values (tensor dims, mesh axes). */
static vy_status rd_u32_array(rd *r, const char *what, uint32_t *n, const uint32_t **out) {
  size_t at = r->pos;
  TRY(rd_u32(r, what, n));
  if (left(r) / 4 < *n) return overcount(r, at, what, *n, 4);
  uint32_t *v = vy_arena_array(&r->p->arena, *n ? *n : 1, sizeof *v);
  if (!v) return vy_error_nomem(r->err);
  for (uint32_t i = 0; i < *n; i++) TRY(rd_u32(r, what, &v[i]));
  *out = v;
  return VY_OK;
}

/* QuantizationScale / QuantizationZeroPoint: u8 tag + u32 parameter. */
static vy_status rd_quant(rd *r, vy_type *t) {
  size_t at = r->pos;
  uint8_t stag, ztag;
  TRY(rd_u8(r, "a quantization scale tag", &stag));
  TRY(rd_u32(r, "a quantization scale parameter", &t->u.quant.scale_param));
  if (!vy_qscale_from_tag(stag, &t->u.quant.scale)) return bad_tag(r, at, "quantization scale tag", stag);
  if ((t->u.quant.scale == VY_QSCALE_PER_TENSOR && t->u.quant.scale_param != 0) ||
      (t->u.quant.scale == VY_QSCALE_PER_GROUP && t->u.quant.scale_param == 0))
    return fail(r, at + 1,
                "quantization scale %s has parameter %u (PerTensor needs 0, PerGroup a group size > 0). Fix: reject "
                "this blob",
                vy_qscale_name(t->u.quant.scale), t->u.quant.scale_param);
  at = r->pos;
  TRY(rd_u8(r, "a quantization zero-point tag", &ztag));
  TRY(rd_u32(r, "a quantization zero-point parameter", &t->u.quant.zero_point_param));
  if (!vy_qzero_from_tag(ztag, &t->u.quant.zero_point)) return bad_tag(r, at, "quantization zero-point tag", ztag);
  vy_qzero z = t->u.quant.zero_point;
  uint32_t zp = t->u.quant.zero_point_param;
  if (((z == VY_QZERO_ABSENT || z == VY_QZERO_PER_TENSOR) && zp != 0) || (z == VY_QZERO_PER_GROUP && zp == 0))
    return fail(r, at + 1,
                "quantization zero point %s has parameter %u (Absent/PerTensor need 0, PerGroup a group size > 0). "
                "Fix: reject this blob",
                vy_qzero_name(z), zp);
  return VY_OK;
}

static vy_status rd_type(rd *r, vy_type *t, unsigned tdepth) {
  size_t at = r->pos;
  if (tdepth >= VY_WIRE_MAX_TYPE_DEPTH)
    return fail(r, at,
                "DataType nested more than %u levels deep (a vyre-jit limit; vyre itself recurses without one). Fix: "
                "reject this blob",
                VY_WIRE_MAX_TYPE_DEPTH);
  uint8_t tag;
  TRY(rd_u8(r, "a DataType tag", &tag));
  if (!vy_type_kind_from_tag(tag, &t->kind)) return bad_tag(r, at, "DataType tag", tag);
  switch (t->kind) {
  case VY_TYPE_ARRAY:
    return rd_u32(r, "an array element size", &t->u.array_element_size);
  case VY_TYPE_HANDLE:
    return rd_u32(r, "a handle type id", &t->u.handle_id);
  case VY_TYPE_OPAQUE:
    return ext_id(r, "DataType", &t->u.opaque_id);
  case VY_TYPE_VEC:
    TRY(rd_inner_type(r, &t->u.vec.element, tdepth));
    return rd_u8(r, "a vector lane count", &t->u.vec.count);
  case VY_TYPE_TENSOR_SHAPED:
    TRY(rd_inner_type(r, &t->u.tensor.element, tdepth));
    return rd_u32_array(r, "tensor dimensions", &t->u.tensor.rank, &t->u.tensor.dims);
  case VY_TYPE_SPARSE_CSR:
  case VY_TYPE_SPARSE_COO:
    return rd_inner_type(r, &t->u.sparse.element, tdepth);
  case VY_TYPE_SPARSE_BSR:
    TRY(rd_inner_type(r, &t->u.bsr.element, tdepth));
    TRY(rd_u32(r, "a BSR block row count", &t->u.bsr.block_rows));
    return rd_u32(r, "a BSR block column count", &t->u.bsr.block_cols);
  case VY_TYPE_DEVICE_MESH:
    return rd_u32_array(r, "device-mesh axes", &t->u.mesh.naxes, &t->u.mesh.axes);
  case VY_TYPE_QUANTIZED: {
    size_t sat = r->pos;
    TRY(rd_inner_type(r, &t->u.quant.storage, tdepth));
    if (!vy_wire_is_quantized_storage(t->u.quant.storage->kind))
      return fail(r, sat,
                  "quantized storage is %s; it must be one of I4/I8/I16/U8/U16/F8E4M3/F8E5M2/FP4/NF4. Fix: reject this "
                  "blob",
                  vy_type_kind_name(t->u.quant.storage->kind));
    return rd_quant(r, t);
  }
  default:
    return VY_OK;
  }
}

/* ---- expressions (§7.5) ---- */

static vy_status rd_expr(rd *r, const vy_expr **out);

static vy_status too_deep(rd *r, const char *what) {
  return fail(r, r->pos,
              "%s nested more than %u levels deep (nodes and expressions count together, from the top-level "
              "record). Fix: flatten the program or reject this blob",
              what, VY_WIRE_MAX_DEPTH);
}

/* An op byte, or 0x80 + an extension id; `from_tag` maps the core ops. */
static vy_status rd_op_tag(rd *r, const char *what, const char *surface, uint8_t *tag, uint32_t *ext) {
  TRY(rd_u8(r, what, tag));
  *ext = 0;
  return *tag == 0x80 ? ext_id(r, surface, ext) : VY_OK;
}

/* The three built-in opaque expression resolvers (wide_literals.rs). */
static vy_status resolve_opaque_expr(rd *r, size_t at, vy_str kind, uint32_t len) {
  static const char *const known[] = {"vyre.literal.u64", "vyre.literal.i64", "vyre.literal.f64"};
  int q = kind.len > QUOTE_MAX ? QUOTE_MAX : (int)kind.len;
  for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
    if (!vy_str_eq_c(kind, known[i], strlen(known[i]))) continue;
    if (len == 8) return VY_OK;
    return fail(r, at, "opaque expression `%s` carries %u payload bytes; it needs exactly 8. Fix: reject this blob",
                known[i], len);
  }
  return fail(r, at,
              "no resolver is registered for opaque expression kind `%.*s` (vyre 0.4.2 builds in only "
              "vyre.literal.u64/i64/f64). Fix: use a core expression or one of those kinds",
              q, kind.ptr);
}

static vy_status rd_args(rd *r, vy_expr *e) {
  size_t at = r->pos;
  uint32_t argc;
  TRY(rd_u32(r, "a call argument count", &argc));
  if (argc > VY_WIRE_MAX_ARGS)
    return fail(r, at, "call argument count %u is over the wire limit of %u. Fix: reject this blob", argc,
                VY_WIRE_MAX_ARGS);
  if (argc > left(r)) return overcount(r, at, "call arguments", argc, 1);
  const vy_expr **args = vy_arena_array(&r->p->arena, argc ? argc : 1, sizeof *args);
  if (!args) return vy_error_nomem(r->err);
  for (uint32_t i = 0; i < argc; i++) TRY(rd_expr(r, &args[i]));
  e->u.call.argc = argc;
  e->u.call.args = args;
  return VY_OK;
}

static vy_status rd_atomic(rd *r, vy_expr *e) {
  size_t at = r->pos;
  uint8_t tag, ord, has_expected;
  TRY(rd_op_tag(r, "an atomic op tag", "AtomicOp", &tag, &e->u.atomic.ext_id));
  if (!vy_atomic_op_from_tag(tag, &e->u.atomic.op)) return bad_tag(r, at, "AtomicOp tag", tag);
  at = r->pos;
  TRY(rd_u8(r, "a memory ordering", &ord));
  if (!vy_ordering_from_tag(ord, &e->u.atomic.ordering)) return bad_tag(r, at, "memory ordering", ord);
  TRY(rd_str(r, "an atomic buffer name", &e->u.atomic.buffer));
  TRY(rd_expr(r, &e->u.atomic.index));
  TRY(rd_u8(r, "the atomic has-expected byte", &has_expected));
  if (has_expected) TRY(rd_expr(r, &e->u.atomic.expected));
  return rd_expr(r, &e->u.atomic.value);
}

static vy_status rd_expr_body(rd *r, vy_expr *e) {
  size_t at;
  uint8_t tag;
  switch (e->kind) {
  case VY_EXPR_LIT_U32:
    return rd_u32(r, "a u32 literal", &e->u.lit_u32);
  case VY_EXPR_LIT_I32: {
    uint32_t v;
    TRY(rd_u32(r, "an i32 literal", &v));
    memcpy(&e->u.lit_i32, &v, 4);
    return VY_OK;
  }
  case VY_EXPR_LIT_BOOL:
    TRY(rd_u8(r, "a bool literal", &tag));
    e->u.lit_bool = tag != 0;
    return VY_OK;
  case VY_EXPR_LIT_F32:
    return rd_u32(r, "f32 literal bits", &e->u.lit_f32_bits);
  case VY_EXPR_VAR:
    return rd_str(r, "a variable name", &e->u.var);
  case VY_EXPR_LOAD:
    TRY(rd_str(r, "a Load buffer name", &e->u.load.buffer));
    return rd_expr(r, &e->u.load.index);
  case VY_EXPR_BUF_LEN:
    return rd_str(r, "a BufLen buffer name", &e->u.buf_len);
  case VY_EXPR_INVOCATION_ID:
  case VY_EXPR_WORKGROUP_ID:
  case VY_EXPR_LOCAL_ID:
    return rd_u8(r, "an axis", &e->u.axis);
  case VY_EXPR_BIN_OP:
    at = r->pos;
    TRY(rd_op_tag(r, "a BinOp tag", "BinOp", &tag, &e->u.bin.ext_id));
    if (!vy_binop_from_tag(tag, &e->u.bin.op)) return bad_tag(r, at, "BinOp tag", tag);
    TRY(rd_expr(r, &e->u.bin.left));
    return rd_expr(r, &e->u.bin.right);
  case VY_EXPR_UN_OP:
    at = r->pos;
    TRY(rd_op_tag(r, "a UnOp tag", "UnOp", &tag, &e->u.un.ext_id));
    if (!vy_unop_from_tag(tag, &e->u.un.op)) return bad_tag(r, at, "UnOp tag", tag);
    return rd_expr(r, &e->u.un.operand);
  case VY_EXPR_CALL:
    TRY(rd_str(r, "a call op id", &e->u.call.op_id));
    return rd_args(r, e);
  case VY_EXPR_SELECT:
    TRY(rd_expr(r, &e->u.select.cond));
    TRY(rd_expr(r, &e->u.select.if_true));
    return rd_expr(r, &e->u.select.if_false);
  case VY_EXPR_CAST:
    TRY(rd_type(r, &e->u.cast.target, 0));
    return rd_expr(r, &e->u.cast.value);
  case VY_EXPR_ATOMIC:
    return rd_atomic(r, e);
  case VY_EXPR_FMA:
    TRY(rd_expr(r, &e->u.fma.a));
    TRY(rd_expr(r, &e->u.fma.b));
    return rd_expr(r, &e->u.fma.c);
  case VY_EXPR_SUBGROUP_ADD:
    return rd_expr(r, &e->u.subgroup_add);
  case VY_EXPR_SUBGROUP_SHUFFLE:
    TRY(rd_expr(r, &e->u.shuffle.value));
    return rd_expr(r, &e->u.shuffle.lane);
  case VY_EXPR_SUBGROUP_BALLOT:
    return rd_expr(r, &e->u.subgroup_ballot);
  case VY_EXPR_SUBGROUP_LOCAL_ID:
  case VY_EXPR_SUBGROUP_SIZE:
    return VY_OK;
  case VY_EXPR_OPAQUE: {
    at = r->pos;
    const uint8_t *payload = NULL;
    TRY(rd_str(r, "an opaque expression kind", &e->u.opaque.kind));
    TRY(rd_payload(r, "an opaque expression payload", &e->u.opaque.len, &payload));
    TRY(resolve_opaque_expr(r, at, e->u.opaque.kind, e->u.opaque.len));
    e->u.opaque.payload = arena_copy(r, payload, e->u.opaque.len);
    return e->u.opaque.payload ? VY_OK : vy_error_nomem(r->err);
  }
  case VY_EXPR_COUNT:
    break;
  }
  return vy_error_set(r->err, VY_E_INTERNAL, "wire decoder: unhandled expression kind. Fix: report this bug");
}

static vy_status rd_expr(rd *r, const vy_expr **out) {
  if (r->depth >= VY_WIRE_MAX_DEPTH) return too_deep(r, "an expression");
  size_t at = r->pos;
  uint8_t tag;
  vy_expr_kind kind;
  TRY(rd_u8(r, "an expression tag", &tag));
  if (!vy_expr_kind_from_tag(tag, &kind)) return bad_tag(r, at, "expression tag", tag);
  vy_expr *e = vy_expr_new(r->p, kind);
  if (!e) return vy_error_nomem(r->err);
  r->depth++;
  vy_status st = rd_expr_body(r, e);
  r->depth--;
  *out = e;
  return st;
}

/* ---- nodes (§7.4) ---- */

static vy_status rd_node(rd *r, const vy_node **out);

/* A u32 count (<= 1,000,000) followed by that many nodes. */
static vy_status rd_nodes(rd *r, vy_node_list *l) {
  size_t at = r->pos;
  uint32_t n;
  TRY(rd_u32(r, "a statement count", &n));
  if (n > VY_WIRE_MAX_NODES)
    return fail(r, at, "statement count %u is over the wire limit of %u. Fix: reject this blob", n,
                VY_WIRE_MAX_NODES);
  if (n > left(r)) return overcount(r, at, "statements", n, 1);
  l->count = n;
  l->items = NULL;
  if (!n) return VY_OK;
  const vy_node **items = vy_arena_array(&r->p->arena, n, sizeof *items);
  if (!items) return vy_error_nomem(r->err);
  for (uint32_t i = 0; i < n; i++) TRY(rd_node(r, &items[i]));
  l->items = items;
  return VY_OK;
}

static vy_status rd_async(rd *r, vy_node *n) {
  TRY(rd_str(r, "an async source name", &n->u.async_copy.source));
  TRY(rd_str(r, "an async destination name", &n->u.async_copy.destination));
  TRY(rd_expr(r, &n->u.async_copy.offset));
  TRY(rd_expr(r, &n->u.async_copy.size));
  return rd_str(r, "an async tag", &n->u.async_copy.tag);
}

static vy_status rd_collective_op(rd *r, vy_collective_op *op) {
  size_t at = r->pos;
  uint8_t tag;
  TRY(rd_u8(r, "a collective op", &tag));
  return vy_collective_op_from_tag(tag, op) ? VY_OK : bad_tag(r, at, "collective op", tag);
}

static vy_status rd_region(rd *r, vy_node *n) {
  TRY(rd_str(r, "a region generator", &n->u.region.generator));
  size_t at = r->pos;
  uint8_t has;
  TRY(rd_u8(r, "the region has-source byte", &has));
  if (has > 1)
    return fail(r, at, "region source presence byte is %u; it must be 0 or 1. Fix: reject this blob", has);
  n->u.region.has_source = has;
  if (has) TRY(rd_str(r, "a region source name", &n->u.region.source));
  return rd_nodes(r, &n->u.region.body);
}

static vy_status rd_node_body(rd *r, vy_node *n) {
  size_t at;
  uint8_t tag;
  switch (n->kind) {
  case VY_NODE_LET:
  case VY_NODE_ASSIGN:
    TRY(rd_str(r, "a variable name", &n->u.let.name));
    return rd_expr(r, &n->u.let.value);
  case VY_NODE_STORE:
    TRY(rd_str(r, "a Store buffer name", &n->u.store.buffer));
    TRY(rd_expr(r, &n->u.store.index));
    return rd_expr(r, &n->u.store.value);
  case VY_NODE_IF:
    TRY(rd_expr(r, &n->u.if_.cond));
    TRY(rd_nodes(r, &n->u.if_.then_body));
    return rd_nodes(r, &n->u.if_.else_body);
  case VY_NODE_LOOP:
    TRY(rd_str(r, "a loop variable name", &n->u.loop.var));
    TRY(rd_expr(r, &n->u.loop.from));
    TRY(rd_expr(r, &n->u.loop.to));
    return rd_nodes(r, &n->u.loop.body);
  case VY_NODE_RETURN:
    return VY_OK;
  case VY_NODE_BLOCK:
    return rd_nodes(r, &n->u.block);
  case VY_NODE_BARRIER:
    at = r->pos;
    TRY(rd_u8(r, "a barrier ordering", &tag));
    return vy_ordering_from_tag(tag, &n->u.barrier) ? VY_OK : bad_tag(r, at, "memory ordering", tag);
  case VY_NODE_INDIRECT_DISPATCH:
    TRY(rd_str(r, "an indirect-dispatch buffer name", &n->u.indirect.count_buffer));
    return rd_u64(r, "an indirect-dispatch count offset", &n->u.indirect.count_offset);
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
    return rd_async(r, n);
  case VY_NODE_ASYNC_WAIT:
  case VY_NODE_RESUME:
    return rd_str(r, "an async tag", &n->u.tag);
  case VY_NODE_REGION:
    return rd_region(r, n);
  case VY_NODE_TRAP:
    TRY(rd_expr(r, &n->u.trap.address));
    return rd_str(r, "a trap tag", &n->u.trap.tag);
  case VY_NODE_ALL_REDUCE:
    TRY(rd_str(r, "a collective buffer name", &n->u.all_reduce.buffer));
    TRY(rd_collective_op(r, &n->u.all_reduce.op));
    return rd_u32(r, "a communication group", &n->u.all_reduce.group);
  case VY_NODE_ALL_GATHER:
    TRY(rd_str(r, "a collective input name", &n->u.all_gather.input));
    TRY(rd_str(r, "a collective output name", &n->u.all_gather.output));
    return rd_u32(r, "a communication group", &n->u.all_gather.group);
  case VY_NODE_REDUCE_SCATTER:
    TRY(rd_str(r, "a collective input name", &n->u.reduce_scatter.input));
    TRY(rd_str(r, "a collective output name", &n->u.reduce_scatter.output));
    TRY(rd_collective_op(r, &n->u.reduce_scatter.op));
    return rd_u32(r, "a communication group", &n->u.reduce_scatter.group);
  case VY_NODE_BROADCAST:
    TRY(rd_str(r, "a collective buffer name", &n->u.broadcast.buffer));
    TRY(rd_u32(r, "a broadcast root", &n->u.broadcast.root));
    return rd_u32(r, "a communication group", &n->u.broadcast.group);
  case VY_NODE_OPAQUE: {
    at = r->pos;
    uint32_t len;
    const uint8_t *payload = NULL;
    TRY(rd_str(r, "an opaque node kind", &n->u.opaque.kind));
    TRY(rd_payload(r, "an opaque node payload", &len, &payload));
    int q = n->u.opaque.kind.len > QUOTE_MAX ? QUOTE_MAX : (int)n->u.opaque.kind.len;
    return fail(r, at,
                "no resolver is registered for opaque node kind `%.*s` (vyre 0.4.2 builds in none). Fix: use core "
                "nodes",
                q, n->u.opaque.kind.ptr);
  }
  case VY_NODE_COUNT:
    break;
  }
  return vy_error_set(r->err, VY_E_INTERNAL, "wire decoder: unhandled statement kind. Fix: report this bug");
}

static vy_status rd_node(rd *r, const vy_node **out) {
  if (r->depth >= VY_WIRE_MAX_DEPTH) return too_deep(r, "a statement");
  size_t at = r->pos;
  uint8_t tag;
  vy_node_kind kind;
  TRY(rd_u8(r, "a statement tag", &tag));
  if (!vy_node_kind_from_tag(tag, &kind)) return bad_tag(r, at, "statement tag", tag);
  vy_node *n = vy_node_new(r->p, kind);
  if (!n) return vy_error_nomem(r->err);
  r->depth++;
  vy_status st = rd_node_body(r, n);
  r->depth--;
  *out = n;
  return st;
}

/* ---- metadata record (§7.3) ---- */

static vy_status rd_hints(rd *r, vy_memory_hints *h) {
  size_t at = r->pos;
  uint8_t tag;
  TRY(rd_u8(r, "a coalesce-axis tag", &tag));
  if (tag > 1) return fail(r, at, "coalesce-axis tag is %u; it must be 0 or 1. Fix: reject this blob", tag);
  h->has_coalesce_axis = tag;
  h->coalesce_axis = 0;
  if (tag) TRY(rd_u8(r, "a coalesce axis", &h->coalesce_axis));
  TRY(rd_u32(r, "a preferred alignment", &h->preferred_alignment));
  at = r->pos;
  TRY(rd_u8(r, "a cache locality", &tag));
  return vy_cache_locality_from_tag(tag, &h->cache_locality) ? VY_OK : bad_tag(r, at, "cache locality", tag);
}

static vy_status rd_flag(rd *r, const char *what, bool *v) {
  size_t at = r->pos;
  uint8_t b;
  TRY(rd_u8(r, what, &b));
  if (b > 1) return fail(r, at, "%s is %u; it must be 0 or 1. Fix: reject this blob", what, b);
  *v = b;
  return VY_OK;
}

static vy_status count_zero(rd *r, size_t at, const vy_buffer_decl *b, const char *role) {
  int q = b->name.len > QUOTE_MAX ? QUOTE_MAX : (int)b->name.len;
  return fail(r, at, "%s buffer `%.*s` has count 0. Fix: %s buffers need a positive element count", role, q,
              b->name.ptr, role);
}

static vy_status rd_meta_buffer(rd *r, vy_buffer_decl *b) {
  TRY(rd_str(r, "a buffer name", &b->name));
  TRY(rd_u32(r, "a buffer binding", &b->binding));
  size_t count_at = r->pos;
  uint8_t flag;
  TRY(rd_u32(r, "a buffer count", &b->count));
  TRY(rd_u8(r, "the is_output byte", &flag));
  b->is_output = flag != 0;
  TRY(rd_u8(r, "the pipeline_live_out byte", &flag));
  b->pipeline_live_out = flag != 0;
  if (b->count == 0 && b->is_output) return count_zero(r, count_at, b, "output");
  if (b->count == 0 && b->pipeline_live_out) return count_zero(r, count_at, b, "live-out");
  size_t at = r->pos;
  TRY(rd_u8(r, "an output-range tag", &flag));
  if (flag > 1) return fail(r, at, "output-range tag is %u; it must be 0 or 1. Fix: reject this blob", flag);
  b->has_output_range = flag;
  if (flag) {
    at = r->pos;
    TRY(rd_leb(r, "an output range start", &b->range_start));
    TRY(rd_leb(r, "an output range end", &b->range_end));
    if (b->range_start > b->range_end)
      return fail(r, at, "output range start %llu exceeds its end %llu. Fix: reject this blob",
                  (unsigned long long)b->range_start, (unsigned long long)b->range_end);
  }
  return rd_hints(r, &b->hints);
}

static vy_status rd_metadata(rd *r) {
  vy_program *p = r->p;
  size_t at = r->pos;
  const uint8_t *marker;
  uint8_t tag;
  TRY(take(r, 9, "the metadata marker \"VYRE-META\"", &marker));
  if (memcmp(marker, VY_WIRE_METADATA_MARKER, 9) != 0)
    return fail(r, at, "the metadata payload does not start with \"VYRE-META\". Fix: reject this blob");
  at = r->pos;
  TRY(rd_u8(r, "the entry-op-id tag", &tag));
  if (tag > 1) return fail(r, at, "entry-op-id tag is %u; it must be 0 or 1. Fix: reject this blob", tag);
  p->has_entry_op_id = tag;
  if (tag) TRY(rd_str(r, "the entry op id", &p->entry_op_id));
  at = r->pos;
  for (int i = 0; i < 3; i++) TRY(rd_u32(r, "a workgroup dimension", &p->workgroup_size[i]));
  for (int i = 0; i < 3; i++)
    if (p->workgroup_size[i] == 0)
      return fail(r, at + 4 * (size_t)i, "workgroup_size[%d] is 0. Fix: reject this blob", i);
  TRY(rd_flag(r, "the non_composable_with_self byte", &p->non_composable_with_self));
  uint64_t n;
  at = r->pos;
  TRY(rd_leb_len(r, "the metadata buffer count", VY_WIRE_MAX_BUFFERS, &n));
  if (n > left(r) / 21) return overcount(r, at, "buffer declarations", n, 21);
  p->nbuffers = (uint32_t)n;
  p->buffers = vy_arena_array(&p->arena, n ? n : 1, sizeof *p->buffers);
  if (!p->buffers) return vy_error_nomem(r->err);
  for (uint32_t i = 0; i < p->nbuffers; i++) TRY(rd_meta_buffer(r, &p->buffers[i]));
  return VY_OK;
}

/* ---- node section (§7.2) ---- */

typedef struct record {
  size_t op_at;
  const uint8_t *op;
  size_t op_len;
  size_t payload_len;
  uint64_t operands;
} record;

/* read_node_record: op id, payload length (payload left unread), operand ids
 * (each must name an earlier record). */
static vy_status rd_record_head(rd *r, record *rec) {
  uint64_t v;
  rec->op_at = r->pos;
  TRY(rd_leb_len(r, "a record op-id length", VY_WIRE_MAX_STRING, &v));
  TRY(take(r, (size_t)v, "a record op id", &rec->op));
  rec->op_len = (size_t)v;
  TRY(check_utf8(r, rec->op, rec->op_len, "a record op id"));
  TRY(rd_leb(r, "a record payload length", &v));
  if (v > left(r)) return truncated(r, "a record payload", v > SIZE_MAX ? SIZE_MAX : (size_t)v);
  rec->payload_len = (size_t)v;
  return VY_OK;
}

static vy_status rd_record_operands(rd *r, uint64_t index, record *rec) {
  TRY(rd_leb_len(r, "a record operand count", VY_WIRE_MAX_NODES, &rec->operands));
  for (uint64_t i = 0; i < rec->operands; i++) {
    size_t at = r->pos;
    uint32_t id;
    TRY(rd_leb_u32(r, "a record operand id", &id));
    if (id >= index)
      return fail(r, at,
                  "record %llu names operand %u, which is not an earlier record. Fix: reject this blob (vyre's "
                  "encoder writes no operands)",
                  (unsigned long long)index, id);
  }
  return VY_OK;
}

static bool op_is(const record *rec, const char *s, size_t len) {
  return rec->op_len == len && (len == 0 || memcmp(rec->op, s, len) == 0);
}

static vy_status rd_metadata_record(rd *r) {
  record rec;
  section saved;
  TRY(rd_record_head(r, &rec));
  size_t payload_at = r->pos;
  r->pos += rec.payload_len;
  TRY(rd_record_operands(r, 0, &rec));
  if (!op_is(&rec, VY_WIRE_METADATA_OP_ID, sizeof VY_WIRE_METADATA_OP_ID - 1)) {
    int q = rec.op_len > QUOTE_MAX ? QUOTE_MAX : (int)rec.op_len;
    return fail(r, rec.op_at, "the first record's op id is `%.*s`; it must be `%s`. Fix: reject this blob", q,
                (const char *)rec.op, VY_WIRE_METADATA_OP_ID);
  }
  size_t after = r->pos;
  r->pos = payload_at;
  TRY(enter(r, rec.payload_len, "metadata record payload", "the metadata payload", &saved));
  TRY(rd_metadata(r));
  TRY(leave(r, &saved));
  r->pos = after;
  return VY_OK;
}

static vy_status rd_entry_record(rd *r, uint64_t index, const vy_node **out) {
  record rec;
  section saved;
  TRY(rd_record_head(r, &rec));
  size_t payload_at = r->pos;
  r->pos += rec.payload_len;
  TRY(rd_record_operands(r, index, &rec));
  if (rec.operands)
    return fail(r, rec.op_at,
                "record %llu carries operand ids, but node records are self-contained. Fix: reject this blob",
                (unsigned long long)index);
  size_t after = r->pos;
  r->pos = payload_at;
  TRY(enter(r, rec.payload_len, "node record payload", "a node record payload", &saved));
  r->depth = 0;
  TRY(rd_node(r, out));
  TRY(leave(r, &saved));
  r->pos = after;
  vy_str actual = vy_node_op_id(*out);
  if (!op_is(&rec, actual.ptr, actual.len)) {
    int q = rec.op_len > QUOTE_MAX ? QUOTE_MAX : (int)rec.op_len;
    int qa = actual.len > QUOTE_MAX ? QUOTE_MAX : (int)actual.len;
    return fail(r, rec.op_at, "record %llu has op id `%.*s` but its payload is a `%.*s` node. Fix: reject this blob",
                (unsigned long long)index, q, (const char *)rec.op, qa, actual.ptr);
  }
  return VY_OK;
}

static vy_status rd_node_section(rd *r) {
  size_t at = r->pos;
  uint64_t count;
  TRY(rd_leb_len(r, "the record count", VY_WIRE_MAX_NODES, &count));
  if (count == 0)
    return fail(r, at, "the record count is 0, so the metadata record is missing. Fix: reject this blob");
  TRY(rd_metadata_record(r));
  uint64_t n = count - 1;
  if (n > left(r) / 3) return overcount(r, at, "node records", n, 3);
  r->p->entry.count = (uint32_t)n;
  if (!n) return VY_OK;
  const vy_node **items = vy_arena_array(&r->p->arena, n, sizeof *items);
  if (!items) return vy_error_nomem(r->err);
  for (uint64_t i = 0; i < n; i++) TRY(rd_entry_record(r, i + 1, &items[i]));
  r->p->entry.items = items;
  return VY_OK;
}

/* ---- memory-region section (§7.8) ---- */

static vy_status rd_dense_quant(rd *r, vy_type *t) {
  size_t at = r->pos;
  uint64_t v;
  uint32_t sparam, zparam;
  TRY(rd_leb(r, "a quantized storage tag", &v));
  vy_type_kind sk;
  if (v > 0xFF) return fail(r, at, "quantized storage tag %llu does not fit u8. Fix: reject this blob",
                            (unsigned long long)v);
  if (!vy_type_kind_from_tag((uint8_t)v, &sk) || !vy_type_scalar(sk))
    return bad_tag(r, at, "dense DataType tag", (uint8_t)v);
  if (!vy_wire_is_quantized_storage(sk))
    return fail(r, at,
                "quantized storage is %s; it must be one of I4/I8/I16/U8/U16/F8E4M3/F8E5M2/FP4/NF4. Fix: reject this "
                "blob",
                vy_type_kind_name(sk));
  t->u.quant.storage = vy_type_scalar(sk);
  uint64_t stag, ztag;
  at = r->pos;
  TRY(rd_leb(r, "a quantization scale tag", &stag));
  TRY(rd_leb_u32(r, "a quantization scale parameter", &sparam));
  if (stag > 2 || !vy_qscale_from_tag((uint8_t)stag, &t->u.quant.scale))
    return fail(r, at, "quantization scale tag %llu is unknown. Fix: reject this blob", (unsigned long long)stag);
  if ((stag == 0 && sparam != 0) || (stag == 2 && sparam == 0))
    return fail(r, at, "quantization scale %s has parameter %u. Fix: reject this blob",
                vy_qscale_name(t->u.quant.scale), sparam);
  t->u.quant.scale_param = sparam;
  at = r->pos;
  TRY(rd_leb(r, "a quantization zero-point tag", &ztag));
  TRY(rd_leb_u32(r, "a quantization zero-point parameter", &zparam));
  if (ztag > 3 || !vy_qzero_from_tag((uint8_t)ztag, &t->u.quant.zero_point))
    return fail(r, at, "quantization zero-point tag %llu is unknown. Fix: reject this blob", (unsigned long long)ztag);
  if ((ztag <= 1 && zparam != 0) || (ztag == 3 && zparam == 0))
    return fail(r, at, "quantization zero point %s has parameter %u. Fix: reject this blob",
                vy_qzero_name(t->u.quant.zero_point), zparam);
  t->u.quant.zero_point_param = zparam;
  return VY_OK;
}

/* The dense element and its shape payload: LEB count, then the element's
 * LEB parameters. */
static vy_status rd_dense_shape(rd *r, uint8_t tag, size_t tag_at, vy_type *t, uint32_t *count) {
  size_t at = r->pos;
  uint64_t v;
  *count = 0;
  TRY(rd_leb(r, "a dense shape count", &v));
  if (v > UINT32_MAX)
    return fail(r, at, "dense shape count %llu does not fit u32. Fix: reject this blob", (unsigned long long)v);
  *count = (uint32_t)v;
  at = r->pos;
  switch (tag) {
  case 0x08:
    TRY(rd_leb(r, "an array element size", &v));
    if (v > UINT32_MAX)
      return fail(r, at,
                  "array element size %llu does not fit u32 (vyre reads it as usize; vyre-jit's model holds u32). "
                  "Fix: use element sizes below 2^32",
                  (unsigned long long)v);
    t->kind = VY_TYPE_ARRAY;
    t->u.array_element_size = (uint32_t)v;
    return VY_OK;
  case 0x13:
    t->kind = VY_TYPE_HANDLE;
    return rd_leb_u32(r, "a handle type id", &t->u.handle_id);
  case 0x80:
    t->kind = VY_TYPE_OPAQUE;
    TRY(rd_leb_u32(r, "an opaque DataType id", &t->u.opaque_id));
    if (t->u.opaque_id & 0x80000000u) return VY_OK;
    return fail(r, at,
                "DataType extension id 0x%08x collides with core IR (bit 31 is clear). Fix: extension ids must lie in "
                "0x80000000..0xffffffff",
                t->u.opaque_id);
  case 0x1F:
    t->kind = VY_TYPE_QUANTIZED;
    return rd_dense_quant(r, t);
  default: {
    vy_type_kind k;
    /* the payload-free kinds only: 0x01-0x07, 0x09-0x12, 0x19-0x1D */
    if (!vy_type_kind_from_tag(tag, &k) || !vy_type_scalar(k))
      return fail(r, tag_at,
                  "0x%02x is not a dense memory-region element tag (Vec, TensorShaped, sparse and DeviceMesh "
                  "elements cannot be decoded). Fix: use a scalar, array, handle, quantized or opaque element",
                  tag);
    t->kind = k;
    return VY_OK;
  }
  }
}

/* validate_output_range_fits: the decoder checks the range against
 * count x size_bytes even when count is 0. */
static vy_status check_range_fits(rd *r, size_t at, const vy_buffer_decl *b) {
  if (!b->has_output_range) return VY_OK;
  int q = b->name.len > QUOTE_MAX ? QUOTE_MAX : (int)b->name.len;
  uint64_t size;
  if (!vy_wire_type_size(&b->element, &size))
    return fail(r, at,
                "buffer `%.*s` has an output range but a variable-width element type. Fix: reject this blob", q,
                b->name.ptr);
  if (size && b->count > UINT64_MAX / size)
    return fail(r, at, "buffer `%.*s` byte size overflows u64. Fix: reject this blob", q, b->name.ptr);
  uint64_t full = (uint64_t)b->count * size;
  if (b->range_end > full)
    return fail(r, at, "buffer `%.*s` output range end %llu exceeds its byte size %llu. Fix: reject this blob", q,
                b->name.ptr, (unsigned long long)b->range_end, (unsigned long long)full);
  return VY_OK;
}

static vy_status rd_region_entry(rd *r, uint32_t i) {
  vy_buffer_decl *b = &r->p->buffers[i];
  section saved;
  size_t at = r->pos;
  uint32_t id;
  uint8_t kind, access, elem, shape_tag;
  TRY(rd_leb_u32(r, "a memory-region id", &id));
  if (id != i) return fail(r, at, "memory-region id %u is out of order at index %u. Fix: reject this blob", id, i);
  at = r->pos;
  TRY(rd_u8(r, "a memory kind", &kind));
  if (!vy_memory_kind_from_tag(kind, &b->kind)) return bad_tag(r, at, "memory kind", kind);
  at = r->pos;
  TRY(rd_u8(r, "a buffer access", &access));
  if (!vy_access_from_tag(access, &b->access)) return bad_tag(r, at, "buffer access", access);
  size_t elem_at = r->pos;
  TRY(rd_u8(r, "a dense element tag", &elem));
  at = r->pos;
  TRY(rd_u8(r, "a shape tag", &shape_tag));
  if (shape_tag != 0)
    return fail(r, at, "shape tag is %u; only 0 (Dense) is defined in wire format v%u. Fix: reject this blob",
                shape_tag, VY_WIRE_VERSION);
  uint64_t len;
  uint32_t count;
  TRY(rd_leb_len(r, "the shape payload length", VY_WIRE_MAX_REGION_FIELD, &len));
  TRY(enter(r, (size_t)len, "shape payload", "the shape payload", &saved));
  size_t count_at = r->pos;
  vy_type element = {0};
  TRY(rd_dense_shape(r, elem, elem_at, &element, &count));
  TRY(leave(r, &saved));
  TRY(rd_leb_len(r, "the hints payload length", VY_WIRE_MAX_REGION_FIELD, &len));
  TRY(enter(r, (size_t)len, "hints payload", "the hints payload", &saved));
  vy_memory_hints hints;
  TRY(rd_hints(r, &hints));
  TRY(leave(r, &saved));
  int q = b->name.len > QUOTE_MAX ? QUOTE_MAX : (int)b->name.len;
  if (count != b->count)
    return fail(r, count_at,
                "memory region %u has count %u but the metadata says %u for buffer `%.*s`. Fix: reject this blob", i,
                count, b->count, q, b->name.ptr);
  if (count == 0 && b->access == VY_ACCESS_WORKGROUP) return count_zero(r, count_at, b, "workgroup");
  if (count == 0 && b->is_output) return count_zero(r, count_at, b, "output");
  if (count == 0 && b->pipeline_live_out) return count_zero(r, count_at, b, "live-out");
  b->element = element;
  TRY(check_range_fits(r, count_at, b));
  b->hints = hints; /* vyre keeps this copy and never compares it with the metadata's */
  return VY_OK;
}

static vy_status rd_memory_regions(rd *r) {
  size_t at = r->pos;
  uint64_t n;
  TRY(rd_leb_len(r, "the memory-region count", VY_WIRE_MAX_BUFFERS, &n));
  if (n != r->p->nbuffers)
    return fail(r, at, "there are %llu memory regions but %u buffers in the metadata. Fix: reject this blob",
                (unsigned long long)n, r->p->nbuffers);
  for (uint32_t i = 0; i < r->p->nbuffers; i++) TRY(rd_region_entry(r, i));
  return VY_OK;
}

/* ---- output set (§7.9) ---- */

static bool is_output_access(vy_access a) { return a == VY_ACCESS_READ_WRITE || a == VY_ACCESS_WRITE_ONLY; }

static vy_status rd_output_set(rd *r) {
  const vy_program *p = r->p;
  size_t at = r->pos;
  uint64_t n;
  TRY(rd_leb_len(r, "the output-set count", VY_WIRE_MAX_BUFFERS, &n));
  uint32_t next = 0; /* next writable buffer the canonical set expects */
  bool matches = true;
  int64_t prev = -1;
  for (uint64_t k = 0; k < n; k++) {
    size_t iat = r->pos;
    uint32_t idx;
    TRY(rd_leb_u32(r, "an output-set index", &idx));
    if (idx >= p->nbuffers)
      return fail(r, iat, "output-set index %u is out of bounds for %u buffers. Fix: reject this blob", idx,
                  p->nbuffers);
    const vy_buffer_decl *b = &p->buffers[idx];
    if (!is_output_access(b->access)) {
      int q = b->name.len > QUOTE_MAX ? QUOTE_MAX : (int)b->name.len;
      return fail(r, iat, "output-set index %u names non-writable buffer `%.*s`. Fix: reject this blob", idx, q,
                  b->name.ptr);
    }
    if ((int64_t)idx <= prev)
      return fail(r, iat, "output-set index %u is not in strictly increasing order. Fix: reject this blob", idx);
    prev = idx;
    while (next < p->nbuffers && !is_output_access(p->buffers[next].access)) next++;
    matches = matches && next == idx;
    next++;
  }
  while (next < p->nbuffers && !is_output_access(p->buffers[next].access)) next++;
  if (!matches || next < p->nbuffers)
    return fail(r, at,
                "the output set does not list exactly the read_write buffers in declaration order. Fix: reject this "
                "blob");
  return VY_OK;
}

/* ---- the envelope (§7.1, check order of §7.10) ---- */

static vy_status check_header(rd *r, size_t len) {
  const uint8_t *d = r->data;
  if (len > VY_WIRE_MAX_BLOB)
    return fail(r, 0, "the blob is %zu bytes, over the %zu-byte cap. Fix: reject it or split the program", len,
                VY_WIRE_MAX_BLOB);
  if (len < VY_WIRE_MAGIC_LEN || memcmp(d, VY_WIRE_MAGIC, VY_WIRE_MAGIC_LEN) != 0)
    return fail(r, 0,
                "expected the magic \"VYRE\" (56 59 52 45) at the start. Fix: pass a blob made by vyre's "
                "Program::to_wire or vy_wire_encode");
  if (len >= 6) {
    unsigned version = d[4] | (unsigned)d[5] << 8;
    if (version != VY_WIRE_VERSION)
      return fail_code(r, VY_E_VERSION_MISMATCH, 4,
                       "wire schema version is %u; this decoder reads version %u (vyre 0.4.2). Fix: re-serialize the "
                       "program with vyre 0.4.2",
                       version, VY_WIRE_VERSION);
  }
  if (len < VY_WIRE_HEADER_LEN)
    return fail(r, len, "the header needs %u bytes but the blob has %zu. Fix: provide the complete blob",
                VY_WIRE_HEADER_LEN, len);
  unsigned flags = d[6] | (unsigned)d[7] << 8;
  if (flags != VY_WIRE_FLAG_OPAQUE_ENDIAN_FIXED)
    return fail(r, 6,
                "header flags are 0x%04x; they must be exactly 0x0004 (OPAQUE_ENDIAN_FIXED; COMPRESSED, SEALED and "
                "reserved bits are rejected). Fix: re-serialize with vyre 0.4.2",
                flags);
  uint8_t digest[32];
  vy_blake3_hash(d + VY_WIRE_HEADER_LEN, len - VY_WIRE_HEADER_LEN, digest);
  if (memcmp(digest, d + 8, 32) != 0)
    return fail(r, 8,
                "the BLAKE3 digest of the body does not match the header. Fix: the blob was truncated or altered; "
                "fetch it again");
  return VY_OK;
}

static vy_status decode_into(rd *r, size_t len) {
  r->pos = VY_WIRE_HEADER_LEN;
  TRY(rd_node_section(r));
  TRY(rd_memory_regions(r));
  TRY(rd_output_set(r));
  if (r->pos != len)
    return fail(r, r->pos, "%zu trailing byte%s after the output set. Fix: pass exactly one blob", len - r->pos,
                len - r->pos == 1 ? "" : "s");
  return VY_OK;
}

vy_status vy_wire_decode(const uint8_t *data, size_t len, const vy_allocator *alloc, vy_program **out,
                         vy_error *err) {
  if (out) *out = NULL;
  if (!out || (!data && len))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_wire_decode: NULL %s. Fix: pass the blob and an output pointer", out ? "data" : "output");
  static const uint8_t empty[1];
  rd r = {.data = data ? data : empty, .end = len, .section = "blob", .err = err};
  /* header first: a rejected blob allocates nothing */
  TRY(check_header(&r, len));
  r.p = vy_program_new(alloc);
  if (!r.p) return vy_error_nomem(err);
  vy_status st = decode_into(&r, len);
  if (st == VY_OK) st = vy_program_seal(r.p, err);
  if (st != VY_OK) {
    vy_program_destroy(r.p);
    return st;
  }
  *out = r.p;
  return VY_OK;
}

bool vy_wire_is_blob(const uint8_t *data, size_t len) {
  return data && len >= VY_WIRE_MAGIC_LEN && memcmp(data, VY_WIRE_MAGIC, VY_WIRE_MAGIC_LEN) == 0;
}
