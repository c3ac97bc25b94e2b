/* emit.c - assembly and object code from a module, and the VYRE_JIT_DUMP
 * stage dumps. See jit_int.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "jit_int.h"

vy_status vy_jit_emit(LLVMModuleRef m, LLVMTargetMachineRef tm, vy_jit_emit_kind kind, const vy_allocator *alloc,
                      vy_bytes *out, vy_error *err) {
  if (!m || !tm || !out || out->data)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "vy_jit_emit needs a module, a target machine and an empty output. Fix: pass "
                        "vy_bytes out = {0}.");
  LLVMMemoryBufferRef buf = NULL;
  char *msg = NULL;
  LLVMCodeGenFileType type = kind == VY_JIT_EMIT_ASM ? LLVMAssemblyFile : LLVMObjectFile;
  if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, type, &msg, &buf)) /* true = failure */
    return vy_jit_llvm_message(err, VY_E_COMPILE_FAILED, msg, "LLVM code generation failed",
                               "check the module's target triple and data layout (vy_jit_module_set_target)");
  LLVMDisposeMessage(msg);
  out->alloc = alloc;
  int rc = vy_bytes_append(out, LLVMGetBufferStart(buf), LLVMGetBufferSize(buf));
  LLVMDisposeMemoryBuffer(buf);
  if (rc) {
    vy_bytes_free(out);
    out->alloc = NULL;
    return vy_error_nomem(err);
  }
  return VY_OK;
}

/* ---- stage dumps ---- */

unsigned vy_jit_dump_stages(void) {
  static const struct {
    const char *name;
    unsigned bits;
  } names[] = {{"ir", VY_JIT_DUMP_IR},
               {"opt", VY_JIT_DUMP_OPT},
               {"asm", VY_JIT_DUMP_ASM},
               {"all", VY_JIT_DUMP_IR | VY_JIT_DUMP_OPT | VY_JIT_DUMP_ASM}};
  const char *s = getenv("VYRE_JIT_DUMP");
  unsigned bits = 0;
  while (s && *s) {
    size_t len = strcspn(s, ",");
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
      if (len == strlen(names[i].name) && memcmp(s, names[i].name, len) == 0) bits |= names[i].bits;
    s += len + (s[len] == ',');
  }
  return bits;
}

/* <dir>/<sanitized module id><suffix>; false when it does not fit. */
static bool dump_path(char *path, size_t cap, LLVMModuleRef m, const char *suffix) {
  const char *dir = getenv("VYRE_JIT_DUMP_DIR");
  if (!dir || !*dir) dir = ".";
  size_t idlen = 0;
  const char *id = LLVMGetModuleIdentifier(m, &idlen);
  char name[128];
  size_t n = 0;
  for (size_t i = 0; i < idlen && n < sizeof name - 1; i++) {
    char c = id[i];
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    name[n++] = ok ? c : '_';
  }
  if (n == 0) memcpy(name, "module", n = 6);
  name[n] = 0;
  int len = snprintf(path, cap, "%s/%s%s", dir, name, suffix);
  return len > 0 && (size_t)len < cap;
}

vy_status vy_jit_dump(LLVMModuleRef m, LLVMTargetMachineRef tm, vy_jit_dump_stage stage, vy_error *err) {
  if (!(vy_jit_dump_stages() & stage)) return VY_OK;
  const char *suffix = stage == VY_JIT_DUMP_IR ? ".ir.ll" : stage == VY_JIT_DUMP_OPT ? ".opt.ll" : NULL;
  if (!suffix) suffix = strncmp(LLVMGetTarget(m), "nvptx", 5) == 0 ? ".ptx" : ".s";
  char path[4096];
  if (!dump_path(path, sizeof path, m, suffix))
    return vy_error_set(err, VY_E_IO, "VYRE_JIT_DUMP_DIR is too long for a dump path. Fix: use a shorter directory.");
  char *msg = NULL;
  bool failed;
  if (stage == VY_JIT_DUMP_ASM) {
    if (!tm)
      return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                          "the asm dump needs a target machine. Fix: pass the job's target machine.");
    LLVMModuleRef clone = LLVMCloneModule(m); /* codegen rewrites IR; leave `m` as it was */
    failed = LLVMTargetMachineEmitToFile(tm, clone, path, LLVMAssemblyFile, &msg);
    LLVMDisposeModule(clone);
  } else {
    failed = LLVMPrintModuleToFile(m, path, &msg);
  }
  if (failed) { /* LLVMBool true = failure; the message says whether the file or codegen failed */
    char what[400];
    snprintf(what, sizeof what, "VYRE_JIT_DUMP could not write %.300s", path);
    return vy_jit_llvm_message(err, VY_E_IO, msg, what, "make VYRE_JIT_DUMP_DIR an existing writable directory");
  }
  LLVMDisposeMessage(msg);
  return VY_OK;
}
