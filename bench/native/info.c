/* info.c - what the native baseline library was built with, and the end
 * of its OpenMP threads. */
#ifdef _OPENMP
#include <omp.h>
#endif

#include "vyb_native.h"

#ifndef VYB_NATIVE_FLAGS
#define VYB_NATIVE_FLAGS "?"
#endif

#if defined(__clang__)
#define VYB_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define VYB_COMPILER "gcc " __VERSION__
#else
#define VYB_COMPILER "unknown compiler"
#endif

#define VYB_STR2(x) #x
#define VYB_STR(x) VYB_STR2(x)
#ifdef _OPENMP
#define VYB_OPENMP "OpenMP " VYB_STR(_OPENMP)
#else
#define VYB_OPENMP "no OpenMP"
#endif

int vyb_native_abi(void) { return VYB_NATIVE_ABI; }

const char *vyb_native_build_info(void) { return VYB_COMPILER ", " VYB_OPENMP ", " VYB_NATIVE_FLAGS; }

void vyb_native_shutdown(void) {
#ifdef _OPENMP
  omp_pause_resource_all(omp_pause_hard);
#endif
}
