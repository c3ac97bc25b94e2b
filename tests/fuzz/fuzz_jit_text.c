/* fuzz_jit_text.c - libFuzzer driver for the validator and for both
 * backends on ARBITRARY programs (issue 10 §4): where fuzz_jit compares
 * llvm-cpu with the reference on generated race-free programs, this one
 * takes whatever the text parser accepts, so hostile shapes reach the
 * validator, the interpreter and the JIT.
 *
 * The input is a .vy program. When it parses:
 *   - vy_validate runs twice (vyre's defaults, then with subgroups and
 *     shadowing allowed) and must be deterministic (same counts and first
 *     error on a second run); every error message carries a Fix: hint;
 *   - when it validates (second option set), the reference runs it with a
 *     step budget and a 64 MiB memory cap, and llvm-cpu compiles and runs
 *     it with a 2 s timeout, both on empty inputs (binding errors are fine);
 *     each must succeed or fail with a documented status and a Fix: hint:
 *     never crash, hang, leak or touch memory outside its buffers (the
 *     build's ASan covers the library; compiled code is checked by the
 *     guard-page corpus run, test_jit_cases_guard);
 *   - outputs are NOT compared: arbitrary programs may race, which the
 *     llvm-cpu contract excludes (README); fuzz_jit compares race-free ones.
 * abort() marks a violated property so libFuzzer keeps the input.
 *
 * Seeds: tests/fuzz/corpus/jit_text/ (case-corpus programs). Run:
 *   build-fuzz/fuzz_jit_text -max_total_time=300 tests/fuzz/corpus/jit_text
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vyre/interp.h"
#include "vyre/jit.h"
#include "vyre/text.h"
#include "vyre/validate.h"
#include "vyre/vyre.h"

static vy_context *g_ctx;
static vy_backend *g_cpu;

static void open_once(void) {
  if (g_ctx) return;
  setenv("VYRE_JIT_CACHE", "off", 1); /* every input compiles; nothing lands on disk */
  setenv("VYRE_JIT_VERIFY", "1", 1);    /* a lowering bug as invalid IR: an error, not a wrong result */
  vy_context_options o;
  vy_context_options_init(&o);
  o.threads = 1;
  if (vy_context_create(&o, &g_ctx, NULL) != VY_OK || vy_jit_register_backends(g_ctx) != VY_OK ||
      vy_backend_open(g_ctx, "llvm-cpu", &g_cpu, NULL) != VY_OK)
    abort();
}

static void need_fix(const vy_error *e) {
  if (!strstr(e->message, "Fix:")) abort();
}

/* Validates twice with the same options: the findings must be the same. */
static size_t validate(const vy_program *p, const vy_validate_options *o) {
  vy_diagnostics *d1 = NULL, *d2 = NULL;
  if (vy_validate(p, o, NULL, &d1, NULL) != VY_OK || vy_validate(p, o, NULL, &d2, NULL) != VY_OK) abort();
  size_t n = vy_diagnostics_error_count(d1);
  if (n != vy_diagnostics_error_count(d2) || vy_diagnostics_warning_count(d1) != vy_diagnostics_warning_count(d2))
    abort();
  if (n) {
    vy_error e1, e2;
    vy_diagnostics_first_error(d1, &e1);
    vy_diagnostics_first_error(d2, &e2);
    if (strcmp(e1.message, e2.message) != 0) abort();
    need_fix(&e1);
  }
  vy_diagnostics_destroy(d1);
  vy_diagnostics_destroy(d2);
  return n;
}

static bool documented(vy_status st) {
  return st == VY_OK || st == VY_E_RUNTIME || st == VY_E_INVALID_PROGRAM || st == VY_E_UNSUPPORTED ||
         st == VY_E_TIMEOUT || st == VY_E_NOMEM || st == VY_E_DISPATCH_FAILED;
}

/* Declared buffers small enough that backend-allocated outputs stay far
 * below libFuzzer's malloc limit (a 4 GiB output is legal but not news). */
static bool small_buffers(const vy_program *p) {
  for (uint32_t b = 0; b < vy_program_buffer_count(p); b++)
    if (vy_program_buffer(p, b)->count > (1u << 20)) return false;
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 16384) return 0;
  open_once();
  vy_program *p = NULL;
  if (vy_text_parse((const char *)data, size, "fuzz", NULL, &p, NULL) != VY_OK) return 0;
  vy_validate_options vo;
  vy_validate_options_default(&vo);
  validate(p, &vo);
  vo.supports_subgroup_ops = vo.allow_shadowing = true;
  if (validate(p, &vo) == 0 && small_buffers(p)) {
    vy_interp_options io;
    vy_interp_options_default(&io);
    io.step_budget = 20000;
    io.max_memory_bytes = 64u << 20;
    vy_interp_outputs ro;
    vy_error e;
    vy_status st = vy_interp_run(p, NULL, 0, NULL, &io, NULL, &ro, &e);
    if (!documented(st)) abort();
    if (st != VY_OK) need_fix(&e);
    vy_interp_outputs_free(&ro);
    vy_dispatch_config cfg;
    vy_dispatch_config_default(&cfg);
    cfg.timeout_ns = 2000000000u;
    vy_outputs co;
    st = vy_dispatch(g_cpu, p, NULL, 0, &cfg, &co, &e);
    if (!documented(st)) abort();
    if (st != VY_OK) need_fix(&e);
    vy_outputs_free(&co);
  }
  vy_program_destroy(p);
  return 0;
}
