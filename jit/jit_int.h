/* jit_int.h - internal API of the jit/ layer: LLVM start-up, host and NVPTX
 * target machines, the optimization pipeline, code emission and stage dumps,
 * and the ORC LLJIT wrapper. Included only by files under jit/ (it pulls in
 * LLVM-C headers); runtime/ and lib/ never see LLVM types.
 *
 * A CPU kernel goes through these stages (each call is one line of the
 * backend's compile function; the lowering only has to fill the module):
 *
 *   vy_jit_init                      once per process, idempotent
 *   vy_jit_host_detect               host triple, CPU name, feature string
 *   vy_orc_create                    one LLJIT per backend instance
 *   --- per compile job, on any thread, nothing shared between jobs ---
 *   vy_orc_ctx_create                a fresh LLVMContext (ThreadSafeContext)
 *   <lowering>                       builds an LLVMModuleRef in that context
 *   vy_jit_tm_host                   a target machine for this job
 *   vy_jit_module_set_target         triple + data layout of that machine
 *   vy_jit_optimize                  the O2 or O3 pipeline with the machine; dumps
 *   vy_jit_emit(OBJECT)              relocatable object (what a disk cache keeps)
 *   vy_orc_add_object                links it under its own resource tracker
 *   vy_orc_kernel_entry              native entry point, callable
 *   vy_orc_kernel_remove             frees its code and data again
 *
 * vy_orc_add_module is the alternative to emit + add_object: ORC compiles the
 * module itself. LLVM 19's C API gives LLJIT a single shared TargetMachine
 * for that (TMOwningSimpleCompiler; concurrent compilation cannot be turned
 * on through the C API), so vy_orc_add_module serializes ORC codegen behind
 * a lock; emit + add_object keeps codegen on the caller's thread and scales.
 *
 * Stage dumps: set VYRE_JIT_DUMP to a comma-separated list of stages
 *   ir    the module as handed to vy_jit_optimize          <name>.ir.ll
 *   opt   the module after the pass pipeline               <name>.opt.ll
 *   asm   target assembly of the optimized module          <name>.s (.ptx for NVPTX)
 *   all   all three
 * Files go to VYRE_JIT_DUMP_DIR (default: the current directory); <name> is
 * the module identifier with characters outside [A-Za-z0-9._-] replaced by
 * '_'. A later dump of a module with the same name overwrites the file.
 * Unknown stage names are ignored. A dump that cannot be written fails the
 * compile with VY_E_IO (a silently missing dump wastes more time).
 *
 * Errors: every function returns a vy_status and fills the optional vy_error.
 * LLVM's own failures become VY_E_COMPILE_FAILED (or VY_E_UNSUPPORTED when
 * a target is missing) with LLVM's message and a "Fix:" hint. Allocations of
 * this layer go through the vy_allocator given at creation; LLVM's internal
 * allocations do not (they throw std::bad_alloc, which LLVM turns into a
 * fatal error), so fault injection covers only this layer's objects.
 */
#ifndef VYRE_JIT_INT_H
#define VYRE_JIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/TargetMachine.h>

#include "alloc_int.h"
#include "vyre/status.h"

/* ------------------------------------------------------------------ */
/* target.c: LLVM start-up, LLVM errors, host and NVPTX target machines */

/* Optimization level of a compile: IR pipeline default<On> and codegen. */
typedef enum vy_jit_opt { VY_JIT_O0 = 0, VY_JIT_O1 = 1, VY_JIT_O2 = 2, VY_JIT_O3 = 3 } vy_jit_opt;

/* Initializes LLVM for this process once: the native target (with its asm
 * printer) and, where built, NVPTX; probes for glibc's libmvec and, when it
 * is loadable on x86-64, sets LLVM's process-wide `-vector-library=LIBMVEC-X86`
 * so that vectorized math intrinsics become libmvec calls (llvm-notes.md
 * §4.2) instead of being scalarized again. Idempotent and thread-safe; every
 * other function here calls it. Fails with VY_E_UNSUPPORTED when LLVM has no
 * native target. */
vy_status vy_jit_init(vy_error *err);

/* True when vy_jit_init found libmvec (and so every LLJIT created by
 * vy_orc_create can resolve its _ZGV* symbols). Calls vy_jit_init. */
