/* test_jit_ptx.c - the NVPTX flavour of the lowering and the PTX pipeline
 * (jit/lower_ptx.c, jit/ptx_compile.c). No GPU is needed: the tests read
 * the PTX text, and assemble it with ptxas ($VYRE_PTXAS, else
 * /usr/local/cuda/bin/ptxas) when that exists (skipped otherwise).
 *
 *  - corpus: every case of tests/cases for sm_80 and sm_90 either compiles
 *    (and assembles) or is refused with VY_E_UNSUPPORTED, a message naming
 *    the cuda backend and a Fix: hint; the counts are printed;
 *  - the PTX carries what the ABI (jit/ptx_int.h) and the semantics need:
 *    the entry's parameters, global loads/stores, shared memory, bar.sync,
 *    warp shuffles, redux.sync only from sm_80, atom.global, .rn float ops
 *    without FMA contraction, libdevice instead of approximations;
 *  - the documented refusals, the launch facts, the dumps, and allocation
 *    failures (fault injection).
 *
 * VY_CASES=substring limits the corpus to matching files; VY_PTX_IEEE=1
 * compiles it with vy_ptx_target.f32_ieee.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "fault_alloc.h"
#include "interp_int.h"
#include "ptx_int.h"
#include "vyre/jit.h"
#include "vyre/text.h"
#include "backends.h"

/* ---- helpers ---- */

static const char *ptxas(void) {
  const char *e = getenv("VYRE_PTXAS");
  if (e && *e) return access(e, X_OK) == 0 ? e : NULL;
  return access("/usr/local/cuda/bin/ptxas", X_OK) == 0 ? "/usr/local/cuda/bin/ptxas" : NULL;
}

/* A libdevice to link: the default one, else the CUDA 13 toolkit's. */
static const char *libdevice(void) {
  static char d[1024];
  vy_ptx_libdevice_path(d, sizeof d);
  if (d[0]) return d;
  static const char alt[] = "/usr/local/cuda-13.0/nvvm/libdevice/libdevice.10.bc";
  return access(alt, R_OK) == 0 ? alt : NULL;
}

/* Compiles a text program for `sm` (prepared without the validator, whose
 * rules on outputs and barriers are not what these tests are about); *ptx
 * gets the text (free it). */
static vy_status compile_src(const char *src, const char *sm, const char *lib, vy_bytes *ptx, vy_ptx_lowered *low,
                             vy_error *err) {
  vy_program *p = vt_parse(src);
  vy_interp_prepared *pp = NULL;
  vy_status st = vy_interp_prepare_ex(p, NULL, NULL, false, &pp, err);
  if (st == VY_OK) {
    vy_ptx_target t = {sm, 0, VY_JIT_O2, lib, -1};
    st = vy_ptx_compile(pp, &t, NULL, ptx, low, err);
  }
  vy_interp_prepared_destroy(pp);
  vy_program_destroy(p);
  return st;
}

/* The PTX of a program that must compile (fails the test otherwise). */
static char *ptx_of(const char *src, const char *sm) {
  vy_bytes out = {0};
  vy_ptx_lowered low;
  vy_error err;
  vy_status st = compile_src(src, sm, libdevice(), &out, &low, &err);
  if (st != VY_OK) fail_msg("compile for %s: %s", sm, err.message);
  vy_ptx_lowered_free(NULL, &low);
  char *s = strdup((const char *)out.data);
  vy_bytes_free(&out);
  assert_non_null(s);
  return s;
}

static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
  return n;
}

/* Assembles `text` with ptxas for `sm`; 1 = accepted, 0 = rejected (log in
 * *log), -1 = no ptxas. */
static int assemble(const char *text, const char *sm, char *log, size_t cap) {
  const char *as = ptxas();
  if (!as) return -1;
  char path[] = "/tmp/vy_ptx_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  size_t len = strlen(text);
  assert_int_equal(write(fd, text, len), (ssize_t)len);
  close(fd);
  char logp[64], cmd[512];
  snprintf(logp, sizeof logp, "%s.log", path);
  snprintf(cmd, sizeof cmd, "'%s' -arch=%s '%s' -o /dev/null > '%s' 2>&1", as, sm, path, logp);
  int rc = system(cmd);
  log[0] = 0;
  FILE *f = fopen(logp, "r");
  if (f) {
    size_t n = fread(log, 1, cap - 1, f);
    log[n] = 0;
    fclose(f);
  }
  unlink(path);
  unlink(logp);
  return rc == 0 ? 1 : 0;
}

static void assert_assembles(const char *text, const char *sm) {
  char log[2048];
  int r = assemble(text, sm, log, sizeof log);
  if (r == 0) fail_msg("ptxas -arch=%s rejected the PTX: %s", sm, log);
}

/* ---- the libdevice lookup ---- */

static void put_env(const char *name, const char *value) {
  if (value)
    setenv(name, value, 1);
  else
    unsetenv(name);
}

