/* fuzz_interp.c - libFuzzer driver for the reference interpreter, over
 * programs from the differential-testing generator (tests/support/diffgen.h).
 *
 * The fuzz input chooses the case: bytes 0-7 the seed (little-endian),
 * bytes 8-9 feature bits (a set bit turns a feature off, bits 11-12 turn
 * transcendentals and runtime errors on), bytes 10-13 the statement budget,
 * the nesting and expression depths and the invocation cap; missing bytes
 * read as zero. For the generated program and inputs it checks:
 *   - generation succeeds and the program passes vy_validate (default
 *     options + subgroup support);
 *   - the reference run succeeds, or fails with VY_E_RUNTIME (with a Fix:
 *     hint) exactly when the case was built to fail;
 *   - it is deterministic (a second run gives the same bytes) and race-free:
 *     lanes reversed, workgroups reversed and run-to-block (not for programs
 *     with subgroup ops, which need the reference's rounds) give the same
 *     status and outputs (interp_int.h vy_interp_sched);
 *   - a text and a wire round trip give the same status and outputs;
 *   - no crash, leak or sanitizer report (the build flags).
 * A violation prints the case's description and abort()s so that libFuzzer
 * keeps the input. The compiled backends are compared here too once they
 * exist: run the same case on the backend and compare with the reference
 * outputs (bit-exact, or within the ULP bound when the case has the
 * VY_DIFFGEN_F_TRANSCENDENTAL feature).
 *
 * Fuzz targets link only libvyre, so the generator's sources are compiled
 * into this driver. Build: CC=clang-19 cmake -DVY_FUZZ=ON
 * -DVY_SANITIZE=address,undefined -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link;
 * run: fuzz_interp WORK_DIR tests/fuzz/corpus/interp -max_len=16
 * (or scripts/fuzz.sh SECONDS fuzz_interp).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/diffgen.c"
#include "../support/diffgen_expr.c"
#include "../support/diffgen_plan.c"
#include "interp_int.h"
#include "vyre/text.h"
#include "vyre/validate.h"
#include "vyre/wire.h"

#define STEP_BUDGET 20000000u
#define MAX_INPUTS 16u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const vy_diffgen_case *c, const char *what, const vy_error *err) {
  fprintf(stderr, "fuzz_interp: %s%s%s\n  case: %s\n", what, err ? ": " : "", err ? err->message : "",
          c ? c->description : "-");
  abort();
}

static vy_status run(const vy_diffgen_case *c, const vy_program *p, const vy_interp_sched *s, vy_interp_outputs *out,
                     vy_error *err) {
  memset(out, 0, sizeof *out);
  vy_interp_input in[MAX_INPUTS];
  if (c->ninputs > MAX_INPUTS) die(c, "more inputs than the driver expects", NULL);
  for (size_t i = 0; i < c->ninputs; i++) in[i] = (vy_interp_input){c->inputs[i].data, c->inputs[i].len};
  vy_interp_prepared *pp = NULL;
  vy_status st = vy_interp_prepare(p, NULL, NULL, &pp, err);
  if (st != VY_OK) return st;
  vy_interp_options o;
  vy_interp_options_default(&o);
  o.step_budget = STEP_BUDGET;
  st = vy_interp_execute_sched(pp, in, c->ninputs, &o, s, out, err);
  vy_interp_prepared_destroy(pp);
  return st;
}

static bool same(const vy_interp_outputs *a, const vy_interp_outputs *b) {
  if (a->count != b->count) return false;
  for (size_t i = 0; i < a->count; i++)
    if (a->items[i].len != b->items[i].len ||
        (a->items[i].len && memcmp(a->items[i].data, b->items[i].data, a->items[i].len)))
      return false;
  return true;
}

static void expect_same(const vy_diffgen_case *c, const vy_program *p, const vy_interp_sched *s, vy_status st0,
                        const vy_interp_outputs *ref, const char *what) {
  vy_interp_outputs o;
  vy_error err;
  vy_status st = run(c, p, s, &o, &err);
  if (st != st0) die(c, what, st ? &err : NULL);
  if (!same(ref, &o)) die(c, what, NULL);
  vy_interp_outputs_free(&o);
}

static void check_validates(const vy_diffgen_case *c) {
  vy_validate_options vo;
  vy_validate_options_default(&vo);
  vo.supports_subgroup_ops = true;
  vy_diagnostics *d = NULL;
  vy_error err;
  if (vy_validate(c->program, &vo, NULL, &d, &err) != VY_OK) die(c, "vy_validate", &err);
  if (vy_diagnostics_first_error(d, &err) != VY_OK) die(c, "invalid program", &err);
  vy_diagnostics_destroy(d);
}

static void check_round_trips(const vy_diffgen_case *c, vy_status st0, const vy_interp_outputs *ref) {
  vy_bytes t, w;
  vy_program *q = NULL;
  vy_error err;
  if (vy_text_print(c->program, NULL, &t, &err) != VY_OK) die(c, "print", &err);
  if (vy_text_parse((const char *)t.data, t.len, "fuzz.vy", NULL, &q, &err) != VY_OK) die(c, "parse", &err);
  expect_same(c, q, NULL, st0, ref, "text round trip");
  vy_program_destroy(q);
  vy_bytes_free(&t);
  if (vy_wire_encode(c->program, NULL, &w, &err) != VY_OK) die(c, "encode", &err);
  if (vy_wire_decode(w.data, w.len, NULL, &q, &err) != VY_OK) die(c, "decode", &err);
  expect_same(c, q, NULL, st0, ref, "wire round trip");
  vy_program_destroy(q);
  vy_bytes_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint64_t seed;
  vy_diffgen_options o;
  vy_diffgen_from_bytes(data, size, &seed, &o);
  vy_diffgen_case c;
  vy_error err;
  if (vy_diffgen_make(seed, &o, NULL, &c, &err) != VY_OK) die(NULL, "vy_diffgen_make", &err);
  check_validates(&c);
  vy_interp_outputs ref;
  vy_status st = run(&c, c.program, NULL, &ref, &err);
  if (c.expect_error && (st != VY_E_RUNTIME || !strstr(err.message, "Fix:")))
    die(&c, "expected a runtime error", st ? &err : NULL);
  if (!c.expect_error && st != VY_OK) die(&c, "run failed", &err);
  static const vy_interp_sched SCHEDS[] = {{false, false, false}, {true, false, false}, {false, true, false},
                                           {true, true, false},   {false, false, true}, {true, true, true}};
  for (size_t i = 0; i < sizeof SCHEDS / sizeof *SCHEDS; i++) {
    if (SCHEDS[i].run_to_block && (c.features & VY_DIFFGEN_F_SUBGROUP)) continue;
    expect_same(&c, c.program, &SCHEDS[i], st, &ref, "another interleaving");
  }
  check_round_trips(&c, st, &ref);
  vy_interp_outputs_free(&ref);
  vy_diffgen_case_free(&c);
  return 0;
}
