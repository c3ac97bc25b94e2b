/** @file
 * cache.h - the kernel cache of the compiled backends (llvm-cpu, cuda):
 * settings, counters and maintenance of its disk directory.
 *
 * Compiled kernels are cached by a key that covers the program fingerprint,
 * the backend, the compiler and target (LLVM version, triple, CPU name and
 * full feature string, or GPU SM, PTX ISA and driver version) and every
 * option that changes code (docs/cache.md lists the record). Two levels:
 *
 * - memory: loaded kernels shared by every dispatch of the process, bounded
 *   by a number of entries and of code bytes, least recently used evicted;
 *   concurrent requests for one kernel compile it once;
 * - disk: the compiled artifacts (object code, PTX, cubin) as one file per
 *   key under the cache directory, so that later processes skip compiling;
 *   written atomically, checksummed (a damaged file is a miss, never a
 *   crash), bounded by a size cap with least-recently-used eviction.
 *
 * Environment (read when the cache is first used, and by
 * vy_cache_settings_from_env):
 *   VYRE_JIT_CACHE=off          disables the disk cache (also 0, false, no)
 *   VYRE_JIT_CACHE_DIR=DIR      its directory; default $XDG_CACHE_HOME/vyre-jit,
 *                               else $HOME/.cache/vyre-jit
 *   VYRE_JIT_CACHE_MAX_SIZE=N   size cap in bytes, suffix K, M or G allowed
 *                               (powers of 1024); default 256M
 *
 * The cache is one of the two process-wide singletons of vyre-jit (the
 * other is the CUDA driver table): settings and counters here are those of
 * the process, whatever context or backend uses the cache. Every function
 * here is thread-safe.
 */
#ifndef VYRE_CACHE_H
#define VYRE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VY_CACHE_PATH_MAX 4096                    /**< size of a cache path, NUL included */
#define VY_CACHE_DEFAULT_DISK_BYTES (256ull << 20) /**< default disk_max_bytes */
#define VY_CACHE_DEFAULT_MEM_ENTRIES 1024ull      /**< default mem_max_entries */
#define VY_CACHE_DEFAULT_MEM_BYTES (512ull << 20)  /**< default mem_max_code_bytes */

/** Where and how much the kernel cache keeps (vy_cache_settings_default). */
typedef struct vy_cache_settings {
  bool disk_enabled;                /**< false: nothing is read from or written to disk */
  char disk_dir[VY_CACHE_PATH_MAX]; /**< absolute or relative directory; "" = none (disk off) */
  uint64_t disk_max_bytes;          /**< size cap of the directory; 0 = default (256 MiB) */
  uint64_t mem_max_entries;         /**< loaded kernels kept in memory; 0 = default (1024) */
  uint64_t mem_max_code_bytes;      /**< their code bytes; 0 = default (512 MiB) */
  /** Receives the disk cache's warnings (unusable directory: the cache is
   * then off; it is reported once per configuration). NULL = print
   * "vyre-jit: <message>" on stderr, once. Called from whatever thread
   * found the problem; `message` is valid during the call. */
  void (*warn)(void *ud, const char *message);
  void *warn_ud; /**< passed to warn */
} vy_cache_settings;

/** Fills *out with the defaults and the environment variables above.
 * Returns VY_E_INVALID_ARGUMENT (with *out still fully filled, the bad
 * value replaced by its default) when VYRE_JIT_CACHE or
 * VYRE_JIT_CACHE_MAX_SIZE cannot be read, or the directory path is too
 * long (disk then off). */
vy_status vy_cache_settings_from_env(vy_cache_settings *out, vy_error *err);

/** The settings in force now. */
void vy_cache_settings_get(vy_cache_settings *out);

/** Replaces the settings of the process-wide cache. Shrunk memory limits
 * evict at once; a new directory is used from the next request on (and
 * probed again, with a fresh warning if unusable). Kernels already loaded
 * stay valid. Errors: VY_E_INVALID_ARGUMENT (NULL, path without NUL),
 * VY_E_NOMEM (the cache could not be created). */
vy_status vy_cache_configure(const vy_cache_settings *s, vy_error *err);

/** Counters since process start or the last vy_cache_stats_reset. Every
 * request is one of mem_hits, mem_waits, mem_misses; every disk lookup one
 * of disk_hits, disk_misses. Gauges (entries, bytes) are current values. */
