/* test_jit_cache.c - the kernel cache: the key record and its ingredients,
 * the memory cache (hits, LRU eviction by entries and bytes, reference
 * counts, build-once under threads, failures, fault injection), the
 * process-wide cache through the public API, real LLVM objects through the
 * cache into ORC (cold, disk hit, damaged and rejected objects, another
 * LLVM version), a second process hitting the disk, and timings
 * (reported, not asserted). The disk cache on its own is tested by
 * test_cache_disk.c.
 *
 * Expected values come from the key record documented in cache_key.c,
 * re-implemented here and hashed with BLAKE3 (test_blake3 checks it
 * against b3sum), from readelf, from payloads that are a pure function of
 * their key (tests/support/cache_fake.h), and from plain C loops for
 * kernel results.
 *
 * The binary re-executes itself for the second-process test:
 *   test_jit_cache --child-llvm DIR   compile-or-load one kernel through a
 *                                     cache on DIR, print its counters. */
#define _GNU_SOURCE /* popen, sched_yield */
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <llvm-c/Core.h>

#include "cache_fake.h"
#include "cache_int.h" /* jit/cache_int.h, which includes lib/cache_int.h */
#include "fault_alloc.h"
#include "vyre/text.h"
#include "vyre/version.h"

/* ---- helpers ---- */

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *t, int n) {
  qsort(t, n, sizeof *t, cmp_double);
  return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* ==================================================================== */
/* The key                                                               */

/* An independent serializer of the documented record (cache_key.c). */
typedef struct rec {
  uint8_t b[8192];
  size_t n;
} rec;

static void rec_put(rec *r, const void *p, size_t n) {
  assert_true(r->n + n <= sizeof r->b);
  memcpy(r->b + r->n, p, n);
  r->n += n;
}

static void rec_u(rec *r, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) r->b[r->n++] = (uint8_t)(v >> (8 * i));
}

static void rec_field(rec *r, uint8_t id, const void *p, size_t n, bool present) {
  rec_u(r, id, 1);
  rec_u(r, present, 1);
  if (!present) return;
  rec_u(r, n, 8);
  rec_put(r, p, n);
}

static void rec_str(rec *r, uint8_t id, const char *s) { rec_field(r, id, s, s ? strlen(s) : 0, s != NULL); }

static const vy_ckey_target sample_target = {.backend_id = "llvm-cpu",
                                             .backend_version = "0.1.0",
                                             .llvm_version = "19.1.7",
                                             .triple = "x86_64-pc-linux-gnu",
                                             .cpu = "znver4",
                                             .features = "+avx2,+avx512f,-avx512fp16,+sse2",
                                             .code_identity = "0123abcd"};

