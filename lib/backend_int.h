/* backend_int.h - what a backend implementation provides, and the checks
 * every backend shares (supported_ops walk, DispatchConfig rules, the
 * generic Streamable built on compile + kernel dispatch).
 *
 * A backend implementation embeds `vy_backend` as the first member of its
 * own struct and fills `ops`; a kernel handle embeds `vy_kernel` likewise.
 */
#ifndef VYRE_BACKEND_INT_H
#define VYRE_BACKEND_INT_H

#include "vyre/async.h"
#include "vyre/backend.h"
#include "vyre/context.h"
#include "vyre/resident.h"

typedef struct vy_backend_ops {
  const char *id;
  const char *const *supported_ops; /* node op ids */
  size_t nsupported;
  void (*caps)(const vy_backend *be, vy_backend_caps *out);
  void (*close)(vy_backend *be);
} vy_backend_ops;

struct vy_backend {
  const vy_backend_ops *ops;
  const vy_executable *executable; /* NULL = not Executable */
  const vy_streamable *streamable; /* NULL = not Streamable */
  vy_context *ctx;
  const vy_asyncable *async;        /* NULL = no asynchronous dispatch (async.h) */
  const vy_residentable *resident;  /* NULL = no resident buffers (resident.h) */
};

typedef struct vy_kernel_ops {
  vy_status (*dispatch)(vy_kernel *k, const vy_input *inputs, size_t ninputs, const vy_dispatch_config *cfg,
                        vy_outputs *out, vy_error *err);
  void (*destroy)(vy_kernel *k);
} vy_kernel_ops;

struct vy_kernel {
  const vy_kernel_ops *ops;
  vy_backend *be;
  const vy_program *program;
  vy_dispatch_config cfg; /* compile-time config (strings borrowed) */
};

/* The op ids the interpreter executes (node_op_id strings). */
extern const char *const vy_reference_supported_ops[];
extern const size_t vy_reference_supported_op_count;

/* Refuses a program with a node whose op id is not in the backend's
 * supported_ops (VY_E_UNSUPPORTED naming op, node path and backend).
 * Walks the statement tree with an explicit stack. */
vy_status vy_backend_check_ops(const vy_backend *be, const vy_program *p, vy_error *err);

/* DispatchConfig rules common to every backend (vyre-driver.md §1.3, §1.6,
 * §1.11.5): fixpoint 0, cooperative without grid sync, FORCE modes the
 * backend lacks, ulp_budget range, workgroup/grid overrides within the
 * capabilities. `wg` is the program's workgroup size. */
vy_status vy_dispatch_config_check(const vy_backend *be, const vy_dispatch_config *cfg, const uint32_t wg[3],
                                   vy_error *err);

/* Fails with VY_E_DISPATCH_FAILED (freeing *out) when the outputs exceed
 * cfg->max_output_bytes. */
vy_status vy_outputs_check_cap(const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err);

/* Executable.dispatch in terms of compile: checks `out` and `inputs`,
 * compiles `p` with `cfg` (NULL: defaults) through be->executable->compile,
 * dispatches the kernel once with its own config and destroys it. For
 * backends whose one-shot dispatch is exactly that (llvm-cpu, cuda). */
vy_status vy_dispatch_via_kernel(vy_backend *be, const vy_program *p, const vy_input *inputs, size_t ninputs,
                                 const vy_dispatch_config *cfg, vy_outputs *out, vy_error *err);

/* Streamable in terms of the Executable capability: compile once, then one
 * kernel dispatch per chunk with inputs [chunk, fixed...], one chunk at a
 * time on the caller's thread (vy_stream_pipeline with no workers). */
vy_status vy_stream_via_kernel(vy_backend *be, const vy_program *p, const vy_input *fixed, size_t nfixed,
                               const vy_chunk_source *src, const vy_output_sink *sink,
                               const vy_dispatch_config *cfg, vy_error *err);

/* The reference backend's factory (registered by every context). */
extern const vy_backend_factory vy_reference_backend_factory;

#endif
