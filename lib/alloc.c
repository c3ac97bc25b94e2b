/* alloc.c - allocation through vy_allocator, arenas, growable buffers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_int.h"

void *vy_mem_alloc(const vy_allocator *a, size_t size) {
  if (size == 0) size = 1;
  return a ? a->fn(a->ud, NULL, 0, size) : malloc(size);
}

void *vy_mem_calloc(const vy_allocator *a, size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) return NULL;
  size_t bytes = n * size;
  void *p = vy_mem_alloc(a, bytes);
  if (p && bytes) memset(p, 0, bytes);
  return p;
}

void *vy_mem_realloc(const vy_allocator *a, void *p, size_t old_size, size_t new_size) {
  if (new_size == 0) new_size = 1;
  if (!p) old_size = 0;
  return a ? a->fn(a->ud, p, old_size, new_size) : realloc(p, new_size);
}

void vy_mem_free(const vy_allocator *a, void *p, size_t size) {
  if (!p) return;
  if (a)
    a->fn(a->ud, p, size ? size : 1, 0);
  else
    free(p);
}

/* ---- vy_bytes ---- */

void vy_bytes_free(vy_bytes *b) {
  if (!b) return;
  vy_mem_free(b->alloc, b->data, b->cap);
  b->data = NULL;
  b->len = b->cap = 0;
}

int vy_bytes_reserve(vy_bytes *b, size_t extra) {
  if (extra > SIZE_MAX - b->len - 1) return -1;
  size_t need = b->len + extra + 1; /* room for the NUL */
  if (need <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  uint8_t *d = vy_mem_realloc(b->alloc, b->data, b->cap, cap);
  if (!d) return -1;
  b->data = d;
  b->cap = cap;
  return 0;
}

int vy_bytes_append(vy_bytes *b, const void *data, size_t n) {
  if (vy_bytes_reserve(b, n)) return -1;
  if (n) memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = 0;
  return 0;
}

int vy_bytes_putc(vy_bytes *b, uint8_t c) { return vy_bytes_append(b, &c, 1); }

int vy_bytes_printf(vy_bytes *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return -1;
  if ((size_t)n < sizeof small) return vy_bytes_append(b, small, (size_t)n);
  if (vy_bytes_reserve(b, (size_t)n)) return -1;
  va_start(ap, fmt);
  vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

/* ---- arena ---- */

struct vy_arena_chunk {
  vy_arena_chunk *next;
  size_t size; /* total allocation size including this header */
  _Alignas(16) unsigned char data[];
};

enum { ARENA_MIN_CHUNK = 4096 - sizeof(vy_arena_chunk) };

void vy_arena_init(vy_arena *ar, const vy_allocator *alloc) {
  ar->alloc = alloc;
  ar->head = NULL;
  ar->used = ar->cap = 0;
  ar->total = 0;
}

void *vy_arena_alloc(vy_arena *ar, size_t size) {
  if (size > SIZE_MAX - 32) return NULL;
  size = (size + 15) & ~(size_t)15;
  if (size == 0) size = 16;
  if (!ar->head || ar->cap - ar->used < size) {
    size_t want = ar->cap * 2;
    if (want < ARENA_MIN_CHUNK) want = ARENA_MIN_CHUNK;
    if (want < size) want = size;
    if (want > SIZE_MAX - sizeof(vy_arena_chunk)) return NULL;
    size_t bytes = sizeof(vy_arena_chunk) + want;
    vy_arena_chunk *c = vy_mem_alloc(ar->alloc, bytes);
    if (!c) return NULL;
    c->next = ar->head;
    c->size = bytes;
    ar->head = c;
    ar->cap = want;
    ar->used = 0;
    ar->total += bytes;
  }
  void *p = ar->head->data + ar->used;
  ar->used += size;
  memset(p, 0, size);
  return p;
}

void *vy_arena_array(vy_arena *ar, size_t n, size_t elem_size) {
  if (elem_size && n > SIZE_MAX / elem_size) return NULL;
  return vy_arena_alloc(ar, n * elem_size);
}

char *vy_arena_strndup(vy_arena *ar, const char *s, size_t len) {
  if (len == SIZE_MAX) return NULL;
  char *d = vy_arena_alloc(ar, len + 1);
  if (!d) return NULL;
  if (len) memcpy(d, s, len);
  d[len] = 0;
  return d;
}

void vy_arena_free_all(vy_arena *ar) {
  vy_arena_chunk *c = ar->head;
  while (c) {
    vy_arena_chunk *next = c->next;
    vy_mem_free(ar->alloc, c, c->size);
    c = next;
  }
  ar->head = NULL;
  ar->used = ar->cap = 0;
}

/* ---- pointer vector ---- */

void vy_ptrvec_init(vy_ptrvec *v, const vy_allocator *alloc) {
  v->alloc = alloc;
  v->items = NULL;
  v->count = v->cap = 0;
}

int vy_ptrvec_push(vy_ptrvec *v, void *item) {
  if (v->count == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 8;
    if (cap > SIZE_MAX / sizeof(void *)) return -1;
    void **n = vy_mem_realloc(v->alloc, v->items, v->cap * sizeof(void *), cap * sizeof(void *));
    if (!n) return -1;
    v->items = n;
    v->cap = cap;
  }
  v->items[v->count++] = item;
  return 0;
}

void vy_ptrvec_free(vy_ptrvec *v) {
  vy_mem_free(v->alloc, v->items, v->cap * sizeof(void *));
  v->items = NULL;
  v->count = v->cap = 0;
}