/* $VYRE_JIT_LIBDEVICE as given, else $CUDA_HOME's when readable, else
 * /usr/local/cuda's when readable, else "". */
static void test_libdevice_lookup(void **state) {
  (void)state;
  char *old_ld = getenv("VYRE_JIT_LIBDEVICE") ? strdup(getenv("VYRE_JIT_LIBDEVICE")) : NULL;
  char *old_home = getenv("CUDA_HOME") ? strdup(getenv("CUDA_HOME")) : NULL;
  char home[] = "/tmp/vy_cuda_home_XXXXXX", dir[128], file[160], path[1024];
  assert_non_null(mkdtemp(home));
  snprintf(dir, sizeof dir, "%s/nvvm", home);
  assert_int_equal(mkdir(dir, 0700), 0);
  snprintf(dir, sizeof dir, "%s/nvvm/libdevice", home);
  assert_int_equal(mkdir(dir, 0700), 0);
  snprintf(file, sizeof file, "%s/libdevice.10.bc", dir);
  FILE *f = fopen(file, "w");
  assert_non_null(f);
  fclose(f);
  const char *sys = "/usr/local/cuda/nvvm/libdevice/libdevice.10.bc";
  const char *sys_or_none = access(sys, R_OK) == 0 ? sys : "";

  put_env("VYRE_JIT_LIBDEVICE", "/some/where/libdevice.bc"); /* taken as given, even over CUDA_HOME */
  put_env("CUDA_HOME", home);
  vy_ptx_libdevice_path(path, sizeof path);
  assert_string_equal(path, "/some/where/libdevice.bc");
  put_env("VYRE_JIT_LIBDEVICE", ""); /* empty = unset */
  vy_ptx_libdevice_path(path, sizeof path);
  assert_string_equal(path, file);
  put_env("VYRE_JIT_LIBDEVICE", NULL);
  put_env("CUDA_HOME", "/nonexistent-cuda-home"); /* no file there: the system one */
  vy_ptx_libdevice_path(path, sizeof path);
  assert_string_equal(path, sys_or_none);
  put_env("CUDA_HOME", NULL);
  vy_ptx_libdevice_path(path, sizeof path);
  assert_string_equal(path, sys_or_none);
  put_env("CUDA_HOME", home); /* a path that does not fit gives "" */
  vy_ptx_libdevice_path(path, 8);
  assert_string_equal(path, "");

  unlink(file);
  rmdir(dir);
  snprintf(dir, sizeof dir, "%s/nvvm", home);
  rmdir(dir);
  rmdir(home);
  put_env("VYRE_JIT_LIBDEVICE", old_ld);
  put_env("CUDA_HOME", old_home);
  free(old_ld);
  free(old_home);
}

/* ---- the corpus ---- */

typedef struct tally {
  int compiled, assembled, refused, invalid;
} tally;

static void corpus_one(const char *path, tally *t, const char *const *sms, int nsms) {
  vy_case *c = NULL;
  vy_error err;
  if (vy_case_load(path, &c, &err) != VY_OK) fail_msg("%s: %s", path, err.message);
  vy_interp_prepared *pp = NULL;
  if (vy_interp_prepare_ex(c->program, c->host, NULL, !c->no_validate, &pp, &err) != VY_OK) {
    t->invalid++; /* the validator refuses it: no backend compiles it */
    vy_case_free(c);
    return;
  }
  for (int s = 0; s < nsms; s++) {
    const char *ieee = getenv("VY_PTX_IEEE");
    vy_ptx_target tg = {sms[s], 0, VY_JIT_O2, libdevice(), -1, ieee && *ieee == '1'};
    vy_bytes out = {0};
    vy_ptx_lowered low;
    vy_status st = vy_ptx_compile(pp, &tg, NULL, &out, &low, &err);
    if (st == VY_E_UNSUPPORTED) {
      if (!strstr(err.message, "backend `cuda`") || !strstr(err.message, "Fix:"))
        fail_msg("%s: a refusal must name the cuda backend and carry a Fix: hint: %s", path, err.message);
      if (s == 0) print_message("  refused %s: %.160s\n", path, err.message);
      t->refused++;
      continue;
    }
    if (st != VY_OK) fail_msg("%s for %s: %s", path, sms[s], err.message);
    assert_non_null(out.data);
    assert_non_null(strstr((const char *)out.data, ".entry " VY_PTX_ENTRY));
    assert_true(low.block_threads >= 1 && low.block_threads <= 1024);
    assert_true(low.nsites >= 1);
    t->compiled++;
    char log[2048];
    int r = assemble((const char *)out.data, sms[s], log, sizeof log);
    if (r == 0) fail_msg("%s: ptxas -arch=%s rejected the PTX: %s", path, sms[s], log);
    t->assembled += r == 1;
    vy_bytes_free(&out);
    vy_ptx_lowered_free(NULL, &low);
  }
  vy_interp_prepared_destroy(pp);
  vy_case_free(c);
}

