/* test_cache_disk.c - the kernel disk cache (lib/cache_disk.c): the file
 * layout, the LRU clock, every kind of damage (each a miss, then compiled
 * again, correct, and the file replaced), disabled and unusable
 * directories, settings from the environment, the size cap, listing and
 * clearing, the `vyre-jit cache` commands, and several processes with
 * several threads each storing and loading one directory at once.
 *
 * Expected values come from the file header documented in cache_disk.c,
 * re-implemented here and hashed with BLAKE3 (test_blake3 checks it
 * against b3sum), and from payloads that are a pure function of their key
 * (tests/support/cache_fake.h), so every byte a load returns is checked. */
#define _GNU_SOURCE /* setenv, memmem, strdup */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache_fake.h"

static uint64_t le(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

static void disk_file_layout(void **state) {
  (void)state;
  char dir[64], path[256];
  vct_tmpdir(dir);
  vy_dcache *d = vct_disk_cache(dir, 0);
  vy_ckey k = vct_key(42);
  static const char label[] = "llvm-cpu 0.1.0 llvm 19.1.7";
  static const char payload[] = "\x7f"
                                "ELF pretend object";
  assert_int_equal(vy_dcache_store(d, &k, "o", label, payload, sizeof payload, NULL), VY_OK);
  vct_entry_path(path, sizeof path, dir, &k, "o");
  size_t len;
  const uint8_t *f = vct_read_file(path, &len);
  size_t L = strlen(label), P = sizeof payload;
  assert_int_equal(len, 96 + L + P);
  assert_memory_equal(f, "VYJITKC\0", 8);
  assert_int_equal(le(f + 8, 4), 1);
  assert_int_equal(le(f + 12, 4), L);
  assert_int_equal(le(f + 16, 8), P);
  assert_memory_equal(f + 24, "o\0\0\0\0\0\0\0", 8);
  assert_memory_equal(f + 32, k.b, 32);
  vy_blake3 h;
  uint8_t sum[32];
  vy_blake3_init(&h);
  vy_blake3_update(&h, f, 64);
  vy_blake3_update(&h, label, L);
  vy_blake3_update(&h, payload, P);
  vy_blake3_finalize(&h, sum, 32);
  assert_memory_equal(f + 64, sum, 32);
  assert_memory_equal(f + 96, label, L);
  assert_memory_equal(f + 96 + L, payload, P);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 077, 0); /* private: the cache holds code this user will run */
  *strrchr(path, '/') = 0;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 077, 0);
  /* read back; a second store replaces */
  vy_bytes got = {0};
  vy_dcache_result r;
  assert_int_equal(vy_dcache_load(d, &k, "o", &got, &r, NULL), VY_OK);
  assert_int_equal(r, VY_DCACHE_HIT);
  assert_int_equal(got.len, P);
  assert_memory_equal(got.data, payload, P);
  vy_bytes_free(&got);
  assert_int_equal(vy_dcache_store(d, &k, "o", label, "v2", 2, NULL), VY_OK);
  assert_int_equal(vy_dcache_load(d, &k, "o", &got, &r, NULL), VY_OK);
  assert_int_equal(got.len, 2);
  vy_bytes_free(&got);
  assert_int_equal(vct_load_id(d, 43, "o"), VY_DCACHE_MISS);
  vy_cache_stats s = vct_dstats(d);
  assert_int_equal(s.disk_hits, 2);
  assert_int_equal(s.disk_misses, 1);
  assert_int_equal(s.disk_corrupt, 0);
  assert_int_equal(s.disk_writes, 2);
  vy_cache_usage u;
  assert_int_equal(vy_cache_disk_usage(dir, &u, NULL), VY_OK);
  assert_int_equal(u.files, 1);
  assert_int_equal(u.temp_files, 0); /* the temporary file was renamed, not left behind */
  /* argument errors */
  vy_error err;
  assert_int_equal(vy_dcache_store(d, &k, "O", "", "x", 1, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "Fix:"));
  assert_int_equal(vy_dcache_store(d, &k, "toolongx", "", "x", 1, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_dcache_store(d, &k, "o", "", "x", 0, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_dcache_load(d, &k, "../o", &got, &r, &err), VY_E_INVALID_ARGUMENT);
  /* the whole directory removed under a running process: the next store creates it again */
  vct_rm_rf(dir);
  vct_store(d, 44, "o");
  assert_int_equal(vct_load_id(d, 44, "o"), VY_DCACHE_HIT);
  vy_dcache_destroy(d);
  vct_rm_rf(dir);
}

static void disk_hit_renews_the_lru_clock(void **state) {
  (void)state;
  char dir[64], path[256];
  vct_tmpdir(dir);
  vy_dcache *d = vct_disk_cache(dir, 0);
  vct_store(d, 5, "o");
  vy_ckey k = vct_key(5);
  vct_entry_path(path, sizeof path, dir, &k, "o");
  vct_set_mtime(path, 1000000000);
  assert_int_equal(vct_load_id(d, 5, "o"), VY_DCACHE_HIT);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_true(st.st_mtime >= time(NULL) - 60);
  vy_dcache_destroy(d);
  vct_rm_rf(dir);
}

enum { DAMAGE_KINDS = 18 };

/* Damages the file of key `id` in one of DAMAGE_KINDS ways (17 = removed).
 * Kind 14 swaps it with the file of key id + 1. */
static void damage(const char *dir, unsigned id, int kind) {
  char path[256], other[256], tmp[300];
  vy_ckey k = vct_key(id), k2 = vct_key(id + 1);
  vct_entry_path(path, sizeof path, dir, &k, "fk");
  size_t len;
  uint8_t *f = vct_read_file(path, &len);
  static const size_t flip_at[] = {0, 8, 12, 16, 24, 40, 70};
  switch (kind) {
  case 0:
  case 1:
  case 2:
  case 3: {
    const size_t cut[] = {0, 10, 95, len - 1};
    assert_int_equal(truncate(path, (off_t)cut[kind]), 0);
    break;
  }
  case 4:
    f[len++] = 0;
    vct_write_file(path, f, len);
    break;
  case 5:
  case 6:
  case 7:
  case 8:
  case 9:
  case 10:
  case 11:
    f[flip_at[kind - 5]] ^= kind == 6 ? 0x03 : 0x40; /* kind 6: format version 1 -> 2, a foreign file */
    vct_write_file(path, f, len);
    break;
  case 12: { /* "change the LLVM-version field": the label's LLVM version */
    uint8_t *v = memmem(f, len, "19.1.7", 6);
    assert_non_null(v);
    v[5] = '8';
    vct_write_file(path, f, len);
    break;
  }
  case 13:
    f[len - 1] ^= 1;
    vct_write_file(path, f, len);
    break;
  case 14:
    vct_entry_path(other, sizeof other, dir, &k2, "fk");
    snprintf(tmp, sizeof tmp, "%s.swap", path);
    assert_int_equal(rename(path, tmp), 0);
    assert_int_equal(rename(other, path), 0);
    assert_int_equal(rename(tmp, other), 0);
    break;
  case 15: /* a symlink to a valid file of the same key */
    snprintf(tmp, sizeof tmp, "%s.real", path);
    assert_int_equal(rename(path, tmp), 0);
    assert_int_equal(symlink(tmp, path), 0);
    break;
  case 16:
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkdir(path, 0700), 0);
    break;
  case 17:
    assert_int_equal(unlink(path), 0);
    break;
  }
}

