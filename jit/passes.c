/* passes.c - the optimization pipeline: LLVM's new pass manager with the
 * default<On> pipelines and the target machine's cost model. See jit_int.h. */
#include <stdio.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "error_int.h"
#include "jit_int.h"

#ifndef NDEBUG
/* Returns VY_E_INTERNAL with the verifier's report when `m` is broken. A
 * module from our own lowering that fails here is a vyre-jit bug. */
static vy_status verify(LLVMModuleRef m, const char *when, vy_error *err) {
  char *msg = NULL;
  if (LLVMVerifyModule(m, LLVMReturnStatusAction, &msg)) { /* true = broken */
    char what[64];
    snprintf(what, sizeof what, "LLVM module is invalid %s", when);
    return vy_jit_llvm_message(err, VY_E_INTERNAL, msg, what,
                               "this is a bug in the lowering; please report it with VYRE_JIT_DUMP=ir output");
  }
  LLVMDisposeMessage(msg);
  return VY_OK;
}
#endif

vy_status vy_jit_optimize(LLVMModuleRef m, LLVMTargetMachineRef tm, vy_jit_opt opt, vy_error *err) {
  static const char *const pipelines[] = {"default<O0>", "default<O1>", "default<O2>", "default<O3>"};
  if (!m || !tm || (unsigned)opt > VY_JIT_O3)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_jit_optimize needs a module, a target machine and a level O0..O3. Fix: pass them.");
  vy_status st = vy_jit_dump(m, tm, VY_JIT_DUMP_IR, err);
#ifndef NDEBUG
  if (!st) st = verify(m, "before optimization", err);
#endif
  if (st) return st;

  LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
  /* The C API's defaults leave SLP vectorization off; clang turns loop and
   * SLP vectorization on from O2, and so do we. */
  LLVMPassBuilderOptionsSetLoopVectorization(po, opt >= VY_JIT_O2);
  LLVMPassBuilderOptionsSetSLPVectorization(po, opt >= VY_JIT_O2);
  LLVMPassBuilderOptionsSetLoopInterleaving(po, opt >= VY_JIT_O2);
  LLVMPassBuilderOptionsSetLoopUnrolling(po, opt >= VY_JIT_O2);
  LLVMErrorRef e = LLVMRunPasses(m, pipelines[opt], tm, po);
  LLVMDisposePassBuilderOptions(po);
  if (e)
    return vy_jit_llvm_error(err, VY_E_COMPILE_FAILED, e, "LLVM pass pipeline failed",
                             "this is a vyre-jit bug; please report it with VYRE_JIT_DUMP=ir output");
#ifndef NDEBUG
  st = verify(m, "after optimization", err);
  if (st) return st;
#endif
  st = vy_jit_dump(m, tm, VY_JIT_DUMP_OPT, err);
  if (!st) st = vy_jit_dump(m, tm, VY_JIT_DUMP_ASM, err);
  return st;
}