bool vy_jit_has_libmvec(void);

/* Whether LLVM was built with the NVPTX target. */
bool vy_jit_has_nvptx(void);

/* The LLVM version linked into libvyre-jit (part of every cache key). */
void vy_jit_llvm_version(unsigned *major, unsigned *minor, unsigned *patch);

/* Turns an LLVMErrorRef into `code` on *err: "<what>: <LLVM message>.
 * Fix: <fix>". Consumes `e` (it must be a failure, not LLVMErrorSuccess).
 * Returns `code`. */
vy_status vy_jit_llvm_error(vy_error *err, vy_status code, LLVMErrorRef e, const char *what, const char *fix);

/* The same for an LLVM message string (char * returned by LLVM-C, disposed
 * here with LLVMDisposeMessage; NULL allowed). */
vy_status vy_jit_llvm_message(vy_error *err, vy_status code, char *msg, const char *what, const char *fix);

/* The host as LLVM sees it. Strings are NUL-terminated, allocated with
 * `alloc` and owned by the struct; free with vy_jit_host_free. The three
 * strings together identify the machine code a compile produces, so they
 * are part of the kernel cache key (DESIGN.md §8). */
typedef struct vy_jit_host {
  vy_allocator alloc_copy;                     /* the caller's allocator, copied */
  const vy_allocator *alloc;                   /* &alloc_copy, or NULL for malloc */
  char *triple;                                /* normalized process triple, e.g. x86_64-pc-linux-gnu */
  char *cpu;                                   /* LLVMGetHostCPUName, e.g. sapphirerapids */
  char *features;                              /* LLVMGetHostCPUFeatures: every +feat/-feat of the host */
  size_t triple_size, cpu_size, features_size; /* allocation sizes (strlen + 1) */
} vy_jit_host;

/* Fills *out with the host triple, CPU name and full feature string.
 * On failure *out holds nothing to free (vy_jit_host_free on it is a no-op).
 * Errors: VY_E_NOMEM, VY_E_UNSUPPORTED (no native target),
 * VY_E_INVALID_ARGUMENT (NULL out). Thread-safe. */
vy_status vy_jit_host_detect(const vy_allocator *alloc, vy_jit_host *out, vy_error *err);

/* Frees the strings of *h and zeroes it. NULL-safe, idempotent. */
void vy_jit_host_free(vy_jit_host *h);

/* A target machine for `host` at `opt` (codegen level O0..O3 = None, Less,
 * Default, Aggressive), PIC relocation and the small code model - what the
 * JIT linker of LLJIT expects for x86-64 and AArch64 ELF. The caller owns
 * *out (LLVMDisposeTargetMachine). A target machine is not thread-safe: use
 * one per thread / compile job. Errors: VY_E_UNSUPPORTED (triple unknown to
 * this LLVM). */
vy_status vy_jit_tm_host(const vy_jit_host *host, vy_jit_opt opt, LLVMTargetMachineRef *out, vy_error *err);

/* A target machine for NVIDIA PTX: triple nvptx64-nvidia-cuda, CPU `sm`
 * ("sm_20" ... "sm_90a", the list LLVM 19 knows), feature "+ptx<ptx>" where
 * ptx is the PTX ISA version times ten (78 = PTX 7.8); ptx = 0 leaves LLVM's
 * minimum for that SM. LLVM never lowers the PTX version below that minimum
 * (a lower request is silently raised, llvm-notes.md §4.5). Owned by the
 * caller. Errors: VY_E_UNSUPPORTED (no NVPTX in this LLVM, unknown SM or PTX
 * version). */
vy_status vy_jit_tm_nvptx(const char *sm, unsigned ptx, vy_jit_opt opt, LLVMTargetMachineRef *out, vy_error *err);

/* Sets the module's target triple and data layout to those of `tm`. Modules
 * must get this before vy_jit_optimize (the passes read it) and before they
 * reach ORC (LLJIT rejects a different data layout). Errors:
 * VY_E_INVALID_ARGUMENT (NULL module or machine). */
vy_status vy_jit_module_set_target(LLVMModuleRef m, LLVMTargetMachineRef tm, vy_error *err);

/* ------------------------------------------------------------------ */
/* passes.c: the optimization pipeline */

