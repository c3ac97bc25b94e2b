/* test_backend.c - the capability API as an embedding program uses it:
 * context and registry, the reference backend's identity and capability
 * answers, Executable dispatch and compiled kernels, DispatchConfig rules,
 * supported_ops refusals, Streamable, and allocation failures. Expected
 * outputs are computed by hand from the programs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fault_alloc.h"
#include "vyre/vyre.h"

/* out[i] = a[i] + 1 over 4 elements (vyre-ir.md §7.11). */
static vy_program *example(const vy_allocator *alloc) {
  vy_builder *b;
  if (vy_builder_create(alloc, &b) != VY_OK) return NULL;
  vy_b_count(b, vy_b_read(b, "a", 0, VY_TYPE_U32), 4);
  vy_b_count(b, vy_b_output(b, "out", 1, VY_TYPE_U32), 4);
  vy_b_workgroup_size(b, 64, 1, 1);
  vy_b_let(b, "idx", vy_b_invocation_id(b, 0));
  vy_b_if(b, vy_b_bin(b, VY_BINOP_LT, vy_b_var(b, "idx"), vy_b_buf_len(b, "out")));
  vy_b_store(b, "out", vy_b_var(b, "idx"),
             vy_b_bin(b, VY_BINOP_ADD, vy_b_load(b, "a", vy_b_var(b, "idx")), vy_b_u32(b, 1)));
  vy_b_end(b);
  vy_program *p = NULL;
  vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL);
  vy_builder_destroy(b);
  return p;
}

static vy_context *context(void) {
  vy_context_options o;
  vy_context_options_init(&o);
  vy_context *ctx = NULL;
  assert_int_equal(vy_context_create(&o, &ctx, NULL), VY_OK);
  return ctx;
}

/* A fresh context and its reference backend; the caller closes both. */
static vy_backend *reference(vy_context **ctx) {
  *ctx = context();
  vy_backend *be = NULL;
  assert_int_equal(vy_backend_open(*ctx, "reference", &be, NULL), VY_OK);
  return be;
}

static void version_mismatch_is_detected(void **state) {
  (void)state;
  vy_context_options o;
  vy_context_options_init(&o);
  o.header_version = VY_VERSION_NUMBER + 1;
  vy_context *ctx = (vy_context *)1;
  vy_error err;
  assert_int_equal(vy_context_create(&o, &ctx, &err), VY_E_VERSION_MISMATCH);
  assert_null(ctx);
  assert_non_null(strstr(err.message, "Fix:"));
}

static void registry_and_identity(void **state) {
  (void)state;
  vy_context *ctx = context();
  assert_int_equal(vy_context_backend_count(ctx), 1);
  assert_string_equal(vy_context_backend_id(ctx, 0), "reference");
  assert_string_equal(vy_context_default_backend(ctx), "reference");
  vy_backend *be = NULL;
  vy_error err;
  assert_int_equal(vy_backend_open(ctx, "nope", &be, &err), VY_E_UNSUPPORTED);
  assert_null(be);
  assert_non_null(strstr(err.message, "reference")); /* lists the known names */
  assert_int_equal(vy_backend_open(ctx, "reference", &be, &err), VY_OK);
  assert_string_equal(vy_backend_id(be), "reference");
  assert_string_equal(vy_backend_version(be), VY_VERSION_STRING);
  vy_backend_caps caps;
  vy_backend_capabilities(be, &caps);
  assert_true(caps.dispatches);
  assert_true(caps.subgroup_ops);
  assert_int_equal(caps.subgroup_size, 32);
  assert_false(caps.grid_sync);
  assert_true(vy_backend_supports_op(be, "vyre.node.region", 16));
  assert_true(vy_backend_supports_op(be, "vyre.node.trap", 14));
  assert_false(vy_backend_supports_op(be, "vyre.node.resume", 16));
  assert_false(vy_backend_supports_op(be, "vyre.node.indirect_dispatch", 27));
  assert_non_null(vy_backend_executable(be));
  assert_non_null(vy_backend_streamable(be));
  vy_backend_close(be);
  vy_context_destroy(ctx);
}

