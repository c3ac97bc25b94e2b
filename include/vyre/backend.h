/** @file
 * backend.h - backends and their capabilities: the C shape of vyre's
 * Backend / Executable / Streamable traits (vyre-driver.md §1).
 *
 * A backend is opened by name from a context (context.h). It always has an
 * identity (id, version, supported_ops, capability answers); the optional
 * capabilities are tables of function pointers, NULL when the backend does
 * not have them (the C form of "does not implement the trait"):
 *
 *   const vy_executable *ex = vy_backend_executable(be);
 *   if (ex) st = ex->dispatch(be, program, inputs, n, &cfg, &outs, &err);
 *
 * vy_dispatch() and vy_stream() are the same calls with the NULL check done.
 *
 * Input binding, outputs and the dispatch grid follow the reference
 * semantics (vyre-ir.md §4.2, §4.4) on every backend: inputs are given per
 * logical input buffer in declaration order; outputs come back for every
 * returned buffer in declaration order.
 *
 * Thread-safety: a backend may be used from several threads at once, except
 * that vy_backend_close must not race with any other call on it.
 */
#ifndef VYRE_BACKEND_H
#define VYRE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An open backend (opaque): from vy_backend_open, freed by vy_backend_close. */
typedef struct vy_backend vy_backend;
/** A compiled kernel (opaque): from vy_compile, freed by vy_kernel_destroy. */
typedef struct vy_kernel vy_kernel;

/* vy_input and vy_outputs (the buffers in and out of a dispatch) are in status.h. */

/* ---- DispatchConfig (vyre's fields, vyre-driver.md §1.3) ---------------- */

/** Speculation and persistent-thread requests of a dispatch. */
typedef enum vy_launch_mode { VY_MODE_UNSET = 0, VY_MODE_AUTO, VY_MODE_FORCE, VY_MODE_DISABLE } vy_launch_mode;

/** DispatchConfig: per-dispatch options; vy_dispatch_config_default fills vyre's defaults. */
typedef struct vy_dispatch_config {
  const char *profile;              /**< conformance profile id; NULL = none (no backend reads it) */
  int ulp_budget;                   /**< -1 = None; 0..255: approximate transcendentals within it */
  uint64_t timeout_ns;              /**< 0 = none; else VY_E_TIMEOUT after this long */
  const char *label;                /**< debug label; NULL = none (used in error messages) */
  uint64_t max_output_bytes;        /**< 0 = none; else a dispatch returning more fails */
  bool has_workgroup_override;      /**< replaces the program's workgroup_size */
  uint32_t workgroup_override[3];   /**< when has_workgroup_override */
  bool has_grid_override;           /**< number of workgroups per axis */
  uint32_t grid_override[3];        /**< when has_grid_override */
  bool has_fixpoint_iterations;     /**< launches back to back before read-back; 0 is rejected */
  uint32_t fixpoint_iterations;     /**< when has_fixpoint_iterations */
  vy_launch_mode speculation;       /**< FORCE rejected where unsupported */
  vy_launch_mode persistent_thread; /**< FORCE rejected where unsupported */
  bool cooperative;                 /**< rejected unless the backend supports grid sync */
  uint32_t max_chunks_in_flight;    /**< vy_stream only: chunks read and not yet delivered; 0 = backend's choice */
} vy_dispatch_config;

/** Sets every field to vyre's default (None / false). */
void vy_dispatch_config_default(vy_dispatch_config *c);

/* ---- identity and capability answers ------------------------------------ */

