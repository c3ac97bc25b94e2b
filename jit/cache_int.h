/* cache_int.h (jit/) - the LLVM side of the kernel cache key. The cache
 * itself is LLVM-free and lives in lib/ (lib/cache_int.h: key record, disk
 * and memory caches); this adds what only jit/ knows: the LLVM version, the
 * host as LLVM sees it and the build identity of libvyre-jit, so that no
 * CPU backend can forget an ingredient of its key.
 */
#ifndef VYRE_JIT_CACHE_INT_H
#define VYRE_JIT_CACHE_INT_H

#include "../lib/cache_int.h"
#include "jit_int.h"

/* Hashes the target part of the keys of a CPU backend: `backend_id` and
 * `backend_version` (borrowed for the call), the linked LLVM version, the
 * host's triple, CPU name and full feature string from `host`, and the GNU
 * build-id of the object that contains libvyre-jit's code (so a rebuilt
 * code generator never loads its predecessor's cached code, even without a
 * VY_CODEGEN_CONTRACT bump). Call once per backend instance. Errors:
 * VY_E_INVALID_ARGUMENT (NULL host or its strings, no backend id/version).
 * Thread-safe. */
vy_status vy_jit_cache_base_cpu(const vy_jit_host *host, const char *backend_id, const char *backend_version,
                                vy_ckey_base *out, vy_error *err);

/* The build identity used above ("" when the binary has no build-id). */
const char *vy_jit_cache_code_identity(void);

#endif