static void dispatch_and_kernel(void **state) {
  (void)state;
  vy_context *ctx;
  vy_backend *be = reference(&ctx);
  vy_program *p = example(NULL);
  uint32_t a[4] = {1, 2, 3, 0xFFFFFFFFu};
  vy_input in = {a, sizeof a};
  vy_outputs out;
  vy_error err;
  assert_int_equal(vy_backend_executable(be)->dispatch(be, p, &in, 1, NULL, &out, &err), VY_OK);
  assert_int_equal(out.count, 1);
  assert_int_equal(out.items[0].len, 16);
  uint32_t want[4] = {2, 3, 4, 0}; /* u32 add wraps */
  assert_memory_equal(out.items[0].data, want, 16);
  vy_outputs_free(&out);

  vy_kernel *k;
  assert_int_equal(vy_compile(be, p, NULL, &k, &err), VY_OK);
  for (uint32_t round = 0; round < 5; round++) {
    uint32_t x[4] = {round, round * 10, 7, 8};
    vy_input xi = {x, sizeof x};
    assert_int_equal(vy_kernel_dispatch(k, &xi, 1, NULL, &out, &err), VY_OK);
    uint32_t w[4] = {round + 1, round * 10 + 1, 8, 9};
    assert_memory_equal(out.items[0].data, w, 16);
    vy_outputs_free(&out);
  }
  /* wrong input count is the interpreter's binding error */
  assert_int_equal(vy_kernel_dispatch(k, NULL, 0, NULL, &out, &err), VY_E_RUNTIME);
  assert_int_equal(out.count, 0);
  vy_kernel_destroy(k);
  vy_program_destroy(p);
  vy_backend_close(be);
  vy_context_destroy(ctx);
}

static void config_rules(void **state) {
  (void)state;
  vy_context *ctx;
  vy_backend *be = reference(&ctx);
  vy_program *p = example(NULL);
  uint32_t a[4] = {0};
  vy_input in = {a, sizeof a};
  vy_outputs out;
  vy_error err;
  vy_dispatch_config c;
  vy_dispatch_config_default(&c);
  c.has_fixpoint_iterations = true; /* Some(0) must be rejected */
  assert_int_equal(vy_dispatch(be, p, &in, 1, &c, &out, &err), VY_E_INVALID_PROGRAM);
  vy_dispatch_config_default(&c);
  c.cooperative = true;
  assert_int_equal(vy_dispatch(be, p, &in, 1, &c, &out, &err), VY_E_UNSUPPORTED);
  vy_dispatch_config_default(&c);
  c.speculation = VY_MODE_FORCE;
  assert_int_equal(vy_dispatch(be, p, &in, 1, &c, &out, &err), VY_E_UNSUPPORTED);
  vy_dispatch_config_default(&c);
  c.ulp_budget = 256;
  assert_int_equal(vy_dispatch(be, p, &in, 1, &c, &out, &err), VY_E_INVALID_ARGUMENT);
  vy_dispatch_config_default(&c);
  c.has_grid_override = true;
  c.grid_override[0] = c.grid_override[1] = c.grid_override[2] = 1;
  assert_int_equal(vy_dispatch(be, p, &in, 1, &c, &out, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "grid_override"));
  vy_dispatch_config_default(&c);
  c.has_workgroup_override = true; /* zero axis */
  assert_int_equal(vy_dispatch(be, p, &in, 1, &c, &out, &err), VY_E_INVALID_PROGRAM);
  vy_dispatch_config_default(&c);
  c.max_output_bytes = 15; /* the output is 16 bytes */
  assert_int_equal(vy_dispatch(be, p, &in, 1, &c, &out, &err), VY_E_DISPATCH_FAILED);
  assert_int_equal(out.count, 0);
  c.max_output_bytes = 16;
  c.ulp_budget = 4;           /* ignored by the exact reference */
  c.label = "ok";             /* ignored */
  c.has_fixpoint_iterations = true;
  c.fixpoint_iterations = 1;  /* one launch */
  assert_int_equal(vy_dispatch(be, p, &in, 1, &c, &out, &err), VY_OK);
  vy_outputs_free(&out);
  vy_program_destroy(p);
  vy_backend_close(be);
  vy_context_destroy(ctx);
}

/* A loop of 2^32 - 1 iterations per invocation: hours for the interpreter. */
static vy_program *endless(void) {
  vy_builder *b;
  if (vy_builder_create(NULL, &b) != VY_OK) return NULL;
  vy_b_count(b, vy_b_output(b, "out", 0, VY_TYPE_U32), 1);
  vy_b_workgroup_size(b, 1, 1, 1);
  vy_b_let(b, "s", vy_b_u32(b, 0));
  vy_b_loop(b, "i", vy_b_u32(b, 0), vy_b_u32(b, 0xFFFFFFFFu));
  vy_b_assign(b, "s", vy_b_bin(b, VY_BINOP_ADD, vy_b_var(b, "s"), vy_b_var(b, "i")));
  vy_b_end(b);
  vy_b_store(b, "out", vy_b_u32(b, 0), vy_b_var(b, "s"));
  vy_program *p = NULL;
  vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL);
  vy_builder_destroy(b);
  return p;
}