/** A backend's capability answers (vy_backend_capabilities). */
typedef struct vy_backend_caps {
  uint32_t max_workgroup_size[3];         /**< per axis */
  uint32_t max_invocations_per_workgroup; /**< product of the workgroup size */
  uint32_t max_workgroups_per_dimension;  /**< grid size per axis */
  uint32_t subgroup_size;                 /**< 0 = no subgroups */
  uint64_t max_storage_buffer_bytes;      /**< 0 = not reported (not "unlimited") */
  uint32_t threads;                       /**< CPU workers (1 for the interpreter, 0 for GPUs) */
  /* each feature flag is true only when the backend really executes the
   * feature, as vyre demands (emulation counts as false) */
  bool subgroup_ops;            /**< subgroup operations */
  bool f16;                     /**< f16 arithmetic */
  bool bf16;                    /**< bf16 arithmetic */
  bool tensor_cores;            /**< matrix units */
  bool async_compute;           /**< asynchronous copies and queues */
  bool indirect_dispatch;       /**< grid read from a buffer */
  bool speculation;             /**< speculative launches */
  bool persistent_thread;       /**< persistent-thread launches */
  bool grid_sync;               /**< grid-wide barriers (cooperative launches) */
  bool distributed_collectives; /**< collectives across devices */
  bool dispatches;              /**< false: the backend only emits code */
} vy_backend_caps;

const char *vy_backend_id(const vy_backend *be);      /**< "reference", "llvm-cpu", "cuda" */
const char *vy_backend_version(const vy_backend *be); /**< the vyre-jit version */
/** Fills *out with the backend's capability answers. */
void vy_backend_capabilities(const vy_backend *be, vy_backend_caps *out);

/**@{*/
/** supported_ops: the vyre op ids (node_op_id strings) the backend executes.
 * A program with a node outside the set is refused before any work with
 * VY_E_UNSUPPORTED naming the op, the node and the backend. */
size_t vy_backend_supported_op_count(const vy_backend *be);
const char *vy_backend_supported_op(const vy_backend *be, size_t i);
bool vy_backend_supports_op(const vy_backend *be, const char *op_id, size_t len);
/**@}*/

/** Closes the backend and frees everything it owns. NULL is a no-op. */
void vy_backend_close(vy_backend *be);

/* ---- Executable --------------------------------------------------------- */

/** The Executable capability: dispatch and compile (vy_backend_executable). */
typedef struct vy_executable {
  /** One dispatch: validate, bind `inputs`, run, and return the outputs in *out
   * (owned by the caller; empty on error). `cfg` may be NULL (defaults). */
  vy_status (*dispatch)(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                        const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err);
  /** Compile once, dispatch many: *out is a kernel handle that dispatches `p`
   * (which must outlive it) without re-validating. The handle keeps the
   * compile-time config; a dispatch-time config may change only fields that
   * do not affect code (timeout, label, max_output_bytes, fixpoint). */
  vy_status (*compile)(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg, vy_kernel **out,
                       vy_error *err);
} vy_executable;

/** The Executable capability, or NULL. */
const vy_executable *vy_backend_executable(const vy_backend *be);

/** ex->dispatch with the capability check: VY_E_UNSUPPORTED if the backend has none. */
vy_status vy_dispatch(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                      const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err);
/** ex->compile with the capability check. */
vy_status vy_compile(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg, vy_kernel **out,
                     vy_error *err);

/** Dispatches a compiled kernel. `cfg` may be NULL (the compile-time config).
 * Safe to call from several threads at once. */
vy_status vy_kernel_dispatch(vy_kernel *k, const vy_input *inputs, size_t ninputs, const vy_dispatch_config *cfg,
                             vy_outputs *out, vy_error *err);
/** Frees a kernel handle. NULL is a no-op. Must not race with its dispatches. */
void vy_kernel_destroy(vy_kernel *k);

/* ---- Streamable --------------------------------------------------------- */

/** Chunk flag: each chunk's bytes stay valid and unchanged until the stream
 *  call returns (e.g. chunks of one buffer in memory), so a backend may use
 *  them in place instead of copying them before reading the next chunk. */
#define VY_CHUNK_STABLE 1u

/** Pull-based chunk source.
 *
 *  next() sets *chunk and returns VY_OK, or sets *done = true at the end (the
 *  chunk is then ignored); an error status ends the stream with that error
 *  (the chunks read before it are still dispatched and delivered). Unless
 *  `flags` has VY_CHUNK_STABLE, the chunk's bytes are borrowed only until the
 *  following call of next(). next() is only called from the thread that
 *  called vy_stream. `close` (optional) frees `ud`; vy_chunk_source_close
 *  calls it. Sources for memory, files and read callbacks are in stream.h. */
