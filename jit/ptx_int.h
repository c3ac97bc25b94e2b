/* ptx_int.h - the contract between the NVPTX flavour of the lowering
 * (jit/lower_ptx.c, PTX text from a prepared program) and the cuda
 * backend (jit/backend_cuda.c, runtime/cuda_*.c: driver, memory, launch).
 *
 * Kernel ABI. A program becomes one PTX `.entry` with these parameters, in
 * this order:
 *
 *   .param .u64 bufs     device address of nbufs vy_kbuf records (cpu_dispatch_int.h
 *                        layout: u64 data, u64 bytes, u64 elems), one per program
 *                        buffer in declaration order; workgroup buffers have an
 *                        all-zero record and live in shared memory instead
 *   .param .u64 err      device address of a vy_kerr record (cpu_dispatch_int.h
 *                        layout, 64 bytes), zeroed by the host before the launch
 *   .param .u64 wg_base  linear index of the workgroup run by block 0 of this launch
 *   .param .u32 gx, gy, gz   workgroups per axis of the whole dispatch
 *
 * Launch shape: a 1-D grid of blocks (gridDim.x <= 2^31 - 1; the host splits
 * larger dispatches into several launches with increasing wg_base) and a
 * 1-D block of exactly wg[0] * wg[1] * wg[2] threads (<= 1024). Block b runs
 * workgroup lin = wg_base + b, lin = x + gx * (y + gy * z) (the reference's
 * order); thread t is local invocation lx = t % wg0, ly = (t / wg0) % wg1,
 * lz = t / (wg0 * wg1). Workgroup memory is static shared memory
 * (addrspace 3) that the kernel zeroes at block start (but for buffers
 * the program provably fills before reading them); its size is in
 * vy_ptx_lowered.shared_bytes (the host checks it against the device).
 *
 * Errors. A reference runtime error claims err->claimed with an atomic CAS
 * (first claim of the dispatch wins), fills site / has_inv / inv / a / b,
 * then sets err->stop. Long Loops (work not bounded by VY_LW_POLL_FREE
 * iterations, lower_int.h) test err->stop before each chunk of
 * VY_LW_POLL_CHUNK iterations and end the invocation when it is set (a
 * timeout's way to end a running kernel); the invocation's first test
 * uses the value its thread read at the kernel's start (no wait there).
 * In a kernel with such a Loop and a barrier or workgroup memory, thread
 * 0 of each block reads it at the start instead and the block returns at
 * once when it is set. Any other kernel's invocations do bounded work and
 * never read it: its blocks run to the end, and the dispatch reports the
 * error all the same.
 * After the launch(es) the host downloads the record and, when claimed,
 * turns it into the interpreter's error with vy_lower_error() and the site
 * table below. No thread ever leaves a barrier its workgroup still
 * reaches: a returned or raising invocation keeps arriving at the
 * workgroup's barriers until the block ends.
 *
 * Element counts in the records are below 2^32 and at least the buffer's
 * declared count (the kernel relies on both: vy_bind checks them).
 */
#ifndef VYRE_PTX_INT_H
#define VYRE_PTX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "interp_int.h"
#include "jit_int.h"
#include "lower_int.h"

/* Name of the kernel entry in every module vy_ptx_compile emits. */
#define VY_PTX_ENTRY "vyre_kernel"

/* What to emit for. */
typedef struct vy_ptx_target {
  const char *sm;             /* "sm_90", "sm_80", ... */
  unsigned ptx_isa;           /* PTX ISA version x10 (e.g. 78 = 7.8); 0 = LLVM's default for sm */
  vy_jit_opt opt;             /* pipeline level (VY_JIT_O2 by default) */
  const char *libdevice_path; /* libdevice.10.bc for transcendentals; NULL = not available */
  int ulp_budget;             /* DispatchConfig.ulp_budget: -1 = exact/accurate math only */
  bool f32_ieee;              /* false (default): FTZ float instructions; true: IEEE ones with every
                                 float result flushed explicitly (lower_ptx.c; part of the cache key) */
} vy_ptx_target;

/* What the host needs to launch a lowered kernel. */
typedef struct vy_ptx_lowered {
  vy_site *sites; /* nsites entries (0 unused); they point into the prepared program */
  uint32_t nsites;
  uint32_t block_threads; /* wg[0] * wg[1] * wg[2] */
  uint64_t shared_bytes;  /* static shared memory the kernel declares */
} vy_ptx_lowered;

/* Lowers the prepared program `pp` to PTX text for target `t`: *ptx gets
 * the NUL-terminated text (allocated with `alloc`, empty on entry), *out
 * the launch facts and the site table. Errors: VY_E_UNSUPPORTED (a
 * construct the cuda backend refuses: message names the node and says
 * why, with a Fix: hint), VY_E_COMPILE_FAILED (LLVM), VY_E_NOMEM. On
 * error *ptx and *out are empty. Thread-safe (one LLVM context per call). */
vy_status vy_ptx_compile(const vy_interp_prepared *pp, const vy_ptx_target *t, const vy_allocator *alloc,
                         vy_bytes *ptx, vy_ptx_lowered *out, vy_error *err);

/* Frees what vy_ptx_compile handed out in *l. */
void vy_ptx_lowered_free(const vy_allocator *alloc, vy_ptx_lowered *l);

/* ---- internals of vy_ptx_compile (lower_ptx.c, ptx_wgfill.c, ptx_compile.c) ---------- */

/* Lowers the prepared program into module `m` (in context c, target set)
 * as the kernel VY_PTX_ENTRY with the ABI above; fills *out (sites,
 * block_threads, shared_bytes). Errors: VY_E_UNSUPPORTED (message names
 * the node, with a Fix: hint), VY_E_NOMEM. On error *out is empty and `m`
 * holds a partial function (dispose it). Not thread-safe on `c`. */
vy_status vy_lower_ptx(const vy_interp_prepared *pp, const vy_ptx_target *t, LLVMContextRef c, LLVMModuleRef m,
                       const vy_allocator *alloc, vy_ptx_lowered *out, vy_error *err);

/* Sets filled[b] for the workgroup buffers b that the entry's statements
 * before its first top-level Barrier store in full (stores at lid.x + c at
 * the top of the list or of an If on a lid.x comparison), with no read of
 * them, no Return and no statement for which synced(ud, n) holds before the
 * Barrier: their zeroing at block start is invisible (ptx_wgfill.c).
 * Leaves the other entries as they are; allocates from w's arena (nothing
 * set when that fails). */
void vy_ptx_find_filled(vy_lw *w, bool (*synced)(void *ud, const vy_cn *n), void *ud, bool *filled);

/* The libdevice to link for transcendentals (the one lookup of the cuda
 * backend and `vyre-jit emit ptx`): $VYRE_JIT_LIBDEVICE when set and
 * non-empty (taken as given, so a wrong path fails loudly at the compile),
 * else $CUDA_HOME/nvvm/libdevice/libdevice.10.bc, else
 * /usr/local/cuda/nvvm/libdevice/libdevice.10.bc, the first of these two
 * that is readable. `out` (cap bytes) gets the path, "" when there is none
 * (or it does not fit). Thread-safe (reads the environment). */
void vy_ptx_libdevice_path(char *out, size_t cap);

#endif
