/* vyb_cuda_run.cuh - what every CUDA baseline shares: device copies of the
 * buffers, the timed launches with their per-launch reset, the copy back
 * (the contract is in vyb_cuda.h). Internal to libvyb_cuda.so. */
#ifndef VYB_CUDA_RUN_CUH
#define VYB_CUDA_RUN_CUH

#include <cuda_runtime.h>
#include <stdint.h>

#include "vyb_cuda.h"

/* Records "what: CUDA's message" as the thread's last error and returns
 * VYB_CUDA_ERROR. */
__attribute__((visibility("hidden"))) int vyb_cuda_fail(const char *what, cudaError_t e);

/* The buffers of one call on the GPU. */
class vyb_cuda_job {
public:
  /* writable: bit i set = bufs[i] is read_write (reset before every launch,
   * copied back after the last). */
  vyb_cuda_job(const vyb_buf *bufs, size_t nbufs, uint32_t writable)
      : bufs_(bufs), nbufs_(nbufs), writable_(writable) {}
  ~vyb_cuda_job() {
    for (size_t i = 0; i < nbufs_ && i < kMax; i++) cudaFree(dev_[i]);
    if (ev_[0]) cudaEventDestroy(ev_[0]);
    if (ev_[1]) cudaEventDestroy(ev_[1]);
  }
  /* Allocates and uploads every buffer; 0 or VYB_CUDA_ERROR. */
  int open() {
    if (nbufs_ > kMax) return VYB_NATIVE_BAD_SHAPE;
    cudaError_t e;
    for (size_t i = 0; i < nbufs_; i++) {
      if ((e = cudaMalloc(&dev_[i], bufs_[i].bytes ? bufs_[i].bytes : 4)) != cudaSuccess)
        return vyb_cuda_fail("cudaMalloc", e);
      if (bufs_[i].bytes && (e = cudaMemcpy(dev_[i], bufs_[i].data, bufs_[i].bytes, cudaMemcpyHostToDevice)) != cudaSuccess)
        return vyb_cuda_fail("cudaMemcpy to the device", e);
    }
    if ((e = cudaEventCreate(&ev_[0])) != cudaSuccess || (e = cudaEventCreate(&ev_[1])) != cudaSuccess)
      return vyb_cuda_fail("cudaEventCreate", e);
    return 0;
  }
  template <typename T> T *ptr(size_t i) const { return static_cast<T *>(dev_[i]); }

  /* One warm-up launch, then `reps` timed ones (seconds[r] = GPU time of
   * launch r, when seconds is not NULL), each after resetting the writable
   * buffers; then copies the writable buffers back. `launch` enqueues the
   * kernel(s) of one dispatch on the default stream. */
  template <typename Launch> int time(int reps, double *seconds, Launch launch) {
    cudaError_t e;
    for (int r = -1; r < reps; r++) {
      for (size_t i = 0; i < nbufs_; i++) /* untimed: before the first event */
        if ((writable_ >> i & 1) && bufs_[i].bytes &&
            (e = cudaMemcpyAsync(dev_[i], bufs_[i].data, bufs_[i].bytes, cudaMemcpyHostToDevice)) != cudaSuccess)
          return vyb_cuda_fail("resetting a read_write buffer", e);
      if ((e = cudaEventRecord(ev_[0])) != cudaSuccess) return vyb_cuda_fail("cudaEventRecord", e);
      launch();
      if ((e = cudaGetLastError()) != cudaSuccess) return vyb_cuda_fail("launching the kernel", e);
      if ((e = cudaEventRecord(ev_[1])) != cudaSuccess) return vyb_cuda_fail("cudaEventRecord", e);
      if ((e = cudaEventSynchronize(ev_[1])) != cudaSuccess) return vyb_cuda_fail("running the kernel", e);
      float ms = 0;
      if ((e = cudaEventElapsedTime(&ms, ev_[0], ev_[1])) != cudaSuccess)
        return vyb_cuda_fail("cudaEventElapsedTime", e);
      if (r >= 0 && seconds) seconds[r] = (double)ms * 1e-3;
    }
    for (size_t i = 0; i < nbufs_; i++)
      if ((writable_ >> i & 1) && bufs_[i].bytes &&
          (e = cudaMemcpy(bufs_[i].data, dev_[i], bufs_[i].bytes, cudaMemcpyDeviceToHost)) != cudaSuccess)
        return vyb_cuda_fail("cudaMemcpy to the host", e);
    return 0;
  }

private:
  static const size_t kMax = 16;
  const vyb_buf *bufs_;
  size_t nbufs_;
  uint32_t writable_;
  void *dev_[kMax] = {};
  cudaEvent_t ev_[2] = {};
};

/* Elements of T in buffer b. */
template <typename T> static inline size_t vyb_len(const vyb_buf &b) { return b.bytes / sizeof(T); }

/* Blocks of `per` threads covering n (n >= 1). */
static inline unsigned vyb_blocks(size_t n, unsigned per) { return (unsigned)((n + per - 1) / per); }

/* The shared body of every entry point: checks reps, opens the job and
 * times `launch`. */
template <typename Launch>
static int vyb_cuda_go(const vyb_buf *bufs, size_t nbufs, uint32_t writable, int reps, double *seconds,
                       Launch launch) {
  if (reps < 1) return VYB_NATIVE_BAD_SHAPE;
  vyb_cuda_job job(bufs, nbufs, writable);
  int rc = job.open();
  return rc ? rc : job.time(reps, seconds, [&] { launch(job); });
}

#endif
