/* cache_disk.c - the disk cache: one file per (key, artifact kind) under the
 * cache directory, as <dir>/<first 2 hex digits>/<64 hex digits>.<ext>.
 *
 * File format VY_DCACHE_FORMAT = 1 (integers little-endian):
 *
 *   off  len
 *     0    8  magic "VYJITKC\0"
 *     8    4  format version (1)
 *    12    4  label length L (<= 1024)
 *    16    8  payload length P (1 .. 1 GiB)
 *    24    8  extension, NUL-padded (the file name's, e.g. "o")
 *    32   32  key
 *    64   32  checksum: BLAKE3 of bytes 0..63, the label and the payload
 *    96    L  label (informational: what the artifact was built for)
 *  96+L    P  payload (object file, PTX, cubin: the backend's bytes)
 *
 * The file size must be exactly 96 + L + P. Anything else - a missing
 * file, a short one, another magic or version, another key or extension
 * than the name says, a checksum mismatch, a symlink or a non-regular file -
 * is a miss (counted as corrupt when a file was there); the next store
 * replaces it.
 *
 * Concurrency. Files are only ever created under a unique temporary name
 * (.tmp-<key prefix>-<pid>-<random>, O_EXCL, mode 0600) in the entry's
 * directory, written completely, and renamed into place; they are removed
 * only by unlink. A reader therefore opens either no file or a complete one,
 * and keeps reading it even if it is replaced or evicted meanwhile (the
 * inode lives while open). No fsync: after a crash a renamed file may hold
 * garbage, which the checksum turns into a miss.
 *
 * LRU across processes. A hit sets the file's modification time to now
 * (futimens; atime is unreliable under noatime/relatime). Trimming sorts by
 * modification time and unlinks the oldest until the directory fits the cap.
 * Scanning costs a stat per file, so a store trims only when this process
 * has written 1/16 of the cap since its last trim, or by chance with
 * probability 16 * size / cap (so many short-lived processes that write one
 * file each still trim about every cap/16 bytes written in total). The
 * directory can thus exceed the cap by about 1/16 of it between trims.
 */
#define _GNU_SOURCE /* getrandom, O_NOFOLLOW, fstatat */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "le_int.h"
#include "alloc_int.h"
#include "cache_int.h"
#include "error_int.h"

#define HEADER_SIZE 96u
#define TEMP_PREFIX ".tmp-"
#define TEMP_MAX_AGE_SEC 3600
static const uint8_t file_magic[8] = {'V', 'Y', 'J', 'I', 'T', 'K', 'C', 0};

struct vy_dcache {
  vy_allocator alloc_copy;   /* the caller's allocator, copied */
  const vy_allocator *alloc; /* &alloc_copy, or NULL for malloc */
  pthread_mutex_t lock;      /* the settings below, probe state, trim bookkeeping */
  pthread_mutex_t trim_lock; /* one trim at a time per cache object */
  bool enabled;
  char dir[VY_CACHE_PATH_MAX];
  uint64_t max_bytes;
  void (*warn)(void *ud, const char *message);
  void *warn_ud;
  int probe;        /* 0 not probed yet, 1 usable, -1 unusable (warned) */
  uint64_t pending; /* bytes this process stored since its last trim */
  uint64_t rng;     /* xorshift state for the trim lottery */
  atomic_uint_least64_t hits, misses, corrupt, rejected, writes, write_failures, evictions, evicted_bytes;
};

/* ---- small helpers ---- */

static bool ext_valid(const char *ext) {
  if (!ext) return false;
  size_t n = strlen(ext);
  if (n == 0 || n > VY_DCACHE_EXT_MAX) return false;
  for (size_t i = 0; i < n; i++)
    if (!((ext[i] >= 'a' && ext[i] <= 'z') || (ext[i] >= '0' && ext[i] <= '9') || ext[i] == '_')) return false;
  return true;
}

