/* utf8_int.h - UTF-8 well-formedness as Rust's str::from_utf8 defines it
 * (no overlong forms, no surrogates, nothing above U+10FFFF). Every vyre
 * string is a Rust String, so the wire codec and the text printer agree on
 * this one definition. */
#ifndef VYRE_UTF8_INT_H
#define VYRE_UTF8_INT_H

#include <stddef.h>
#include <stdint.h>

/* Length (1-4) of the well-formed sequence starting at s[0] (n > 0 bytes
 * available), or 0 when it is malformed or cut short. */
size_t vy_utf8_seq_len(const uint8_t *s, size_t n);

/* Index of the first byte that makes s[0..n) invalid, or n when it is valid. */
size_t vy_utf8_error_at(const uint8_t *s, size_t n);

#endif
