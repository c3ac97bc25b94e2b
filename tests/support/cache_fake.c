/* cache_fake.c - see cache_fake.h. */
#define _GNU_SOURCE /* mkdtemp, nftw, usleep */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc_int.h"
#include "cache_fake.h"
#include "error_int.h"

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

void vct_rm_rf(const char *dir) { nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

void vct_tmpdir(char *out) {
  strcpy(out, "/tmp/vy-cache-test-XXXXXX");
  assert_non_null(mkdtemp(out));
}

vy_ckey vct_key(unsigned n) {
  vy_ckey k;
  uint8_t seed[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), 0xA5};
  vy_blake3_hash(seed, sizeof seed, k.b);
  return k;
}

size_t vct_payload(const vy_ckey *k, uint8_t *buf, size_t cap) {
  size_t len = 1 + (size_t)((k->b[0] | k->b[1] << 8) % 3000);
  if (len > cap) len = cap;
  vy_blake3 h;
  vy_blake3_init(&h);
  vy_blake3_update(&h, k->b, 32);
  vy_blake3_finalize(&h, buf, len);
  return len;
}

vy_cache_settings vct_settings(const char *dir) {
  vy_cache_settings s;
  memset(&s, 0, sizeof s);
  s.disk_enabled = dir != NULL;
  if (dir) snprintf(s.disk_dir, sizeof s.disk_dir, "%s", dir);
  s.disk_max_bytes = UINT64_MAX;
  return s;
}

void vct_entry_path(char *out, size_t cap, const char *dir, const vy_ckey *k, const char *ext) {
  char hex[65];
  vy_ckey_hex(k, hex);
  snprintf(out, cap, "%s/%.2s/%s.%s", dir, hex, hex, ext);
}

vy_cache_stats vct_dstats(vy_dcache *d) {
  vy_cache_stats s = {0};
  vy_dcache_stats(d, &s);
  return s;
}

vy_cache_stats vct_kstats(vy_kcache *c) {
  vy_cache_stats s = {0};
  vy_kcache_stats(c, &s);
  return s;
}

uint8_t *vct_read_file(const char *path, size_t *len) {
  static uint8_t buf[1 << 16];
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  *len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  return buf;
}

void vct_write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  fclose(f);
}

void vct_set_mtime(const char *path, time_t t) {
  struct timespec ts[2] = {{t, 0}, {t, 0}};
  assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* ---- the fake backend ---- */

vy_status vct_compile(void *ud, const vy_allocator *alloc, vy_bytes *art, vy_error *err) {
  vct_req *r = ud;
  atomic_fetch_add(&r->be->compiles[r->id % VCT_MAX_KEYS], 1);
  atomic_fetch_add(&r->be->total_compiles, 1);
  if (r->be->delay_us) usleep((useconds_t)r->be->delay_us);
  if (r->be->fail)
    return vy_error_set(err, r->be->fail, "fake compile of key %u failed. Fix: none, on purpose.", r->id);
  uint8_t buf[4096];
  size_t n = vct_payload(&r->key, buf, sizeof buf);
  art->alloc = alloc;
  return vy_bytes_append(art, buf, n) ? vy_error_nomem(err) : VY_OK;
}

void vct_destroy(void *kernel, void *ctx) {
  vct_kernel *k = kernel;
  vct_backend *be = ctx;
  if (k->magic != VCT_FAKE_MAGIC) { /* destroyed twice, or not a kernel */
    atomic_fetch_add(&be->bad_artifacts, 1);
    return;
  }
  if (be->destroy_delay_us) usleep((useconds_t)be->destroy_delay_us);
  k->magic = 0;
  atomic_fetch_sub(&be->live[k->id % VCT_MAX_KEYS], 1);
  atomic_fetch_add(&be->destroyed[k->id % VCT_MAX_KEYS], 1);
  atomic_fetch_add(&be->destroys, 1);
  vy_mem_free(be->alloc, k, sizeof *k);
}

vy_status vct_load(void *ud, const uint8_t *art, size_t len, vy_kcache_kernel *out, vy_error *err) {
  vct_req *r = ud;
  uint8_t want[4096];
  size_t n = vct_payload(&r->key, want, sizeof want);
  if (len != n || memcmp(art, want, n) != 0) {
    atomic_fetch_add(&r->be->bad_artifacts, 1);
    return vy_error_set(err, VY_E_COMPILE_FAILED, "fake load: artifact of key %u differs. Fix: none.", r->id);
  }
  vct_kernel *k = vy_mem_alloc(r->be->alloc, sizeof *k);
  if (!k) return vy_error_nomem(err);
  *k = (vct_kernel){VCT_FAKE_MAGIC, r->id, r->be};
  if (atomic_fetch_add(&r->be->live[r->id % VCT_MAX_KEYS], 1) > 0 && r->be->single_copy)
    atomic_fetch_add(&r->be->bad_artifacts, 1);
  atomic_fetch_add(&r->be->loads, 1);
  *out = (vy_kcache_kernel){.kernel = k, .destroy = vct_destroy, .destroy_ctx = r->be, .code_bytes = r->be->code_bytes};
  return VY_OK;
}

vy_status vct_get(vy_kcache *c, vct_backend *be, unsigned id, const void *domain, vy_kcache_entry **e, vy_error *err) {
  vct_req r = {be, id, vct_key(id)};
  vy_kcache_builder b = {.ext = "fk", .label = VCT_LABEL, .compile = vct_compile, .load = vct_load, .ud = &r};
  vy_status st = vy_kcache_get(c, &r.key, domain, &b, e, err);
  if (st == VY_OK) {
    const vct_kernel *k = vy_kcache_entry_kernel(*e);
    assert_int_equal(k->magic, VCT_FAKE_MAGIC);
    assert_int_equal(k->id, id);
  } else {
    assert_null(*e);
  }
  return st;
}

vy_kcache *vct_mem_cache(vy_dcache *disk, uint64_t max_entries, uint64_t max_bytes) {
  vy_cache_settings s = vct_settings(NULL);
  s.mem_max_entries = max_entries;
  s.mem_max_code_bytes = max_bytes;
  vy_kcache *c = NULL;
  assert_int_equal(vy_kcache_create(NULL, &s, disk, &c, NULL), VY_OK);
  return c;
}

vy_dcache *vct_disk_cache(const char *dir, uint64_t cap) {
  vy_cache_settings s = vct_settings(dir);
  if (cap) s.disk_max_bytes = cap;
  vy_dcache *d = NULL;
  assert_int_equal(vy_dcache_create(NULL, &s, &d, NULL), VY_OK);
  return d;
}

size_t vct_store(vy_dcache *d, unsigned id, const char *ext) {
  uint8_t buf[4096];
  vy_ckey k = vct_key(id);
  size_t n = vct_payload(&k, buf, sizeof buf);
  assert_int_equal(vy_dcache_store(d, &k, ext, VCT_LABEL, buf, n, NULL), VY_OK);
  return 96 + strlen(VCT_LABEL) + n;
}

vy_dcache_result vct_load_id(vy_dcache *d, unsigned id, const char *ext) {
  uint8_t want[4096];
  vy_ckey k = vct_key(id);
  size_t n = vct_payload(&k, want, sizeof want);
  vy_bytes got = {0};
  vy_dcache_result r;
  assert_int_equal(vy_dcache_load(d, &k, ext, &got, &r, NULL), VY_OK);
  if (r == VY_DCACHE_HIT) {
    assert_int_equal(got.len, n);
    assert_memory_equal(got.data, want, n);
  } else {
    assert_null(got.data);
  }
  vy_bytes_free(&got);
  return r;
}
