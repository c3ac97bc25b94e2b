/* ptx_compile.c - the NVPTX pipeline (ptx_int.h): a fresh LLVM context per
 * compile, the NVPTX lowering (lower_ptx.c), f32 transcendentals mapped to
 * libdevice (linked, reflected for FTZ and the SM, internalized), LLVM's
 * default<On> pipeline with the NVPTX target machine, PTX text.
 *
 * Transcendentals: the core emits llvm.sin.f32 and friends, which LLVM 19's
 * NVPTX back end cannot select (or selects as approximate instructions);
 * they become calls of libdevice's accurate __nv_sinf etc. (CUDA's
 * documented bounds: 1 to 4 ULP). Without libdevice a program that uses
 * one is refused.
 *
 * libdevice is trimmed once per process to those functions and kept as
 * bitcode (link_libdevice).
 *
 * Also here: vy_jit_ptx_emit (include/vyre/jit.h), the offline entry the
 * CLI's `emit ptx` uses. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/BitWriter.h>
#include <llvm-c/Linker.h>

#include "error_int.h"
#include "ptx_int.h"
#include "vyre/jit.h"

/* out = a + b when it fits (and is readable, when must_exist). */
static bool libdevice_try(char *out, size_t cap, const char *a, const char *b, bool must_exist) {
  int n = snprintf(out, cap, "%s%s", a, b);
  return n >= 0 && (size_t)n < cap && (!must_exist || access(out, R_OK) == 0);
}

void vy_ptx_libdevice_path(char *out, size_t cap) {
  if (!cap) return;
  const char *env = getenv("VYRE_JIT_LIBDEVICE"), *home = getenv("CUDA_HOME");
  bool found = env && *env ? libdevice_try(out, cap, env, "", false)
                           : (home && *home && libdevice_try(out, cap, home, "/nvvm/libdevice/libdevice.10.bc", true)) ||
                                 libdevice_try(out, cap, "/usr/local/cuda/nvvm/libdevice/libdevice.10.bc", "", true);
  if (!found) out[0] = 0;
}

/* The f32 math intrinsics the core emits and their libdevice functions. */
static const struct {
  const char *intrinsic, *nv;
} math_map[] = {
    {"llvm.sin.f32", "__nv_sinf"},   {"llvm.cos.f32", "__nv_cosf"},   {"llvm.tan.f32", "__nv_tanf"},
    {"llvm.asin.f32", "__nv_asinf"}, {"llvm.acos.f32", "__nv_acosf"}, {"llvm.atan.f32", "__nv_atanf"},
    {"llvm.sinh.f32", "__nv_sinhf"}, {"llvm.cosh.f32", "__nv_coshf"}, {"llvm.tanh.f32", "__nv_tanhf"},
    {"llvm.exp.f32", "__nv_expf"},   {"llvm.exp2.f32", "__nv_exp2f"}, {"llvm.log.f32", "__nv_logf"},
    {"llvm.log2.f32", "__nv_log2f"},
};

/* Redirects the math intrinsics of `m` to libdevice declarations; *used
 * tells whether any was there. */
static void map_math(LLVMModuleRef m, bool *used) {
  *used = false;
  LLVMContextRef c = LLVMGetModuleContext(m);
  LLVMTypeRef f32 = LLVMFloatTypeInContext(c);
  LLVMTypeRef ft = LLVMFunctionType(f32, &f32, 1, 0);
  for (size_t i = 0; i < sizeof math_map / sizeof *math_map; i++) {
    LLVMValueRef in = LLVMGetNamedFunction(m, math_map[i].intrinsic);
    if (!in) continue;
    if (LLVMGetFirstUse(in)) {
      LLVMValueRef nv = LLVMGetNamedFunction(m, math_map[i].nv);
      if (!nv) nv = LLVMAddFunction(m, math_map[i].nv, ft);
      LLVMReplaceAllUsesWith(in, nv);
      *used = true;
    }
    LLVMDeleteFunction(in);
  }
}

/* The string a __nvvm_reflect argument points to ("" when not found). */
static const char *reflect_name(LLVMValueRef v, size_t *len) {
  for (int depth = 0; v && depth < 8; depth++) {
    if (LLVMIsAGlobalVariable(v)) {
      LLVMValueRef init = LLVMGetInitializer(v);
      if (init && LLVMIsAConstantDataSequential(init) && LLVMIsConstantString(init)) return LLVMGetAsString(init, len);
      break;
    }
    if (LLVMIsAConstantExpr(v) || LLVMIsACastInst(v) || LLVMIsAGetElementPtrInst(v))
      v = LLVMGetOperand(v, 0);
    else
      break;
  }
  *len = 0;
  return "";
}

