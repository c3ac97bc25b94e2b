/* fuzz_jit.c - libFuzzer driver for the differential check of the
 * "llvm-cpu" backend against the "reference" backend (the interpreter),
 * over programs from the differential-testing generator
 * (tests/support/diffgen.h).
 *
 * The fuzz input chooses the case exactly as fuzz_interp.c does: bytes 0-7
 * the seed (little-endian), bytes 8-9 feature bits (a set bit turns a
 * feature off, bits 11-12 turn transcendentals and runtime errors on),
 * bytes 10-13 the statement budget, the nesting and expression depths and
 * the invocation cap; missing bytes read as zero. For the generated program
 * and inputs both backends must give:
 *   - the same status (a case built to raise an error the generator marks
 *     VY_DIFFGEN_ERR_UNSUPPORTED may be refused by llvm-cpu instead);
 *   - bit-identical outputs, except the f32 outputs of programs with
 *     transcendentals, which must be within 4 ULP (include/vyre/jit.h), compared
 *     as tests/support/ulp_compare.h says (outputs may be windows of a buffer).
 * A VY_E_UNSUPPORTED refusal from llvm-cpu is accepted when it is one that
 * include/vyre/jit.h documents (refusals[] below, the same phrases as
 * tests/test_jit_cases.c plus the two run-time refusals); any other
 * refusal is a finding. A finding prints both results, the case's
 * description and its program text, then abort()s so libFuzzer keeps the
 * input.
 *
 * VY_FUZZ_BACKEND=cuda fuzzes the cuda backend the same way on a GPU
 * machine (the interpreter-vs-cuda campaign of issue 10 §4); there any
 * VY_E_UNSUPPORTED refusal with a Fix: hint is accepted (test_jit_cuda
 * counts cuda's refusals the same way), and everything else must agree.
 *
 * One context with both backends lives for the whole process (created on
 * the first input, never destroyed: libFuzzer exits without a hook), so an
 * input costs one LLVM compile. The disk kernel cache is switched off
 * (VYRE_JIT_CACHE=off) so fuzzing never grows ~/.cache.
 *
 * Fuzz targets link no test support, so the generator's sources are
 * compiled into this driver. Build: scripts/fuzz.sh (-DVY_FUZZ=ON
 * -DVY_WITH_JIT=ON, clang-19, ASan+UBSan); run: scripts/fuzz.sh SECONDS
 * fuzz_jit (corpus tests/fuzz/corpus/jit).
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/diffgen.c"
#include "../support/diffgen_expr.c"
#include "../support/diffgen_plan.c"
#include "../support/ulp_compare.c"
#include "vyre/backend.h"
#include "vyre/context.h"
#include "vyre/jit.h"
#include "vyre/text.h"

#define MAX_INPUTS 16u
#define ULP_BOUND 4u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vy_backend *g_ref, *g_cpu; /* one pair for the whole process */
static const char *g_name = "llvm-cpu"; /* the compiled backend under test (VY_FUZZ_BACKEND) */

static void setup_once(void) {
  if (g_cpu) return;
  setenv("VYRE_JIT_CACHE", "off", 1);
  setenv("VYRE_JIT_VERIFY", "1", 1); /* a lowering bug as invalid IR: an error, not a wrong result */
  const char *name = getenv("VY_FUZZ_BACKEND");
  if (name && *name) g_name = name;
  vy_context_options o;
  vy_context_options_init(&o);
  o.threads = 2;
  vy_context *ctx = NULL;
  vy_error err;
  vy_status st = vy_context_create(&o, &ctx, &err);
  if (st == VY_OK && vy_jit_register_backends(ctx) != VY_OK) {
    fprintf(stderr, "fuzz_jit: vy_jit_register_backends failed\n");
    abort();
  }
  if (st == VY_OK) st = vy_backend_open(ctx, "reference", &g_ref, &err);
  if (st == VY_OK) st = vy_backend_open(ctx, g_name, &g_cpu, &err);
  if (st != VY_OK) {
    fprintf(stderr, "fuzz_jit: cannot set up the backends: %s\n", err.message);
    abort();
  }
}

/* The refusals include/vyre/jit.h documents, by a phrase of their message. */
static const char *const refusals[] = {
    "does not support operation",                   /* indirect dispatch, resume, opaque nodes */
    "bytes buffer",                                 /* variable-length values */
    "f64 buffer",                                   /* unnarrowed f64 values */
    "exceed 16 bytes",                              /* wide values */
    "different runtime kinds",                      /* a select of two kinds */
    "changes the runtime kind",                     /* an assignment of another kind */
    "inside a subgroup operand",                    /* atomics and calls inside subgroup operands */
    "when its bounds differ across the workgroup",  /* run time: barrier/subgroup Loop, divergent bounds */
    "subgroup operations under an If whose condition differs", /* run time: divergent subgroup If */
};

