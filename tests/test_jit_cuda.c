/* test_jit_cuda.c - the "cuda" backend (jit/backend_cuda.c, runtime/cuda_*.c).
 *
 * Everywhere: without a driver or GPU the backend does not open, with
 * VY_E_UNSUPPORTED and a Fix: hint, and the rest of the library works; the
 * target choices (PTX ISA from the driver version, SM, libdevice path),
 * the CUresult mapping and the cached artifact's parser are checked
 * without a device.
 *
 * Where a GPU is present (checked at run time; elsewhere these tests are
 * reported as skipped): DispatchConfig handling with values computed by
 * hand, compile-once handles, allocation failures, every case of the
 * corpus (tests/cases, as test_jit_cases.c runs them on llvm-cpu) and the
 * differential generator's programs against the interpreter
 * (tests/support/jit_diff.h). Programs the cuda backend refuses before
 * running (VY_E_UNSUPPORTED from compile) are counted and printed, not
 * failed. VY_CASES=substring filters the case files (VY_CASES=diffgen runs
 * only generated programs); VY_DIFF_SEEDS=N sets the programs per option
 * set (default 75, four sets).
 *
 * The file is named test_jit_* so that CMake links it with libvyre-jit.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend_cuda_int.h"
#include "cases.h"
#include "cuda_cache_int.h"
#include "diffgen.h"
#include "fault_alloc.h"
#include "interp_int.h"
#include "jit_diff.h"
#include "vyre/jit.h"
#include "vyre/stream.h"
#include "vyre/text.h"
#include "backends.h"

static char g_root[1024];
static vy_context *g_ctx;
static vy_backend *g_be; /* NULL: no GPU here */
static vy_status g_open_st;
static vy_error g_open_err;
static int g_refused, g_skipped;

#define NEED_GPU()                                                                                                     \
  do {                                                                                                                 \
    if (!g_be) skip();                                                                                                 \
  } while (0)

/* ---- without a device ---- */

static const char small_src[] = "program workgroup(4) {\n"
                                "  buffer x: u32 read @0 count(8)\n"
                                "  buffer y: u32 read_write @1 count(8)\n"
                                "  region vyre.program.root {\n"
                                "    y[gid.x] = x[gid.x] * 3 + y[gid.x]\n"
                                "  }\n"
                                "}\n";