static void key_matches_documented_record(void **state) {
  (void)state;
  uint8_t fp[32];
  for (int i = 0; i < 32; i++) fp[i] = (uint8_t)(i * 7 + 1);
  vy_ckey_base base;
  vy_error err;
  assert_int_equal(vy_ckey_base_init(&base, &sample_target, &err), VY_OK);
  vy_ckey_builder kb;
  vy_ckey_begin(&kb, &base, fp, 3);
  vy_ckey_opt_u64(&kb, "vector_width", 16); /* added out of name order on purpose */
  vy_ckey_opt_str(&kb, "fast_paths", "on");
  uint8_t wg[12] = {64, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
  vy_ckey_opt_bytes(&kb, "debug", "", 0);
  vy_ckey_spec_bytes(&kb, "workgroup", wg, sizeof wg);
  vy_ckey key;
  assert_int_equal(vy_ckey_finish(&kb, &key, &err), VY_OK);

  rec r = {.n = 0};
  rec_put(&r, "vyre-jit kernel key", 19);
  rec_u(&r, 1, 4);
  rec_str(&r, 0x01, "llvm-cpu");
  rec_str(&r, 0x02, "0.1.0");
  rec_str(&r, 0x03, VY_VERSION_STRING);
  uint8_t contract[4] = {VY_CODEGEN_CONTRACT & 255, (VY_CODEGEN_CONTRACT >> 8) & 255, 0, 0};
  rec_field(&r, 0x04, contract, 4, true);
  rec_str(&r, 0x05, "19.1.7");
  rec_str(&r, 0x06, "x86_64-pc-linux-gnu");
  rec_str(&r, 0x07, "znver4");
  rec_str(&r, 0x08, "+avx2,+avx512f,-avx512fp16,+sse2");
  rec_str(&r, 0x09, NULL);
  rec_str(&r, 0x0a, NULL);
  rec_str(&r, 0x0b, NULL);
  rec_str(&r, 0x0c, "0123abcd");
  rec_field(&r, 0x10, fp, 32, true);
  uint8_t opt[4] = {3, 0, 0, 0};
  rec_field(&r, 0x11, opt, 4, true);
  rec_u(&r, 0x12, 1);
  rec_u(&r, 3, 4); /* debug < fast_paths < vector_width */
  rec_u(&r, 5, 8), rec_put(&r, "debug", 5), rec_u(&r, 'b', 1), rec_u(&r, 0, 8);
  rec_u(&r, 10, 8), rec_put(&r, "fast_paths", 10), rec_u(&r, 's', 1), rec_u(&r, 2, 8), rec_put(&r, "on", 2);
  rec_u(&r, 12, 8), rec_put(&r, "vector_width", 12), rec_u(&r, 'u', 1), rec_u(&r, 16, 8);
  rec_u(&r, 0x13, 1);
  rec_u(&r, 1, 4);
  rec_u(&r, 9, 8), rec_put(&r, "workgroup", 9), rec_u(&r, 'b', 1), rec_u(&r, 12, 8), rec_put(&r, wg, 12);
  uint8_t want[32];
  vy_blake3_hash(r.b, r.n, want);
  assert_memory_equal(key.b, want, 32);
  assert_string_equal(base.label, "llvm-cpu 0.1.0 llvm 19.1.7 x86_64-pc-linux-gnu znver4");

  char hex[65];
  vy_ckey_hex(&key, hex);
  vy_ckey back;
  assert_true(vy_ckey_from_hex(hex, &back));
  assert_memory_equal(back.b, key.b, 32);
  hex[63] = 'g';
  assert_false(vy_ckey_from_hex(hex, &back));
  assert_false(vy_ckey_from_hex("abc", &back));
}

/* Builds a key from a target, a fingerprint and a variant number that
 * changes exactly one of the per-program ingredients. */
static vy_ckey key_variant(const vy_ckey_target *t, int variant) {
  uint8_t fp[32] = {1, 2, 3};
  if (variant == 1) fp[31] ^= 1;
  vy_ckey_base base;
  assert_int_equal(vy_ckey_base_init(&base, t, NULL), VY_OK);
  vy_ckey_builder kb;
  vy_ckey_begin(&kb, &base, fp, variant == 2 ? 3 : 2);
  vy_ckey_opt_u64(&kb, "vector_width", variant == 3 ? 16 : 8);
  vy_ckey_opt_u64(&kb, "ulp_budget", variant == 4 ? 5 : 4);
  uint32_t wg[3] = {variant == 5 ? 128u : 0u, 0, 0};
  vy_ckey_opt_bytes(&kb, "workgroup_override", wg, sizeof wg);
  vy_ckey_opt_u64(&kb, "fast_paths", variant == 6 ? 0 : 1);
  vy_ckey_opt_u64(&kb, "debug", variant == 7 ? 1 : 0);
  if (variant == 8) vy_ckey_opt_u64(&kb, "new_option", 0); /* an option added later changes keys too */
  vy_ckey_spec_u64(&kb, "wg_x", variant == 9 ? 32 : 64);
  if (variant == 10) vy_ckey_spec_u64(&kb, "debug", 0); /* same name as an option, other namespace */
  vy_ckey k;
  assert_int_equal(vy_ckey_finish(&kb, &k, NULL), VY_OK);
  return k;
}

static void key_changes_with_every_ingredient(void **state) {
  (void)state;
  enum { NPROG = 11, NTARGET = 13 };
  vy_ckey keys[NPROG + NTARGET];
  for (int v = 0; v < NPROG; v++) keys[v] = key_variant(&sample_target, v);
  /* target ingredients, one at a time */
  for (int f = 0; f < NTARGET; f++) {
    vy_ckey_target t = sample_target;
    switch (f) {
    case 0:
      t.backend_id = "cuda";
      break;
    case 1:
      t.backend_version = "0.1.1";
      break;
    case 2:
      t.llvm_version = "19.1.6";
      break;
    case 3:
      t.triple = "x86_64-unknown-linux-gnu";
      break;
    case 4:
      t.cpu = "znver3";
      break;
    case 5:
      t.features = "+avx2,-avx512f,-avx512fp16,+sse2";
      break; /* one feature flipped */
    case 6:
      t.gpu_sm = "sm_90";
      break;
    case 7:
      t.ptx_isa = "8.0";
      break;
    case 8:
      t.driver_version = "12040";
      break;
    case 9:
      t.code_identity = "0123abce";
      break;
    case 10:
      t.code_identity = NULL;
      break; /* absent differs from present */
    case 11:
      t.llvm_version = "";
      break; /* "" differs from the real one and from NULL */
    case 12:
      t.llvm_version = NULL;
      break;
    }
    keys[NPROG + f] = key_variant(&t, 0);
  }
  for (int i = 0; i < NPROG + NTARGET; i++)
    for (int j = i + 1; j < NPROG + NTARGET; j++)
      if (memcmp(keys[i].b, keys[j].b, 32) == 0) fail_msg("ingredients %d and %d give the same key", i, j);
  /* same inputs, same key; option order does not matter */
  vy_ckey again = key_variant(&sample_target, 0);
  assert_memory_equal(again.b, keys[0].b, 32);
  vy_ckey_base base;
  assert_int_equal(vy_ckey_base_init(&base, &sample_target, NULL), VY_OK);
  uint8_t fp[32] = {1, 2, 3};
  uint32_t wg[3] = {0, 0, 0};
  vy_ckey_builder kb;
  vy_ckey_begin(&kb, &base, fp, 2);
  vy_ckey_spec_u64(&kb, "wg_x", 64);
  vy_ckey_opt_u64(&kb, "debug", 0);
  vy_ckey_opt_u64(&kb, "fast_paths", 1);
  vy_ckey_opt_bytes(&kb, "workgroup_override", wg, sizeof wg);
  vy_ckey_opt_u64(&kb, "ulp_budget", 4);
  vy_ckey_opt_u64(&kb, "vector_width", 8);
  vy_ckey reordered;
  assert_int_equal(vy_ckey_finish(&kb, &reordered, NULL), VY_OK);
  assert_memory_equal(reordered.b, keys[0].b, 32);
  /* value kinds and boundaries are unambiguous */
  vy_ckey a, b;
  vy_ckey_begin(&kb, &base, fp, 2);
  vy_ckey_opt_str(&kb, "ab", "c");
  assert_int_equal(vy_ckey_finish(&kb, &a, NULL), VY_OK);
  vy_ckey_begin(&kb, &base, fp, 2);
  vy_ckey_opt_str(&kb, "a", "bc");
  assert_int_equal(vy_ckey_finish(&kb, &b, NULL), VY_OK);
  assert_memory_not_equal(a.b, b.b, 32);
  uint8_t eight[8] = {7, 0, 0, 0, 0, 0, 0, 0};
  vy_ckey_begin(&kb, &base, fp, 2);
  vy_ckey_opt_u64(&kb, "x", 7);
  assert_int_equal(vy_ckey_finish(&kb, &a, NULL), VY_OK);
  vy_ckey_begin(&kb, &base, fp, 2);
  vy_ckey_opt_bytes(&kb, "x", eight, 8);
  assert_int_equal(vy_ckey_finish(&kb, &b, NULL), VY_OK);
  assert_memory_not_equal(a.b, b.b, 32);
}

static void key_errors(void **state) {
  (void)state;
  vy_ckey_base base;
  vy_error err;
  vy_ckey_target t = sample_target;
  t.backend_version = NULL;
  assert_int_equal(vy_ckey_base_init(&base, &t, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "Fix:"));
  assert_int_equal(vy_ckey_base_init(&base, &sample_target, &err), VY_OK);
  uint8_t fp[32] = {0};
  vy_ckey k;
  vy_ckey_builder kb;
  vy_ckey_begin(&kb, &base, fp, 2);
  vy_ckey_opt_u64(&kb, "same", 1);
  vy_ckey_opt_u64(&kb, "same", 1);
  assert_int_equal(vy_ckey_finish(&kb, &k, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "twice"));
  vy_ckey_begin(&kb, &base, fp, 2);
  char names[VY_CKEY_MAX_ITEMS + 1][8];
  for (unsigned i = 0; i <= VY_CKEY_MAX_ITEMS; i++) {
    snprintf(names[i], sizeof names[i], "o%u", i);
    vy_ckey_opt_u64(&kb, names[i], i);
  }
  assert_int_equal(vy_ckey_finish(&kb, &k, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "at most 32"));
  vy_ckey_begin(&kb, &base, fp, 2);
  vy_ckey_opt_u64(&kb, "", 1);
  assert_int_equal(vy_ckey_finish(&kb, &k, &err), VY_E_INVALID_ARGUMENT);
  vy_ckey_begin(&kb, &base, fp, 4);
  assert_int_equal(vy_ckey_finish(&kb, &k, &err), VY_E_INVALID_ARGUMENT);
  vy_ckey_begin(&kb, NULL, fp, 2);
  assert_int_equal(vy_ckey_finish(&kb, &k, &err), VY_E_INVALID_ARGUMENT);
}

/* A program with a WriteOnly buffer cannot be wire-encoded, so it has no
 * fingerprint and therefore no cache key: backends compile it uncached. */
static void program_without_fingerprint_has_no_key(void **state) {
  (void)state;
  static const char ok[] = "program p workgroup(1) {\n  buffer a: u32 read_write @0\n"
                           "  region vyre.program.root {\n    a[0] = 1\n  }\n}\n";
  static const char wo[] = "program p workgroup(1) {\n  buffer a: u32 write @0\n"
                           "  region vyre.program.root {\n    a[0] = 1\n  }\n}\n";
  vy_program *p = NULL, *q = NULL;
  vy_error err;
  assert_int_equal(vy_text_parse(ok, strlen(ok), "ok.vy", NULL, &p, &err), VY_OK);
  assert_int_equal(vy_text_parse(wo, strlen(wo), "wo.vy", NULL, &q, &err), VY_OK);
  uint8_t fp[32];
  assert_true(vy_program_fingerprint(p, fp));
  assert_false(vy_program_fingerprint(q, fp));
  vy_program_destroy(p);
  vy_program_destroy(q);
}

/* The code identity is the GNU build-id of this executable (libvyre-jit is
 * linked statically into it), as readelf reports it. */
static void code_identity_is_the_build_id(void **state) {
  (void)state;
  const char *id = vy_jit_cache_code_identity();
  char cmd[128], line[512], want[160] = "";
  snprintf(cmd, sizeof cmd, "readelf -n /proc/%ld/exe 2>/dev/null", (long)getpid()); /* this process, not readelf */
  FILE *f = popen(cmd, "r");
  if (!f) skip();
  while (fgets(line, sizeof line, f))
    if (sscanf(line, " Build ID: %159s", want) == 1) break;
  pclose(f);
  if (!want[0]) {
    assert_string_equal(id, ""); /* no build-id: none claimed */
    skip();
  }
  assert_string_equal(id, want);
}

static void cpu_base_uses_the_host(void **state) {
  (void)state;
  vy_jit_host host;
  vy_error err;
  assert_int_equal(vy_jit_host_detect(NULL, &host, &err), VY_OK);
  vy_ckey_base a, b;
  assert_int_equal(vy_jit_cache_base_cpu(&host, "llvm-cpu", "0.1.0", &a, &err), VY_OK);
  assert_non_null(strstr(a.label, host.triple));
  assert_non_null(strstr(a.label, host.cpu));
  unsigned ma, mi, pa;
  vy_jit_llvm_version(&ma, &mi, &pa);
  char llvm[48];
  snprintf(llvm, sizeof llvm, "llvm %u.%u.%u", ma, mi, pa);
  assert_non_null(strstr(a.label, llvm));
  /* the same host with its last feature flipped is another target */
  char *feat = host.features;
  char *last = strrchr(feat, ',');
  last = last ? last + 1 : feat;
  *last = *last == '+' ? '-' : '+';
  assert_int_equal(vy_jit_cache_base_cpu(&host, "llvm-cpu", "0.1.0", &b, &err), VY_OK);
  uint8_t fp[32] = {9};
  vy_ckey ka, kb2;
  vy_ckey_builder kb;
  vy_ckey_begin(&kb, &a, fp, 2);
  assert_int_equal(vy_ckey_finish(&kb, &ka, NULL), VY_OK);
  vy_ckey_begin(&kb, &b, fp, 2);
  assert_int_equal(vy_ckey_finish(&kb, &kb2, NULL), VY_OK);
  assert_memory_not_equal(ka.b, kb2.b, 32);
  assert_int_equal(vy_jit_cache_base_cpu(NULL, "llvm-cpu", "0.1.0", &a, &err), VY_E_INVALID_ARGUMENT);
  vy_jit_host_free(&host);
}

static void mem_hit_and_miss(void **state) {
  (void)state;
  vct_backend be = {.code_bytes = 100};
  vy_kcache *c = vct_mem_cache(NULL, 0, 0);
  vy_kcache_entry *a1, *a2, *b1;
  assert_int_equal(vct_get(c, &be, 1, NULL, &a1, NULL), VY_OK);
  assert_int_equal(vct_get(c, &be, 1, NULL, &a2, NULL), VY_OK);
  assert_ptr_equal(vy_kcache_entry_kernel(a1), vy_kcache_entry_kernel(a2));
  assert_int_equal(vct_get(c, &be, 2, NULL, &b1, NULL), VY_OK);
  assert_int_equal(be.compiles[1], 1);
  assert_int_equal(be.compiles[2], 1);
  vy_cache_stats s = vct_kstats(c);
  assert_int_equal(s.mem_hits, 1);
  assert_int_equal(s.mem_misses, 2);
  assert_int_equal(s.compiles, 2);
  assert_int_equal(s.mem_entries, 2);
  assert_int_equal(s.mem_code_bytes, 200);
  vy_kcache_release(c, a1);
  vy_kcache_release(c, a2);
  vy_kcache_release(c, b1);
  vy_kcache_release(c, NULL);
  assert_int_equal(be.destroys, 0); /* released kernels stay cached */
  vy_kcache_stats_reset(c);
  s = vct_kstats(c);
  assert_int_equal(s.mem_hits + s.mem_misses + s.compiles, 0);
  assert_int_equal(s.mem_entries, 2); /* gauges are not reset */
  vy_kcache_destroy(c);
  assert_int_equal(be.destroys, 2);
  vy_error err;
  vy_kcache_entry *e;
  vy_kcache_builder nob = {0};
  assert_int_equal(vy_kcache_get(NULL, NULL, NULL, &nob, &e, &err), VY_E_INVALID_ARGUMENT);
}

static void mem_domains_and_purge(void **state) {
  (void)state;
  vct_backend be = {.code_bytes = 1};
  vy_kcache *c = vct_mem_cache(NULL, 0, 0);
  int d1, d2;
  vy_kcache_entry *a, *b, *held;
  assert_int_equal(vct_get(c, &be, 3, &d1, &a, NULL), VY_OK);
  assert_int_equal(vct_get(c, &be, 3, &d2, &b, NULL), VY_OK);
  assert_ptr_not_equal(vy_kcache_entry_kernel(a), vy_kcache_entry_kernel(b));
  assert_int_equal(be.compiles[3], 2);
  assert_int_equal(vct_get(c, &be, 4, &d1, &held, NULL), VY_OK);
  vy_kcache_release(c, a);
  vy_kcache_release(c, b);
  assert_int_equal(vy_kcache_purge(c, &d1, false), 1); /* key 4 of d1 is still held */
  assert_int_equal(be.destroyed[3], 1);                /* d1's key 3 went, d2's stays */
  assert_int_equal(be.destroyed[4], 0);
  vy_kcache_release(c, held);
  assert_int_equal(be.destroyed[4], 1);
  vy_kcache_entry *again;
  assert_int_equal(vct_get(c, &be, 3, &d2, &again, NULL), VY_OK); /* d2's survived the purge */
  assert_int_equal(be.compiles[3], 2);
  vy_kcache_release(c, again);
  assert_int_equal(vy_kcache_purge(c, NULL, true), 0);
  assert_int_equal(be.destroys, 3);
  assert_int_equal(vct_kstats(c).mem_entries, 0);
  vy_kcache_destroy(c);
}

/* Gets and releases key `id`. */
static void touch(vy_kcache *c, vct_backend *be, unsigned id) {
  vy_kcache_entry *e;
  assert_int_equal(vct_get(c, be, id, NULL, &e, NULL), VY_OK);
  vy_kcache_release(c, e);
}

static void mem_lru_by_entries(void **state) {
  (void)state;
  vct_backend be = {.code_bytes = 10};
  vy_kcache *c = vct_mem_cache(NULL, 3, 0);
  touch(c, &be, 0);
  touch(c, &be, 1);
  touch(c, &be, 2);
  touch(c, &be, 0); /* recency now 0, 2, 1 */
  touch(c, &be, 3); /* evicts 1 */
  assert_int_equal(be.destroyed[1], 1);
  touch(c, &be, 4); /* evicts 2 */
  assert_int_equal(be.destroyed[2], 1);
  assert_int_equal(be.destroyed[0] + be.destroyed[3] + be.destroyed[4], 0);
  vy_cache_stats s = vct_kstats(c);
  assert_int_equal(s.mem_evictions, 2);
  assert_int_equal(s.mem_entries, 3);
  touch(c, &be, 1); /* gone: built again, evicting 0 (recency 4, 3, 0) */
  assert_int_equal(be.compiles[1], 2);
  assert_int_equal(be.compiles[0], 1);
  assert_int_equal(be.destroyed[0], 1);
  /* shrinking the limit evicts at once, least recent first: 3 then 4 */
  vy_cache_settings lim = vct_settings(NULL);
  lim.mem_max_entries = 1;
  vy_kcache_set_limits(c, &lim);
  assert_int_equal(vct_kstats(c).mem_entries, 1);
  assert_int_equal(be.destroyed[3] + be.destroyed[4], 2);
  assert_int_equal(be.destroyed[1], 1); /* only its first incarnation */
  vy_kcache_destroy(c);
}

static void mem_lru_by_bytes(void **state) {
  (void)state;
  vct_backend be = {.code_bytes = 100};
  vy_kcache *c = vct_mem_cache(NULL, 1000, 250);
  touch(c, &be, 0);
  touch(c, &be, 1);
  assert_int_equal(be.destroys, 0);
  touch(c, &be, 2); /* 300 bytes > 250: the least recent (0) goes */
  assert_int_equal(be.destroyed[0], 1);
  assert_int_equal(vct_kstats(c).mem_code_bytes, 200);
  be.code_bytes = 1000; /* a kernel larger than the whole budget is handed out but not kept */
  vy_kcache_entry *big;
  assert_int_equal(vct_get(c, &be, 5, NULL, &big, NULL), VY_OK);
  assert_int_equal(be.destroyed[1] + be.destroyed[2], 2);
  assert_int_equal(be.destroyed[5], 0); /* still in use */
  assert_int_equal(vct_kstats(c).mem_retired, 1);
  vy_kcache_release(c, big);
  assert_int_equal(be.destroyed[5], 1);
  assert_int_equal(vct_kstats(c).mem_retired, 0);
  vy_kcache_destroy(c);
}

static void mem_refcount_outlives_eviction(void **state) {
  (void)state;
  vct_backend be = {.code_bytes = 1};
  vy_kcache *c = vct_mem_cache(NULL, 1, 0);
  vy_kcache_entry *a, *a2, *b;
  assert_int_equal(vct_get(c, &be, 0, NULL, &a, NULL), VY_OK);
  assert_int_equal(vct_get(c, &be, 1, NULL, &b, NULL), VY_OK); /* evicts 0, which is in use */
  assert_int_equal(be.destroyed[0], 0);
  assert_int_equal(((vct_kernel *)vy_kcache_entry_kernel(a))->magic, VCT_FAKE_MAGIC);
  vy_cache_stats s = vct_kstats(c);
  assert_int_equal(s.mem_retired, 1);
  assert_int_equal(s.mem_entries, 1);
  vy_kcache_release(c, b);
  /* asking for 0 again revives the loaded kernel (no second load), evicting 1 */
  assert_int_equal(vct_get(c, &be, 0, NULL, &a2, NULL), VY_OK);
  assert_ptr_equal(vy_kcache_entry_kernel(a2), vy_kcache_entry_kernel(a));
  assert_int_equal(be.compiles[0], 1);
  assert_int_equal(be.destroyed[1], 1);
  assert_int_equal(vct_kstats(c).mem_retired, 0);
  vy_kcache_release(c, a);
  vy_kcache_release(c, a2);
  assert_int_equal(be.destroyed[0], 0); /* cached, unreferenced */
  /* evicted while held, then released: destroyed at the release */
  assert_int_equal(vct_get(c, &be, 0, NULL, &a, NULL), VY_OK);
  touch(c, &be, 2);
  assert_int_equal(be.destroyed[0], 0);
  vy_kcache_release(c, a);
  assert_int_equal(be.destroyed[0], 1);
  vy_kcache_destroy(c);
  assert_int_equal(be.destroys, be.loads);
}

static void mem_failure_is_reported_not_cached(void **state) {
  (void)state;
  vct_backend be = {.code_bytes = 1, .fail = VY_E_COMPILE_FAILED};
  vy_kcache *c = vct_mem_cache(NULL, 0, 0);
  vy_kcache_entry *e;
  vy_error err;
  assert_int_equal(vct_get(c, &be, 7, NULL, &e, &err), VY_E_COMPILE_FAILED);
  assert_non_null(strstr(err.message, "fake compile of key 7 failed"));
  assert_int_equal(vct_kstats(c).mem_build_failures, 1);
  be.fail = VY_OK;
  assert_int_equal(vct_get(c, &be, 7, NULL, &e, &err), VY_OK);
  assert_int_equal(be.compiles[7], 2);
  vy_kcache_release(c, e);
  vy_kcache_destroy(c);
}

/* ---- threads ---- */

typedef struct thr {
  vy_kcache *c;
  vct_backend *be;
  unsigned seed, nkeys;
  int iters;
  vy_status expect; /* status every request must give */
  char msg[128];    /* FAILED builds: a part of the message each must see */
  int wrong;        /* requests that went wrong */
} thr;

static void *thr_main(void *p) {
  thr *t = p;
  for (int i = 0; i < t->iters; i++) {
    t->seed = t->seed * 1103515245u + 12345u;
    unsigned id = (t->seed >> 16) % t->nkeys;
    vy_kcache_entry *e = NULL;
    vy_error err;
    vct_req r = {t->be, id, vct_key(id)};
    vy_kcache_builder b = {.compile = vct_compile, .load = vct_load, .ud = &r};
    vy_status st = vy_kcache_get(t->c, &r.key, NULL, &b, &e, &err);
    if (st != t->expect) t->wrong++;
    if (st == VY_OK) {
      const vct_kernel *k = vy_kcache_entry_kernel(e);
      if (k->magic != VCT_FAKE_MAGIC || k->id != id) t->wrong++;
      if ((i & 7) == 0) sched_yield(); /* hold it a little while others evict */
      if (k->magic != VCT_FAKE_MAGIC) t->wrong++;
      vy_kcache_release(t->c, e);
    } else if (!strstr(err.message, t->msg)) {
      t->wrong++;
    }
  }
  return NULL;
}

static void run_threads(thr *proto, int n) {
  pthread_t tid[16];
  thr t[16];
  assert_true(n <= 16);
  for (int i = 0; i < n; i++) {
    t[i] = *proto;
    t[i].seed = proto->seed + (unsigned)i * 7919u;
    assert_int_equal(pthread_create(&tid[i], NULL, thr_main, &t[i]), 0);
  }
  for (int i = 0; i < n; i++) {
    pthread_join(tid[i], NULL);
    assert_int_equal(t[i].wrong, 0);
  }
}

static void mem_threads_build_once(void **state) {
  (void)state;
  vct_backend be = {.code_bytes = 1, .delay_us = 2000};
  vy_kcache *c = vct_mem_cache(NULL, 0, 0);
  thr proto = {.c = c, .be = &be, .seed = 1, .nkeys = 16, .iters = 200, .expect = VY_OK};
  run_threads(&proto, 8);
  for (unsigned id = 0; id < 16; id++) assert_int_equal(be.compiles[id], 1);
  vy_cache_stats s = vct_kstats(c);
  assert_int_equal(s.mem_misses, 16);
  assert_int_equal(s.mem_hits + s.mem_waits + s.mem_misses, 8 * 200);
  assert_true(s.mem_waits > 0); /* 2 ms compiles: other threads asked meanwhile */
  vy_kcache_destroy(c);
  assert_int_equal(be.destroys, 16);
}

static void mem_threads_share_a_failure(void **state) {
  (void)state;
  vct_backend be = {.code_bytes = 1, .delay_us = 50000, .fail = VY_E_COMPILE_FAILED};
  vy_kcache *c = vct_mem_cache(NULL, 0, 0);
  thr proto = {.c = c, .be = &be, .seed = 3, .nkeys = 1, .iters = 1, .expect = VY_E_COMPILE_FAILED};
  snprintf(proto.msg, sizeof proto.msg, "fake compile of key 0 failed");
  run_threads(&proto, 6);
  /* all six asked within the 50 ms compile: one compile, five waiters got its error */
  assert_int_equal(be.compiles[0], 1);
  vy_cache_stats s = vct_kstats(c);
  assert_int_equal(s.mem_waits, 5);
  assert_int_equal(s.mem_build_failures, 1);
  vy_kcache_destroy(c);
}

/* Small limits under 8 threads: constant eviction, revival of retired
 * kernels, and (destroy taking 200 us, as a JIT unmapping code) requests
 * for a key whose old kernel is still being destroyed: never two live
 * copies of one key. */
static void mem_threads_with_eviction(void **state) {
  (void)state;
  vct_backend be = {.code_bytes = 10, .destroy_delay_us = 200, .single_copy = true};
  vy_kcache *c = vct_mem_cache(NULL, 4, 60);
  thr proto = {.c = c, .be = &be, .seed = 11, .nkeys = 24, .iters = 1500, .expect = VY_OK};
  run_threads(&proto, 8);
  vy_cache_stats s = vct_kstats(c);
  assert_true(s.mem_evictions > 0);
  assert_true(s.mem_entries <= 4);
  assert_int_equal(s.mem_retired, 0);
  assert_int_equal(be.destroys + (int)s.mem_entries, be.loads);
  vy_kcache_destroy(c);
  assert_int_equal(be.destroys, be.loads);
  assert_int_equal(be.bad_artifacts, 0);
}

/* ---- allocation failures on every memory-cache path ---- */

typedef struct fault_ctx {
  char dir[64];
  vct_backend *be;
} fault_ctx;

/* Creation, a disk hit (key 0, stored beforehand), a memory hit, a miss
 * that compiles and stores (key 1) and evicts the held key 0 (retire), its
 * revival, a failed build, releases and destruction. */
static vy_status fault_mem_paths(const vy_allocator *alloc, void *ctx) {
  fault_ctx *fc = ctx;
  vct_backend *be = fc->be;
  be->alloc = alloc;
  char path[256];
  vy_ckey k1 = vct_key(1);
  vct_entry_path(path, sizeof path, fc->dir, &k1, "fk");
  unlink(path); /* same path every run: key 1 is compiled, not loaded */
  vy_cache_settings s = vct_settings(fc->dir);
  s.mem_max_entries = 1;
  vy_dcache *d = NULL;
  vy_kcache *c = NULL;
  vy_kcache_entry *e0 = NULL, *e0b = NULL, *e1 = NULL, *e0c = NULL, *bad = NULL;
  vy_error err;
  vy_status st = vy_dcache_create(alloc, &s, &d, &err);
  if (!st) st = vy_kcache_create(alloc, &s, d, &c, &err);
  if (!st) st = vct_get(c, be, 0, NULL, &e0, &err);
  if (!st) st = vct_get(c, be, 0, NULL, &e0b, &err);
  if (!st) st = vct_get(c, be, 1, NULL, &e1, &err);
  if (!st) st = vct_get(c, be, 0, NULL, &e0c, &err);
  if (!st) {
    be->fail = VY_E_COMPILE_FAILED;
    vy_status f = vct_get(c, be, 2, NULL, &bad, &err);
    be->fail = VY_OK;
    if (f != VY_E_COMPILE_FAILED && f != VY_E_NOMEM) st = VY_E_INTERNAL;
    if (f == VY_E_NOMEM) st = f;
  }
  vy_kcache_release(c, e0);
  vy_kcache_release(c, e0b);
  vy_kcache_release(c, e1);
  vy_kcache_release(c, e0c);
  vy_kcache_destroy(c);
  vy_dcache_destroy(d);
  be->alloc = NULL;
  return st;
}

static void mem_fault_injection(void **state) {
  (void)state;
  fault_ctx fc;
  vct_backend be = {.code_bytes = 1};
  fc.be = &be;
  vct_tmpdir(fc.dir);
  vy_cache_settings s = vct_settings(fc.dir);
  vy_dcache *d;
  assert_int_equal(vy_dcache_create(NULL, &s, &d, NULL), VY_OK);
  uint8_t buf[4096];
  vy_ckey k0 = vct_key(0);
  size_t n = vct_payload(&k0, buf, sizeof buf);
  assert_int_equal(vy_dcache_store(d, &k0, "fk", "fake", buf, n, NULL), VY_OK);
  vy_dcache_destroy(d);
  unsigned failures = vy_fault_run_all(fault_mem_paths, &fc);
  assert_true(failures >= 8);
  assert_int_equal(be.destroys, be.loads);
  vct_rm_rf(fc.dir);
}

static void global_cache_api(void **state) {
  (void)state;
  char dir[64];
  vct_tmpdir(dir);
  vy_cache_settings old, s, now;
  vy_cache_settings_get(&old);
  s = old;
  snprintf(s.disk_dir, sizeof s.disk_dir, "%s", dir);
  s.disk_enabled = true;
  s.mem_max_entries = 0; /* defaults */
  vy_error err;
  assert_int_equal(vy_cache_configure(&s, &err), VY_OK);
  vy_cache_settings_get(&now);
  assert_string_equal(now.disk_dir, dir);
  assert_int_equal(now.mem_max_entries, VY_CACHE_DEFAULT_MEM_ENTRIES);
  vy_cache_stats_reset();
  vct_backend be = {.code_bytes = 64};
  vy_kcache *c = vy_kcache_global();
  assert_non_null(c);
  assert_ptr_equal(vy_kcache_global(), c);
  vy_kcache_entry *e;
  assert_int_equal(vct_get(c, &be, 30, NULL, &e, NULL), VY_OK);
  vy_kcache_release(c, e);
  vy_cache_stats st;
  vy_cache_stats_get(&st);
  assert_int_equal(st.mem_misses, 1);
  assert_int_equal(st.compiles, 1);
  assert_int_equal(st.disk_writes, 1);
  assert_int_equal(st.mem_code_bytes, 64);
  assert_int_equal(vy_cache_mem_clear(), 0);
  assert_int_equal(be.destroys, 1);
  assert_int_equal(vct_get(c, &be, 30, NULL, &e, NULL), VY_OK); /* from disk now */
  vy_kcache_release(c, e);
  vy_cache_stats_get(&st);
  assert_int_equal(st.disk_hits, 1);
  assert_int_equal(st.compiles, 1);
  vy_cache_usage u;
  assert_int_equal(vy_cache_disk_usage(NULL, &u, NULL), VY_OK);
  assert_int_equal(u.files, 1);
  vy_cache_mem_clear();
  assert_int_equal(be.destroys, 2);
  assert_int_equal(vy_cache_configure(NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_cache_configure(&old, &err), VY_OK);
  vct_rm_rf(dir);
}

/* ==================================================================== */
/* Real kernels: LLVM objects through the cache into ORC                 */

typedef void (*kernel_fn)(float *a, const float *b, int64_t n);

static LLVMAttributeRef enum_attr(LLVMContextRef c, const char *name) {
  return LLVMCreateEnumAttribute(c, LLVMGetEnumAttributeKindForName(name, strlen(name)), 0);
}

/* void <name>(float *noalias a, float *noalias b, i64 n) {
 *   for (i64 i = 0; i < n; i++) a[i] = a[i] * mul + b[i]; }               */
static LLVMModuleRef build_kernel(LLVMContextRef c, const char *name, float mul) {
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext(name, c);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(c, 0), f32 = LLVMFloatTypeInContext(c), i64 = LLVMInt64TypeInContext(c);
  LLVMTypeRef params[] = {ptr, ptr, i64};
  LLVMValueRef f = LLVMAddFunction(m, name, LLVMFunctionType(LLVMVoidTypeInContext(c), params, 3, 0));
  LLVMAddAttributeAtIndex(f, 1, enum_attr(c, "noalias"));
  LLVMAddAttributeAtIndex(f, 2, enum_attr(c, "noalias"));
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, enum_attr(c, "nounwind"));
  LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(c, f, "entry"),
                    loop = LLVMAppendBasicBlockInContext(c, f, "loop"),
                    done = LLVMAppendBasicBlockInContext(c, f, "done");
  LLVMValueRef n = LLVMGetParam(f, 2), zero = LLVMConstInt(i64, 0, 0);
  LLVMPositionBuilderAtEnd(b, entry);
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSGT, n, zero, "any"), loop, done);
  LLVMPositionBuilderAtEnd(b, loop);
  LLVMValueRef i = LLVMBuildPhi(b, i64, "i");
  LLVMValueRef pa = LLVMBuildInBoundsGEP2(b, f32, LLVMGetParam(f, 0), &i, 1, "pa");
  LLVMValueRef pb = LLVMBuildInBoundsGEP2(b, f32, LLVMGetParam(f, 1), &i, 1, "pb");
  LLVMValueRef prod = LLVMBuildFMul(b, LLVMBuildLoad2(b, f32, pa, "va"), LLVMConstReal(f32, mul), "prod");
  LLVMBuildStore(b, LLVMBuildFAdd(b, prod, LLVMBuildLoad2(b, f32, pb, "vb"), "sum"), pa);
  LLVMValueRef next = LLVMBuildNSWAdd(b, i, LLVMConstInt(i64, 1, 0), "next");
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, next, n, "more"), loop, done);
  LLVMValueRef inc_vals[] = {zero, next};
  LLVMBasicBlockRef inc_blocks[] = {entry, loop};
  LLVMAddIncoming(i, inc_vals, inc_blocks, 2);
  LLVMPositionBuilderAtEnd(b, done);
  LLVMBuildRetVoid(b);
  LLVMDisposeBuilder(b);
  return m;
}

