/* target.c - LLVM start-up, LLVM error translation, and target machines for
 * the host CPU and for NVPTX. See jit_int.h for the contracts. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm/Config/llvm-config.h>

#include "error_int.h"
#include "jit_int.h"

/* Longest LLVM text kept in a vy_error, so that the "Fix:" hint always fits
 * in VY_ERROR_MESSAGE_MAX. */
#define LLVM_TEXT_MAX 640

/* ---- process-wide start-up (LLVM's target registry and cl::opts are
 * process-global; this records only what the one-time start-up found) ---- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool init_native_ok;
static bool init_libmvec;

static void init_llvm(void) {
  /* LLVMInitializeNative* return 1 (true) on failure. */
  init_native_ok = !LLVMInitializeNativeTarget() && !LLVMInitializeNativeAsmPrinter();
#if LLVM_HAS_NVPTX_TARGET
  LLVMInitializeNVPTXTargetInfo();
  LLVMInitializeNVPTXTarget();
  LLVMInitializeNVPTXTargetMC();
  LLVMInitializeNVPTXAsmPrinter();
#endif
#if defined(__x86_64__) && defined(__linux__)
  /* The JIT resolves libmvec through its own search generator (orc.c);
   * here we only learn whether it exists. */
  void *h = dlopen("libmvec.so.1", RTLD_NOW | RTLD_LOCAL);
  if (h) {
    dlclose(h);
    init_libmvec = true;
    /* Process-wide LLVM option, read whenever a pass pipeline builds its
     * TargetLibraryInfo. Parse errors go to LLVM's null stream and never
     * exit (an error stream given means "ignore errors"). */
    const char *argv[] = {"vyre-jit", "-vector-library=LIBMVEC-X86"};
    LLVMParseCommandLineOptions(2, argv, NULL);
  }
#endif
}

vy_status vy_jit_init(vy_error *err) {
  pthread_once(&init_once, init_llvm);
  if (!init_native_ok)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "LLVM has no native target for this host (LLVM_NATIVE_ARCH is not built). Fix: use an "
                        "LLVM 19 build that includes the host architecture.");
  return VY_OK;
}

bool vy_jit_has_libmvec(void) {
  pthread_once(&init_once, init_llvm);
  return init_libmvec;
}

bool vy_jit_has_nvptx(void) { return LLVM_HAS_NVPTX_TARGET != 0; }

void vy_jit_llvm_version(unsigned *major, unsigned *minor, unsigned *patch) { LLVMGetVersion(major, minor, patch); }

/* Formats "<what>: <LLVM text>. Fix: <fix>" with the LLVM text trimmed. */
static vy_status set_llvm_text(vy_error *err, vy_status code, const char *text, const char *what, const char *fix) {
  if (!text || !text[0]) text = "(LLVM gave no message)";
  size_t len = strlen(text);
  while (len && (text[len - 1] == '\n' || text[len - 1] == ' ')) len--; /* LLVM ends some messages with \n */
  return vy_error_set(err, code, "%s: %.*s%s. Fix: %s", what, (int)(len > LLVM_TEXT_MAX ? LLVM_TEXT_MAX : len), text,
                      len > LLVM_TEXT_MAX ? " [...]" : "", fix);
}

vy_status vy_jit_llvm_message(vy_error *err, vy_status code, char *msg, const char *what, const char *fix) {
  set_llvm_text(err, code, msg, what, fix);
  if (msg) LLVMDisposeMessage(msg);
  return code;
}

vy_status vy_jit_llvm_error(vy_error *err, vy_status code, LLVMErrorRef e, const char *what, const char *fix) {
  char *msg = LLVMGetErrorMessage(e); /* consumes e */
  set_llvm_text(err, code, msg, what, fix);
  LLVMDisposeErrorMessage(msg);
  return code;
}

/* ---- host ---- */

/* Copies an LLVM-owned message into `alloc` memory and disposes it. */
static char *take_llvm_string(const vy_allocator *alloc, char *s, size_t *size) {
  *size = strlen(s) + 1;
  char *copy = vy_mem_alloc(alloc, *size);
  if (copy) memcpy(copy, s, *size);
  LLVMDisposeMessage(s);
  return copy;
}

