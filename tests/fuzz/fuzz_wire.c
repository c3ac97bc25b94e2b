/* fuzz_wire.c - libFuzzer driver for the wire decoder (vyre-ir.md §7).
 *
 * Decodes the input as given (the header checks), then a copy whose BLAKE3
 * body digest was fixed up (otherwise almost no mutation would get past the
 * digest to the body parser). Whatever decodes must re-encode (every decodable
 * program is encodable), decode again to an equal program with the same
 * fingerprint, and re-encode to the same bytes; its canonical blob must
 * decode too. The hex envelope must round-trip the input. abort() signals a
 * failed property to libFuzzer; crashes, leaks and sanitizer reports are
 * found by the build flags (-DVY_FUZZ=ON -DVY_SANITIZE=address,undefined).
 *
 * Seeds: tests/fuzz/corpus/wire/. Run:
 *   build-fuzz/fuzz_wire -max_total_time=300 tests/fuzz/corpus/wire
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blake3_int.h"
#include "vyre/wire.h"

static void check_hex(const uint8_t *data, size_t size) {
  vy_bytes text, back;
  if (vy_wire_to_hex(data, size, NULL, &text, NULL) != VY_OK) abort();
  if (vy_wire_from_hex((const char *)text.data, text.len, NULL, &back, NULL) != VY_OK) abort();
  if (back.len != size || (size && memcmp(back.data, data, size) != 0)) abort();
  vy_bytes_free(&back);
  vy_bytes_free(&text);
}

static vy_program *must_decode(const vy_bytes *b) {
  vy_program *p = NULL;
  if (vy_wire_decode(b->data, b->len, NULL, &p, NULL) != VY_OK) abort();
  return p;
}

static void check_program(const uint8_t *data, size_t size) {
  vy_program *p = NULL;
  if (vy_wire_decode(data, size, NULL, &p, NULL) != VY_OK) return;
  vy_bytes b1, b2, canon;
  uint8_t f1[32], f2[32];
  if (vy_wire_encode(p, NULL, &b1, NULL) != VY_OK) abort();
  vy_program *q = must_decode(&b1);
  if (!vy_program_equal(p, q)) abort();
  if (!vy_program_fingerprint(p, f1) || !vy_program_fingerprint(q, f2) || memcmp(f1, f2, 32) != 0) abort();
  if (vy_wire_encode(q, NULL, &b2, NULL) != VY_OK) abort();
  if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0) abort();
  if (vy_wire_encode_canonical(p, NULL, &canon, NULL) != VY_OK) abort();
  vy_program *c = must_decode(&canon);
  vy_program_destroy(c);
  vy_bytes_free(&canon);
  vy_bytes_free(&b2);
  vy_bytes_free(&b1);
  vy_program_destroy(q);
  vy_program_destroy(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size <= 4096) check_hex(data, size);
  check_program(data, size);
  if (size < 40) return 0;
  uint8_t *sealed = malloc(size);
  if (!sealed) return 0;
  memcpy(sealed, data, size);
  vy_blake3_hash(sealed + 40, size - 40, sealed + 8);
  check_program(sealed, size);
  free(sealed);
  return 0;
}
