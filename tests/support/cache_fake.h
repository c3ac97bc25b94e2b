/* cache_fake.h - helpers for the kernel cache tests (test_jit_cache.c,
 * test_cache_disk.c): temporary directories, synthetic keys and payloads,
 * and a fake backend whose artifact for a key is a pure function of the
 * key (vct_payload), so that any byte a cache hands back can be checked.
 * Functions with cmocka asserts must run in the test process itself, not
 * in forked children; vct_compile, vct_load and vct_destroy never assert. */
#ifndef VY_CACHE_FAKE_H
#define VY_CACHE_FAKE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cache_int.h"

/* Makes a fresh empty directory under /tmp; `out` has room for 64 bytes. */
void vct_tmpdir(char *out);
/* Removes a directory tree (no error if absent). */
void vct_rm_rf(const char *dir);

/* Distinct synthetic keys. */
vy_ckey vct_key(unsigned n);
/* The artifact of key k: 1 to 3000 bytes, length and content derived from k. */
size_t vct_payload(const vy_ckey *k, uint8_t *buf, size_t cap);

/* Settings with the disk on `dir` (NULL: disk off), default memory limits
 * and an unbounded disk (no trims unless a test asks). */
vy_cache_settings vct_settings(const char *dir);
/* <dir>/<2 hex>/<hex>.<ext> */
void vct_entry_path(char *out, size_t cap, const char *dir, const vy_ckey *k, const char *ext);
vy_cache_stats vct_dstats(vy_dcache *d);
vy_cache_stats vct_kstats(vy_kcache *c);

/* Whole-file I/O (asserting), and mtime setting. vct_read_file returns a
 * static buffer of up to 64 KiB. */
uint8_t *vct_read_file(const char *path, size_t *len);
void vct_write_file(const char *path, const void *data, size_t len);
void vct_set_mtime(const char *path, time_t t);

/* The label the fake backend stores (it names an LLVM version, which a
 * test edits in the file). */
#define VCT_LABEL "fake backend llvm 19.1.7"
#define VCT_FAKE_MAGIC 0x4B45524Eu
#define VCT_MAX_KEYS 64

/* The fake backend: counts per key id. */
typedef struct vct_backend {
  const vy_allocator *alloc; /* fake kernels are allocated with it (NULL = malloc) */
  atomic_int compiles[VCT_MAX_KEYS];
  atomic_int destroyed[VCT_MAX_KEYS];
  atomic_int live[VCT_MAX_KEYS]; /* loaded and not yet destroyed */
  atomic_int total_compiles, loads, destroys;
  atomic_int bad_artifacts; /* artifacts that differed from vct_payload, double destroys, and with
                               single_copy a second live copy of a key: must stay 0 */
  vy_status fail;           /* compiles fail with this when set */
  int delay_us;             /* compile time */
  int destroy_delay_us;     /* destroy time (a JIT unmapping code) */
  bool single_copy;         /* one domain: a key may be loaded only once at a time (a JIT's rule) */
  uint64_t code_bytes;      /* each kernel's code size */
} vct_backend;

typedef struct vct_kernel {
  uint32_t magic; /* VCT_FAKE_MAGIC while alive */
  unsigned id;
  vct_backend *be;
} vct_kernel;

/* One request: the builder's ud. */
typedef struct vct_req {
  vct_backend *be;
  unsigned id;
  vy_ckey key;
} vct_req;

vy_status vct_compile(void *ud, const vy_allocator *alloc, vy_bytes *art, vy_error *err);
vy_status vct_load(void *ud, const uint8_t *art, size_t len, vy_kcache_kernel *out, vy_error *err);
void vct_destroy(void *kernel, void *ctx);

/* vy_kcache_get of key vct_key(id) through the fake backend (disk kind
 * "fk"); asserts that a returned kernel is alive and is key id's. */
vy_status vct_get(vy_kcache *c, vct_backend *be, unsigned id, const void *domain, vy_kcache_entry **e, vy_error *err);

/* Caches for tests (asserting creation). */
vy_kcache *vct_mem_cache(vy_dcache *disk, uint64_t max_entries, uint64_t max_bytes);
vy_dcache *vct_disk_cache(const char *dir, uint64_t cap); /* cap 0 = unbounded */

/* Stores key id's payload (kind ext, label VCT_LABEL); returns the file size. */
size_t vct_store(vy_dcache *d, unsigned id, const char *ext);
/* Loads key id: the result; on a hit asserts the bytes are vct_payload's. */
vy_dcache_result vct_load_id(vy_dcache *d, unsigned id, const char *ext);

#endif
