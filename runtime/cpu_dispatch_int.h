/* cpu_dispatch_int.h - running compiled CPU kernels: the kernel ABI shared
 * with the lowering (jit/lower_cpu.c builds functions of exactly this
 * shape), the error record kernels fill, and the dispatch of a grid of
 * workgroups over the thread pool.
 *
 * Kernel ABI. A compiled program is one function
 *
 *   void kernel(const vy_kargs *args, uint64_t wg_begin, uint64_t wg_end, uint8_t *scratch)
 *
 * that runs the workgroups with linear index wg_begin .. wg_end - 1 (linear
 * index = x + gx * (y + gy * z), the order of the reference) one after the
 * other on the calling thread. `scratch` is private to the calling thread
 * for the duration of the call, 64-byte aligned and at least the kernel's
 * scratch size (workgroup memory, per-invocation context arrays, the
 * returned-invocation mask, ...); the kernel zeroes what needs zeroing per
 * workgroup itself. Before each workgroup the kernel reads args->err->stop
 * and returns when it is set; so does every chunk of iterations of a
 * Loop that may run long (lower_int.h, VY_LW_POLL_CHUNK).
 *
 * Errors. A runtime error of the program (the reference's VY_E_RUNTIME
 * cases) makes the kernel call vy_cpu_raise with a site number (an index
 * into the compiled program's site table, which says what failed and
 * where), the invocation and up to two operand values, and return at once.
 * The first raise of a dispatch wins (atomically); later ones are dropped.
 * Every raise also sets `stop`, so other threads finish their current
 * workgroup and stop.
 *
 * Float environment. Kernels run with DAZ on and FTZ off on x86-64:
 * subnormal inputs of every float instruction read as signed zeros (the
 * reference canonicalizes operands, vyre-ir.md §3.2), while results are
 * rounded first and never flushed by the hardware (x86's FTZ decides
 * tininess before rounding and would turn a product that rounds up to the
 * smallest normal into zero, which the reference does not). The lowering
 * canonicalizes values where their bits become observable. Elsewhere the
 * pool's FTZ mode (flush-to-zero on inputs and outputs) is used.
 */
#ifndef VYRE_CPU_DISPATCH_INT_H
#define VYRE_CPU_DISPATCH_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "pool_int.h"
#include "vyre/status.h"

/* One bound buffer. Workgroup buffers live in scratch and have no entry. */
typedef struct vy_kbuf {
  uint8_t *data;  /* NULL only when bytes is 0 */
  uint64_t bytes; /* real length (inputs may be longer than declared) */
  uint64_t elems; /* BufLen: bytes / stride, or bytes when the stride is 0 */
} vy_kbuf;

/* The error record of one dispatch. Zero-initialize before the dispatch. */
typedef struct vy_kerr {
  atomic_uint stop;    /* nonzero: kernels stop before their next workgroup */
  atomic_uint claimed; /* the first raise sets it and fills the fields below */
  uint32_t site;       /* site table index */
  uint32_t has_inv;    /* 1: inv holds the invocation's global id */
  uint32_t inv[3];
  uint64_t a[2], b[2]; /* operand bits (little-endian words) */
} vy_kerr;

/* Field order is part of the ABI (jit/lower_cpu.c mirrors it). */
typedef struct vy_kargs {
  const vy_kbuf *bufs; /* one per program buffer, declaration order */
  vy_kerr *err;
  uint64_t grid[3];       /* workgroups per axis */
  void *const *host_fns;  /* host-op functions, registry order (Calls) */
  const vy_allocator *rt; /* allocator for async copies (NULL = malloc) */
} vy_kargs;

enum { VY_KARGS_BUFS, VY_KARGS_ERR, VY_KARGS_GRID0, VY_KARGS_GRID1, VY_KARGS_GRID2, VY_KARGS_HOST, VY_KARGS_RT };
enum { VY_KBUF_DATA, VY_KBUF_BYTES, VY_KBUF_ELEMS };

/* Per-invocation state of one async tag (vyre-ir.md §2.1 async rules),
 * kept in the kernel's scratch, zeroed at kernel entry. */
typedef struct vy_async_slot {
  uint8_t *data; /* the bytes to land, `cap` allocated */
  uint64_t cap;
  uint8_t *dst; /* where they land at the wait */
  uint64_t len;
  uint64_t active;
} vy_async_slot;

typedef void (*vy_kernel_fn)(const vy_kargs *args, uint64_t wg_begin, uint64_t wg_end, uint8_t *scratch);

/* The symbol name kernels call for vy_cpu_raise (defined in every JIT of the
 * llvm-cpu backend with vy_orc_define_symbol). */
#define VY_CPU_RAISE_SYMBOL "__vyre_cpu_raise"

/* Records a runtime error (see the top of this file). Thread-safe: the first
 * caller of a dispatch wins, later calls only set `stop`. Called by compiled
 * code. */
void vy_cpu_raise(vy_kerr *e, uint32_t site, uint32_t has_inv, uint32_t gx, uint32_t gy, uint32_t gz, uint64_t a0,
                  uint64_t a1, uint64_t b0, uint64_t b1);

/* Async copies, called by compiled code (symbol names below). `alloc` is
 * the dispatch's allocator (vy_kargs.rt).
 * begin: snapshots `size` bytes of src from byte src_off (zero past src_len),
 * keeping only those that land in dst[start .. dst_len); returns 0, 1 when
 * the slot is already active (the reference's error) or 2 when memory ran out.
 * wait: copies them to their destination; returns 0, or 1 when the slot is
 * not active. pending: the index + 1 of the first active slot of n, or 0.
 * release: frees every slot's data (kernel exit). */
uint32_t vy_cpu_async_begin(const vy_allocator *alloc, vy_async_slot *s, const uint8_t *src, uint64_t src_len,
                            uint64_t src_off, uint8_t *dst, uint64_t dst_len, uint64_t start, uint64_t size);
uint32_t vy_cpu_async_wait(vy_async_slot *s);
uint32_t vy_cpu_async_pending(const vy_async_slot *s, uint32_t n);
void vy_cpu_async_release(const vy_allocator *alloc, vy_async_slot *s, uint32_t n);

#define VY_CPU_ASYNC_BEGIN_SYMBOL "__vyre_cpu_async_begin"
#define VY_CPU_ASYNC_WAIT_SYMBOL "__vyre_cpu_async_wait"
#define VY_CPU_ASYNC_PENDING_SYMBOL "__vyre_cpu_async_pending"
#define VY_CPU_ASYNC_RELEASE_SYMBOL "__vyre_cpu_async_release"

/* Runs `fn` over workgroups [0, total_wg) on every participant of `pool`,
 * each with its own scratch of `scratch_bytes` (allocated here with
 * `alloc`, freed before return), in the float environment described above.
 * `timeout_ns` > 0 stops the run once that much time has passed (a
 * watchdog thread sets `stop`; kernels see it before their next workgroup
 * and every VY_LW_POLL_CHUNK iterations of their long loops) and returns
 * VY_E_TIMEOUT.
 * Returns VY_OK when every workgroup ran or a kernel raised (the caller
 * reads args->err), VY_E_NOMEM, VY_E_TIMEOUT. Safe to call from several
 * threads at once (pool_int.h). */
vy_status vy_cpu_run(vy_pool *pool, vy_kernel_fn fn, const vy_kargs *args, uint64_t total_wg, size_t scratch_bytes,
                     uint64_t timeout_ns, const vy_allocator *alloc, vy_error *err);

#endif
