/* backend_cuda_link_int.h - the host <-> device link bandwidth of a cuda
 * backend's GPU, measured with the backend's own pinned staging and device
 * pools (backend_cuda_link.c): the ceiling that `vyre-jit bench --stream`
 * compares the streaming throughput with. */
#ifndef VYRE_BACKEND_CUDA_LINK_INT_H
#define VYRE_BACKEND_CUDA_LINK_INT_H

#include <stddef.h>

#include "vyre/backend.h"

/* Copies `bytes` of pinned host memory to the device and back `reps`
 * times each (after one untimed copy each way) and sets *h2d and *d2h to
 * the best rate of each direction in bytes per second. Errors:
 * VY_E_INVALID_ARGUMENT (not a cuda backend, bytes or reps 0),
 * VY_E_DEVICE_OOM / VY_E_NOMEM (the blocks), VY_E_DISPATCH_FAILED (a
 * copy). Thread-safe like a dispatch. */
vy_status vy_cuda_link_bandwidth(vy_backend *be, size_t bytes, int reps, double *h2d, double *d2h, vy_error *err);

#endif