/* y = 3 x + y over 8 u32s with x = i, y = 100 + i: 100 + 4 i by hand. */
static void check_small(vy_backend *be) {
  vy_program *p = vt_parse(small_src);
  uint32_t x[8], y[8];
  for (uint32_t i = 0; i < 8; i++) x[i] = i, y[i] = 100 + i;
  vy_input in[2] = {{x, sizeof x}, {y, sizeof y}};
  vy_outputs out;
  vy_error err;
  vy_status st = vy_dispatch(be, p, in, 2, NULL, &out, &err);
  if (st != VY_OK) fail_msg("%s: %s", vy_backend_id(be), err.message);
  assert_int_equal(out.count, 1);
  assert_int_equal(out.items[0].len, sizeof y);
  for (uint32_t i = 0; i < 8; i++) {
    uint32_t v;
    memcpy(&v, out.items[0].data + 4 * i, 4);
    assert_int_equal(v, 100 + 4 * i);
  }
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

static void open_or_unavailable(void **state) {
  (void)state;
  vy_error err;
  vy_status probe = vy_context_probe_backend(g_ctx, "cuda", &err);
  if (!g_be) {
    assert_int_equal(g_open_st, VY_E_UNSUPPORTED);
    assert_int_equal(probe, VY_E_UNSUPPORTED);
    assert_non_null(strstr(g_open_err.message, "Fix:"));
    assert_non_null(strstr(err.message, "Fix:"));
    if (access("/dev/nvidiactl", F_OK) != 0 && strstr(g_open_err.message, "libcuda"))
      assert_non_null(strstr(g_open_err.message, "no NVIDIA driver"));
    vy_backend *be = (vy_backend *)1;
    assert_int_equal(vy_backend_open(g_ctx, "cuda", &be, &err), VY_E_UNSUPPORTED);
    assert_null(be);
    assert_string_not_equal(vy_context_default_backend(g_ctx), "cuda");
    printf("  cuda unavailable here: %s\n", g_open_err.message);
  } else {
    assert_int_equal(probe, VY_OK);
    vy_backend_caps c;
    vy_backend_capabilities(g_be, &c);
    assert_int_equal(c.max_invocations_per_workgroup, 1024); /* every CUDA GPU since Fermi */
    assert_int_equal(c.subgroup_size, 32);
    assert_true(c.subgroup_ops);
    assert_int_equal(c.threads, 0);
    assert_true(c.dispatches);
    assert_false(c.grid_sync);
    assert_true(c.max_storage_buffer_bytes > ((uint64_t)1 << 30));
    assert_string_equal(vy_backend_id(g_be), "cuda");
    assert_true(vy_backend_supports_op(g_be, "vyre.node.barrier", strlen("vyre.node.barrier")));
  }
  /* the rest of the library works either way */
  vy_backend *cpu = NULL;
  if (vy_backend_open(g_ctx, "llvm-cpu", &cpu, &err) != VY_OK) fail_msg("%s", err.message);
  check_small(cpu);
  vy_backend_close(cpu);
  vy_backend *ref = NULL;
  assert_int_equal(vy_backend_open(g_ctx, "reference", &ref, &err), VY_OK);
  check_small(ref);
  vy_backend_close(ref);
}

/* PTX ISA per driver (the rule of issue 8: CUDA 12.0 -> 8.0, 12.x -> 8.x,
 * 13.0 -> 9.0, capped at LLVM 19's 8.5). */
static void ptx_isa_choice(void **state) {
  (void)state;
  static const struct {
    int driver;
    unsigned isa;
  } t[] = {{12000, 80}, {12020, 82}, {12040, 84}, {12050, 85}, {12080, 85},
           {13000, 85}, {11080, 78}, {11040, 74}, {11000, 70}, {10020, 0}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    if (vy_cuda_pick_ptx_isa(t[i].driver) != t[i].isa)
      fail_msg("driver %d: PTX %u, want %u", t[i].driver, vy_cuda_pick_ptx_isa(t[i].driver), t[i].isa);
  }
  assert_int_equal(vy_cuda_driver_ptx_isa(13000), 90);
  assert_int_equal(vy_cuda_driver_ptx_isa(12090), 89);
  char sm[16];
  vy_cuda_pick_sm(9, 0, sm, sizeof sm);
  assert_string_equal(sm, "sm_90");
  vy_cuda_pick_sm(8, 6, sm, sizeof sm);
  assert_string_equal(sm, "sm_86");
  vy_cuda_pick_sm(10, 0, sm, sizeof sm); /* newer than LLVM 19 knows: sm_90 PTX, JIT-compiled by the driver */
  assert_string_equal(sm, "sm_90");
  vy_cuda_pick_sm(12, 0, sm, sizeof sm);
  assert_string_equal(sm, "sm_90");
}

/* CUresult values from cuda.h, mapped as the backend contract says. */
static void error_mapping(void **state) {
  (void)state;
  static const struct {
    int r;
    vy_status want;
  } t[] = {{2, VY_E_DEVICE_OOM},        {100, VY_E_UNSUPPORTED},
           {35, VY_E_UNSUPPORTED},      {218, VY_E_COMPILE_FAILED},
           {222, VY_E_COMPILE_FAILED},  {209, VY_E_COMPILE_FAILED},
           {719, VY_E_DISPATCH_FAILED}, {700, VY_E_DISPATCH_FAILED},
           {701, VY_E_DISPATCH_FAILED}, {999, VY_E_IO}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    vy_error err;
    /* the last row: an unknown code keeps the caller's fallback */
    vy_status st = vy_cuda_error(NULL, t[i].r, VY_E_IO, "testing", &err);
    assert_int_equal(st, t[i].want);
    assert_int_equal(err.code, t[i].want);
    assert_non_null(strstr(err.message, "testing: CUDA error"));
    assert_non_null(strstr(err.message, "Fix: "));
  }
}

/* A prepared program to pack artifacts against. */
static vy_interp_prepared *prepared_small(void) {
  vy_program *p = vt_parse(small_src);
  vy_interp_prepared *pp = NULL;
  vy_error err;
  if (vy_interp_prepare_ex(p, NULL, NULL, true, &pp, &err) != VY_OK) fail_msg("%s", err.message);
  return pp;
}

static void free_prepared(vy_interp_prepared *pp) {
  vy_program *p = (vy_program *)pp->program;
  vy_interp_prepared_destroy(pp);
  vy_program_destroy(p);
}

typedef struct pack_job {
  const vy_interp_prepared *pp;
} pack_job;

static vy_status pack_with(const vy_allocator *alloc, void *ud) {
  pack_job *j = ud;
  vy_ptx_lowered low = {NULL, 0, 4, 16};
  vy_bytes ptx = {(uint8_t *)"ptx text", 8, 0, NULL}, cubin = {(uint8_t *)"\177ELF....", 8, 0, NULL};
  vy_bytes out = {0};
  vy_error err;
  vy_status st = vy_cuda_artifact_pack(j->pp, &low, &ptx, &cubin, alloc, &out, &err);
  vy_bytes_free(&out);
  return st;
}

/* Every truncation and a damaged header are malformed (never a crash,
 * never a driver call); packing fails cleanly for every allocation. */
static void artifact_parser(void **state) {
  (void)state;
  vy_interp_prepared *pp = prepared_small();
  vy_ptx_lowered low = {NULL, 0, 4, 16};
  vy_bytes ptx = {(uint8_t *)"ptx text", 8, 0, NULL}, cubin = {(uint8_t *)"\177ELF....", 8, 0, NULL};
  vy_bytes art = {0};
  vy_error err;
  assert_int_equal(vy_cuda_artifact_pack(pp, &low, &ptx, &cubin, NULL, &art, &err), VY_OK);
  /* header 24 + sites 8 + 2 blobs of 8 + 8 bytes */
  assert_int_equal(art.len, 24 + 8 + 16 + 16);
  vy_cuda_device none;
  memset(&none, 0, sizeof none);
  for (size_t n = 0; n < art.len; n++) {
    vy_cuda_code *c = (vy_cuda_code *)1;
    assert_int_equal(vy_cuda_code_load(&none, pp, art.data, n, NULL, &c, &err), VY_E_COMPILE_FAILED);
    assert_null(c);
    assert_non_null(strstr(err.message, "malformed"));
  }
  art.data[0] ^= 1;
  vy_cuda_code *c = NULL;
  assert_int_equal(vy_cuda_code_load(&none, pp, art.data, art.len, NULL, &c, &err), VY_E_COMPILE_FAILED);
  vy_bytes_free(&art);
  pack_job j = {pp};
  assert_true(vy_fault_run_all(pack_with, &j) > 0);
  free_prepared(pp);
}

/* ---- on a GPU ---- */

static const char count_src[] = "program workgroup(32) {\n"
                                "  buffer out: u32 read_write @0 count(256) output\n"
                                "  region vyre.program.root {\n"
                                "    out[gid.x] = lid.x + 1000 * wgid.x\n"
                                "  }\n"
                                "}\n";

static void dispatch_cfg(const vy_program *p, const vy_dispatch_config *cfg, vy_status want, uint32_t *got, size_t n) {
  vy_outputs out;
  vy_error err;
  vy_status st = vy_dispatch(g_be, p, NULL, 0, cfg, &out, &err);
  if (st != want) fail_msg("status %s, want %s: %s", vy_status_name(st), vy_status_name(want), err.message);
  if (st != VY_OK) {
    assert_non_null(strstr(err.message, "Fix:"));
    return;
  }
  assert_int_equal(out.count, 1);
  assert_int_equal(out.items[0].len, 4 * n);
  memcpy(got, out.items[0].data, 4 * n);
  vy_outputs_free(&out);
}

static void config_fields(void **state) {
  (void)state;
  NEED_GPU();
  check_small(g_be);
  vy_program *p = vt_parse(count_src);
  uint32_t got[256];
  vy_dispatch_config cfg;
  /* default grid: 256 / 32 = 8 workgroups */
  vy_dispatch_config_default(&cfg);
  dispatch_cfg(p, &cfg, VY_OK, got, 256);
  for (uint32_t i = 0; i < 256; i++) assert_int_equal(got[i], i % 32 + 1000 * (i / 32));
  /* grid_override: 2 workgroups write the first 64 elements */
  cfg.has_grid_override = true;
  cfg.grid_override[0] = 2, cfg.grid_override[1] = cfg.grid_override[2] = 1;
  dispatch_cfg(p, &cfg, VY_OK, got, 256);
  for (uint32_t i = 0; i < 256; i++) assert_int_equal(got[i], i < 64 ? i % 32 + 1000 * (i / 32) : 0);
  /* workgroup_override: 64 lanes, 4 workgroups */
  vy_dispatch_config_default(&cfg);
  cfg.has_workgroup_override = true;
  cfg.workgroup_override[0] = 64, cfg.workgroup_override[1] = cfg.workgroup_override[2] = 1;
  dispatch_cfg(p, &cfg, VY_OK, got, 256);
  for (uint32_t i = 0; i < 256; i++) assert_int_equal(got[i], i % 64 + 1000 * (i / 64));
  /* rejected fields */
  vy_dispatch_config_default(&cfg);
  cfg.cooperative = true;
  dispatch_cfg(p, &cfg, VY_E_UNSUPPORTED, got, 256);
  vy_dispatch_config_default(&cfg);
  cfg.has_fixpoint_iterations = true;
  dispatch_cfg(p, &cfg, VY_E_INVALID_PROGRAM, got, 256);
  vy_dispatch_config_default(&cfg);
  cfg.max_output_bytes = 1000; /* 1024 returned */
  dispatch_cfg(p, &cfg, VY_E_DISPATCH_FAILED, got, 256);
  cfg.has_workgroup_override = true;
  cfg.workgroup_override[0] = 2048, cfg.workgroup_override[1] = cfg.workgroup_override[2] = 1;
  dispatch_cfg(p, &cfg, VY_E_INVALID_PROGRAM, got, 256);
  vy_program_destroy(p);
  /* fixpoint: three launches on the same buffer add 3 */
  p = vt_parse("program workgroup(64) {\n"
            "  buffer y: u32 read_write @0 count(1000)\n"
            "  region vyre.program.root {\n"
            "    y[gid.x] = y[gid.x] + 1\n"
            "  }\n"
            "}\n");
  uint32_t y[1000];
  for (uint32_t i = 0; i < 1000; i++) y[i] = i;
  vy_input in = {y, sizeof y};
  vy_dispatch_config_default(&cfg);
  cfg.has_fixpoint_iterations = true;
  cfg.fixpoint_iterations = 3;
  vy_outputs out;
  vy_error err;
  if (vy_dispatch(g_be, p, &in, 1, &cfg, &out, &err) != VY_OK) fail_msg("%s", err.message);
  for (uint32_t i = 0; i < 1000; i++) {
    uint32_t v;
    memcpy(&v, out.items[0].data + 4 * i, 4);
    assert_int_equal(v, i + 3);
  }
  vy_outputs_free(&out);
  vy_program_destroy(p);
}

/* A long-running program stops at its timeout: 2^20 workgroups of a loop
 * that LLVM cannot close-form; blocks not yet started see the stop flag. */
static void timeout_stops(void **state) {
  (void)state;
  NEED_GPU();
  vy_program *p = vt_parse("program workgroup(64) {\n"
                        "  buffer out: u32 read_write @0 count(64) output\n"
                        "  region vyre.program.root {\n"
                        "    let acc = gid.x\n"
                        "    loop i in 0..200000 {\n"
                        "      acc = acc * 1664525 + 1013904223\n"
                        "    }\n"
                        "    out[gid.x] = acc\n"
                        "  }\n"
                        "}\n");
  vy_dispatch_config cfg;
  vy_dispatch_config_default(&cfg);
  cfg.has_grid_override = true;
  cfg.grid_override[0] = 1u << 20, cfg.grid_override[1] = cfg.grid_override[2] = 1;
  cfg.timeout_ns = 20000000; /* 20 ms; the whole grid takes minutes */
  uint32_t got[64];
  dispatch_cfg(p, &cfg, VY_E_TIMEOUT, got, 64);
  vy_program_destroy(p);
}

/* One handle, many dispatches; the GPU time is measured; a second compile
 * of the same program is a cache hit with the same results. */
static void kernel_handles(void **state) {
  (void)state;
  NEED_GPU();
  vy_program *p = vt_parse(small_src);
  vy_kernel *k = NULL, *k2 = NULL;
  vy_error err;
  if (vy_compile(g_be, p, NULL, &k, &err) != VY_OK) fail_msg("%s", err.message);
  if (vy_compile(g_be, p, NULL, &k2, &err) != VY_OK) fail_msg("%s", err.message);
  for (uint32_t round = 0; round < 20; round++) {
    uint32_t x[8], y[8];
    for (uint32_t i = 0; i < 8; i++) x[i] = i + round, y[i] = round;
    vy_input in[2] = {{x, sizeof x}, {y, sizeof y}};
    vy_outputs out;
    if (vy_kernel_dispatch(round % 2 ? k2 : k, in, 2, NULL, &out, &err) != VY_OK) fail_msg("%s", err.message);
    for (uint32_t i = 0; i < 8; i++) {
      uint32_t v;
      memcpy(&v, out.items[0].data + 4 * i, 4);
      assert_int_equal(v, 3 * (i + round) + round);
    }
    vy_outputs_free(&out);
  }
  assert_true(vy_cuda_kernel_time_ns(k) > 0);
  assert_int_equal(vy_cuda_kernel_time_ns(NULL), 0);
  /* a dispatch-time config may not change the code */
  vy_dispatch_config cfg;
  vy_dispatch_config_default(&cfg);
  cfg.ulp_budget = 3;
  uint32_t x[8] = {0}, y[8] = {0};
  vy_input in[2] = {{x, sizeof x}, {y, sizeof y}};
  vy_outputs out;
  assert_int_equal(vy_kernel_dispatch(k, in, 2, &cfg, &out, &err), VY_E_INVALID_ARGUMENT);
  /* binding errors come from the reference's binding rules */
  assert_int_equal(vy_kernel_dispatch(k, in, 1, NULL, &out, &err), VY_E_RUNTIME);
  vy_kernel_destroy(k);
  vy_kernel_destroy(k2);
  vy_program_destroy(p);
}

/* Streamable: one dispatch per chunk, outputs in chunk order. */
typedef struct sink_state {
  size_t next;
  bool ok;
} sink_state;

static bool stream_put(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  sink_state *s = ud;
  (void)err;
  bool ok = st == VY_OK && index == s->next && outs->count == 1 && outs->items[0].len == 16;
  for (uint32_t i = 0; ok && i < 4; i++) {
    uint32_t v;
    memcpy(&v, outs->items[0].data + 4 * i, 4);
    ok = v == 4 * (uint32_t)index + i + 1; /* chunk k holds 4k .. 4k+3 */
  }
  s->ok = s->ok && ok;
  s->next++;
  return true;
}

static void streaming(void **state) {
  (void)state;
  NEED_GPU();
  vy_program *p = vt_parse("program workgroup(4) {\n"
                        "  buffer x: u32 read @0 count(4)\n"
                        "  buffer out: u32 read_write @1 count(4) output\n"
                        "  region vyre.program.root {\n"
                        "    out[gid.x] = x[gid.x] + 1\n"
                        "  }\n"
                        "}\n");
  uint32_t data[12];
  for (uint32_t i = 0; i < 12; i++) data[i] = i;
  vy_chunk_source src;
  vy_error err;
  assert_int_equal(vy_chunk_source_memory(data, sizeof data, 16, NULL, &src, &err), VY_OK);
  sink_state s = {0, true};
  vy_output_sink sink = {stream_put, &s, NULL};
  if (vy_stream(g_be, p, NULL, 0, &src, &sink, NULL, &err) != VY_OK) fail_msg("%s", err.message);
  vy_chunk_source_close(&src);
  assert_int_equal(s.next, 3);
  assert_true(s.ok);
  vy_program_destroy(p);
}

typedef struct fault_job {
  const vy_program *p;
} fault_job;

/* context, backend, compile and dispatch with one allocator */
static vy_status gpu_with(const vy_allocator *alloc, void *ud) {
  fault_job *j = ud;
  vy_context_options o;
  vy_context_options_init(&o);
  o.alloc = alloc;
  vy_context *ctx = NULL;
  vy_backend *be = NULL;
  vy_kernel *k = NULL;
  vy_error err;
  uint32_t x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[8] = {0};
  vy_input in[2] = {{x, sizeof x}, {y, sizeof y}};
  vy_outputs out = {0};
  vy_status st = vy_context_create(&o, &ctx, &err);
  if (st == VY_OK) st = vy_jit_register_backends(ctx);
  if (st == VY_OK) st = vy_backend_open(ctx, "cuda", &be, &err);
  if (st == VY_OK) st = vy_cuda_compile_ex(be, j->p, NULL, true, &k, &err);
  if (st == VY_OK) st = vy_kernel_dispatch(k, in, 2, NULL, &out, &err);
  if (st == VY_OK) assert_int_equal(out.items[0].data[4], 6); /* 3 * x[1] + y[1] */
  vy_outputs_free(&out);
  vy_kernel_destroy(k);
  vy_backend_close(be);
  vy_context_destroy(ctx);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  NEED_GPU();
  vy_program *p = vt_parse(small_src);
  fault_job j = {p};
  assert_true(vy_fault_run_all(gpu_with, &j) > 0);
  vy_program_destroy(p);
}

/* ---- the case corpus ---- */

static vy_status cuda_run(void *ud, const vy_case *c, const vy_interp_input *inputs, size_t n, vy_interp_outputs *out,
                          vy_error *err);

static const vy_case_backend cuda_case_backend = {"cuda", true, 4, cuda_run, NULL};

/* Compiles the case's program (its host registry, its validation flag). */
static vy_status compile_case(const vy_case *c, vy_context **tmp_ctx, vy_backend **tmp_be, vy_kernel **k,
                              vy_error *err) {
  vy_backend *be = g_be;
  *tmp_ctx = NULL;
  *tmp_be = NULL;
  if (c->host) {
    vy_context_options o;
    vy_context_options_init(&o);
    o.host_ops = c->host;
    vy_status st = vy_context_create(&o, tmp_ctx, err);
    if (st == VY_OK) st = vy_jit_register_backends(*tmp_ctx);
    if (st == VY_OK) st = vy_backend_open(*tmp_ctx, "cuda", tmp_be, err);
    if (st != VY_OK) return st;
    be = *tmp_be;
  }
  return vy_cuda_compile_ex(be, c->program, NULL, !c->no_validate, k, err);
}

static vy_status cuda_run(void *ud, const vy_case *c, const vy_interp_input *inputs, size_t n, vy_interp_outputs *out,
                          vy_error *err) {
  (void)ud;
  memset(out, 0, sizeof *out);
  vy_context *tctx;
  vy_backend *tbe;
  vy_kernel *k = NULL;
  vy_status st = compile_case(c, &tctx, &tbe, &k, err);
  if (st == VY_OK) {
    vy_outputs o;
    st = vy_kernel_dispatch(k, inputs, n, NULL, &o, err);
    if (st == VY_OK) { /* malloc'ed (default allocator): freed after a host case's context is gone */
      out->count = o.count;
      out->items = o.items;
      out->alloc = NULL;
      for (size_t i = 0; i < o.count; i++) out->items[i].alloc = NULL;
    }
  }
  vy_kernel_destroy(k);
  vy_backend_close(tbe);
  vy_context_destroy(tctx);
  return st;
}

static void run_case(void **state) {
  const char *path = *state;
  vy_case *c = NULL;
  vy_error err;
  if (vy_case_load(path, &c, &err)) fail_msg("%s", err.message);
  if (c->step_budget) { /* the interpreter's step budget has no GPU equivalent */
    printf("  skipped (step budget): %s\n", path);
    g_skipped++;
    vy_case_free(c);
    return;
  }
  vy_context *tctx;
  vy_backend *tbe;
  vy_kernel *k = NULL;
  vy_status st = compile_case(c, &tctx, &tbe, &k, &err);
  vy_kernel_destroy(k);
  vy_backend_close(tbe);
  vy_context_destroy(tctx);
  if (st == VY_E_UNSUPPORTED && !(c->expect_error && c->error_code == VY_E_UNSUPPORTED)) {
    assert_non_null(strstr(err.message, "Fix:"));
    printf("  refused: %s: %s\n", path, err.message);
    g_refused++;
    vy_case_free(c);
    return;
  }
  vy_status dev_status;
  const char *dev_why;
  if (vy_jit_case_deviation("cuda", path, &dev_status, &dev_why)) {
    st = vy_jit_case_status(c, &cuda_case_backend, &err);
    vy_case_free(c);
    printf("  documented deviation: %s: %s\n", path, dev_why);
    assert_int_equal(st, dev_status);
    return;
  }
  char *report = NULL;
  bool ok = vy_case_check(c, &cuda_case_backend, &report);
  vy_case_free(c);
  if (!ok) {
    fprintf(stderr, "%s", report ? report : "(no report)\n");
    free(report);
    fail_msg("case %s failed on cuda", path);
  }
  free(report);
}

static void corpus_needs_gpu(void **state) {
  (void)state;
  skip();
}

/* ---- generated programs ---- */

static vy_status diff_compile(void *ud, const vy_program *p, vy_kernel **out, vy_error *err) {
  (void)ud;
  return vy_cuda_compile_ex(g_be, p, NULL, true, out, err);
}

static const vy_diff_target cuda_target = {"cuda", diff_compile, NULL, 4, true};

/* Every program of the set runs; mismatches are printed and counted, and
 * fail the test at the end with their seeds. */
static void run_diff(const vy_diffgen_options *o, uint64_t base) {
  NEED_GPU();
  unsigned n = vy_diff_seeds(75), refused = 0, bad = 0;
  char seeds[512] = "";
  for (unsigned i = 0; i < n; i++) {
    char *report = NULL;
    vy_diff_result r = vy_diff_run(base + i, o, &cuda_target, &report);
    if (r == VY_DIFF_MISMATCH) {
      fprintf(stderr, "%s\nseed %llu: cuda and the reference disagree\n", report ? report : "(no report)",
              (unsigned long long)(base + i));
      size_t len = strlen(seeds);
      if (len < sizeof seeds - 24) snprintf(seeds + len, sizeof seeds - len, " %llu", (unsigned long long)(base + i));
      bad++;
    }
    if (r == VY_DIFF_REFUSED) {
      refused++;
      if (refused <= 5) printf("  %s\n", report ? report : "refused");
    }
    free(report);
  }
  printf("  %u programs, %u agree, %u refused by cuda, %u disagree\n", n, n - refused - bad, refused, bad);
  g_refused += (int)refused;
  if (bad) fail_msg("%u program(s) disagree with the reference, seeds:%s", bad, seeds);
}

/* VY_DIFF_REPLAY=FILE: the case of one fuzz input (a fuzz_jit finding of
 * VY_FUZZ_BACKEND=cuda). */
static void diff_replay(void **state) {
  (void)state;
  NEED_GPU();
  uint64_t seed;
  vy_diffgen_options o;
  if (!vy_diff_replay(&seed, &o)) skip();
  char *report = NULL;
  vy_diff_result r = vy_diff_run(seed, &o, &cuda_target, &report);
  if (report) fprintf(stderr, "%s\n", report);
  free(report);
  if (r == VY_DIFF_MISMATCH) fail_msg("seed %#llx: cuda and the reference disagree", (unsigned long long)seed);
}

static void diff_plain(void **state) {
  (void)state;
  vy_diffgen_options o;
  vy_diffgen_options_default(&o);
  o.allow_barriers = o.allow_workgroup_mem = o.allow_atomics = o.allow_subgroups = o.allow_async = false;
  run_diff(&o, 50000);
}

static void diff_default(void **state) {
  (void)state;
  vy_diffgen_options o;
  vy_diffgen_options_default(&o);
  run_diff(&o, 1000);
}

static void diff_errors(void **state) {
  (void)state;
  vy_diffgen_options o;
  vy_diffgen_options_default(&o);
  o.allow_runtime_errors = true;
  run_diff(&o, 90000);
}

static void diff_transcendental(void **state) {
  (void)state;
  vy_diffgen_options o;
  vy_diffgen_options_default(&o);
  o.allow_transcendentals = true;
  run_diff(&o, 130000);
}

static int group_setup(void **state) {
  (void)state;
  vy_context_options o;
  vy_context_options_init(&o);
  o.threads = 2;
  vy_error err;
  if (vy_context_create(&o, &g_ctx, &err) != VY_OK || vy_jit_register_backends(g_ctx) != VY_OK) return -1;
  g_open_st = vy_backend_open(g_ctx, "cuda", &g_be, &g_open_err);
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  vy_backend_close(g_be);
  vy_context_destroy(g_ctx);
  if (g_be) printf("cuda: %d program(s) refused, %d case(s) skipped\n", g_refused, g_skipped);
  return 0;
}

int main(void) {
  vy_case_root(g_root, sizeof g_root);
  /* is there a GPU? (decides between one test per case and one skipped test) */
  vy_context *ctx = NULL;
  bool gpu = vy_context_create(NULL, &ctx, NULL) == VY_OK && vy_jit_register_backends(ctx) == VY_OK &&
             vy_context_probe_backend(ctx, "cuda", NULL) == VY_OK;
  vy_context_destroy(ctx);
  char **paths = NULL;
  long n = gpu ? vy_case_find(g_root, &paths) : 0;
  if (n < 0) {
    fprintf(stderr, "cannot list the cases under %s\n", g_root);
    return 1;
  }
  const char *filter = getenv("VY_CASES");
  struct CMUnitTest *tests = calloc((size_t)n + 16, sizeof *tests);
  if (!tests) return 1;
  size_t nt = 0, rootlen = strlen(g_root);
  tests[nt++] = (struct CMUnitTest){"open, or unavailable with a reason", open_or_unavailable, NULL, NULL, NULL};
  tests[nt++] = (struct CMUnitTest){"PTX ISA and SM choice", ptx_isa_choice, NULL, NULL, NULL};
  tests[nt++] = (struct CMUnitTest){"CUresult mapping", error_mapping, NULL, NULL, NULL};
  tests[nt++] = (struct CMUnitTest){"cached artifact parser", artifact_parser, NULL, NULL, NULL};
  tests[nt++] = (struct CMUnitTest){"DispatchConfig fields (GPU)", config_fields, NULL, NULL, NULL};
  tests[nt++] = (struct CMUnitTest){"timeout (GPU)", timeout_stops, NULL, NULL, NULL};
  tests[nt++] = (struct CMUnitTest){"kernel handles (GPU)", kernel_handles, NULL, NULL, NULL};
  tests[nt++] = (struct CMUnitTest){"allocation failures (GPU)", allocation_failures, NULL, NULL, NULL};
  tests[nt++] = (struct CMUnitTest){"streaming (GPU)", streaming, NULL, NULL, NULL};
  if (!gpu) tests[nt++] = (struct CMUnitTest){"case corpus (GPU)", corpus_needs_gpu, NULL, NULL, NULL};
  for (long i = 0; i < n; i++) {
    if (filter && *filter && !strstr(paths[i], filter)) continue;
    const char *name = paths[i] + (strncmp(paths[i], g_root, rootlen) == 0 ? rootlen + 1 : 0);
    tests[nt++] = (struct CMUnitTest){name, run_case, NULL, NULL, paths[i]};
  }
  const char *replay = getenv("VY_DIFF_REPLAY");
  if (replay && *replay) nt = 0; /* the replayed case alone */
  if (replay && *replay)
    tests[nt++] = (struct CMUnitTest){"diffgen replay of $VY_DIFF_REPLAY (GPU)", diff_replay, NULL, NULL, NULL};
  else if (!filter || !*filter || strstr("diffgen", filter)) {
    tests[nt++] = (struct CMUnitTest){"diffgen plain (GPU)", diff_plain, NULL, NULL, NULL};
    tests[nt++] = (struct CMUnitTest){"diffgen default options (GPU)", diff_default, NULL, NULL, NULL};
    tests[nt++] = (struct CMUnitTest){"diffgen runtime errors (GPU)", diff_errors, NULL, NULL, NULL};
    tests[nt++] = (struct CMUnitTest){"diffgen transcendentals, 4 ULP (GPU)", diff_transcendental, NULL, NULL, NULL};
  }
  int rc = _cmocka_run_group_tests("cuda", tests, nt, group_setup, group_teardown);
  free(tests);
  vy_case_paths_free(paths, n);
  return rc;
}
