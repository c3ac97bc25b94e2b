/* test_jit_orc.c - the jit/ layer: host detection, target machines, the O2
 * pipeline and its vector code, object emission, the ORC wrapper (add,
 * call, remove, objects into a fresh JIT, host and libm symbols, errors,
 * concurrent compiles), NVPTX target machines, stage dumps, allocation
 * failures, and cold-compile timings (reported, not asserted).
 *
 * Expected values come from plain C loops in this file, from /proc/cpuinfo,
 * from the ELF and PTX specifications, and from the kernel's memory maps. */
#define _GNU_SOURCE /* mkdtemp, setenv, clock_gettime */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <llvm-c/Core.h>

#include "fault_alloc.h"
#include "jit_int.h"

/* ---- helpers ---- */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *t, int n) {
  qsort(t, n, sizeof *t, cmp_double);
  return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* Whether /proc/cpuinfo lists `flag` for the first CPU. */
static bool cpu_has(const char *flag) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return false;
  char line[8192];
  bool found = false;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "flags", 5) != 0) continue;
    size_t len = strlen(flag);
    for (char *p = strstr(line, flag); p; p = strstr(p + 1, flag))
      if (p[-1] == ' ' && (p[len] == ' ' || p[len] == '\n')) found = true;
    break;
  }
  fclose(f);
  return found;
}

static bool has_feature(const vy_jit_host *h, const char *feat) { /* feat like "+avx2" */
  size_t len = strlen(feat);
  for (const char *p = strstr(h->features, feat); p; p = strstr(p + 1, feat))
    if ((p == h->features || p[-1] == ',') && (p[len] == ',' || p[len] == 0)) return true;
  return false;
}

static vy_jit_host host;   /* detected once in the group setup */
static vy_orc *shared_jit; /* one LLJIT most tests share, as a backend would */

static int group_setup(void **state) {
  (void)state;
  vy_error err;
  if (vy_jit_host_detect(NULL, &host, &err) != VY_OK) return -1;
  return vy_orc_create(NULL, &host, VY_JIT_O2, &shared_jit, &err) == VY_OK ? 0 : -1;
}

static int group_teardown(void **state) {
  (void)state;
  vy_orc_destroy(shared_jit);
  vy_jit_host_free(&host);
  return 0;
}

static LLVMAttributeRef enum_attr(LLVMContextRef c, const char *name) {
  return LLVMCreateEnumAttribute(c, LLVMGetEnumAttributeKindForName(name, strlen(name)), 0);
}

/* The counted loop both test kernels use: for (i64 i = 0; i < n; i++),
 * the body between loop_open and loop_close, then `ret void`. */
typedef struct counted_loop {
  LLVMBuilderRef b;
  LLVMBasicBlockRef entry, body, done;
  LLVMValueRef n, zero, i; /* i: the induction variable, valid in the body */
} counted_loop;

static void loop_open(LLVMContextRef c, LLVMValueRef f, LLVMValueRef n, counted_loop *L) {
  LLVMTypeRef i64 = LLVMInt64TypeInContext(c);
  L->b = LLVMCreateBuilderInContext(c);
  L->entry = LLVMAppendBasicBlockInContext(c, f, "entry");
  L->body = LLVMAppendBasicBlockInContext(c, f, "loop");
  L->done = LLVMAppendBasicBlockInContext(c, f, "done");
  L->n = n;
  L->zero = LLVMConstInt(i64, 0, 0);
  LLVMPositionBuilderAtEnd(L->b, L->entry);
  LLVMBuildCondBr(L->b, LLVMBuildICmp(L->b, LLVMIntSGT, n, L->zero, "any"), L->body, L->done);
  LLVMPositionBuilderAtEnd(L->b, L->body);
  L->i = LLVMBuildPhi(L->b, i64, "i");
}

static void loop_close(LLVMContextRef c, counted_loop *L) {
  LLVMValueRef next = LLVMBuildNSWAdd(L->b, L->i, LLVMConstInt(LLVMInt64TypeInContext(c), 1, 0), "next");
  LLVMBuildCondBr(L->b, LLVMBuildICmp(L->b, LLVMIntSLT, next, L->n, "more"), L->body, L->done);
  LLVMValueRef inc_vals[] = {L->zero, next};
  LLVMBasicBlockRef inc_blocks[] = {L->entry, L->body};
  LLVMAddIncoming(L->i, inc_vals, inc_blocks, 2);
  LLVMPositionBuilderAtEnd(L->b, L->done);
  LLVMBuildRetVoid(L->b);
  LLVMDisposeBuilder(L->b);
}

/* void <fname>(float *noalias a, float *noalias b, i64 n) {
 *   for (i64 i = 0; i < n; i++) a[i] += b[i] * mul; }                        */
static LLVMModuleRef build_axpy(LLVMContextRef c, const char *modname, const char *fname, float mul) {
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext(modname, c);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(c, 0), f32 = LLVMFloatTypeInContext(c), i64 = LLVMInt64TypeInContext(c);
  LLVMTypeRef params[] = {ptr, ptr, i64};
  LLVMValueRef f = LLVMAddFunction(m, fname, LLVMFunctionType(LLVMVoidTypeInContext(c), params, 3, 0));
  LLVMAddAttributeAtIndex(f, 1, enum_attr(c, "noalias"));
  LLVMAddAttributeAtIndex(f, 2, enum_attr(c, "noalias"));
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, enum_attr(c, "nounwind"));
  counted_loop L;
  loop_open(c, f, LLVMGetParam(f, 2), &L);
  LLVMValueRef pa = LLVMBuildInBoundsGEP2(L.b, f32, LLVMGetParam(f, 0), &L.i, 1, "pa");
  LLVMValueRef pb = LLVMBuildInBoundsGEP2(L.b, f32, LLVMGetParam(f, 1), &L.i, 1, "pb");
  LLVMValueRef prod = LLVMBuildFMul(L.b, LLVMBuildLoad2(L.b, f32, pb, "vb"), LLVMConstReal(f32, mul), "prod");
  LLVMBuildStore(L.b, LLVMBuildFAdd(L.b, LLVMBuildLoad2(L.b, f32, pa, "va"), prod, "sum"), pa);
  loop_close(c, &L);
  return m;
}

typedef void (*axpy_fn)(float *a, const float *b, int64_t n);