static void test_corpus(void **state) {
  (void)state;
  char root[1024];
  vy_case_root(root, sizeof root);
  char **paths = NULL;
  long n = vy_case_find(root, &paths);
  assert_true(n > 0);
  const char *only = getenv("VY_CASES");
  static const char *const sms[2] = {"sm_80", "sm_90"};
  tally t = {0, 0, 0, 0};
  long cases = 0;
  for (long i = 0; i < n; i++) {
    if (only && *only && !strstr(paths[i], only)) continue;
    cases++;
    corpus_one(paths[i], &t, sms, 2);
  }
  vy_case_paths_free(paths, n);
  print_message("ptx corpus: %ld cases x {sm_80, sm_90}: %d compiled, %d assembled by ptxas%s, %d refused "
                "(VY_E_UNSUPPORTED), %ld cases refused by the validator\n",
                cases, t.compiled, t.assembled, ptxas() ? "" : " (no ptxas: not assembled)", t.refused,
                (long)t.invalid);
  if (!only || !*only) assert_true(t.compiled > 0);
  if (ptxas()) assert_int_equal(t.assembled, t.compiled);
}

/* ---- what the PTX holds ---- */

static const char add_one[] = "program workgroup(64) {\n"
                              "  buffer a: u32 read @0 count(4)\n"
                              "  buffer out: u32 read_write @1 count(4) output\n"
                              "  region vyre.program.root {\n"
                              "    let idx = gid.x\n"
                              "    if idx < len(out) { out[idx] = a[idx] + 1 }\n"
                              "  }\n"
                              "}\n";

static void test_entry_abi(void **state) {
  (void)state;
  char *s = ptx_of(add_one, "sm_90");
  assert_non_null(strstr(s, ".target sm_90"));
  assert_non_null(strstr(s, ".address_size 64"));
  const char *e = strstr(s, ".visible .entry " VY_PTX_ENTRY "(");
  assert_non_null(e);
  /* bufs, err, wg_base: u64; gx, gy, gz: u32, in this order */
  static const char *const params[6] = {".param .u64 " VY_PTX_ENTRY "_param_0", ".param .u64 " VY_PTX_ENTRY "_param_1",
                                        ".param .u64 " VY_PTX_ENTRY "_param_2", ".param .u32 " VY_PTX_ENTRY "_param_3",
                                        ".param .u32 " VY_PTX_ENTRY "_param_4", ".param .u32 " VY_PTX_ENTRY "_param_5"};
  const char *at = e;
  for (int i = 0; i < 6; i++) {
    const char *p = strstr(at, params[i]);
    assert_non_null(p);
    at = p;
  }
  assert_null(strstr(s, "_param_6"));
  assert_non_null(strstr(s, ".reqntid 64, 1, 1"));
  assert_non_null(strstr(s, "%tid.x"));
  assert_non_null(strstr(s, "%ctaid.x"));
  assert_non_null(strstr(s, "ld.global.nc.u32")); /* `a` is never written: the read-only path */
  assert_non_null(strstr(s, "st.global.u32"));
  assert_null(strstr(s, "bar.sync")); /* no barrier, no workgroup memory: none needed */
  assert_assembles(s, "sm_90");
  free(s);
  static const char rw[] = "program workgroup(32) {\n"
                           "  buffer out: u32 read_write @0 count(32) output\n"
                           "  region vyre.program.root { out[gid.x] = out[gid.x] + 1 }\n"
                           "}\n";
  s = ptx_of(rw, "sm_80");
  assert_non_null(strstr(s, "ld.global.u32")); /* written by the kernel: no .nc */
  /* the only read-only u32 load is the record's element count (bufs + 16) */
  for (const char *ld = strstr(s, "ld.global.nc.u32"); ld; ld = strstr(ld + 1, "ld.global.nc.u32")) {
    const char *eol = strchr(ld, '\n'), *rec = strstr(ld, "+16]");
    assert_true(rec && eol && rec < eol);
  }
  free(s);
}

static void test_launch_facts(void **state) {
  (void)state;
  static const char src[] = "program workgroup(8, 4, 2) {\n"
                            "  buffer s: u32 workgroup count(10)\n"
                            "  buffer out: u32 read_write @0 count(64) output\n"
                            "  region vyre.program.root {\n"
                            "    s[lid.x] = lid.y\n"
                            "    barrier\n"
                            "    out[gid.x] = s[9 - lid.x] + lid.z\n"
                            "  }\n"
                            "}\n";
  vy_bytes out = {0};
  vy_ptx_lowered low;
  vy_error err;
  if (compile_src(src, "sm_90", NULL, &out, &low, &err) != VY_OK) fail_msg("%s", err.message);
  assert_int_equal(low.block_threads, 64);
  assert_true(low.shared_bytes >= 40 && low.shared_bytes <= 40 + 16 + 8);
  assert_int_equal(low.sites[0].kind, 0); /* site 0 is "none" */
  const char *s = (const char *)out.data;
  assert_non_null(strstr(s, ".shared"));
  assert_non_null(strstr(s, "st.shared.u32")); /* zeroing and the store */
  assert_non_null(strstr(s, "ld.shared.u32"));
  /* the zeroing's barrier and the program's; no Loop, so no `stop` test */
  assert_true(count(s, "bar.sync 	0") + count(s, "bar.sync 0") >= 2);
  assert_null(strstr(s, "bar.red.or.pred"));
  assert_null(strstr(s, "ld.volatile"));
  assert_assembles(s, "sm_90");
  vy_bytes_free(&out);
  vy_ptx_lowered_free(NULL, &low);
}

