/* alloc_int.h - allocation through the user's vy_allocator, and the arena.
 *
 * Every allocation in libvyre goes through vy_mem_* so that a test allocator
 * can fail the Nth one (tests/support/fault_alloc.c). Sizes are passed on
 * free, Lua style.
 */
#ifndef VYRE_ALLOC_INT_H
#define VYRE_ALLOC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "vyre/status.h"

/* NULL `a` means the C library. All return NULL on failure / size overflow. */
void *vy_mem_alloc(const vy_allocator *a, size_t size);
void *vy_mem_calloc(const vy_allocator *a, size_t n, size_t size);
void *vy_mem_realloc(const vy_allocator *a, void *p, size_t old_size, size_t new_size);
void vy_mem_free(const vy_allocator *a, void *p, size_t size);

/* Growable byte buffer over vy_bytes (appends keep data NUL-terminated). */
int vy_bytes_reserve(vy_bytes *b, size_t extra); /* 0 ok, -1 nomem */
int vy_bytes_append(vy_bytes *b, const void *data, size_t n);
int vy_bytes_putc(vy_bytes *b, uint8_t c);
int vy_bytes_printf(vy_bytes *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Bump allocator: chunks from the allocator, freed all at once. */
typedef struct vy_arena_chunk vy_arena_chunk;
typedef struct vy_arena {
  const vy_allocator *alloc; /* pointer to the owner's stored copy */
  vy_arena_chunk *head;
  size_t used, cap;          /* within head */
  size_t total;              /* bytes requested from the allocator (stats) */
} vy_arena;

void vy_arena_init(vy_arena *ar, const vy_allocator *alloc);
/* Zeroed, 16-byte aligned memory; NULL on failure or overflow. */
void *vy_arena_alloc(vy_arena *ar, size_t size);
void *vy_arena_array(vy_arena *ar, size_t n, size_t elem_size);
/* Copies bytes into the arena with a NUL after them. */
char *vy_arena_strndup(vy_arena *ar, const char *s, size_t len);
void vy_arena_free_all(vy_arena *ar);

/* Growable pointer vector on the heap, for lists whose length is not known
 * up front (parser, builder). */
typedef struct vy_ptrvec {
  const vy_allocator *alloc;
  void **items;
  size_t count, cap;
} vy_ptrvec;
void vy_ptrvec_init(vy_ptrvec *v, const vy_allocator *alloc);
int vy_ptrvec_push(vy_ptrvec *v, void *item); /* 0 ok, -1 nomem */
void vy_ptrvec_free(vy_ptrvec *v);

#endif
