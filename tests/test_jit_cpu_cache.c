/* test_jit_cpu_cache.c - the llvm-cpu backend through the kernel cache: a
 * second compile in the process is a memory hit, a second process is a
 * disk hit with the same outputs and the same runtime errors (sites
 * resolved against each kernel's own program), a damaged cache file is a
 * miss and a correct result, so is a payload the loader rejects,
 * code-changing options are different keys, allocation failures are clean,
 * and the medians of cold compile, disk hit and memory hit.
 *
 * Cache behaviour is checked with the cache's counters (never with time).
 * Expected outputs come from C loops in this file; expected error messages
 * from the reference backend. The second process is this binary run again
 * with `--child WHICH` and VYRE_JIT_CACHE_DIR set (it prints one line of counters and verdicts).
 * Every test uses a private cache directory under /tmp. */
#define _GNU_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend_cpu_int.h"
#include "blake3_int.h"
#include "fault_alloc.h"
#include "vyre/cache.h"
#include "vyre/jit.h"
#include "vyre/vyre.h"
#include "backends.h"

static vy_context *g_ctx;
static vy_backend *g_cpu, *g_ref;
static char g_self[4096];

/* o[i] = a[i] * 3 + i for i < len(o). */
static const char values_src[] = "program workgroup(64) {\n"
                                 "  buffer a: u32 read @0\n"
                                 "  buffer o: u32 read_write @1\n"
                                 "  region r {\n"
                                 "    let i = gid.x\n"
                                 "    if i < len(o) {\n"
                                 "      o[i] = a[i] * 3u + i\n"
                                 "    }\n"
                                 "  }\n"
                                 "}\n";

/* i32 division by zero in invocation 5 (line 7). */
static const char error_src[] = "program workgroup(4) {\n  buffer a: i32 read @0\n  buffer b: i32 read @1\n"
                                "  buffer o: i32 read_write @2\n  region r {\n    let i = gid.x\n"
                                "    o[i] = a[i] / b[i]\n  }\n}\n";

enum { N = 300 };
static uint32_t g_a[N], g_o[N];
static int32_t g_v[8] = {7, 1, 2, 3, 4, 5, 6, 7}, g_d[8] = {1, 1, 1, 1, 1, 0, 1, 1}, g_z[8];

static void set_disk(const char *dir) {
  vy_cache_settings s;
  vy_cache_settings_get(&s);
  s.disk_enabled = dir != NULL;
  snprintf(s.disk_dir, sizeof s.disk_dir, "%s", dir ? dir : "");
  vy_error err;
  if (vy_cache_configure(&s, &err) != VY_OK) fail_msg("configure: %s", err.message);
}

static void make_dir(char *buf, size_t cap) {
  snprintf(buf, cap, "/tmp/vy_cpu_cache_XXXXXX");
  if (!mkdtemp(buf)) fail_msg("mkdtemp failed");
}

static void remove_dir(const char *dir) {
  vy_cache_usage u;
  assert_int_equal(vy_cache_disk_clear(dir, &u, NULL), VY_OK);
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "find '%s' -depth -type d -exec rmdir {} + 2>/dev/null", dir); /* only empty dirs */
  if (system(cmd) != 0) fail_msg("could not remove %s", dir);
}

/* Checks the values program's output against the C loop. */
static bool values_ok(const vy_outputs *out) {
  if (out->count != 1 || out->items[0].len != sizeof g_o) return false;
  const uint32_t *r = (const uint32_t *)out->items[0].data;
  for (uint32_t i = 0; i < N; i++)
    if (r[i] != g_a[i] * 3u + i) return false;
  return true;
}

static vy_status compile_run(vy_backend *be, const vy_program *p, const vy_dispatch_config *cfg, const vy_input *in,
                             size_t n, vy_outputs *out, vy_error *err) {
  vy_kernel *k = NULL;
  memset(out, 0, sizeof *out);
  vy_status st = vy_compile(be, p, cfg, &k, err);
  if (st == VY_OK) st = vy_kernel_dispatch(k, in, n, NULL, out, err);
  vy_kernel_destroy(k);
  return st;
}