static const char subgroups[] = "program workgroup(40) {\n"
                                "  buffer out: u32 read_write @0 count(40) output\n"
                                "  buffer sh: u32 read_write @1 count(40) output\n"
                                "  buffer bl: u32 read_write @2 count(40) output\n"
                                "  region vyre.program.root {\n"
                                "    out[lid.x] = subgroup_add(lid.x)\n"
                                "    sh[lid.x] = subgroup_shuffle(lid.x * 10, 31 - lid.x % 32)\n"
                                "    bl[lid.x] = subgroup_ballot(lid.x % 3 == 0)\n"
                                "  }\n"
                                "}\n";

static void test_subgroups(void **state) {
  (void)state;
  char *s90 = ptx_of(subgroups, "sm_90"), *s80 = ptx_of(subgroups, "sm_80"), *s75 = ptx_of(subgroups, "sm_75");
  for (int i = 0; i < 3; i++) {
    const char *s = i == 0 ? s90 : i == 1 ? s80 : s75;
    assert_non_null(strstr(s, "shfl.sync.idx.b32"));
    assert_non_null(strstr(s, "vote.sync.ballot.b32"));
    /* 40 lanes: the second warp has 8, mask 0xff */
    assert_true(strstr(s, "255") != NULL);
  }
  assert_non_null(strstr(s90, "redux.sync.add"));
  assert_non_null(strstr(s80, "redux.sync.add"));
  assert_null(strstr(s75, "redux.sync")); /* sm_75 has none: a shuffle tree */
  assert_non_null(strstr(s75, "shfl.sync.down.b32"));
  assert_assembles(s90, "sm_90");
  assert_assembles(s80, "sm_80");
  assert_assembles(s75, "sm_75");
  free(s90);
  free(s80);
  free(s75);
}

/* Every pipeline level gives PTX that assembles (O0 keeps the allocas in
 * local memory and the barriers as they are). */
static void test_opt_levels(void **state) {
  (void)state;
  vy_program *p = vt_parse(subgroups);
  vy_interp_prepared *pp = NULL;
  vy_error err;
  assert_int_equal(vy_interp_prepare_ex(p, NULL, NULL, false, &pp, &err), VY_OK);
  for (int o = VY_JIT_O0; o <= VY_JIT_O3; o++) {
    vy_ptx_target t = {"sm_80", 0, (vy_jit_opt)o, NULL, -1};
    vy_bytes out = {0};
    vy_ptx_lowered low;
    if (vy_ptx_compile(pp, &t, NULL, &out, &low, &err) != VY_OK) fail_msg("O%d: %s", o, err.message);
    assert_assembles((const char *)out.data, "sm_80");
    vy_bytes_free(&out);
    vy_ptx_lowered_free(NULL, &low);
  }
  vy_interp_prepared_destroy(pp);
  vy_program_destroy(p);
}

static void test_atomics(void **state) {
  (void)state;
  static const char src[] = "program workgroup(32) {\n"
                            "  buffer total: u32 read_write @0 count(2) output\n"
                            "  buffer old: u32 read_write @1 count(32) output\n"
                            "  region vyre.program.root {\n"
                            "    old[gid.x] = atomic_add(total[gid.x % 4], 1)\n"
                            "    let c = atomic_compare_exchange(total[1], 5, 9)\n"
                            "  }\n"
                            "}\n";
  char *s = ptx_of(src, "sm_90");
  assert_non_null(strstr(s, "atom.global.add.u32"));
  /* the program's CAS and the error record's claim */
  assert_true(count(s, "atom.global.cas.b32") >= 1);
  /* out-of-range atomics are skipped: a compare with the byte length guards each */
  assert_non_null(strstr(s, "setp."));
  assert_assembles(s, "sm_90");
  free(s);
}

