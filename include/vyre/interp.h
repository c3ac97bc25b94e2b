/** @file
 * interp.h - the reference interpreter (vyre-ir.md §2-§4).
 *
 * Runs a program with vyre's reference semantics (the vyre-reference crate's
 * hashmap interpreter) bit for bit: the same preparation (top-level Region
 * checks and wrapping, single-rank collective lowering, validation with
 * default options), input binding, dispatch grid, round-robin statement
 * scheduling in lane order, barriers, subgroup snapshots, operator tables,
 * f32 canonicalization, out-of-bounds rules and runtime errors. It is the
 * oracle every compiled backend is compared with.
 *
 * Inputs are byte slices, one per *logical input buffer* in declaration
 * order: every buffer that is not Workgroup and not a backend-allocated
 * output (is_output, WriteOnly, or pipeline_live_out + ReadWrite). Legacy
 * mode, as vyre: when the number of inputs equals the number of non-workgroup
 * buffers (and not the logical count), one slice is consumed per
 * non-workgroup buffer and those given for backend-allocated outputs are
 * ignored. Each input must hold at least count * stride bytes and may be
 * longer (BufLen and bounds checks see the real length).
 *
 * Outputs are the final bytes of every non-workgroup buffer that is a
 * backend-allocated output or has ReadWrite access, in declaration order,
 * sliced by output_byte_range when that range is valid.
 *
 * Errors: VY_E_INVALID_ARGUMENT (API misuse), VY_E_INVALID_PROGRAM (the
 * program fails the §4.1 checks, collective lowering or validation; the
 * message starts "program failed IR validation: " for validator errors),
 * VY_E_RUNTIME (every runtime error of the reference: trap, i32 division by
 * zero, shadowing, bad input sizes, non-uniform barrier, ...; the message
 * names the node path, the text location when known, and the invocation),
 * VY_E_TIMEOUT (the step budget or the timeout ran out), VY_E_NOMEM (allocation failed or a
 * memory limit of the options was exceeded). Nothing aborts the process.
 */
#ifndef VYRE_INTERP_H
#define VYRE_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "ir.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One input buffer's initial bytes (borrowed for the duration of the call). */
typedef vy_input vy_interp_input;

#define VY_INTERP_DEFAULT_MAX_MEMORY ((uint64_t)4 << 30) /**< 4 GiB */

/** Limits of one interpreter run; vy_interp_options_default fills them. */
typedef struct vy_interp_options {
  uint64_t step_budget;      /**< statement steps over the whole run; 0 = unlimited */
  uint64_t max_memory_bytes; /**< cap on bytes for buffers and per-invocation state;
                                0 = VY_INTERP_DEFAULT_MAX_MEMORY */
  uint64_t timeout_ns;       /**< wall-clock limit of the run (CLOCK_MONOTONIC, checked every
                                4096 steps); 0 = none; VY_E_TIMEOUT when it passes */
} vy_interp_options;

/** Fills the defaults: no step budget, default memory cap, no timeout. */
void vy_interp_options_default(vy_interp_options *o);

/** The returned buffers. Filled by a successful run; freed with
 * vy_interp_outputs_free. */
typedef struct vy_interp_outputs {
  size_t count;              /**< number of output buffers */
  vy_bytes *items;           /**< count entries, each owning its bytes */
  const vy_allocator *alloc; /**< allocator of `items` (copied pointer) */
  uint64_t steps;            /**< statement steps executed (all invocations) */
  uint64_t invocations;      /**< invocations created (all workgroups) */
} vy_interp_outputs;

/** Frees every output and resets the struct. NULL is a no-op. */
void vy_interp_outputs_free(vy_interp_outputs *out);

/** A program prepared for execution: checked, lowered, validated and compiled
 * once, then executed any number of times. Immutable after preparation, so
 * concurrent vy_interp_execute calls on one prepared program are safe. */
typedef struct vy_interp_prepared vy_interp_prepared;

/** Prepares `p` (borrowed: it must outlive the prepared program, as must
 * `host`; `alloc` must stay valid while the prepared program or any outputs
 * it returned live, since outputs are freed through it). `host` may be NULL: every Call is then a runtime error, as in vyre
 * without a DialectLookup; when given, validation also checks calls against
 * it. `alloc` may be NULL (malloc). On error *out is NULL. */
vy_status vy_interp_prepare(const vy_program *p, const vy_host_registry *host, const vy_allocator *alloc,
                            vy_interp_prepared **out, vy_error *err);

/** Runs a prepared program. `inputs` may be NULL when ninputs is 0; `opts`
 * may be NULL (defaults). On success *out owns the outputs (allocated with
 * the allocator given to vy_interp_prepare); on error *out is empty. */
vy_status vy_interp_execute(const vy_interp_prepared *pp, const vy_interp_input *inputs, size_t ninputs,
                            const vy_interp_options *opts, vy_interp_outputs *out, vy_error *err);

/** Frees a prepared program. NULL is a no-op. */
void vy_interp_prepared_destroy(vy_interp_prepared *pp);

/** prepare + execute + destroy in one call. */
vy_status vy_interp_run(const vy_program *p, const vy_interp_input *inputs, size_t ninputs,
                        const vy_host_registry *host, const vy_interp_options *opts, const vy_allocator *alloc,
                        vy_interp_outputs *out, vy_error *err);

#ifdef __cplusplus
}
#endif
#endif
