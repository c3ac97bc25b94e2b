/** @file
 * wire.h - vyre's binary wire format, schema version 4 (vyre-ir.md §7), and
 * its hex text envelope (§7.12). This is the interop contract with Rust vyre
 * (Program::to_wire / Program::from_wire): read and written byte for byte.
 *
 * Blob layout: "VYRE", u16 version 4, u16 flags 0x0004, the BLAKE3 digest of
 * the body, then the body: LEB record count, the metadata record, one record
 * per top-level entry node, the memory-region section, the output set.
 *
 * Outputs are vy_bytes allocated with the `alloc` passed in (NULL = malloc);
 * out->alloc keeps that pointer, so the allocator must outlive the bytes,
 * which vy_bytes_free releases. On failure *out is left empty (data NULL).
 * Every function is reentrant: distinct calls share no state, and any
 * number of threads may encode the same program at once.
 *
 * Errors: VY_E_ENCODE where vyre's encoder fails, VY_E_DECODE for a
 * malformed blob or envelope, VY_E_VERSION_MISMATCH for a blob of another
 * schema version, VY_E_NOMEM, VY_E_INVALID_ARGUMENT for NULL arguments. The
 * message always ends with a "Fix:" hint.
 *
 * Where vyre-jit stops short of vyre: vyre recurses without a bound on deep
 * programs and nested DataTypes (and so overflows its stack); vyre-jit's
 * encoder and canonicalizer refuse programs nested more than 4096 levels
 * deep (nodes, expressions and types together; the decoder reads at most 64
 * anyway), and its decoder refuses DataTypes nested more than 64 levels deep
 * and dense Array element sizes above 2^32 - 1 (the IR model holds a u32).
 */
#ifndef VYRE_WIRE_H
#define VYRE_WIRE_H

#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Encodes `p` exactly as vyre's to_wire does (no canonicalization: buffers
 * in declaration order, the entry as stored). Fails with VY_E_ENCODE where
 * vyre's encoder fails (§7.10: WriteOnly access, a zero workgroup dimension,
 * a workgroup or live-out buffer of count 0, a bad output range, a string
 * over 1 MiB, an opaque payload over 4 MiB, a sparse or DeviceMesh buffer
 * element, an invalid quantization), and for strings that are not UTF-8
 * (which a Rust vyre program cannot hold). Note that vyre's encoder accepts some
 * programs its decoder refuses (Vec/TensorShaped buffer elements, opaque
 * nodes, nesting deeper than 64, ...); so does this one. */
vy_status vy_wire_encode(const vy_program *p, const vy_allocator *alloc, vy_bytes *out, vy_error *err);

/** Decodes a wire blob with vyre's limits and check order (§7.10): size cap
 * (64 MiB), magic, version (VY_E_VERSION_MISMATCH), header length, flags,
 * digest, node section, memory regions, output set, no trailing bytes.
 * Errors name the byte offset (err->offset, also in the message). Never
 * reads outside [data, data+len) and never allocates more than a bounded
 * multiple of `len`: every count is checked against the bytes left before
 * anything is allocated for it. On success *out owns a program whose entry
 * is exactly as stored (no re-wrapping), whose buffers have
 * bytes_extraction false, linear type Unrestricted and no shape predicate,
 * and whose fingerprint is computed. Like vyre, the decoder takes a buffer's
 * hints from the memory-region section and never compares them with the
 * metadata's copy (only the two counts must agree). */
vy_status vy_wire_decode(const uint8_t *data, size_t len, const vy_allocator *alloc, vy_program **out,
                         vy_error *err);

/** The canonical wire blob (§6 steps 1-2) whose BLAKE3 is the fingerprint:
 * buffers sorted by vyre's canonical key, let-free Blocks spliced into their
 * statement list, commutative operands ordered. Same errors as
 * vy_wire_encode (the program then has no fingerprint either). */
vy_status vy_wire_encode_canonical(const vy_program *p, const vy_allocator *alloc, vy_bytes *out, vy_error *err);

/** Hex envelope: "vyre_ir v0.1\nwire_bytes N\n" + the blob as lowercase hex,
 * 64 characters per line, every line ending "\n". The output is also
 * NUL-terminated (out->data[out->len] == 0). `data` may be NULL when len is 0. */
vy_status vy_wire_to_hex(const uint8_t *data, size_t len, const vy_allocator *alloc, vy_bytes *out, vy_error *err);
/** Parses the envelope into the raw blob (does not decode it), as vyre's
 * Program::from_text: lines end at "\n" or "\r\n"; the first line must be
 * exactly "vyre_ir v0.1"; the second "wire_bytes N" with N decimal (a
 * leading '+' is accepted) and at most 64 MiB; body lines may carry trailing
 * "\r"s, empty ones are skipped, each must hold an even number of hex digits
 * of either case; the body must hold exactly N bytes. Errors are VY_E_DECODE
 * with err->line and err->col set. */
vy_status vy_wire_from_hex(const char *text, size_t len, const vy_allocator *alloc, vy_bytes *out, vy_error *err);

/** True when `data` starts with the wire magic "VYRE". */
bool vy_wire_is_blob(const uint8_t *data, size_t len);
/** True when the first line of `text` is the hex envelope's "vyre_ir v0.1". */
bool vy_wire_is_hex(const char *text, size_t len);

#ifdef __cplusplus
}
#endif
#endif
