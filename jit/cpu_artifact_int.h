/* cpu_artifact_int.h - the cached artifact of an llvm-cpu kernel and the
 * loaded code the kernel cache keeps for it (cpu_artifact.c).
 *
 * A disk hit skips the lowering, so the artifact carries, next to the
 * object code, everything dispatch needs that the lowering computes: the
 * scratch size and the error-site table. Sites are stored as preorder
 * indices of statements and expressions of the prepared program (not
 * pointers), so one loaded code serves every kernel with the same key and
 * each kernel resolves them against its own prepared program
 * (vy_cpu_code_sites). Payload layout (little-endian; its version is part
 * of VY_CODEGEN_CONTRACT):
 *
 *   "vycpuk\0\0"  u32 format  u64 scratch_bytes
 *   the site table block (site_table_int.h: u32 nsites, u32 labels_len, labels, sites)
 *   u64 object length, the relocatable object
 */
#ifndef VYRE_CPU_ARTIFACT_INT_H
#define VYRE_CPU_ARTIFACT_INT_H

#include "cpu_dispatch_int.h"
#include "interp_int.h"
#include "jit_int.h"
#include "lower_int.h"
#include "site_table_int.h"

/* Loaded code of one key: what the kernel cache's entry holds. */
typedef struct vy_cpu_code {
  const vy_allocator *alloc;
  vy_orc_kernel *ok;
  vy_kernel_fn fn;
  uint64_t scratch_bytes;
  vy_site_table sites; /* index form, checked against the prepared program it was built for */
} vy_cpu_code;

/* Packs the lowering's results `low` (sites pointing into `pp`) and the
 * object `obj` into a payload in *out (empty on entry, allocated with
 * `alloc`). Errors: VY_E_NOMEM, VY_E_INTERNAL (a site that points outside
 * pp). On error *out is empty. */
vy_status vy_cpu_artifact_pack(const vy_interp_prepared *pp, const vy_cpu_lowered *low, const vy_bytes *obj,
                               const vy_allocator *alloc, vy_bytes *out, vy_error *err);

/* Parses a payload (checking every field and every site index against
 * `pp`), links its object into `orc` resolving `entry`, and returns the
 * loaded code in *out (allocated with `alloc`, free with vy_cpu_code_destroy).
 * Errors: VY_E_COMPILE_FAILED (malformed payload or object), VY_E_NOMEM.
 * Thread-safe (vy_orc_add_object is). */
vy_status vy_cpu_code_load(vy_orc *orc, const vy_interp_prepared *pp, const uint8_t *data, size_t len,
                           const char *entry, const vy_allocator *alloc, vy_cpu_code **out, vy_error *err);

/* Removes the code from its JIT and frees it; `ctx` is unused (the shape of
 * vy_kcache_kernel.destroy). No thread may run it. NULL is a no-op. */
void vy_cpu_code_destroy(void *code, void *ctx);

/* The site table of `c` resolved against `pp` (a prepared program of the
 * same key): *out gets c->nsites entries allocated with `alloc` (free as
 * vy_cpu_lowered_free does). Errors: VY_E_NOMEM, VY_E_INTERNAL (pp's shape
 * differs from the one the code was built for). */
vy_status vy_cpu_code_sites(const vy_cpu_code *c, const vy_interp_prepared *pp, const vy_allocator *alloc,
                            vy_site **out, vy_error *err);

/* BLAKE3 of what the lowering takes from the host registry: whether there
 * is one, its size, each entry's signature in registry order, and the
 * registry index every Call of `pp` resolved to (the names are in the
 * program fingerprint). Part of the cache key. Errors: VY_E_NOMEM. */
vy_status vy_cpu_host_digest(const vy_interp_prepared *pp, const vy_allocator *alloc, uint8_t out[32], vy_error *err);

#endif