/* Runs the new pass manager's default<On> pipeline on `m` with `tm` (which
 * gives the vectorizers their cost model: a NULL machine yields scalar code,
 * llvm-notes.md §4.9), loop and SLP vectorization on from O2; host code at
 * O2 gets vyre's lighter kernel pipeline instead (passes.c). Dumps the
 * stages selected by VYRE_JIT_DUMP (ir before, opt and asm after). In debug
 * builds (NDEBUG unset) or with VYRE_JIT_VERIFY=1 the module is verified before and after the passes
 * and a broken module returns VY_E_INTERNAL with the verifier's report
 * instead of crashing inside LLVM. `m` is changed in place; `tm` is only
 * read but must not be used by another thread meanwhile. Errors:
 * VY_E_COMPILE_FAILED (pipeline error), VY_E_INTERNAL (verifier), VY_E_IO
 * (dump). */
vy_status vy_jit_optimize(LLVMModuleRef m, LLVMTargetMachineRef tm, vy_jit_opt opt, vy_error *err);

/* Runs LLVM's verifier on `m`: VY_E_INTERNAL with its report ("LLVM module
 * is invalid <when>") when the module is broken, a lowering bug. The cuda
 * compile calls it on every kernel (invalid IR can become PTX that faults
 * on the GPU); vy_jit_optimize without NDEBUG or with VYRE_JIT_VERIFY=1. */
vy_status vy_jit_verify(LLVMModuleRef m, const char *when, vy_error *err);

/* ------------------------------------------------------------------ */
/* emit.c: code emission and stage dumps */

typedef enum vy_jit_emit_kind {
  VY_JIT_EMIT_ASM,   /* assembly text (PTX for NVPTX), NUL-terminated */
  VY_JIT_EMIT_OBJECT /* relocatable object file (ELF on Linux) */
} vy_jit_emit_kind;

/* Runs codegen of `tm` on `m` and stores the result in *out (allocated with
 * `alloc`; out->alloc is set, free with vy_bytes_free). *out must be empty
 * ({0}). Codegen rewrites the IR in place (CodeGenPrepare and friends), so
 * emit from a clone (LLVMCloneModule) when the module is used afterwards.
 * Errors: VY_E_COMPILE_FAILED, VY_E_NOMEM; on error *out stays empty. */
vy_status vy_jit_emit(LLVMModuleRef m, LLVMTargetMachineRef tm, vy_jit_emit_kind kind, const vy_allocator *alloc,
                      vy_bytes *out, vy_error *err);

typedef enum vy_jit_dump_stage {
  VY_JIT_DUMP_IR = 1u << 0,  /* as handed to the optimizer */
  VY_JIT_DUMP_OPT = 1u << 1, /* after the pass pipeline */
  VY_JIT_DUMP_ASM = 1u << 2  /* target assembly */
} vy_jit_dump_stage;

/* The stages selected by VYRE_JIT_DUMP now (read on every call; cheap). */
unsigned vy_jit_dump_stages(void);

/* Writes `stage` of `m` to its dump file when VYRE_JIT_DUMP selects it, else
 * does nothing. The asm stage compiles a clone, so `m` is left unchanged;
 * `tm` is needed only for it. Errors: VY_E_IO (file not writable),
 * VY_E_COMPILE_FAILED (asm codegen). */
vy_status vy_jit_dump(LLVMModuleRef m, LLVMTargetMachineRef tm, vy_jit_dump_stage stage, vy_error *err);

/* ------------------------------------------------------------------ */
/* orc.c: the ORC LLJIT wrapper, the only user of the (unstable) ORC C API */

typedef struct vy_orc vy_orc;               /* one LLJIT with its main JITDylib */
typedef struct vy_orc_ctx vy_orc_ctx;       /* one ThreadSafeContext (a compile job's LLVMContext) */
typedef struct vy_orc_kernel vy_orc_kernel; /* code added under its own resource tracker */
typedef void (*vy_jit_fn)(void);            /* a native entry point; cast to its real type */

