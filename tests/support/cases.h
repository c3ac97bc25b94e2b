/* cases.h - the case corpus (every .vy file below tests/cases/): loading a case file and
 * checking it against a backend.
 *
 * A case is one text-format program whose leading comment lines carry
 * `# >>> ` directives: the inputs, the expected outputs or the expected
 * error, flags and tags. tests/cases/README.md documents the format. The
 * loader and checker here are backend-neutral: test_cases.c runs every case
 * on the reference interpreter, and a compiled backend's test runs the same
 * files through its own vy_case_backend.
 *
 * Memory: everything here is plain malloc (test support); a loaded case
 * owns all its parts and is freed by vy_case_free. Nothing is global; the
 * functions are reentrant.
 */
#ifndef VY_TEST_CASES_H
#define VY_TEST_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vyre/host.h"
#include "vyre/interp.h"
#include "vyre/ir.h"
#include "vyre/status.h"

/* One `input` or `expect` directive: the buffer name, the declaration it
 * refers to (NULL for an unchecked input that names no buffer), the spec as
 * written and the bytes it denotes. */
typedef struct vy_case_value {
  char *name;
  const vy_buffer_decl *decl;
  char *spec;
  uint32_t line; /* line of the directive in the case file */
  uint8_t *bytes;
  size_t len;
} vy_case_value;

typedef struct vy_case {
  char *path;   /* the file, as given to vy_case_load */
  char *source; /* its whole text (NUL-terminated) */
  size_t source_len;
  vy_program *program; /* parsed from `source` */

  vy_case_value *inputs; /* in directive order = binding order */
  size_t ninputs;
  vy_case_value *expects; /* one per returned output buffer, in order */
  size_t nexpects;

  bool expect_error; /* `expect-error CODE ["text"]` */
  vy_status error_code;
  char *error_text; /* substring the message must contain; NULL = any */

  bool race;             /* result depends on the reference interleaving */
  bool no_validate;      /* run without the validator (reaches runtime errors) */
  bool no_wire;          /* no wire round trip: vyre's encoder refuses the program,
                            or its decoder refuses the blob */
  bool inputs_unchecked; /* input names are not matched against the buffers */
  uint64_t step_budget;  /* 0 = unlimited */
  char **tags;
  size_t ntags;
  vy_host_registry *host; /* the corpus host ops, when `host` is given */
} vy_case;

/* Loads and checks a case file: directives, program, input/output names
 * against the program's buffers, specs against the element types. `@FILE`
 * specs are read relative to the case file's directory. On failure returns
 * VY_E_PARSE (a malformed case: the message names path:line), VY_E_IO or
 * VY_E_NOMEM with *out NULL. */
vy_status vy_case_load(const char *path, vy_case **out, vy_error *err);
void vy_case_free(vy_case *c);

/* True when the case carries the tag. */
bool vy_case_has_tag(const vy_case *c, const char *tag);

/* A backend as the checker sees it. `run` executes the case's program on
 * the given inputs (honouring c->no_validate, c->host and c->step_budget as
 * far as the backend can) and fills `out` like vy_interp_execute. */
typedef struct vy_case_backend {
  const char *name;
  bool compiled;               /* true: outputs of `race` cases are not compared */
  uint32_t transcendental_ulp; /* f32 tolerance for cases tagged `transcendental` */
  vy_status (*run)(void *ud, const vy_case *c, const vy_interp_input *inputs, size_t ninputs, vy_interp_outputs *out,
                   vy_error *err);
  void *ud;
} vy_case_backend;

/* The reference interpreter as a backend (bit-exact, not compiled). */
const vy_case_backend *vy_case_reference_backend(void);

/* Runs the case on `be` and compares: outputs byte for byte (f32 outputs of
 * `transcendental` cases within be->transcendental_ulp), or the error status
 * and message substring. Returns true when it passes; otherwise appends a
 * report (file name, what differs, expected and actual lines) to *report
 * (a malloc'ed NUL-terminated string the caller frees; may already hold
 * text). */
bool vy_case_check(const vy_case *c, const vy_case_backend *be, char **report);

/* text -> program -> wire -> program -> text: the fingerprint stays the same
 * at every step, wire re-encodes byte-identically and the printed text is a
 * fixed point. For `no-wire` cases checks instead that the encoder refuses
 * the program (VY_E_ENCODE, no fingerprint) or the decoder refuses its blob
 * (VY_E_DECODE: an extension kind without a resolver). Same report convention as vy_case_check. */
bool vy_case_check_roundtrip(const vy_case *c, char **report);

/* Every *.vy file below `root`, recursively, sorted by path. Returns the
 * count and sets *paths (free with vy_case_paths_free), or -1 on error. */
long vy_case_find(const char *root, char ***paths);
void vy_case_paths_free(char **paths, long n);

/* Writes the corpus directory into buf and returns buf:
 * $VY_SOURCE_DIR/tests/cases, else "cases" (the tests' working directory is
 * tests/). */
const char *vy_case_root(char *buf, size_t cap);

#endif
