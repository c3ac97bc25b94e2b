/* jit_version.c - the LLVM this build links against. */
#include <llvm-c/Core.h>

#include "vyre/version.h"

/* Fills the LLVM version linked into libvyre-jit. */
void vy_jit_llvm_version(unsigned *major, unsigned *minor, unsigned *patch);
void vy_jit_llvm_version(unsigned *major, unsigned *minor, unsigned *patch) { LLVMGetVersion(major, minor, patch); }
