/** @file
 * validate.h - the program validator (vyre-ir.md §5).
 *
 * Every rule of vyre's validator, with vyre's V-code where it has one and a
 * stable vyre-jit code "X0nn" where vyre prints none. The full table (code,
 * rule, vyre source) is docs/validation-rules.md; codes are never reused.
 * Errors and warnings are kept apart (vy_diagnostic.warning). Statements are
 * walked with an explicit heap stack and expressions with a recursion that
 * stops at the depth limit, so the limits (8192 statements, nesting 64,
 * expression depth 128) are enforced whatever the input depth.
 *
 * Like vyre, validation does not stop at the first error: the program is
 * walked once, pre-order, and every violation is reported in that order
 * (program-level rules first, then the statement tree, then the self-exclusive
 * region, linear-type and shape-predicate rules).
 */
#ifndef VYRE_VALIDATE_H
#define VYRE_VALIDATE_H

#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vy_host_registry; /**< host.h: host-op registry (Call resolution) */

typedef struct vy_validate_options {
  bool allow_shadowing;                    /**< V008 off (V032 still applies) */
  bool supports_subgroup_ops;              /**< V041 off */
  bool supports_collectives;               /**< the "no backend support" form of V046 off */
  const struct vy_host_registry *host_ops; /**< NULL: Call checks skipped (vyre: no DialectLookup);
                                              else V016/V020/V021/V022 against its signatures */
  const bool *cast_targets;                /**< NULL: every cast target accepted; else an array of
                                              VY_TYPE_COUNT flags indexed by vy_type_kind,
                                              false = the backend cannot cast to it (V034) */
} vy_validate_options;

/** vyre's defaults (§5): no shadowing, no subgroup ops, no collectives, no
 * registry, every cast target. `o` must not be NULL. */
void vy_validate_options_default(vy_validate_options *o);

#define VY_DIAG_PATH_MAX 256    /**< size of vy_diagnostic.path, NUL included */
#define VY_DIAG_MESSAGE_MAX 512 /**< size of vy_diagnostic.message, NUL included */

/** One finding of the validator: an error or a warning, with its rule code. */
typedef struct vy_diagnostic {
  bool warning;                      /**< false = error */
  char code[8];                      /**< "V008", "X003", ... */
  vy_srcloc loc;                     /**< of the offending expression, else its statement or buffer;
                                        0,0 when unknown (programs built in C or decoded) */
  char path[VY_DIAG_PATH_MAX];       /**< where: "entry[0].body[2].then[0]" for a statement, with
                                        ".value"/".cond"/... for one of its expressions,
                                        "buffers[3]", "workgroup_size[1]", or "" for the whole
                                        program; truncated with "..." when longer */
  char message[VY_DIAG_MESSAGE_MAX]; /**< what is wrong; ends with "Fix: ..." */
} vy_diagnostic;

/** The validator's findings, in report order (opaque; vy_diagnostics_get). */
typedef struct vy_diagnostics vy_diagnostics;

/** Validates `p` against every rule. On VY_OK *out holds the (possibly empty)
 * diagnostics list, allocated with `alloc` (NULL = malloc) and owned by the
 * caller, who frees it with vy_diagnostics_destroy. The status is VY_OK even
 * when the program has errors: ask vy_diagnostics_error_count. Only resource
 * failures fail the call: VY_E_NOMEM (with *out NULL and nothing leaked), or
 * VY_E_INVALID_ARGUMENT for a NULL `p` or `out`. `opts` may be NULL (vyre's
 * defaults). Time and memory are linear in the program size, counted as a
 * tree (an expression the builder shares is checked once per use).
 * Thread-safety: reads `p` only; any number of threads may validate the same
 * program at once. */
vy_status vy_validate(const vy_program *p, const vy_validate_options *opts, const vy_allocator *alloc,
                      vy_diagnostics **out, vy_error *err);

/**@{*/
/** Number of diagnostics (errors + warnings), of errors only, and of warnings.
 * NULL counts as an empty list. */
size_t vy_diagnostics_count(const vy_diagnostics *d);
size_t vy_diagnostics_error_count(const vy_diagnostics *d);
size_t vy_diagnostics_warning_count(const vy_diagnostics *d);
/**@}*/
/** The i-th diagnostic in report order, or NULL when i is out of range. The
 * pointer lives as long as the list. */
const vy_diagnostic *vy_diagnostics_get(const vy_diagnostics *d, size_t i);
/** Turns the first error of `d` into *err (code VY_E_INVALID_PROGRAM, rule =
 * its code, line/col = its loc, message "CODE at PATH (error 1 of N): text
 * Fix: ...") and returns VY_E_INVALID_PROGRAM; returns VY_OK and leaves *err
 * alone when there is no error. `err` may be NULL. */
vy_status vy_diagnostics_first_error(const vy_diagnostics *d, vy_error *err);
/** Frees the list. NULL is a no-op. */
void vy_diagnostics_destroy(vy_diagnostics *d);

#ifdef __cplusplus
}
#endif
#endif
