/* orc.c - the ORC LLJIT wrapper. This is the only file that calls the ORC C
 * API (llvm-c/Orc.h, llvm-c/LLJIT.h), which LLVM marks unstable and which
 * changed in LLVM 21 (llvm-notes.md §4.7). See jit_int.h for the contracts.
 *
 * Ownership rules of LLVM 19 relied on here (OrcV2CBindings.cpp):
 * - LLVMOrcCreateLLJIT consumes the builder, the builder consumes the JTMB,
 *   LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine consumes the TM;
 * - LLVMOrcLLJITAdd{LLVMIRModule,ObjectFile}WithRT take the module/buffer
 *   also when they fail;
 * - a resource tracker from LLVMOrcJITDylibCreateResourceTracker holds one
 *   reference that LLVMOrcReleaseResourceTracker drops; removing it frees
 *   the code and data it tracks.
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>

#include "error_int.h"
#include "jit_int.h"

struct vy_orc {
  vy_allocator alloc_copy;      /* the caller's allocator, copied */
  const vy_allocator *alloc;    /* &alloc_copy, or NULL for malloc */
  LLVMOrcLLJITRef jit;          /* owned */
  LLVMOrcJITDylibRef main;      /* owned by jit; every kernel lives here */
  pthread_mutex_t codegen_lock; /* serializes ORC's own IR codegen (one shared TargetMachine) */
  atomic_size_t live_kernels;   /* kernels not yet removed (checked at destroy) */
};

struct vy_orc_kernel {
  vy_orc *owner;
  LLVMOrcResourceTrackerRef rt; /* one reference, ours */
  vy_jit_fn entry;              /* resolved at add time */
};

/* The ExecutionSession reports some failures (e.g. the symbol a link could
 * not resolve) only to its error reporter, while the lookup that triggered
 * them gets a generic "failed to materialize". Materialization runs on the
 * looking-up thread (LLJIT's in-place dispatcher), so a thread-local buffer
 * pairs each report with the add that caused it. */
static _Thread_local char session_error[512];

static void report_session_error(void *ctx, LLVMErrorRef e) {
  (void)ctx;
  char *msg = LLVMGetErrorMessage(e); /* consumes e */
  snprintf(session_error, sizeof session_error, "%s", msg ? msg : "");
  LLVMDisposeErrorMessage(msg);
}

/* An error of the add (`linking` false: the unit was refused) or of the
 * lookup that compiles and links it, with the session's report if any. */
static vy_status add_failed(vy_error *err, LLVMErrorRef e, const char *entry, bool linking) {
  char what[768];
  snprintf(what, sizeof what, "could not %s kernel '%.80s'%s%.500s%s", linking ? "link" : "add", entry,
           session_error[0] ? " (" : "", session_error, session_error[0] ? ")" : "");
  return vy_jit_llvm_error(err, VY_E_COMPILE_FAILED, e, what,
                           linking ? "check that the kernel defines its entry and that every external symbol it uses "
                                     "exists in the process or was defined with vy_orc_define_symbol"
                                   : "check that no kernel in this JIT defines the same symbols and, for objects, "
                                     "that the object came from vy_jit_emit with this host's target machine");
}

