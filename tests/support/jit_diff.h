/* jit_diff.h - a compiled backend against the reference interpreter on the
 * differential generator's programs (diffgen.h): the comparison every
 * compiled backend's test shares (test_jit_cases.c for llvm-cpu,
 * test_jit_cuda.c for cuda).
 *
 * Outputs must equal the interpreter's byte for byte, except f32 outputs of
 * programs with transcendentals, which must be within the target's ULP
 * bound; errors must have the same status. The generator's last error
 * group (constructs a compiled backend may refuse, VY_DIFFGEN_ERR_UNSUPPORTED)
 * agrees when the backend refuses it with VY_E_UNSUPPORTED.
 *
 * Memory: malloc (test support). Reentrant.
 */
#ifndef VY_JIT_DIFF_H
#define VY_JIT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cases.h"
#include "diffgen.h"
#include "vyre/backend.h"

typedef struct vy_diff_target {
  const char *name;
  /* Compiles p (validated) into a kernel handle of the backend. */
  vy_status (*compile)(void *ud, const vy_program *p, vy_kernel **out, vy_error *err);
  void *ud;
  uint32_t transcendental_ulp; /* f32 tolerance of outputs of programs with transcendentals */
  bool may_refuse;             /* VY_E_UNSUPPORTED from compile is a refusal (counted), not a mismatch */
} vy_diff_target;

typedef enum vy_diff_result {
  VY_DIFF_AGREE,   /* same status, equal outputs */
  VY_DIFF_REFUSED, /* the target refused the program (may_refuse) */
  VY_DIFF_MISMATCH /* different status or outputs */
} vy_diff_result;

/* Generates the program of `seed` with options `o`, runs it on the
 * interpreter and on `t` and compares. For MISMATCH and REFUSED, *report
 * (may be NULL) gets a malloc'ed text: the case, both results, the program
 * (MISMATCH) or the refusal message (REFUSED). Generator failures are
 * MISMATCH with the generator's message. */
vy_diff_result vy_diff_run(uint64_t seed, const vy_diffgen_options *o, const vy_diff_target *t, char **report);

/* Corpus cases where a compiled backend documents another behaviour than
 * the reference: the round-robin timing corners both compiled backends
 * share (include/vyre/jit.h, jit/lower_cpu.c) and cuda's FTZ rounding
 * (README). When `path` ends in one that applies to `backend` ("llvm-cpu",
 * "cuda", ...), returns true with the status the backend must give and
 * why. */
bool vy_jit_case_deviation(const char *backend, const char *path, vy_status *status, const char **why);

/* Runs case `c` on `be` with the case's inputs and returns the status
 * (outputs discarded; VY_E_NOMEM when the input array cannot be made):
 * what a documented deviation is checked by. */
vy_status vy_jit_case_status(const vy_case *c, const vy_case_backend *be, vy_error *err);

/* $VY_DIFF_SEEDS, else `dflt`: generated programs per option set. */
unsigned vy_diff_seeds(unsigned dflt);

/* The case of the fuzz input file named by $VY_DIFF_REPLAY (a libFuzzer
 * artifact of fuzz_jit or fuzz_interp, decoded by vy_diffgen_from_bytes):
 * true with its seed and options; false when the variable is unset or
 * empty. A file that cannot be read ends the test program (exit status 2,
 * with a message): a replay that runs nothing must not pass. */
bool vy_diff_replay(uint64_t *seed, vy_diffgen_options *o);

#endif