static void disk_damage_is_a_miss(void **state) {
  (void)state;
  char dir[64], path[256];
  vct_tmpdir(dir);
  const unsigned id = 20;
  for (int kind = 0; kind < DAMAGE_KINDS; kind++) {
    vy_dcache *d = vct_disk_cache(dir, 0);
    vct_backend be = {.code_bytes = 1};
    vy_ckey k = vct_key(id);
    vct_entry_path(path, sizeof path, dir, &k, "fk");
    vct_store(d, id, "fk");
    vct_store(d, id + 1, "fk");
    damage(dir, id, kind);
    vy_dcache_stats_reset(d);
    if (vct_load_id(d, id, "fk") != VY_DCACHE_MISS) fail_msg("damage kind %d was not a miss", kind);
    assert_int_equal(vct_dstats(d).disk_corrupt, kind == 17 ? 0 : 1);
    if (kind == 14) assert_int_equal(vct_load_id(d, id + 1, "fk"), VY_DCACHE_MISS);
    /* through the memory cache: compiled again, correct, and the file replaced */
    vy_kcache *c = vct_mem_cache(d, 0, 0);
    vy_kcache_entry *e;
    assert_int_equal(vct_get(c, &be, id, NULL, &e, NULL), VY_OK);
    assert_int_equal(be.compiles[id], 1);
    assert_int_equal(be.bad_artifacts, 0);
    vy_kcache_release(c, e);
    vy_kcache_destroy(c);
    if (kind == 16) {
      assert_int_equal(vct_dstats(d).disk_write_failures, 1); /* a directory in the way: not replaced, no crash */
      assert_int_equal(rmdir(path), 0);
    } else {
      assert_int_equal(vct_load_id(d, id, "fk"), VY_DCACHE_HIT);
    }
    vy_dcache_destroy(d);
  }
  vct_rm_rf(dir);
}

