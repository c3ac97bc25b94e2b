/* diffgen.h - random vyre programs that are valid, race-free and runnable,
 * with their inputs, for differential testing of compiled backends against
 * the reference interpreter (vyre-ir.md §2-§4).
 *
 * Every program is built through the public builder (builder.h) and
 *  - passes vy_validate with the default options plus supports_subgroup_ops
 *    (what the interpreter runs with), no error diagnostics (V035 narrowing
 *    warnings do occur);
 *  - runs on the reference interpreter without a runtime error, unless the
 *    case says expect_error (allow_runtime_errors), in which case the run
 *    must fail with VY_E_RUNTIME;
 *  - is race-free: its final memory does not depend on how invocations are
 *    interleaved, within a workgroup or across workgroups;
 *  - is wire-encodable and text-printable, and its f32 literals are in the
 *    wire encoder's canonical form, so a text or wire round trip does not
 *    change what it computes.
 *
 * Race-freedom discipline (what the generator does, not checked here):
 *  - Storage outputs: each output buffer has one ownership map for the whole
 *    program. Per invocation: element map(lin)*k + j (j < k) where lin is
 *    the linear global id and map a bijection (identity, reversal, xor with a
 *    constant, the transposed id, or an odd multiplier plus a constant, which
 *    is a bijection of u32); or per workgroup: one designated lane writes the
 *    elements wid_lin*k + j. Only the owner reads or writes an element,
 *    guarded by `idx < buf_len(out)` (without the guard only when allow_oob:
 *    an out-of-range store is dropped). Read-only inputs are read anywhere.
 *  - Workgroup memory: the body is cut into phases by barriers placed only in
 *    uniform control flow (top-level region lists, loops with uniform
 *    bounds, Ifs with uniform, loop-invariant conditions, each bracketed by
 *    barriers). In each phase a workgroup buffer is idle, "own" (lane l
 *    reads and writes only slots perm(l) + P*j for a bijection perm of the P
 *    lanes), "read" (any slot, no writes) or "sole" (one designated lane
 *    reads and writes it, also through async copies). The tree reduction
 *    template (C = next power of two of P slots, log2(C) rounds of
 *    `if l < s { w[l] = op(w[l], w[l + s]) }; barrier`) writes slots below s
 *    and reads slots at or above s in each round. Barrier-Ifs take only
 *    conditions built from literals, buf_len and workgroup_id, so the
 *    reference's never-cleared uniformity records (§4.6) always agree.
 *  - Atomics: atomic buffers are u32, accessed only by atomics (no plain
 *    load, store or buf_len: the validator's fusion-hazard rule). A
 *    "shared" buffer takes one commutative op (add, or, and, xor, min, max,
 *    lru_update) from any invocation at any index, and the old value it
 *    returns is bound to a let that nothing reads. An "owned" buffer follows
 *    the per-invocation ownership map; there every op (exchange and
 *    compare_exchange included) is allowed and the returned old value is
 *    used freely, because no other invocation touches the element.
 *  - Subgroup ops (subgroup_add, _ballot, _shuffle; width 32) appear only
 *    where every lane of the workgroup has executed the same statements
 *    since the program start or the last barrier (lockstep: no divergent If
 *    or Loop since, and programs with subgroup ops have no early Return),
 *    and their operands read only locals, ids, read-only inputs and
 *    workgroup buffers in "read" mode. Partial subgroups (a workgroup of P
 *    lanes, P not a multiple of 32, has a last subgroup of P mod 32 lanes)
 *    are generated on purpose: ballot sets bits only for existing lanes,
 *    subgroup_add sums existing lanes, a shuffle from a missing lane gives 0
 *    (§4.7). Lanes past the end of the data still exist and take part.
 *  - Async copies write a storage buffer that only invocation 0 touches,
 *    or a workgroup buffer in "sole" mode; each is waited for at once.
 *
 * Runtime-error freedom: the generator tracks the runtime type of every
 * expression (which can differ from the validator's static type: bitwise
 * ops and mod of i32 operands are statically u32, a bool buffer loads as
 * u32, ...) and wraps mismatches in casts; i32 division and remainder get a
 * divisor that is provably nonzero and not -1 (or a dividend that is not
 * i32::MIN); u64 -> u32 casts are clamped; indices are u32.
 *
 * Determinism: the result depends only on `seed` and the options (splitmix64
 * state local to the call), never on the allocator or the platform (except
 * that the dispatch grid uses libm's pow, as the interpreter does).
 * Thread-safety: concurrent calls share nothing.
 */