/* What a CPU backend holds: the host, its JIT and its key base. */
typedef struct llvm_env {
  vy_jit_host host;
  vy_orc *jit;
  vy_ckey_base base;
} llvm_env;

static vy_status env_open(llvm_env *e) {
  memset(e, 0, sizeof *e);
  vy_status st = vy_jit_host_detect(NULL, &e->host, NULL);
  if (!st) st = vy_orc_create(NULL, &e->host, VY_JIT_O2, &e->jit, NULL);
  if (!st) st = vy_jit_cache_base_cpu(&e->host, "llvm-cpu", VY_VERSION_STRING, &e->base, NULL);
  return st;
}

static void env_close(llvm_env *e) {
  vy_orc_destroy(e->jit);
  vy_jit_host_free(&e->host);
}

/* One kernel request: the builder's ud, as a backend's compile job. */
typedef struct kreq {
  llvm_env *env;
  const vy_ckey_base *base;
  float mul;
  vy_ckey key;
  char fname[32]; /* entry symbol: from the key, so distinct kernels never clash in one JIT */
} kreq;

static void kreq_init(kreq *r, llvm_env *env, const vy_ckey_base *base, float mul) {
  r->env = env;
  r->base = base;
  r->mul = mul;
  uint8_t fp[32]; /* stands for the program fingerprint */
  vy_blake3_hash(&mul, sizeof mul, fp);
  vy_ckey_builder kb;
  vy_ckey_begin(&kb, base, fp, VY_JIT_O2);
  vy_ckey_opt_u64(&kb, "debug", 0);
  vy_ckey_finish(&kb, &r->key, NULL);
  char hex[65];
  vy_ckey_hex(&r->key, hex);
  snprintf(r->fname, sizeof r->fname, "vyk_%.24s", hex);
}

