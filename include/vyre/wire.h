/* wire.h - vyre's binary wire format, schema version 4 (vyre-ir.md §7), and
 * its hex text envelope (§7.12). This is the interop contract with Rust vyre
 * (Program::to_wire / Program::from_wire): read and written byte for byte.
 */
#ifndef VYRE_WIRE_H
#define VYRE_WIRE_H

#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Encodes `p` exactly as vyre's to_wire does (no canonicalization). Fails with
 * VY_E_ENCODE where vyre's encoder fails (§7.10). *out is allocated with `alloc`. */
vy_status vy_wire_encode(const vy_program *p, const vy_allocator *alloc, vy_bytes *out, vy_error *err);

/* Decodes a wire blob with vyre's limits and check order (§7.10). Errors name
 * the byte offset (err->offset). Never reads outside [data, data+len) and never
 * allocates more than a bounded multiple of `len`. */
vy_status vy_wire_decode(const uint8_t *data, size_t len, const vy_allocator *alloc, vy_program **out,
                         vy_error *err);

/* The canonical wire blob (§6 step 1-2) whose BLAKE3 is the fingerprint. */
vy_status vy_wire_encode_canonical(const vy_program *p, const vy_allocator *alloc, vy_bytes *out, vy_error *err);

/* Hex envelope: "vyre_ir v0.1\nwire_bytes N\n" + 64 hex chars per line. */
vy_status vy_wire_to_hex(const uint8_t *data, size_t len, const vy_allocator *alloc, vy_bytes *out, vy_error *err);
/* Parses the envelope into the raw blob (does not decode it). */
vy_status vy_wire_from_hex(const char *text, size_t len, const vy_allocator *alloc, vy_bytes *out, vy_error *err);

/* True when `data` starts with the wire magic "VYRE". */
bool vy_wire_is_blob(const uint8_t *data, size_t len);
/* True when `text` starts with the hex envelope's first line. */
bool vy_wire_is_hex(const char *text, size_t len);

#ifdef __cplusplus
}
#endif
#endif
