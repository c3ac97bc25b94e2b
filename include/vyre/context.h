/** @file
 * context.h - the vyre-jit context: allocator, host-op registry and the
 * registry of backends. All state of the library hangs off a context (or a
 * program, or a backend); there is no hidden global registry.
 *
 *   vy_context_options o;
 *   vy_context_options_init(&o);            // records this header's version
 *   vy_context *ctx;
 *   vy_context_create(&o, &ctx, &err);      // fails if the library differs
 *   vy_jit_register_backends(ctx);          // libvyre-jit: llvm-cpu, cuda
 *   vy_backend *be;
 *   vy_backend_open(ctx, "reference", &be, &err);
 *
 * Thread-safety: registering backends must not race with other calls on
 * the context; opening backends and everything else may run concurrently.
 */
#ifndef VYRE_CONTEXT_H
#define VYRE_CONTEXT_H

#include <string.h>

#include "backend.h"
#include "host.h"
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The library's root object (opaque): allocator, host ops, registered backends. */
typedef struct vy_context vy_context;

/** Options of vy_context_create; fill with vy_context_options_init first. */
typedef struct vy_context_options {
  int header_version;               /**< VY_VERSION_NUMBER of the headers the caller compiled with */
  const vy_allocator *alloc;        /**< NULL = malloc; copied */
  const vy_host_registry *host_ops; /**< NULL = no host calls; borrowed, must outlive the context */
  uint32_t threads;                 /**< CPU worker threads for compiled backends; 0 = one per core */
} vy_context_options;

/** Fills the defaults and records the version of the headers being compiled
 * (inline, so it is the caller's header version, not the library's). */
static inline void vy_context_options_init(vy_context_options *o) {
  memset(o, 0, sizeof *o);
  o->header_version = VY_VERSION_NUMBER;
}

/** Creates a context with the "reference" backend registered. `opts` may be
 * NULL only by callers that accept any library version. Fails with
 * VY_E_VERSION_MISMATCH when opts->header_version differs from the library's
 * vy_version_number() (headers and library from different releases). */
vy_status vy_context_create(const vy_context_options *opts, vy_context **out, vy_error *err);
/** Frees the context, joining the runner threads of asynchronous dispatch
 *  (async.h) if any were started. Backends opened from it must be closed
 *  first. NULL is a no-op. */
void vy_context_destroy(vy_context *ctx);

/** A backend implementation, registered by name. `rank`: lower is preferred
 * by vy_context_default_backend. probe() says whether the backend can run on
 * this machine (VY_OK) or why not (e.g. no CUDA driver); open() creates it. */
typedef struct vy_backend_factory {
  const char *id;                                                      /**< the backend's name */
  unsigned rank;                                                       /**< lower is preferred */
  vy_status (*probe)(vy_context *ctx, vy_error *err);                  /**< can it run here? */
  vy_status (*open)(vy_context *ctx, vy_backend **out, vy_error *err); /**< creates one */
} vy_backend_factory;

/** Registers a factory (borrowed: static storage). Re-registering an id
 * replaces it. VY_E_NOMEM on allocation failure. */
vy_status vy_context_register_backend(vy_context *ctx, const vy_backend_factory *f);

/** Number of registered backends and their ids, in registration order. */
size_t vy_context_backend_count(const vy_context *ctx);
/** The id of registered backend `i` (< vy_context_backend_count), or NULL;
 *  static storage of the backend's factory. */
const char *vy_context_backend_id(const vy_context *ctx, size_t i);
/** VY_OK when backend `id` is registered and can run here; else the reason. */
vy_status vy_context_probe_backend(vy_context *ctx, const char *id, vy_error *err);
/** The fastest available backend (lowest rank whose probe succeeds); the
 * interpreter ("reference") only when nothing else is available. Never NULL. */
const char *vy_context_default_backend(vy_context *ctx);

/** Opens backend `id`. Unknown ids and unavailable backends are errors
 * (VY_E_UNSUPPORTED with the reason); no backend ever stands in for another. */
vy_status vy_backend_open(vy_context *ctx, const char *id, vy_backend **out, vy_error *err);

/** The context's allocator (NULL = malloc). */
const vy_allocator *vy_context_allocator(const vy_context *ctx);
/** The host-op registry given at creation, or NULL. */
const vy_host_registry *vy_context_host_ops(const vy_context *ctx);
/** CPU worker threads of compiled backends (the option, or one per core). */
uint32_t vy_context_threads(const vy_context *ctx);

#ifdef __cplusplus
}
#endif
#endif