/* The cold path: module -> O2 -> object (what the disk cache keeps). */
static vy_status kreq_compile(void *ud, const vy_allocator *alloc, vy_bytes *art, vy_error *err) {
  kreq *r = ud;
  vy_orc_ctx *ctx = vy_orc_ctx_create();
  LLVMModuleRef m = build_kernel(vy_orc_ctx_llvm(ctx), r->fname, r->mul);
  LLVMTargetMachineRef tm = NULL;
  vy_status st = vy_jit_tm_host(&r->env->host, VY_JIT_O2, &tm, err);
  if (!st) st = vy_jit_module_set_target(m, tm, err);
  if (!st) st = vy_jit_optimize(m, tm, VY_JIT_O2, err);
  if (!st) st = vy_jit_emit(m, tm, VY_JIT_EMIT_OBJECT, alloc, art, err);
  LLVMDisposeModule(m);
  if (tm) LLVMDisposeTargetMachine(tm);
  vy_orc_ctx_release(ctx);
  return st;
}

static void orc_kernel_destroy(void *kernel, void *ctx) {
  (void)ctx;
  vy_orc_kernel_remove(kernel, NULL);
}

/* Fresh or from disk: into the JIT under its own resource tracker. */
static vy_status kreq_load(void *ud, const uint8_t *obj, size_t len, vy_kcache_kernel *out, vy_error *err) {
  kreq *r = ud;
  vy_orc_kernel *k = NULL;
  vy_status st = vy_orc_add_object(r->env->jit, obj, len, r->fname, &k, err);
  if (st) return st;
  *out = (vy_kcache_kernel){.kernel = k, .destroy = orc_kernel_destroy, .code_bytes = len};
  return VY_OK;
}

