/* jit_diff.c - compiled backend against the interpreter on generated
 * programs (jit_diff.h). */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit_diff.h"
#include "ulp_compare.h"
#include "vyre/interp.h"
#include "vyre/text.h"

static const struct {
  const char *backend; /* NULL: every compiled backend (they share the lowering core) */
  const char *suffix;
  vy_status status;
  const char *why;
} deviations[] = {
    {NULL, "sched/uniform_check_finished_lane.vy", VY_E_RUNTIME,
     "compiled backends compare a barrier If's condition over every live invocation at once"},
    {NULL, "subgroup/finished_lane_error.vy", VY_OK,
     "compiled backends evaluate a finished lane's subgroup operand from the values it last had"},
    /* README, "The cuda backend": measured on an H100, the GPU's FTZ decides
     * tininess before rounding, so the first output is 0 where the
     * reference rounds up to the smallest normal */
    {"cuda", "float/ftz_rounds_before_flush.vy", VY_OK,
     "the GPU's FTZ flushes before rounding (a result that rounds up to FLT_MIN becomes 0)"},
};

bool vy_jit_case_deviation(const char *backend, const char *path, vy_status *status, const char **why) {
  size_t len = strlen(path);
  for (size_t i = 0; i < sizeof deviations / sizeof *deviations; i++) {
    if (deviations[i].backend && strcmp(deviations[i].backend, backend) != 0) continue;
    size_t sl = strlen(deviations[i].suffix);
    if (len >= sl && strcmp(path + len - sl, deviations[i].suffix) == 0) {
      *status = deviations[i].status;
      *why = deviations[i].why;
      return true;
    }
  }
  return false;
}

vy_status vy_jit_case_status(const vy_case *c, const vy_case_backend *be, vy_error *err) {
  vy_interp_input *in = calloc(c->ninputs + 1, sizeof *in);
  if (!in) return VY_E_NOMEM;
  for (size_t i = 0; i < c->ninputs; i++) in[i] = (vy_interp_input){c->inputs[i].bytes, c->inputs[i].len};
  vy_interp_outputs out;
  vy_status st = be->run(be->ud, c, in, c->ninputs, &out, err);
  vy_interp_outputs_free(&out);
  free(in);
  return st;
}

unsigned vy_diff_seeds(unsigned dflt) {
  const char *s = getenv("VY_DIFF_SEEDS");
  return s && *s ? (unsigned)strtoul(s, NULL, 10) : dflt;
}

bool vy_diff_replay(uint64_t *seed, vy_diffgen_options *o) {
  const char *path = getenv("VY_DIFF_REPLAY");
  if (!path || !*path) return false;
  uint8_t b[16];
  FILE *f = fopen(path, "rb");
  size_t n = f ? fread(b, 1, sizeof b, f) : 0;
  if (!f || ferror(f)) {
    fprintf(stderr, "VY_DIFF_REPLAY=%s: cannot read the file. Fix: name a fuzz input (a libFuzzer artifact)\n", path);
    exit(2);
  }
  fclose(f);
  vy_diffgen_from_bytes(b, n, seed, o);
  return true;
}