static vy_status bad_ext(vy_error *err, const char *ext) {
  return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                      "cache artifact extension '%.16s' is not 1-7 characters of [a-z0-9_]. Fix: use e.g. \"o\", "
                      "\"ptx\" or \"cubin\".",
                      ext ? ext : "(null)");
}

static bool is_hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

/* Whether `name` is "<64 hex>.<ext>"; fills key and ext. */
static bool parse_entry_name(const char *name, vy_ckey *key, char ext[8]) {
  for (int i = 0; i < 64; i++)
    if (!is_hex_lower(name[i])) return false;
  if (name[64] != '.' || !ext_valid(name + 65)) return false;
  char hex[65];
  memcpy(hex, name, 64);
  hex[64] = 0;
  snprintf(ext, 8, "%s", name + 65);
  return vy_ckey_from_hex(hex, key);
}

/* snprintf into a path buffer; false when the result did not fit. */
static bool path_printf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool path_printf(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
  return n >= 0 && (size_t)n < cap;
}

static bool read_full(int fd, void *buf, size_t len) {
  uint8_t *p = buf;
  while (len) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= (size_t)n;
  }
  return true;
}

/* Creates `path` and its missing parents with mode 0700. 0 or an errno. */
static int mkdir_p(const char *path) {
  char buf[VY_CACHE_PATH_MAX];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof buf) return ENAMETOOLONG;
  memcpy(buf, path, n + 1);
  while (n > 1 && buf[n - 1] == '/') buf[--n] = 0;
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != 0) continue;
    char saved = buf[i];
    buf[i] = 0;
    if (mkdir(buf, 0700) != 0 && errno != EEXIST) return errno;
    buf[i] = saved;
  }
  struct stat st;
  if (stat(buf, &st) != 0) return errno;
  return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* ---- creation and settings ---- */

static vy_status apply_settings(vy_dcache *d, const vy_cache_settings *s, vy_error *err) {
  size_t len = strnlen(s->disk_dir, sizeof s->disk_dir);
  if (len >= sizeof s->disk_dir - 128) /* room for /xx/<key>.<ext> and temporary names */
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "the cache directory path is too long (%zu bytes). Fix: use a path of at most %u bytes.", len,
                        (unsigned)(sizeof s->disk_dir - 129));
  d->enabled = s->disk_enabled;
  memcpy(d->dir, s->disk_dir, len);
  d->dir[len] = 0;
  d->max_bytes = s->disk_max_bytes ? s->disk_max_bytes : VY_CACHE_DEFAULT_DISK_BYTES;
  d->warn = s->warn;
  d->warn_ud = s->warn_ud;
  d->probe = 0;
  d->pending = 0;
  return VY_OK;
}

vy_status vy_dcache_create(const vy_allocator *alloc, const vy_cache_settings *s, vy_dcache **out, vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_dcache_create needs an output. Fix: pass one.");
  *out = NULL;
  vy_cache_settings env;
  if (!s) {
    vy_cache_settings_from_env(&env, NULL); /* a bad value has been replaced by its default */
    s = &env;
  }
  vy_dcache *d = vy_mem_calloc(alloc, 1, sizeof *d);
  if (!d) return vy_error_nomem(err);
  if (alloc) {
    d->alloc_copy = *alloc;
    d->alloc = &d->alloc_copy;
  }
  vy_status st = apply_settings(d, s, err);
  if (st) {
    vy_mem_free(d->alloc, d, sizeof *d);
    return st;
  }
  if (pthread_mutex_init(&d->lock, NULL)) {
    vy_mem_free(d->alloc, d, sizeof *d);
    return vy_error_set(err, VY_E_INTERNAL, "could not create the disk cache's mutex. Fix: report this.");
  }
  if (pthread_mutex_init(&d->trim_lock, NULL)) {
    pthread_mutex_destroy(&d->lock);
    vy_mem_free(d->alloc, d, sizeof *d);
    return vy_error_set(err, VY_E_INTERNAL, "could not create the disk cache's mutex. Fix: report this.");
  }
  d->rng = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)d;
  if (d->rng == 0) d->rng = 1;
  *out = d;
  return VY_OK;
}