typedef struct warnings {
  int count;
  char last[512];
} warnings;

static void count_warning(void *ud, const char *msg) {
  warnings *w = ud;
  w->count++;
  snprintf(w->last, sizeof w->last, "%s", msg);
}

/* Loads and stores on `dir` with one warnings counter: the cache must be
 * off and say so exactly once. */
static void expect_off(const char *dir, bool enabled, int expected_warnings) {
  warnings w = {0};
  vy_cache_settings s = vct_settings(dir);
  s.disk_enabled = enabled;
  s.warn = count_warning;
  s.warn_ud = &w;
  vy_dcache *d;
  assert_int_equal(vy_dcache_create(NULL, &s, &d, NULL), VY_OK);
  for (int i = 0; i < 3; i++) {
    vy_ckey k = vct_key(1);
    vy_bytes b = {0};
    vy_dcache_result r;
    assert_int_equal(vy_dcache_load(d, &k, "o", &b, &r, NULL), VY_OK);
    assert_int_equal(r, VY_DCACHE_OFF);
    assert_int_equal(vy_dcache_store(d, &k, "o", "", "x", 1, NULL), VY_OK); /* nothing written, no error */
  }
  assert_false(vy_dcache_active(d));
  assert_int_equal(w.count, expected_warnings);
  if (expected_warnings) {
    assert_non_null(strstr(w.last, "kernel disk cache off"));
    assert_non_null(strstr(w.last, "Fix:"));
    /* configuring again re-arms the warning (once more) */
    assert_int_equal(vy_dcache_configure(d, &s, NULL), VY_OK);
    assert_false(vy_dcache_active(d));
    assert_false(vy_dcache_active(d));
    assert_int_equal(w.count, expected_warnings + 1);
  }
  vy_cache_stats st = vct_dstats(d);
  assert_int_equal(st.disk_hits + st.disk_misses + st.disk_writes + st.disk_write_failures, 0);
  vy_dcache_destroy(d);
}

static void disk_off_or_unusable(void **state) {
  (void)state;
  char dir[64], sub[128];
  vct_tmpdir(dir);
  snprintf(sub, sizeof sub, "%s/never", dir);
  expect_off(sub, false, 0); /* VYRE_JIT_CACHE=off: silent */
  struct stat st;
  assert_int_equal(stat(sub, &st), -1); /* and nothing created */
  char file[128], under_file[160];
  snprintf(file, sizeof file, "%s/plain-file", dir);
  vct_write_file(file, "x", 1);
  snprintf(under_file, sizeof under_file, "%s/cache", file);
  expect_off(under_file, true, 1); /* cannot be created */
  expect_off("/proc/self/vyre-cache", true, 1);
  expect_off("", true, 1); /* no directory at all */
  if (geteuid() != 0) {    /* root writes anywhere */
    char ro[128];
    snprintf(ro, sizeof ro, "%s/ro", dir);
    assert_int_equal(mkdir(ro, 0500), 0);
    expect_off(ro, true, 1);
    chmod(ro, 0700);
  }
  /* without a callback: one line on stderr */
  fflush(stderr);
  int saved = dup(2);
  char log[128];
  snprintf(log, sizeof log, "%s/stderr.log", dir);
  int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(fd, 2);
  vy_cache_settings s = vct_settings(under_file);
  vy_dcache *d;
  assert_int_equal(vy_dcache_create(NULL, &s, &d, NULL), VY_OK);
  for (int i = 0; i < 3; i++) assert_false(vy_dcache_active(d));
  vy_dcache_destroy(d);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd);
  size_t len;
  const uint8_t *text = vct_read_file(log, &len);
  int lines = 0;
  for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
  assert_int_equal(lines, 1);
  assert_memory_equal(text, "vyre-jit: kernel disk cache off", 31);
  vct_rm_rf(dir);
}

typedef struct saved_env {
  const char *name;
  char *value;
} saved_env;

