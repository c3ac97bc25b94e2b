/* test_jit_cuda_fake.c - the cuda backend's host side on any machine: the
 * real compile path (NVPTX lowering, kernel cache, artifact) and the whole
 * dispatch path (binding, staging, launch split, error record, timeout,
 * pools, lanes), asynchronous dispatch, streams, resident buffers and the
 * link measurement run against an emulation of the CUDA driver on host memory
 * (vy_cuda_api_override), so AddressSanitizer and the fault-injecting
 * allocator see them without a GPU. The emulated "kernels" are C versions
 * of the two test programs below, computed by hand from their text; they
 * read the kernel ABI's buffer table and error record exactly as the PTX
 * does (ptx_int.h). The emulated device memory is counted: everything a
 * backend allocates is freed when it closes.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "backend_cuda_int.h"
#include "backend_cuda_link_int.h"
#include "backends.h"
#include "cpu_dispatch_int.h"
#include "cuda_driver_int.h"
#include "fault_alloc.h"
#include "vyre/interp.h"
#include "vyre/jit.h"
#include "vyre/text.h"

/* ---- the emulated driver ---- */

enum { K_AXPY, K_TRAP, K_AXPB };

static int g_kernel = K_AXPY; /* which program the launches emulate */
static int g_device_count = 1;
static uint32_t g_max_grid = 2147483647u; /* gridDim.x limit */
static size_t g_mem_limit = SIZE_MAX;     /* larger device allocations fail (out of memory) */
static bool g_bad_ptx, g_slow;            /* the linker rejects the PTX; kernels run until stopped */
static atomic_bool g_hold;                /* every stream reports busy (NOT_READY) until cleared */
static atomic_long g_htod_bytes;          /* bytes copied host -> device */
static atomic_long g_htod_calls, g_dtod_calls, g_dtod_bytes; /* copies host -> device, device -> device */
static size_t g_htod_len[64];             /* the length of each host -> device copy (the first 64) */
static vy_cu_ptr g_launch_buf1[64];       /* the buffer table's entry 1 at each launch */
static vy_cu_stream g_launch_stream[64];  /* the stream of each launch */
static atomic_bool g_stop_written;
static atomic_long g_dev_bytes, g_host_bytes, g_objects; /* live allocations of the emulation */
static atomic_int g_launches, g_links;
static atomic_long g_zeroed; /* bytes the backend zeroed on the device */
static int g_driver = 12040, g_cc[2] = {9, 0};
static uint32_t g_launch_blocks[64];
static int g_ctx_obj;

#define HDR 256 /* allocations keep their size in front (and stay 256-byte aligned) */

static void *fake_alloc(size_t n, atomic_long *counter) {
  uint8_t *p = aligned_alloc(HDR, (n + 2 * HDR - 1) / HDR * HDR);
  if (!p) return NULL;
  memcpy(p, &n, sizeof n);
  atomic_fetch_add(counter, (long)n);
  return p + HDR;
}

static void fake_free(void *q, atomic_long *counter) {
  if (!q) return;
  uint8_t *p = (uint8_t *)q - HDR;
  size_t n;
  memcpy(&n, p, sizeof n);
  atomic_fetch_sub(counter, (long)n);
  free(p);
}

