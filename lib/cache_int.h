/* cache_int.h - the kernel cache of compiled backends: the key (cache_key.c),
 * the disk cache (cache_disk.c), the in-memory cache of loaded kernels
 * (cache_mem.c) and the process-wide instances behind include/vyre/cache.h
 * (cache_global.c). Nothing here uses LLVM: a backend describes its target
 * with strings and hands the cache callbacks that compile and load its
 * artifacts (objects for llvm-cpu, PTX or cubin for cuda). docs/cache.md is
 * the user-facing description; this header holds the contracts.
 *
 * How a backend's compile path uses it (one call does both levels):
 *
 *   once per backend:   vy_ckey_base_init(&base, &target)        target identity, hashed once
 *   per compile:        vy_ckey_begin(&kb, &base, fingerprint, opt)  (no fingerprint: no caching)
 *                       vy_ckey_opt_u64(&kb, "vector_width", 8) ... every code-changing option
 *                       vy_ckey_finish(&kb, &key, err)
 *                       vy_kcache_get(vy_kcache_global(), &key, domain, &builder, &entry, err)
 *                         memory hit  -> the loaded kernel, reference taken
 *                         disk hit    -> builder.load(artifact)          (no optimizer, no codegen)
 *                         miss        -> builder.compile -> disk store -> builder.load
 *   dispatch:           vy_kcache_entry_kernel(entry)
 *   kernel handle freed: vy_kcache_release(cache, entry)
 */
#ifndef VYRE_CACHE_INT_H
#define VYRE_CACHE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blake3_int.h"
#include "vyre/cache.h"
#include "vyre/status.h"

/* ------------------------------------------------------------------ */
/* cache_key.c: the key                                                 */

/* Version of the key record laid out in cache_key.c (and docs/cache.md).
 * Bump it when the record's layout or meaning changes. */
#define VY_CKEY_SCHEMA 1u

/* THE LOWERING CONTRACT. Every cache key contains this number, so cached
 * code built by an older code generator is never loaded again once it
 * changes. BUMP IT (by one) IN THE SAME COMMIT as any change that alters the
 * machine code or the calling convention of compiled kernels without
 * changing their cache key otherwise: jit/lower*.c, the pass pipeline
 * (jit/passes.c), emission or target-machine settings (jit/emit.c,
 * jit/target.c), the kernel ABI seen by runtime/ (argument layout, error
 * flag, host-call table), the CUDA flavour, or the payload format a backend
 * packs into its cached artifacts. When in doubt, bump: a bump costs one
 * recompile per kernel, a missed bump runs stale code. (The build identity
 * of the compiling library is in the key as well, see
 * vy_ckey_code_identity, but builds without a GNU build-id rely on this
 * number alone.) */
#define VY_CODEGEN_CONTRACT 10u

/* A cache key: BLAKE3 of the key record. */
typedef struct vy_ckey {
  uint8_t b[32];
} vy_ckey;

/* What identifies the code a backend produces apart from the program and
 * its options. Strings are borrowed for the call; NULL means "not
 * applicable" and is hashed differently from "". CPU backends fill the
 * CPU fields and leave the GPU ones NULL; GPU backends the other way round
 * (they may set triple too). */
typedef struct vy_ckey_target {
  const char *backend_id;      /* "llvm-cpu", "cuda": required */
  const char *backend_version; /* the backend's own version string: required */
  const char *llvm_version;    /* "19.1.7" */
  const char *triple;          /* "x86_64-pc-linux-gnu", "nvptx64-nvidia-cuda" */
  const char *cpu;             /* LLVM CPU name, e.g. "sapphirerapids" */
  const char *features;        /* the full LLVM feature string, every +f/-f */
  const char *gpu_sm;          /* "sm_90" */
  const char *ptx_isa;         /* PTX ISA version, e.g. "8.0" */
  const char *driver_version;  /* CUDA driver version, e.g. "12040" */
  const char *code_identity;   /* build id of the compiling code (vy_ckey_code_identity) */
} vy_ckey_target;

/* The target part of the record, hashed once per backend instance: every
 * key of that backend continues this hasher state. `label` is a short
 * human-readable summary written into disk files (shown by `vyre-jit cache
 * list`; never trusted). Plain data: copy or share it freely; read-only
 * use from many threads is safe. */
typedef struct vy_ckey_base {
  vy_blake3 prefix; /* hasher after the target fields */
  char label[192];  /* "llvm-cpu 0.1.0 llvm 19.1.7 x86_64-pc-linux-gnu sapphirerapids" */
} vy_ckey_base;