/* Creates an LLJIT for `host` whose codegen (for vy_orc_add_module) runs at
 * `codegen_opt` with the same target machine settings as vy_jit_tm_host.
 * Code in it can call every symbol of the process (libm, libc, exported
 * host functions) through a process-symbol generator, glibc's libmvec when
 * vy_jit_has_libmvec(), and what vy_orc_define_symbol adds. Owns nothing of
 * `host` after return. `alloc` (copied; NULL = malloc) serves this object
 * and its kernel handles. Errors: VY_E_NOMEM, VY_E_UNSUPPORTED,
 * VY_E_COMPILE_FAILED (LLJIT could not be built). */
vy_status vy_orc_create(const vy_allocator *alloc, const vy_jit_host *host, vy_jit_opt codegen_opt, vy_orc **out,
                        vy_error *err);

/* Destroys the LLJIT and frees all JIT'd code. Every kernel of it must have
 * been removed first (kernel handles hold references into it); NULL is a
 * no-op. Not to be called while another thread uses `j`. */
void vy_orc_destroy(vy_orc *j);

/* Makes `name` resolve to `addr` for all code later added to `j` (host
 * helpers kernels call; independent of the executable's dynamic symbol
 * table). Defined for the lifetime of `j`; a name defined twice fails with
 * VY_E_INVALID_ARGUMENT. Thread-safe. */
vy_status vy_orc_define_symbol(vy_orc *j, const char *name, const void *addr, vy_error *err);

/* Starts a compile job: a new ThreadSafeContext. The module is built in
 * vy_orc_ctx_llvm(*out). Release it with vy_orc_ctx_release once the module
 * is handed to vy_orc_add_module or disposed; the context itself lives
 * until the last module in it is gone. Never fails (LLVM aborts on OOM). */
vy_orc_ctx *vy_orc_ctx_create(void);

/* The LLVMContext of a job. Use it from one thread at a time. */
LLVMContextRef vy_orc_ctx_llvm(vy_orc_ctx *c);

/* Drops the caller's reference to the job's context. NULL-safe. Modules
 * still owned by the caller must be disposed before the last reference
 * goes away (the context deletes what it still contains). */
void vy_orc_ctx_release(vy_orc_ctx *c);

/* Adds module `m` (built in `ctx`, target set, usually optimized) under a
 * new resource tracker, has ORC compile and link it now, and resolves
 * `entry`. Takes ownership of `m` in every case. ORC's codegen of one
 * LLJIT is serialized (see the top of this file); prefer emit +
 * vy_orc_add_object where compiles run in parallel. Errors:
 * VY_E_COMPILE_FAILED (duplicate symbol, data layout mismatch, unresolved
 * external, codegen failure; the message names the symbol), VY_E_NOMEM;
 * on error nothing of `m` stays in the JIT. Thread-safe. */
vy_status vy_orc_add_module(vy_orc *j, vy_orc_ctx *ctx, LLVMModuleRef m, const char *entry, vy_orc_kernel **out,
                            vy_error *err);

/* Adds a relocatable object file (len bytes, copied) under a new resource
 * tracker, links it now and resolves `entry`. The object must come from a
 * target machine like vy_jit_tm_host's (PIC, small code model, same CPU
 * features). Errors as vy_orc_add_module, plus VY_E_INVALID_ARGUMENT for
 * NULL/empty input; a corrupt object is VY_E_COMPILE_FAILED. Thread-safe,
 * and adds from different threads link in parallel. */
vy_status vy_orc_add_object(vy_orc *j, const void *obj, size_t len, const char *entry, vy_orc_kernel **out,
                            vy_error *err);

/* The entry point resolved when the kernel was added. Valid until
 * vy_orc_kernel_remove. */
vy_jit_fn vy_orc_kernel_entry(const vy_orc_kernel *k);

/* Looks `name` up in the JIT (all kernels added so far, defined host
 * symbols and the process). *addr is the address. Errors:
 * VY_E_INVALID_ARGUMENT (not found; message names it). Thread-safe. */
vy_status vy_orc_lookup(vy_orc *j, const char *name, uint64_t *addr, vy_error *err);

/* Removes the kernel's code and data from the JIT (its memory is unmapped,
 * its symbols are gone) and frees the handle, also when removal reports an
 * error. No thread may be running the kernel. NULL is a no-op. Errors:
 * VY_E_INTERNAL (ORC failed to release some resource). */
vy_status vy_orc_kernel_remove(vy_orc_kernel *k, vy_error *err);

#endif