/* NVVMReflect by hand (the C API's pass runner does not add the target's
 * passes): __CUDA_FTZ is `ftz` (1 when the kernel runs with FTZ),
 * __CUDA_ARCH the SM times ten, anything else 0. */
static void reflect(LLVMModuleRef m, unsigned sm, bool ftz) {
  LLVMValueRef f = LLVMGetNamedFunction(m, "__nvvm_reflect");
  if (!f) return;
  LLVMTypeRef i32 = LLVMInt32TypeInContext(LLVMGetModuleContext(m));
  LLVMValueRef call;
  while (LLVMGetFirstUse(f) && (call = LLVMGetUser(LLVMGetFirstUse(f))) && LLVMIsACallInst(call)) {
    size_t len;
    const char *s = reflect_name(LLVMGetOperand(call, 0), &len);
    while (len && s[len - 1] == 0) len--;
    unsigned v = 0;
    if (len == 10 && memcmp(s, "__CUDA_FTZ", 10) == 0) v = ftz;
    if (len == 11 && memcmp(s, "__CUDA_ARCH", 11) == 0) v = sm * 10;
    LLVMReplaceAllUsesWith(call, LLVMConstInt(i32, v, 0));
    LLVMInstructionEraseFromParent(call);
  }
  if (!LLVMGetFirstUse(f)) LLVMDeleteFunction(f);
}

/* Only the kernel stays visible; unused library functions go now, before
 * the pipeline would optimize them. */
static void internalize(LLVMModuleRef m) {
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f) && strcmp(LLVMGetValueName(f), VY_PTX_ENTRY) != 0)
      LLVMSetLinkage(f, LLVMInternalLinkage);
  for (LLVMValueRef g = LLVMGetFirstGlobal(m); g; g = LLVMGetNextGlobal(g))
    if (!LLVMIsDeclaration(g)) LLVMSetLinkage(g, LLVMInternalLinkage);
  bool changed = true;
  while (changed) {
    changed = false;
    for (LLVMValueRef f = LLVMGetFirstFunction(m), next; f; f = next) {
      next = LLVMGetNextFunction(f);
      if (LLVMGetLinkage(f) == LLVMInternalLinkage && !LLVMGetFirstUse(f)) {
        LLVMDeleteFunction(f);
        changed = true;
      }
    }
  }
}

/* libdevice trimmed to the functions math_map names and what they call,
 * as bitcode, kept for the process (one libdevice path at a time): linking
 * the whole library into every module costs ~250 ms, parsing the trimmed
 * one a few. The __nvvm_reflect calls stay; each compile folds them. */
static pthread_mutex_t trim_lock = PTHREAD_MUTEX_INITIALIZER;
static char trim_path[4096];
static LLVMMemoryBufferRef trim_bc;

static vy_status read_libdevice(LLVMContextRef c, const char *path, LLVMModuleRef *out, vy_error *err) {
  LLVMMemoryBufferRef buf = NULL;
  char *msg = NULL;
  if (LLVMCreateMemoryBufferWithContentsOfFile(path, &buf, &msg)) {
    vy_status st =
        vy_error_set(err, VY_E_IO, "cannot read libdevice '%.300s': %.200s. Fix: set VYRE_JIT_LIBDEVICE to the path of "
                                   "libdevice.10.bc (CUDA's nvvm/libdevice directory)",
                     path, msg ? msg : "unknown error");
    LLVMDisposeMessage(msg);
    return st;
  }
  bool bad = LLVMParseBitcodeInContext2(c, buf, out);
  LLVMDisposeMemoryBuffer(buf);
  if (bad)
    return vy_error_set(err, VY_E_COMPILE_FAILED,
                        "'%.300s' is not an LLVM bitcode file. Fix: set VYRE_JIT_LIBDEVICE to CUDA's "
                        "nvvm/libdevice/libdevice.10.bc",
                        path);
  return VY_OK;
}

static bool is_mapped(const char *name) {
  for (size_t i = 0; i < sizeof math_map / sizeof *math_map; i++)
    if (strcmp(name, math_map[i].nv) == 0) return true;
  return false;
}

