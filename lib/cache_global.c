/* cache_global.c - the process-wide kernel cache behind include/vyre/cache.h.
 *
 * Why global: DESIGN.md §11 names the kernel cache as one of the two
 * process-wide singletons. Compiling is the expensive step and its result
 * depends only on the key, not on which vy_context asked: a server that
 * creates a context per request, or several backends of one process,
 * should share loaded kernels; the disk directory is per-user state anyway.
 * Kernels that are not interchangeable despite equal keys (they live in
 * different JITs) are kept apart by the domain argument of vy_kcache_get.
 *
 * Key: see cache_key.c (program fingerprint, backend, compiler and target,
 * options). Flushing: vy_cache_mem_clear (memory), vy_cache_disk_clear or
 * `vyre-jit cache clear` (disk); a changed VY_CODEGEN_CONTRACT or build of
 * the library changes every key, which retires old entries through LRU.
 *
 * Both objects are created once (pthread_once), from the environment,
 * allocated with malloc, and never destroyed: kernels cached at exit are
 * freed with the process.
 */
#define _GNU_SOURCE /* strcasecmp, strnlen */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache_int.h"
#include "error_int.h"

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER; /* g_settings */
static vy_cache_settings g_settings;                       /* as last applied, defaults filled in */
static vy_dcache *g_disk;
static vy_kcache *g_mem;

/* ---- settings from the environment ---- */

/* Parses "<digits>[K|M|G][B|iB]" (powers of 1024). */
static bool parse_size(const char *s, uint64_t *out) {
  if (!s || *s < '0' || *s > '9') return false;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno) return false;
  unsigned shift = 0;
  switch (*end) {
  case 'k':
  case 'K':
    shift = 10;
    end++;
    break;
  case 'm':
  case 'M':
    shift = 20;
    end++;
    break;
  case 'g':
  case 'G':
    shift = 30;
    end++;
    break;
  default:
    break;
  }
  if (shift && (*end == 'i' || *end == 'I')) end++;
  if (*end == 'b' || *end == 'B') end++;
  if (*end || v == 0 || v > (UINT64_MAX >> shift)) return false;
  *out = (uint64_t)v << shift;
  return true;
}

static const char *env(const char *name) {
  const char *v = getenv(name);
  return v && v[0] ? v : NULL;
}

vy_status vy_cache_settings_from_env(vy_cache_settings *out, vy_error *err) {
  if (!out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_cache_settings_from_env needs an output. Fix: pass one.");
  memset(out, 0, sizeof *out);
  out->disk_enabled = true;
  out->disk_max_bytes = VY_CACHE_DEFAULT_DISK_BYTES;
  out->mem_max_entries = VY_CACHE_DEFAULT_MEM_ENTRIES;
  out->mem_max_code_bytes = VY_CACHE_DEFAULT_MEM_BYTES;
  vy_status st = VY_OK;

  const char *mode = env("VYRE_JIT_CACHE");
  if (mode) {
    static const char *const off[] = {"off", "0", "false", "no"}, *const on[] = {"on", "1", "true", "yes"};
    bool known = false;
    for (size_t i = 0; i < 4; i++) {
      if (strcasecmp(mode, off[i]) == 0) out->disk_enabled = false, known = true;
      if (strcasecmp(mode, on[i]) == 0) known = true;
    }
    if (!known)
      st = vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "VYRE_JIT_CACHE='%.64s' is neither on nor off; the disk cache stays on. Fix: set it to off "
                        "(or 0, false, no) or on.",
                        mode);
  }
  const char *size = env("VYRE_JIT_CACHE_MAX_SIZE");
  if (size && !parse_size(size, &out->disk_max_bytes) && st == VY_OK)
    st = vy_error_set(err, VY_E_INVALID_ARGUMENT,
                      "VYRE_JIT_CACHE_MAX_SIZE='%.64s' is not a size; using 256M. Fix: write a positive number of "
                      "bytes, optionally with K, M or G (e.g. 512M).",
                      size);

  const char *dir = env("VYRE_JIT_CACHE_DIR"), *xdg = env("XDG_CACHE_HOME"), *home = env("HOME");
  int n = 0;
  if (dir)
    n = snprintf(out->disk_dir, sizeof out->disk_dir, "%s", dir);
  else if (xdg && xdg[0] == '/') /* the XDG spec says relative paths are to be ignored */
    n = snprintf(out->disk_dir, sizeof out->disk_dir, "%s/vyre-jit", xdg);
  else if (home)
    n = snprintf(out->disk_dir, sizeof out->disk_dir, "%s/.cache/vyre-jit", home);
  if (n < 0 || (size_t)n >= sizeof out->disk_dir - 128) {
    out->disk_dir[0] = 0;
    out->disk_enabled = false;
    if (st == VY_OK)
      st = vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "the kernel cache directory path is too long; the disk cache is off. Fix: set "
                        "VYRE_JIT_CACHE_DIR to a shorter path.");
  }
  return st;
}

