/* guard_alloc.c - see guard_alloc.h. */
#define _GNU_SOURCE /* MAP_ANONYMOUS */
#include "guard_alloc.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t page(void) { return (size_t)sysconf(_SC_PAGESIZE); }
static size_t round16(size_t n) { return n ? (n + 15) / 16 * 16 : 16; }
static size_t data_pages(size_t n) { return (round16(n) + page() - 1) / page(); }

static void *guard_map(size_t n) {
  size_t pg = page(), np = data_pages(n);
  uint8_t *base = mmap(NULL, (np + 2) * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return NULL;
  if (mprotect(base + pg, np * pg, PROT_READ | PROT_WRITE) != 0) {
    munmap(base, (np + 2) * pg);
    return NULL;
  }
  return base + pg + np * pg - round16(n); /* ends where the trailing guard page starts (to 16 bytes) */
}

static void guard_unmap(void *p, size_t n) {
  if (!p) return;
  size_t pg = page(), np = data_pages(n);
  uint8_t *base = (uint8_t *)p + round16(n) - np * pg - pg;
  munmap(base, (np + 2) * pg);
}

static void *guard_fn(void *ud, void *ptr, size_t old_size, size_t new_size) {
  (void)ud;
  if (!new_size) {
    guard_unmap(ptr, old_size);
    return NULL;
  }
  void *q = guard_map(new_size);
  if (!q) return NULL;
  if (ptr) {
    memcpy(q, ptr, old_size < new_size ? old_size : new_size);
    guard_unmap(ptr, old_size);
  }
  return q;
}

static const vy_allocator guard = {guard_fn, NULL};

const vy_allocator *vy_guard_allocator(void) { return &guard; }

void *vy_guard_copy(const void *src, size_t len) {
  void *p = guard_map(len);
  if (p && len) memcpy(p, src, len);
  return p;
}

void vy_guard_free(void *p, size_t len) { guard_unmap(p, len); }
