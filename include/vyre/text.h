/* text.h - the readable text format (.vy) of vyre-jit.
 *
 * vyre itself has no readable syntax (its "text format" is a hex envelope,
 * see wire.h); this one is vyre-jit's. The grammar is documented in the
 * comment block at the end of this header and in README.md.
 *
 * print(parse(t)) is a fixed point for printer output, and parse(print(p))
 * is structurally equal to p with the same fingerprint.
 */
#ifndef VYRE_TEXT_H
#define VYRE_TEXT_H

#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses `len` bytes of text. `filename` (may be NULL: "<input>") is used in
 * error messages "file:line:col: message. Fix: ...". `alloc` may be NULL.
 * On success *out owns a new program (entry kept exactly as written). On
 * failure *out is NULL and *err says where and why. Never reads past
 * src[len-1]; nesting is depth-limited, so no input can exhaust the stack. */
vy_status vy_text_parse(const char *src, size_t len, const char *filename, const vy_allocator *alloc,
                        vy_program **out, vy_error *err);

/* Prints `p` as text into *out (NUL-terminated, allocated with `alloc`, free
 * with vy_bytes_free). Every program can be printed. */
vy_status vy_text_print(const vy_program *p, const vy_allocator *alloc, vy_bytes *out, vy_error *err);

#ifdef __cplusplus
}
#endif
#endif
