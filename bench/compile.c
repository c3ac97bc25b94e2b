/* compile.c - compile times of one program on one backend: cold (disk
 * cache off and the memory cache emptied before every compile), a
 * memory-cache hit and a disk-cache hit. The hits are measured only for
 * backends that go through the kernel cache (include/vyre/cache.h), which
 * the cache's counters tell; the disk hits use a private directory so the
 * user's cache is neither read nor filled. */
#include <string.h>

#include "bench_int.h"
#include "error_int.h"
#include "vyre/cache.h"

typedef struct compile_run {
  vy_backend *be;
  const vy_program *p;
  bool clear_mem; /* empty the memory cache (untimed) before compiling */
} compile_run;

static vy_status run_compile(void *ud, double *seconds, vy_error *err) {
  const compile_run *c = ud;
  if (c->clear_mem) vy_cache_mem_clear();
  vy_kernel *k = NULL;
  double t0 = vyb_now();
  vy_status st = vy_compile(c->be, c->p, NULL, &k, err);
  *seconds = vyb_now() - t0;
  vy_kernel_destroy(k);
  return st;
}

static vy_status set_disk(const char *dir, vy_error *err) {
  vy_cache_settings s;
  vy_cache_settings_get(&s);
  s.disk_enabled = dir != NULL;
  if (dir) snprintf(s.disk_dir, sizeof s.disk_dir, "%s", dir);
  return vy_cache_configure(&s, err);
}

vy_status vyb_compile_measure(vy_backend *be, const vy_program *p, const vyb_plan *plan, const char *disk_dir,
                              vyb_compile_times *out, vy_kernel **kernel, vy_error *err) {
  memset(out, 0, sizeof *out);
  *kernel = NULL;
  compile_run run = {be, p, true};
  vy_cache_stats before, after;
  vy_status st = set_disk(NULL, err);
  vy_cache_stats_get(&before);
  if (st == VY_OK) st = vyb_measure(plan, run_compile, &run, NULL, &out->cold, err);
  vy_cache_stats_get(&after);
  out->cached = after.mem_misses > before.mem_misses;
  if (st == VY_OK && out->cached) { /* the last cold compile left the kernel in memory */
    run.clear_mem = false;
    vy_cache_stats_get(&before);
    st = vyb_measure(plan, run_compile, &run, NULL, &out->mem, err);
    vy_cache_stats_get(&after);
    out->has_mem = st == VY_OK && after.mem_hits > before.mem_hits;
  }
  if (st == VY_OK && out->cached && disk_dir) {
    double ignored;
    run.clear_mem = true;
    st = set_disk(disk_dir, err);
    if (st == VY_OK) st = run_compile(&run, &ignored, err); /* writes the disk entry */
    vy_cache_stats_get(&before);
    if (st == VY_OK) st = vyb_measure(plan, run_compile, &run, NULL, &out->disk, err);
    vy_cache_stats_get(&after);
    out->has_disk = st == VY_OK && after.disk_hits > before.disk_hits;
    vy_status off = set_disk(NULL, err);
    if (st == VY_OK) st = off;
  }
  if (st == VY_OK) st = vy_compile(be, p, NULL, kernel, err);
  return st;
}
