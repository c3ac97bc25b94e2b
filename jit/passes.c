/* passes.c - the optimization pipeline: LLVM's new pass manager with the
 * target machine's cost model; vyre's kernel pipeline for host code at O2,
 * LLVM's default<On> pipelines otherwise. See jit_int.h. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "error_int.h"
#include "jit_int.h"

vy_status vy_jit_verify(LLVMModuleRef m, const char *when, vy_error *err) {
  char *msg = NULL;
  if (LLVMVerifyModule(m, LLVMReturnStatusAction, &msg)) { /* true = broken */
    char what[80];
    snprintf(what, sizeof what, "LLVM module is invalid %s", when);
    return vy_jit_llvm_message(err, VY_E_INTERNAL, msg, what,
                               "this is a bug in the lowering; please report it with VYRE_JIT_DUMP=ir output");
  }
  LLVMDisposeMessage(msg);
  return VY_OK;
}

/* Whether vy_jit_optimize verifies: always without NDEBUG, else when
 * VYRE_JIT_VERIFY is set to something other than 0 (the fuzz drivers set
 * it). Read once. */
static bool verify_on(void) {
#ifndef NDEBUG
  return true;
#else
  static _Atomic int on = -1;
  if (on < 0) {
    const char *v = getenv("VYRE_JIT_VERIFY");
    on = v && *v && strcmp(v, "0") != 0;
  }
  return on;
#endif
}

/* The O2 pipeline for host kernels. default<O2> is built for whole C
 * programs: it runs the CGSCC inliner loop, interprocedural passes and the
 * function simplification passes several times, then runtime unrolling and
 * SLP vectorization; about half of a cold compile went there, and it made
 * the largest kernels' code (runtime-unrolled remainder loops) twice as big
 * for codegen. A lowered kernel is one entry plus one alwaysinline body
 * that calls only intrinsics and the runtime's raise helper, so one pass
 * of the simplifications that matter to it is enough:
 *   - always-inline, then SROA (the lowering's variables and context arrays
 *     are allocas), early CSE, simplifycfg, instcombine;
 *   - loop canonicalization (rotate, LICM, indvars: 64-bit induction
 *     variables), full unrolling of constant-trip loops and SROA again (a
 *     fully unrolled tile loop leaves allocas with constant indices), GVN,
 *     ADCE, LICM;
 *   - the loop vectorizer with interleaving (the invocation loops, with the
 *     target's cost model; interleaving hides FMA latency in matmul-like
 *     loops), then instcombine / simplifycfg / LICM to clean up after it.
 * Left out against default<O2>: the inliner and IPO passes (nothing to
 * inline or propagate across), jump threading, correlated propagation,
 * loop unswitching, DSE, SLP vectorization and runtime unrolling. Measured
 * on the bench suite (bench/RESULTS.md machine, medium size, one thread):
 * run times equal to default<O2> within the machine's noise, cold compiles
 * 20-70% shorter. Kept in sync with nothing else: the cache key holds the
 * library's build id, so a new pipeline never meets old cached code. */
static const char cpu_o2_pipeline[] =
    "always-inline,"
    "function("
    "sroa<modify-cfg>,early-cse<memssa>,simplifycfg,instcombine<no-verify-fixpoint>,"
    "loop-mssa(loop-instsimplify,loop-simplifycfg,licm<no-allowspeculation>,loop-rotate,licm<allowspeculation>),"
    "simplifycfg,instcombine<no-verify-fixpoint>,"
    "loop(indvars,loop-deletion,loop-unroll-full),"
    "sroa,gvn,instcombine<no-verify-fixpoint>,adce,loop-mssa(licm),simplifycfg,"
    "loop-rotate,inject-tli-mappings,loop-vectorize,infer-alignment,instcombine<no-verify-fixpoint>,simplifycfg,"
    "loop-mssa(licm),simplifycfg)";

/* The pipeline text for `opt` with target machine `tm`: cpu_o2_pipeline
 * for every target but NVPTX at O2 (the cuda backend keeps default<O2>). */
static const char *pipeline_for(LLVMTargetMachineRef tm, vy_jit_opt opt) {
  static const char *const defaults[] = {"default<O0>", "default<O1>", "default<O2>", "default<O3>"};
  if (opt != VY_JIT_O2) return defaults[opt];
  char *triple = LLVMGetTargetMachineTriple(tm);
  bool nvptx = triple && strncmp(triple, "nvptx", 5) == 0;
  LLVMDisposeMessage(triple);
  return nvptx ? defaults[opt] : cpu_o2_pipeline;
}

vy_status vy_jit_optimize(LLVMModuleRef m, LLVMTargetMachineRef tm, vy_jit_opt opt, vy_error *err) {
  if (!m || !tm || (unsigned)opt > VY_JIT_O3)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_jit_optimize needs a module, a target machine and a level O0..O3. Fix: pass them.");
  vy_status st = vy_jit_dump(m, tm, VY_JIT_DUMP_IR, err);
  if (!st && verify_on()) st = vy_jit_verify(m, "before optimization", err);
  if (st) return st;

  LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
  /* The C API's defaults leave SLP vectorization off; clang turns loop and
   * SLP vectorization on from O2, and so do we (the options steer the
   * default<On> pipelines; cpu_o2_pipeline names its passes itself). */
  LLVMPassBuilderOptionsSetLoopVectorization(po, opt >= VY_JIT_O2);
  LLVMPassBuilderOptionsSetSLPVectorization(po, opt >= VY_JIT_O2);
  LLVMPassBuilderOptionsSetLoopInterleaving(po, opt >= VY_JIT_O2);
  LLVMPassBuilderOptionsSetLoopUnrolling(po, opt >= VY_JIT_O2);
  LLVMErrorRef e = LLVMRunPasses(m, pipeline_for(tm, opt), tm, po);
  LLVMDisposePassBuilderOptions(po);
  if (e)
    return vy_jit_llvm_error(err, VY_E_COMPILE_FAILED, e, "LLVM pass pipeline failed",
                             "this is a vyre-jit bug; please report it with VYRE_JIT_DUMP=ir output");
  if (verify_on()) st = vy_jit_verify(m, "after optimization", err);
  if (st) return st;
  st = vy_jit_dump(m, tm, VY_JIT_DUMP_OPT, err);
  if (!st) st = vy_jit_dump(m, tm, VY_JIT_DUMP_ASM, err);
  return st;
}