void vy_dcache_destroy(vy_dcache *d) {
  if (!d) return;
  pthread_mutex_destroy(&d->trim_lock);
  pthread_mutex_destroy(&d->lock);
  vy_mem_free(d->alloc, d, sizeof *d);
}

vy_status vy_dcache_configure(vy_dcache *d, const vy_cache_settings *s, vy_error *err) {
  if (!d || !s)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_dcache_configure needs a cache and settings. Fix: pass both.");
  pthread_mutex_lock(&d->lock);
  vy_status st = apply_settings(d, s, err);
  pthread_mutex_unlock(&d->lock);
  return st;
}

void vy_dcache_settings(vy_dcache *d, vy_cache_settings *s) {
  pthread_mutex_lock(&d->lock);
  s->disk_enabled = d->enabled;
  snprintf(s->disk_dir, sizeof s->disk_dir, "%s", d->dir);
  s->disk_max_bytes = d->max_bytes;
  s->warn = d->warn;
  s->warn_ud = d->warn_ud;
  pthread_mutex_unlock(&d->lock);
}

/* With d->lock held: whether the directory is usable, probing it the first
 * time. On a failed probe writes the warning into `warning` (else ""). */
static bool probe_locked(vy_dcache *d, char *warning, size_t cap) {
  warning[0] = 0;
  if (d->probe) return d->probe > 0;
  d->probe = -1;
  if (!d->enabled) return false;
  if (!d->dir[0]) {
    snprintf(warning, cap,
             "kernel disk cache off: no cache directory (HOME and XDG_CACHE_HOME are unset). Fix: set "
             "VYRE_JIT_CACHE_DIR, or VYRE_JIT_CACHE=off to silence this");
    return false;
  }
  int e = mkdir_p(d->dir);
  if (!e && access(d->dir, W_OK | X_OK) != 0) e = errno;
  if (e) {
    snprintf(warning, cap,
             "kernel disk cache off: directory '%.3000s' is not usable (%s). Fix: set VYRE_JIT_CACHE_DIR to a "
             "writable directory, or VYRE_JIT_CACHE=off to silence this",
             d->dir, strerror(e));
    return false;
  }
  d->probe = 1;
  return true;
}

static void emit_warning(void (*warn)(void *, const char *), void *ud, const char *msg) {
  if (!msg[0]) return;
  if (warn)
    warn(ud, msg);
  else
    fprintf(stderr, "vyre-jit: %s\n", msg);
}

/* Copies the directory if the cache is active (probing and warning once). */
static bool active_dir(vy_dcache *d, char dir[VY_CACHE_PATH_MAX]) {
  char warning[VY_CACHE_PATH_MAX + 256];
  pthread_mutex_lock(&d->lock);
  bool ok = probe_locked(d, warning, sizeof warning);
  if (ok) memcpy(dir, d->dir, strlen(d->dir) + 1);
  void (*warn)(void *, const char *) = d->warn;
  void *ud = d->warn_ud;
  pthread_mutex_unlock(&d->lock);
  emit_warning(warn, ud, warning);
  return ok;
}

bool vy_dcache_active(vy_dcache *d) {
  char dir[VY_CACHE_PATH_MAX];
  return d && active_dir(d, dir);
}

/* ---- reading one file ---- */

typedef enum read_mode { READ_HEADER, READ_VERIFY, READ_PAYLOAD } read_mode;

/* Reads and checks the open cache file `fd`. The key and extension must be
 * `key` and `ext`. READ_HEADER checks the header and size only; VERIFY also
 * the checksum; PAYLOAD returns the payload in *payload (empty on entry).
 * `label` (VY_DCACHE_LABEL_MAX + 1 bytes, may be NULL) gets the label.
 * *state is the verdict; the status is VY_E_NOMEM or VY_OK. */