static void test_float_rounding(void **state) {
  (void)state;
  static const char src[] = "program workgroup(32) {\n"
                            "  buffer a: f32 read @0 count(32)\n"
                            "  buffer b: f32 read @1 count(32)\n"
                            "  buffer c: f32 read @2 count(32)\n"
                            "  buffer out: f32 read_write @3 count(32) output\n"
                            "  buffer q: f32 read_write @4 count(32) output\n"
                            "  region vyre.program.root {\n"
                            "    out[gid.x] = a[gid.x] * b[gid.x] + c[gid.x]\n"
                            "    q[gid.x] = sqrt(a[gid.x] / b[gid.x]) - c[gid.x]\n"
                            "  }\n"
                            "}\n";
  char *s = ptx_of(src, "sm_90");
  assert_non_null(strstr(s, "mul.rn.ftz.f32"));
  assert_non_null(strstr(s, "add.rn.ftz.f32"));
  assert_non_null(strstr(s, "div.rn.ftz.f32"));
  assert_non_null(strstr(s, "sqrt.rn.ftz.f32"));
  assert_non_null(strstr(s, "sub.rn.ftz.f32"));
  assert_null(strstr(s, "fma")); /* a*b+c is not contracted */
  assert_null(strstr(s, "approx"));
  assert_assembles(s, "sm_90");
  free(s);
}

/* f32_ieee: IEEE instructions, every float result flushed after rounding
 * by a multiplication with 1 in FTZ mode. */
static void test_f32_ieee(void **state) {
  (void)state;
  static const char src[] = "program workgroup(32) {\n"
                            "  buffer a: f32 read @0 count(32)\n"
                            "  buffer b: f32 read @1 count(32)\n"
                            "  buffer out: f32 read_write @2 count(32) output\n"
                            "  region vyre.program.root {\n"
                            "    let p = a[gid.x] * b[gid.x]\n"
                            "    out[gid.x] = sqrt(p) + exp(p)\n"
                            "  }\n"
                            "}\n";
  vy_program *p = vt_parse(src);
  vy_interp_prepared *pp = NULL;
  vy_error err;
  assert_int_equal(vy_interp_prepare_ex(p, NULL, NULL, false, &pp, &err), VY_OK);
  vy_ptx_target t = {"sm_90", 0, VY_JIT_O2, libdevice(), -1, true};
  vy_bytes out = {0};
  vy_ptx_lowered low;
  if (vy_ptx_compile(pp, &t, NULL, &out, &low, &err) != VY_OK) fail_msg("%s", err.message);
  const char *s = (const char *)out.data;
  assert_non_null(strstr(s, "mul.rn.f32"));   /* a * b rounded in IEEE mode, */
  assert_non_null(strstr(s, "0f3F800000"));   /* then flushed: x * 1.0 with .ftz */
  assert_non_null(strstr(s, "sqrt.rn.f32"));
  assert_null(strstr(s, "sqrt.rn.ftz.f32"));
  /* two loads, the product, the sqrt, exp, the sum: each flushed once */
  assert_true(count(s, "mul.rn.ftz.f32") >= 6);
  assert_assembles(s, "sm_90");
  vy_bytes_free(&out);
  vy_ptx_lowered_free(NULL, &low);
  vy_interp_prepared_destroy(pp);
  vy_program_destroy(p);
}

static const char sines[] = "program workgroup(32) {\n"
                            "  buffer x: f32 read @0 count(32)\n"
                            "  buffer out: f32 read_write @1 count(32) output\n"
                            "  region vyre.program.root {\n"
                            "    out[gid.x] = sin(x[gid.x]) + exp(x[gid.x])\n"
                            "  }\n"
                            "}\n";

static void test_transcendentals(void **state) {
  (void)state;
  if (!libdevice()) skip();
  char *s = ptx_of(sines, "sm_90");
  assert_null(strstr(s, "sin.approx")); /* libdevice's accurate sinf, inlined */
  assert_null(strstr(s, ".extern"));
  assert_null(strstr(s, "__nvvm_reflect"));
  assert_assembles(s, "sm_90");
  free(s);
  vy_bytes out = {0};
  vy_ptx_lowered low;
  vy_error err;
  assert_int_equal(compile_src(sines, "sm_90", NULL, &out, &low, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "VYRE_JIT_LIBDEVICE"));
  assert_non_null(strstr(err.message, "Fix:"));
  assert_null(out.data);
  assert_null(low.sites);
}

static void test_barrier_uniformity(void **state) {
  (void)state;
  /* a barrier under a condition the lowering cannot prove uniform, and a
   * barrier Loop with such bounds: the live threads vote */
  static const char src[] = "program workgroup(64) {\n"
                            "  buffer n: u32 read @0 count(1)\n"
                            "  buffer s: u32 workgroup count(64)\n"
                            "  buffer out: u32 read_write @1 count(64) output\n"
                            "  region vyre.program.root {\n"
                            "    let k = n[0]\n"
                            "    if k > 3 {\n"
                            "      s[lid.x] = k\n"
                            "      barrier\n"
                            "    }\n"
                            "    loop i in 0..k {\n"
                            "      s[lid.x] = s[lid.x] + i\n"
                            "      barrier\n"
                            "    }\n"
                            "    loop j in 0..4 {\n"
                            "      barrier\n"
                            "    }\n"
                            "    out[gid.x] = s[63 - lid.x]\n"
                            "  }\n"
                            "}\n";
  char *s = ptx_of(src, "sm_90");
  assert_true(count(s, "bar.red.or.pred") >= 3); /* stop, the If's two votes, the Loop's check */
  assert_true(count(s, "bar.red.popc") >= 1);     /* live threads of the Loop */
  assert_assembles(s, "sm_90");
  free(s);
}

