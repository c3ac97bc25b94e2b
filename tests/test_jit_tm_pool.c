/* test_jit_tm_pool.c - jit/tm_pool.c: target machines reused across compile
 * jobs give the very same object code as fresh ones, concurrent takers get
 * distinct machines, levels are kept apart, a full pool disposes the
 * surplus, bad arguments and allocation failures are clean.
 *
 * Expected values: the object code of a fresh machine from vy_jit_tm_host
 * (the path every compile took before the pool), and the pool's contract in
 * tm_pool_int.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/IRReader.h>

#include "fault_alloc.h"
#include "tm_pool_int.h"

static vy_jit_host host;

static int group_setup(void **state) {
  (void)state;
  vy_error err;
  return vy_jit_host_detect(NULL, &host, &err) == VY_OK ? 0 : -1;
}

static int group_teardown(void **state) {
  (void)state;
  vy_jit_host_free(&host);
  return 0;
}

/* y[i] = a * x[i] + y[i] over i < n: a loop the O2 pipeline vectorizes. */
static const char axpy_ir[] = "define void @k(ptr noalias %x, ptr noalias %y, float %a, i64 %n) nounwind {\n"
                              "entry:\n"
                              "  %any = icmp sgt i64 %n, 0\n"
                              "  br i1 %any, label %loop, label %done\n"
                              "loop:\n"
                              "  %i = phi i64 [ 0, %entry ], [ %next, %loop ]\n"
                              "  %px = getelementptr inbounds float, ptr %x, i64 %i\n"
                              "  %py = getelementptr inbounds float, ptr %y, i64 %i\n"
                              "  %vx = load float, ptr %px\n"
                              "  %vy = load float, ptr %py\n"
                              "  %m = fmul float %a, %vx\n"
                              "  %s = fadd float %m, %vy\n"
                              "  store float %s, ptr %py\n"
                              "  %next = add nsw i64 %i, 1\n"
                              "  %more = icmp slt i64 %next, %n\n"
                              "  br i1 %more, label %loop, label %done\n"
                              "done:\n"
                              "  ret void\n"
                              "}\n";

/* A different kernel (integer sum with a division) compiled in between, so
 * that the reused machine has seen other code. */
static const char other_ir[] = "define i32 @other(ptr %p, i32 %d, i64 %n) nounwind {\n"
                               "entry:\n"
                               "  br label %loop\n"
                               "loop:\n"
                               "  %i = phi i64 [ 0, %entry ], [ %next, %loop ]\n"
                               "  %acc = phi i32 [ 0, %entry ], [ %acc2, %loop ]\n"
                               "  %pp = getelementptr inbounds i32, ptr %p, i64 %i\n"
                               "  %v = load i32, ptr %pp\n"
                               "  %q = sdiv i32 %v, %d\n"
                               "  %acc2 = add i32 %acc, %q\n"
                               "  %next = add nuw i64 %i, 1\n"
                               "  %more = icmp ult i64 %next, %n\n"
                               "  br i1 %more, label %loop, label %done\n"
                               "done:\n"
                               "  ret i32 %acc2\n"
                               "}\n";

/* Parses `ir`, optimizes it at `opt` with `tm` and emits an object into *obj. */
static void compile_with(LLVMTargetMachineRef tm, const char *ir, vy_jit_opt opt, vy_bytes *obj) {
  LLVMContextRef c = LLVMContextCreate();
  LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(ir, strlen(ir), "test.ll");
  LLVMModuleRef m = NULL;
  char *msg = NULL;
  assert_int_equal(LLVMParseIRInContext(c, buf, &m, &msg), 0); /* takes buf */
  vy_error err;
  assert_int_equal(vy_jit_module_set_target(m, tm, &err), VY_OK);
  assert_int_equal(vy_jit_optimize(m, tm, opt, &err), VY_OK);
  assert_int_equal(vy_jit_emit(m, tm, VY_JIT_EMIT_OBJECT, NULL, obj, &err), VY_OK);
  assert_true(obj->len > 0);
  LLVMDisposeModule(m);
  LLVMContextDispose(c);
}

static void reused_machine_gives_identical_objects(void **state) {
  (void)state;
  vy_error err;
  for (vy_jit_opt opt = VY_JIT_O2; opt <= VY_JIT_O3; opt++) {
    LLVMTargetMachineRef fresh = NULL;
    assert_int_equal(vy_jit_tm_host(&host, opt, &fresh, &err), VY_OK);
    vy_bytes want = {0};
    compile_with(fresh, axpy_ir, opt, &want);
    LLVMDisposeTargetMachine(fresh);

    vy_jit_tm_pool *p = NULL;
    assert_int_equal(vy_jit_tm_pool_create(NULL, &host, &p, &err), VY_OK);
    LLVMTargetMachineRef tm = NULL;
    assert_int_equal(vy_jit_tm_pool_take(p, opt, &tm, &err), VY_OK);
    vy_bytes other = {0};
    compile_with(tm, other_ir, opt, &other);
    vy_bytes_free(&other);
    vy_jit_tm_pool_give(p, opt, tm);
    for (int round = 0; round < 3; round++) { /* the same machine again and again */
      LLVMTargetMachineRef again = NULL;
      assert_int_equal(vy_jit_tm_pool_take(p, opt, &again, &err), VY_OK);
      assert_ptr_equal(again, tm);
      vy_bytes got = {0};
      compile_with(again, axpy_ir, opt, &got);
      vy_jit_tm_pool_give(p, opt, again);
      assert_int_equal(got.len, want.len);
      assert_memory_equal(got.data, want.data, want.len);
      vy_bytes_free(&got);
    }
    vy_jit_tm_pool_destroy(p);
    vy_bytes_free(&want);
  }
}