/* ---- the child process ---- */

/* Runs program `which` (values / error) once with the cache the
 * environment selects (VYRE_JIT_CACHE_DIR) and prints
 * "hits=H compiles=C corrupt=R rejected=J result=ok|bad". */
static int child(const char *which) {
  vy_cache_stats_reset();
  vy_outputs out;
  vy_error err, ref_err;
  const char *result = "bad";
  if (strcmp(which, "values") == 0) {
    vy_program *p = vt_parse(values_src);
    vy_input in[2] = {{g_a, sizeof g_a}, {g_o, sizeof g_o}};
    if (compile_run(g_cpu, p, NULL, in, 2, &out, &err) == VY_OK && values_ok(&out)) result = "ok";
    vy_outputs_free(&out);
    vy_program_destroy(p);
  } else {
    vy_program *p = vt_parse(error_src);
    vy_input in[3] = {{g_v, sizeof g_v}, {g_d, sizeof g_d}, {g_z, sizeof g_z}};
    vy_outputs ro;
    vy_status a = compile_run(g_cpu, p, NULL, in, 3, &out, &err);
    vy_status b = vy_dispatch(g_ref, p, in, 3, NULL, &ro, &ref_err);
    if (a == VY_E_RUNTIME && b == a && strcmp(err.message, ref_err.message) == 0 &&
        strstr(err.message, "invocation (5,0,0)"))
      result = "ok";
    vy_program_destroy(p);
  }
  vy_cache_stats s;
  vy_cache_stats_get(&s);
  printf("hits=%llu compiles=%llu corrupt=%llu rejected=%llu result=%s\n", (unsigned long long)s.disk_hits,
         (unsigned long long)s.compiles, (unsigned long long)s.disk_corrupt, (unsigned long long)s.disk_rejected,
         result);
  return 0;
}

typedef struct child_out {
  unsigned hits, compiles, corrupt, rejected;
  char result[8];
} child_out;

static child_out run_child(const char *dir, const char *which) {
  char cmd[8400], line[256] = "";
  snprintf(cmd, sizeof cmd, "env -u VYRE_JIT_CACHE VYRE_JIT_CACHE_DIR='%s' '%s' --child %s", dir, g_self, which);
  FILE *f = popen(cmd, "r");
  assert_non_null(f);
  if (!fgets(line, sizeof line, f)) line[0] = 0;
  assert_int_equal(pclose(f), 0);
  child_out c = {0};
  if (sscanf(line, "hits=%u compiles=%u corrupt=%u rejected=%u result=%7s", &c.hits, &c.compiles, &c.corrupt,
             &c.rejected, c.result) != 5)
    fail_msg("child printed: %s", line);
  return c;
}

/* ---- tests ---- */

static void memory_hit(void **state) {
  (void)state;
  char dir[64];
  make_dir(dir, sizeof dir);
  set_disk(dir);
  vy_program *p = vt_parse(values_src);
  vy_input in[2] = {{g_a, sizeof g_a}, {g_o, sizeof g_o}};
  vy_cache_stats a, b, c;
  vy_outputs out;
  vy_error err;
  vy_cache_stats_get(&a);
  assert_int_equal(compile_run(g_cpu, p, NULL, in, 2, &out, &err), VY_OK);
  assert_true(values_ok(&out));
  vy_outputs_free(&out);
  vy_cache_stats_get(&b);
  assert_int_equal(b.mem_misses - a.mem_misses, 1);
  assert_int_equal(b.compiles - a.compiles, 1);
  assert_int_equal(b.disk_writes - a.disk_writes, 1);
  /* the same program, parsed again: a memory hit, no compile, same outputs */
  vy_program *q = vt_parse(values_src);
  assert_int_equal(compile_run(g_cpu, q, NULL, in, 2, &out, &err), VY_OK);
  assert_true(values_ok(&out));
  vy_outputs_free(&out);
  vy_cache_stats_get(&c);
  assert_int_equal(c.mem_hits - b.mem_hits, 1);
  assert_int_equal(c.compiles - b.compiles, 0);
  assert_int_equal(c.disk_hits - b.disk_hits, 0);
  vy_program_destroy(q);
  vy_program_destroy(p);
  vy_cache_mem_clear();
  set_disk(NULL);
  remove_dir(dir);
}

