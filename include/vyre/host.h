/** @file
 * host.h - the host-op registry: C functions that vyre `Call` expressions reach.
 *
 * vyre resolves `Expr::Call{op_id, args}` through a process-global dialect
 * lookup whose ops carry a byte-blob `cpu_ref` (vyre-ir.md §2.4). vyre-jit has
 * no global state: the embedding program builds a registry, registers each op
 * id with a plain C function and its signature in vyre types, and passes the
 * registry to the interpreter (interp.h) and the validator (validate.h). The
 * interpreter calls the function through libffi with its natural C signature,
 * for example `uint32_t f(uint32_t, float)` for "u32(u32, f32)".
 *
 * Parameter types and their C types:
 *   u32 uint32_t | i32 int32_t | u64 uint64_t | i64 int64_t | f32 float |
 *   f64 double | bool bool | u8 uint8_t | i8 int8_t
 * The result is one of those or void.
 *
 * Argument marshalling follows vyre's rule (value.rs extend_bytes_width): the
 * runtime value's little-endian bytes are truncated or zero-padded to the
 * parameter width and reinterpreted as the C type, so an i32 -1 passed to a
 * u64 parameter arrives as 0x00000000FFFFFFFF and a bool parameter receives
 * the low byte of the value. One deliberate exception: a float runtime value
 * passed to an f32 or f64 parameter arrives as that float value (vyre would
 * pass the low bytes of its f64 bit pattern, which no real function can use).
 * Results decode as vyre's Call does: u32 -> U32, i32 -> I32, f32 -> Float
 * (canonicalized), every other type -> Bytes of its little-endian width,
 * void -> empty Bytes.
 *
 * Host functions must not fail; they run on the interpreter's thread, once
 * per evaluation of the Call (per lane, in lane order).
 *
 * Thread-safety: registration is not thread-safe; once registration is done
 * the registry is immutable and may be shared by any number of concurrent
 * interpreter runs and validations. It must outlive them.
 */
#ifndef VYRE_HOST_H
#define VYRE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Host ops: C functions that Call nodes reach by op id (opaque; see below). */
typedef struct vy_host_registry vy_host_registry;

/** Any C function; it is called through libffi with the registered signature. */
typedef void (*vy_host_fn)(void);

#define VY_HOST_MAX_PARAMS 64u /**< per op */

/** A registered signature in vyre types. Parameter and result kinds are among
 * VY_TYPE_U32, I32, U64, I64, F32, F64, BOOL, U8, I8. */
typedef struct vy_host_signature {
  uint32_t nparams;           /**< number of parameters, at most VY_HOST_MAX_PARAMS */
  const vy_type_kind *params; /**< nparams entries, owned by the registry */
  bool has_result;            /**< false: the function returns void */
  vy_type_kind result;        /**< when has_result */
} vy_host_signature;

/** Creates an empty registry using `alloc` (NULL = malloc). VY_E_NOMEM on failure, *out NULL. */
vy_status vy_host_registry_create(const vy_allocator *alloc, vy_host_registry **out, vy_error *err);
/** Frees the registry and everything it owns. NULL is a no-op. */
void vy_host_registry_destroy(vy_host_registry *r);

/** Registers `op_id` (copied) with function `fn` and a signature written as
 * "RESULT(PARAM, PARAM, ...)", e.g. "u32(u32, f32)", "void()", "f64(f64)".
 * Errors: VY_E_INVALID_ARGUMENT for a NULL/empty id, NULL fn, a malformed
 * signature, an unknown type name, more than VY_HOST_MAX_PARAMS parameters,
 * or an id that is already registered; VY_E_NOMEM. On error the registry is
 * unchanged. */
vy_status vy_host_register(vy_host_registry *r, const char *op_id, const char *signature, vy_host_fn fn,
                           vy_error *err);

/** Same with the signature as data. `params` is copied. */
vy_status vy_host_register_typed(vy_host_registry *r, const char *op_id, const vy_host_signature *sig, vy_host_fn fn,
                                 vy_error *err);

/** Looks up an op id (counted; may contain any bytes). Returns false when it
 * is not registered. On success *sig (if non-NULL) views the registry's
 * signature, valid as long as the registry. Thread-safe after registration. */
bool vy_host_registry_lookup(const vy_host_registry *r, const char *op_id, size_t len, vy_host_signature *sig);

/** Number of registered ops. */
size_t vy_host_registry_count(const vy_host_registry *r);

/** The spelling of a host type kind ("u32", ...) or NULL if the kind is not
 * allowed in host signatures. */
const char *vy_host_type_name(vy_type_kind k);

#ifdef __cplusplus
}
#endif
#endif