typedef struct vy_cache_stats {
  uint64_t mem_hits;            /**< requests served by a loaded kernel */
  uint64_t mem_waits;           /**< requests that waited for another thread building the same kernel */
  uint64_t mem_misses;          /**< requests that built the kernel (from disk or by compiling) */
  uint64_t mem_build_failures;  /**< builds that failed (the error went to every waiter) */
  uint64_t mem_evictions;       /**< kernels evicted (destroyed, or at their last release) */
  uint64_t mem_entries;         /**< gauge: loaded kernels in the cache */
  uint64_t mem_code_bytes;      /**< gauge: their code bytes */
  uint64_t mem_retired;         /**< gauge: evicted kernels still in use by a handle */
  uint64_t compiles;            /**< cold compiles run */
  uint64_t disk_hits;           /**< artifacts read and verified */
  uint64_t disk_misses;         /**< lookups without a usable file */
  uint64_t disk_corrupt;        /**< of the misses: a file was there but was rejected */
  uint64_t disk_rejected;       /**< verified artifacts the backend then failed to load */
  uint64_t disk_writes;         /**< artifacts written */
  uint64_t disk_write_failures; /**< writes that failed (full disk, permissions...) */
  uint64_t disk_evictions;      /**< files removed by the size cap */
  uint64_t disk_evicted_bytes;  /**< their bytes */
} vy_cache_stats;

/** The counters of the process-wide cache. */
void vy_cache_stats_get(vy_cache_stats *out);
/** Zeroes the counters (not the gauges). */
void vy_cache_stats_reset(void);

/** Evicts every loaded kernel from the memory cache (kernels in use stay
 * alive until released). Returns how many are still in use. */
size_t vy_cache_mem_clear(void);

/* ---- the disk directory ---------------------------------------------- */

/** What the disk directory holds. */
typedef struct vy_cache_usage {
  uint64_t files;      /**< cache entries */
  uint64_t bytes;      /**< their bytes */
  uint64_t temp_files; /**< temporary files of writers (running, or crashed) */
} vy_cache_usage;

/** The state of one file of the disk directory. */
typedef enum vy_cache_file_state {
  VY_CACHE_FILE_OK,      /**< header valid (and, when verified, the checksum) */
  VY_CACHE_FILE_CORRUPT, /**< truncated, damaged, or named after another key */
  VY_CACHE_FILE_FOREIGN  /**< another format version of the cache */
} vy_cache_file_state;

/** One file of the disk directory, as listed by vy_cache_disk_list. */
typedef struct vy_cache_file {
  const char *path;  /**< full path */
  char key_hex[65];  /**< the key its name gives */
  char ext[8];       /**< its extension: o, ptx, cubin */
  uint64_t bytes;    /**< file size */
  int64_t mtime_sec; /**< last use (modification time), seconds since the epoch */
  vy_cache_file_state state; /**< readable, damaged, or of another format */
  const char *label; /**< what it was built for, from its header ("" if unreadable) */
} vy_cache_file;

/** Called for each entry; return non-zero to stop. Pointers are valid
 * during the call. */
typedef int (*vy_cache_list_fn)(void *ud, const vy_cache_file *f);

/** Entries and bytes in `dir` (NULL = the configured directory). Errors:
 * VY_E_IO (directory unreadable; a missing one is empty), VY_E_NOMEM,
 * VY_E_INVALID_ARGUMENT (no directory configured). */
vy_status vy_cache_disk_usage(const char *dir, vy_cache_usage *out, vy_error *err);

/** Lists the entries of `dir` (NULL = configured), least recently used
 * first. `verify` also reads each payload and checks its checksum. Errors
 * as vy_cache_disk_usage. */
vy_status vy_cache_disk_list(const char *dir, bool verify, vy_cache_list_fn fn, void *ud, vy_error *err);

/** Removes every entry and temporary file of `dir` (NULL = configured) and
 * its empty two-digit subdirectories; files that are not cache files are
 * left alone. Running readers are unaffected (they hold their file open).
 * *removed (may be NULL) gets what was removed. Errors as
 * vy_cache_disk_usage. */
vy_status vy_cache_disk_clear(const char *dir, vy_cache_usage *removed, vy_error *err);

#ifdef __cplusplus
}
#endif
#endif
