/* guard_alloc.h - an allocator that puts every block between two
 * inaccessible pages (issue 10 §1: compiled code, which ASan does not
 * instrument, must never read or write outside its buffers).
 *
 * Each (re)allocation gets its own mapping: a PROT_NONE page, the data
 * pages, a PROT_NONE page. The block is placed so that it ends 0..15
 * bytes before the trailing guard page (its size rounded up to 16, which
 * keeps malloc's 16-byte alignment), so any access past the end by 16
 * bytes or more, or before the start, faults at once (SIGSEGV). Slower
 * than malloc and page-hungry: for tests only. Thread-safe (no state). */
#ifndef VY_GUARD_ALLOC_H
#define VY_GUARD_ALLOC_H

#include <stddef.h>

#include "vyre/status.h"

/* The allocator (static storage, valid for the whole process). */
const vy_allocator *vy_guard_allocator(void);

/* A guarded copy of `len` bytes at `src` (len 0: a 16-byte guarded block
 * holding nothing); free with vy_guard_free(p, len). NULL on failure. */
void *vy_guard_copy(const void *src, size_t len);
void vy_guard_free(void *p, size_t len);

#endif