vy_status vy_jit_host_detect(const vy_allocator *alloc, vy_jit_host *out, vy_error *err) {
  if (!out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_jit_host_detect needs an output. Fix: pass a vy_jit_host.");
  memset(out, 0, sizeof *out);
  vy_status st = vy_jit_init(err);
  if (st) return st;
  vy_jit_host h = {0};
  if (alloc) {
    h.alloc_copy = *alloc;
    h.alloc = &h.alloc_copy; /* re-pointed at out->alloc_copy below */
  }
  char *def = LLVMGetDefaultTargetTriple();
  char *norm = LLVMNormalizeTargetTriple(def);
  LLVMDisposeMessage(def);
  h.triple = take_llvm_string(h.alloc, norm, &h.triple_size);
  h.cpu = h.triple ? take_llvm_string(h.alloc, LLVMGetHostCPUName(), &h.cpu_size) : NULL;
  h.features = h.cpu ? take_llvm_string(h.alloc, LLVMGetHostCPUFeatures(), &h.features_size) : NULL;
  if (!h.features) {
    vy_jit_host_free(&h);
    return vy_error_nomem(err);
  }
  *out = h;
  if (alloc) out->alloc = &out->alloc_copy;
  return VY_OK;
}

void vy_jit_host_free(vy_jit_host *h) {
  if (!h) return;
  vy_mem_free(h->alloc, h->triple, h->triple_size);
  vy_mem_free(h->alloc, h->cpu, h->cpu_size);
  vy_mem_free(h->alloc, h->features, h->features_size);
  memset(h, 0, sizeof *h);
}

static LLVMCodeGenOptLevel codegen_level(vy_jit_opt opt) {
  switch (opt) {
  case VY_JIT_O0:
    return LLVMCodeGenLevelNone;
  case VY_JIT_O1:
    return LLVMCodeGenLevelLess;
  case VY_JIT_O2:
    return LLVMCodeGenLevelDefault;
  case VY_JIT_O3:
    return LLVMCodeGenLevelAggressive;
  }
  return LLVMCodeGenLevelDefault;
}

/* The one place target machines are made. */
static vy_status make_tm(const char *triple, const char *cpu, const char *features, vy_jit_opt opt, LLVMRelocMode reloc,
                         LLVMCodeModel model, LLVMTargetMachineRef *out, vy_error *err) {
  *out = NULL;
  LLVMTargetRef target = NULL;
  char *msg = NULL;
  if (LLVMGetTargetFromTriple(triple, &target, &msg)) /* true = failure */
    return vy_jit_llvm_message(err, VY_E_UNSUPPORTED, msg, "no LLVM target for this triple",
                               "use an LLVM 19 build that includes this target");
  LLVMDisposeMessage(msg);
  *out = LLVMCreateTargetMachine(target, triple, cpu, features, codegen_level(opt), reloc, model);
  if (!*out)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "LLVM could not create a target machine for %s (cpu %s). Fix: check the triple and CPU name.",
                        triple, cpu);
  return VY_OK;
}

vy_status vy_jit_tm_host(const vy_jit_host *host, vy_jit_opt opt, LLVMTargetMachineRef *out, vy_error *err) {
  vy_status st = vy_jit_init(err);
  if (st) return st;
  if (!host || !host->triple || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_jit_tm_host needs a detected host and an output. Fix: call vy_jit_host_detect first.");
  return make_tm(host->triple, host->cpu, host->features, opt, LLVMRelocPIC, LLVMCodeModelSmall, out, err);
}

/* ---- NVPTX ---- */

/* Processors and PTX ISA versions of LLVM 19's NVPTX target (NVPTX.td;
 * `llc -march=nvptx64 -mcpu=help`). LLVM accepts other names with only a
 * warning on stderr and emits code for a generic SM, so they are checked
 * here. */
static const char *const nvptx_sms[] = {"sm_20", "sm_21", "sm_30", "sm_32", "sm_35", "sm_37", "sm_50",
                                        "sm_52", "sm_53", "sm_60", "sm_61", "sm_62", "sm_70", "sm_72",
                                        "sm_75", "sm_80", "sm_86", "sm_87", "sm_89", "sm_90", "sm_90a"};
static const unsigned nvptx_ptx[] = {32, 40, 41, 42, 43, 50, 60, 61, 62, 63, 64, 65, 70, 71,
                                     72, 73, 74, 75, 76, 77, 78, 80, 81, 82, 83, 84, 85};

vy_status vy_jit_tm_nvptx(const char *sm, unsigned ptx, vy_jit_opt opt, LLVMTargetMachineRef *out, vy_error *err) {
  if (out) *out = NULL;
  vy_status st = vy_jit_init(err);
  if (st) return st;
  if (!out || !sm)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_jit_tm_nvptx needs an SM name and an output. Fix: pass e.g. \"sm_90\".");
  if (!vy_jit_has_nvptx())
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "this LLVM was built without the NVPTX target. Fix: use Debian/apt.llvm.org LLVM 19, "
                        "which includes NVPTX.");
  bool known_sm = false;
  for (size_t i = 0; i < sizeof nvptx_sms / sizeof *nvptx_sms; i++) known_sm |= strcmp(sm, nvptx_sms[i]) == 0;
  if (!known_sm)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "LLVM 19's NVPTX target does not know the processor '%.40s'. Fix: use one of sm_20 ... "
                        "sm_90a; newer GPUs run sm_90 code through the driver's PTX JIT.",
                        sm);
  bool known_ptx = ptx == 0;
  for (size_t i = 0; i < sizeof nvptx_ptx / sizeof *nvptx_ptx; i++) known_ptx |= ptx == nvptx_ptx[i];
  if (!known_ptx)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "LLVM 19's NVPTX target does not know PTX ISA %u.%u. Fix: pass 0 (the SM's minimum) or a "
                        "version from 32 (3.2) to 85 (8.5).",
                        ptx / 10, ptx % 10);
  char features[16] = "";
  if (ptx) snprintf(features, sizeof features, "+ptx%u", ptx);
  return make_tm("nvptx64-nvidia-cuda", sm, features, opt, LLVMRelocDefault, LLVMCodeModelDefault, out, err);
}

/* ---- modules ---- */

vy_status vy_jit_module_set_target(LLVMModuleRef m, LLVMTargetMachineRef tm, vy_error *err) {
  if (!m || !tm)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_jit_module_set_target needs a module and a target machine. Fix: pass both.");
  char *triple = LLVMGetTargetMachineTriple(tm);
  LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
  char *layout = LLVMCopyStringRepOfTargetData(td);
  LLVMSetTarget(m, triple);
  LLVMSetDataLayout(m, layout);
  LLVMDisposeMessage(layout);
  LLVMDisposeTargetData(td);
  LLVMDisposeMessage(triple);
  return VY_OK;
}