/* Calls the kernel on 1003 pseudo-random floats (not a multiple of any
 * vector width) and compares with the same arithmetic done here in C. */
static void check_axpy(vy_jit_fn entry, float mul) {
  enum { N = 1003 };
  float a[N], b[N], want[N];
  uint32_t x = 12345;
  for (int i = 0; i < N; i++) {
    x = x * 1664525u + 1013904223u;
    a[i] = (float)(x >> 8) / 65536.0f - 128.0f;
    x = x * 1664525u + 1013904223u;
    b[i] = (float)(x >> 8) / 1048576.0f - 8.0f;
    want[i] = a[i] + b[i] * mul; /* -ffp-contract=off: a rounded multiply, then a rounded add */
  }
  ((axpy_fn)entry)(a, b, N);
  assert_memory_equal(a, want, sizeof a);
  float one = 1.0f, bone = 1.0f;
  ((axpy_fn)entry)(&one, &bone, 0); /* n = 0 touches nothing */
  assert_true(one == 1.0f);
}

/* One compile job: a fresh context (job_begin), a module built in it, the
 * host target machine set on it and the O-level pipeline run (job_prepare). */
typedef struct job {
  vy_orc_ctx *ctx;
  LLVMModuleRef m;
  LLVMTargetMachineRef tm;
} job;

static LLVMContextRef job_begin(job *j) {
  j->ctx = vy_orc_ctx_create();
  j->m = NULL;
  j->tm = NULL;
  return vy_orc_ctx_llvm(j->ctx);
}

static void job_prepare(job *j, LLVMModuleRef m, vy_jit_opt opt) {
  vy_error err;
  j->m = m;
  assert_int_equal(vy_jit_tm_host(&host, opt, &j->tm, &err), VY_OK);
  assert_int_equal(vy_jit_module_set_target(j->m, j->tm, &err), VY_OK);
  assert_int_equal(vy_jit_optimize(j->m, j->tm, opt, &err), VY_OK);
}

/* The axpy kernel, optimized. */
static void job_start(job *j, const char *modname, const char *fname, float mul, vy_jit_opt opt) {
  LLVMContextRef c = job_begin(j);
  job_prepare(j, build_axpy(c, modname, fname, mul), opt);
}

/* Emits j->m as an object into *obj (the module is spent afterwards). */
static void job_emit(job *j, vy_bytes *obj) {
  vy_error err;
  assert_int_equal(vy_jit_emit(j->m, j->tm, VY_JIT_EMIT_OBJECT, NULL, obj, &err), VY_OK);
}

static void job_end(job *j) {
  if (j->m) LLVMDisposeModule(j->m);
  LLVMDisposeTargetMachine(j->tm);
  vy_orc_ctx_release(j->ctx);
}

/* The object-file path: optimize, emit an object, nothing kept. */
static void compile_object(const char *fname, float mul, vy_bytes *obj) {
  job j;
  job_start(&j, fname, fname, mul, VY_JIT_O2);
  job_emit(&j, obj);
  job_end(&j);
}

/* The IR path: optimize, hand the module to ORC. */
static vy_status add_via_module(vy_orc *jit, const char *fname, float mul, vy_orc_kernel **k, vy_error *err) {
  job j;
  job_start(&j, fname, fname, mul, VY_JIT_O2);
  vy_status st = vy_orc_add_module(jit, j.ctx, j.m, fname, k, err);
  j.m = NULL; /* owned by the JIT now */
  job_end(&j);
  return st;
}

static vy_status add_via_object(vy_orc *jit, const char *fname, float mul, vy_orc_kernel **k, vy_error *err) {
  vy_bytes obj = {0};
  compile_object(fname, mul, &obj);
  vy_status st = vy_orc_add_object(jit, obj.data, obj.len, fname, k, err);
  vy_bytes_free(&obj);
  return st;
}

/* Bytes of anonymous executable mappings of this process: where JIT'd code
 * lives (files and the vdso have names). */
static size_t exec_anon_bytes(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  assert_non_null(f);
  char line[1024];
  size_t total = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi, inode;
    char perms[8];
    int path_at = 0;
    if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %n", &lo, &hi, perms, &inode, &path_at) < 4) continue;
    bool anon = inode == 0 && (line[path_at] == '\n' || line[path_at] == 0);
    if (perms[2] == 'x' && anon) total += hi - lo;
  }
  fclose(f);
  return total;
}

/* ---- host and target machines ---- */

static void host_matches_cpuinfo(void **state) {
  (void)state;
  assert_true(strlen(host.cpu) > 0);
  assert_true(strlen(host.features) > 0);
#if defined(__x86_64__)
  assert_memory_equal(host.triple, "x86_64-", 7);
  assert_true(has_feature(&host, "+sse2")); /* part of the x86-64 baseline */
  static const char *const flags[] = {"avx", "avx2", "fma", "avx512f", "avx512bw"};
  for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
    char feat[32];
    snprintf(feat, sizeof feat, "+%s", flags[i]);
    if (cpu_has(flags[i])) assert_true(has_feature(&host, feat));
  }
#elif defined(__aarch64__)
  assert_memory_equal(host.triple, "aarch64", 7);
#endif
  unsigned major, minor, patch;
  vy_jit_llvm_version(&major, &minor, &patch);
  assert_int_equal(major, 19);
  printf("[ INFO     ] host %s, cpu %s, LLVM %u.%u.%u, libmvec %s\n", host.triple, host.cpu, major, minor, patch,
         vy_jit_has_libmvec() ? "yes" : "no");
}

static void module_gets_the_machine_layout(void **state) {
  (void)state;
  vy_orc_ctx *ctx = vy_orc_ctx_create();
  LLVMModuleRef m = build_axpy(vy_orc_ctx_llvm(ctx), "layout", "layout_k", 2.0f);
  LLVMTargetMachineRef tm = NULL;
  vy_error err;
  assert_int_equal(vy_jit_tm_host(&host, VY_JIT_O2, &tm, &err), VY_OK);
  assert_int_equal(vy_jit_module_set_target(m, tm, &err), VY_OK);
  assert_string_equal(LLVMGetTarget(m), host.triple);
#if defined(__x86_64__) && defined(__linux__)
  /* the x86-64 ELF layout: little endian, ELF mangling, 64-bit pointers */
  assert_memory_equal(LLVMGetDataLayoutStr(m), "e-m:e-", 6);
#endif
  assert_int_equal(vy_jit_module_set_target(NULL, tm, &err), VY_E_INVALID_ARGUMENT);
  LLVMDisposeModule(m);
  LLVMDisposeTargetMachine(tm);
  vy_orc_ctx_release(ctx);
  assert_int_equal(vy_jit_tm_host(NULL, VY_JIT_O2, &tm, &err), VY_E_INVALID_ARGUMENT);
}