/* Builds the trimmed bitcode of `path` for modules of triple/layout `like`. */
static vy_status trim(const char *path, LLVMModuleRef like, LLVMMemoryBufferRef *out, vy_error *err) {
  LLVMContextRef c = LLVMContextCreate();
  LLVMModuleRef ld = NULL;
  vy_status st = read_libdevice(c, path, &ld, err);
  if (st == VY_OK) {
    LLVMSetTarget(ld, LLVMGetTarget(like)); /* libdevice says nvptx64-nvidia-gpulibs */
    LLVMSetDataLayout(ld, LLVMGetDataLayoutStr(like));
    for (LLVMValueRef f = LLVMGetFirstFunction(ld); f; f = LLVMGetNextFunction(f))
      if (!LLVMIsDeclaration(f) && !is_mapped(LLVMGetValueName(f))) LLVMSetLinkage(f, LLVMInternalLinkage);
    for (LLVMValueRef g = LLVMGetFirstGlobal(ld); g; g = LLVMGetNextGlobal(g))
      if (!LLVMIsDeclaration(g)) LLVMSetLinkage(g, LLVMInternalLinkage);
    bool changed = true;
    while (changed) {
      changed = false;
      for (LLVMValueRef f = LLVMGetFirstFunction(ld), next; f; f = next) {
        next = LLVMGetNextFunction(f);
        if (LLVMGetLinkage(f) == LLVMInternalLinkage && !LLVMGetFirstUse(f)) {
          LLVMDeleteFunction(f);
          changed = true;
        }
      }
      for (LLVMValueRef g = LLVMGetFirstGlobal(ld), next; g; g = next) {
        next = LLVMGetNextGlobal(g);
        if (LLVMGetLinkage(g) == LLVMInternalLinkage && !LLVMGetFirstUse(g)) {
          LLVMDeleteGlobal(g);
          changed = true;
        }
      }
    }
    *out = LLVMWriteBitcodeToMemoryBuffer(ld);
    LLVMDisposeModule(ld);
  }
  LLVMContextDispose(c);
  return st;
}

static vy_status link_libdevice(LLVMModuleRef m, const char *path, unsigned sm, bool ftz, vy_error *err) {
  vy_status st = VY_OK;
  pthread_mutex_lock(&trim_lock);
  if (!trim_bc || strcmp(trim_path, path) != 0) {
    LLVMMemoryBufferRef bc = NULL;
    if (strlen(path) >= sizeof trim_path)
      st = vy_error_set(err, VY_E_INVALID_ARGUMENT, "the libdevice path is too long. Fix: use a shorter path");
    if (st == VY_OK) st = trim(path, m, &bc, err);
    if (st == VY_OK) {
      if (trim_bc) LLVMDisposeMemoryBuffer(trim_bc);
      trim_bc = bc;
      snprintf(trim_path, sizeof trim_path, "%s", path);
    }
  }
  LLVMModuleRef ld = NULL;
  if (st == VY_OK) { /* a view of the shared bytes, parsed in this compile's context */
    LLVMMemoryBufferRef view = LLVMCreateMemoryBufferWithMemoryRange(LLVMGetBufferStart(trim_bc),
                                                                     LLVMGetBufferSize(trim_bc), "libdevice", 0);
    if (LLVMParseBitcodeInContext2(LLVMGetModuleContext(m), view, &ld))
      st = vy_error_set(err, VY_E_INTERNAL, "the trimmed libdevice does not parse. Fix: report this vyre-jit bug");
    LLVMDisposeMemoryBuffer(view);
  }
  pthread_mutex_unlock(&trim_lock);
  if (st != VY_OK) return st;
  if (LLVMLinkModules2(m, ld)) /* consumes ld */
    return vy_error_set(err, VY_E_COMPILE_FAILED,
                        "linking libdevice '%.300s' failed. Fix: use the libdevice.10.bc of a CUDA toolkit", path);
  reflect(m, sm, ftz);
  return VY_OK;
}

/* The core's refusals name llvm-cpu; this backend is `cuda`. */
static void rename_backend(vy_error *err) {
  static const char from[] = "backend `llvm-cpu`", to[] = "backend `cuda`";
  if (!err) return;
  char *p = strstr(err->message, from);
  if (!p) return;
  memmove(p + sizeof to - 1, p + sizeof from - 1, strlen(p + sizeof from - 1) + 1);
  memcpy(p, to, sizeof to - 1);
}

/* LLVM's diagnostics for the kernel's context: warnings and remarks (a
 * loop hint of lower_ptx.c that LLVM could not follow, say) are dropped
 * instead of printed on the host program's stderr; an error is noted in
 * *(bool *)ud (LLVM's own handler would end the process). */