static uint64_t now_ms(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* DispatchConfig.timeout stops a runaway program with VY_E_TIMEOUT soon
 * after it passes, through dispatch and through a compiled kernel, and the
 * backend keeps working afterwards. */
static void timeout_stops_runaway(void **state) {
  (void)state;
  vy_context *ctx;
  vy_backend *be = reference(&ctx);
  vy_program *p = endless();
  assert_non_null(p);
  vy_dispatch_config c;
  vy_dispatch_config_default(&c);
  c.timeout_ns = 100u * 1000000u;
  vy_outputs out;
  vy_error err;
  uint64_t t0 = now_ms();
  assert_int_equal(vy_dispatch(be, p, NULL, 0, &c, &out, &err), VY_E_TIMEOUT);
  assert_true(now_ms() - t0 < 5000); /* 100 ms asked; generous for a loaded machine */
  assert_non_null(strstr(err.message, "timeout"));
  assert_non_null(strstr(err.message, "Fix:"));
  assert_int_equal(out.count, 0);
  vy_kernel *k;
  assert_int_equal(vy_compile(be, p, NULL, &k, &err), VY_OK);
  c.timeout_ns = 20u * 1000000u; /* a dispatch-time config may set the timeout */
  assert_int_equal(vy_kernel_dispatch(k, NULL, 0, &c, &out, &err), VY_E_TIMEOUT);
  vy_kernel_destroy(k);
  vy_program_destroy(p);
  /* still usable */
  vy_program *q = example(NULL);
  uint32_t a[4] = {1, 2, 3, 4}, want[4] = {2, 3, 4, 5};
  vy_input in = {a, sizeof a};
  c.timeout_ns = 10u * 1000000000u; /* a generous timeout does not disturb a short run */
  assert_int_equal(vy_dispatch(be, q, &in, 1, &c, &out, &err), VY_OK);
  assert_memory_equal(out.items[0].data, want, sizeof want);
  vy_outputs_free(&out);
  vy_program_destroy(q);
  vy_backend_close(be);
  vy_context_destroy(ctx);
}

static void unsupported_ops_are_refused_first(void **state) {
  (void)state;
  vy_context *ctx;
  vy_backend *be = reference(&ctx);
  vy_builder *b;
  assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
  vy_b_region(b, "r", NULL);
  vy_b_if(b, vy_b_bool(b, true));
  vy_b_resume(b, "t");
  vy_b_end(b);
  vy_b_end(b);
  vy_program *p;
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL), VY_OK);
  vy_builder_destroy(b);
  vy_outputs out;
  vy_error err;
  assert_int_equal(vy_dispatch(be, p, NULL, 0, NULL, &out, &err), VY_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "vyre.node.resume"));
  assert_non_null(strstr(err.message, "entry[0].body[0].then[0]"));
  assert_non_null(strstr(err.message, "`reference`"));
  vy_program_destroy(p);
  vy_backend_close(be);
  vy_context_destroy(ctx);
}

/* A program that fails validation is refused with vyre's "program failed
 * IR validation: CODE message" and exactly one Fix: hint per diagnostic. */
static void validation_errors_are_reported_once(void **state) {
  (void)state;
  vy_context *ctx;
  vy_backend *be = reference(&ctx);
  vy_builder *b;
  assert_int_equal(vy_builder_create(NULL, &b), VY_OK);
  vy_b_region(b, "r", NULL);
  vy_b_let(b, "x", vy_b_u32(b, 1));
  vy_b_let(b, "x", vy_b_u32(b, 2)); /* V032: two Lets of one name in one list */
  vy_b_end(b);
  vy_program *p;
  assert_int_equal(vy_builder_finish(b, VY_FINISH_WRAPPED, &p, NULL), VY_OK);
  vy_builder_destroy(b);
  vy_outputs out;
  vy_error err;
  assert_int_equal(vy_dispatch(be, p, NULL, 0, NULL, &out, &err), VY_E_INVALID_PROGRAM);
  assert_non_null(strstr(err.message, "program failed IR validation: V032 "));
  const char *fix = strstr(err.message, "Fix:");
  assert_non_null(fix);
  assert_null(strstr(fix + 4, "Fix:"));
  vy_program_destroy(p);
  vy_backend_close(be);
  vy_context_destroy(ctx);
}

/* ---- Streamable ---- */

