/* cuda_mem.c - the device memory pool and the pinned host staging pool of
 * a cuda backend (cuda_driver_int.h): blocks in size classes (powers of two
 * from 256 bytes to 1 MiB, then four classes per doubling, so at most 25 %
 * is wasted on large buffers), idle blocks kept per class up to a byte cap,
 * so that a dispatch loop of one shape allocates nothing after its first
 * run. */
#include <string.h>

#include "cuda_driver_int.h"
#include "error_int.h"

#define MIN_EXP 8u   /* 2^8 = 256 bytes */
#define FINE_EXP 20u /* above 2^20, quarter steps */
#define MAX_EXP 62u  /* largest block 2^62 */
#define NCLASSES (4u * (MAX_EXP + 1))

typedef struct idle {
  vy_cuda_block b;
  struct idle *next;
} idle;

struct vy_cuda_pool {
  const vy_cuda_device *dev;
  const vy_allocator *alloc;
  bool host;
  uint64_t max_cached, cached;
  pthread_mutex_t lock;
  idle *free_lists[NCLASSES];
};

vy_status vy_cuda_pool_create(const vy_cuda_device *d, bool host, uint64_t max_cached, const vy_allocator *alloc,
                              vy_cuda_pool **out, vy_error *err) {
  *out = NULL;
  vy_cuda_pool *p = vy_mem_calloc(alloc, 1, sizeof *p);
  if (!p) return vy_error_nomem(err);
  if (pthread_mutex_init(&p->lock, NULL) != 0) {
    vy_mem_free(alloc, p, sizeof *p);
    return vy_error_set(err, VY_E_INTERNAL, "cannot create a mutex. Fix: free system resources");
  }
  p->dev = d;
  p->alloc = alloc;
  p->host = host;
  p->max_cached = max_cached;
  *out = p;
  return VY_OK;
}

static void raw_free(vy_cuda_pool *p, vy_cuda_block *b) {
  if (p->host)
    p->dev->api->MemFreeHost(b->host);
  else
    p->dev->api->MemFree(b->dptr);
}

/* Frees every idle block; the caller holds the lock. */
static void drain(vy_cuda_pool *p) {
  for (unsigned c = 0; c < NCLASSES; c++) {
    while (p->free_lists[c]) {
      idle *i = p->free_lists[c];
      p->free_lists[c] = i->next;
      raw_free(p, &i->b);
      vy_mem_free(p->alloc, i, sizeof *i);
    }
  }
  p->cached = 0;
}

void vy_cuda_pool_destroy(vy_cuda_pool *p) {
  if (!p) return;
  drain(p);
  pthread_mutex_destroy(&p->lock);
  vy_mem_free(p->alloc, p, sizeof *p);
}

/* The class of a request (*id, a free-list index) and its size: the
 * smallest power of two >= bytes up to 2^FINE_EXP, above that the smallest
 * multiple of a quarter of the next lower power of two. 0 when too large. */
static size_t size_class(size_t bytes, unsigned *id) {
  unsigned e = MIN_EXP;
  while (e < MAX_EXP && ((size_t)1 << e) < bytes) e++;
  if (((size_t)1 << e) < bytes) return 0;
  *id = 4 * e;
  if (e <= FINE_EXP) return (size_t)1 << e;
  size_t q = (size_t)1 << (e - 3), size = (bytes + q - 1) / q * q; /* 5q, 6q, 7q or 8q = 2^e */
  if (size / q < 8) *id = 4 * (e - 1) + (unsigned)(size / q - 4);
  return size;
}

static vy_cu_result raw_alloc(vy_cuda_pool *p, size_t size, vy_cuda_block *b) {
  b->size = size;
  return p->host ? p->dev->api->MemAllocHost(&b->host, size) : p->dev->api->MemAlloc(&b->dptr, size);
}

vy_status vy_cuda_pool_get(vy_cuda_pool *p, size_t bytes, vy_cuda_block *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  if (bytes == 0) bytes = 1;
  unsigned c = 0;
  size_t size = size_class(bytes, &c);
  if (!size)
    return vy_error_set(err, VY_E_DEVICE_OOM, "a buffer of %zu bytes cannot be allocated. Fix: use smaller buffers",
                        bytes);
  pthread_mutex_lock(&p->lock);
  idle *i = p->free_lists[c];
  if (i) {
    p->free_lists[c] = i->next;
    p->cached -= i->b.size;
  }
  pthread_mutex_unlock(&p->lock);
  if (i) {
    *out = i->b;
    return VY_OK;
  }
  i = vy_mem_calloc(p->alloc, 1, sizeof *i); /* the block's record, kept with it */
  if (!i) return vy_error_nomem(err);
  vy_cu_result r = raw_alloc(p, size, out);
  if (r == VY_CU_ERROR_OUT_OF_MEMORY) { /* give the idle blocks back and try once more */
    pthread_mutex_lock(&p->lock);
    drain(p);
    pthread_mutex_unlock(&p->lock);
    r = raw_alloc(p, size, out);
  }
  if (r == VY_CU_SUCCESS) {
    out->rec = i;
    i->b = *out;
    return VY_OK;
  }
  vy_mem_free(p->alloc, i, sizeof *i);
  memset(out, 0, sizeof *out);
  if (r != VY_CU_ERROR_OUT_OF_MEMORY)
    return vy_cuda_error(p->dev->api, r, VY_E_DISPATCH_FAILED, p->host ? "cuMemAllocHost" : "cuMemAlloc", err);
  size_t free_b = 0, total = 0;
  if (!p->host) p->dev->api->MemGetInfo(&free_b, &total);
  if (p->host)
    return vy_error_set(err, VY_E_DEVICE_OOM,
                        "cannot pin %zu bytes of host memory for staging (cuMemAllocHost: out of memory). Fix: use "
                        "smaller buffers or raise the locked-memory limit (ulimit -l)",
                        size);
  return vy_error_set(err, VY_E_DEVICE_OOM,
                      "device out of memory: requested %zu bytes, %zu of %zu bytes free on %s. Fix: use smaller "
                      "buffers or free device memory held by other processes (nvidia-smi)",
                      size, free_b, total, p->dev->name);
}

void vy_cuda_pool_put(vy_cuda_pool *p, vy_cuda_block *b) {
  if (!b->size) return;
  idle *i = b->rec;
  bool keep = false;
  pthread_mutex_lock(&p->lock);
  if (p->cached + b->size <= p->max_cached) {
    unsigned c = 0;
    size_class(b->size, &c);
    i->b = *b;
    i->next = p->free_lists[c];
    p->free_lists[c] = i;
    p->cached += b->size;
    keep = true;
  }
  pthread_mutex_unlock(&p->lock);
  if (!keep) {
    raw_free(p, b);
    vy_mem_free(p->alloc, i, sizeof *i);
  }
  memset(b, 0, sizeof *b);
}
