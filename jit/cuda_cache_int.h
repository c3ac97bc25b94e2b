/* cuda_cache_int.h - the cuda backend's side of the kernel cache: the
 * target part of its keys and the cached artifact (cuda_cache.c).
 *
 * Key target: backend "cuda" and its version, the LLVM version, triple
 * nvptx64-nvidia-cuda, the SM the PTX is emitted for, the PTX ISA version,
 * the driver version (cuDriverGetVersion: a newer driver may build another
 * cubin) and the build identity of libvyre-jit.
 *
 * Artifact (ext "cuda"; little-endian; its version is part of
 * VY_CODEGEN_CONTRACT). A disk hit skips LLVM and the driver's linker:
 *
 *   "vycudak\0"  u32 format  u32 block_threads  u64 shared_bytes
 *   the site table block (site_table_int.h)
 *   u64 PTX length, the PTX text (kept for inspection: vyre-jit cache list)
 *   u64 cubin length, the cubin the driver's linker built from it
 */
#ifndef VYRE_CUDA_CACHE_INT_H
#define VYRE_CUDA_CACHE_INT_H

#include "cache_int.h"
#include "cuda_driver_int.h"
#include "ptx_int.h"
#include "site_table_int.h"

#define VY_CUDA_ARTIFACT_EXT "cuda"

/* Loaded code of one key: what the kernel cache's entry holds. */
typedef struct vy_cuda_code {
  const vy_allocator *alloc;
  vy_cuda_module *mod;
  vy_site_table sites; /* index form */
  uint32_t block_threads;
  uint64_t shared_bytes;
} vy_cuda_code;

/* Hashes the target part of the cuda backend's keys (see the top). Errors:
 * VY_E_INVALID_ARGUMENT. */
vy_status vy_cuda_cache_base(const vy_cuda_device *d, const char *sm, unsigned ptx_isa, vy_ckey_base *out,
                             vy_error *err);

/* Packs the lowering's results (`low`, sites pointing into `pp`), the PTX
 * and the cubin into *out (empty on entry, allocated with `alloc`).
 * Errors: VY_E_NOMEM, VY_E_INTERNAL. On error *out is empty. */
vy_status vy_cuda_artifact_pack(const vy_interp_prepared *pp, const vy_ptx_lowered *low, const vy_bytes *ptx,
                                const vy_bytes *cubin, const vy_allocator *alloc, vy_bytes *out, vy_error *err);

/* Parses an artifact (every field and site index checked against `pp`)
 * and loads its cubin on the device (its context current): *out
 * allocated with `alloc`, free with vy_cuda_code_destroy. Errors:
 * VY_E_COMPILE_FAILED (malformed, or the driver rejects the cubin),
 * VY_E_NOMEM. */
vy_status vy_cuda_code_load(const vy_cuda_device *d, const vy_interp_prepared *pp, const uint8_t *data, size_t len,
                            const vy_allocator *alloc, vy_cuda_code **out, vy_error *err);

/* Unloads the module and frees the code (vy_kcache_kernel.destroy's shape;
 * ctx unused). NULL is a no-op. */
void vy_cuda_code_destroy(void *code, void *ctx);

#endif