static void disk_settings_from_env(void **state) {
  (void)state;
  saved_env saved[] = {{"VYRE_JIT_CACHE", NULL},
                       {"VYRE_JIT_CACHE_DIR", NULL},
                       {"VYRE_JIT_CACHE_MAX_SIZE", NULL},
                       {"XDG_CACHE_HOME", NULL},
                       {"HOME", NULL}};
  enum { NSAVED = sizeof saved / sizeof saved[0] };
  for (int i = 0; i < NSAVED; i++) {
    const char *v = getenv(saved[i].name);
    saved[i].value = v ? strdup(v) : NULL;
    unsetenv(saved[i].name);
  }
  vy_cache_settings s;
  vy_error err;
  assert_int_equal(vy_cache_settings_from_env(&s, &err), VY_OK); /* nothing set */
  assert_true(s.disk_enabled);
  assert_string_equal(s.disk_dir, "");
  assert_int_equal(s.disk_max_bytes, 256ull << 20);
  assert_int_equal(s.mem_max_entries, VY_CACHE_DEFAULT_MEM_ENTRIES);
  setenv("HOME", "/home/u", 1);
  assert_int_equal(vy_cache_settings_from_env(&s, &err), VY_OK);
  assert_string_equal(s.disk_dir, "/home/u/.cache/vyre-jit");
  setenv("XDG_CACHE_HOME", "relative/ignored", 1);
  assert_int_equal(vy_cache_settings_from_env(&s, &err), VY_OK);
  assert_string_equal(s.disk_dir, "/home/u/.cache/vyre-jit");
  setenv("XDG_CACHE_HOME", "/xdg", 1);
  assert_int_equal(vy_cache_settings_from_env(&s, &err), VY_OK);
  assert_string_equal(s.disk_dir, "/xdg/vyre-jit");
  setenv("VYRE_JIT_CACHE_DIR", "/explicit/dir", 1);
  assert_int_equal(vy_cache_settings_from_env(&s, &err), VY_OK);
  assert_string_equal(s.disk_dir, "/explicit/dir");
  static const struct {
    const char *text;
    uint64_t bytes; /* 0: invalid */
  } sizes[] = {{"1024", 1024},
               {"64K", 64 << 10},
               {"3M", 3 << 20},
               {"1G", 1ull << 30},
               {"2MiB", 2 << 20},
               {"5kb", 5 << 10},
               {"abc", 0},
               {"0", 0},
               {"12Q", 0},
               {"-5", 0},
               {"99999999999999999999", 0},
               {"17179869184G", 0}};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    setenv("VYRE_JIT_CACHE_MAX_SIZE", sizes[i].text, 1);
    vy_status st = vy_cache_settings_from_env(&s, &err);
    if (sizes[i].bytes) {
      assert_int_equal(st, VY_OK);
      assert_int_equal(s.disk_max_bytes, sizes[i].bytes);
    } else {
      assert_int_equal(st, VY_E_INVALID_ARGUMENT);
      assert_int_equal(s.disk_max_bytes, 256ull << 20); /* the default stands in */
      assert_non_null(strstr(err.message, "Fix:"));
    }
  }
  unsetenv("VYRE_JIT_CACHE_MAX_SIZE");
  static const struct {
    const char *text;
    int enabled; /* -1: invalid (stays on) */
  } modes[] = {{"off", 0}, {"OFF", 0}, {"0", 0},   {"false", 0}, {"no", 0},
               {"on", 1},  {"1", 1},   {"yes", 1}, {"maybe", -1}};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    setenv("VYRE_JIT_CACHE", modes[i].text, 1);
    vy_status st = vy_cache_settings_from_env(&s, &err);
    assert_int_equal(st, modes[i].enabled < 0 ? VY_E_INVALID_ARGUMENT : VY_OK);
    assert_int_equal(s.disk_enabled, modes[i].enabled != 0);
  }
  char longdir[VY_CACHE_PATH_MAX];
  memset(longdir, 'a', sizeof longdir - 1);
  longdir[0] = '/';
  longdir[sizeof longdir - 1] = 0;
  unsetenv("VYRE_JIT_CACHE");
  setenv("VYRE_JIT_CACHE_DIR", longdir, 1);
  assert_int_equal(vy_cache_settings_from_env(&s, &err), VY_E_INVALID_ARGUMENT);
  assert_false(s.disk_enabled);
  for (int i = 0; i < NSAVED; i++) {
    if (saved[i].value)
      setenv(saved[i].name, saved[i].value, 1);
    else
      unsetenv(saved[i].name);
    free(saved[i].value);
  }
}