static void diagnostic(LLVMDiagnosticInfoRef d, void *ud) {
  if (LLVMGetDiagInfoSeverity(d) == LLVMDSError) *(bool *)ud = true;
}

vy_status vy_ptx_compile(const vy_interp_prepared *pp, const vy_ptx_target *t, const vy_allocator *alloc,
                         vy_bytes *ptx, vy_ptx_lowered *out, vy_error *err) {
  if (out) memset(out, 0, sizeof *out);
  if (!pp || !t || !t->sm || !ptx || ptx->data || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_ptx_compile needs a prepared program, a target with an SM, an empty output and a "
                        "vy_ptx_lowered. Fix: pass them");
  unsigned sm = 0;
  if (sscanf(t->sm, "sm_%u", &sm) != 1) sm = 0;
  LLVMTargetMachineRef tm = NULL;
  vy_status st = vy_jit_tm_nvptx(t->sm, t->ptx_isa, t->opt, &tm, err);
  if (st) return st;
  LLVMContextRef c = LLVMContextCreate();
  bool llvm_error = false;
  LLVMContextSetDiagnosticHandler(c, diagnostic, &llvm_error);
  char name[48];
  snprintf(name, sizeof name, "vyre_ptx_%s", t->sm);
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext(name, c);
  st = vy_jit_module_set_target(m, tm, err);
  if (!st) st = vy_lower_ptx(pp, t, c, m, alloc, out, err);
  if (st == VY_E_UNSUPPORTED) rename_backend(err);
  /* every build verifies: invalid IR that reaches the NVPTX backend can become
   * PTX that faults (an addrspace(3) pointer swapped for a global one, d6a7a05) */
  if (!st) st = vy_jit_verify(m, "after the cuda lowering", err);
  bool math = false;
  if (!st) map_math(m, &math);
  if (!st && math) {
    const char *lib = t->libdevice_path;
    if (!lib)
      st = vy_error_set(err, VY_E_UNSUPPORTED,
                        "backend `cuda` cannot compile the program: it uses an f32 transcendental (sin, cos, tan, asin, "
                        "acos, atan, sinh, cosh, tanh, exp, exp2, log, log2) and no libdevice is available. Fix: set "
                        "VYRE_JIT_LIBDEVICE to CUDA's nvvm/libdevice/libdevice.10.bc");
    else
      st = link_libdevice(m, lib, sm, !t->f32_ieee, err);
  }
  if (!st) {
    internalize(m);
    LLVMAddModuleFlag(m, LLVMModuleFlagBehaviorOverride, "nvvm-reflect-ftz", 16,
                      LLVMValueAsMetadata(LLVMConstInt(LLVMInt32TypeInContext(c), !t->f32_ieee, 0)));
    st = vy_jit_optimize(m, tm, t->opt, err);
  }
  if (!st) st = vy_jit_emit(m, tm, VY_JIT_EMIT_ASM, alloc, ptx, err);
  if (!st && llvm_error) {
    vy_bytes_free(ptx);
    st =
        vy_error_set(err, VY_E_COMPILE_FAILED,
                     "LLVM reported an error while compiling the kernel. Fix: this is a vyre-jit bug; please report it "
                     "with VYRE_JIT_DUMP=ir output");
  }
  if (st) vy_ptx_lowered_free(alloc, out);
  LLVMDisposeModule(m);
  LLVMContextDispose(c);
  LLVMDisposeTargetMachine(tm);
  return st;
}

vy_status vy_jit_ptx_emit(const vy_program *p, const char *sm, unsigned ptx_isa, const vy_allocator *alloc,
                          vy_bytes *out, vy_error *err) {
  if (!p || !sm || !out || out->data)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_jit_ptx_emit needs a program, an SM name and an empty output. Fix: pass them");
  vy_interp_prepared *pp = NULL;
  vy_status st = vy_interp_prepare(p, NULL, alloc, &pp, err);
  if (st) return st;
  char libdevice[1024];
  vy_ptx_libdevice_path(libdevice, sizeof libdevice);
  vy_ptx_target t = {sm, ptx_isa, VY_JIT_O2, libdevice[0] ? libdevice : NULL, -1, false};
  vy_ptx_lowered low;
  st = vy_ptx_compile(pp, &t, alloc, out, &low, err);
  if (!st) vy_ptx_lowered_free(alloc, &low);
  vy_interp_prepared_destroy(pp);
  return st;
}