/* Two programs with one fingerprint but other source lines share the code;
 * each kernel's errors name its own lines. */
static void sites_per_program(void **state) {
  (void)state;
  set_disk(NULL);
  char shifted[sizeof error_src + 1] = "\n";
  strcat(shifted, error_src);
  vy_program *p = vt_parse(error_src), *q = vt_parse(shifted);
  uint8_t fp[32], fq[32];
  assert_true(vy_program_fingerprint(p, fp));
  assert_true(vy_program_fingerprint(q, fq));
  assert_memory_equal(fp, fq, 32);
  vy_input in[3] = {{g_v, sizeof g_v}, {g_d, sizeof g_d}, {g_z, sizeof g_z}};
  vy_kernel *kp = NULL, *kq = NULL;
  vy_cache_stats a, b;
  vy_cache_stats_get(&a);
  assert_int_equal(vy_compile(g_cpu, p, NULL, &kp, NULL), VY_OK);
  assert_int_equal(vy_compile(g_cpu, q, NULL, &kq, NULL), VY_OK);
  vy_cache_stats_get(&b);
  assert_int_equal(b.compiles - a.compiles, 1);
  assert_int_equal(b.mem_hits - a.mem_hits, 1);
  vy_program *progs[2] = {p, q};
  vy_kernel *ks[2] = {kp, kq};
  const char *line[2] = {"line 7", "line 8"};
  for (int i = 0; i < 2; i++) {
    vy_outputs o1, o2;
    vy_error e1, e2;
    assert_int_equal(vy_kernel_dispatch(ks[i], in, 3, NULL, &o1, &e1), VY_E_RUNTIME);
    assert_int_equal(vy_dispatch(g_ref, progs[i], in, 3, NULL, &o2, &e2), VY_E_RUNTIME);
    assert_string_equal(e1.message, e2.message);
    assert_non_null(strstr(e1.message, line[i]));
  }
  vy_kernel_destroy(kp);
  vy_kernel_destroy(kq);
  vy_program_destroy(p);
  vy_program_destroy(q);
  vy_cache_mem_clear();
}

static void second_process(void **state) {
  (void)state;
  char dir[64];
  make_dir(dir, sizeof dir);
  const char *which[2] = {"values", "error"};
  for (int w = 0; w < 2; w++) {
    child_out c1 = run_child(dir, which[w]), c2 = run_child(dir, which[w]);
    assert_string_equal(c1.result, "ok");
    assert_int_equal(c1.hits, 0);
    assert_int_equal(c1.compiles, 1);
    assert_string_equal(c2.result, "ok");
    assert_int_equal(c2.hits, 1);
    assert_int_equal(c2.compiles, 0);
  }
  remove_dir(dir);
}

typedef struct found {
  char path[4200];
  uint64_t bytes;
  int n;
} found;

static int take_file(void *ud, const vy_cache_file *f) {
  found *x = ud;
  snprintf(x->path, sizeof x->path, "%s", f->path);
  x->bytes = f->bytes;
  x->n++;
  return 0;
}

