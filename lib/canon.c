/* canon.c - canonicalization and fingerprint (vyre-ir.md §6).
 * PLACEHOLDER until the wire encoder lands: reports "not encodable". */
#include "program_int.h"

vy_status vy_canon_fingerprint(const vy_program *p, uint8_t out[32], bool *encodable, vy_error *err) {
  (void)p;
  (void)out;
  (void)err;
  *encodable = false;
  return VY_OK;
}
