/** @file
 * values.h - buffer contents as text: input specs and output lines.
 *
 * Shared by the command-line tool (`vyre-jit run --input NAME=SPEC` and the
 * lines it prints) and the case corpus (tests/cases/README.md). Buffers are
 * little-endian byte strings; the element type of the buffer decides how
 * values are written.
 *
 * Element classes (by the buffer's element type):
 *   u32, i32, u64  decimal integers; `0x` hex is also read (for i32 it gives
 *                  the 32-bit pattern, so 0xFFFFFFFF = -1); i32 may be negative
 *   f32            decimal floats (rounded to nearest even), `inf`, `-inf`,
 *                  `nan` (= bits 0x7FC00000), or `0x` + up to 8 hex digits for
 *                  an exact bit pattern (`0x7fc00001`, `0x80000000` = -0.0)
 *   bool           one 4-byte word per element: `0`/`false`, `1`/`true`, or
 *                  any other u32 (a Bool buffer can hold any word)
 *   anything else  hex bytes in memory order: each token is an even number of
 *                  hex digits (`de,ad,be,ef` = `deadbeef` = `dead beef`); the
 *                  element width is DataType::min_bytes, or 1 byte for the
 *                  variable-width types (bytes, array, tensor, ...)
 *
 * Input SPEC forms (leading and trailing whitespace ignored):
 *   \@PATH         the raw bytes of a file, read by the caller's loader
 *   v0,v1 v2 ...   a list of values separated by commas and/or whitespace;
 *                  an empty spec is zero bytes; `| h0 h1 ...` at the end adds
 *                  raw hex bytes after the last element (the form output lines
 *                  use for a partial trailing element)
 *   zeros:N        N zero elements
 *   seq:N          elements 0, 1, ..., N-1: the integer i for u32/i32/u64,
 *                  (float)i for f32, i % 2 for bool, and for the hex classes
 *                  the little-endian bytes of i (as u64) truncated to the
 *                  element width
 *   const:N:V      N copies of the single value V (written as in a list; for
 *                  the hex classes V must be exactly one element wide)
 *   rand:N:SEED    N pseudo-random elements from splitmix64 seeded with the
 *                  u64 SEED: state += 0x9E3779B97F4A7C15; z = state;
 *                  z = (z ^ z>>30) * 0xBF58476D1CE4E5B9;
 *                  z = (z ^ z>>27) * 0x94D049BB133111EB; draw = z ^ z>>31.
 *                  One draw per element for u32 and i32 (its low 32 bits), u64
 *                  (all 64 bits), bool (draw & 1) and f32 ((draw >> 40) *
 *                  2^-24, uniform in [0, 1), exact); the hex classes take
 *                  ceil(width / 8) draws per element and keep the first
 *                  `width` bytes of their little-endian concatenation
 *   N is a decimal count of elements (bytes for the variable-width types);
 *   the result may be at most 1 GiB.
 *
 * Output lines: `NAME: v0 v1 ...` (no newline; just `NAME:` when empty).
 * u32/i32/u64 print in decimal, bool as 0/1 (other words in decimal), f32 as
 * the shortest decimal that reads back to the same bits (`-0`, `inf`,
 * `-inf`, `nan` for 0x7FC00000, `0x%08x` bits for any other NaN), the hex
 * classes as one token of 2*width lowercase hex digits per element. Bytes
 * after the last whole element print as ` | h0 h1 ...`. Parsing the values
 * part of a line (vy_values_split_line, then vy_values_parse with the same
 * element type) gives back exactly the same bytes.
 *
 * Errors are VY_E_INVALID_ARGUMENT with a message that names the column
 * (1-based, in the spec as given) and ends with "Fix: ...", VY_E_NOMEM, or
 * whatever the loader returns. Thread-safety: all functions are reentrant
 * and only read their inputs.
 */
#ifndef VYRE_VALUES_H
#define VYRE_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Reads the file named by an `@PATH` spec. `path` is NUL-terminated and
 * borrowed for the call. On success *out must own the file's bytes,
 * allocated with `alloc` (for example with vy_bytes-compatible
 * reallocation through alloc->fn, or malloc when alloc is NULL); the parse
 * result is that buffer, handed to the caller. On failure the loader fills
 * `err` (ending in "Fix: ...") and leaves *out empty. */
typedef vy_status (*vy_values_loader_fn)(void *ud, const char *path, const vy_allocator *alloc, vy_bytes *out,
                                         vy_error *err);

/** A file loader for `@PATH` specs: fn(ud, ...). */
typedef struct vy_values_loader {
  vy_values_loader_fn fn; /**< reads one file */
  void *ud;               /**< passed to fn */
} vy_values_loader;

/** Parses an input SPEC (`len` bytes, need not be NUL-terminated) for a
 * buffer whose element type is `elem` into little-endian bytes. `loader` may
 * be NULL: an `@PATH` spec is then an error (VY_E_INVALID_ARGUMENT). `alloc`
 * may be NULL (malloc). *out is reset first; on success it owns the bytes
 * (free with vy_bytes_free), on failure it is empty. */
vy_status vy_values_parse(const vy_type *elem, const char *spec, size_t len, const vy_values_loader *loader,
                          const vy_allocator *alloc, vy_bytes *out, vy_error *err);

/** Formats `len` bytes of a buffer with element type `elem` as the values
 * part of an output line ("v0 v1 ... | h0 ..."). *out is reset first and is
 * NUL-terminated on success; VY_E_NOMEM leaves it empty. */
vy_status vy_values_format(const vy_type *elem, const uint8_t *data, size_t len, const vy_allocator *alloc,
                           vy_bytes *out, vy_error *err);

/** Formats a whole output line "NAME: v0 v1 ..." (no newline). `name` is
 * `name_len` bytes written as they are. Same contract as vy_values_format. */
vy_status vy_values_format_line(const char *name, size_t name_len, const vy_type *elem, const uint8_t *data, size_t len,
                                const vy_allocator *alloc, vy_bytes *out, vy_error *err);

/** Splits an output line at its last ':' into the name (before it) and the
 * values (after it, leading blanks skipped). Values never contain ':', so
 * this works for any name. Returns false when the line has no ':'. */
bool vy_values_split_line(const char *line, size_t len, const char **name, size_t *name_len, const char **values,
                          size_t *values_len);

#define VY_VALUES_F32_MAX 24 /**< bytes vy_values_format_f32 may write, NUL included */

/** Writes the shortest decimal for the f32 with these bits that strtof reads
 * back to the same bits ("-0", "inf", "nan" for 0x7FC00000, "0x7fc00001"
 * for other NaNs) into buf and returns its length. */
size_t vy_values_format_f32(uint32_t bits, char buf[VY_VALUES_F32_MAX]);

#ifdef __cplusplus
}
#endif
#endif
