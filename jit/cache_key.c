/* cache_key.c (jit/) - the CPU target part of kernel cache keys, filled
 * from LLVM's view of the host. See jit/cache_int.h. */
#include <pthread.h>
#include <stdio.h>

#include "cache_int.h"
#include "error_int.h"

/* The build-id of the object holding this file's code: computed once (a
 * walk over the loaded objects), immutable afterwards. */
static pthread_once_t identity_once = PTHREAD_ONCE_INIT;
static char identity[2 * 64 + 1];

static void identity_init(void) { vy_ckey_code_identity((const void *)&identity_once, identity, sizeof identity); }

const char *vy_jit_cache_code_identity(void) {
  pthread_once(&identity_once, identity_init);
  return identity;
}

vy_status vy_jit_cache_base_cpu(const vy_jit_host *host, const char *backend_id, const char *backend_version,
                                vy_ckey_base *out, vy_error *err) {
  if (!host || !host->triple || !host->cpu || !host->features)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_jit_cache_base_cpu needs a detected host. Fix: call vy_jit_host_detect first.");
  unsigned major, minor, patch;
  vy_jit_llvm_version(&major, &minor, &patch);
  char llvm[48];
  snprintf(llvm, sizeof llvm, "%u.%u.%u", major, minor, patch);
  const char *id = vy_jit_cache_code_identity();
  vy_ckey_target t = {.backend_id = backend_id,
                      .backend_version = backend_version,
                      .llvm_version = llvm,
                      .triple = host->triple,
                      .cpu = host->cpu,
                      .features = host->features,
                      .code_identity = id[0] ? id : NULL};
  return vy_ckey_base_init(out, &t, err);
}