#ifndef VY_DIFFGEN_H
#define VY_DIFFGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vyre/builder.h"

typedef struct vy_diffgen_options {
  unsigned max_stmts;         /* statement budget of a program; 0 = 48 */
  unsigned max_depth;         /* statement nesting below the top-level region; 0 = 4 */
  unsigned max_expr_depth;    /* random expression depth (guards and casts add a few levels); 0 = 4 */
  unsigned max_invocations;   /* cap on the dispatch's invocations (grid x workgroup); 0 = 256, min 64 */
  bool allow_barriers;        /* barriers (needed by workgroup-memory phases and reductions) */
  bool allow_workgroup_mem;   /* workgroup buffers (without barriers: one phase only) */
  bool allow_atomics;         /* shared and owned atomic buffers */
  bool allow_subgroups;       /* subgroup_add / ballot / shuffle in lockstep code */
  bool allow_f32;             /* f32 buffers, values and ops */
  bool allow_u64;             /* u64 buffers and values */
  bool allow_i32_div;         /* i32 div and mod (with safe divisors) */
  bool allow_loops;           /* Loop statements (the reduction template needs them too) */
  bool allow_oob;             /* out-of-range loads (zero) and stores/atomics (dropped), unguarded stores */
  bool allow_early_return;    /* Return inside Ifs and at the end of regions */
  bool allow_async;           /* AsyncLoad/AsyncStore + AsyncWait */
  bool allow_transcendentals; /* sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, exp, exp2, log, log2:
                                 compiled backends may differ within a ULP bound there */
  bool allow_runtime_errors;  /* some programs (about one in three) are built to fail at run time */
} vy_diffgen_options;

/* Everything on except transcendentals and runtime errors; limits 0 (= the
 * defaults above). `o` must not be NULL. */
void vy_diffgen_options_default(vy_diffgen_options *o);

/* The case a fuzz input stands for (the fuzz drivers' encoding, shared so a
 * finding replays anywhere: VY_DIFF_REPLAY in the differential tests).
 * Bytes 0-7 are the seed (little-endian); bytes 8-9 feature bits, a set bit
 * turning one off in the order barriers, workgroup memory, atomics,
 * subgroups, f32, u64, i32 division, loops, out-of-bounds, early return,
 * async, while bits 11 and 12 turn transcendentals and runtime errors on;
 * bytes 10-13 set the statement budget, the nesting and expression depths
 * and the invocation cap. Bytes past 16 are ignored, missing ones read as
 * zero. `data` may be NULL when `size` is 0. */
void vy_diffgen_from_bytes(const uint8_t *data, size_t size, uint64_t *seed, vy_diffgen_options *o);

/* What a case contains (vy_diffgen_case.features). */
enum {
  VY_DIFFGEN_F_BARRIER = 1u << 0,
  VY_DIFFGEN_F_WORKGROUP_MEM = 1u << 1,
  VY_DIFFGEN_F_REDUCTION = 1u << 2,
  VY_DIFFGEN_F_ATOMIC_SHARED = 1u << 3, /* contended atomics: compare final memory only */
  VY_DIFFGEN_F_ATOMIC_OWNED = 1u << 4,
  VY_DIFFGEN_F_SUBGROUP = 1u << 5,       /* needs lockstep subgroup semantics (see vy_interp_sched) */
  VY_DIFFGEN_F_TRANSCENDENTAL = 1u << 6, /* compare f32 outputs within the backend's ULP bound */
  VY_DIFFGEN_F_F32 = 1u << 7,
  VY_DIFFGEN_F_U64 = 1u << 8,
  VY_DIFFGEN_F_LOOP = 1u << 9,
  VY_DIFFGEN_F_EARLY_RETURN = 1u << 10,
  VY_DIFFGEN_F_OOB = 1u << 11,
  VY_DIFFGEN_F_ASYNC = 1u << 12,
  VY_DIFFGEN_F_I32_DIV = 1u << 13,
  VY_DIFFGEN_F_MULTI_WORKGROUP = 1u << 14
};