/* ---- compile, call, vector code ---- */

static void o2_kernel_runs_via_object(void **state) {
  (void)state;
  vy_orc_kernel *k = NULL;
  vy_error err;
  assert_int_equal(add_via_object(shared_jit, "axpy_obj", 2.0f, &k, &err), VY_OK);
  check_axpy(vy_orc_kernel_entry(k), 2.0f);
  assert_int_equal(vy_orc_kernel_remove(k, &err), VY_OK);
}

static void o2_kernel_runs_via_module(void **state) {
  (void)state;
  vy_orc_kernel *k = NULL;
  vy_error err;
  assert_int_equal(add_via_module(shared_jit, "axpy_mod", 2.0f, &k, &err), VY_OK);
  check_axpy(vy_orc_kernel_entry(k), 2.0f);
  uint64_t addr = 0;
  assert_int_equal(vy_orc_lookup(shared_jit, "axpy_mod", &addr, &err), VY_OK);
  assert_true(addr == (uint64_t)(uintptr_t)vy_orc_kernel_entry(k));
  assert_int_equal(vy_orc_kernel_remove(k, &err), VY_OK);
}

static void every_opt_level_is_correct(void **state) {
  (void)state;
  for (int opt = VY_JIT_O0; opt <= VY_JIT_O3; opt++) {
    job j;
    char name[32];
    snprintf(name, sizeof name, "axpy_o%d", opt);
    job_start(&j, name, name, 0.75f, (vy_jit_opt)opt);
    vy_bytes obj = {0};
    job_emit(&j, &obj);
    job_end(&j);
    vy_error err;
    vy_orc_kernel *k = NULL;
    assert_int_equal(vy_orc_add_object(shared_jit, obj.data, obj.len, name, &k, &err), VY_OK);
    check_axpy(vy_orc_kernel_entry(k), 0.75f);
    assert_int_equal(vy_orc_kernel_remove(k, &err), VY_OK);
    vy_bytes_free(&obj);
  }
}

/* True when a line of `text` holds one of `ops` and one of `regs`. */
static bool asm_has(const char *text, const char *const *ops, const char *const *regs) {
  for (const char *line = text; line && *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    char buf[256];
    snprintf(buf, sizeof buf, "%.*s", (int)(len < 255 ? len : 255), line);
    bool op = false, reg = false;
    for (const char *const *o = ops; *o; o++) op |= strstr(buf, *o) != NULL;
    for (const char *const *r = regs; *r; r++) reg |= strstr(buf, *r) != NULL;
    if (op && reg) return true;
    line = end ? end + 1 : NULL;
  }
  return false;
}

static void o2_loop_uses_packed_vectors(void **state) {
  (void)state;
#if defined(__x86_64__)
  const char *const ops[] = {"vaddps", "vmulps", "vfmadd", NULL};
  const char *const wide[] = {"%ymm", "%zmm", NULL};
  const char *const sse_ops[] = {"addps", "mulps", NULL};
  const char *const xmm[] = {"%xmm", NULL};
  job j;
  job_start(&j, "axpy_asm", "axpy_asm", 2.0f, VY_JIT_O2);
  vy_bytes text = {0};
  vy_error err;
  assert_int_equal(vy_jit_emit(j.m, j.tm, VY_JIT_EMIT_ASM, NULL, &text, &err), VY_OK);
  job_end(&j);
  assert_non_null(strstr((char *)text.data, "axpy_asm:"));
  if (cpu_has("avx2") || cpu_has("avx512f")) {
    assert_true(asm_has((char *)text.data, ops, wide));
    printf("[ INFO     ] O2 loop uses %s vectors\n",
           asm_has((char *)text.data, ops, (const char *const[]){"%zmm", NULL}) ? "512-bit" : "256-bit");
  } else {
    assert_true(asm_has((char *)text.data, sse_ops, xmm)); /* SSE2 is the x86-64 baseline */
  }
  vy_bytes_free(&text);
#else
  printf("[ SKIP     ] packed-vector check written for x86-64 only\n");
  skip();
#endif
}

/* ---- resource trackers ---- */

static void removed_kernel_is_gone_and_its_memory_freed(void **state) {
  (void)state;
  vy_bytes obj = {0};
  compile_object("axpy_rm", 2.0f, &obj);
  vy_error err;
  size_t before = exec_anon_bytes();
  for (int round = 0; round < 30; round++) {
    vy_orc_kernel *k = NULL;
    assert_int_equal(vy_orc_add_object(shared_jit, obj.data, obj.len, "axpy_rm", &k, &err), VY_OK);
    if (round == 0) assert_true(exec_anon_bytes() > before); /* the code is mapped executable */
    uint64_t addr = 0;
    assert_int_equal(vy_orc_lookup(shared_jit, "axpy_rm", &addr, &err), VY_OK);
    check_axpy(vy_orc_kernel_entry(k), 2.0f);
    assert_int_equal(vy_orc_kernel_remove(k, &err), VY_OK);
    assert_int_equal(vy_orc_lookup(shared_jit, "axpy_rm", &addr, &err), VY_E_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "axpy_rm"));
    assert_int_equal(exec_anon_bytes(), before); /* and unmapped again */
  }
  vy_bytes_free(&obj);
  /* the IR path frees as well */
  vy_orc_kernel *k = NULL;
  assert_int_equal(add_via_module(shared_jit, "axpy_rm2", 2.0f, &k, &err), VY_OK);
  assert_int_equal(vy_orc_kernel_remove(k, &err), VY_OK);
  assert_int_equal(exec_anon_bytes(), before);
  assert_int_equal(vy_orc_kernel_remove(NULL, &err), VY_OK);
}

/* ---- objects ---- */