/* A Loop whose work has no literal bound looks at err->stop now and then
 * (each chunk but the invocation's first reads it; the first tests the
 * value read at the kernel's start); a short literal one does not. */
static void test_poll(void **state) {
  (void)state;
  static const char src[] = "program workgroup(32) {\n"
                            "  buffer n: u32 read @0 count(1)\n"
                            "  buffer out: u32 read_write @1 count(32) output\n"
                            "  region vyre.program.root {\n"
                            "    let s = 0\n"
                            "    loop i in 0..n[0] { s = s + i }\n"
                            "    loop j in 0..8 { s = s ^ j }\n"
                            "    out[gid.x] = s\n"
                            "  }\n"
                            "}\n";
  char *s = ptx_of(src, "sm_90");
  assert_int_equal(count(s, "ld.volatile.global.u32"),
                   2); /* at the start (tested by the first poll), the later polls */
  assert_assembles(s, "sm_90");
  free(s);
}

/* Bounded work (only short literal Loops): no `stop` read at all; a load
 * checked against a buffer's length is a select of the address (no branch
 * around it); an index below the declared count needs no check. */
static void test_bounded_kernel(void **state) {
  (void)state;
  static const char src[] = "program workgroup(32) {\n"
                            "  buffer a: u32 read @0\n"
                            "  buffer out: u32 read_write @1 count(32) output\n"
                            "  region vyre.program.root {\n"
                            "    let s = a[gid.x * 7]\n"
                            "    loop j in 0..8 { s = s ^ j }\n"
                            "    out[gid.x & 31] = s\n"
                            "  }\n"
                            "}\n";
  char *s = ptx_of(src, "sm_90");
  assert_null(strstr(s, "ld.volatile"));
  assert_non_null(strstr(s, "selp.b64")); /* a[...]: the element's address or the zeros */
  assert_non_null(strstr(s, "vyre_$_zeros"));
  assert_int_equal(count(s, "setp.lt.u32"), 1); /* a's bounds only: out[gid.x & 31] is below count(32) */
  assert_assembles(s, "sm_90");
  free(s);
}

/* Workgroup memory that every lane fills before the first barrier (cells
 * l + 1, and cells 0 and 9 from lanes 0 and 7) is not zeroed at block
 * start, so the kernel has only the program's barrier; a Return before the
 * barrier, a read before it or a cell left out keep the zeroing and its
 * barrier. */