static void disk_size_cap_evicts_least_recent(void **state) {
  (void)state;
  char dir[64], path[256];
  vct_tmpdir(dir);
  vy_dcache *d = vct_disk_cache(dir, 0);
  size_t size[8];
  time_t t0 = time(NULL) - 1000;
  for (unsigned i = 0; i < 8; i++) {
    size[i] = vct_store(d, 100 + i, "fk");
    vy_ckey k = vct_key(100 + i);
    vct_entry_path(path, sizeof path, dir, &k, "fk");
    vct_set_mtime(path, t0 + 10 * (time_t)i); /* 0 oldest ... 7 newest */
  }
  assert_int_equal(vct_load_id(d, 100, "fk"), VY_DCACHE_HIT); /* 0 becomes the newest */
  /* foreign files, and temporary files: an old one (crashed writer) and a fresh one */
  char junk[300];
  snprintf(junk, sizeof junk, "%s/README", dir);
  vct_write_file(junk, "keep", 4);
  vy_ckey k0 = vct_key(100);
  char hex[65];
  vy_ckey_hex(&k0, hex);
  snprintf(junk, sizeof junk, "%s/%.2s/notes.txt", dir, hex);
  vct_write_file(junk, "keep", 4);
  snprintf(junk, sizeof junk, "%s/%.2s/.tmp-old", dir, hex);
  vct_write_file(junk, "x", 1);
  vct_set_mtime(junk, time(NULL) - 7200);
  snprintf(junk, sizeof junk, "%s/%.2s/.tmp-new", dir, hex);
  vct_write_file(junk, "x", 1);
  /* keep the four most recent: 0, 7, 6, 5 */
  uint64_t target = size[0] + size[7] + size[6] + size[5];
  vy_cache_usage removed;
  assert_int_equal(vy_dcache_trim(d, target, &removed, NULL), VY_OK);
  assert_int_equal(removed.files, 4);
  assert_int_equal(removed.bytes, size[1] + size[2] + size[3] + size[4]);
  assert_int_equal(removed.temp_files, 1);
  for (unsigned i = 0; i < 8; i++) {
    vy_dcache_result want = (i == 0 || i >= 5) ? VY_DCACHE_HIT : VY_DCACHE_MISS;
    if (vct_load_id(d, 100 + i, "fk") != want) fail_msg("entry %u: wrong survivor set", i);
  }
  vy_cache_stats s = vct_dstats(d);
  assert_int_equal(s.disk_evictions, 4);
  assert_int_equal(s.disk_evicted_bytes, removed.bytes);
  struct stat st;
  assert_int_equal(stat(junk, &st), 0); /* .tmp-new stays */
  snprintf(junk, sizeof junk, "%s/README", dir);
  assert_int_equal(stat(junk, &st), 0);
  snprintf(junk, sizeof junk, "%s/%.2s/notes.txt", dir, hex);
  assert_int_equal(stat(junk, &st), 0);
  vy_dcache_destroy(d);

  /* the cap applied by stores themselves: every store of 1000 bytes trims */
  vct_rm_rf(dir);
  vct_tmpdir(dir);
  d = vct_disk_cache(dir, 4000);
  uint8_t blob[1000] = {1};
  for (unsigned i = 0; i < 12; i++) {
    vy_ckey k = vct_key(500 + i);
    assert_int_equal(vy_dcache_store(d, &k, "o", "", blob, sizeof blob, NULL), VY_OK);
    vy_cache_usage u;
    assert_int_equal(vy_cache_disk_usage(dir, &u, NULL), VY_OK);
    assert_true(u.bytes <= 4000);
    vy_bytes b = {0};
    vy_dcache_result r;
    assert_int_equal(vy_dcache_load(d, &k, "o", &b, &r, NULL), VY_OK);
    assert_int_equal(r, VY_DCACHE_HIT); /* the newest always survives */
    vy_bytes_free(&b);
  }
  assert_int_equal(vct_dstats(d).disk_evictions, 12 - 3);
  vy_dcache_destroy(d);
  vct_rm_rf(dir);
}

typedef struct listed {
  int n, ok, corrupt;
  char keys[8][65];
  char label[64];
} listed;