static void object_loads_into_a_fresh_jit(void **state) {
  (void)state;
  vy_bytes obj = {0};
  compile_object("axpy_cached", 1.5f, &obj);
  /* ELF header (System V gABI): magic, ET_REL = 1 at offset 16, machine at 18 */
  assert_true(obj.len > 64);
  assert_memory_equal(obj.data, "\177ELF", 4);
  assert_int_equal(obj.data[16] | obj.data[17] << 8, 1);
#if defined(__x86_64__)
  assert_int_equal(obj.data[18] | obj.data[19] << 8, 62); /* EM_X86_64 */
#endif
  vy_error err;
  vy_orc *fresh[2] = {NULL, NULL};
  vy_orc_kernel *k[2] = {NULL, NULL};
  for (int i = 0; i < 2; i++) { /* the same object in two JITs at once */
    assert_int_equal(vy_orc_create(NULL, &host, VY_JIT_O2, &fresh[i], &err), VY_OK);
    assert_int_equal(vy_orc_add_object(fresh[i], obj.data, obj.len, "axpy_cached", &k[i], &err), VY_OK);
  }
  assert_ptr_not_equal(vy_orc_kernel_entry(k[0]), vy_orc_kernel_entry(k[1]));
  for (int i = 0; i < 2; i++) check_axpy(vy_orc_kernel_entry(k[i]), 1.5f);
  for (int i = 0; i < 2; i++) {
    assert_int_equal(vy_orc_kernel_remove(k[i], &err), VY_OK);
    vy_orc_destroy(fresh[i]);
  }
  vy_bytes_free(&obj);
}

/* ---- symbols from the process, libmvec and the host ---- */

static float test_host_bias(float x) { return x * 0.5f - 1.0f; }

/* float hk(float x) { return sinf(x) + test_host_bias(x); } */
static LLVMModuleRef build_host_call(LLVMContextRef c, const char *fname, const char *host_fn) {
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext(fname, c);
  LLVMTypeRef f32 = LLVMFloatTypeInContext(c);
  LLVMTypeRef fty = LLVMFunctionType(f32, &f32, 1, 0);
  LLVMValueRef f = LLVMAddFunction(m, fname, fty);
  LLVMValueRef sinf_fn = LLVMAddFunction(m, "sinf", fty);
  LLVMValueRef bias_fn = LLVMAddFunction(m, host_fn, fty);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(c, f, "entry"));
  LLVMValueRef x = LLVMGetParam(f, 0);
  LLVMValueRef s = LLVMBuildCall2(b, fty, sinf_fn, &x, 1, "s");
  LLVMValueRef h = LLVMBuildCall2(b, fty, bias_fn, &x, 1, "h");
  LLVMBuildRet(b, LLVMBuildFAdd(b, s, h, "r"));
  LLVMDisposeBuilder(b);
  return m;
}

static vy_status add_host_call(vy_orc *jit, const char *fname, const char *host_fn, vy_orc_kernel **k, vy_error *err) {
  job j;
  LLVMContextRef c = job_begin(&j);
  job_prepare(&j, build_host_call(c, fname, host_fn), VY_JIT_O2);
  vy_bytes obj = {0};
  job_emit(&j, &obj);
  job_end(&j);
  vy_status st = vy_orc_add_object(jit, obj.data, obj.len, fname, k, err);
  vy_bytes_free(&obj);
  return st;
}

static void kernels_call_libm_and_host_functions(void **state) {
  (void)state;
  vy_error err;
  vy_orc *jit = NULL;
  assert_int_equal(vy_orc_create(NULL, &host, VY_JIT_O2, &jit, &err), VY_OK);
  assert_int_equal(vy_orc_define_symbol(jit, "test_host_bias", (const void *)(uintptr_t)test_host_bias, &err), VY_OK);
  assert_int_equal(vy_orc_define_symbol(jit, "test_host_bias", (const void *)(uintptr_t)test_host_bias, &err),
                   VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "test_host_bias"));
  vy_orc_kernel *k = NULL;
  assert_int_equal(add_host_call(jit, "hk", "test_host_bias", &k, &err), VY_OK);
  float (*hk)(float) = (float (*)(float))vy_orc_kernel_entry(k);
  static const float xs[] = {0.0f, 0.5f, -1.25f, 3.0f, 100.0f, -7.75f};
  for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
    float want = sinf(xs[i]) + test_host_bias(xs[i]);
    float got = hk(xs[i]);
    assert_memory_equal(&got, &want, sizeof got);
  }
  assert_int_equal(vy_orc_kernel_remove(k, &err), VY_OK);
  vy_orc_destroy(jit);
}

/* void vsin(float *noalias a, i64 n) { for (i...) a[i] = llvm.sin.f32(a[i]); } */
static LLVMModuleRef build_vsin(LLVMContextRef c) {
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext("vsin", c);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(c, 0), f32 = LLVMFloatTypeInContext(c), i64 = LLVMInt64TypeInContext(c);
  LLVMTypeRef params[] = {ptr, i64};
  LLVMValueRef f = LLVMAddFunction(m, "vsin", LLVMFunctionType(LLVMVoidTypeInContext(c), params, 2, 0));
  LLVMAddAttributeAtIndex(f, 1, enum_attr(c, "noalias"));
  const char *iname = "llvm.sin.f32";
  LLVMValueRef sin_fn = LLVMGetIntrinsicDeclaration(m, LLVMLookupIntrinsicID(iname, strlen(iname)), &f32, 1);
  counted_loop L;
  loop_open(c, f, LLVMGetParam(f, 1), &L);
  LLVMValueRef pa = LLVMBuildInBoundsGEP2(L.b, f32, LLVMGetParam(f, 0), &L.i, 1, "pa");
  LLVMValueRef v = LLVMBuildLoad2(L.b, f32, pa, "v");
  LLVMBuildStore(L.b, LLVMBuildCall2(L.b, LLVMFunctionType(f32, &f32, 1, 0), sin_fn, &v, 1, "s"), pa);
  loop_close(c, &L);
  return m;
}

/* Distance in units in the last place between two finite floats. */
static uint32_t ulp_distance(float a, float b) {
  int32_t ia, ib;
  memcpy(&ia, &a, 4);
  memcpy(&ib, &b, 4);
  if (ia < 0) ia = INT32_MIN - ia;
  if (ib < 0) ib = INT32_MIN - ib;
  return ia > ib ? (uint32_t)ia - (uint32_t)ib : (uint32_t)ib - (uint32_t)ia;
}