typedef struct {
  const uint32_t *chunks[4];
  size_t lens[4];
  size_t n, next;
} source;

static vy_status next_chunk(void *ud, vy_input *chunk, bool *done, vy_error *err) {
  (void)err;
  source *s = ud;
  if (s->next == s->n) {
    *done = true;
    return VY_OK;
  }
  chunk->data = s->chunks[s->next];
  chunk->len = s->lens[s->next++];
  return VY_OK;
}

typedef struct {
  size_t seen, stop_after;
  vy_status st[4];
  uint32_t first[4];
} sink_state;

static bool put(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  sink_state *s = ud;
  assert_int_equal(index, s->seen);
  s->st[index] = st;
  if (st == VY_OK)
    memcpy(&s->first[index], outs->items[0].data, 4);
  else
    assert_non_null(strstr(err->message, "Fix:"));
  s->seen++;
  return s->seen < s->stop_after;
}

static void stream_chunks(void **state) {
  (void)state;
  vy_context *ctx;
  vy_backend *be = reference(&ctx);
  vy_program *p = example(NULL);
  static const uint32_t c0[4] = {10, 0, 0, 0}, c1[2] = {1, 2}, c2[5] = {20, 0, 0, 0, 99};
  source src = {{c0, c1, c2}, {16, 8, 20}, 3, 0};
  sink_state s = {.stop_after = 10};
  vy_chunk_source cs = {next_chunk, &src};
  vy_output_sink sk = {put, &s};
  assert_int_equal(vy_stream(be, p, NULL, 0, &cs, &sk, NULL, NULL), VY_OK);
  assert_int_equal(s.seen, 3);
  assert_int_equal(s.st[0], VY_OK);
  assert_int_equal(s.first[0], 11);
  assert_int_equal(s.st[1], VY_E_RUNTIME); /* 8 bytes < count 4 x 4: a per-chunk error */
  assert_int_equal(s.st[2], VY_OK);        /* a longer input is allowed */
  assert_int_equal(s.first[2], 21);

  src.next = 0; /* the consumer stops after the first chunk */
  memset(&s, 0, sizeof s);
  s.stop_after = 1;
  assert_int_equal(vy_stream(be, p, NULL, 0, &cs, &sk, NULL, NULL), VY_OK);
  assert_int_equal(s.seen, 1);
  assert_int_equal(src.next, 1);

  src.next = src.n; /* zero chunks */
  memset(&s, 0, sizeof s);
  assert_int_equal(vy_stream(be, p, NULL, 0, &cs, &sk, NULL, NULL), VY_OK);
  assert_int_equal(s.seen, 0);
  vy_program_destroy(p);
  vy_backend_close(be);
  vy_context_destroy(ctx);
}

static vy_status everything_under_faults(const vy_allocator *a, void *ctxp) {
  (void)ctxp;
  vy_context_options o;
  vy_context_options_init(&o);
  o.alloc = a;
  vy_context *ctx = NULL;
  vy_backend *be = NULL;
  vy_kernel *k = NULL;
  vy_program *p = example(a);
  vy_outputs out = {0};
  uint32_t in4[4] = {1, 2, 3, 4};
  vy_input in = {in4, sizeof in4};
  vy_status st = p ? VY_OK : VY_E_NOMEM;
  if (st == VY_OK) st = vy_context_create(&o, &ctx, NULL);
  if (st == VY_OK) st = vy_backend_open(ctx, "reference", &be, NULL);
  if (st == VY_OK) st = vy_dispatch(be, p, &in, 1, NULL, &out, NULL);
  vy_outputs_free(&out);
  if (st == VY_OK) st = vy_compile(be, p, NULL, &k, NULL);
  if (st == VY_OK) st = vy_kernel_dispatch(k, &in, 1, NULL, &out, NULL);
  vy_outputs_free(&out);
  vy_kernel_destroy(k);
  vy_backend_close(be);
  vy_context_destroy(ctx);
  vy_program_destroy(p);
  return st;
}

static void allocation_failures(void **state) {
  (void)state;
  assert_true(vy_fault_run_all(everything_under_faults, NULL) > 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(version_mismatch_is_detected),
      cmocka_unit_test(registry_and_identity),
      cmocka_unit_test(dispatch_and_kernel),
      cmocka_unit_test(config_rules),
      cmocka_unit_test(timeout_stops_runaway),
      cmocka_unit_test(unsupported_ops_are_refused_first),
      cmocka_unit_test(validation_errors_are_reported_once),
      cmocka_unit_test(stream_chunks),
      cmocka_unit_test(allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
