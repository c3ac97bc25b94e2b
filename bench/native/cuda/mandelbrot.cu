/* mandelbrot.cu - CUDA baseline of bench/suite/mandelbrot.vy: escape-time
 * counts of a w x h image, one thread per pixel, blocks of 256, each
 * thread leaving its loop as soon as its point escapes. Every operation
 * rounds separately, in the program's order (-fmad=false). */
#include "vyb_cuda_run.cuh"

__global__ void __launch_bounds__(256) mandelbrot(const unsigned *__restrict__ shape, unsigned *__restrict__ iters,
                                                  unsigned n) {
  unsigned i = blockIdx.x * 256u + threadIdx.x;
  if (i >= n) return;
  unsigned w = shape[0], max_iter = shape[1];
  float step = 3.0f / (float)w;
  float cx = -2.0f + (float)(i % w) * step;
  float cy = -1.125f + (float)(i / w) * step;
  float x = 0.0f, y = 0.0f;
  for (unsigned k = 0; k < max_iter; k++) {
    float xx = x * x, yy = y * y;
    if (xx + yy > 4.0f) {
      iters[i] = k;
      return;
    }
    y = 2.0f * x * y + cy;
    x = xx - yy + cx;
  }
  iters[i] = max_iter;
}

extern "C" int vyb_cuda_mandelbrot(const vyb_buf *b, size_t nb, int reps, double *seconds) {
  if (nb != 2 || vyb_len<unsigned>(b[0]) != 2 || ((const unsigned *)b[0].data)[0] == 0) return VYB_NATIVE_BAD_SHAPE;
  size_t n = vyb_len<unsigned>(b[1]);
  if (n == 0 || n > UINT32_MAX) return VYB_NATIVE_BAD_SHAPE;
  return vyb_cuda_go(b, nb, 1u << 1, reps, seconds, [&](vyb_cuda_job &j) {
    mandelbrot<<<vyb_blocks(n, 256), 256>>>(j.ptr<unsigned>(0), j.ptr<unsigned>(1), (unsigned)n);
  });
}