static void vectorized_math_calls_libmvec(void **state) {
  (void)state;
  if (!vy_jit_has_libmvec()) {
    printf("[ SKIP     ] libmvec.so.1 is not available on this host\n");
    skip();
  }
  job j;
  LLVMContextRef c = job_begin(&j);
  job_prepare(&j, build_vsin(c), VY_JIT_O2);
  const char *vec_name = NULL;
  for (LLVMValueRef f = LLVMGetFirstFunction(j.m); f; f = LLVMGetNextFunction(f)) {
    size_t len;
    const char *name = LLVMGetValueName2(f, &len);
    if (len > 4 && memcmp(name, "_ZGV", 4) == 0) vec_name = name; /* glibc's vector ABI names */
  }
  assert_non_null(vec_name);
  printf("[ INFO     ] llvm.sin.f32 in the loop became %s\n", vec_name);
  vy_bytes obj = {0};
  job_emit(&j, &obj);
  job_end(&j);
  vy_orc_kernel *k = NULL;
  vy_error err;
  assert_int_equal(vy_orc_add_object(shared_jit, obj.data, obj.len, "vsin", &k, &err), VY_OK);
  vy_bytes_free(&obj);
  enum { N = 517 };
  float a[N], x[N];
  for (int i = 0; i < N; i++) a[i] = x[i] = -10.0f + 20.0f * (float)i / N;
  ((void (*)(float *, int64_t))vy_orc_kernel_entry(k))(a, N);
  for (int i = 0; i < N; i++) assert_true(ulp_distance(a[i], sinf(x[i])) <= 4); /* vyre's elementary bound */
  assert_int_equal(vy_orc_kernel_remove(k, &err), VY_OK);
}

/* ---- errors ---- */

/* void <fname>(void) { <missing>(); } */
static LLVMModuleRef build_unresolved(LLVMContextRef c, const char *fname, const char *missing) {
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext(fname, c);
  LLVMTypeRef vty = LLVMFunctionType(LLVMVoidTypeInContext(c), NULL, 0, 0);
  LLVMValueRef f = LLVMAddFunction(m, fname, vty);
  LLVMValueRef callee = LLVMAddFunction(m, missing, vty);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(c, f, "entry"));
  LLVMBuildCall2(b, vty, callee, NULL, 0, "");
  LLVMBuildRetVoid(b);
  LLVMDisposeBuilder(b);
  return m;
}

static void unresolved_symbols_fail_cleanly(void **state) {
  (void)state;
  vy_error err;
  for (int via_object = 0; via_object < 2; via_object++) {
    vy_orc_ctx *ctx = vy_orc_ctx_create();
    LLVMModuleRef m = build_unresolved(vy_orc_ctx_llvm(ctx), "unres_k", "vy_no_such_symbol_42");
    LLVMTargetMachineRef tm = NULL;
    assert_int_equal(vy_jit_tm_host(&host, VY_JIT_O2, &tm, &err), VY_OK);
    assert_int_equal(vy_jit_module_set_target(m, tm, &err), VY_OK);
    vy_orc_kernel *k = NULL;
    vy_status st;
    if (via_object) {
      vy_bytes obj = {0};
      assert_int_equal(vy_jit_emit(m, tm, VY_JIT_EMIT_OBJECT, NULL, &obj, &err), VY_OK);
      LLVMDisposeModule(m);
      st = vy_orc_add_object(shared_jit, obj.data, obj.len, "unres_k", &k, &err);
      vy_bytes_free(&obj);
    } else {
      st = vy_orc_add_module(shared_jit, ctx, m, "unres_k", &k, &err);
    }
    LLVMDisposeTargetMachine(tm);
    vy_orc_ctx_release(ctx);
    assert_int_equal(st, VY_E_COMPILE_FAILED);
    assert_null(k);
    assert_non_null(strstr(err.message, "vy_no_such_symbol_42"));
    assert_non_null(strstr(err.message, "Fix:"));
    /* the failed kernel left nothing behind: its name can be used again */
    assert_int_equal(add_via_object(shared_jit, "unres_k", 2.0f, &k, &err), VY_OK);
    check_axpy(vy_orc_kernel_entry(k), 2.0f);
    assert_int_equal(vy_orc_kernel_remove(k, &err), VY_OK);
  }
}