static void test_filled_workgroup_memory(void **state) {
  (void)state;
  static const char head[] = "program workgroup(8) {\n"
                             "  buffer src: u32 read @0\n"
                             "  buffer out: u32 read_write @1 count(8) output\n"
                             "  buffer t: u32 workgroup count(10)\n"
                             "  region vyre.program.root {\n"
                             "    let l = lid.x\n"
                             "    t[l + 1] = src[gid.x]\n";
  static const char tail[] = "    barrier\n"
                             "    out[gid.x] = t[l] + t[l + 2]\n"
                             "  }\n"
                             "}\n";
  static const struct {
    const char *mid;
    int barriers;
  } cases[] = {
      {"    if l < 1 { t[l] = 7 }\n    if 7 <= l { t[l + 2] = 9 }\n", 1},
      {"    if l == 0 { t[0] = 7 }\n    if l >= 7 { t[l + 2] = 9 }\n", 2},   /* t[0]: not a lid.x store */
      {"    if l < 1 { t[l] = 7 }\n", 2},                                    /* t[9] left out */
      {"    if l < 1 { t[l] = 7 }\n    if 7 <= l { t[l + 2] = t[3] }\n", 2}, /* read before the barrier */
      {"    if l < 1 { t[l] = 7 }\n    if 7 <= l { t[l + 2] = 9 }\n    if l == 5 { return }\n", 2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char src[1024];
    snprintf(src, sizeof src, "%s%s%s", head, cases[i].mid, tail);
    char *s = ptx_of(src, "sm_90");
    assert_int_equal(count(s, "bar.sync"), cases[i].barriers);
    assert_assembles(s, "sm_90");
    free(s);
  }
}

/* A barrier Loop bounded by a Let of a buffer length (never assigned)
 * needs no vote: every thread computes the same bounds (matmul_tiled); a
 * 16-step literal Loop inside is unrolled completely (16 fma). */
static void test_uniform_let_bounds(void **state) {
  (void)state;
  static const char src[] = "program workgroup(16) {\n"
                            "  buffer a: f32 read @0\n"
                            "  buffer out: f32 read_write @1 count(16) output\n"
                            "  buffer t: f32 workgroup count(16)\n"
                            "  region vyre.program.root {\n"
                            "    let n = len(a)\n"
                            "    let acc = 0.0f\n"
                            "    loop k in 0..n / 16 {\n"
                            "      t[lid.x] = a[k * 16 + lid.x]\n"
                            "      barrier\n"
                            "      loop j in 0..16 { acc = fma(t[j], 2.0f, acc) }\n"
                            "      barrier\n"
                            "    }\n"
                            "    out[lid.x] = acc\n"
                            "  }\n"
                            "}\n";
  char *s = ptx_of(src, "sm_90");
  assert_null(strstr(s, "bar.red.popc"));
  assert_int_equal(count(s, "fma.rn"), 16);
  assert_assembles(s, "sm_90");
  free(s);
}

/* An f32 stored into workgroup memory keeps its bits (only Loads read it
 * back, and the store to `out` canonicalizes): one canonical NaN in the
 * kernel, not two. */
static void test_raw_workgroup_f32(void **state) {
  (void)state;
  static const char src[] = "program workgroup(32) {\n"
                            "  buffer a: f32 read @0\n"
                            "  buffer out: f32 read_write @1 count(32) output\n"
                            "  buffer t: f32 workgroup count(32)\n"
                            "  region vyre.program.root {\n"
                            "    t[lid.x] = a[gid.x]\n"
                            "    barrier\n"
                            "    out[gid.x] = t[31 - lid.x]\n"
                            "  }\n"
                            "}\n";
  char *s = ptx_of(src, "sm_90");
  assert_int_equal(count(s, "2143289344"), 1); /* 0x7fc00000 */
  assert_assembles(s, "sm_90");
  free(s);
}

static void test_refusals(void **state) {
  (void)state;
  vy_bytes out = {0};
  vy_ptx_lowered low;
  vy_error err;
  static const char big[] = "program workgroup(2048) {\n"
                            "  buffer out: u32 read_write @0 count(4) output\n"
                            "  region vyre.program.root { out[0] = 1 }\n"
                            "}\n";
  assert_int_equal(compile_src(big, "sm_90", NULL, &out, &low, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "1024"));
  assert_non_null(strstr(err.message, "Fix:"));
  static const char shared[] = "program workgroup(64) {\n"
                               "  buffer big: u32 workgroup count(16384)\n"
                               "  buffer out: u32 read_write @0 count(4) output\n"
                               "  region vyre.program.root { big[lid.x] = 1\n barrier\n out[0] = big[0] }\n"
                               "}\n";
  assert_int_equal(compile_src(shared, "sm_90", NULL, &out, &low, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "shared memory"));
  assert_null(out.data);
  /* a host call: the corpus case that registers corpus.add_u32 */
  char root[1024], path[1200];
  snprintf(path, sizeof path, "%s/call/add_u32.vy", vy_case_root(root, sizeof root));
  vy_case *c = NULL;
  assert_int_equal(vy_case_load(path, &c, &err), VY_OK);
  vy_interp_prepared *pp = NULL;
  assert_int_equal(vy_interp_prepare(c->program, c->host, NULL, &pp, &err), VY_OK);
  vy_ptx_target t = {"sm_90", 0, VY_JIT_O2, NULL, -1};
  assert_int_equal(vy_ptx_compile(pp, &t, NULL, &out, &low, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "host calls"));
  assert_non_null(strstr(err.message, "backend `cuda`"));
  vy_interp_prepared_destroy(pp);
  vy_case_free(c);
  /* the core's own refusals name the cuda backend too */
  static const char sel[] = "program workgroup(1) {\n"
                            "  buffer out: u32 read_write @0 count(1) output\n"
                            "  region vyre.program.root { let v = 1\n if gid.x > 0 { v = true }\n out[0] = 1 }\n"
                            "}\n";
  vy_program *p = NULL;
  if (vy_text_parse(sel, strlen(sel), "t", NULL, &p, &err) == VY_OK) {
    if (vy_interp_prepare_ex(p, NULL, NULL, false, &pp, &err) == VY_OK) {
      assert_int_equal(vy_ptx_compile(pp, &t, NULL, &out, &low, &err), VY_E_UNSUPPORTED);
      assert_non_null(strstr(err.message, "backend `cuda`"));
      assert_null(strstr(err.message, "llvm-cpu"));
      vy_interp_prepared_destroy(pp);
    }
    vy_program_destroy(p);
  }
  /* bad arguments */
  t.sm = "sm_1000";
  assert_int_equal(vy_jit_ptx_emit(NULL, "sm_90", 0, NULL, &out, &err), VY_E_INVALID_ARGUMENT);
}

/* The PTX ISA version follows vy_ptx_target.ptx_isa (0: LLVM's minimum
 * for the SM, 7.8 for sm_90). */
static void test_ptx_isa(void **state) {
  (void)state;
  vy_program *p = vt_parse(add_one);
  vy_interp_prepared *pp = NULL;
  vy_error err;
  assert_int_equal(vy_interp_prepare_ex(p, NULL, NULL, false, &pp, &err), VY_OK);
  static const struct {
    unsigned isa;
    const char *version;
  } v[] = {{0, ".version 7.8"}, {80, ".version 8.0"}, {83, ".version 8.3"}};
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
    vy_ptx_target t = {"sm_90", v[i].isa, VY_JIT_O2, NULL, -1, false};
    vy_bytes out = {0};
    vy_ptx_lowered low;
    if (vy_ptx_compile(pp, &t, NULL, &out, &low, &err) != VY_OK) fail_msg("%s", err.message);
    assert_non_null(strstr((const char *)out.data, v[i].version));
    vy_bytes_free(&out);
    vy_ptx_lowered_free(NULL, &low);
  }
  vy_interp_prepared_destroy(pp);
  vy_program_destroy(p);
}