/* malloc'ed printf, with the program's text appended when p is set. */
static char *report_of(const vy_program *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *report_of(const vy_program *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char head[2048];
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  vy_bytes text = {0};
  vy_error e;
  if (p) vy_text_print(p, NULL, &text, &e);
  size_t n = strlen(head) + (text.data ? text.len : 0) + 2;
  char *r = malloc(n);
  if (r) snprintf(r, n, "%s\n%s", head, text.data ? (const char *)text.data : "");
  vy_bytes_free(&text);
  return r;
}

vy_diff_result vy_diff_run(uint64_t seed, const vy_diffgen_options *o, const vy_diff_target *t, char **report) {
  if (report) *report = NULL;
  vy_diffgen_case dc;
  vy_error err;
  if (vy_diffgen_make(seed, o, NULL, &dc, &err)) {
    if (report) *report = report_of(NULL, "seed %llu: generator: %s", (unsigned long long)seed, err.message);
    return VY_DIFF_MISMATCH;
  }
  if (getenv("VY_DIFF_VERBOSE")) fprintf(stderr, "%s\n", dc.description);
  vy_input *in = calloc(dc.ninputs ? dc.ninputs : 1, sizeof *in);
  if (!in) {
    vy_diffgen_case_free(&dc);
    if (report) *report = report_of(NULL, "seed %llu: out of memory", (unsigned long long)seed);
    return VY_DIFF_MISMATCH;
  }
  for (size_t i = 0; i < dc.ninputs; i++) in[i] = (vy_input){dc.inputs[i].data, dc.inputs[i].len};
  vy_interp_outputs ref;
  vy_error rerr, cerr;
  vy_status rst = vy_interp_run(dc.program, in, dc.ninputs, NULL, NULL, NULL, &ref, &rerr);
  vy_outputs got;
  memset(&got, 0, sizeof got);
  vy_kernel *k = NULL;
  vy_status cst = t->compile(t->ud, dc.program, &k, &cerr);
  bool refused = cst == VY_E_UNSUPPORTED;
  if (cst == VY_OK) cst = vy_kernel_dispatch(k, in, dc.ninputs, NULL, &got, &cerr);
  vy_kernel_destroy(k);
  vy_diff_result res = VY_DIFF_AGREE;
  if (dc.expect_error && dc.error == VY_DIFFGEN_ERR_UNSUPPORTED && cst == VY_E_UNSUPPORTED) {
    cst = rst; /* the generator's group of constructs a compiled backend may refuse */
  } else if (refused && t->may_refuse) {
    res = VY_DIFF_REFUSED;
    if (report) *report = report_of(NULL, "%s\n%s refused: %s", dc.description, t->name, cerr.message);
  }
  if (res == VY_DIFF_AGREE && cst != rst) {
    res = VY_DIFF_MISMATCH;
    if (report)
      *report = report_of(dc.program, "%s\nreference: %s %s\n%s: %s %s", dc.description, vy_status_name(rst),
                          rst ? rerr.message : "", t->name, vy_status_name(cst), cst ? cerr.message : "");
  }
  if (res == VY_DIFF_AGREE && rst == VY_OK) {
    const vy_buffer_decl *returned[64];
    size_t nret = 0;
    for (uint32_t b = 0; b < vy_program_buffer_count(dc.program) && nret < 64; b++)
      if (vy_buffer_is_returned(vy_program_buffer(dc.program, b))) returned[nret++] = vy_program_buffer(dc.program, b);
    if (got.count != ref.count) {
      res = VY_DIFF_MISMATCH;
      if (report)
        *report = report_of(dc.program, "%s\n%zu outputs, the reference has %zu", dc.description, got.count, ref.count);
    }
    for (size_t i = 0; i < ref.count && res == VY_DIFF_AGREE; i++) {
      bool ulp = (dc.features & VY_DIFFGEN_F_TRANSCENDENTAL) && i < nret && returned[i]->element.kind == VY_TYPE_F32;
      bool same =
          got.items[i].len == ref.items[i].len &&
          (ulp ? vy_ulp_within(got.items[i].data, ref.items[i].data, ref.items[i].len,
                              returned[i]->has_output_range ? returned[i]->range_start : 0, t->transcendental_ulp)
               : memcmp(got.items[i].data, ref.items[i].data, ref.items[i].len) == 0);
      if (same) continue;
      size_t at = 0;
      while (at < ref.items[i].len && at < got.items[i].len && got.items[i].data[at] == ref.items[i].data[at]) at++;
      res = VY_DIFF_MISMATCH;
      if (report)
        *report = report_of(dc.program, "%s\n%s: output %zu differs at byte %zu (lengths %zu, %zu)", dc.description,
                            t->name, i, at, ref.items[i].len, got.items[i].len);
    }
  }
  vy_outputs_free(&got);
  vy_interp_outputs_free(&ref);
  free(in);
  vy_diffgen_case_free(&dc);
  return res;
}
