/**
 * @file async.h
 * @brief Asynchronous dispatch: start a dispatch, get a pending handle, and
 * collect its outputs later (vyre's dispatch_async / PendingDispatch,
 * vyre-driver.md §1.2, §1.5).
 *
 * A dispatch started with vy_dispatch_async or vy_kernel_dispatch_async runs
 * in the background while the caller goes on; several may be in flight at
 * once, on one backend or several. Every error of the dispatch itself
 * (validation, binding, compile, runtime) is delivered by the wait; only
 * argument errors (NULL pointers, a backend without the capability) come
 * back from the start call.
 *
 * Lifetimes. The program (or kernel), the input bytes and the strings of the
 * config are borrowed until the pending handle is waited on or discarded;
 * the vy_input array and the config struct themselves are copied. Every
 * pending handle must be waited on or discarded before its backend is
 * closed.
 *
 * Backends provide the vy_asyncable table (NULL where they have none); the
 * reference and llvm-cpu backends queue each pending dispatch (FIFO) on a
 * pool of runner threads of their context, which call the ordinary
 * dispatch: at most min(vy_context_threads, 8) threads, started as needed
 * at and after the first asynchronous dispatch and joined by
 * vy_context_destroy. A handle waited on or discarded while still queued
 * is run on the waiting thread (a discard thus runs the dispatch and drops
 * its result), so a wait never depends on a free runner.
 */
#ifndef VYRE_ASYNC_H
#define VYRE_ASYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A dispatch in flight. Owned by the caller until waited on or discarded. */
typedef struct vy_pending vy_pending;

/** The asynchronous-dispatch capability of a backend (NULL members: not
 *  supported). Both calls follow vy_dispatch_async's contract. */
typedef struct vy_asyncable {
  /** Starts vy_dispatch(be, p, inputs, ...) in the background. */
  vy_status (*dispatch_async)(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                              const vy_dispatch_config *cfg, vy_pending **out, vy_error *err);
  /** Starts vy_kernel_dispatch(k, inputs, ...) in the background. */
  vy_status (*kernel_dispatch_async)(vy_kernel *k, const vy_input *inputs, size_t ninputs,
                                     const vy_dispatch_config *cfg, vy_pending **out, vy_error *err);
} vy_asyncable;

/** The asynchronous-dispatch capability of `be`, or NULL when it has none. */
const vy_asyncable *vy_backend_asyncable(const vy_backend *be);

/** Starts a dispatch of `p` with `inputs` on `be` and returns at once with
 *  *out set to its pending handle (NULL on error).
 *  @param cfg may be NULL (defaults); copied, its strings borrowed.
 *  @return VY_OK; VY_E_INVALID_ARGUMENT (NULL backend, program or out, or
 *  inputs NULL with ninputs > 0); VY_E_UNSUPPORTED (no async capability);
 *  VY_E_NOMEM (handle, the context's runner pool, or no runner thread at
 *  all could be started). Errors of the dispatch come from the wait.
 *  Thread-safe: any number may be started from any threads. */
vy_status vy_dispatch_async(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                            const vy_dispatch_config *cfg, vy_pending **out, vy_error *err);

/** vy_dispatch_async for a compiled kernel (no compile in the background).
 *  The kernel must not be destroyed before the handle is waited on or
 *  discarded. Same errors and thread-safety as vy_dispatch_async. */
vy_status vy_kernel_dispatch_async(vy_kernel *k, const vy_input *inputs, size_t ninputs,
                                   const vy_dispatch_config *cfg, vy_pending **out, vy_error *err);

/** Non-blocking probe: true when the dispatch has finished (successfully or
 *  not), so a wait would not block. NULL gives true. Thread-safe. */
bool vy_pending_is_ready(const vy_pending *pd);

/** Blocks until the dispatch ends, then frees the handle and returns its
 *  result: *out receives the outputs (owned by the caller, empty on error)
 *  and the status is the dispatch's own. The handle is consumed whatever the
 *  result. Errors: VY_E_INVALID_ARGUMENT for a NULL handle or out (a non-NULL
 *  handle is still consumed), otherwise the dispatch's error. Must not race
 *  with another call on the same handle. */
vy_status vy_pending_wait(vy_pending *pd, vy_outputs *out, vy_error *err);

/** vy_pending_wait that reuses the caller's output buffers: `reuse` holds the
 *  buffers of an earlier dispatch (or is empty); its slots are overwritten
 *  with this dispatch's outputs, keeping each slot's allocation when it is
 *  large enough and growing it otherwise; extra slots are freed, missing ones
 *  added. On error `reuse` is left untouched. Same consumption and errors as
 *  vy_pending_wait (VY_E_NOMEM when growing a slot fails). */
vy_status vy_pending_wait_into(vy_pending *pd, vy_outputs *reuse, vy_error *err);

/** Waits for the dispatch and throws its result away; frees the handle.
 *  NULL is a no-op. */
void vy_pending_discard(vy_pending *pd);

#ifdef __cplusplus
}
#endif
#endif