static void duplicate_and_corrupt_inputs_are_refused(void **state) {
  (void)state;
  vy_error err;
  vy_bytes obj = {0};
  compile_object("dup_k", 2.0f, &obj);
  vy_orc_kernel *k1 = NULL, *k2 = NULL;
  assert_int_equal(vy_orc_add_object(shared_jit, obj.data, obj.len, "dup_k", &k1, &err), VY_OK);
  assert_int_equal(vy_orc_add_object(shared_jit, obj.data, obj.len, "dup_k", &k2, &err), VY_E_COMPILE_FAILED);
  assert_null(k2);
  assert_non_null(strstr(err.message, "dup_k"));
  assert_int_equal(add_via_module(shared_jit, "dup_k", 2.0f, &k2, &err), VY_E_COMPILE_FAILED);
  check_axpy(vy_orc_kernel_entry(k1), 2.0f); /* the first one is untouched */
  assert_int_equal(vy_orc_kernel_remove(k1, &err), VY_OK);
  vy_bytes_free(&obj);

  static const char junk[] = "this is not an object file, just some bytes of text";
  assert_int_equal(vy_orc_add_object(shared_jit, junk, sizeof junk, "junk", &k1, &err), VY_E_COMPILE_FAILED);
  assert_null(k1);
  assert_int_equal(vy_orc_add_object(shared_jit, junk, 0, "junk", &k1, &err), VY_E_INVALID_ARGUMENT);

  /* a module with another data layout than the JIT's */
  vy_orc_ctx *ctx = vy_orc_ctx_create();
  LLVMModuleRef m = build_axpy(vy_orc_ctx_llvm(ctx), "dl", "dl_k", 2.0f);
  LLVMSetDataLayout(m, "e-p:32:32-i64:64");
  assert_int_equal(vy_orc_add_module(shared_jit, ctx, m, "dl_k", &k1, &err), VY_E_COMPILE_FAILED);
  assert_non_null(strstr(err.message, "data layout"));
  vy_orc_ctx_release(ctx);

  uint64_t addr;
  assert_int_equal(vy_orc_lookup(shared_jit, "never_defined_anywhere", &addr, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "never_defined_anywhere"));
  assert_int_equal(vy_orc_add_module(shared_jit, NULL, NULL, "x", &k1, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_orc_create(NULL, NULL, VY_JIT_O2, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_int_equal(vy_orc_define_symbol(shared_jit, "", &addr, &err), VY_E_INVALID_ARGUMENT);
  vy_orc_destroy(NULL);
  vy_orc_ctx_release(NULL);
}

/* ---- concurrent compiles into one JIT ---- */

enum { CC_THREADS = 4, CC_KERNELS = 6 };

typedef struct cc_arg {
  int t;
  vy_orc_kernel *k[CC_KERNELS];
  int bad;
} cc_arg;

/* Independent of cmocka (whose asserts longjmp on the main thread only). */
static void *cc_thread(void *p) {
  cc_arg *a = p;
  for (int i = 0; i < CC_KERNELS; i++) {
    char name[32];
    snprintf(name, sizeof name, "cc_%d_%d", a->t, i);
    float mul = (float)(a->t * CC_KERNELS + i + 1) * 0.25f;
    vy_orc_ctx *ctx = vy_orc_ctx_create();
    LLVMModuleRef m = build_axpy(vy_orc_ctx_llvm(ctx), name, name, mul);
    LLVMTargetMachineRef tm = NULL;
    vy_error err;
    vy_status st = vy_jit_tm_host(&host, VY_JIT_O2, &tm, &err);
    if (!st) st = vy_jit_module_set_target(m, tm, &err);
    if (!st) st = vy_jit_optimize(m, tm, VY_JIT_O2, &err);
    if (!st && i % 2 == 0) { /* even: object path; odd: ORC compiles */
      vy_bytes obj = {0};
      st = vy_jit_emit(m, tm, VY_JIT_EMIT_OBJECT, NULL, &obj, &err);
      LLVMDisposeModule(m);
      if (!st) st = vy_orc_add_object(shared_jit, obj.data, obj.len, name, &a->k[i], &err);
      vy_bytes_free(&obj);
    } else if (!st) {
      st = vy_orc_add_module(shared_jit, ctx, m, name, &a->k[i], &err);
    } else {
      LLVMDisposeModule(m);
    }
    if (tm) LLVMDisposeTargetMachine(tm);
    vy_orc_ctx_release(ctx);
    if (st) {
      fprintf(stderr, "thread %d kernel %d: %s\n", a->t, i, err.message);
      a->bad++;
      continue;
    }
    float x[64], y[64];
    for (int e = 0; e < 64; e++) x[e] = (float)e, y[e] = (float)(64 - e);
    ((axpy_fn)vy_orc_kernel_entry(a->k[i]))(x, y, 64);
    for (int e = 0; e < 64; e++) a->bad += x[e] != (float)e + (float)(64 - e) * mul;
  }
  return NULL;
}

static void threads_compile_into_one_jit(void **state) {
  (void)state;
  pthread_t th[CC_THREADS];
  cc_arg args[CC_THREADS];
  memset(args, 0, sizeof args);
  for (int t = 0; t < CC_THREADS; t++) {
    args[t].t = t;
    assert_int_equal(pthread_create(&th[t], NULL, cc_thread, &args[t]), 0);
  }
  for (int t = 0; t < CC_THREADS; t++) pthread_join(th[t], NULL);
  vy_error err;
  for (int t = 0; t < CC_THREADS; t++) {
    assert_int_equal(args[t].bad, 0);
    for (int i = 0; i < CC_KERNELS; i++) {
      /* every kernel still answers under its own name */
      char name[32];
      snprintf(name, sizeof name, "cc_%d_%d", t, i);
      uint64_t addr = 0;
      assert_int_equal(vy_orc_lookup(shared_jit, name, &addr, &err), VY_OK);
      assert_true(addr == (uint64_t)(uintptr_t)vy_orc_kernel_entry(args[t].k[i]));
      assert_int_equal(vy_orc_kernel_remove(args[t].k[i], &err), VY_OK);
    }
  }
}

/* ---- NVPTX ---- */

static void nvptx_machine_emits_ptx(void **state) {
  (void)state;
  if (!vy_jit_has_nvptx()) {
    printf("[ SKIP     ] this LLVM has no NVPTX target\n");
    skip();
  }
  /* PTX ISA manual: sm_90 needs PTX 7.8 or later; "+ptx80" asks for 8.0 */
  static const struct {
    unsigned ptx;
    const char *version;
  } cases[] = {{0, ".version 7.8"}, {80, ".version 8.0"}};
  for (size_t i = 0; i < 2; i++) {
    LLVMTargetMachineRef tm = NULL;
    vy_error err;
    assert_int_equal(vy_jit_tm_nvptx("sm_90", cases[i].ptx, VY_JIT_O3, &tm, &err), VY_OK);
    LLVMContextRef c = LLVMContextCreate();
    LLVMModuleRef m = build_axpy(c, "ptx", "ptx_k", 2.0f);
    assert_int_equal(vy_jit_module_set_target(m, tm, &err), VY_OK);
    assert_string_equal(LLVMGetTarget(m), "nvptx64-nvidia-cuda");
    assert_string_equal(LLVMGetDataLayoutStr(m), "e-i64:64-i128:128-v16:16-v32:32-n16:32:64");
    assert_int_equal(vy_jit_optimize(m, tm, VY_JIT_O3, &err), VY_OK);
    vy_bytes ptx = {0};
    assert_int_equal(vy_jit_emit(m, tm, VY_JIT_EMIT_ASM, NULL, &ptx, &err), VY_OK);
    assert_non_null(strstr((char *)ptx.data, cases[i].version));
    assert_non_null(strstr((char *)ptx.data, ".target sm_90"));
    assert_non_null(strstr((char *)ptx.data, ".address_size 64"));
    assert_non_null(strstr((char *)ptx.data, "ptx_k"));
    vy_bytes_free(&ptx);
    LLVMDisposeModule(m);
    LLVMContextDispose(c);
    LLVMDisposeTargetMachine(tm);
  }
  LLVMTargetMachineRef tm = NULL;
  vy_error err;
  assert_int_equal(vy_jit_tm_nvptx("sm_99", 0, VY_JIT_O3, &tm, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "sm_99"));
  assert_int_equal(vy_jit_tm_nvptx("sm_90", 79, VY_JIT_O3, &tm, &err), VY_E_UNSUPPORTED);
  assert_int_equal(vy_jit_tm_nvptx("sm_90a", 85, VY_JIT_O3, &tm, &err), VY_OK);
  LLVMDisposeTargetMachine(tm);
  assert_int_equal(vy_jit_tm_nvptx(NULL, 0, VY_JIT_O3, &tm, &err), VY_E_INVALID_ARGUMENT);
}

/* ---- dumps and the verifier ---- */

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)len + 1);
  size_t got = fread(s, 1, (size_t)len, f);
  s[got] = 0;
  fclose(f);
  return s;
}