static vy_status read_entry(int fd, const vy_ckey *key, const char *ext, read_mode mode, const vy_allocator *alloc,
                            vy_bytes *payload, char *label, vy_cache_file_state *state) {
  *state = VY_CACHE_FILE_CORRUPT;
  if (label) label[0] = 0;
  struct stat st;
  uint8_t h[HEADER_SIZE];
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < HEADER_SIZE ||
      !read_full(fd, h, sizeof h) || memcmp(h, file_magic, sizeof file_magic) != 0)
    return VY_OK;
  if (vy_le_get32(h + 8) != VY_DCACHE_FORMAT) {
    *state = VY_CACHE_FILE_FOREIGN;
    return VY_OK;
  }
  uint32_t label_len = vy_le_get32(h + 12);
  uint64_t len = vy_le_get64(h + 16);
  char file_ext[9] = {0};
  memcpy(file_ext, h + 24, 8);
  if (label_len > VY_DCACHE_LABEL_MAX || len == 0 || len > VY_DCACHE_MAX_PAYLOAD ||
      (uint64_t)st.st_size != HEADER_SIZE + label_len + len || strcmp(file_ext, ext) != 0 ||
      memcmp(h + 32, key->b, 32) != 0)
    return VY_OK;
  char lbuf[VY_DCACHE_LABEL_MAX + 1];
  if (!read_full(fd, lbuf, label_len)) return VY_OK;
  lbuf[label_len] = 0;
  if (mode != READ_HEADER) {
    vy_bytes buf = {.alloc = alloc};
    if (vy_bytes_reserve(&buf, (size_t)len)) return VY_E_NOMEM;
    if (!read_full(fd, buf.data, (size_t)len)) {
      vy_bytes_free(&buf);
      return VY_OK;
    }
    buf.len = (size_t)len;
    buf.data[len] = 0;
    vy_blake3 hs;
    uint8_t sum[32];
    vy_blake3_init(&hs);
    vy_blake3_update(&hs, h, 64);
    vy_blake3_update(&hs, lbuf, label_len);
    vy_blake3_update(&hs, buf.data, buf.len);
    vy_blake3_finalize(&hs, sum, sizeof sum);
    if (memcmp(sum, h + 64, 32) != 0) {
      vy_bytes_free(&buf);
      return VY_OK;
    }
    if (mode == READ_PAYLOAD)
      *payload = buf;
    else
      vy_bytes_free(&buf);
  }
  if (label) memcpy(label, lbuf, label_len + 1);
  *state = VY_CACHE_FILE_OK;
  return VY_OK;
}

static bool entry_path(char *buf, size_t cap, const char *dir, const vy_ckey *key, const char *ext) {
  char hex[65];
  vy_ckey_hex(key, hex);
  return path_printf(buf, cap, "%s/%.2s/%s.%s", dir, hex, hex, ext);
}

vy_status vy_dcache_load(vy_dcache *d, const vy_ckey *key, const char *ext, vy_bytes *payload, vy_dcache_result *res,
                         vy_error *err) {
  if (res) *res = VY_DCACHE_OFF;
  if (!d || !key || !payload || !res)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_dcache_load needs a cache, a key, a payload and a result. Fix: pass all four.");
  if (!ext_valid(ext)) return bad_ext(err, ext);
  char dir[VY_CACHE_PATH_MAX], path[VY_CACHE_PATH_MAX];
  if (!active_dir(d, dir)) return VY_OK;
  *res = VY_DCACHE_MISS;
  int fd = entry_path(path, sizeof path, dir, key, ext) ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
  if (fd < 0) {
    atomic_fetch_add(&d->misses, 1);
    if (errno != ENOENT) atomic_fetch_add(&d->corrupt, 1); /* a symlink or an unreadable file */
    return VY_OK;
  }
  vy_cache_file_state state;
  payload->alloc = d->alloc;
  vy_status st = read_entry(fd, key, ext, READ_PAYLOAD, d->alloc, payload, NULL, &state);
  if (st == VY_OK && state == VY_CACHE_FILE_OK) {
    futimens(fd, NULL); /* the LRU clock; not being allowed to (another owner) only weakens LRU */
    *res = VY_DCACHE_HIT;
    atomic_fetch_add(&d->hits, 1);
  } else {
    atomic_fetch_add(&d->misses, 1);
    if (st == VY_OK) atomic_fetch_add(&d->corrupt, 1);
  }
  close(fd);
  return st == VY_OK ? VY_OK : vy_error_nomem(err);
}

