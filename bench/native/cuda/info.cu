/* info.cu - what libvyb_cuda.so was built with, whether this machine can
 * run it, and the last error of the calling thread. */
#include <stdio.h>

#include "vyb_cuda_run.cuh"

#ifndef VYB_CUDA_FLAGS
#define VYB_CUDA_FLAGS "?"
#endif
#define VYB_STR2(x) #x
#define VYB_STR(x) VYB_STR2(x)

static thread_local char last_error[512];

int vyb_cuda_fail(const char *what, cudaError_t e) {
  snprintf(last_error, sizeof last_error, "%s: %s (%s)", what, cudaGetErrorString(e), cudaGetErrorName(e));
  return VYB_CUDA_ERROR;
}

extern "C" int vyb_cuda_abi(void) { return VYB_CUDA_ABI; }

extern "C" const char *vyb_cuda_build_info(void) {
  return "nvcc " VYB_STR(__CUDACC_VER_MAJOR__) "." VYB_STR(__CUDACC_VER_MINOR__) "." VYB_STR(
      __CUDACC_VER_BUILD__) ", " VYB_CUDA_FLAGS;
}

extern "C" const char *vyb_cuda_last_error(void) { return last_error; }

extern "C" int vyb_cuda_probe(char *buf, size_t cap) {
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    snprintf(buf, cap, "the CUDA runtime finds no usable device: %s (%s)", cudaGetErrorString(e), cudaGetErrorName(e));
    return 1;
  }
  if (count < 1) {
    snprintf(buf, cap, "the CUDA runtime finds no device");
    return 1;
  }
  cudaDeviceProp p;
  if ((e = cudaGetDeviceProperties(&p, 0)) != cudaSuccess) {
    snprintf(buf, cap, "cudaGetDeviceProperties: %s", cudaGetErrorString(e));
    return 1;
  }
  snprintf(buf, cap, "%s (sm_%d%d)", p.name, p.major, p.minor);
  if (p.major < 8) {
    snprintf(buf, cap, "device %s is sm_%d%d; the baselines are built for sm_80 and sm_90", p.name, p.major, p.minor);
    return 1;
  }
  return 0;
}