static void dump_stage_selection(void **state) {
  (void)state;
  unsetenv("VYRE_JIT_DUMP");
  assert_int_equal(vy_jit_dump_stages(), 0);
  setenv("VYRE_JIT_DUMP", "opt", 1);
  assert_int_equal(vy_jit_dump_stages(), VY_JIT_DUMP_OPT);
  setenv("VYRE_JIT_DUMP", "ir,bogus,asm", 1);
  assert_int_equal(vy_jit_dump_stages(), VY_JIT_DUMP_IR | VY_JIT_DUMP_ASM);
  setenv("VYRE_JIT_DUMP", "all", 1);
  assert_int_equal(vy_jit_dump_stages(), VY_JIT_DUMP_IR | VY_JIT_DUMP_OPT | VY_JIT_DUMP_ASM);
  setenv("VYRE_JIT_DUMP", ",,ir,", 1);
  assert_int_equal(vy_jit_dump_stages(), VY_JIT_DUMP_IR);
  unsetenv("VYRE_JIT_DUMP");
}

static void dumps_land_in_files(void **state) {
  (void)state;
  char dir[] = "/tmp/vyre-jit-dump-XXXXXX";
  assert_non_null(mkdtemp(dir));
  setenv("VYRE_JIT_DUMP", "ir,opt,asm", 1);
  setenv("VYRE_JIT_DUMP_DIR", dir, 1);
  job j;
  job_start(&j, "dump/k 1", "dump_k", 2.0f, VY_JIT_O2); /* '/' and ' ' become '_' */
  job_end(&j);
  char path[256];
  static const struct {
    const char *suffix, *must;
  } files[] = {{".ir.ll", "define void @dump_k"}, {".opt.ll", "define void @dump_k"}, {".s", "dump_k:"}};
  for (size_t i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/dump_k_1%s", dir, files[i].suffix);
    char *text = slurp(path);
    assert_non_null(text);
    assert_non_null(strstr(text, files[i].must));
    if (i == 0) assert_null(strstr(text, "x float>")); /* the input is scalar ... */
#if defined(__x86_64__) || defined(__aarch64__)
    if (i == 1) assert_non_null(strstr(text, "x float>")); /* ... the optimized loop is not */
#endif
    free(text);
    unlink(path);
  }
  if (vy_jit_has_nvptx()) { /* PTX dumps get their own suffix */
    setenv("VYRE_JIT_DUMP", "asm", 1);
    LLVMTargetMachineRef tm = NULL;
    vy_error err;
    assert_int_equal(vy_jit_tm_nvptx("sm_80", 0, VY_JIT_O2, &tm, &err), VY_OK);
    LLVMContextRef c = LLVMContextCreate();
    LLVMModuleRef m = build_axpy(c, "dump_ptx", "dump_ptx_k", 2.0f);
    assert_int_equal(vy_jit_module_set_target(m, tm, &err), VY_OK);
    assert_int_equal(vy_jit_optimize(m, tm, VY_JIT_O2, &err), VY_OK);
    snprintf(path, sizeof path, "%s/dump_ptx.ptx", dir);
    char *text = slurp(path);
    assert_non_null(text);
    assert_non_null(strstr(text, ".target sm_80"));
    free(text);
    unlink(path);
    LLVMDisposeModule(m);
    LLVMContextDispose(c);
    LLVMDisposeTargetMachine(tm);
  }
  assert_int_equal(rmdir(dir), 0); /* nothing else was written */

  setenv("VYRE_JIT_DUMP_DIR", "/nonexistent/vyre-jit-dump", 1);
  vy_orc_ctx *ctx = vy_orc_ctx_create();
  LLVMModuleRef m = build_axpy(vy_orc_ctx_llvm(ctx), "nodir", "nodir_k", 2.0f);
  LLVMTargetMachineRef tm = NULL;
  vy_error err;
  assert_int_equal(vy_jit_tm_host(&host, VY_JIT_O2, &tm, &err), VY_OK);
  assert_int_equal(vy_jit_module_set_target(m, tm, &err), VY_OK);
  assert_int_equal(vy_jit_optimize(m, tm, VY_JIT_O2, &err), VY_E_IO);
  assert_non_null(strstr(err.message, "/nonexistent/vyre-jit-dump"));
  assert_non_null(strstr(err.message, "Fix:"));
  unsetenv("VYRE_JIT_DUMP");
  unsetenv("VYRE_JIT_DUMP_DIR");
  assert_int_equal(vy_jit_optimize(m, tm, VY_JIT_O2, &err), VY_OK); /* dumps off: fine again */
  LLVMDisposeModule(m);
  LLVMDisposeTargetMachine(tm);
  vy_orc_ctx_release(ctx);
}

static void broken_module_is_reported_in_debug_builds(void **state) {
  (void)state;
#ifdef NDEBUG
  printf("[ SKIP     ] the verifier runs in debug builds only (NDEBUG is set)\n");
  skip();
#else
  vy_orc_ctx *ctx = vy_orc_ctx_create();
  LLVMContextRef c = vy_orc_ctx_llvm(ctx);
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext("broken", c);
  LLVMValueRef f = LLVMAddFunction(m, "broken", LLVMFunctionType(LLVMVoidTypeInContext(c), NULL, 0, 0));
  LLVMAppendBasicBlockInContext(c, f, "entry"); /* a block without terminator */
  LLVMTargetMachineRef tm = NULL;
  vy_error err;
  assert_int_equal(vy_jit_tm_host(&host, VY_JIT_O2, &tm, &err), VY_OK);
  assert_int_equal(vy_jit_module_set_target(m, tm, &err), VY_OK);
  assert_int_equal(vy_jit_optimize(m, tm, VY_JIT_O2, &err), VY_E_INTERNAL);
  assert_non_null(strstr(err.message, "terminator"));
  assert_non_null(strstr(err.message, "Fix:"));
  LLVMDisposeModule(m);
  LLVMDisposeTargetMachine(tm);
  vy_orc_ctx_release(ctx);
#endif
}