static int collect(void *ud, const vy_cache_file *f) {
  listed *l = ud;
  if (l->n < 8) snprintf(l->keys[l->n], 65, "%s", f->key_hex);
  l->n++;
  l->ok += f->state == VY_CACHE_FILE_OK;
  l->corrupt += f->state == VY_CACHE_FILE_CORRUPT;
  if (f->state == VY_CACHE_FILE_OK) snprintf(l->label, sizeof l->label, "%s", f->label);
  assert_string_equal(f->ext, "fk");
  return 0;
}

/* Three entries 200..202 (oldest first), a damaged one (203, newest) and a
 * temporary file in `dir`. Returns the total bytes of the entries. */
static uint64_t populate(const char *dir) {
  char path[256];
  vy_dcache *d = vct_disk_cache(dir, 0);
  uint64_t total = 0;
  for (unsigned i = 0; i < 4; i++) {
    total += vct_store(d, 200 + i, "fk");
    vy_ckey k = vct_key(200 + i);
    vct_entry_path(path, sizeof path, dir, &k, "fk");
    if (i == 3) {
      assert_int_equal(truncate(path, 50), 0);
      total -= vct_store(d, 200 + i, "fk") - 50;
      assert_int_equal(truncate(path, 50), 0);
    }
    vct_set_mtime(path, time(NULL) - 100 + (time_t)i);
  }
  *strrchr(path, '/') = 0;
  strcat(path, "/.tmp-writer");
  vct_write_file(path, "x", 1);
  vy_dcache_destroy(d);
  return total;
}

static void disk_list_and_clear(void **state) {
  (void)state;
  char dir[64], path[256];
  vct_tmpdir(dir);
  uint64_t total = populate(dir);
  vy_cache_usage u;
  assert_int_equal(vy_cache_disk_usage(dir, &u, NULL), VY_OK);
  assert_int_equal(u.files, 4);
  assert_int_equal(u.bytes, total);
  assert_int_equal(u.temp_files, 1);
  listed l = {0};
  assert_int_equal(vy_cache_disk_list(dir, false, collect, &l, NULL), VY_OK);
  assert_int_equal(l.n, 4);
  assert_int_equal(l.ok, 3);
  assert_int_equal(l.corrupt, 1);
  assert_string_equal(l.label, VCT_LABEL);
  for (unsigned i = 0; i < 4; i++) { /* least recently used first */
    vy_ckey k = vct_key(200 + i);
    char hex[65];
    vy_ckey_hex(&k, hex);
    assert_string_equal(l.keys[i], hex);
  }
  /* damage inside the payload: only a verifying listing sees it */
  vy_ckey k = vct_key(201);
  vct_entry_path(path, sizeof path, dir, &k, "fk");
  size_t len;
  uint8_t *f = vct_read_file(path, &len);
  f[len - 1] ^= 0xFF;
  vct_write_file(path, f, len);
  memset(&l, 0, sizeof l);
  assert_int_equal(vy_cache_disk_list(dir, false, collect, &l, NULL), VY_OK);
  assert_int_equal(l.ok, 3);
  memset(&l, 0, sizeof l);
  assert_int_equal(vy_cache_disk_list(dir, true, collect, &l, NULL), VY_OK);
  assert_int_equal(l.ok, 2);
  char keep[300];
  snprintf(keep, sizeof keep, "%s/notes.txt", dir);
  vct_write_file(keep, "not ours", 8);
  vy_cache_usage r;
  assert_int_equal(vy_cache_disk_clear(dir, &r, NULL), VY_OK);
  assert_int_equal(r.files, 4);
  assert_int_equal(r.bytes, total);
  assert_int_equal(r.temp_files, 1);
  assert_int_equal(vy_cache_disk_usage(dir, &u, NULL), VY_OK);
  assert_int_equal(u.files + u.temp_files, 0);
  struct stat st;
  assert_int_equal(stat(keep, &st), 0);
  *strrchr(path, '/') = 0;
  assert_int_equal(stat(path, &st), -1); /* empty subdirectories are gone */
  /* a missing directory is empty; an unreadable path is an error */
  assert_int_equal(vy_cache_disk_usage("/nonexistent/vyre", &u, NULL), VY_OK);
  assert_int_equal(u.files, 0);
  vy_error err;
  assert_int_equal(vy_cache_disk_usage(keep, &u, &err), VY_E_IO); /* a file, not a directory */
  assert_non_null(strstr(err.message, "Fix:"));
  vct_rm_rf(dir);
}

