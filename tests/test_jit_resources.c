/* test_jit_resources.c - nothing leaks over long runs (issue 10 §5): a
 * million dispatches through one compiled llvm-cpu kernel, and a thousand
 * compile / evict cycles of distinct programs with a small memory cache
 * (every kernel's code is unmapped again). The resident set size is read
 * from /proc/self/statm after a warm-up and at the end and printed; the
 * growth must stay under a bound far below what one leaked allocation per
 * dispatch (>= 16 MB for a million) or per kernel (>= 4 MB for a thousand
 * mappings of code) would give. The counts can be raised with
 * VY_RESOURCE_DISPATCHES / VY_RESOURCE_COMPILES for a longer run. */
#define _GNU_SOURCE /* sysconf */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vyre/cache.h"
#include "vyre/jit.h"
#include "vyre/vyre.h"

/* Under AddressSanitizer freed memory sits in a quarantine of up to
 * 256 MiB and RSS grows by design: the runs still happen (LeakSanitizer
 * checks them), but the RSS bounds are only asserted without ASan. */
#if defined(__SANITIZE_ADDRESS__)
#define VY_RSS_CHECKED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VY_RSS_CHECKED 0
#endif
#endif
#ifndef VY_RSS_CHECKED
#define VY_RSS_CHECKED 1
#endif

static uint64_t rss_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (f) {
    if (fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
    fclose(f);
  }
  return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static uint64_t env_count(const char *name, uint64_t dflt) {
  const char *v = getenv(name);
  return v && *v ? strtoull(v, NULL, 10) : dflt;
}

/* out[0] = a[0] + k: one invocation. */
static vy_program *tiny(uint32_t k) {
  vy_builder *b;
  if (vy_builder_create(NULL, &b) != VY_OK) return NULL;
  vy_b_count(b, vy_b_read(b, "a", 0, VY_TYPE_U32), 1);
  vy_b_count(b, vy_b_output(b, "out", 1, VY_TYPE_U32), 1);
  vy_b_workgroup_size(b, 1, 1, 1);
  vy_b_store(b, "out", vy_b_u32(b, 0), vy_b_bin(b, VY_BINOP_ADD, vy_b_load(b, "a", vy_b_u32(b, 0)), vy_b_u32(b, k)));
  vy_program *p = NULL;
  vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL);
  vy_builder_destroy(b);
  return p;
}

static vy_context *g_ctx;
static vy_backend *g_cpu;

static int setup(void **state) {
  (void)state;
  vy_context_options o;
  vy_context_options_init(&o);
  o.threads = 2;
  if (vy_context_create(&o, &g_ctx, NULL) != VY_OK || vy_jit_register_backends(g_ctx) != VY_OK) return -1;
  return vy_backend_open(g_ctx, "llvm-cpu", &g_cpu, NULL) == VY_OK ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  vy_backend_close(g_cpu);
  vy_context_destroy(g_ctx);
  return 0;
}

static void million_dispatches(void **state) {
  (void)state;
  uint64_t n = env_count("VY_RESOURCE_DISPATCHES", 1000000);
  vy_program *p = tiny(7);
  vy_kernel *k = NULL;
  vy_error e;
  assert_int_equal(vy_compile(g_cpu, p, NULL, &k, &e), VY_OK);
  uint64_t before = 0;
  for (uint64_t i = 0; i < n; i++) {
    uint32_t a = (uint32_t)i;
    vy_input in = {&a, 4};
    vy_outputs o;
    if (vy_kernel_dispatch(k, &in, 1, NULL, &o, &e) != VY_OK) fail_msg("dispatch %llu: %s", (unsigned long long)i, e.message);
    uint32_t got;
    memcpy(&got, o.items[0].data, 4);
    if (got != (uint32_t)i + 7) fail_msg("dispatch %llu: got %u", (unsigned long long)i, got);
    vy_outputs_free(&o);
    if (i == 10000) before = rss_bytes();
  }
  uint64_t after = rss_bytes();
  long long growth = (long long)after - (long long)before;
  printf("%llu dispatches: RSS %.1f MiB after 10,000, %.1f MiB at the end (growth %lld KiB)\n", (unsigned long long)n,
         before / 1048576.0, after / 1048576.0, growth / 1024);
  if (VY_RSS_CHECKED) assert_true(growth < 4ll << 20);
  vy_kernel_destroy(k);
  vy_program_destroy(p);
}

static void compile_evict_cycles(void **state) {
  (void)state;
  uint64_t n = env_count("VY_RESOURCE_COMPILES", 1000);
  vy_cache_settings saved, s;
  vy_cache_settings_get(&saved);
  s = saved;
  s.disk_enabled = false; /* every cycle compiles */
  s.mem_max_entries = 8;  /* and the cache evicts (unmaps) all but the last 8 */
  assert_int_equal(vy_cache_configure(&s, NULL), VY_OK);
  vy_cache_stats st0, st1;
  vy_cache_stats_get(&st0);
  uint64_t before = 0;
  for (uint64_t i = 0; i < n; i++) {
    vy_program *p = tiny((uint32_t)i * 2654435761u); /* distinct literal: distinct fingerprint */
    vy_kernel *k = NULL;
    vy_error e;
    if (vy_compile(g_cpu, p, NULL, &k, &e) != VY_OK) fail_msg("compile %llu: %s", (unsigned long long)i, e.message);
    uint32_t a = 1;
    vy_input in = {&a, 4};
    vy_outputs o;
    if (vy_kernel_dispatch(k, &in, 1, NULL, &o, &e) != VY_OK) fail_msg("dispatch %llu: %s", (unsigned long long)i, e.message);
    uint32_t got;
    memcpy(&got, o.items[0].data, 4);
    if (got != 1u + (uint32_t)i * 2654435761u) fail_msg("program %llu: got %u", (unsigned long long)i, got);
    vy_outputs_free(&o);
    vy_kernel_destroy(k);
    vy_program_destroy(p);
    if (i == 50) before = rss_bytes();
  }
  uint64_t after = rss_bytes();
  vy_cache_stats_get(&st1);
  long long growth = (long long)after - (long long)before;
  printf("%llu compile/evict cycles: %llu compiles, %llu evictions, %llu kernels loaded at the end; RSS %.1f MiB "
         "after 50, %.1f MiB at the end (growth %lld KiB)\n",
         (unsigned long long)n, (unsigned long long)(st1.compiles - st0.compiles),
         (unsigned long long)(st1.mem_evictions - st0.mem_evictions), (unsigned long long)st1.mem_entries,
         before / 1048576.0, after / 1048576.0, growth / 1024);
  assert_true(st1.compiles - st0.compiles >= n);
  assert_true(st1.mem_evictions - st0.mem_evictions >= n - 8);
  assert_true(st1.mem_entries <= 8);
  if (VY_RSS_CHECKED) assert_true(growth < 16ll << 20);
  assert_int_equal(vy_cache_configure(&saved, NULL), VY_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(million_dispatches),
      cmocka_unit_test(compile_evict_cycles),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