static vy_cu_result f_init(unsigned f) { return f ? VY_CU_ERROR_INVALID_VALUE : VY_CU_SUCCESS; }
static vy_cu_result f_version(int *v) { return *v = g_driver, VY_CU_SUCCESS; }
static vy_cu_result f_err_name(vy_cu_result r, const char **s) {
  *s = r == VY_CU_ERROR_OUT_OF_MEMORY ? "CUDA_ERROR_OUT_OF_MEMORY"
       : r == VY_CU_ERROR_INVALID_PTX ? "CUDA_ERROR_INVALID_PTX"
                                      : "CUDA_ERROR_FAKE";
  return VY_CU_SUCCESS;
}
static vy_cu_result f_err_string(vy_cu_result r, const char **s) {
  (void)r;
  *s = "emulated failure";
  return VY_CU_SUCCESS;
}
static vy_cu_result f_count(int *n) { return *n = g_device_count, VY_CU_SUCCESS; }
static vy_cu_result f_get(vy_cu_device *d, int i) { return *d = i, VY_CU_SUCCESS; }
static vy_cu_result f_name(char *name, int len, vy_cu_device d) {
  (void)d;
  snprintf(name, (size_t)len, "Emulated GPU");
  return VY_CU_SUCCESS;
}
static vy_cu_result f_attr(int *v, int a, vy_cu_device d) {
  (void)d;
  switch (a) {
  case VY_CU_ATTR_MAX_THREADS_PER_BLOCK:
    *v = 1024;
    break;
  case VY_CU_ATTR_MAX_BLOCK_DIM_X:
    *v = 1024;
    break;
  case VY_CU_ATTR_MAX_BLOCK_DIM_Y:
    *v = 1024;
    break;
  case VY_CU_ATTR_MAX_BLOCK_DIM_Z:
    *v = 64;
    break;
  case VY_CU_ATTR_MAX_GRID_DIM_X:
    *v = (int)g_max_grid;
    break;
  case VY_CU_ATTR_MAX_SHARED_MEMORY_PER_BLOCK:
    *v = 49152;
    break;
  case VY_CU_ATTR_WARP_SIZE:
    *v = 32;
    break;
  case VY_CU_ATTR_MULTIPROCESSOR_COUNT:
    *v = 4;
    break;
  case VY_CU_ATTR_CC_MAJOR:
    *v = g_cc[0];
    break;
  case VY_CU_ATTR_CC_MINOR:
    *v = g_cc[1];
    break;
  default:
    return VY_CU_ERROR_INVALID_VALUE;
  }
  return VY_CU_SUCCESS;
}
static vy_cu_result f_total(size_t *b, vy_cu_device d) {
  (void)d;
  return *b = (size_t)1 << 34, VY_CU_SUCCESS;
}
static vy_cu_result f_retain(vy_cu_context *c, vy_cu_device d) {
  (void)d;
  atomic_fetch_add(&g_objects, 1);
  return *c = (vy_cu_context)(void *)&g_ctx_obj, VY_CU_SUCCESS;
}
static vy_cu_result f_release(vy_cu_device d) {
  (void)d;
  atomic_fetch_sub(&g_objects, 1);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_set_current(vy_cu_context c) {
  return c == (vy_cu_context)(void *)&g_ctx_obj ? VY_CU_SUCCESS : VY_CU_ERROR_INVALID_VALUE;
}
static vy_cu_result f_mem_info(size_t *f, size_t *t) {
  *f = (size_t)1 << 33;
  *t = (size_t)1 << 34;
  return VY_CU_SUCCESS;
}
static vy_cu_result f_mem_alloc(vy_cu_ptr *p, size_t n) {
  if (n > g_mem_limit) return VY_CU_ERROR_OUT_OF_MEMORY;
  void *q = fake_alloc(n, &g_dev_bytes);
  *p = (vy_cu_ptr)(uintptr_t)q;
  return q ? VY_CU_SUCCESS : VY_CU_ERROR_OUT_OF_MEMORY;
}
static vy_cu_result f_mem_free(vy_cu_ptr p) {
  fake_free((void *)(uintptr_t)p, &g_dev_bytes);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_host_alloc(void **p, size_t n) {
  *p = fake_alloc(n, &g_host_bytes);
  return *p ? VY_CU_SUCCESS : VY_CU_ERROR_OUT_OF_MEMORY;
}
static vy_cu_result f_host_free(void *p) {
  fake_free(p, &g_host_bytes);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_htod(vy_cu_ptr d, const void *s, size_t n, vy_cu_stream st) {
  (void)st;
  atomic_fetch_add(&g_htod_bytes, (long)n);
  long call = atomic_fetch_add(&g_htod_calls, 1);
  if (call < 64) g_htod_len[call] = n;
  memcpy((void *)(uintptr_t)d, s, n);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_dtod(vy_cu_ptr d, vy_cu_ptr s, size_t n, vy_cu_stream st) {
  (void)st;
  atomic_fetch_add(&g_dtod_calls, 1);
  atomic_fetch_add(&g_dtod_bytes, (long)n);
  memcpy((void *)(uintptr_t)d, (const void *)(uintptr_t)s, n);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_dtoh(void *d, vy_cu_ptr s, size_t n, vy_cu_stream st) {
  (void)st;
  memcpy(d, (const void *)(uintptr_t)s, n);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_memset(vy_cu_ptr d, unsigned char v, size_t n, vy_cu_stream st) {
  (void)st;
  memset((void *)(uintptr_t)d, v, n);
  if (v)
    atomic_store(&g_stop_written, true); /* the timeout's stop flag */
  else
    atomic_fetch_add(&g_zeroed, (long)n);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_stream_create(vy_cu_stream *s, unsigned flags) {
  (void)flags;
  atomic_fetch_add(&g_objects, 1);
  *s = calloc(1, 16);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_stream_destroy(vy_cu_stream s) {
  atomic_fetch_sub(&g_objects, 1);
  free(s);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_stream_sync(vy_cu_stream s) {
  (void)s;
  return VY_CU_SUCCESS;
}
static vy_cu_result f_stream_query(vy_cu_stream s) {
  (void)s;
  if (atomic_load(&g_hold)) return VY_CU_ERROR_NOT_READY;
  return g_slow && !atomic_load(&g_stop_written) ? VY_CU_ERROR_NOT_READY : VY_CU_SUCCESS;
}
static vy_cu_result f_event_create(vy_cu_event *e, unsigned flags) {
  (void)flags;
  atomic_fetch_add(&g_objects, 1);
  *e = calloc(1, sizeof(uint64_t));
  return VY_CU_SUCCESS;
}
static vy_cu_result f_event_destroy(vy_cu_event e) {
  atomic_fetch_sub(&g_objects, 1);
  free(e);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_event_record(vy_cu_event e, vy_cu_stream s) {
  (void)s;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  memcpy(e, &ns, sizeof ns);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_event_sync(vy_cu_event e) {
  (void)e;
  return VY_CU_SUCCESS;
}
static vy_cu_result f_elapsed(float *ms, vy_cu_event a, vy_cu_event b) {
  uint64_t x, y;
  memcpy(&x, a, sizeof x);
  memcpy(&y, b, sizeof y);
  *ms = (float)((double)(y - x) / 1e6) + 1e-6f; /* never 0: the launches took some time */
  return VY_CU_SUCCESS;
}

typedef struct fake_link {
  char *elog;
  size_t ecap;
  char *image;
  size_t len;
} fake_link;

static vy_cu_result f_link_create(unsigned n, int *opts, void **vals, vy_cu_link *out) {
  fake_link *l = calloc(1, sizeof *l);
  atomic_fetch_add(&g_links, 1);
  for (unsigned i = 0; i < n; i++) {
    if (opts[i] == VY_CU_JIT_ERROR_LOG_BUFFER) l->elog = vals[i];
    if (opts[i] == VY_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) l->ecap = (size_t)(uintptr_t)vals[i];
  }
  atomic_fetch_add(&g_objects, 1);
  *out = (vy_cu_link)(void *)l;
  return VY_CU_SUCCESS;
}
static vy_cu_result f_link_add(vy_cu_link lk, int type, void *data, size_t size, const char *name, unsigned n,
                               int *opts, void **vals) {
  (void)name, (void)n, (void)opts, (void)vals;
  fake_link *l = (fake_link *)(void *)lk;
  if (type != VY_CU_JIT_INPUT_PTX || !size || ((const char *)data)[size - 1] != 0) return VY_CU_ERROR_INVALID_VALUE;
  if (g_bad_ptx || !strstr(data, ".entry vyre_kernel")) {
    if (l->elog && l->ecap) snprintf(l->elog, l->ecap, "ptxas fatal   : emulated syntax error");
    return VY_CU_ERROR_INVALID_PTX;
  }
  l->image = malloc(size);
  memcpy(l->image, data, size);
  l->len = size;
  return VY_CU_SUCCESS;
}
static vy_cu_result f_link_complete(vy_cu_link lk, void **cubin, size_t *size) {
  fake_link *l = (fake_link *)(void *)lk;
  *cubin = l->image; /* the "cubin" is the PTX itself */
  *size = l->len;
  return l->image ? VY_CU_SUCCESS : VY_CU_ERROR_INVALID_VALUE;
}
static vy_cu_result f_link_destroy(vy_cu_link lk) {
  fake_link *l = (fake_link *)(void *)lk;
  free(l->image);
  free(l);
  atomic_fetch_sub(&g_objects, 1);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_mod_load(vy_cu_module *m, const void *image) {
  if (!strstr(image, ".entry vyre_kernel")) return VY_CU_ERROR_INVALID_IMAGE;
  atomic_fetch_add(&g_objects, 1);
  *m = calloc(1, 16);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_mod_unload(vy_cu_module m) {
  atomic_fetch_sub(&g_objects, 1);
  free(m);
  return VY_CU_SUCCESS;
}
static vy_cu_result f_mod_fn(vy_cu_function *f, vy_cu_module m, const char *name) {
  if (strcmp(name, "vyre_kernel") != 0) return VY_CU_ERROR_NOT_FOUND;
  *f = (vy_cu_function)(void *)m;
  return VY_CU_SUCCESS;
}
static vy_cu_result f_fn_attr(int *v, int a, vy_cu_function f) {
  (void)f;
  *v = 0;
  return a == VY_CU_FUNC_ATTR_SHARED_SIZE_BYTES ? VY_CU_SUCCESS : VY_CU_ERROR_INVALID_VALUE;
}

/* The three programs' kernels, from their text: 1-D workgroups of 4.
 * axpy: y[gid] = x[gid] * 3 + y[gid] (out-of-range loads give 0, stores are
 * dropped). trap: the invocation whose x is 7 raises site 1 with address 7;
 * the others copy x to y. axpb (buffers x, a, y): y[gid] = x[gid] * a[gid]
 * + y[gid]. */
static vy_cu_result f_launch(vy_cu_function f, unsigned gx_blocks, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                             unsigned bz, unsigned shared, vy_cu_stream s, void **params, void **extra) {
  (void)f, (void)extra, (void)shared;
  if (gy != 1 || gz != 1 || by != 1 || bz != 1 || bx != 4 || !gx_blocks || gx_blocks > g_max_grid)
    return VY_CU_ERROR_INVALID_VALUE;
  int launch = atomic_fetch_add(&g_launches, 1);
  vy_cu_ptr tab, rec;
  uint64_t base;
  memcpy(&tab, params[0], 8);
  memcpy(&rec, params[1], 8);
  memcpy(&base, params[2], 8);
  const vy_kbuf *kb = (const vy_kbuf *)(uintptr_t)tab;
  if (launch < 64)
    g_launch_blocks[launch] = gx_blocks, g_launch_stream[launch] = s,
    g_launch_buf1[launch] = (vy_cu_ptr)(uintptr_t)kb[1].data;
  vy_kerr *e = (vy_kerr *)(uintptr_t)rec;
  const vy_kbuf *yb = &kb[g_kernel == K_AXPB ? 2 : 1], *ab = &kb[1];
  uint32_t *x = (uint32_t *)kb[0].data, *y = (uint32_t *)yb->data;
  for (uint64_t b = 0; b < gx_blocks; b++) {
    if (atomic_load(&e->stop)) continue; /* a block that starts after a raise returns */
    for (uint64_t t = 0; t < bx; t++) {
      uint64_t gid = (base + b) * bx + t;
      uint32_t xv = gid < kb[0].elems ? x[gid] : 0;
      if (g_kernel == K_TRAP && xv == 7) {
        unsigned zero = 0;
        if (atomic_compare_exchange_strong(&e->claimed, &zero, 1u)) {
          e->site = 1;
          e->has_inv = 1;
          e->inv[0] = (uint32_t)gid, e->inv[1] = e->inv[2] = 0;
          e->a[0] = 7, e->a[1] = e->b[0] = e->b[1] = 0;
          atomic_store(&e->stop, 1u);
        }
        continue;
      }
      if (gid >= yb->elems) continue;
      if (g_kernel == K_AXPB)
        y[gid] = xv * (gid < ab->elems ? ((const uint32_t *)ab->data)[gid] : 0) + y[gid];
      else
        y[gid] = g_kernel == K_TRAP ? xv : xv * 3 + y[gid];
    }
  }
  return VY_CU_SUCCESS;
}

static const vy_cuda_api fake_api = {
    f_init,           f_version,     f_err_name,     f_err_string,    f_count,         f_get,          f_name,
    f_attr,           f_total,       f_retain,       f_release,       f_set_current,   f_mem_info,     f_mem_alloc,
    f_mem_free,       f_host_alloc,  f_host_free,    f_htod,          f_dtoh,          f_memset,       f_stream_create,
    f_stream_destroy, f_stream_sync, f_stream_query, f_event_create,  f_event_destroy, f_event_record, f_event_sync,
    f_elapsed,        f_link_create, f_link_add,     f_link_complete, f_link_destroy,  f_mod_load,     f_mod_unload,
    f_mod_fn,         f_fn_attr,     f_launch,        f_dtod,
};

/* ---- helpers ---- */

static const char axpy_src[] = "program workgroup(4) {\n"
                               "  buffer x: u32 read @0 count(8)\n"
                               "  buffer y: u32 read_write @1 count(8)\n"
                               "  region vyre.program.root {\n"
                               "    y[gid.x] = x[gid.x] * 3 + y[gid.x]\n"
                               "  }\n"
                               "}\n";

static const char trap_src[] = "program workgroup(4) {\n"
                               "  buffer x: u32 read @0 count(8)\n"
                               "  buffer y: u32 read_write @1 count(8)\n"
                               "  region vyre.program.root {\n"
                               "    if x[gid.x] == 7 {\n"
                               "      trap(x[gid.x], boom)\n"
                               "    }\n"
                               "    y[gid.x] = x[gid.x]\n"
                               "  }\n"
                               "}\n";

typedef struct env {
  vy_context *ctx;
  vy_backend *be;
} env;

static vy_status env_open(const vy_allocator *alloc, env *e, vy_error *err) {
  memset(e, 0, sizeof *e);
  vy_context_options o;
  vy_context_options_init(&o);
  o.alloc = alloc;
  vy_status st = vy_context_create(&o, &e->ctx, err);
  if (st == VY_OK) st = vy_jit_register_backends(e->ctx);
  if (st == VY_OK) st = vy_backend_open(e->ctx, "cuda", &e->be, err);
  return st;
}

static void env_close(env *e) {
  vy_backend_close(e->be);
  vy_context_destroy(e->ctx);
  memset(e, 0, sizeof *e);
  /* the backend gave back every device and host block, stream, module, link */
  assert_int_equal(atomic_load(&g_dev_bytes), 0);
  assert_int_equal(atomic_load(&g_host_bytes), 0);
  assert_int_equal(atomic_load(&g_objects), 0);
}

/* Dispatches axpy with n elements of x = i and y = 1000 + i and checks
 * y = 3 i + 1000 + i (the declared count is 8; longer inputs widen the grid). */
static void check_axpy(vy_kernel *k, uint32_t n, const vy_dispatch_config *cfg) {
  uint32_t *x = calloc(n, 4), *y = calloc(n, 4);
  assert_true(x && y);
  for (uint32_t i = 0; i < n; i++) x[i] = i, y[i] = 1000 + i;
  vy_input in[2] = {{x, 4 * (size_t)n}, {y, 4 * (size_t)n}};
  vy_outputs out;
  vy_error err;
  if (vy_kernel_dispatch(k, in, 2, cfg, &out, &err) != VY_OK) fail_msg("%s", err.message);
  assert_int_equal(out.count, 1);
  assert_int_equal(out.items[0].len, 4 * (size_t)n);
  uint32_t iters = cfg && cfg->has_fixpoint_iterations ? cfg->fixpoint_iterations : 1;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t v;
    memcpy(&v, out.items[0].data + 4 * i, 4);
    assert_int_equal(v, 1000 + i + 3 * i * iters);
  }
  vy_outputs_free(&out);
  free(x);
  free(y);
}

/* ---- tests ---- */

static void reset(void) {
  g_kernel = K_AXPY;
  g_device_count = 1;
  g_max_grid = 2147483647u;
  g_mem_limit = SIZE_MAX;
  g_bad_ptx = g_slow = false;
  atomic_store(&g_stop_written, false);
  atomic_store(&g_launches, 0);
  atomic_store(&g_zeroed, 0);
  atomic_store(&g_hold, false);
  atomic_store(&g_htod_bytes, 0);
  atomic_store(&g_htod_calls, 0);
  atomic_store(&g_dtod_calls, 0);
  atomic_store(&g_dtod_bytes, 0);
  g_driver = 12040;
  g_cc[0] = 9, g_cc[1] = 0;
}

static int test_setup(void **state) {
  (void)state;
  reset();
  return 0;
}

static void capabilities_from_the_device(void **state) {
  (void)state;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_backend_caps c;
  vy_backend_capabilities(e.be, &c);
  assert_int_equal(c.max_workgroup_size[0], 1024);
  assert_int_equal(c.max_workgroup_size[2], 64);
  assert_int_equal(c.max_invocations_per_workgroup, 1024);
  assert_int_equal(c.subgroup_size, 32);
  assert_true(c.subgroup_ops);
  assert_int_equal(c.max_storage_buffer_bytes, (uint64_t)1 << 34);
  assert_int_equal(c.threads, 0);
  assert_false(c.grid_sync);
  assert_string_not_equal(vy_context_default_backend(e.ctx), "cuda");
  env_close(&e);
  g_device_count = 0; /* a driver that sees no GPU */
  vy_backend *be = NULL;
  vy_context *ctx = NULL;
  assert_int_equal(vy_context_create(NULL, &ctx, &err), VY_OK);
  assert_int_equal(vy_jit_register_backends(ctx), VY_OK);
  assert_int_equal(vy_backend_open(ctx, "cuda", &be, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "no CUDA device"));
  assert_non_null(strstr(err.message, "Fix:"));
  vy_context_destroy(ctx);
}

/* The grid of 10 workgroups runs as launches of at most 3 blocks, with the
 * outputs of one launch; handles dispatch many times; fixpoint repeats. */
static void dispatch_and_launch_split(void **state) {
  (void)state;
  g_max_grid = 3;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_program *p = vt_parse(axpy_src);
  vy_kernel *k = NULL;
  if (vy_compile(e.be, p, NULL, &k, &err) != VY_OK) fail_msg("%s", err.message);
  check_axpy(k, 40, NULL); /* 40 elements of y: 10 workgroups of 4 */
  assert_int_equal(atomic_load(&g_launches), 4);
  assert_int_equal(g_launch_blocks[0], 3);
  assert_int_equal(g_launch_blocks[3], 1);
  for (int i = 0; i < 5; i++) check_axpy(k, 8 + (uint32_t)i, NULL);
  assert_true(vy_cuda_kernel_time_ns(k) > 0);
  vy_dispatch_config cfg;
  vy_dispatch_config_default(&cfg);
  cfg.has_fixpoint_iterations = true;
  cfg.fixpoint_iterations = 3;
  check_axpy(k, 9, &cfg);
  /* a second compile of the same program: the memory cache's module */
  vy_kernel *k2 = NULL;
  if (vy_compile(e.be, p, NULL, &k2, &err) != VY_OK) fail_msg("%s", err.message);
  check_axpy(k2, 8, NULL);
  vy_kernel_destroy(k2);
  vy_kernel_destroy(k);
  vy_program_destroy(p);
  env_close(&e);
}

/* The error record of a raising invocation becomes the interpreter's error. */
static void error_record(void **state) {
  (void)state;
  g_kernel = K_TRAP;
  env e;
  vy_error err, rerr;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_program *p = vt_parse(trap_src);
  uint32_t x[8] = {0, 1, 2, 3, 4, 7, 6, 5}, y[8] = {0};
  vy_input in[2] = {{x, sizeof x}, {y, sizeof y}};
  vy_outputs out;
  vy_interp_outputs ref;
  vy_status rst = vy_interp_run(p, in, 2, NULL, NULL, NULL, &ref, &rerr);
  assert_int_equal(rst, VY_E_RUNTIME);
  assert_int_equal(vy_dispatch(e.be, p, in, 2, NULL, &out, &err), VY_E_RUNTIME);
  assert_string_equal(err.message, rerr.message); /* one raising invocation: the same message */
  x[5] = 8;                                       /* nothing raises: y = x */
  assert_int_equal(vy_dispatch(e.be, p, in, 2, NULL, &out, &err), VY_OK);
  assert_memory_equal(out.items[0].data, x, sizeof x);
  vy_outputs_free(&out);
  vy_program_destroy(p);
  env_close(&e);
}

static void timeout_sets_stop(void **state) {
  (void)state;
  g_slow = true; /* the stream is busy until the stop flag is written */
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_program *p = vt_parse(axpy_src);
  vy_dispatch_config cfg;
  vy_dispatch_config_default(&cfg);
  cfg.timeout_ns = 1000000;
  uint32_t x[8] = {0}, y[8] = {0};
  vy_input in[2] = {{x, sizeof x}, {y, sizeof y}};
  vy_outputs out;
  assert_int_equal(vy_dispatch(e.be, p, in, 2, &cfg, &out, &err), VY_E_TIMEOUT);
  assert_true(atomic_load(&g_stop_written));
  assert_non_null(strstr(err.message, "Fix:"));
  vy_program_destroy(p);
  env_close(&e);
}

/* Device out of memory, a PTX the linker rejects: vyre's codes, the
 * driver's name and log, a Fix: hint. */
static void driver_errors(void **state) {
  (void)state;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_program *p = vt_parse(axpy_src);
  g_mem_limit = 1 << 20;
  uint32_t *big = calloc(1 << 19, 4);
  assert_non_null(big);
  vy_input in[2] = {{big, 4u << 19}, {big, 4u << 19}}; /* 4 MiB of buffers */
  vy_outputs out;
  assert_int_equal(vy_dispatch(e.be, p, in, 2, NULL, &out, &err), VY_E_DEVICE_OOM);
  assert_non_null(strstr(err.message, "device out of memory"));
  assert_non_null(strstr(err.message, "Fix:"));
  free(big);
  g_mem_limit = SIZE_MAX;
  vy_program_destroy(p);
  /* a program not in the kernel cache yet, so the linker runs */
  char src[512];
  snprintf(src, sizeof src,
           "program workgroup(4) {\n  buffer y: u32 read_write @0 count(8)\n  region vyre.program.root {\n"
           "    y[gid.x] = %ld\n  }\n}\n",
           (long)time(NULL) % 1000000 + 7);
  p = vt_parse(src);
  g_bad_ptx = true;
  vy_kernel *k = NULL;
  assert_int_equal(vy_compile(e.be, p, NULL, &k, &err), VY_E_COMPILE_FAILED);
  assert_null(k);
  assert_non_null(strstr(err.message, "CUDA_ERROR_INVALID_PTX"));
  assert_non_null(strstr(err.message, "emulated syntax error"));
  assert_non_null(strstr(err.message, "Fix:"));
  vy_program_destroy(p);
  env_close(&e);
}

/* An output the backend allocates is zeroed on the device, not copied up. */
static void output_zeroed_on_device(void **state) {
  (void)state;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_program *p = vt_parse("program workgroup(4) {\n"
                        "  buffer x: u32 read @0 count(8)\n"
                        "  buffer out: u32 read_write @1 count(8) output\n"
                        "  region vyre.program.root {\n"
                        "    out[gid.x] = x[gid.x] * 3 + out[gid.x]\n"
                        "  }\n"
                        "}\n");
  uint32_t x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  vy_input in = {x, sizeof x};
  vy_outputs out;
  if (vy_dispatch(e.be, p, &in, 1, NULL, &out, &err) != VY_OK) fail_msg("%s", err.message);
  assert_true(atomic_load(&g_zeroed) >= 32);
  for (uint32_t i = 0; i < 8; i++) {
    uint32_t v;
    memcpy(&v, out.items[0].data + 4 * i, 4);
    assert_int_equal(v, 3 * x[i]);
  }
  vy_outputs_free(&out);
  vy_program_destroy(p);
  env_close(&e);
}

/* The disk cache serves another backend of the same target; the driver
 * version and the SM are in the key (another one compiles and links again). */
static void cache_key_target(void **state) {
  (void)state;
  char src[512];
  snprintf(src, sizeof src,
           "program workgroup(4) {\n  buffer x: u32 read @0 count(8)\n  buffer y: u32 read_write @1 count(8)\n"
           "  region vyre.program.root {\n    y[gid.x] = x[gid.x] * 3 + y[gid.x] + %ld - %ld\n  }\n}\n",
           (long)time(NULL), (long)time(NULL));
  vy_program *p = vt_parse(src); /* computes axpy; new to the kernel cache */
  static const struct {
    int driver, major, minor, links; /* links expected after this compile */
  } steps[] = {{12040, 9, 0, 1}, {12040, 9, 0, 1}, {12080, 9, 0, 2}, {12080, 8, 6, 3}, {12040, 9, 0, 3}};
  int links0 = atomic_load(&g_links);
  for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
    g_driver = steps[i].driver;
    g_cc[0] = steps[i].major, g_cc[1] = steps[i].minor;
    env e;
    vy_error err;
    if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
    vy_kernel *k = NULL;
    if (vy_compile(e.be, p, NULL, &k, &err) != VY_OK) fail_msg("%s", err.message);
    check_axpy(k, 8, NULL);
    assert_int_equal(atomic_load(&g_links) - links0, steps[i].links);
    vy_kernel_destroy(k);
    env_close(&e);
  }
  vy_program_destroy(p);
}

typedef struct fault_job {
  const vy_program *p;
} fault_job;

/* context, backend, compile and dispatch with one allocator */
static vy_status all_with(const vy_allocator *alloc, void *ud) {
  fault_job *j = ud;
  env e;
  vy_error err;
  vy_kernel *k = NULL;
  uint32_t x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[8] = {0};
  vy_input in[2] = {{x, sizeof x}, {y, sizeof y}};
  vy_outputs out = {0};
  vy_status st = env_open(alloc, &e, &err);
  if (st == VY_OK) st = vy_compile(e.be, j->p, NULL, &k, &err);
  if (st == VY_OK) st = vy_kernel_dispatch(k, in, 2, NULL, &out, &err);
  if (st == VY_OK) assert_int_equal(out.items[0].data[4], 6); /* 3 * x[1] + y[1] */
  vy_outputs_free(&out);
  vy_kernel_destroy(k);
  env_close(&e);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  vy_program *p = vt_parse(axpy_src);
  fault_job j = {p};
  assert_true(vy_fault_run_all(all_with, &j) > 0);
  vy_program_destroy(p);
}

/* Four threads dispatch one handle at once (lanes and pools are shared). */
typedef struct worker {
  vy_kernel *k;
  int bad;
} worker;

static void *work(void *ud) {
  worker *w = ud;
  for (uint32_t round = 0; round < 50; round++) {
    uint32_t n = 8 + round % 5, x[16], y[16];
    for (uint32_t i = 0; i < n; i++) x[i] = i + round, y[i] = round;
    vy_input in[2] = {{x, 4 * (size_t)n}, {y, 4 * (size_t)n}};
    vy_outputs out;
    vy_error err;
    if (vy_kernel_dispatch(w->k, in, 2, NULL, &out, &err) != VY_OK) {
      w->bad++;
      continue;
    }
    for (uint32_t i = 0; i < n; i++) {
      uint32_t v;
      memcpy(&v, out.items[0].data + 4 * i, 4);
      w->bad += v != 3 * (i + round) + round;
    }
    vy_outputs_free(&out);
  }
  return NULL;
}

static void concurrent_dispatch(void **state) {
  (void)state;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_program *p = vt_parse(axpy_src);
  vy_kernel *k = NULL;
  if (vy_compile(e.be, p, NULL, &k, &err) != VY_OK) fail_msg("%s", err.message);
  pthread_t t[4];
  worker w[4];
  for (int i = 0; i < 4; i++) {
    w[i] = (worker){k, 0};
    assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(w[i].bad, 0);
  }
  vy_kernel_destroy(k);
  vy_program_destroy(p);
  env_close(&e);
}

/* ---- asynchronous dispatch, streams, resident buffers ---- */

#include "vyre/async.h"
#include "vyre/resident.h"
#include "vyre/stream.h"

/* axpy's result computed here: for i < yn, (i < xn ? x[i] : 0) * 3 + y[i]
 * (loads past x give 0; the grid covers the output y). */
static void axpy_ref(const uint32_t *x, size_t xn, const uint32_t *y, size_t yn, uint32_t *out) {
  for (size_t i = 0; i < yn; i++) out[i] = (i < xn ? x[i] : 0) * 3 + y[i];
}

static void assert_u32s(const vy_bytes *b, const uint32_t *want, size_t n) {
  assert_int_equal(b->len, 4 * n);
  for (size_t i = 0; i < n; i++) {
    uint32_t v;
    memcpy(&v, b->data + 4 * i, 4);
    assert_int_equal(v, want[i]);
  }
}

/* Three dispatches in flight at once on one kernel, not ready while the
 * streams are busy, collected out of order with wait and wait_into; a
 * program dispatch compiles at the start; errors (binding, the kernel's
 * error record, compile) come from the wait, not from the start. */
static void async_in_flight(void **state) {
  (void)state;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_program *p = vt_parse(axpy_src);
  vy_kernel *k = NULL;
  if (vy_compile(e.be, p, NULL, &k, &err) != VY_OK) fail_msg("%s", err.message);
  uint32_t x[3][12], y[3][12], want[12];
  vy_input in[3][2];
  vy_pending *pd[3];
  atomic_store(&g_hold, true);
  for (uint32_t j = 0; j < 3; j++) {
    for (uint32_t i = 0; i < 12; i++) x[j][i] = 10 * j + i, y[j][i] = 100 * j;
    in[j][0] = (vy_input){x[j], 4 * (8 + 2 * (size_t)j)};
    in[j][1] = (vy_input){y[j], 4 * (8 + 2 * (size_t)j)};
    if (vy_kernel_dispatch_async(k, in[j], 2, NULL, &pd[j], &err) != VY_OK) fail_msg("%s", err.message);
  }
  int launches = atomic_load(&g_launches);
  assert_true(launches >= 3);
  assert_true(g_launch_stream[0] != g_launch_stream[launches - 1]); /* each on a stream of its own */
  for (int j = 0; j < 3; j++) assert_false(vy_pending_is_ready(pd[j]));
  atomic_store(&g_hold, false);
  for (int j = 0; j < 3; j++) assert_true(vy_pending_is_ready(pd[j]));
  vy_outputs out = {0};
  for (int j = 2; j >= 0; j--) { /* the last first; wait_into reuses the slots */
    size_t n = 8 + 2 * (size_t)j;
    if (vy_pending_wait_into(pd[j], &out, &err) != VY_OK) fail_msg("%s", err.message);
    axpy_ref(x[j], n, y[j], n, want);
    assert_int_equal(out.count, 1);
    assert_u32s(&out.items[0], want, n);
  }
  vy_outputs_free(&out);
  /* a program dispatch; a binding error (x shorter than declared) at the wait */
  vy_pending *a = NULL, *b = NULL;
  assert_int_equal(vy_dispatch_async(e.be, p, in[1], 2, NULL, &a, &err), VY_OK);
  vy_input short_in[2] = {{x[0], 16}, {y[0], 32}};
  assert_int_equal(vy_kernel_dispatch_async(k, short_in, 2, NULL, &b, &err), VY_OK);
  assert_true(vy_pending_is_ready(b));
  assert_int_equal(vy_pending_wait(b, &out, &err), VY_E_RUNTIME);
  assert_non_null(strstr(err.message, "Fix:"));
  assert_int_equal(out.count, 0);
  if (vy_pending_wait(a, &out, &err) != VY_OK) fail_msg("%s", err.message);
  axpy_ref(x[1], 10, y[1], 10, want);
  assert_u32s(&out.items[0], want, 10);
  vy_outputs_free(&out);
  /* discarded before it is waited on: nothing leaks */
  assert_int_equal(vy_kernel_dispatch_async(k, in[0], 2, NULL, &a, &err), VY_OK);
  vy_pending_discard(a);
  vy_kernel_destroy(k);
  vy_program_destroy(p);
  /* the kernel's error record, delivered at the wait */
  g_kernel = K_TRAP;
  p = vt_parse(trap_src);
  uint32_t tx[8] = {0, 1, 2, 3, 4, 7, 6, 5}, ty[8] = {0};
  vy_input tin[2] = {{tx, sizeof tx}, {ty, sizeof ty}};
  assert_int_equal(vy_dispatch_async(e.be, p, tin, 2, NULL, &a, &err), VY_OK);
  assert_int_equal(vy_pending_wait(a, &out, &err), VY_E_RUNTIME);
  assert_non_null(strstr(err.message, "boom"));
  vy_program_destroy(p);
  /* a compile error, delivered at the wait */
  char src[512];
  snprintf(src, sizeof src,
           "program workgroup(4) {\n  buffer y: u32 read_write @0 count(8)\n  region vyre.program.root {\n"
           "    y[gid.x] = %ld\n  }\n}\n",
           (long)time(NULL) % 1000000 + 11);
  p = vt_parse(src);
  g_bad_ptx = true;
  assert_int_equal(vy_dispatch_async(e.be, p, tin, 1, NULL, &a, &err), VY_OK);
  assert_int_equal(vy_pending_wait(a, &out, &err), VY_E_COMPILE_FAILED);
  assert_non_null(strstr(err.message, "CUDA_ERROR_INVALID_PTX"));
  vy_program_destroy(p);
  env_close(&e);
}

/* ---- streams ---- */

/* A source of chunks of the lengths in `lens` (u32 elements), element i of
 * chunk c being 1000 c + i; the bytes are overwritten at every call (an
 * unstable source). */
typedef struct chunks {
  const size_t *lens;
  size_t n, next, reads;
  uint32_t buf[64];
} chunks;

static vy_status chunks_next(void *ud, vy_input *chunk, bool *done, vy_error *err) {
  (void)err;
  chunks *c = ud;
  c->reads++;
  if (c->next == c->n) {
    *done = true;
    return VY_OK;
  }
  size_t len = c->lens[c->next];
  for (size_t i = 0; i < len; i++) c->buf[i] = (uint32_t)(1000 * c->next + i);
  *chunk = (vy_input){c->buf, 4 * len};
  c->next++;
  return VY_OK;
}

/* What the sink saw: every chunk's index, status and output. */
typedef struct seen {
  size_t count, stop_after; /* stop_after: put returns false at this index (SIZE_MAX: never) */
  size_t index[16];
  vy_status st[16];
  uint32_t out[16][16];
  size_t out_n[16];
  char msg[16][64];
} seen;

static bool seen_put(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  seen *s = ud;
  size_t i = s->count++;
  assert_true(i < 16);
  s->index[i] = index;
  s->st[i] = st;
  if (st == VY_OK) {
    assert_int_equal(outs->count, 1);
    s->out_n[i] = outs->items[0].len / 4;
    memcpy(s->out[i], outs->items[0].data, outs->items[0].len);
  } else {
    snprintf(s->msg[i], sizeof s->msg[i], "%.63s", err->message);
  }
  return index != s->stop_after;
}

/* Streams chunks of `lens` through axpy with y = 16 fixed elements (5 i)
 * and checks every delivered chunk against axpy_ref; returns what the
 * sink saw in *s. */
static vy_status stream_axpy(vy_backend *be, const vy_program *p, const size_t *lens, size_t n, uint32_t in_flight,
                             seen *s, chunks *c, vy_error *err) {
  uint32_t y[16];
  for (uint32_t i = 0; i < 16; i++) y[i] = 5 * i;
  vy_input fixed = {y, sizeof y};
  *c = (chunks){lens, n, 0, 0, {0}};
  vy_chunk_source src = {chunks_next, c, 0, NULL};
  vy_output_sink sink = {seen_put, s, NULL};
  vy_dispatch_config cfg;
  vy_dispatch_config_default(&cfg);
  cfg.max_chunks_in_flight = in_flight;
  vy_status st = vy_stream(be, p, &fixed, 1, &src, &sink, &cfg, err);
  for (size_t i = 0; i < s->count; i++) {
    assert_int_equal(s->index[i], i); /* chunk order */
    if (s->st[i] != VY_OK) continue;
    uint32_t x[64], want[16];
    for (size_t j = 0; j < lens[i]; j++) x[j] = (uint32_t)(1000 * i + j);
    axpy_ref(x, lens[i], y, 16, want);
    assert_int_equal(s->out_n[i], 16);
    assert_memory_equal(s->out[i], want, sizeof want);
  }
  return st;
}

/* Streams of 0, 1 and many chunks of uneven sizes, with 1, 2 and 3 in
 * flight, on several CUDA streams; a short chunk in the middle fails alone
 * and the stream goes on; a sink that stops early; a set-up error is
 * returned before any chunk is read. */
static void stream_chunks(void **state) {
  (void)state;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_program *p = vt_parse(axpy_src);
  static const size_t many[] = {16, 8, 24, 12, 16, 20, 9, 16, 8, 13};
  static const size_t one[] = {16};
  chunks c;
  for (uint32_t fl = 0; fl <= 3; fl++) { /* 0: the backend's choice */
    seen s = {.stop_after = SIZE_MAX};
    if (stream_axpy(e.be, p, many, 10, fl, &s, &c, &err) != VY_OK) fail_msg("%s", err.message);
    assert_int_equal(s.count, 10);
    for (size_t i = 0; i < 10; i++) assert_int_equal(s.st[i], VY_OK);
  }
  int launches = atomic_load(&g_launches);
  bool two_streams = false;
  for (int i = 1; i < launches && i < 64; i++) two_streams |= g_launch_stream[i] != g_launch_stream[0];
  assert_true(two_streams);
  seen s0 = {.stop_after = SIZE_MAX};
  assert_int_equal(stream_axpy(e.be, p, many, 0, 3, &s0, &c, &err), VY_OK);
  assert_int_equal(s0.count, 0);
  seen s1 = {.stop_after = SIZE_MAX};
  assert_int_equal(stream_axpy(e.be, p, one, 1, 3, &s1, &c, &err), VY_OK);
  assert_int_equal(s1.count, 1);
  assert_int_equal(s1.st[0], VY_OK);
  /* chunk 2 has 4 elements, fewer than x's declared 8 */
  static const size_t bad[] = {16, 8, 4, 12, 16};
  seen sb = {.stop_after = SIZE_MAX};
  assert_int_equal(stream_axpy(e.be, p, bad, 5, 3, &sb, &c, &err), VY_OK);
  assert_int_equal(sb.count, 5);
  assert_int_equal(sb.st[2], VY_E_RUNTIME);
  assert_non_null(strstr(sb.msg[2], "bytes"));
  assert_int_equal(sb.st[1], VY_OK);
  assert_int_equal(sb.st[3], VY_OK);
  /* the sink stops after chunk 2: no more deliveries, at most 3 more reads */
  seen ss = {.stop_after = 2};
  assert_int_equal(stream_axpy(e.be, p, many, 10, 3, &ss, &c, &err), VY_OK);
  assert_int_equal(ss.count, 3);
  assert_true(c.reads <= 6);
  vy_program_destroy(p);
  /* a chunk whose kernel raises: its error, the others' outputs */
  g_kernel = K_TRAP;
  p = vt_parse(trap_src);
  uint32_t data[24] = {0}, y[8] = {0};
  data[8 + 3] = 7; /* in the second chunk of 8 */
  vy_chunk_source src;
  assert_int_equal(vy_chunk_source_memory(data, sizeof data, 32, NULL, &src, &err), VY_OK);
  seen st = {.stop_after = SIZE_MAX};
  vy_output_sink sink = {seen_put, &st, NULL};
  vy_input fixed = {y, sizeof y};
  assert_int_equal(vy_stream(e.be, p, &fixed, 1, &src, &sink, NULL, &err), VY_OK);
  vy_chunk_source_close(&src);
  assert_int_equal(st.count, 3);
  assert_int_equal(st.st[0], VY_OK);
  assert_int_equal(st.st[1], VY_E_RUNTIME);
  assert_int_equal(st.st[2], VY_OK);
  vy_program_destroy(p);
  /* a set-up error (compile) at once: no chunk read, nothing delivered */
  char text[512];
  snprintf(text, sizeof text,
           "program workgroup(4) {\n  buffer x: u32 read @0 count(8)\n  buffer y: u32 read_write @1 count(8)\n"
           "  region vyre.program.root {\n    y[gid.x] = x[gid.x] + %ld\n  }\n}\n",
           (long)time(NULL) % 1000000 + 13);
  p = vt_parse(text);
  g_bad_ptx = true;
  seen se = {.stop_after = SIZE_MAX};
  assert_int_equal(stream_axpy(e.be, p, many, 10, 3, &se, &c, &err), VY_E_COMPILE_FAILED);
  assert_int_equal(c.reads, 0);
  assert_int_equal(se.count, 0);
  vy_program_destroy(p);
  env_close(&e);
}

/* Chunks of 4 MiB (the staging copies are split over the copier threads):
 * every output against the C loop. */
typedef struct big_check {
  const uint32_t *x, *y;
  size_t chunk_elems, yn, delivered;
  int bad;
} big_check;

static bool big_put(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  big_check *c = ud;
  (void)err;
  c->delivered++;
  uint32_t *want = malloc(4 * c->yn);
  axpy_ref(c->x + index * c->chunk_elems, c->chunk_elems, c->y, c->yn, want);
  c->bad += st != VY_OK || outs->count != 1 || outs->items[0].len != 4 * c->yn ||
            memcmp(outs->items[0].data, want, 4 * c->yn) != 0;
  free(want);
  return true;
}

static void stream_large_chunks(void **state) {
  (void)state;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_program *p = vt_parse(axpy_src);
  enum { CE = 1 << 20, NC = 3 };
  uint32_t *x = malloc(4 * (size_t)CE * NC), *y = malloc(4 * (size_t)CE);
  assert_true(x && y);
  for (size_t i = 0; i < (size_t)CE * NC; i++) x[i] = (uint32_t)(i * 2654435761u);
  for (size_t i = 0; i < CE; i++) y[i] = (uint32_t)(i ^ 0xABCDu);
  vy_chunk_source src;
  assert_int_equal(vy_chunk_source_memory(x, 4 * (size_t)CE * NC, 4 * (size_t)CE, NULL, &src, &err), VY_OK);
  big_check c = {x, y, CE, CE, 0, 0};
  vy_output_sink sink = {big_put, &c, NULL};
  vy_input fixed = {y, 4 * (size_t)CE};
  if (vy_stream(e.be, p, &fixed, 1, &src, &sink, NULL, &err) != VY_OK) fail_msg("%s", err.message);
  vy_chunk_source_close(&src);
  assert_int_equal(c.delivered, NC);
  assert_int_equal(c.bad, 0);
  free(x), free(y);
  vy_program_destroy(p);
  env_close(&e);
}

/* x (the chunk) times a (fixed, read-only) plus y (fixed, read_write). */
static const char axpb_src[] = "program workgroup(4) {\n"
                               "  buffer x: u32 read @0 count(8)\n"
                               "  buffer a: u32 read @1 count(8)\n"
                               "  buffer y: u32 read_write @2 count(8)\n"
                               "  region vyre.program.root {\n"
                               "    y[gid.x] = x[gid.x] * a[gid.x] + y[gid.x]\n"
                               "  }\n"
                               "}\n";

enum { AN = 4096, YN = 2048 }; /* fixed inputs of 16 KiB and 8 KiB, larger than any chunk's upload */

/* axpb's result computed here: for i < yn, (i < xn ? x[i] : 0) * (i < an ? a[i] : 0) + y[i]. */
static void axpb_ref(const uint32_t *x, size_t xn, const uint32_t *a, size_t an, const uint32_t *y, size_t yn,
                     uint32_t *out) {
  for (size_t i = 0; i < yn; i++) out[i] = (i < xn ? x[i] : 0) * (i < an ? a[i] : 0) + y[i];
}

typedef struct axpb_check {
  const vy_program *p;
  vy_backend *be;
  const size_t *lens;
  const uint32_t *a, *y;
  size_t delivered;
  int bad;
} axpb_check;

/* Each chunk's y against the C loop and against a dispatch of the chunk
 * alone (made after the stream's copies were counted: see below). */
static bool axpb_put(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  axpb_check *c = ud;
  (void)err;
  c->delivered++;
  uint32_t x[64], want[YN];
  for (size_t i = 0; i < c->lens[index]; i++) x[i] = (uint32_t)(1000 * index + i);
  axpb_ref(x, c->lens[index], c->a, AN, c->y, YN, want);
  c->bad += st != VY_OK || outs->count != 1 || outs->items[0].len != sizeof want ||
            memcmp(outs->items[0].data, want, sizeof want) != 0;
  return true;
}

/* A stream of N chunks with a fixed read-only input (a) and a fixed
 * read_write input (y): each fixed input crosses the host link exactly
 * once (one host -> device copy of its length), each chunk's dispatch
 * uploads only its table, error record and chunk; y is restored on the
 * device once per chunk and a is never copied (every launch reads it at
 * one address); every chunk's output is the C loop's and that of
 * dispatching the chunk alone. */
static void stream_fixed_inputs_uploaded_once(void **state) {
  (void)state;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  g_kernel = K_AXPB;
  vy_program *p = vt_parse(axpb_src);
  static const size_t lens[] = {16, 8, 24, 12, 64, 20, 9};
  enum { N = sizeof lens / sizeof *lens };
  static uint32_t a[AN], y[YN];
  for (uint32_t i = 0; i < AN; i++) a[i] = 7 * i + 1;
  for (uint32_t i = 0; i < YN; i++) y[i] = 100000 + i;
  vy_input fixed[2] = {{a, sizeof a}, {y, sizeof y}};
  for (uint32_t fl = 1; fl <= 3; fl++) {
    reset();
    g_kernel = K_AXPB;
    chunks c = {lens, N, 0, 0, {0}};
    vy_chunk_source src = {chunks_next, &c, 0, NULL};
    axpb_check ck = {p, e.be, lens, a, y, 0, 0};
    vy_output_sink sink = {axpb_put, &ck, NULL};
    vy_dispatch_config cfg;
    vy_dispatch_config_default(&cfg);
    cfg.max_chunks_in_flight = fl;
    if (vy_stream(e.be, p, fixed, 2, &src, &sink, &cfg, &err) != VY_OK) fail_msg("%s", err.message);
    assert_int_equal(ck.delivered, N);
    assert_int_equal(ck.bad, 0);
    /* host -> device: a once, y once, one small copy per chunk */
    assert_int_equal(atomic_load(&g_htod_calls), 2 + N);
    int fixed_a = 0, fixed_y = 0;
    for (int i = 0; i < 2 + N; i++) {
      if (g_htod_len[i] == sizeof a)
        fixed_a++;
      else if (g_htod_len[i] == sizeof y)
        fixed_y++;
      else
        assert_true(g_htod_len[i] < 1024); /* table, error record and at most 256 bytes of chunk */
    }
    assert_int_equal(fixed_a, 1);
    assert_int_equal(fixed_y, 1);
    /* device -> device: y once per chunk, never a */
    assert_int_equal(atomic_load(&g_dtod_calls), N);
    assert_int_equal(atomic_load(&g_dtod_bytes), (long)N * (long)sizeof y);
    int launches = atomic_load(&g_launches);
    assert_int_equal(launches, N);
    for (int i = 1; i < launches; i++) assert_true(g_launch_buf1[i] == g_launch_buf1[0]);
  }
  /* the same chunks dispatched alone give the same outputs */
  for (size_t k = 0; k < N; k++) {
    uint32_t x[64], want[YN];
    for (size_t i = 0; i < lens[k]; i++) x[i] = (uint32_t)(1000 * k + i);
    axpb_ref(x, lens[k], a, AN, y, YN, want);
    vy_input in[3] = {{x, 4 * lens[k]}, {a, sizeof a}, {y, sizeof y}};
    vy_outputs out;
    if (vy_dispatch(e.be, p, in, 3, NULL, &out, &err) != VY_OK) fail_msg("%s", err.message);
    assert_int_equal(out.count, 1);
    assert_u32s(&out.items[0], want, YN);
    vy_outputs_free(&out);
  }
  vy_program_destroy(p);
  env_close(&e);
}

/* ---- resident buffers ---- */

/* Upload whole and in ranges, dispatch in place (only the buffer table and
 * the error record go up), fixpoint, download ranges; a buffer of another
 * backend instance and a short buffer are refused. */
static void resident_buffers(void **state) {
  (void)state;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_program *p = vt_parse(axpy_src);
  enum { N = 1024 };
  uint32_t *x = calloc(N, 4), *y = calloc(N, 4), *got = calloc(N, 4), *want = calloc(N, 4);
  assert_true(x && y && got && want);
  for (uint32_t i = 0; i < N; i++) x[i] = i * 7 + 1, y[i] = 50000 + i;
  vy_resident *rb[2] = {NULL, NULL};
  assert_int_equal(vy_resident_alloc(e.be, 4 * N, &rb[0], &err), VY_OK);
  assert_int_equal(vy_resident_alloc(e.be, 4 * N, &rb[1], &err), VY_OK);
  assert_int_equal(vy_resident_len(rb[0]), 4 * N);
  assert_ptr_equal(vy_resident_backend(rb[0]), e.be);
  /* zero-filled at allocation */
  assert_int_equal(vy_resident_download(rb[1], 0, 4 * N, got, &err), VY_OK);
  for (uint32_t i = 0; i < N; i++) assert_int_equal(got[i], 0);
  assert_int_equal(vy_resident_upload(rb[0], 0, x, 4 * N, &err), VY_OK);
  assert_int_equal(vy_resident_upload(rb[1], 0, y, 4 * 100, &err), VY_OK); /* y in two ranges */
  assert_int_equal(vy_resident_upload(rb[1], 4 * 100, y + 100, 4 * (N - 100), &err), VY_OK);
  assert_int_equal(vy_resident_upload(rb[1], 4 * N - 4, y, 8, &err), VY_E_INVALID_ARGUMENT);
  long up0 = atomic_load(&g_htod_bytes);
  int l0 = atomic_load(&g_launches);
  vy_dispatch_config cfg;
  vy_dispatch_config_default(&cfg);
  cfg.has_fixpoint_iterations = true;
  cfg.fixpoint_iterations = 3;
  if (vy_dispatch_resident(e.be, p, rb, 2, &cfg, &err) != VY_OK) fail_msg("%s", err.message);
  assert_true(atomic_load(&g_htod_bytes) - up0 < 1024); /* the table and the record, no buffer */
  assert_int_equal(atomic_load(&g_launches) - l0, 3);
  for (uint32_t i = 0; i < N; i++) want[i] = y[i] + 3 * 3 * x[i]; /* three launches of y += 3 x */
  assert_int_equal(vy_resident_download(rb[1], 0, 4 * N, got, &err), VY_OK);
  assert_memory_equal(got, want, 4 * N);
  /* a range in the middle */
  assert_int_equal(vy_resident_download(rb[1], 4 * 500, 4 * 10, got, &err), VY_OK);
  assert_memory_equal(got, want + 500, 4 * 10);
  /* a kernel handle, dispatched again in place: one more y += 3 x */
  vy_kernel *k = NULL;
  if (vy_compile(e.be, p, NULL, &k, &err) != VY_OK) fail_msg("%s", err.message);
  if (vy_kernel_dispatch_resident(k, rb, 2, NULL, &err) != VY_OK) fail_msg("%s", err.message);
  assert_int_equal(vy_resident_download(rb[1], 4 * (N - 4), 16, got, &err), VY_OK);
  for (uint32_t i = 0; i < 4; i++) assert_int_equal(got[i], want[N - 4 + i] + 3 * x[N - 4 + i]);
  /* a buffer of another cuda backend instance */
  vy_backend *other = NULL;
  if (vy_backend_open(e.ctx, "cuda", &other, &err) != VY_OK) fail_msg("%s", err.message);
  vy_resident *foreign = NULL;
  assert_int_equal(vy_resident_alloc(other, 4 * N, &foreign, &err), VY_OK);
  vy_resident *mixed[2] = {rb[0], foreign};
  assert_int_equal(vy_kernel_dispatch_resident(k, mixed, 2, NULL, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "another backend"));
  assert_non_null(strstr(err.message, "Fix:"));
  vy_resident_free(foreign);
  vy_backend_close(other);
  /* a buffer shorter than declared: the binding's runtime error */
  vy_resident *tiny = NULL;
  assert_int_equal(vy_resident_alloc(e.be, 16, &tiny, &err), VY_OK);
  vy_resident *short_bufs[2] = {tiny, rb[1]};
  assert_int_equal(vy_kernel_dispatch_resident(k, short_bufs, 2, NULL, &err), VY_E_RUNTIME);
  assert_non_null(strstr(err.message, "Fix:"));
  vy_resident_free(tiny);
  vy_kernel_destroy(k);
  vy_resident_free(rb[0]);
  vy_resident_free(rb[1]);
  vy_program_destroy(p);
  /* the kernel's error record from a resident dispatch */
  g_kernel = K_TRAP;
  p = vt_parse(trap_src);
  uint32_t tx[8] = {0, 1, 2, 7, 4, 5, 6, 3};
  assert_int_equal(vy_resident_alloc(e.be, 32, &rb[0], &err), VY_OK);
  assert_int_equal(vy_resident_alloc(e.be, 32, &rb[1], &err), VY_OK);
  assert_int_equal(vy_resident_upload(rb[0], 0, tx, sizeof tx, &err), VY_OK);
  assert_int_equal(vy_dispatch_resident(e.be, p, rb, 2, NULL, &err), VY_E_RUNTIME);
  assert_non_null(strstr(err.message, "boom"));
  vy_resident_free(rb[0]);
  vy_resident_free(rb[1]);
  vy_program_destroy(p);
  free(x), free(y), free(got), free(want);
  env_close(&e);
}

/* An output the backend allocates, bound to a resident buffer, is zeroed
 * on the device at every dispatch (its old contents do not leak in). */
static void resident_output_zeroed(void **state) {
  (void)state;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  vy_program *p = vt_parse("program workgroup(4) {\n"
                        "  buffer x: u32 read @0 count(8)\n"
                        "  buffer out: u32 read_write @1 count(8) output\n"
                        "  region vyre.program.root {\n"
                        "    out[gid.x] = x[gid.x] * 3 + out[gid.x]\n"
                        "  }\n"
                        "}\n");
  uint32_t x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, junk[8], got[8];
  memset(junk, 0xAB, sizeof junk);
  vy_resident *rb[2];
  assert_int_equal(vy_resident_alloc(e.be, sizeof x, &rb[0], &err), VY_OK);
  assert_int_equal(vy_resident_alloc(e.be, sizeof x, &rb[1], &err), VY_OK);
  assert_int_equal(vy_resident_upload(rb[0], 0, x, sizeof x, &err), VY_OK);
  assert_int_equal(vy_resident_upload(rb[1], 0, junk, sizeof junk, &err), VY_OK);
  if (vy_dispatch_resident(e.be, p, rb, 2, NULL, &err) != VY_OK) fail_msg("%s", err.message);
  assert_int_equal(vy_resident_download(rb[1], 0, sizeof got, got, &err), VY_OK);
  for (int i = 0; i < 8; i++) assert_int_equal(got[i], 3 * x[i]);
  vy_resident_free(rb[0]);
  vy_resident_free(rb[1]);
  vy_program_destroy(p);
  env_close(&e);
}

/* Every allocation of the async, stream and resident paths failing in
 * turn: VY_E_NOMEM (at the start, the wait or the sink), nothing leaked. */
static vy_status async_stream_resident_with(const vy_allocator *alloc, void *ud) {
  fault_job *j = ud;
  env e;
  vy_error err;
  uint32_t x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[8] = {0}, got[8];
  vy_input in[2] = {{x, sizeof x}, {y, sizeof y}};
  vy_outputs out = {0};
  vy_pending *pd = NULL;
  vy_status st = env_open(alloc, &e, &err);
  if (st == VY_OK) st = vy_dispatch_async(e.be, j->p, in, 2, NULL, &pd, &err);
  if (st == VY_OK) st = vy_pending_wait(pd, &out, &err);
  if (st == VY_OK) assert_int_equal(out.items[0].data[4], 6);
  vy_outputs_free(&out);
  seen s = {.stop_after = SIZE_MAX};
  if (st == VY_OK) {
    static const size_t lens[] = {8, 12, 16};
    chunks c;
    st = stream_axpy(e.be, j->p, lens, 3, 2, &s, &c, &err);
    for (size_t i = 0; st == VY_OK && i < s.count; i++) st = s.st[i];
    if (st == VY_OK) assert_int_equal(s.count, 3);
  }
  vy_resident *rb[2] = {NULL, NULL};
  if (st == VY_OK) st = vy_resident_alloc(e.be, sizeof x, &rb[0], &err);
  if (st == VY_OK) st = vy_resident_alloc(e.be, sizeof y, &rb[1], &err);
  if (st == VY_OK) st = vy_resident_upload(rb[0], 0, x, sizeof x, &err);
  if (st == VY_OK) st = vy_dispatch_resident(e.be, j->p, rb, 2, NULL, &err);
  if (st == VY_OK) st = vy_resident_download(rb[1], 0, sizeof got, got, &err);
  if (st == VY_OK) assert_int_equal(got[1], 6);
  vy_resident_free(rb[0]);
  vy_resident_free(rb[1]);
  env_close(&e);
  return st;
}

static void async_stream_resident_allocation_failures(void **state) {
  (void)state;
  vy_program *p = vt_parse(axpy_src);
  fault_job j = {p};
  assert_true(vy_fault_run_all(async_stream_resident_with, &j) > 0);
  vy_program_destroy(p);
}

/* The link measurement copies the block both ways (reps + 1 times) and
 * reports positive rates; a backend that is not cuda is refused. */
static void link_bandwidth(void **state) {
  (void)state;
  env e;
  vy_error err;
  if (env_open(NULL, &e, &err) != VY_OK) fail_msg("%s", err.message);
  double h2d = 0, d2h = 0;
  long up0 = atomic_load(&g_htod_bytes);
  if (vy_cuda_link_bandwidth(e.be, 1 << 20, 3, &h2d, &d2h, &err) != VY_OK) fail_msg("%s", err.message);
  assert_int_equal(atomic_load(&g_htod_bytes) - up0, 4L << 20);
  assert_true(h2d > 0 && d2h > 0);
  vy_backend *ref = NULL;
  assert_int_equal(vy_backend_open(e.ctx, "reference", &ref, &err), VY_OK);
  assert_int_equal(vy_cuda_link_bandwidth(ref, 1 << 20, 3, &h2d, &d2h, &err), VY_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "Fix:"));
  vy_backend_close(ref);
  env_close(&e);
}

int main(void) {
  vy_cuda_api_override(&fake_api);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(capabilities_from_the_device, test_setup),
      cmocka_unit_test_setup(dispatch_and_launch_split, test_setup),
      cmocka_unit_test_setup(error_record, test_setup),
      cmocka_unit_test_setup(timeout_sets_stop, test_setup),
      cmocka_unit_test_setup(driver_errors, test_setup),
      cmocka_unit_test_setup(output_zeroed_on_device, test_setup),
      cmocka_unit_test_setup(cache_key_target, test_setup),
      cmocka_unit_test_setup(allocation_failures, test_setup),
      cmocka_unit_test_setup(concurrent_dispatch, test_setup),
      cmocka_unit_test_setup(async_in_flight, test_setup),
      cmocka_unit_test_setup(stream_chunks, test_setup),
      cmocka_unit_test_setup(stream_large_chunks, test_setup),
      cmocka_unit_test_setup(stream_fixed_inputs_uploaded_once, test_setup),
      cmocka_unit_test_setup(resident_buffers, test_setup),
      cmocka_unit_test_setup(resident_output_zeroed, test_setup),
      cmocka_unit_test_setup(async_stream_resident_allocation_failures, test_setup),
      cmocka_unit_test_setup(link_bandwidth, test_setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