static vy_status kreq_get(vy_kcache *c, kreq *r, vy_kcache_entry **e, vy_error *err) {
  vy_kcache_builder b = {.ext = "o", .label = r->base->label, .compile = kreq_compile, .load = kreq_load, .ud = r};
  return vy_kcache_get(c, &r->key, r->env->jit, &b, e, err);
}

/* Runs the kernel on 1003 values and compares with the same arithmetic in
 * C (no cmocka: child processes call it). */
static bool kernel_ok(vy_kcache_entry *e, float mul) {
  enum { N = 1003 };
  static float a[N], b[N], want[N];
  for (int i = 0; i < N; i++) {
    a[i] = (float)i * 0.37f - 50.0f;
    b[i] = (float)(i % 17) * 1.25f;
    want[i] = a[i] * mul + b[i]; /* -ffp-contract=off: a rounded multiply, then a rounded add */
  }
  kernel_fn fn = (kernel_fn)vy_orc_kernel_entry(vy_kcache_entry_kernel(e));
  fn(a, b, N);
  return memcmp(a, want, sizeof a) == 0;
}

static vy_kcache *llvm_cache(vy_dcache *d) {
  vy_kcache *c = NULL;
  assert_int_equal(vy_kcache_create(NULL, NULL, d, &c, NULL), VY_OK);
  return c;
}

