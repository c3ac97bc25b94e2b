/* ulp_sweep.c - see ulp_sweep.h. */
#include "ulp_sweep.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vyre/text.h"

uint32_t vy_ulp_distance(float a, float b) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b) ? 0 : UINT32_MAX;
  int32_t ia, ib;
  memcpy(&ia, &a, 4);
  memcpy(&ib, &b, 4);
  if (ia < 0) ia = INT32_MIN - ia; /* order the bit patterns like the values */
  if (ib < 0) ib = INT32_MIN - ib;
  int64_t d = (int64_t)ia - ib;
  return (uint32_t)(d < 0 ? -d : d);
}

uint32_t vy_ulp_sweep(vy_backend *be, vy_backend *ref, const char *prefix) {
  static const struct {
    const char *op;
    float lo, hi;
  } ops[] = {{"sin", -100, 100},  {"cos", -100, 100}, {"tan", -10, 10},  {"asin", -1, 1},   {"acos", -1, 1},
             {"atan", -1e4, 1e4}, {"sinh", -80, 80},  {"cosh", -80, 80}, {"tanh", -20, 20}, {"exp", -100, 88},
             {"exp2", -140, 127}, {"log", 0, 1e30},   {"log2", 0, 1e30}};
  enum { N = 1 << 14 };
  static float x[N], z[N];
  uint32_t all = 0;
  for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) {
    char src[512];
    snprintf(src, sizeof src,
             "program workgroup(64) {\n  buffer x: f32 read @0\n  buffer y: f32 read_write @1\n  region r {\n"
             "    let i = gid.x\n    if i < len(y) {\n      y[i] = %s(x[i])\n    }\n  }\n}\n",
             ops[k].op);
    vy_program *p = NULL;
    vy_error err;
    if (vy_text_parse(src, strlen(src), "ulp", NULL, &p, &err) != VY_OK) fail_msg("parse: %s", err.message);
    uint64_t s = 12345 + k;
    for (int i = 0; i < N; i++) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      x[i] = ops[k].lo + (ops[k].hi - ops[k].lo) * (float)((double)(s >> 11) / 9007199254740992.0);
    }
    vy_input in[2] = {{x, sizeof x}, {z, sizeof z}};
    vy_outputs a, b;
    if (vy_dispatch(be, p, in, 2, NULL, &a, &err) != VY_OK) fail_msg("%s %s: %s", vy_backend_id(be), ops[k].op, err.message);
    if (vy_dispatch(ref, p, in, 2, NULL, &b, &err) != VY_OK) fail_msg("reference %s: %s", ops[k].op, err.message);
    uint32_t worst = 0;
    for (int i = 0; i < N; i++) {
      float fa, fb;
      memcpy(&fa, a.items[0].data + 4 * i, 4);
      memcpy(&fb, b.items[0].data + 4 * i, 4);
      uint32_t d = vy_ulp_distance(fa, fb);
      if (d > worst) worst = d;
    }
    printf("%s%-5s max %u ULP from the interpreter over %d inputs in [%g, %g]\n", prefix, ops[k].op, worst, N,
           (double)ops[k].lo, (double)ops[k].hi);
    if (worst > all) all = worst;
    vy_outputs_free(&a);
    vy_outputs_free(&b);
    vy_program_destroy(p);
  }
  return all;
}