/* Hashes the target part. Errors: VY_E_INVALID_ARGUMENT (NULL arguments,
 * no backend id or version). */
vy_status vy_ckey_base_init(vy_ckey_base *base, const vy_ckey_target *t, vy_error *err);

/* The hex GNU build-id of the loaded ELF object (executable or shared
 * library) that contains address `addr`, written to out (NUL-terminated,
 * at most cap-1 characters). Returns false (out = "") when there is no
 * such object or it has no build-id. Thread-safe. */
bool vy_ckey_code_identity(const void *addr, char *out, size_t cap);

#define VY_CKEY_MAX_ITEMS 32u /* options, and specialization values, per key */

/* One (name, value) pair; see vy_ckey_opt_* below. */
typedef struct vy_ckey_item {
  const char *name; /* borrowed until vy_ckey_finish */
  const void *data; /* bytes/string value, borrowed (NULL for numbers) */
  size_t len;       /* bytes of data */
  uint64_t num;     /* numeric value */
  uint8_t kind;     /* 'u' number, 's' string, 'b' bytes */
} vy_ckey_item;

/* Collects the per-program part of a key. A plain struct on the caller's
 * stack (no allocation); borrowed strings and bytes must stay valid until
 * vy_ckey_finish. Errors are sticky: the first one is reported by finish. */
typedef struct vy_ckey_builder {
  const vy_ckey_base *base;
  uint8_t fingerprint[32];
  uint32_t opt_level;
  vy_ckey_item opts[VY_CKEY_MAX_ITEMS];
  vy_ckey_item spec[VY_CKEY_MAX_ITEMS];
  uint32_t nopts, nspec;
  vy_status st;     /* first error */
  const char *what; /* its reason */
} vy_ckey_builder;

/* Starts a key for the program with fingerprint `fp` (vy_program_fingerprint;
 * a program without one is not wire-encodable, has no portable identity and
 * is simply not cached: the backend compiles it without the cache) at
 * optimization level `opt_level` (0-3). */
void vy_ckey_begin(vy_ckey_builder *kb, const vy_ckey_base *base, const uint8_t fp[32], uint32_t opt_level);

/* Adds one code-changing option. Names are unique per key (a repeat is an
 * error reported by finish); the order of the calls does not matter
 * (finish sorts by name). Every option that can change the generated code
 * must be added, also at its default value, so that a changed default
 * changes the key. */
void vy_ckey_opt_u64(vy_ckey_builder *kb, const char *name, uint64_t value);
void vy_ckey_opt_str(vy_ckey_builder *kb, const char *name, const char *value); /* NULL value = "" */
void vy_ckey_opt_bytes(vy_ckey_builder *kb, const char *name, const void *data, size_t len);

/* Adds one specialization value (something of the launch the code was
 * specialized for: a workgroup size, a buffer length, a constant). Same
 * rules as options, separate namespace. */
void vy_ckey_spec_u64(vy_ckey_builder *kb, const char *name, uint64_t value);
void vy_ckey_spec_bytes(vy_ckey_builder *kb, const char *name, const void *data, size_t len);

/* Finishes the record and writes the key. Errors: VY_E_INVALID_ARGUMENT
 * (no base, NULL or empty name, a name given twice, more than
 * VY_CKEY_MAX_ITEMS items, opt_level > 3). Does not change kb. */
vy_status vy_ckey_finish(const vy_ckey_builder *kb, vy_ckey *out, vy_error *err);

/* 64 lowercase hex digits and a NUL. */
void vy_ckey_hex(const vy_ckey *k, char out[65]);
/* Parses exactly 64 hex digits (either case). */
bool vy_ckey_from_hex(const char *s, vy_ckey *out);

/* ------------------------------------------------------------------ */
/* cache_disk.c: the disk cache                                         */

/* File format version of cache files (the header in cache_disk.c). A file
 * of another version is a miss and is replaced by the next store. */
#define VY_DCACHE_FORMAT 1u
#define VY_DCACHE_EXT_MAX 7u      /* artifact extension: 1..7 chars of [a-z0-9_] */
#define VY_DCACHE_LABEL_MAX 1024u /* bytes of the informational label */
#define VY_DCACHE_MAX_PAYLOAD (1ull << 30)

typedef struct vy_dcache vy_dcache;

typedef enum vy_dcache_result {
  VY_DCACHE_HIT,  /* payload filled */
  VY_DCACHE_MISS, /* no usable file (absent, truncated, corrupt, other version, other key) */
  VY_DCACHE_OFF   /* the disk cache is disabled or its directory unusable */
} vy_dcache_result;