static void corrupt_file(void **state) {
  (void)state;
  char dir[64];
  make_dir(dir, sizeof dir);
  child_out c = run_child(dir, "values");
  assert_string_equal(c.result, "ok");
  found f = {.n = 0};
  assert_int_equal(vy_cache_disk_list(dir, false, take_file, &f, NULL), VY_OK);
  assert_int_equal(f.n, 1);
  /* truncated */
  assert_int_equal(truncate(f.path, (off_t)(f.bytes / 2)), 0);
  c = run_child(dir, "values");
  assert_string_equal(c.result, "ok");
  assert_int_equal(c.hits, 0);
  assert_int_equal(c.compiles, 1);
  assert_int_equal(c.corrupt, 1);
  /* rewritten whole by that run; now one byte flipped in the object */
  f.n = 0;
  assert_int_equal(vy_cache_disk_list(dir, false, take_file, &f, NULL), VY_OK);
  assert_int_equal(f.n, 1);
  FILE *fp = fopen(f.path, "r+b");
  assert_non_null(fp);
  assert_int_equal(fseek(fp, (long)(f.bytes - 100), SEEK_SET), 0);
  int ch = fgetc(fp);
  assert_int_equal(fseek(fp, (long)(f.bytes - 100), SEEK_SET), 0);
  fputc(ch ^ 0x5a, fp);
  assert_int_equal(fclose(fp), 0);
  c = run_child(dir, "values");
  assert_string_equal(c.result, "ok");
  assert_int_equal(c.hits, 0);
  assert_int_equal(c.compiles, 1);
  assert_int_equal(c.corrupt, 1);
  c = run_child(dir, "values"); /* and repaired */
  assert_int_equal(c.hits, 1);
  remove_dir(dir);
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A cache file whose checksum is right but whose payload does not fit the
 * program (a site naming a statement past its end) is rejected by the
 * loader: compiled again, same error message. The file format (docs/
 * cache.md) and the payload layout (jit/cpu_artifact_int.h) are written
 * out here. */
static void rejected_payload(void **state) {
  (void)state;
  char dir[64];
  make_dir(dir, sizeof dir);
  child_out c = run_child(dir, "error");
  assert_string_equal(c.result, "ok");
  found f = {.n = 0};
  assert_int_equal(vy_cache_disk_list(dir, false, take_file, &f, NULL), VY_OK);
  assert_int_equal(f.n, 1);
  uint8_t *b = malloc(f.bytes);
  assert_non_null(b);
  FILE *fp = fopen(f.path, "r+b");
  assert_non_null(fp);
  assert_int_equal(fread(b, 1, f.bytes, fp), f.bytes);
  uint32_t label_len = le32(b + 12);
  uint8_t *pl = b + 96 + label_len;
  assert_memory_equal(pl, "vycpuk\0\0", 8);
  uint32_t nsites = le32(pl + 20), nlab = le32(pl + 24);
  assert_true(nsites >= 2); /* site 0 is unused; the division has one */
  memset(pl + 28 + nlab + 24 + 8, 0xff, 4); /* site 1: statement index */
  vy_blake3 h;
  vy_blake3_init(&h);
  vy_blake3_update(&h, b, 64);
  vy_blake3_update(&h, b + 96, f.bytes - 96);
  vy_blake3_finalize(&h, b + 64, 32);
  assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
  assert_int_equal(fwrite(b, 1, f.bytes, fp), f.bytes);
  assert_int_equal(fclose(fp), 0);
  free(b);
  c = run_child(dir, "error");
  assert_string_equal(c.result, "ok");
  assert_int_equal(c.rejected, 1);
  assert_int_equal(c.compiles, 1);
  c = run_child(dir, "error"); /* stored again */
  assert_int_equal(c.hits, 1);
  assert_int_equal(c.rejected, 0);
  assert_int_equal(c.compiles, 0);
  remove_dir(dir);
}

/* Compile (miss), compile again (memory hit), then from disk, each
 * dispatched, with the context's allocations failing one by one. */
static vy_status through_cache(const vy_allocator *a, void *ud) {
  (void)ud;
  vy_context_options o;
  vy_context_options_init(&o);
  o.alloc = a;
  o.threads = 2;
  vy_context *ctx = NULL;
  vy_backend *be = NULL;
  vy_program *p = NULL;
  vy_error err;
  vy_status st = vy_context_create(&o, &ctx, &err);
  if (st == VY_OK) st = vy_jit_register_backends(ctx);
  if (st == VY_OK) st = vy_backend_open(ctx, "llvm-cpu", &be, &err);
  if (st == VY_OK) st = vy_text_parse(values_src, strlen(values_src), "t", a, &p, &err);
  vy_input in[2] = {{g_a, sizeof g_a}, {g_o, sizeof g_o}};
  for (int i = 0; i < 3 && st == VY_OK; i++) {
    if (i == 2) vy_cache_mem_clear();
    vy_outputs out;
    st = compile_run(be, p, NULL, in, 2, &out, &err);
    if (st == VY_OK) {
      assert_true(values_ok(&out));
      vy_outputs_free(&out);
    }
  }
  vy_program_destroy(p);
  vy_backend_close(be);
  vy_context_destroy(ctx);
  if (st != VY_OK && st != VY_E_NOMEM) fail_msg("unexpected %s: %s", vy_status_name(st), err.message);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  char dir[64];
  make_dir(dir, sizeof dir);
  vy_cache_stats a, b;
  vy_cache_stats_get(&a);
  set_disk(NULL); /* every run compiles (closing the backend empties its memory entries) */
  assert_true(vy_fault_run_all(through_cache, NULL) > 10);
  set_disk(dir); /* every run after the first complete one loads from disk */
  assert_true(vy_fault_run_all(through_cache, NULL) > 10);
  vy_cache_stats_get(&b);
  assert_true(b.mem_hits > a.mem_hits);
  assert_true(b.disk_hits > a.disk_hits);
  set_disk(NULL);
  remove_dir(dir);
}

static unsigned compiles_of(const vy_program *p, const vy_dispatch_config *cfg) {
  vy_cache_stats a, b;
  vy_cache_stats_get(&a);
  vy_kernel *k = NULL;
  vy_error err;
  if (vy_compile(g_cpu, p, cfg, &k, &err) != VY_OK) fail_msg("compile: %s", err.message);
  vy_kernel_destroy(k);
  vy_cache_stats_get(&b);
  return (unsigned)(b.compiles - a.compiles);
}

static void options_are_keys(void **state) {
  (void)state;
  set_disk(NULL);
  vy_cache_mem_clear();
  vy_program *p = vt_parse(values_src);
  vy_jit_cpu_options o;
  vy_jit_cpu_options_default(&o);
  assert_int_equal(compiles_of(p, NULL), 1); /* O2 */
  assert_int_equal(compiles_of(p, NULL), 0);
  o.opt_level = 3;
  assert_int_equal(vy_jit_cpu_configure(g_cpu, &o, NULL), VY_OK);
  assert_int_equal(compiles_of(p, NULL), 1); /* O3 */
  assert_int_equal(compiles_of(p, NULL), 0);
  o.prefer_vector_width = 128;
  assert_int_equal(vy_jit_cpu_configure(g_cpu, &o, NULL), VY_OK);
  assert_int_equal(compiles_of(p, NULL), 1); /* vector width */
  vy_jit_cpu_options_default(&o);
  assert_int_equal(vy_jit_cpu_configure(g_cpu, &o, NULL), VY_OK);
  assert_int_equal(compiles_of(p, NULL), 0); /* O2 again */
  vy_dispatch_config cfg;
  vy_dispatch_config_default(&cfg);
  cfg.has_workgroup_override = true;
  cfg.workgroup_override[0] = 32;
  cfg.workgroup_override[1] = cfg.workgroup_override[2] = 1;
  assert_int_equal(compiles_of(p, &cfg), 1);
  assert_int_equal(compiles_of(p, &cfg), 0);
  cfg.workgroup_override[0] = 16;
  assert_int_equal(compiles_of(p, &cfg), 1);
  /* and the overridden kernel computes the program */
  vy_input in[2] = {{g_a, sizeof g_a}, {g_o, sizeof g_o}};
  vy_outputs out;
  assert_int_equal(compile_run(g_cpu, p, &cfg, in, 2, &out, NULL), VY_OK);
  assert_true(values_ok(&out));
  vy_outputs_free(&out);
  vy_program_destroy(p);
  vy_cache_mem_clear();
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

enum { REPS = 15 };

/* Median seconds of vy_compile (kernel ready to dispatch) + destroy; the
 * memory cache is emptied (untimed) first when clear. */
static double median_compile(const vy_program *p, bool clear) {
  double t[REPS];
  for (int i = 0; i < REPS; i++) {
    if (clear) vy_cache_mem_clear();
    vy_kernel *k = NULL;
    double t0 = now();
    assert_int_equal(vy_compile(g_cpu, p, NULL, &k, NULL), VY_OK);
    t[i] = now() - t0;
    vy_kernel_destroy(k);
  }
  qsort(t, REPS, sizeof *t, cmp_double);
  return t[REPS / 2];
}

static void timings(void **state) {
  (void)state;
  char dir[64];
  make_dir(dir, sizeof dir);
  vy_program *p = vt_parse(values_src);
  vy_cache_stats a, b;
  set_disk(NULL);
  vy_cache_stats_get(&a);
  double cold = median_compile(p, true);
  set_disk(dir);
  vy_cache_mem_clear();
  assert_int_equal(compiles_of(p, NULL), 1); /* writes the disk entry */
  double disk = median_compile(p, true);
  double mem = median_compile(p, false);
  vy_cache_stats_get(&b);
  assert_int_equal(b.compiles - a.compiles, REPS + 1);
  assert_int_equal(b.disk_hits - a.disk_hits, REPS);
  assert_true(b.mem_hits - a.mem_hits >= REPS);
  printf("  small kernel, medians of %d: cold compile %.3f ms, disk hit %.3f ms, memory hit %.2f us\n", REPS,
         cold * 1e3, disk * 1e3, mem * 1e6);
  vy_program_destroy(p);
  vy_cache_mem_clear();
  set_disk(NULL);
  remove_dir(dir);
}

static int setup(void **state) {
  (void)state;
  vy_context_options o;
  vy_context_options_init(&o);
  o.threads = 2;
  vy_error err;
  if (vy_context_create(&o, &g_ctx, &err) != VY_OK || vy_jit_register_backends(g_ctx) != VY_OK ||
      vy_backend_open(g_ctx, "llvm-cpu", &g_cpu, &err) != VY_OK ||
      vy_backend_open(g_ctx, "reference", &g_ref, &err) != VY_OK) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  vy_backend_close(g_cpu);
  vy_backend_close(g_ref);
  vy_context_destroy(g_ctx);
  return 0;
}

int main(int argc, char **argv) {
  for (uint32_t i = 0; i < N; i++) g_a[i] = i * 2654435761u;
  ssize_t n = readlink("/proc/self/exe", g_self, sizeof g_self - 1);
  if (n <= 0) return 1;
  g_self[n] = 0;
  if (argc == 3 && strcmp(argv[1], "--child") == 0) {
    if (setup(NULL)) return 1;
    int rc = child(argv[2]);
    teardown(NULL);
    return rc;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(memory_hit),       cmocka_unit_test(sites_per_program), cmocka_unit_test(second_process),
      cmocka_unit_test(corrupt_file),     cmocka_unit_test(rejected_payload),  cmocka_unit_test(options_are_keys),
      cmocka_unit_test(allocation_failures), cmocka_unit_test(timings),
  };
  return cmocka_run_group_tests_name("llvm-cpu kernel cache", tests, setup, teardown);
}
