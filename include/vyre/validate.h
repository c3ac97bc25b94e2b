/* validate.h - the program validator (vyre-ir.md §5).
 *
 * Every rule of vyre's validator, with vyre's V-code where it has one and a
 * stable vyre-jit code "X0nn" where it has none (the table is in README.md).
 * Errors and warnings are kept apart. Traversal uses explicit stacks, so the
 * limits (8192 statements, nesting 64, expression depth 128) are enforced
 * without deep recursion whatever the input.
 */
#ifndef VYRE_VALIDATE_H
#define VYRE_VALIDATE_H

#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vy_host_registry; /* host.h: host-op registry (Call resolution) */

typedef struct vy_validate_options {
  bool allow_shadowing;                        /* V008 off */
  bool supports_subgroup_ops;                  /* V041 off */
  bool supports_collectives;                   /* V046 off for supported collectives */
  const struct vy_host_registry *host_ops;     /* NULL: Call checks skipped (vyre: no DialectLookup) */
  const bool *cast_targets;                    /* NULL: every cast target accepted; else indexed
                                                  by vy_type_kind, false = V034 */
} vy_validate_options;

/* vyre's defaults (§5): nothing allowed, no backend, no registry. */
void vy_validate_options_default(vy_validate_options *o);

typedef struct vy_diagnostic {
  bool warning;        /* false = error */
  char code[8];        /* "V008", "X003", ... */
  vy_srcloc loc;       /* of the offending node/expression when known */
  char path[128];      /* node path, e.g. "entry[0].body[2].then[0]" */
  char message[512];   /* ends with "Fix: ..." */
} vy_diagnostic;

typedef struct vy_diagnostics vy_diagnostics;

/* Validates `p`. On VY_OK *out holds the (possibly empty) diagnostics list,
 * which the caller frees with vy_diagnostics_destroy; the status is VY_OK even
 * when the program has errors: ask vy_diagnostics_error_count. Only resource
 * failures (VY_E_NOMEM) fail the call. `opts` may be NULL (defaults). */
vy_status vy_validate(const vy_program *p, const vy_validate_options *opts, const vy_allocator *alloc,
                      vy_diagnostics **out, vy_error *err);

size_t vy_diagnostics_count(const vy_diagnostics *d);
size_t vy_diagnostics_error_count(const vy_diagnostics *d);
const vy_diagnostic *vy_diagnostics_get(const vy_diagnostics *d, size_t i);
void vy_diagnostics_destroy(vy_diagnostics *d);

#ifdef __cplusplus
}
#endif
#endif