static void takers_get_distinct_machines_per_level(void **state) {
  (void)state;
  vy_error err;
  vy_jit_tm_pool *p = NULL;
  assert_int_equal(vy_jit_tm_pool_create(NULL, &host, &p, &err), VY_OK);
  enum { N = 12 }; /* more than the pool keeps: the surplus is disposed on give */
  LLVMTargetMachineRef tms[N];
  for (int i = 0; i < N; i++) {
    assert_int_equal(vy_jit_tm_pool_take(p, VY_JIT_O2, &tms[i], &err), VY_OK);
    for (int j = 0; j < i; j++) assert_ptr_not_equal(tms[i], tms[j]); /* all held at once */
  }
  for (int i = 0; i < N; i++) vy_jit_tm_pool_give(p, VY_JIT_O2, tms[i]);
  /* Two O2 takers get kept machines (live ones: their addresses can be
   * compared), distinct; an O3 taker meanwhile never gets an O2 machine. */
  LLVMTargetMachineRef a = NULL, b = NULL, o3 = NULL;
  assert_int_equal(vy_jit_tm_pool_take(p, VY_JIT_O2, &a, &err), VY_OK);
  assert_int_equal(vy_jit_tm_pool_take(p, VY_JIT_O2, &b, &err), VY_OK);
  assert_ptr_not_equal(a, b);
  assert_int_equal(vy_jit_tm_pool_take(p, VY_JIT_O3, &o3, &err), VY_OK);
  assert_ptr_not_equal(o3, a);
  assert_ptr_not_equal(o3, b);
  vy_jit_tm_pool_give(p, VY_JIT_O3, o3);
  vy_jit_tm_pool_give(p, VY_JIT_O2, a);
  LLVMDisposeTargetMachine(b); /* a holder may also dispose its machine itself */
  /* The O3 machine comes back to the next O3 taker, not to an O2 one. */
  LLVMTargetMachineRef again = NULL;
  assert_int_equal(vy_jit_tm_pool_take(p, VY_JIT_O2, &again, &err), VY_OK);
  assert_ptr_not_equal(again, o3);
  vy_jit_tm_pool_give(p, VY_JIT_O2, again);
  assert_int_equal(vy_jit_tm_pool_take(p, VY_JIT_O3, &again, &err), VY_OK);
  assert_ptr_equal(again, o3);
  vy_jit_tm_pool_give(p, VY_JIT_O3, again);
  vy_jit_tm_pool_give(p, VY_JIT_O2, NULL);    /* no-op */
  vy_jit_tm_pool_give(NULL, VY_JIT_O2, NULL); /* no-op */
  vy_jit_tm_pool_destroy(p);                  /* disposes the kept O2 and O3 machines (ASan: no leak) */
  vy_jit_tm_pool_destroy(NULL);
}

static void bad_arguments_are_refused(void **state) {
  (void)state;
  vy_error err;
  vy_jit_tm_pool *p = (vy_jit_tm_pool *)&err; /* must be reset to NULL */
  assert_int_equal(vy_jit_tm_pool_create(NULL, NULL, &p, &err), VY_E_INVALID_ARGUMENT);
  assert_null(p);
  assert_non_null(strstr(err.message, "Fix:"));
  assert_int_equal(vy_jit_tm_pool_create(NULL, &host, NULL, &err), VY_E_INVALID_ARGUMENT);
  LLVMTargetMachineRef tm = (LLVMTargetMachineRef)&err;
  assert_int_equal(vy_jit_tm_pool_take(NULL, VY_JIT_O2, &tm, &err), VY_E_INVALID_ARGUMENT);
  assert_null(tm);
  assert_non_null(strstr(err.message, "Fix:"));
}

static vy_status create_take_give_destroy(const vy_allocator *alloc, void *ctx) {
  (void)ctx;
  vy_error err;
  vy_jit_tm_pool *p = NULL;
  vy_status st = vy_jit_tm_pool_create(alloc, &host, &p, &err);
  if (st != VY_OK) {
    assert_null(p);
    return st;
  }
  LLVMTargetMachineRef tm = NULL;
  st = vy_jit_tm_pool_take(p, VY_JIT_O2, &tm, &err);
  assert_int_equal(st, VY_OK); /* machines come from LLVM's heap, not `alloc` */
  vy_jit_tm_pool_give(p, VY_JIT_O2, tm);
  vy_jit_tm_pool_destroy(p);
  return VY_OK;
}

static void allocation_failures_are_clean(void **state) {
  (void)state;
  assert_true(vy_fault_run_all(create_take_give_destroy, NULL) >= 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reused_machine_gives_identical_objects),
      cmocka_unit_test(takers_get_distinct_machines_per_level),
      cmocka_unit_test(bad_arguments_are_refused),
      cmocka_unit_test(allocation_failures_are_clean),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