static bool documented_refusal(const char *message) {
  if (strcmp(g_name, "llvm-cpu") != 0) return true; /* another backend: any refusal with a Fix: hint */
  for (size_t i = 0; i < sizeof refusals / sizeof *refusals; i++)
    if (strstr(message, refusals[i])) return true;
  return false;
}

static void die(const vy_diffgen_case *c, const char *what, vy_status rst, const vy_error *rerr, vy_status cst,
                const vy_error *cerr) {
  vy_bytes text = {0};
  vy_error e2;
  if (vy_text_print(c->program, NULL, &text, &e2) != VY_OK) text.data = NULL;
  fprintf(stderr, "fuzz_jit: %s\n  case: %s\n  reference: %s %s\n  %s: %s %s\n%s\n", what, c->description,
          vy_status_name(rst), rst ? rerr->message : "", g_name, vy_status_name(cst), cst ? cerr->message : "",
          text.data ? (const char *)text.data : "(program text unavailable)");
  abort();
}

/* Compares the returned buffers in order; the i-th output is the i-th
 * buffer with the returned flag. */
static void compare_outputs(const vy_diffgen_case *c, const vy_outputs *ref, const vy_outputs *got) {
  vy_error none = {0};
  if (got->count != ref->count) die(c, "llvm-cpu returns another number of outputs", VY_OK, &none, VY_OK, &none);
  size_t i = 0;
  for (uint32_t b = 0; b < vy_program_buffer_count(c->program) && i < ref->count; b++) {
    const vy_buffer_decl *d = vy_program_buffer(c->program, b);
    if (!vy_buffer_is_returned(d)) continue;
    bool ulp = (c->features & VY_DIFFGEN_F_TRANSCENDENTAL) && d->element.kind == VY_TYPE_F32;
    const vy_bytes *r = &ref->items[i], *g = &got->items[i];
    bool same = g->len == r->len && (ulp ? vy_ulp_within(g->data, r->data, r->len, d->has_output_range ? d->range_start : 0, ULP_BOUND)
                                         : (r->len == 0 || memcmp(g->data, r->data, r->len) == 0));
    if (!same) {
      size_t at = 0;
      while (at < r->len && at < g->len && g->data[at] == r->data[at]) at++;
      char what[160];
      snprintf(what, sizeof what, "output %zu (buffer %u) differs at byte %zu (lengths %zu, %zu)%s", i, b, at,
               r->len, g->len, ulp ? " beyond 4 ULP" : "");
      die(c, what, VY_OK, &none, VY_OK, &none);
    }
    i++;
  }
  if (i != ref->count) die(c, "more outputs than returned buffers", VY_OK, &none, VY_OK, &none);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  setup_once();
  uint64_t seed;
  vy_diffgen_options o;
  vy_diffgen_from_bytes(data, size, &seed, &o);
  vy_diffgen_case c;
  vy_error err;
  if (vy_diffgen_make(seed, &o, NULL, &c, &err) != VY_OK) {
    fprintf(stderr, "fuzz_jit: vy_diffgen_make: %s\n", err.message);
    abort();
  }
  vy_input in[MAX_INPUTS];
  if (c.ninputs > MAX_INPUTS) {
    fprintf(stderr, "fuzz_jit: more inputs than the driver expects\n  case: %s\n", c.description);
    abort();
  }
  for (size_t i = 0; i < c.ninputs; i++) in[i] = (vy_input){c.inputs[i].data, c.inputs[i].len};

  vy_outputs ref, got;
  memset(&ref, 0, sizeof ref);
  memset(&got, 0, sizeof got);
  vy_error rerr, cerr;
  vy_status rst = vy_dispatch(g_ref, c.program, in, c.ninputs, NULL, &ref, &rerr);
  vy_kernel *k = NULL;
  vy_status cst = vy_compile(g_cpu, c.program, NULL, &k, &cerr);
  if (cst == VY_OK) cst = vy_kernel_dispatch(k, in, c.ninputs, NULL, &got, &cerr);
  vy_kernel_destroy(k);

  bool refused = cst == VY_E_UNSUPPORTED && rst != VY_E_UNSUPPORTED;
  if (refused && !documented_refusal(cerr.message)) die(&c, "undocumented llvm-cpu refusal", rst, &rerr, cst, &cerr);
  if (refused && !strstr(cerr.message, "Fix:"))
    die(&c, "llvm-cpu refusal without a Fix: hint", rst, &rerr, cst, &cerr);
  if (!refused && cst != rst) die(&c, "llvm-cpu and the reference disagree on the status", rst, &rerr, cst, &cerr);
  if (!refused && rst == VY_OK) compare_outputs(&c, &ref, &got);

  vy_outputs_free(&got);
  vy_outputs_free(&ref);
  vy_diffgen_case_free(&c);
  return 0;
}
