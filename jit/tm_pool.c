/* tm_pool.c - reusable host target machines for compile jobs. See
 * tm_pool_int.h. */
#include <pthread.h>

#include "error_int.h"
#include "tm_pool_int.h"

/* Idle machines kept; more concurrent jobs than this still work, the
 * surplus machines are disposed when given back. */
#define POOL_MAX 8

typedef struct idle_tm {
  LLVMTargetMachineRef tm;
  vy_jit_opt opt;
} idle_tm;

struct vy_jit_tm_pool {
  vy_allocator alloc_copy;
  const vy_allocator *alloc; /* &alloc_copy, or NULL for malloc */
  const vy_jit_host *host;   /* borrowed */
  pthread_mutex_t lock;      /* guards idle[] and nidle */
  idle_tm idle[POOL_MAX];
  unsigned nidle;
};

vy_status vy_jit_tm_pool_create(const vy_allocator *alloc, const vy_jit_host *host, vy_jit_tm_pool **out,
                                vy_error *err) {
  if (out) *out = NULL;
  if (!host || !host->triple || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_jit_tm_pool_create needs a detected host and an output. Fix: call vy_jit_host_detect "
                        "first.");
  vy_jit_tm_pool *p = vy_mem_calloc(alloc, 1, sizeof *p);
  if (!p) return vy_error_nomem(err);
  if (alloc) {
    p->alloc_copy = *alloc;
    p->alloc = &p->alloc_copy;
  }
  p->host = host;
  if (pthread_mutex_init(&p->lock, NULL)) {
    vy_mem_free(p->alloc, p, sizeof *p);
    return vy_error_nomem(err);
  }
  *out = p;
  return VY_OK;
}

void vy_jit_tm_pool_destroy(vy_jit_tm_pool *p) {
  if (!p) return;
  for (unsigned i = 0; i < p->nidle; i++) LLVMDisposeTargetMachine(p->idle[i].tm);
  pthread_mutex_destroy(&p->lock);
  vy_mem_free(p->alloc, p, sizeof *p);
}

vy_status vy_jit_tm_pool_take(vy_jit_tm_pool *p, vy_jit_opt opt, LLVMTargetMachineRef *out, vy_error *err) {
  if (out) *out = NULL;
  if (!p || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_jit_tm_pool_take needs a pool and an output. Fix: pass both.");
  pthread_mutex_lock(&p->lock);
  for (unsigned i = p->nidle; i-- > 0;) /* the most recently given back first: its caches are warm */
    if (p->idle[i].opt == opt) {
      *out = p->idle[i].tm;
      p->idle[i] = p->idle[--p->nidle];
      break;
    }
  pthread_mutex_unlock(&p->lock);
  return *out ? VY_OK : vy_jit_tm_host(p->host, opt, out, err);
}

void vy_jit_tm_pool_give(vy_jit_tm_pool *p, vy_jit_opt opt, LLVMTargetMachineRef tm) {
  if (!tm) return;
  if (p) {
    pthread_mutex_lock(&p->lock);
    bool kept = p->nidle < POOL_MAX;
    if (kept) p->idle[p->nidle++] = (idle_tm){tm, opt};
    pthread_mutex_unlock(&p->lock);
    if (kept) return;
  }
  LLVMDisposeTargetMachine(tm);
}