/* Creates a disk cache with the disk_* fields and the warning callback of
 * `s` (NULL: vy_cache_settings_from_env's values). The directory is probed
 * (created with mode 0700 if missing) at first use, not here. `alloc` (NULL
 * = malloc, copied) serves the object, payloads and directory scans.
 * Errors: VY_E_NOMEM, VY_E_INVALID_ARGUMENT (directory path too long). */
vy_status vy_dcache_create(const vy_allocator *alloc, const vy_cache_settings *s, vy_dcache **out, vy_error *err);
/* Frees it. No other thread may use it. NULL is a no-op. */
void vy_dcache_destroy(vy_dcache *d);
/* Applies new disk settings; the directory is probed again at next use and
 * the warning re-armed. Thread-safe. Errors as vy_dcache_create. */
vy_status vy_dcache_configure(vy_dcache *d, const vy_cache_settings *s, vy_error *err);
/* Copies the disk_* fields into *s. Thread-safe. */
void vy_dcache_settings(vy_dcache *d, vy_cache_settings *s);

/* Reads the artifact of (key, ext). On VY_DCACHE_HIT *payload (which must
 * be empty) holds exactly the bytes stored, checksum verified, allocated
 * with the cache's allocator (free with vy_bytes_free), and the file's
 * modification time is set to now (the LRU clock). Every file problem is
 * a miss, never an error; a file that exists but is rejected also counts
 * as corrupt. Errors: VY_E_NOMEM (payload buffer), VY_E_INVALID_ARGUMENT
 * (bad ext). Thread-safe and safe against other processes writing,
 * evicting or corrupting the directory. */
vy_status vy_dcache_load(vy_dcache *d, const vy_ckey *key, const char *ext, vy_bytes *payload, vy_dcache_result *res,
                         vy_error *err);

/* Writes the artifact of (key, ext) atomically: to a unique temporary file
 * in the entry's directory, renamed into place (an existing file is
 * replaced). `label` (NULL = "") is stored for `cache list`. May then trim
 * the directory to the size cap (see cache_disk.c). A disabled cache does
 * nothing and returns VY_OK. Errors: VY_E_IO (write failed; counted, the
 * cache stays usable), VY_E_INVALID_ARGUMENT (bad ext, payload over 1 GiB).
 * Thread-safe. */
vy_status vy_dcache_store(vy_dcache *d, const vy_ckey *key, const char *ext, const char *label, const void *data,
                          size_t len, vy_error *err);

/* Counts an artifact that loaded from disk but that the backend then
 * rejected (its loader failed on it): a corrupt file the checksum did not
 * catch. Thread-safe. */
void vy_dcache_note_rejected(vy_dcache *d);

/* Removes least-recently-used entries (oldest modification time first)
 * until the directory holds at most `target` bytes, and temporary files
 * older than an hour. *removed (may be NULL) gets what was removed.
 * Errors: VY_E_NOMEM, VY_E_IO (directory unreadable). Thread-safe; other
 * processes may read, write and trim at the same time. */
vy_status vy_dcache_trim(vy_dcache *d, uint64_t target, vy_cache_usage *removed, vy_error *err);

/* Whether the cache is enabled and its directory usable (probing it now if
 * that was not done yet; a failed probe warns once). Thread-safe. */
bool vy_dcache_active(vy_dcache *d);

/* Adds the disk_* counters of `d` to *s; reset zeroes them. NULL d is a
 * no-op. Thread-safe. */
void vy_dcache_stats(vy_dcache *d, vy_cache_stats *s);
void vy_dcache_stats_reset(vy_dcache *d);

/* Directory maintenance behind vy_cache_disk_usage/list/clear (dir is a
 * path, never NULL here; only files named like cache entries or their
 * temporary files are ever touched). */
vy_status vy_dcache_dir_usage(const char *dir, const vy_allocator *alloc, vy_cache_usage *out, vy_error *err);
vy_status vy_dcache_dir_list(const char *dir, bool verify, vy_cache_list_fn fn, void *ud, const vy_allocator *alloc,
                             vy_error *err);
vy_status vy_dcache_dir_clear(const char *dir, const vy_allocator *alloc, vy_cache_usage *removed, vy_error *err);

/* ------------------------------------------------------------------ */
/* cache_mem.c: loaded kernels in memory                                */

typedef struct vy_kcache vy_kcache;
typedef struct vy_kcache_entry vy_kcache_entry;