/* ---- writing ---- */

static uint64_t random64(vy_dcache *d) {
  uint64_t r;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r) return r;
  pthread_mutex_lock(&d->lock);
  d->rng ^= d->rng << 13;
  d->rng ^= d->rng >> 7;
  d->rng ^= d->rng << 17;
  r = d->rng;
  pthread_mutex_unlock(&d->lock);
  return r ^ (uint64_t)clock();
}

static bool write_all(int fd, struct iovec *iov, int n) {
  while (n > 0) {
    ssize_t w = writev(fd, iov, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    size_t left = (size_t)w;
    while (n > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      iov++;
      n--;
    }
    if (n > 0) {
      iov->iov_base = (uint8_t *)iov->iov_base + left;
      iov->iov_len -= left;
    }
  }
  return true;
}

static vy_status write_failed(vy_dcache *d, vy_error *err, const char *what, const char *path, int e) {
  atomic_fetch_add(&d->write_failures, 1);
  return vy_error_set(err, VY_E_IO,
                      "could not %s kernel cache file '%.3000s': %s. Fix: check the space and permissions of the "
                      "cache directory (VYRE_JIT_CACHE_DIR).",
                      what, path, strerror(e));
}

/* Whether this store should trim the directory (see the top of the file). */
static bool trim_due(vy_dcache *d, uint64_t size) {
  pthread_mutex_lock(&d->lock);
  d->pending += size;
  d->rng ^= d->rng << 13;
  d->rng ^= d->rng >> 7;
  d->rng ^= d->rng << 17;
  uint64_t max = d->max_bytes;
  bool due = d->pending >= max / 16 || (size >= max / 16 ? true : d->rng % max < size * 16);
  if (due) d->pending = 0;
  pthread_mutex_unlock(&d->lock);
  return due;
}

vy_status vy_dcache_store(vy_dcache *d, const vy_ckey *key, const char *ext, const char *label, const void *data,
                          size_t len, vy_error *err) {
  if (!d || !key || (!data && len))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_dcache_store needs a cache, a key and the payload. Fix: pass all three.");
  if (!ext_valid(ext)) return bad_ext(err, ext);
  if (len == 0 || len > VY_DCACHE_MAX_PAYLOAD)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "a cached artifact must have 1 byte to 1 GiB (got %zu). Fix: do not cache empty or huge "
                        "artifacts.",
                        len);
  if (!label) label = "";
  size_t label_len = strnlen(label, VY_DCACHE_LABEL_MAX);
  char dir[VY_CACHE_PATH_MAX], path[VY_CACHE_PATH_MAX], tmp[VY_CACHE_PATH_MAX];
  if (!active_dir(d, dir)) return VY_OK;

  char hex[65];
  vy_ckey_hex(key, hex);
  int e = path_printf(path, sizeof path, "%s/%.2s", dir, hex) ? 0 : ENAMETOOLONG;
  if (!e && mkdir(path, 0700) != 0 && errno != EEXIST) e = mkdir_p(path); /* the cache directory was removed */
  if (!e && !entry_path(path, sizeof path, dir, key, ext)) e = ENAMETOOLONG;
  if (e) return write_failed(d, err, "create the directory of", path, e);

  uint8_t h[HEADER_SIZE] = {0};
  memcpy(h, file_magic, sizeof file_magic);
  vy_le_put32(h + 8, VY_DCACHE_FORMAT);
  vy_le_put32(h + 12, (uint32_t)label_len);
  vy_le_put64(h + 16, len);
  memcpy(h + 24, ext, strlen(ext));
  memcpy(h + 32, key->b, 32);
  vy_blake3 hs;
  vy_blake3_init(&hs);
  vy_blake3_update(&hs, h, 64);
  vy_blake3_update(&hs, label, label_len);
  vy_blake3_update(&hs, data, len);
  vy_blake3_finalize(&hs, h + 64, 32);

  int fd = -1;
  for (int attempt = 0; attempt < 8 && fd < 0; attempt++) {
    if (!path_printf(tmp, sizeof tmp, "%s/%.2s/" TEMP_PREFIX "%.16s-%ld-%016llx", dir, hex, hex, (long)getpid(),
                     (unsigned long long)random64(d))) {
      errno = ENAMETOOLONG;
      break;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return write_failed(d, err, "create a temporary file for", path, errno);
  struct iovec iov[3] = {{h, sizeof h}, {(void *)label, label_len}, {(void *)data, len}};
  bool ok = write_all(fd, iov, 3);
  e = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    e = errno;
  }
  if (ok && rename(tmp, path) != 0) {
    ok = false;
    e = errno;
  }
  if (!ok) {
    unlink(tmp);
    return write_failed(d, err, "write", path, e);
  }
  atomic_fetch_add(&d->writes, 1);
  if (trim_due(d, HEADER_SIZE + label_len + len)) {
    uint64_t max;
    pthread_mutex_lock(&d->lock);
    max = d->max_bytes;
    pthread_mutex_unlock(&d->lock);
    vy_dcache_trim(d, max, NULL, NULL); /* best effort: a failed trim is retried by a later store */
  }
  return VY_OK;
}

void vy_dcache_note_rejected(vy_dcache *d) {
  if (d) atomic_fetch_add(&d->rejected, 1);
}

/* ---- directory scans ---- */

typedef struct scan_item {
  char name[96]; /* file name inside its subdirectory */
  char sub[3];   /* the two-digit subdirectory */
  bool temp;     /* a temporary file */
  int64_t mtime_ns;
  uint64_t size;
} scan_item;

typedef struct scan {
  scan_item *items;
  size_t count, cap;
  const vy_allocator *alloc;
} scan;

static void scan_free(scan *s) {
  vy_mem_free(s->alloc, s->items, s->cap * sizeof *s->items);
  s->items = NULL;
  s->count = s->cap = 0;
}

static bool scan_push(scan *s, const scan_item *it) {
  if (s->count == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    scan_item *p = vy_mem_realloc(s->alloc, s->items, s->cap * sizeof *p, cap * sizeof *p);
    if (!p) return false;
    s->items = p;
    s->cap = cap;
  }
  s->items[s->count++] = *it;
  return true;
}

static vy_status scan_io_error(vy_error *err, const char *dir, int e) {
  return vy_error_set(err, VY_E_IO,
                      "could not read the kernel cache directory '%.3000s': %s. Fix: check its "
                      "permissions or VYRE_JIT_CACHE_DIR.",
                      dir, strerror(e));
}

/* Scans one two-digit subdirectory. */
static vy_status scan_sub(scan *s, const char *dir, const char *sub, vy_error *err) {
  char path[VY_CACHE_PATH_MAX];
  if (!path_printf(path, sizeof path, "%s/%s", dir, sub)) return VY_OK; /* cannot happen: scan_dir checked */
  DIR *dp = opendir(path);
  if (!dp) return errno == ENOENT ? VY_OK : scan_io_error(err, path, errno); /* removed meanwhile */
  vy_status st = VY_OK;
  struct dirent *de;
  while (st == VY_OK && (de = readdir(dp)) != NULL) {
    scan_item it = {0};
    vy_ckey key;
    char ext[8];
    it.temp = strncmp(de->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0;
    size_t name_len = strlen(de->d_name);
    if (name_len >= sizeof it.name || (!it.temp && !parse_entry_name(de->d_name, &key, ext))) continue;
    struct stat stt;
    if (fstatat(dirfd(dp), de->d_name, &stt, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(stt.st_mode)) continue;
    memcpy(it.name, de->d_name, name_len + 1);
    memcpy(it.sub, sub, 3);
    it.mtime_ns = (int64_t)stt.st_mtim.tv_sec * 1000000000 + stt.st_mtim.tv_nsec;
    it.size = (uint64_t)stt.st_size;
    if (!scan_push(s, &it)) st = VY_E_NOMEM;
  }
  closedir(dp);
  return st == VY_E_NOMEM ? vy_error_nomem(err) : st;
}

/* Every cache file and temporary file under `dir`, in directory order. A
 * missing directory is empty. */
static vy_status scan_dir(const char *dir, const vy_allocator *alloc, scan *s, vy_error *err) {
  *s = (scan){.alloc = alloc};
  if (strnlen(dir, VY_CACHE_PATH_MAX) >= VY_CACHE_PATH_MAX - 128)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "the kernel cache directory path is too long. Fix: use a path under %u bytes.",
                        VY_CACHE_PATH_MAX - 128);
  DIR *dp = opendir(dir);
  if (!dp) return errno == ENOENT ? VY_OK : scan_io_error(err, dir, errno);
  vy_status st = VY_OK;
  struct dirent *de;
  while (st == VY_OK && (de = readdir(dp)) != NULL)
    if (is_hex_lower(de->d_name[0]) && is_hex_lower(de->d_name[1]) && de->d_name[2] == 0)
      st = scan_sub(s, dir, de->d_name, err);
  closedir(dp);
  if (st) scan_free(s);
  return st;
}

static int item_cmp(const void *a, const void *b) {
  const scan_item *x = a, *y = b;
  if (x->mtime_ns != y->mtime_ns) return x->mtime_ns < y->mtime_ns ? -1 : 1;
  int c = strcmp(x->sub, y->sub);
  return c ? c : strcmp(x->name, y->name);
}

static void item_path(char *buf, size_t cap, const char *dir, const scan_item *it) {
  path_printf(buf, cap, "%s/%s/%s", dir, it->sub, it->name); /* fits: scan_dir checked the length of dir */
}

vy_status vy_dcache_trim(vy_dcache *d, uint64_t target, vy_cache_usage *removed, vy_error *err) {
  if (removed) *removed = (vy_cache_usage){0};
  if (!d) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_dcache_trim needs a cache. Fix: pass one.");
  char dir[VY_CACHE_PATH_MAX], path[VY_CACHE_PATH_MAX];
  if (!active_dir(d, dir)) return VY_OK;
  pthread_mutex_lock(&d->trim_lock);
  scan s;
  vy_status st = scan_dir(dir, d->alloc, &s, err);
  if (st == VY_OK) {
    if (s.count) qsort(s.items, s.count, sizeof *s.items, item_cmp); /* items is NULL when empty */
    uint64_t total = 0;
    int64_t stale = ((int64_t)time(NULL) - TEMP_MAX_AGE_SEC) * 1000000000;
    for (size_t i = 0; i < s.count; i++)
      if (!s.items[i].temp) total += s.items[i].size;
    for (size_t i = 0; i < s.count; i++) {
      scan_item *it = &s.items[i];
      if (it->temp ? it->mtime_ns >= stale : total <= target) continue;
      item_path(path, sizeof path, dir, it);
      int e = unlink(path) == 0 ? 0 : errno;
      if (e && e != ENOENT) continue;
      if (it->temp) {
        if (removed && !e) removed->temp_files++;
        continue;
      }
      total -= it->size; /* also when another process removed it first */
      if (e) continue;
      atomic_fetch_add(&d->evictions, 1);
      atomic_fetch_add(&d->evicted_bytes, it->size);
      if (removed) {
        removed->files++;
        removed->bytes += it->size;
      }
    }
    scan_free(&s);
  }
  pthread_mutex_unlock(&d->trim_lock);
  return st;
}

void vy_dcache_stats(vy_dcache *d, vy_cache_stats *s) {
  if (!d || !s) return;
  s->disk_hits += atomic_load(&d->hits);
  s->disk_misses += atomic_load(&d->misses);
  s->disk_corrupt += atomic_load(&d->corrupt);
  s->disk_rejected += atomic_load(&d->rejected);
  s->disk_writes += atomic_load(&d->writes);
  s->disk_write_failures += atomic_load(&d->write_failures);
  s->disk_evictions += atomic_load(&d->evictions);
  s->disk_evicted_bytes += atomic_load(&d->evicted_bytes);
}

void vy_dcache_stats_reset(vy_dcache *d) {
  if (!d) return;
  atomic_uint_least64_t *all[] = {&d->hits,   &d->misses,         &d->corrupt,   &d->rejected,
                                  &d->writes, &d->write_failures, &d->evictions, &d->evicted_bytes};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) atomic_store(all[i], 0);
}

/* ---- maintenance of a directory (vyre-jit cache stats|list|clear) ---- */

vy_status vy_dcache_dir_usage(const char *dir, const vy_allocator *alloc, vy_cache_usage *out, vy_error *err) {
  *out = (vy_cache_usage){0};
  scan s;
  vy_status st = scan_dir(dir, alloc, &s, err);
  if (st) return st;
  for (size_t i = 0; i < s.count; i++) {
    if (s.items[i].temp) {
      out->temp_files++;
    } else {
      out->files++;
      out->bytes += s.items[i].size;
    }
  }
  scan_free(&s);
  return VY_OK;
}

vy_status vy_dcache_dir_list(const char *dir, bool verify, vy_cache_list_fn fn, void *ud, const vy_allocator *alloc,
                             vy_error *err) {
  scan s;
  vy_status st = scan_dir(dir, alloc, &s, err);
  if (st) return st;
  if (s.count) qsort(s.items, s.count, sizeof *s.items, item_cmp); /* items is NULL when empty */
  char path[VY_CACHE_PATH_MAX], label[VY_DCACHE_LABEL_MAX + 1];
  for (size_t i = 0; i < s.count && st == VY_OK; i++) {
    const scan_item *it = &s.items[i];
    if (it->temp) continue;
    vy_cache_file f = {.path = path, .bytes = it->size, .mtime_sec = it->mtime_ns / 1000000000, .label = label};
    vy_ckey key;
    parse_entry_name(it->name, &key, f.ext);
    vy_ckey_hex(&key, f.key_hex);
    item_path(path, sizeof path, dir, it);
    label[0] = 0;
    f.state = VY_CACHE_FILE_CORRUPT;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) continue; /* evicted meanwhile */
    if (fd >= 0) {
      st = read_entry(fd, &key, f.ext, verify ? READ_VERIFY : READ_HEADER, alloc, NULL, label, &f.state);
      close(fd);
      if (st) st = vy_error_nomem(err);
    }
    if (st == VY_OK && fn(ud, &f)) break;
  }
  scan_free(&s);
  return st;
}

vy_status vy_dcache_dir_clear(const char *dir, const vy_allocator *alloc, vy_cache_usage *removed, vy_error *err) {
  vy_cache_usage r = {0};
  scan s;
  vy_status st = scan_dir(dir, alloc, &s, err);
  if (st == VY_OK) {
    char path[VY_CACHE_PATH_MAX];
    for (size_t i = 0; i < s.count; i++) {
      const scan_item *it = &s.items[i];
      item_path(path, sizeof path, dir, it);
      if (unlink(path) != 0) continue;
      if (it->temp) {
        r.temp_files++;
      } else {
        r.files++;
        r.bytes += it->size;
      }
    }
    for (size_t i = 0; i < s.count; i++) { /* empty subdirectories; rmdir keeps non-empty ones */
      if (path_printf(path, sizeof path, "%s/%s", dir, s.items[i].sub)) rmdir(path);
    }
    scan_free(&s);
  }
  if (removed) *removed = r;
  return st;
}
