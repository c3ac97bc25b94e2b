/* backends.h - opening a context and one of its backends for the tests that
 * run the same cases on several backends (test_stream/async/resident.c and
 * their test_jit_* twins, which add llvm-cpu through `reg`). */
#ifndef VY_TEST_BACKENDS_H
#define VY_TEST_BACKENDS_H

#include <pthread.h>

#include "vyre/vyre.h"

/* Registers extra backends on a fresh context (vy_jit_register_backends). */
typedef vy_status (*vt_register_fn)(vy_context *ctx);

/* Creates a context with `alloc` (NULL = malloc) and 2 worker threads,
 * registers `reg`'s backends (reg may be NULL) and opens backend `name`.
 * On error nothing is left open (*ctx and *be NULL). */
vy_status vt_open_backend(const char *name, const vy_allocator *alloc, vt_register_fn reg, vy_context **ctx,
                          vy_backend **be, vy_error *err);

/* The program of text `src` (a test's own source: a parse error fails the
 * calling test). Destroy with vy_program_destroy. */
vy_program *vt_parse(const char *src);

/* An allocator that serializes calls to `inner` with a mutex, for running
 * the (single-threaded) fault allocator under dispatches that allocate on
 * several threads at once. Init before use, destroy after. */
typedef struct vt_locked_alloc {
  vy_allocator alloc; /* pass &la.alloc to the library */
  const vy_allocator *inner;
  pthread_mutex_t mu;
} vt_locked_alloc;

void vt_locked_alloc_init(vt_locked_alloc *la, const vy_allocator *inner);
void vt_locked_alloc_destroy(vt_locked_alloc *la);

/* Closes what vt_open_backend opened (NULLs are fine). */
void vt_close_backend(vy_context *ctx, vy_backend *be);

#endif