/* Fills the defaults of zero limits. */
static void normalize(vy_cache_settings *s) {
  if (!s->disk_max_bytes) s->disk_max_bytes = VY_CACHE_DEFAULT_DISK_BYTES;
  if (!s->mem_max_entries) s->mem_max_entries = VY_CACHE_DEFAULT_MEM_ENTRIES;
  if (!s->mem_max_code_bytes) s->mem_max_code_bytes = VY_CACHE_DEFAULT_MEM_BYTES;
}

/* ---- the singletons ---- */

static void global_init(void) {
  vy_error err;
  if (vy_cache_settings_from_env(&g_settings, &err) != VY_OK) fprintf(stderr, "vyre-jit: %s\n", err.message);
  normalize(&g_settings);
  if (vy_dcache_create(NULL, &g_settings, &g_disk, &err) != VY_OK) g_disk = NULL; /* no disk level */
  if (vy_kcache_create(NULL, &g_settings, g_disk, &g_mem, &err) != VY_OK) g_mem = NULL;
}

vy_kcache *vy_kcache_global(void) {
  pthread_once(&g_once, global_init);
  return g_mem;
}

vy_dcache *vy_dcache_global(void) {
  pthread_once(&g_once, global_init);
  return g_disk;
}

void vy_cache_settings_get(vy_cache_settings *out) {
  if (!out) return;
  pthread_once(&g_once, global_init);
  pthread_mutex_lock(&g_lock);
  *out = g_settings;
  pthread_mutex_unlock(&g_lock);
}

vy_status vy_cache_configure(const vy_cache_settings *s, vy_error *err) {
  if (!s || strnlen(s->disk_dir, sizeof s->disk_dir) == sizeof s->disk_dir)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_cache_configure needs settings with a NUL-terminated disk_dir. Fix: start from "
                        "vy_cache_settings_get or vy_cache_settings_from_env.");
  pthread_once(&g_once, global_init);
  if (!g_mem)
    return vy_error_set(err, VY_E_NOMEM, "the kernel cache could not be created (out of memory). Fix: free memory.");
  vy_cache_settings n = *s;
  normalize(&n);
  pthread_mutex_lock(&g_lock);
  vy_status st = g_disk ? vy_dcache_configure(g_disk, &n, err) : VY_OK;
  if (st == VY_OK) g_settings = n;
  pthread_mutex_unlock(&g_lock);
  if (st == VY_OK) vy_kcache_set_limits(g_mem, &n);
  return st;
}

void vy_cache_stats_get(vy_cache_stats *out) {
  if (!out) return;
  memset(out, 0, sizeof *out);
  pthread_once(&g_once, global_init);
  vy_kcache_stats(g_mem, out);
  vy_dcache_stats(g_disk, out);
}

void vy_cache_stats_reset(void) {
  pthread_once(&g_once, global_init);
  vy_kcache_stats_reset(g_mem);
  vy_dcache_stats_reset(g_disk);
}

size_t vy_cache_mem_clear(void) {
  pthread_once(&g_once, global_init);
  return vy_kcache_purge(g_mem, NULL, true);
}

/* ---- the disk directory ---- */

/* `dir`, or the configured directory copied into buf; NULL (err set) when
 * none is configured. */
static const char *resolve_dir(const char *dir, char buf[VY_CACHE_PATH_MAX], vy_error *err) {
  if (dir) return dir;
  pthread_once(&g_once, global_init);
  pthread_mutex_lock(&g_lock);
  memcpy(buf, g_settings.disk_dir, sizeof g_settings.disk_dir);
  pthread_mutex_unlock(&g_lock);
  if (buf[0]) return buf;
  vy_error_set(err, VY_E_INVALID_ARGUMENT,
               "no kernel cache directory is configured (HOME, XDG_CACHE_HOME and VYRE_JIT_CACHE_DIR are unset). "
               "Fix: set VYRE_JIT_CACHE_DIR or pass a directory.");
  return NULL;
}

vy_status vy_cache_disk_usage(const char *dir, vy_cache_usage *out, vy_error *err) {
  char buf[VY_CACHE_PATH_MAX];
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_cache_disk_usage needs an output. Fix: pass one.");
  *out = (vy_cache_usage){0};
  if (!(dir = resolve_dir(dir, buf, err))) return VY_E_INVALID_ARGUMENT;
  return vy_dcache_dir_usage(dir, NULL, out, err);
}

vy_status vy_cache_disk_list(const char *dir, bool verify, vy_cache_list_fn fn, void *ud, vy_error *err) {
  char buf[VY_CACHE_PATH_MAX];
  if (!fn) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_cache_disk_list needs a callback. Fix: pass one.");
  if (!(dir = resolve_dir(dir, buf, err))) return VY_E_INVALID_ARGUMENT;
  return vy_dcache_dir_list(dir, verify, fn, ud, NULL, err);
}

vy_status vy_cache_disk_clear(const char *dir, vy_cache_usage *removed, vy_error *err) {
  char buf[VY_CACHE_PATH_MAX];
  if (removed) *removed = (vy_cache_usage){0};
  if (!(dir = resolve_dir(dir, buf, err))) return VY_E_INVALID_ARGUMENT;
  return vy_dcache_dir_clear(dir, NULL, removed, err);
}