vy_status vy_orc_create(const vy_allocator *alloc, const vy_jit_host *host, vy_jit_opt codegen_opt, vy_orc **out,
                        vy_error *err) {
  if (out) *out = NULL;
  if (!host || !host->triple || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_orc_create needs a detected host and an output. Fix: call vy_jit_host_detect first.");
  vy_status st = vy_jit_init(err);
  if (st) return st;
  vy_orc *j = vy_mem_calloc(alloc, 1, sizeof *j);
  if (!j) return vy_error_nomem(err);
  if (alloc) {
    j->alloc_copy = *alloc;
    j->alloc = &j->alloc_copy;
  }
  atomic_init(&j->live_kernels, 0);
  if (pthread_mutex_init(&j->codegen_lock, NULL)) {
    vy_mem_free(j->alloc, j, sizeof *j);
    return vy_error_nomem(err);
  }

  /* LLJIT's codegen gets the very settings of vy_jit_tm_host (CPU, all
   * features, PIC, small code model), so that vy_orc_add_module and
   * emit + vy_orc_add_object produce the same code. */
  LLVMTargetMachineRef tm = NULL;
  st = vy_jit_tm_host(host, codegen_opt, &tm, err);
  if (st) goto fail;
  LLVMOrcLLJITBuilderRef builder = LLVMOrcCreateLLJITBuilder();
  LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(builder, LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(tm));
  LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->jit, builder);
  if (e) {
    j->jit = NULL;
    st = vy_jit_llvm_error(err, VY_E_COMPILE_FAILED, e, "could not create the LLVM ORC JIT",
                           "check that LLVM 19 supports JIT on this host");
    goto fail;
  }
  LLVMOrcExecutionSessionSetErrorReporter(LLVMOrcLLJITGetExecutionSession(j->jit), report_session_error, NULL);
  j->main = LLVMOrcLLJITGetMainJITDylib(j->jit);

  /* Symbols of the process (libm, libc, exported host functions), then
   * glibc's vector math library, whose names the vectorizer emits when
   * vy_jit_init set -vector-library. */
  char prefix = LLVMOrcLLJITGetGlobalPrefix(j->jit);
  LLVMOrcDefinitionGeneratorRef gen = NULL;
  e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, prefix, NULL, NULL);
  if (e) {
    st = vy_jit_llvm_error(err, VY_E_COMPILE_FAILED, e, "could not expose process symbols to the JIT",
                           "check that the process can dlopen itself");
    goto fail;
  }
  LLVMOrcJITDylibAddGenerator(j->main, gen); /* takes ownership */
  if (vy_jit_has_libmvec()) {
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForPath(&gen, "libmvec.so.1", prefix, NULL, NULL);
    if (e) {
      st = vy_jit_llvm_error(err, VY_E_COMPILE_FAILED, e, "could not load libmvec.so.1 into the JIT",
                             "install glibc's libmvec (libc6)");
      goto fail;
    }
    LLVMOrcJITDylibAddGenerator(j->main, gen);
  }
  *out = j;
  return VY_OK;

fail:
  if (j->jit) {
    LLVMErrorRef de = LLVMOrcDisposeLLJIT(j->jit);
    if (de) LLVMConsumeError(de); /* the creation error is the one to report */
  }
  pthread_mutex_destroy(&j->codegen_lock);
  vy_mem_free(j->alloc, j, sizeof *j);
  return st;
}

void vy_orc_destroy(vy_orc *j) {
  if (!j) return;
  assert(atomic_load(&j->live_kernels) == 0 && "vy_orc_destroy: remove every kernel first");
  LLVMErrorRef e = LLVMOrcDisposeLLJIT(j->jit);
  /* Ending the session can only fail in platform teardown, which the
   * generic platform of this LLJIT does not have; nothing to report to. */
  if (e) LLVMConsumeError(e);
  pthread_mutex_destroy(&j->codegen_lock);
  vy_mem_free(j->alloc, j, sizeof *j);
}

vy_status vy_orc_define_symbol(vy_orc *j, const char *name, const void *addr, vy_error *err) {
  if (!j || !name || !name[0] || !addr)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_orc_define_symbol needs a JIT, a name and an address. Fix: pass all three.");
  LLVMOrcCSymbolMapPair pair = {
      .Name = LLVMOrcLLJITMangleAndIntern(j->jit, name), /* retained; the unit takes it over */
      .Sym = {.Address = (LLVMOrcExecutorAddress)(uintptr_t)addr,
              .Flags = {.GenericFlags = LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable}}};
  LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(&pair, 1);
  LLVMErrorRef e = LLVMOrcJITDylibDefine(j->main, mu);
  if (e) {
    LLVMOrcDisposeMaterializationUnit(mu); /* still ours after a failed define */
    char what[160];
    snprintf(what, sizeof what, "could not define host symbol '%.80s'", name);
    return vy_jit_llvm_error(err, VY_E_INVALID_ARGUMENT, e, what, "define each host symbol once per JIT");
  }
  return VY_OK;
}

vy_orc_ctx *vy_orc_ctx_create(void) { return (vy_orc_ctx *)LLVMOrcCreateNewThreadSafeContext(); }

LLVMContextRef vy_orc_ctx_llvm(vy_orc_ctx *c) {
  return LLVMOrcThreadSafeContextGetContext((LLVMOrcThreadSafeContextRef)c);
}

void vy_orc_ctx_release(vy_orc_ctx *c) {
  if (c) LLVMOrcDisposeThreadSafeContext((LLVMOrcThreadSafeContextRef)c);
}

/* A kernel handle with a fresh resource tracker. NULL on OOM. */
static vy_orc_kernel *kernel_new(vy_orc *j) {
  vy_orc_kernel *k = vy_mem_calloc(j->alloc, 1, sizeof *k);
  if (!k) return NULL;
  k->owner = j;
  k->rt = LLVMOrcJITDylibCreateResourceTracker(j->main);
  atomic_fetch_add(&j->live_kernels, 1);
  return k;
}