/* A loaded kernel as the cache keeps it. */
typedef struct vy_kcache_kernel {
  void *kernel;                             /* the backend's handle (e.g. vy_orc_kernel *) */
  void (*destroy)(void *kernel, void *ctx); /* frees it (e.g. vy_orc_kernel_remove); NULL = nothing to free */
  void *destroy_ctx;                        /* passed to destroy */
  uint64_t code_bytes;                      /* counted against max_code_bytes */
} vy_kcache_kernel;

/* How a backend produces a kernel on a miss. Called on the requesting
 * thread, outside the cache's lock, at most once per request; they must not
 * request the same key from the same cache (that would wait for itself). */
typedef struct vy_kcache_builder {
  /* Artifact extension on disk ("o", "ptx", "cubin"); NULL = this backend
   * does not use the disk cache. */
  const char *ext;
  /* Informational label stored with the artifact (vy_ckey_base.label). */
  const char *label;
  /* Cold compile: fills *artifact (empty on entry; allocate it with
   * `alloc`, e.g. vy_jit_emit(..., alloc, artifact, ...)). */
  vy_status (*compile)(void *ud, const vy_allocator *alloc, vy_bytes *artifact, vy_error *err);
  /* Loads an artifact (freshly compiled or read from disk, checksum
   * verified) into a runnable kernel. Must copy what it keeps. A failure
   * on a disk artifact is treated as a corrupt file (compile, store again). */
  vy_status (*load)(void *ud, const uint8_t *artifact, size_t len, vy_kcache_kernel *out, vy_error *err);
  void *ud;
} vy_kcache_builder;

/* Creates a memory cache bounded by s->mem_max_entries and
 * s->mem_max_code_bytes (0 = the defaults; NULL s = defaults), backed by
 * the disk cache `disk` (borrowed, may be NULL; it must outlive this
 * cache). Errors: VY_E_NOMEM, VY_E_INTERNAL (mutex). */
vy_status vy_kcache_create(const vy_allocator *alloc, const vy_cache_settings *s, vy_dcache *disk, vy_kcache **out,
                           vy_error *err);

/* Destroys every kernel and frees the cache. Every entry must have been
 * released and no request may be running. NULL is a no-op. */
void vy_kcache_destroy(vy_kcache *c);

/* Returns the loaded kernel of (key, domain), with one reference taken:
 * from memory if present (a retired entry still referenced elsewhere is
 * revived); else, when another thread is building it, waits for that
 * build; else builds it (disk, or compile + disk store) on this thread.
 * `domain` separates kernels that are not interchangeable although their
 * keys are equal, e.g. kernels of different JITs (NULL = shared). Release
 * the reference with vy_kcache_release. Errors: those of the builder
 * (also delivered to every thread that waited for the failed build; a
 * failed build is not cached), VY_E_NOMEM, VY_E_INVALID_ARGUMENT.
 * Thread-safe. */
vy_status vy_kcache_get(vy_kcache *c, const vy_ckey *key, const void *domain, const vy_kcache_builder *b,
                        vy_kcache_entry **out, vy_error *err);

/* The backend's kernel handle of an entry obtained from vy_kcache_get;
 * valid until the entry is released. */
void *vy_kcache_entry_kernel(const vy_kcache_entry *e);

/* Drops one reference. An entry evicted while referenced is destroyed
 * here when its last reference goes. NULL e is a no-op. Thread-safe. */
void vy_kcache_release(vy_kcache *c, vy_kcache_entry *e);

/* Applies new limits (mem_* of s; 0 = default) and evicts down to them.
 * Thread-safe. */
void vy_kcache_set_limits(vy_kcache *c, const vy_cache_settings *s);

/* Evicts every ready entry of `domain` (all domains when all_domains).
 * Entries still referenced are destroyed at their last release. Returns
 * how many of the evicted entries are still referenced. Requests of that
 * domain must not run concurrently if the caller relies on the result.
 * Thread-safe. */
size_t vy_kcache_purge(vy_kcache *c, const void *domain, bool all_domains);

/* Adds the mem_* counters of `c` to *s; reset zeroes its counters (not the
 * gauges). Thread-safe. */
void vy_kcache_stats(vy_kcache *c, vy_cache_stats *s);
void vy_kcache_stats_reset(vy_kcache *c);

/* ------------------------------------------------------------------ */
/* cache_global.c: the process-wide instances                          */

/* The process-wide kernel cache (DESIGN.md §11 singleton) and its disk
 * cache, created on first use from vy_cache_settings_from_env (a bad
 * environment value is warned about once on stderr and replaced by its
 * default), allocated with malloc, never destroyed. NULL when creation ran
 * out of memory: callers then compile without caching. Thread-safe. */
vy_kcache *vy_kcache_global(void);
vy_dcache *vy_dcache_global(void);

#endif