/* Gets the kernel through a fresh memory cache on disk `d` and runs it;
 * returns that cache's counters (the kernel is removed again). */
static vy_cache_stats get_and_run(vy_dcache *d, kreq *r) {
  vy_kcache *c = llvm_cache(d);
  vy_kcache_entry *e;
  vy_error err;
  vy_status st = kreq_get(c, r, &e, &err);
  if (st) fail_msg("%s", err.message);
  assert_true(kernel_ok(e, r->mul));
  vy_kcache_release(c, e);
  vy_cache_stats s = vct_kstats(c);
  vy_kcache_destroy(c); /* vy_orc_kernel_remove: the JIT can load the same symbols again */
  return s;
}

static void llvm_objects_through_the_cache(void **state) {
  (void)state;
  llvm_env env;
  assert_int_equal(env_open(&env), VY_OK);
  char dir[64], path[256];
  vct_tmpdir(dir);
  vy_dcache *d = vct_disk_cache(dir, 0);
  kreq r;
  kreq_init(&r, &env, &env.base, 3.0f);
  vct_entry_path(path, sizeof path, dir, &r.key, "o");

  vy_cache_stats s = get_and_run(d, &r); /* cold: compile, store, load */
  assert_int_equal(s.compiles, 1);
  assert_int_equal(vct_dstats(d).disk_writes, 1);
  size_t len;
  const uint8_t *f = vct_read_file(path, &len);
  assert_memory_equal(f + 96 + strlen(env.base.label),
                      "\x7f"
                      "ELF",
                      4); /* the payload is the object file */

  vy_dcache_stats_reset(d);
  s = get_and_run(d, &r); /* warm: from disk, no compile */
  assert_int_equal(s.compiles, 0);
  assert_int_equal(vct_dstats(d).disk_hits, 1);

  uint8_t *obj = vct_read_file(path, &len); /* a flipped byte in the object: a miss, compiled again */
  obj[len / 2] ^= 0x10;
  vct_write_file(path, obj, len);
  vy_dcache_stats_reset(d);
  s = get_and_run(d, &r);
  assert_int_equal(s.compiles, 1);
  assert_int_equal(vct_dstats(d).disk_corrupt, 1);

  uint8_t junk[512]; /* a well-formed file whose object ORC refuses: rejected, compiled again */
  for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)(i * 29 + 3);
  assert_int_equal(vy_dcache_store(d, &r.key, "o", "junk", junk, sizeof junk, NULL), VY_OK);
  vy_dcache_stats_reset(d);
  s = get_and_run(d, &r);
  assert_int_equal(s.compiles, 1);
  assert_int_equal(vct_dstats(d).disk_rejected, 1);
  vy_dcache_stats_reset(d);
  s = get_and_run(d, &r); /* and stored again */
  assert_int_equal(s.compiles, 0);

  /* another LLVM version: another key, never the old object */
  unsigned ma, mi, pa;
  vy_jit_llvm_version(&ma, &mi, &pa);
  vy_ckey_target t = {.backend_id = "llvm-cpu",
                      .backend_version = VY_VERSION_STRING,
                      .llvm_version = "18.1.8",
                      .triple = env.host.triple,
                      .cpu = env.host.cpu,
                      .features = env.host.features,
                      .code_identity = vy_jit_cache_code_identity()[0] ? vy_jit_cache_code_identity() : NULL};
  vy_ckey_base other;
  assert_int_equal(vy_ckey_base_init(&other, &t, NULL), VY_OK);
  kreq r2;
  kreq_init(&r2, &env, &other, 3.0f);
  assert_memory_not_equal(r2.key.b, r.key.b, 32);
  vy_dcache_stats_reset(d);
  s = get_and_run(d, &r2);
  assert_int_equal(s.compiles, 1);
  assert_int_equal(vct_dstats(d).disk_misses, 1);
  vy_cache_usage u;
  assert_int_equal(vy_cache_disk_usage(dir, &u, NULL), VY_OK);
  assert_int_equal(u.files, 2);
  vy_dcache_destroy(d);
  env_close(&env);
  vct_rm_rf(dir);
}