/* Removes what the kernel's tracker holds, drops the tracker and frees the
 * handle; returns ORC's removal error (also when the rest was done). */
static LLVMErrorRef kernel_release(vy_orc_kernel *k) {
  vy_orc *j = k->owner;
  LLVMErrorRef e = LLVMOrcResourceTrackerRemove(k->rt);
  LLVMOrcReleaseResourceTracker(k->rt);
  atomic_fetch_sub(&j->live_kernels, 1);
  vy_mem_free(j->alloc, k, sizeof *k);
  return e;
}

/* Second half of both adds: `e` is the result of adding under k->rt. Looks
 * the entry up, which makes ORC compile (IR) and link the unit now. */
static vy_status finish_add(vy_orc_kernel *k, LLVMErrorRef e, const char *entry, vy_orc_kernel **out, vy_error *err) {
  LLVMOrcExecutorAddress addr = 0;
  session_error[0] = 0;
  bool linking = !e;
  if (linking) e = LLVMOrcLLJITLookup(k->owner->jit, &addr, entry);
  if (e) {
    vy_status st = add_failed(err, e, entry, linking);
    LLVMErrorRef re = kernel_release(k);
    if (re) LLVMConsumeError(re); /* the add's own error is the one reported */
    return st;
  }
  k->entry = (vy_jit_fn)(uintptr_t)addr;
  *out = k;
  return VY_OK;
}

vy_status vy_orc_add_module(vy_orc *j, vy_orc_ctx *ctx, LLVMModuleRef m, const char *entry, vy_orc_kernel **out,
                            vy_error *err) {
  if (out) *out = NULL;
  if (!j || !ctx || !m || !entry || !out) {
    if (m) LLVMDisposeModule(m);
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_orc_add_module needs a JIT, a context, a module, an entry name and an output. Fix: "
                        "pass all of them.");
  }
  vy_orc_kernel *k = kernel_new(j);
  if (!k) {
    LLVMDisposeModule(m);
    return vy_error_nomem(err);
  }
  LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(m, (LLVMOrcThreadSafeContextRef)ctx);
  pthread_mutex_lock(&j->codegen_lock);
  LLVMErrorRef e = LLVMOrcLLJITAddLLVMIRModuleWithRT(j->jit, k->rt, tsm); /* takes tsm */
  vy_status st = finish_add(k, e, entry, out, err);
  pthread_mutex_unlock(&j->codegen_lock);
  return st;
}

vy_status vy_orc_add_object(vy_orc *j, const void *obj, size_t len, const char *entry, vy_orc_kernel **out,
                            vy_error *err) {
  if (out) *out = NULL;
  if (!j || !obj || !len || !entry || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_orc_add_object needs a JIT, a non-empty object, an entry name and an output. Fix: "
                        "pass all of them.");
  vy_orc_kernel *k = kernel_new(j);
  if (!k) return vy_error_nomem(err);
  char name[128];
  snprintf(name, sizeof name, "vyre-object:%.100s", entry); /* shown in LLVM's messages */
  LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(obj, len, name);
  LLVMErrorRef e = LLVMOrcLLJITAddObjectFileWithRT(j->jit, k->rt, buf); /* takes buf */
  return finish_add(k, e, entry, out, err);
}

vy_jit_fn vy_orc_kernel_entry(const vy_orc_kernel *k) { return k ? k->entry : NULL; }

vy_status vy_orc_lookup(vy_orc *j, const char *name, uint64_t *addr, vy_error *err) {
  if (!j || !name || !addr)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_orc_lookup needs a JIT, a name and an output. Fix: pass all three.");
  LLVMOrcExecutorAddress a = 0;
  LLVMErrorRef e = LLVMOrcLLJITLookup(j->jit, &a, name);
  if (e) {
    char what[160];
    snprintf(what, sizeof what, "symbol '%.80s' is not defined in the JIT", name);
    *addr = 0;
    return vy_jit_llvm_error(err, VY_E_INVALID_ARGUMENT, e, what, "add the kernel that defines it first");
  }
  *addr = a;
  return VY_OK;
}

vy_status vy_orc_kernel_remove(vy_orc_kernel *k, vy_error *err) {
  if (!k) return VY_OK;
  LLVMErrorRef e = kernel_release(k);
  if (e)
    return vy_jit_llvm_error(err, VY_E_INTERNAL, e, "ORC could not release a kernel's resources",
                             "this is an LLVM or vyre-jit bug; please report it");
  return VY_OK;
}
