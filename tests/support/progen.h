/* progen.h - a deterministic random program generator for round-trip tests
 * (parse(print(p)) == p, decode(encode(p)) == p, fingerprint stability).
 *
 * Programs are built through the public builder API (builder.h) and exercise
 * every construct of the IR: every node and expression kind, every BinOp,
 * UnOp, AtomicOp, ordering and collective op, every DataType (payload ones
 * included) as buffer element and cast target, every buffer field, the
 * program-level fields, odd strings (empty, non-ASCII, quotes, backslashes,
 * control characters, names of 256+ bytes, buffer names with embedded NUL
 * bytes), f32 literals that are NaN, -0.0, subnormal or infinite, and opaque
 * payloads. Programs are structurally well-formed IR; they are not meant to
 * validate or run.
 *
 * Determinism: the result depends only on `seed` and the options (splitmix64
 * state local to the call; no global state), never on the allocator or the
 * platform. Thread-safe: concurrent calls share nothing.
 */
#ifndef VY_PROGEN_H
#define VY_PROGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "vyre/builder.h"

/* Depth limit of the wire mode: the decoder refuses nesting levels past 64
 * (vyre-ir.md §7.10); we keep a margin. */
#define VY_PROGEN_WIRE_MAX_DEPTH 60u

typedef struct vy_progen_options {
  /* Restrict to what vyre's wire encoder accepts and its decoder reads back
   * (vyre-ir.md §7.8, §7.10): no WriteOnly access; buffer elements without
   * Vec, TensorShaped, sparse or DeviceMesh; counts > 0 for workgroup,
   * is_output and live-out buffers; output ranges only on fixed-width
   * elements with count > 0 and start <= end <= count * size_bytes;
   * workgroup dimensions >= 1; extension ids with bit 31 set; no Opaque
   * nodes; Opaque exprs only "vyre.literal.{u64,i64,f64}" with 8-byte
   * payloads; valid quantized parameters; nesting depth at most
   * VY_PROGEN_WIRE_MAX_DEPTH; only serialized buffer fields set
   * (bytes_extraction false, linear type Unrestricted, no shape predicate).
   * f32 literals are then also already in the encoder's canonical form
   * (NaN only as 0x7FC00000, no -0.0, no subnormals), so that
   * decode(encode(p)) equals p bit for bit; +-inf and NaN still appear. */
  bool wire_encodable;
  /* Maximum combined nesting depth of nodes and expressions, counting a
   * top-level node as 1 (the wire decoder's way of counting). 0 = 8. Capped
   * at VY_PROGEN_WIRE_MAX_DEPTH in wire mode. Some programs (about one in
   * eight, when the limit is 6 or more) contain a chain that reaches it. */
  unsigned max_depth;
  /* Maximum number of statements in a program (all nesting levels). 0 = 40. */
  unsigned max_stmts;
} vy_progen_options;

/* Builds the program for `seed`. `opt` may be NULL (all defaults, not wire
 * encodable); `alloc` may be NULL (malloc). On success *out owns a program
 * (free with vy_program_destroy). Errors: VY_E_NOMEM when an allocation
 * fails (nothing leaks, *out is NULL); VY_E_INVALID_ARGUMENT when `out` is
 * NULL; any other code means the builder refused what the generator made (a
 * bug in one of the two). */
vy_status vy_progen_random(uint64_t seed, const vy_progen_options *opt, const vy_allocator *alloc,
                           vy_program **out);

#endif
