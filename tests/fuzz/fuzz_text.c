/* fuzz_text.c - libFuzzer driver for the text format (.vy).
 *
 * Parses arbitrary bytes. When they parse, the program must print, the text
 * must parse back to an equal program with the same fingerprint, and
 * printing that must give the same text; any violation abort()s so that
 * libFuzzer records the input. Seeds: tests/fuzz/corpus/text/ and
 * tests/programs/. Build: CC=clang-19 cmake -DVY_FUZZ=ON
 * -DVY_SANITIZE=address,undefined -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link
 * (the last flag instruments the library for coverage feedback); run:
 *   fuzz_text WORK_DIR tests/fuzz/corpus/text tests/programs -max_len=8192
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vyre/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const vy_error *err) {
  fprintf(stderr, "fuzz_text: %s%s%s\n", what, err ? ": " : "", err ? err->message : "");
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vy_program *p = NULL, *q = NULL;
  vy_error err;
  if (vy_text_parse((const char *)data, size, "fuzz.vy", NULL, &p, &err) != VY_OK) {
    if (p || err.line == 0 || !strstr(err.message, "Fix: ")) die("bad failure report", &err);
    return 0;
  }
  vy_bytes t1, t2;
  if (vy_text_print(p, NULL, &t1, &err) != VY_OK) die("parsed program does not print", &err);
  if (vy_text_parse((const char *)t1.data, t1.len, "printed.vy", NULL, &q, &err) != VY_OK)
    die("printed text does not parse", &err);
  if (!vy_program_equal(p, q)) die("parse(print(p)) != p", NULL);
  uint8_t f1[32], f2[32];
  bool h1 = vy_program_fingerprint(p, f1), h2 = vy_program_fingerprint(q, f2);
  if (h1 != h2 || (h1 && memcmp(f1, f2, 32) != 0)) die("fingerprint changed", NULL);
  if (vy_text_print(q, NULL, &t2, &err) != VY_OK) die("reparsed program does not print", &err);
  if (t1.len != t2.len || memcmp(t1.data, t2.data, t1.len) != 0) die("print is not a fixed point", NULL);
  vy_bytes_free(&t1);
  vy_bytes_free(&t2);
  vy_program_destroy(p);
  vy_program_destroy(q);
  return 0;
}