/* The child side of the second-process test. */
static int child_llvm(const char *dir) {
  llvm_env env;
  if (env_open(&env)) return 20;
  vy_cache_settings s = vct_settings(dir);
  vy_dcache *d = NULL;
  vy_kcache *c = NULL;
  if (vy_dcache_create(NULL, &s, &d, NULL) || vy_kcache_create(NULL, &s, d, &c, NULL)) return 21;
  kreq r;
  kreq_init(&r, &env, &env.base, 5.0f);
  vy_kcache_entry *e = NULL;
  vy_error err;
  bool ok = kreq_get(c, &r, &e, &err) == VY_OK && kernel_ok(e, 5.0f);
  vy_kcache_release(c, e);
  vy_cache_stats st = {0};
  vy_kcache_stats(c, &st);
  vy_dcache_stats(d, &st);
  printf("compiles=%llu disk_hits=%llu disk_writes=%llu ok=%d\n", (unsigned long long)st.compiles,
         (unsigned long long)st.disk_hits, (unsigned long long)st.disk_writes, ok);
  vy_kcache_destroy(c);
  vy_dcache_destroy(d);
  env_close(&env);
  return ok ? 0 : 22;
}

/* Runs this binary again as `--child-llvm dir` and parses its counters. */
static void run_child(const char *dir, int *compiles, int *hits, int *writes) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  fflush(stdout);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    execl("/proc/self/exe", "test_jit_cache", "--child-llvm", dir, (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  char out[512] = {0};
  size_t n = 0;
  ssize_t got;
  while (n < sizeof out - 1 && (got = read(fds[0], out + n, sizeof out - 1 - n)) > 0) n += (size_t)got;
  close(fds[0]);
  int status, ok = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(sscanf(out, "compiles=%d disk_hits=%d disk_writes=%d ok=%d", compiles, hits, writes, &ok), 4);
  assert_int_equal(ok, 1);
}

static void second_process_hits_the_disk(void **state) {
  (void)state;
  char dir[64];
  vct_tmpdir(dir);
  int compiles, hits, writes;
  run_child(dir, &compiles, &hits, &writes);
  assert_int_equal(compiles, 1);
  assert_int_equal(hits, 0);
  assert_int_equal(writes, 1);
  run_child(dir, &compiles, &hits, &writes);
  assert_int_equal(compiles, 0);
  assert_int_equal(hits, 1);
  assert_int_equal(writes, 0);
  vct_rm_rf(dir);
}

/* Medians for one small kernel: cold compile (module -> O2 -> object ->
 * loaded, ready), disk hit (read + verify + vy_orc_add_object + lookup,
 * ready), memory hit (lookup by key and release), key construction.
 * Reported, not asserted (DESIGN.md §10). */
static void timings(void **state) {
  (void)state;
  llvm_env env;
  assert_int_equal(env_open(&env), VY_OK);
  char dir[64];
  vct_tmpdir(dir);
  vy_dcache *d = vct_disk_cache(dir, 0);
  vy_kcache *cold = llvm_cache(NULL), *c = llvm_cache(d);
  enum { NCOLD = 9, NDISK = 41, NBATCH = 41, BATCH = 1000 };
  double t_cold[NCOLD], t_disk[NDISK], t_read[NDISK], t_mem[NBATCH], t_key[NBATCH];
  vy_kcache_entry *e;
  for (int i = 0; i < NCOLD; i++) {
    kreq r;
    kreq_init(&r, &env, &env.base, 1.5f + (float)i);
    double t0 = now_us();
    assert_int_equal(kreq_get(cold, &r, &e, NULL), VY_OK);
    t_cold[i] = now_us() - t0;
    assert_true(kernel_ok(e, r.mul));
    vy_kcache_release(cold, e);
    vy_kcache_purge(cold, NULL, true);
  }
  kreq r;
  kreq_init(&r, &env, &env.base, 0.5f);
  assert_int_equal(kreq_get(c, &r, &e, NULL), VY_OK); /* stores the object */
  vy_kcache_release(c, e);
  for (int i = 0; i < NDISK; i++) {
    vy_kcache_purge(c, NULL, true); /* kernel removed from the JIT: the next get loads from disk */
    double t0 = now_us();
    assert_int_equal(kreq_get(c, &r, &e, NULL), VY_OK);
    t_disk[i] = now_us() - t0;
    if (i == 0) assert_true(kernel_ok(e, r.mul));
    vy_kcache_release(c, e);
    vy_bytes obj = {0};
    vy_dcache_result res;
    t0 = now_us();
    assert_int_equal(vy_dcache_load(d, &r.key, "o", &obj, &res, NULL), VY_OK);
    t_read[i] = now_us() - t0;
    assert_int_equal(res, VY_DCACHE_HIT);
    vy_bytes_free(&obj);
  }
  assert_int_equal(vct_kstats(c).compiles, 1);
  for (int i = 0; i < NBATCH; i++) {
    double t0 = now_us();
    for (int j = 0; j < BATCH; j++) {
      kreq_get(c, &r, &e, NULL);
      vy_kcache_release(c, e);
    }
    t_mem[i] = (now_us() - t0) / BATCH;
    uint8_t fp[32] = {(uint8_t)i};
    vy_ckey k;
    t0 = now_us();
    for (int j = 0; j < BATCH; j++) {
      vy_ckey_builder kb;
      vy_ckey_begin(&kb, &env.base, fp, 2);
      vy_ckey_opt_u64(&kb, "vector_width", 8);
      vy_ckey_opt_u64(&kb, "ulp_budget", 4);
      vy_ckey_opt_u64(&kb, "fast_paths", 1);
      vy_ckey_spec_u64(&kb, "wg_x", 64);
      vy_ckey_finish(&kb, &k, NULL);
      fp[1] ^= k.b[0];
    }
    t_key[i] = (now_us() - t0) / BATCH;
  }
  double mc = median(t_cold, NCOLD), md = median(t_disk, NDISK), mr = median(t_read, NDISK);
  double mm = median(t_mem, NBATCH), mk = median(t_key, NBATCH);
  printf("[ INFO     ] kernel cache, one small vectorized kernel (%s, %s):\n", env.host.triple, env.host.cpu);
  printf("[ INFO     ]   cold compile (module -> O2 -> object -> loaded)  %8.3f ms\n", mc / 1e3);
  printf(
      "[ INFO     ]   disk hit (read + verify + add_object + lookup)   %8.3f ms (%.0fx faster; read+verify %.3f ms)\n",
      md / 1e3, mc / md, mr / 1e3);
  printf("[ INFO     ]   memory hit (get + release by key)                %8.3f us\n", mm);
  printf("[ INFO     ]   key construction (4 options, 1 spec value)       %8.3f us\n", mk);
  vy_kcache_destroy(c);
  vy_kcache_destroy(cold);
  vy_dcache_destroy(d);
  env_close(&env);
  vct_rm_rf(dir);
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--child-llvm") == 0) return child_llvm(argv[2]);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(key_matches_documented_record),
      cmocka_unit_test(key_changes_with_every_ingredient),
      cmocka_unit_test(key_errors),
      cmocka_unit_test(program_without_fingerprint_has_no_key),
      cmocka_unit_test(code_identity_is_the_build_id),
      cmocka_unit_test(cpu_base_uses_the_host),
      cmocka_unit_test(mem_hit_and_miss),
      cmocka_unit_test(mem_domains_and_purge),
      cmocka_unit_test(mem_lru_by_entries),
      cmocka_unit_test(mem_lru_by_bytes),
      cmocka_unit_test(mem_refcount_outlives_eviction),
      cmocka_unit_test(mem_failure_is_reported_not_cached),
      cmocka_unit_test(mem_threads_build_once),
      cmocka_unit_test(mem_threads_share_a_failure),
      cmocka_unit_test(mem_threads_with_eviction),
      cmocka_unit_test(mem_fault_injection),
      cmocka_unit_test(global_cache_api),
      cmocka_unit_test(llvm_objects_through_the_cache),
      cmocka_unit_test(second_process_hits_the_disk),
      cmocka_unit_test(timings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