/* The CLI (VY_CLI is set by CTest) on a populated directory. */
static int run_cli(const char *args, char *out, size_t cap) {
  const char *cli = getenv("VY_CLI");
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s %s 2>&1", cli, args);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t n = fread(out, 1, cap - 1, p);
  out[n] = 0;
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void cli_cache_commands(void **state) {
  (void)state;
  if (!getenv("VY_CLI")) skip();
  char dir[64], args[256], out[8192];
  vct_tmpdir(dir);
  uint64_t total = populate(dir);
  snprintf(args, sizeof args, "cache stats --dir %s", dir);
  assert_int_equal(run_cli(args, out, sizeof out), 0);
  assert_non_null(strstr(out, "entries: 4\n"));
  char want[128];
  snprintf(want, sizeof want, "bytes: %llu (", (unsigned long long)total);
  assert_non_null(strstr(out, want));
  assert_non_null(strstr(out, "temporary files: 1\n"));
  snprintf(args, sizeof args, "cache list --verify --dir %s", dir);
  assert_int_equal(run_cli(args, out, sizeof out), 0);
  vy_ckey k = vct_key(200);
  char hex[65];
  vy_ckey_hex(&k, hex);
  snprintf(want, sizeof want, "%s fk ", hex);
  assert_non_null(strstr(out, want));
  assert_non_null(strstr(out, " ok " VCT_LABEL "\n"));
  assert_non_null(strstr(out, "# 4 entries"));
  assert_non_null(strstr(out, "1 unusable"));
  snprintf(args, sizeof args, "cache clear --dir %s", dir);
  assert_int_equal(run_cli(args, out, sizeof out), 0);
  assert_non_null(strstr(out, "removed 4 entries"));
  snprintf(args, sizeof args, "cache stats --dir %s", dir);
  assert_int_equal(run_cli(args, out, sizeof out), 0);
  assert_non_null(strstr(out, "entries: 0\n"));
  assert_int_equal(run_cli("cache frobnicate", out, sizeof out), 2);
  assert_int_equal(run_cli("cache", out, sizeof out), 2);
  vct_rm_rf(dir);
}

/* ---- several processes and threads on one directory ---- */

enum { STRESS_PROCS = 4, STRESS_THREADS = 4, STRESS_KEYS = 24, STRESS_ITERS = 400 };

typedef struct stress {
  vy_kcache *c; /* phase 1 */
  vy_dcache *d; /* phase 2 */
  vct_backend *be;
  unsigned seed;
  int wrong; /* results that were neither a miss nor exactly the stored bytes */
} stress;

/* Phase 1: requests through a memory cache on a shared disk directory. */
static void *stress_requests(void *p) {
  stress *s = p;
  for (int i = 0; i < STRESS_ITERS; i++) {
    s->seed = s->seed * 1103515245u + 12345u;
    unsigned id = (s->seed >> 16) % STRESS_KEYS;
    vct_req r = {s->be, id, vct_key(id)};
    vy_kcache_builder b = {.ext = "fk", .label = "stress", .compile = vct_compile, .load = vct_load, .ud = &r};
    vy_kcache_entry *e = NULL;
    vy_error err;
    if (vy_kcache_get(s->c, &r.key, NULL, &b, &e, &err) != VY_OK) {
      fprintf(stderr, "stress: request failed: %s\n", err.message);
      s->wrong++;
      continue;
    }
    const vct_kernel *k = vy_kcache_entry_kernel(e);
    if (k->magic != VCT_FAKE_MAGIC || k->id != id) s->wrong++;
    vy_kcache_release(s->c, e);
  }
  return NULL;
}

/* Phase 2: raw stores and loads on a directory with a small cap, so that
 * trims of every process run while others read and write. */
static void *stress_raw(void *p) {
  stress *s = p;
  uint8_t want[4096];
  for (int i = 0; i < STRESS_ITERS; i++) {
    s->seed = s->seed * 1103515245u + 12345u;
    unsigned id = (s->seed >> 16) % STRESS_KEYS;
    vy_ckey k = vct_key(id);
    size_t n = vct_payload(&k, want, sizeof want);
    if ((s->seed >> 8) & 1) {
      if (vy_dcache_store(s->d, &k, "fk", "stress", want, n, NULL) != VY_OK) s->wrong++;
      continue;
    }
    vy_bytes got = {0};
    vy_dcache_result r;
    if (vy_dcache_load(s->d, &k, "fk", &got, &r, NULL) != VY_OK) s->wrong++;
    if (r == VY_DCACHE_HIT && (got.len != n || memcmp(got.data, want, n) != 0)) s->wrong++;
    if (r == VY_DCACHE_OFF) s->wrong++;
    vy_bytes_free(&got);
  }
  return NULL;
}

/* Runs in a forked child: no cmocka asserts; the exit status says. */
static int stress_child(const char *dir1, const char *dir2, unsigned seed) {
  vct_backend be = {.code_bytes = 1, .delay_us = 300};
  vy_cache_settings s1 = vct_settings(dir1), s2 = vct_settings(dir2);
  s2.disk_max_bytes = 16 << 10;
  vy_dcache *d1 = NULL, *d2 = NULL;
  vy_kcache *c = NULL;
  if (vy_dcache_create(NULL, &s1, &d1, NULL) || vy_dcache_create(NULL, &s2, &d2, NULL) ||
      vy_kcache_create(NULL, &s1, d1, &c, NULL))
    return 10;
  int wrong = 0;
  for (int phase = 0; phase < 2; phase++) {
    pthread_t tid[STRESS_THREADS];
    stress st[STRESS_THREADS];
    for (int t = 0; t < STRESS_THREADS; t++) {
      st[t] = (stress){.c = c, .d = d2, .be = &be, .seed = seed * 131u + (unsigned)t * 7919u + (unsigned)phase};
      if (pthread_create(&tid[t], NULL, phase ? stress_raw : stress_requests, &st[t])) return 11;
    }
    for (int t = 0; t < STRESS_THREADS; t++) {
      pthread_join(tid[t], NULL);
      wrong += st[t].wrong;
    }
  }
  for (unsigned id = 0; id < STRESS_KEYS; id++)
    if (be.compiles[id] > 1) {
      fprintf(stderr, "stress: key %u compiled %d times in one process\n", id, (int)be.compiles[id]);
      wrong++;
    }
  vy_cache_stats ks = vct_kstats(c), ds = vct_dstats(d2);
  if (be.bad_artifacts || ks.mem_misses + ks.mem_hits + ks.mem_waits != STRESS_THREADS * STRESS_ITERS) wrong++;
  if (ds.disk_evictions == 0) { /* the small cap must have been exercised */
    fprintf(stderr, "stress: no eviction happened\n");
    wrong++;
  }
  vy_kcache_destroy(c);
  vy_dcache_destroy(d1);
  vy_dcache_destroy(d2);
  return wrong ? 1 : 0;
}

static void disk_many_processes_and_threads(void **state) {
  (void)state;
  char dir1[64], dir2[64];
  vct_tmpdir(dir1);
  vct_tmpdir(dir2);
  fflush(stdout);
  fflush(stderr);
  pid_t pids[STRESS_PROCS];
  for (int p = 0; p < STRESS_PROCS; p++) {
    pids[p] = fork();
    assert_true(pids[p] >= 0);
    if (pids[p] == 0) _exit(stress_child(dir1, dir2, 1000u + (unsigned)p));
  }
  for (int p = 0; p < STRESS_PROCS; p++) {
    int status;
    assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
  }
  /* every key was stored by someone, completely; nothing torn, no temporaries left */
  vy_dcache *d = vct_disk_cache(dir1, 0);
  for (unsigned id = 0; id < STRESS_KEYS; id++) assert_int_equal(vct_load_id(d, id, "fk"), VY_DCACHE_HIT);
  assert_int_equal(vct_dstats(d).disk_corrupt, 0);
  vy_dcache_destroy(d);
  vy_cache_usage u;
  assert_int_equal(vy_cache_disk_usage(dir1, &u, NULL), VY_OK);
  assert_int_equal(u.files, STRESS_KEYS);
  assert_int_equal(u.temp_files, 0);
  assert_int_equal(vy_cache_disk_usage(dir2, &u, NULL), VY_OK);
  assert_int_equal(u.temp_files, 0);
  assert_true(u.bytes <= 2 * (16 << 10)); /* the cap, give or take the last stores of each process */
  vct_rm_rf(dir1);
  vct_rm_rf(dir2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(disk_file_layout),
      cmocka_unit_test(disk_hit_renews_the_lru_clock),
      cmocka_unit_test(disk_damage_is_a_miss),
      cmocka_unit_test(disk_off_or_unusable),
      cmocka_unit_test(disk_settings_from_env),
      cmocka_unit_test(disk_size_cap_evicts_least_recent),
      cmocka_unit_test(disk_list_and_clear),
      cmocka_unit_test(cli_cache_commands),
      cmocka_unit_test(disk_many_processes_and_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
