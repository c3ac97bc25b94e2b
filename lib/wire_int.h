/* wire_int.h - internals shared by the wire writer (wire_write.c), the wire
 * reader (wire_read.c), the hex envelope (wire_hex.c) and the canonicalizer
 * (canon.c). The format itself is vyre-ir.md §7; the public API is
 * include/vyre/wire.h.
 */
#ifndef VYRE_WIRE_INT_H
#define VYRE_WIRE_INT_H

#include "program_int.h"

/* ---- envelope (§7.1) ---- */
#define VY_WIRE_MAGIC "VYRE"
#define VY_WIRE_MAGIC_LEN 4u
#define VY_WIRE_VERSION 4u
#define VY_WIRE_FLAG_COMPRESSED 0x0001u
#define VY_WIRE_FLAG_SEALED 0x0002u
#define VY_WIRE_FLAG_OPAQUE_ENDIAN_FIXED 0x0004u
#define VY_WIRE_HEADER_LEN 40u
#define VY_WIRE_METADATA_OP_ID "vyre.program.metadata"
#define VY_WIRE_METADATA_MARKER "VYRE-META"

/* ---- vyre's decoder limits (F/serial/wire.rs, §7.10) ---- */
#define VY_WIRE_MAX_BLOB ((size_t)64 * 1024 * 1024) /* MAX_PROGRAM_BYTES */
#define VY_WIRE_MAX_STRING ((size_t)1 << 20)        /* MAX_STRING_LEN */
#define VY_WIRE_MAX_BUFFERS 16384u                  /* MAX_BUFFERS */
#define VY_WIRE_MAX_NODES 1000000u                  /* MAX_NODES: node lists, records, operands */
#define VY_WIRE_MAX_ARGS 4096u                      /* MAX_ARGS: call arguments */
#define VY_WIRE_MAX_OPAQUE ((size_t)4096 * 1024)    /* MAX_OPAQUE_PAYLOAD_LEN */
#define VY_WIRE_MAX_DEPTH 64u                       /* MAX_DECODE_DEPTH: nodes and exprs */
#define VY_WIRE_MAX_REGION_FIELD 64u                /* shape and hints payload lengths (§7.8) */

/* ---- vyre-jit's own limits (stack safety; vyre has none and recurses) ----
 * A DataType nested deeper than this is a decode error (vyre's decoder
 * recurses on it without a bound); the encoder and the canonicalizer refuse
 * programs whose combined node/expr/type nesting exceeds VY_WIRE_MAX_ENCODE_DEPTH
 * (such a program could never be decoded anyway: the decoder stops at 64). */
#define VY_WIRE_MAX_TYPE_DEPTH 64u
#define VY_WIRE_MAX_ENCODE_DEPTH 4096u

/* The program-level fields the encoder reads. vy_wire_encode encodes a
 * program's own view; the canonicalizer builds a view with sorted buffers and
 * a rewritten entry (§6) and encodes that. Borrowed pointers only. */
typedef struct vy_wire_view {
  bool has_entry_op_id;
  vy_str entry_op_id;
  uint32_t workgroup_size[3];
  bool non_composable_with_self;
  uint32_t nbuffers;
  const vy_buffer_decl *buffers; /* nbuffers declarations, in encoding order */
  vy_node_list entry;
} vy_wire_view;

/* The view of `p` as declared (no canonicalization). */
void vy_wire_view_of(const vy_program *p, vy_wire_view *v);

/* Encodes a view as a complete wire blob (header, digest, body), exactly as
 * vyre's to_wire_with_buffer_order_into. On success *out holds a blob
 * allocated with `alloc` (out->alloc = alloc; free with vy_bytes_free). On
 * failure *out is empty and the status is VY_E_ENCODE (vyre's encoder would
 * reject the program; the message names the field and ends with "Fix:") or
 * VY_E_NOMEM. Thread-safe for distinct outputs. */
vy_status vy_wire_encode_view(const vy_wire_view *v, const vy_allocator *alloc, vy_bytes *out, vy_error *err);

/* Appends the §7.5 encoding of one expression (put_expr) to `out`, which
 * must already carry its allocator. Used by the canonicalizer to compare
 * operands. Errors: VY_E_ENCODE, VY_E_NOMEM (out keeps what was appended). */
vy_status vy_wire_put_expr(vy_bytes *out, const vy_expr *e, vy_error *err);

/* Appends the §7.6 expression-style encoding of a DataType (put_data_type),
 * as used by Cast and by the canonical buffer sort key. Same errors. */
vy_status vy_wire_put_type(vy_bytes *out, const vy_type *t, vy_error *err);

/* Appends unsigned LEB128 (minimal form). 0 ok, -1 out of memory. */
int vy_wire_put_leb(vy_bytes *out, uint64_t v);

/* The bits the encoder writes for a LitF32 (§7.5 tag 15): NaN -> 0x7FC00000,
 * subnormals and -0.0 -> 0x00000000, anything else unchanged. */
uint32_t vy_wire_f32_bits(uint32_t bits);

/* DataType::size_bytes(): false when vyre has none (Tensor, TensorShaped,
 * sparse, Opaque, malformed); *size otherwise (Array: element_size; Vec:
 * element size x count; Quantized: storage size). */
bool vy_wire_type_size(const vy_type *t, uint64_t *size);

/* DataType::is_quantized_storage (I4/I8/I16/U8/U16/F8E4M3/F8E5M2/FP4/NF4). */
bool vy_wire_is_quantized_storage(vy_type_kind k);

#endif