/* ---- allocation failures ---- */

static vy_status detect_with(const vy_allocator *alloc, void *ctx) {
  (void)ctx;
  vy_jit_host h;
  vy_status st = vy_jit_host_detect(alloc, &h, NULL);
  if (!st) assert_string_equal(h.cpu, host.cpu);
  vy_jit_host_free(&h);
  return st;
}

static vy_status jit_with(const vy_allocator *alloc, void *ctx) {
  const vy_bytes *obj = ctx;
  vy_orc *jit = NULL;
  vy_status st = vy_orc_create(alloc, &host, VY_JIT_O2, &jit, NULL);
  if (st) return st;
  vy_orc_kernel *k = NULL;
  st = vy_orc_add_object(jit, obj->data, obj->len, "fault_k", &k, NULL);
  if (!st) {
    check_axpy(vy_orc_kernel_entry(k), 2.0f);
    assert_int_equal(vy_orc_kernel_remove(k, NULL), VY_OK);
  }
  vy_orc_destroy(jit);
  return st;
}

static vy_status emit_with(const vy_allocator *alloc, void *ctx) {
  (void)ctx;
  job j;
  job_start(&j, "fault_emit", "fault_emit", 2.0f, VY_JIT_O1);
  vy_bytes obj = {0};
  vy_status st = vy_jit_emit(j.m, j.tm, VY_JIT_EMIT_OBJECT, alloc, &obj, NULL);
  if (st) assert_null(obj.data);
  vy_bytes_free(&obj);
  job_end(&j);
  return st;
}

static void allocation_failures_are_clean(void **state) {
  (void)state;
  assert_int_equal(vy_fault_run_all(detect_with, NULL), 3); /* triple, cpu, features */
  vy_bytes obj = {0};
  compile_object("fault_k", 2.0f, &obj);
  assert_int_equal(vy_fault_run_all(jit_with, &obj), 2); /* the JIT, the kernel handle */
  vy_bytes_free(&obj);
  assert_int_equal(vy_fault_run_all(emit_with, NULL), 1); /* the output buffer */
}

/* ---- timings (reported, not asserted) ---- */

static void cold_compile_time(void **state) {
  (void)state;
  enum { RUNS = 20 };
  double obj_path[RUNS], ir_path[RUNS], hit[RUNS], create[RUNS];
  vy_error err;
  vy_bytes cached = {0};
  for (int r = 0; r < RUNS; r++) {
    char name[32];
    vy_orc_kernel *k = NULL;
    /* create module -> optimized -> object -> linked -> callable */
    snprintf(name, sizeof name, "cold_obj_%d", r);
    double t0 = now_ms();
    assert_int_equal(add_via_object(shared_jit, name, 2.0f, &k, &err), VY_OK);
    obj_path[r] = now_ms() - t0;
    check_axpy(vy_orc_kernel_entry(k), 2.0f);
    assert_int_equal(vy_orc_kernel_remove(k, &err), VY_OK);
    /* the same with ORC doing codegen */
    snprintf(name, sizeof name, "cold_ir_%d", r);
    t0 = now_ms();
    assert_int_equal(add_via_module(shared_jit, name, 2.0f, &k, &err), VY_OK);
    ir_path[r] = now_ms() - t0;
    check_axpy(vy_orc_kernel_entry(k), 2.0f);
    assert_int_equal(vy_orc_kernel_remove(k, &err), VY_OK);
    /* a cache hit: object bytes -> linked -> callable */
    if (r == 0) compile_object("cold_hit", 2.0f, &cached);
    t0 = now_ms();
    assert_int_equal(vy_orc_add_object(shared_jit, cached.data, cached.len, "cold_hit", &k, &err), VY_OK);
    hit[r] = now_ms() - t0;
    check_axpy(vy_orc_kernel_entry(k), 2.0f);
    assert_int_equal(vy_orc_kernel_remove(k, &err), VY_OK);
    vy_orc *jit = NULL;
    t0 = now_ms();
    assert_int_equal(vy_orc_create(NULL, &host, VY_JIT_O2, &jit, &err), VY_OK);
    create[r] = now_ms() - t0;
    vy_orc_destroy(jit);
  }
  vy_bytes_free(&cached);
  printf("[ MEASURE  ] cold compile, axpy f32 loop, O2, median of %d (%s):\n", RUNS, host.cpu);
  printf("[ MEASURE  ]   build IR + optimize + emit object + link + lookup: %.2f ms\n", median(obj_path, RUNS));
  printf("[ MEASURE  ]   build IR + optimize + ORC codegen (add_module) + lookup: %.2f ms\n", median(ir_path, RUNS));
  printf("[ MEASURE  ]   object already compiled (cache hit): link + lookup: %.3f ms\n", median(hit, RUNS));
  printf("[ MEASURE  ]   new LLJIT (vy_orc_create): %.3f ms\n", median(create, RUNS));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(host_matches_cpuinfo),
      cmocka_unit_test(module_gets_the_machine_layout),
      cmocka_unit_test(o2_kernel_runs_via_object),
      cmocka_unit_test(o2_kernel_runs_via_module),
      cmocka_unit_test(every_opt_level_is_correct),
      cmocka_unit_test(o2_loop_uses_packed_vectors),
      cmocka_unit_test(removed_kernel_is_gone_and_its_memory_freed),
      cmocka_unit_test(object_loads_into_a_fresh_jit),
      cmocka_unit_test(kernels_call_libm_and_host_functions),
      cmocka_unit_test(vectorized_math_calls_libmvec),
      cmocka_unit_test(unresolved_symbols_fail_cleanly),
      cmocka_unit_test(duplicate_and_corrupt_inputs_are_refused),
      cmocka_unit_test(threads_compile_into_one_jit),
      cmocka_unit_test(nvptx_machine_emits_ptx),
      cmocka_unit_test(dump_stage_selection),
      cmocka_unit_test(dumps_land_in_files),
      cmocka_unit_test(broken_module_is_reported_in_debug_builds),
      cmocka_unit_test(allocation_failures_are_clean),
      cmocka_unit_test(cold_compile_time),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