typedef struct vy_chunk_source {
  vy_status (*next)(void *ud, vy_input *chunk, bool *done, vy_error *err); /**< produces the next chunk */
  void *ud;                                                                /**< passed to next and close */
  unsigned flags;                                                          /**< VY_CHUNK_STABLE or 0 */
  void (*close)(void *ud);                                                 /**< NULL: nothing to free */
} vy_chunk_source;

/** Output sink: put() receives the result of chunk `index` (0-based), always
 *  in chunk order and only from the thread that called vy_stream: its
 *  outputs (borrowed for the call) when st is VY_OK, else its error. It
 *  returns false to stop the stream after this chunk (chunks already in
 *  flight are finished or dropped, never delivered). `close` (optional)
 *  frees `ud`; vy_output_sink_close calls it. */
typedef struct vy_output_sink {
  bool (*put)(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err); /**< takes a result */
  void *ud;                /**< passed to put and close */
  void (*close)(void *ud); /**< NULL: nothing to free */
} vy_output_sink;

/** The Streamable capability.
 *
 *  Binding. Each chunk is the initial contents of the program's FIRST
 *  logical input buffer (the first buffer in declaration order that is
 *  neither workgroup memory nor an output the backend allocates, i.e. the
 *  first buffer vy_dispatch takes an input for); `fixed` holds the initial
 *  bytes of the remaining logical inputs, in order, borrowed for the whole
 *  call and bound again for every chunk: every chunk is one independent
 *  dispatch that starts from the same fixed bytes (a read_write fixed input
 *  is copied per chunk, its changes are not carried over). The grid follows
 *  the buffer sizes as in vy_dispatch (vyre-ir.md §4.4), so outputs sized
 *  from a fixed input keep that size for every chunk. The outputs of a chunk
 *  are exactly those of vy_dispatch(program, [chunk, fixed...]).
 *
 *  Errors. Set-up errors (arguments, validation, binding shape, compile) are
 *  returned at once and no chunk is read; per-chunk errors go to the sink,
 *  and the stream goes on unless the sink returns false; an error of the
 *  source is returned after the chunks read before it were delivered.
 *
 *  Concurrency and memory. A backend may run several chunks at once (llvm-cpu
 *  runs one chunk per pool thread, and a chunk of 32 MiB or more on all of
 *  them), but at most cfg->max_chunks_in_flight
 *  chunks (0 = the backend's choice, 2 per thread) are read and not yet
 *  delivered at any time, so memory is bounded by that many chunks and their
 *  outputs whatever the stream length. `cfg` may be NULL. */
typedef struct vy_streamable {
  /** Streams `src` through `p` into `sink`, as described above. */
  vy_status (*stream)(vy_backend *be, const vy_program *p, const vy_input *fixed, size_t nfixed,
                      const vy_chunk_source *src, const vy_output_sink *sink, const vy_dispatch_config *cfg,
                      vy_error *err);
} vy_streamable;

/** The Streamable capability of `be`, or NULL when it has none. */
const vy_streamable *vy_backend_streamable(const vy_backend *be);

/** sm->stream with the capability check: VY_E_UNSUPPORTED when the backend
 *  is not Streamable. Same contract as vy_streamable.stream. */
vy_status vy_stream(vy_backend *be, const vy_program *p, const vy_input *fixed, size_t nfixed,
                    const vy_chunk_source *src, const vy_output_sink *sink, const vy_dispatch_config *cfg,
                    vy_error *err);

/** Calls src->close(src->ud) when set and clears *src. NULL is a no-op. */
void vy_chunk_source_close(vy_chunk_source *src);

/** Calls sink->close(sink->ud) when set and clears *sink. NULL is a no-op. */
void vy_output_sink_close(vy_output_sink *sink);

#ifdef __cplusplus
}
#endif
#endif
