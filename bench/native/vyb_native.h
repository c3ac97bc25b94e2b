/* vyb_native.h - the interface between `vyre-jit bench` and the native C
 * baselines of the benchmark suite (libvyre_bench_native.so, loaded with
 * dlopen so the tool itself stays portable and needs no OpenMP).
 *
 * One function per suite program, named `vyb_native_<name>` (the program's
 * file name, or the name its `# bench: native NAME` directive gives). It
 * runs the same algorithm as the program, written as a performance-minded
 * C programmer would (OpenMP over `threads` threads, vectorizable loops),
 * on the program's buffers:
 *
 *   bufs[i]  one entry per non-workgroup buffer of the program, in
 *            declaration order: inputs hold their initial bytes, read_write
 *            buffers hold their initial bytes and receive the result,
 *            backend-allocated outputs are zero-filled (count x element
 *            bytes), exactly as the reference interpreter binds them
 *            (vyre-ir.md §4.2).
 *   threads  the OpenMP thread count to use (>= 1).
 *
 * It returns 0, or VYB_NATIVE_BAD_SHAPE when the buffers do not have the
 * shape it needs (wrong count, sizes that do not fit the algorithm); it
 * never reads or writes outside the buffers. Every function may be called
 * any number of times; none keeps state between calls.
 *
 * Floating point: the library is compiled with -ffp-contract=off and
 * without -ffast-math, so each native baseline rounds every operation the
 * way the program does and agrees with the interpreter bit for bit, except
 * where the program calls transcendental functions (the C library's
 * versions then differ from vyre's musl-based ones by a few ULP).
 */
#ifndef VYB_NATIVE_H
#define VYB_NATIVE_H

#include <stddef.h>

#define VYB_NATIVE_ABI 2       /* bumped on any change to this file */
#define VYB_NATIVE_BAD_SHAPE 1 /* return value: the buffers do not fit */

typedef struct vyb_buf {
  void *data;   /* at least 64-byte aligned; may be NULL when bytes is 0 */
  size_t bytes; /* length in bytes */
} vyb_buf;

typedef int (*vyb_native_fn)(const vyb_buf *bufs, size_t nbufs, int threads);

/* STREAM-style bandwidth of the machine in GB/s (10^9 bytes per second,
 * STREAM's counting: copy moves 16 bytes per element, triad 24). */
typedef struct vyb_stream_result {
  double copy_gbs; /* best of the repetitions, as STREAM reports */
  double triad_gbs;
  size_t elements; /* doubles per array */
  int threads;
} vyb_stream_result;

/* Exported by the library. */
int vyb_native_abi(void);                /* VYB_NATIVE_ABI of the build */
const char *vyb_native_build_info(void); /* compiler, version, flags, OpenMP */
/* Runs STREAM copy (c = a) and triad (a = b + s * c) on three arrays of
 * `elements` doubles with `threads` threads, `reps` times each. Returns 0,
 * or -1 when the arrays cannot be allocated. */
int vyb_stream(size_t elements, int reps, int threads, vyb_stream_result *out);
/* Ends the OpenMP runtime's worker threads (omp_pause_resource_all): called
 * before the tool exits, so no idle thread outlives the measurements (leak
 * checkers stop every thread at exit). A later baseline call starts them
 * again. */
void vyb_native_shutdown(void);

/* Shared by the baselines: the buffer as an array of T and its length. */
#define VYB_ARRAY(T, b) ((T *)(b).data)
#define VYB_LEN(T, b) ((b).bytes / sizeof(T))

#endif
