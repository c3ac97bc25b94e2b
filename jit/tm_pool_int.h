/* tm_pool_int.h - reusable host target machines for compile jobs.
 *
 * A target machine is expensive the first time it compiles: the subtarget
 * (the parsed CPU feature string and the tables hanging off it) and the
 * target's cost model are built lazily and cached inside the machine, which
 * costs about half a millisecond per cold compile when every job makes a
 * fresh one (vy_jit_tm_host). A pool keeps the machines of finished jobs
 * for the next ones. A machine is used by one job at a time (LLVM's
 * TargetMachine is not safe for concurrent codegen); jobs that run at once
 * get different machines, so compiles still scale across threads.
 *
 * Reusing a machine changes no code: a TargetMachine keeps no per-module
 * state between LLVMRunPasses / codegen runs (LLJIT's own compiler reuses
 * one machine for every module in the same way).
 */
#ifndef VY_JIT_TM_POOL_INT_H
#define VY_JIT_TM_POOL_INT_H

#include "jit_int.h"

typedef struct vy_jit_tm_pool vy_jit_tm_pool;

/* A pool of target machines for `host` (borrowed: it must outlive the
 * pool). Machines come from vy_jit_tm_host with the level each take asks
 * for. `alloc` (copied; NULL = malloc) serves the pool object itself.
 * Errors: VY_E_INVALID_ARGUMENT (NULL host or out), VY_E_NOMEM. */
vy_status vy_jit_tm_pool_create(const vy_allocator *alloc, const vy_jit_host *host, vy_jit_tm_pool **out,
                                vy_error *err);

/* Disposes every machine in the pool and the pool. Machines still taken
 * must have been given back or disposed by their holders. NULL is a no-op. */
void vy_jit_tm_pool_destroy(vy_jit_tm_pool *p);

/* A machine for `opt` for the caller's exclusive use until it is given back
 * with vy_jit_tm_pool_give (or disposed with LLVMDisposeTargetMachine): an
 * idle one from the pool, else a fresh one. Thread-safe. Errors: those of
 * vy_jit_tm_host, VY_E_INVALID_ARGUMENT (NULL pool or out). */
vy_status vy_jit_tm_pool_take(vy_jit_tm_pool *p, vy_jit_opt opt, LLVMTargetMachineRef *out, vy_error *err);

/* Returns a machine taken with level `opt` to the pool, which disposes it
 * when already full. Thread-safe; NULL tm is a no-op. */
void vy_jit_tm_pool_give(vy_jit_tm_pool *p, vy_jit_opt opt, LLVMTargetMachineRef tm);

#endif