/* The runtime error a case was built to raise (expect_error). Every one is
 * VY_E_RUNTIME in the reference; a compiled backend may instead refuse the
 * last group (unsupported constructs) before running. */
typedef enum vy_diffgen_error {
  VY_DIFFGEN_ERR_NONE,
  VY_DIFFGEN_ERR_TRAP,             /* Trap node */
  VY_DIFFGEN_ERR_I32_DIV_ZERO,     /* i32 a / 0 with a dynamic zero */
  VY_DIFFGEN_ERR_I32_MOD_ZERO,     /* i32 a % 0 */
  VY_DIFFGEN_ERR_I32_DIV_OVERFLOW, /* i32::MIN / -1 */
  VY_DIFFGEN_ERR_NEGATIVE_INDEX,   /* load index an i32 < 0 */
  VY_DIFFGEN_ERR_CAST_RANGE,       /* u64 > u32::MAX cast to u32 */
  VY_DIFFGEN_ERR_MISMATCHED,       /* logical and of u32 and bool operands */
  VY_DIFFGEN_ERR_ASSIGN_BUFFER,    /* Assign to a buffer name */
  VY_DIFFGEN_ERR_ASYNC,            /* AsyncWait with nothing pending, or a transfer never waited for */
  VY_DIFFGEN_ERR_ATOMIC_OP,        /* fetch_nand / compare_exchange_weak on an in-range element */
  VY_DIFFGEN_ERR_UNSUPPORTED,      /* subgroup_local_id/size, wide literal, Call without registry,
                                      IndirectDispatch, Resume */
  VY_DIFFGEN_ERR_COUNT
} vy_diffgen_error;

#define VY_DIFFGEN_DESC_MAX 640

/* A generated program with its inputs. */
typedef struct vy_diffgen_case {
  vy_program *program; /* owned */
  size_t ninputs;      /* one per logical input buffer (interp.h), declaration order */
  vy_bytes *inputs;    /* owned; some are longer than count * stride, some end in a partial element */
  bool expect_error;   /* the reference run fails with VY_E_RUNTIME (error says which) */
  vy_diffgen_error error;
  uint32_t features;                     /* VY_DIFFGEN_F_* */
  uint32_t workgroup[3];                 /* workgroup size */
  uint32_t grid[3];                      /* dispatch grid by §4.4, as the generator computed it */
  char description[VY_DIFFGEN_DESC_MAX]; /* one line: seed, shape, buffers, features */
  const vy_allocator *alloc;             /* of `inputs` (the caller's pointer, must outlive the case) */
} vy_diffgen_case;

/* Generates the case for `seed`. `opt` may be NULL (vy_diffgen_options_default);
 * `alloc` may be NULL (malloc). On success *out owns a program and its inputs
 * (free with vy_diffgen_case_free). Errors: VY_E_NOMEM when an allocation
 * fails (nothing leaks, *out is empty); VY_E_INVALID_ARGUMENT when `out` is
 * NULL; any other code means the builder refused what the generator made
 * (a generator bug; `err` says what). */
vy_status vy_diffgen_make(uint64_t seed, const vy_diffgen_options *opt, const vy_allocator *alloc, vy_diffgen_case *out,
                          vy_error *err);

/* Frees the program and the inputs and zeroes the case. NULL is a no-op. */
void vy_diffgen_case_free(vy_diffgen_case *c);

#endif