static void test_unknown_sm(void **state) {
  (void)state;
  vy_bytes out = {0};
  vy_ptx_lowered low;
  vy_error err;
  assert_int_equal(compile_src(add_one, "sm_1000", NULL, &out, &low, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "Fix:"));
  assert_null(out.data);
}

static void test_dump(void **state) {
  (void)state;
  char dir[] = "/tmp/vy_ptx_dump_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char *old_dump = getenv("VYRE_JIT_DUMP") ? strdup(getenv("VYRE_JIT_DUMP")) : NULL;
  char *old_dir = getenv("VYRE_JIT_DUMP_DIR") ? strdup(getenv("VYRE_JIT_DUMP_DIR")) : NULL;
  setenv("VYRE_JIT_DUMP", "ir,opt,asm", 1);
  setenv("VYRE_JIT_DUMP_DIR", dir, 1);
  char *s = ptx_of(add_one, "sm_80");
  /* the caller's settings come back (VYRE_JIT_DUMP=... VY_CASES=... dumps corpus cases) */
  if (old_dump) setenv("VYRE_JIT_DUMP", old_dump, 1);
  else unsetenv("VYRE_JIT_DUMP");
  if (old_dir) setenv("VYRE_JIT_DUMP_DIR", old_dir, 1);
  else unsetenv("VYRE_JIT_DUMP_DIR");
  free(old_dump);
  free(old_dir);
  static const char *const files[3] = {"vyre_ptx_sm_80.ir.ll", "vyre_ptx_sm_80.opt.ll", "vyre_ptx_sm_80.ptx"};
  for (int i = 0; i < 3; i++) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    struct stat st;
    if (stat(path, &st) != 0) fail_msg("no dump %s", path);
    assert_true(st.st_size > 0);
    unlink(path);
  }
  rmdir(dir);
  free(s);
}

/* ---- allocation failures ---- */

static vy_status fault_compile(const vy_allocator *alloc, void *ctx) {
  const vy_interp_prepared *pp = ctx;
  vy_ptx_target t = {"sm_80", 0, VY_JIT_O1, NULL, -1};
  vy_bytes out = {0};
  vy_ptx_lowered low;
  vy_error err;
  vy_status st = vy_ptx_compile(pp, &t, alloc, &out, &low, &err);
  if (st == VY_OK) {
    vy_ptx_lowered_free(alloc, &low);
    vy_bytes_free(&out);
  }
  return st;
}

static void test_fault_injection(void **state) {
  (void)state;
  vy_program *p = vt_parse(subgroups);
  vy_interp_prepared *pp = NULL;
  vy_error err;
  assert_int_equal(vy_interp_prepare_ex(p, NULL, NULL, false, &pp, &err), VY_OK);
  assert_true(vy_fault_run_all(fault_compile, pp) > 0);
  vy_interp_prepared_destroy(pp);
  vy_program_destroy(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_entry_abi),
      cmocka_unit_test(test_launch_facts),
      cmocka_unit_test(test_subgroups),
      cmocka_unit_test(test_opt_levels),
      cmocka_unit_test(test_atomics),
      cmocka_unit_test(test_float_rounding),
      cmocka_unit_test(test_transcendentals),
      cmocka_unit_test(test_f32_ieee),
      cmocka_unit_test(test_barrier_uniformity),
      cmocka_unit_test(test_poll),
      cmocka_unit_test(test_bounded_kernel),
      cmocka_unit_test(test_filled_workgroup_memory),
      cmocka_unit_test(test_uniform_let_bounds),
      cmocka_unit_test(test_raw_workgroup_f32),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_ptx_isa),
      cmocka_unit_test(test_unknown_sm),
      cmocka_unit_test(test_dump),
      cmocka_unit_test(test_fault_injection),
      cmocka_unit_test(test_libdevice_lookup),
      cmocka_unit_test(test_corpus),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
