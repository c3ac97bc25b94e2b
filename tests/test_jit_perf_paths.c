/* test_jit_perf_paths.c - the fast paths of the llvm-cpu lowering against
 * the reference interpreter (an independent implementation of the spec),
 * on the inputs that reach their edges:
 *
 * - an If around an interchanged Loop that every invocation of a workgroup
 *   takes runs an unmasked copy; partial workgroups (n not a multiple of
 *   the workgroup side) mix full, partial and empty masks;
 * - indices `e & mask` (atomics included) and Lets of id + u looked
 *   through, with buffers shorter than the mask or the data;
 * - indices id - u and min(id + u, clamp) on the fast copy, where the
 *   first workgroups wrap below 0 or some lanes pass the clamp;
 * - a load whose index is the same along local x (a[row * n + k]) is done
 *   once per vector from a safe address, also when it is out of range
 *   (the load gives 0) because the buffer is shorter than the program
 *   assumes;
 * - unassigned copies of invocation ids are recomputed after a barrier;
 * - uniform Lets hoisted out of the regions feed the fast-path checks;
 * - private copies of atomically updated outputs, every commutative op;
 * - workgroup ids counted incrementally over a 3-D grid;
 * - subgroup add and ballot folded once per subgroup, partial subgroups;
 * - a literal Loop inside an invocation is unrolled before vectorization,
 *   with a runtime error (i32 division by zero) raised inside it;
 * - the workgroup-memory tiles of a tiled matmul, short inputs included.
 *
 * Each program runs on both backends with the same inputs; the outputs
 * must be equal byte for byte, or both runs must fail with the same status
 * and message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vyre/jit.h"
#include "vyre/vyre.h"
#include "backends.h"

static vy_context *g_ctx;
static vy_backend *g_cpu, *g_ref;

/* Runs p on both backends; equal outputs, or equal errors. Returns the status. */
static vy_status same(const char *what, vy_program *p, const vy_input *in, size_t n) {
  vy_outputs a = {0}, b = {0};
  vy_error ea, eb;
  vy_status sa = vy_dispatch(g_cpu, p, in, n, NULL, &a, &ea);
  vy_status sb = vy_dispatch(g_ref, p, in, n, NULL, &b, &eb);
  if (sa != sb) fail_msg("%s: llvm-cpu %s (%s), reference %s (%s)", what, vy_status_name(sa), sa ? ea.message : "",
                         vy_status_name(sb), sb ? eb.message : "");
  if (sa != VY_OK) {
    if (strcmp(ea.message, eb.message) != 0) fail_msg("%s: messages differ:\n  %s\n  %s", what, ea.message, eb.message);
    return sa;
  }
  assert_int_equal(a.count, b.count);
  for (size_t i = 0; i < a.count; i++) {
    assert_int_equal(a.items[i].len, b.items[i].len);
    if (memcmp(a.items[i].data, b.items[i].data, a.items[i].len) != 0) fail_msg("%s: output %zu differs", what, i);
  }
  vy_outputs_free(&a);
  vy_outputs_free(&b);
  return VY_OK;
}

/* Deterministic f32 values k/8 - 4 (exact in f32, so no subnormals arise). */
static float *values(size_t n, uint32_t seed) {
  float *v = malloc(n ? n * sizeof *v : 1);
  assert_non_null(v);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; i++) {
    x = x * 1664525u + 1013904223u;
    v[i] = (float)(x >> 26) / 8.0f - 4.0f;
  }
  return v;
}

static const char naive_src[] = "program mm workgroup(16, 16) {\n"
                                "  buffer a: f32 read @0\n"
                                "  buffer b: f32 read @1\n"
                                "  buffer c: f32 read_write @2\n"
                                "  buffer bias: f32 read @3\n"
                                "  region r {\n"
                                "    let n = len(bias)\n"
                                "    let col = gid.x\n"
                                "    let row = gid.y\n"
                                "    if row < n && col < n {\n"
                                "      let acc = 0.0f\n"
                                "      loop k in 0..n {\n"
                                "        acc = fma(a[row * n + k], b[k * n + col], acc)\n"
                                "      }\n"
                                "      c[row * n + col] = acc + bias[col]\n"
                                "    } else {\n"
                                "      let z = 0\n"
                                "      loop k in 0..n {\n"
                                "        z = z + 1\n"
                                "      }\n"
                                "    }\n"
                                "  }\n"
                                "}\n";

static const char tiled_src[] = "program mt workgroup(16, 16) {\n"
                                "  buffer a: f32 read @0\n"
                                "  buffer b: f32 read @1\n"
                                "  buffer c: f32 read_write @2\n"
                                "  buffer bias: f32 read @3\n"
                                "  buffer ta: f32 workgroup count(256)\n"
                                "  buffer tb: f32 workgroup count(256)\n"
                                "  region r {\n"
                                "    let n = len(bias)\n"
                                "    let lx = lid.x\n"
                                "    let ly = lid.y\n"
                                "    let col = gid.x\n"
                                "    let row = gid.y\n"
                                "    let acc = 0.0f\n"
                                "    loop t in 0..(n + 15) / 16 {\n"
                                "      ta[ly * 16 + lx] = a[row * n + t * 16 + lx]\n"
                                "      tb[ly * 16 + lx] = b[(t * 16 + ly) * n + col]\n"
                                "      barrier\n"
                                "      loop kk in 0..16 {\n"
                                "        acc = fma(ta[ly * 16 + kk], tb[kk * 16 + lx], acc)\n"
                                "      }\n"
                                "      barrier\n"
                                "    }\n"
                                "    if row < n && col < n {\n"
                                "      c[row * n + col] = acc + bias[col]\n"
                                "    }\n"
                                "  }\n"
                                "}\n";

/* n x n matmuls, with a and b full or cut short (the missing elements load as 0). */
static void matmuls(const char *src, const char *name) {
  vy_program *p = vt_parse(src);
  static const uint32_t sizes[] = {16, 20, 33, 48};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    uint32_t n = sizes[s];
    for (int cut = 0; cut < 3; cut++) {
      size_t na = (size_t)n * n - (cut == 1 ? 3 * n + 5 : 0), nb = (size_t)n * n - (cut == 2 ? n + 1 : 0);
      float *a = values(na, 1 + s), *b = values(nb, 2 + s), *bias = values(n, 3 + s), *c = values((size_t)n * n, 4);
      vy_input in[4] = {{a, na * 4}, {b, nb * 4}, {c, (size_t)n * n * 4}, {bias, n * 4}};
      char what[64];
      snprintf(what, sizeof what, "%s n=%u cut=%d", name, n, cut);
      assert_int_equal(same(what, p, in, 4), VY_OK);
      free(a), free(b), free(bias), free(c);
    }
  }
  vy_program_destroy(p);
}

static void naive_matmul_masks_and_row_loads(void **state) {
  (void)state;
  matmuls(naive_src, "naive");
}

static void tiled_matmul(void **state) {
  (void)state;
  matmuls(tiled_src, "tiled");
}

/* Ids kept in names are read again after a barrier; a row-uniform index
 * (gid.y only) goes out of range for some rows. */
static void ids_across_barriers_and_row_oob(void **state) {
  (void)state;
  vy_program *p = vt_parse("program ids workgroup(8, 4) {\n"
                        "  buffer src: u32 read @0\n"
                        "  buffer o: u32 read_write @1\n"
                        "  buffer t: u32 workgroup count(32)\n"
                        "  region r {\n"
                        "    let lx = lid.x\n"
                        "    let ly = lid.y\n"
                        "    let gx = gid.x\n"
                        "    let gy = gid.y\n"
                        "    t[ly * 8 + lx] = src[gy * 7 + 3] + lx\n"
                        "    barrier\n"
                        "    let v = t[ly * 8 + (lx + 1) % 8] * 3 + gx\n"
                        "    barrier\n"
                        "    if gx < 20 && gy < 9 {\n"
                        "      o[gy * 20 + gx] = v + ly * 1000 + gy\n"
                        "    }\n"
                        "  }\n"
                        "}\n");
  for (uint32_t len = 0; len <= 70; len += 10) {
    uint32_t src[70], o[180];
    for (uint32_t i = 0; i < 70; i++) src[i] = i * 2654435761u;
    memset(o, 0xAB, sizeof o);
    vy_input in[2] = {{src, len * 4}, {o, sizeof o}};
    char what[32];
    snprintf(what, sizeof what, "ids len=%u", len);
    assert_int_equal(same(what, p, in, 2), VY_OK);
  }
  vy_program_destroy(p);
}

/* Indices id - u (wrapping below 0 in the first workgroups: those load 0)
 * and min(id + u, clamp) (the clamp inside some workgroups), over lengths
 * that make the fast copy apply to all, some or none of the workgroups. */
static void shifted_and_clamped_indices(void **state) {
  (void)state;
  static const char *const srcs[] = {"program shift workgroup(64) {\n"
                                     "  buffer src: u32 read @0\n"
                                     "  buffer o: u32 read_write @1\n"
                                     "  region r {\n"
                                     "    let i = gid.x\n"
                                     "    if i < len(o) {\n"
                                     "      let a = src[i - 1] + src[i - 70] * 3\n"
                                     "      o[i] = a * 7 + src[wgid.x - 1 + i]\n"
                                     "    }\n"
                                     "  }\n"
                                     "}\n",
                                     "program clamp workgroup(64) {\n"
                                     "  buffer src: u32 read @0\n"
                                     "  buffer o: u32 read_write @1\n"
                                     "  region r {\n"
                                     "    let i = gid.x\n"
                                     "    if i < len(o) {\n"
                                     "      o[i] = src[min(i + 2, len(src) - 1)] + src[min(100, i)] * 5\n"
                                     "    }\n"
                                     "  }\n"
                                     "}\n"};
  static const uint32_t lens[] = {0, 1, 50, 64, 100, 101, 150, 256, 300};
  for (size_t k = 0; k < 2; k++) {
    vy_program *p = vt_parse(srcs[k]);
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
      uint32_t src[300], o[256];
      for (uint32_t i = 0; i < 300; i++) src[i] = i * 2654435761u + 12345u;
      memset(o, 0, sizeof o);
      vy_input in[2] = {{src, lens[l] * 4}, {o, sizeof o}};
      char what[32];
      snprintf(what, sizeof what, "%s len=%u", k ? "clamp" : "shift", lens[l]);
      assert_int_equal(same(what, p, in, 2), VY_OK);
    }
    vy_program_destroy(p);
  }
}

/* A 5-point stencil through workgroup memory whose clamp `last` is a
 * uniform Let hoisted out of the regions (len(src) - 1 wraps when src is
 * empty), with halo cells loaded under lid conditions; and a Loop
 * interchanged around a region whose body starts with a hoisted Let. */
static void hoisted_lets_and_halos(void **state) {
  (void)state;
  vy_program *p = vt_parse("program st workgroup(64) {\n"
                        "  buffer src: f32 read @0\n"
                        "  buffer dst: f32 read_write @1\n"
                        "  buffer tile: f32 workgroup count(68)\n"
                        "  region r {\n"
                        "    let i = gid.x\n"
                        "    let l = lid.x\n"
                        "    let last = len(src) - 1\n"
                        "    tile[l + 2] = src[min(i, last)]\n"
                        "    if l < 2 {\n"
                        "      let left = wgid.x * 64\n"
                        "      tile[l] = src[select(left >= 2 - l, left - (2 - l), 0)]\n"
                        "    }\n"
                        "    if l >= 62 {\n"
                        "      tile[l + 4] = src[min(i + 2, last)]\n"
                        "    }\n"
                        "    barrier\n"
                        "    if i < len(dst) {\n"
                        "      let acc = 0.0f\n"
                        "      loop k in 0..len(dst) / 64 + 70 {\n"
                        "        let q = len(src) - 2 + k * 0\n"
                        "        let off = k % 5\n"
                        "        acc = acc + tile[l + off] * 0.5f + src[min(i + k, q)]\n"
                        "      }\n"
                        "      dst[i] = acc\n"
                        "    }\n"
                        "  }\n"
                        "}\n");
  static const uint32_t sizes[] = {0, 1, 5, 64, 100, 256, 300};
  for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
    uint32_t n = sizes[z];
    float *src = values(n, 9 + z), *dst = values(n, 1);
    vy_input in[2] = {{src, n * 4}, {dst, n * 4}};
    char what[32];
    snprintf(what, sizeof what, "stencil n=%u", n);
    assert_int_equal(same(what, p, in, 2), VY_OK);
    free(src), free(dst);
  }
  vy_program_destroy(p);
}

/* Byte histograms: the bin index `(w >> s) & 255` is in range when the
 * bins are at least 256 (checked once) and partly out of range for 200
 * bins (those atomics do nothing); the word index is a Let `r * lanes + i`
 * (looked through to id + u), partly past the data's end. */
static void masked_and_let_indices(void **state) {
  (void)state;
  static const char *const srcs[] = {"program h256 workgroup(64) {\n"
                                     "  buffer data: u32 read @0\n"
                                     "  buffer bins: u32 read_write @1 count(256) output\n"
                                     "  buffer lo: u32 read_write @2\n"
                                     "  region r {\n"
                                     "    let i = gid.x\n"
                                     "    let lanes = len(bins)\n"
                                     "    let rounds = (len(data) + lanes - 1) / lanes\n"
                                     "    loop r in 0..rounds {\n"
                                     "      let k = r * lanes + i\n"
                                     "      if k < len(data) {\n"
                                     "        let w = data[k]\n"
                                     "        loop b in 0..4 {\n"
                                     "          let old = atomic_add(bins[(w >> (b * 8)) & 255], 1, relaxed)\n"
                                     "        }\n"
                                     "        lo[k & 127] = w & 7\n"
                                     "      }\n"
                                     "    }\n"
                                     "  }\n"
                                     "}\n",
                                     "program h200 workgroup(64) {\n"
                                     "  buffer data: u32 read @0\n"
                                     "  buffer bins: u32 read_write @1 count(200) output\n"
                                     "  buffer lo: u32 read_write @2\n"
                                     "  region r {\n"
                                     "    let i = gid.x\n"
                                     "    let lanes = len(bins)\n"
                                     "    let rounds = (len(data) + lanes - 1) / lanes\n"
                                     "    loop r in 0..rounds {\n"
                                     "      let k = r * lanes + i\n"
                                     "      if k < len(data) {\n"
                                     "        let w = data[k]\n"
                                     "        loop b in 0..4 {\n"
                                     "          let old = atomic_add(bins[(w >> (b * 8)) & 255], 1, relaxed)\n"
                                     "        }\n"
                                     "        lo[k & 127] = w & 7\n"
                                     "      }\n"
                                     "    }\n"
                                     "  }\n"
                                     "}\n"};
  static const uint32_t lens[] = {0, 1, 199, 256, 1000, 5000};
  for (size_t k = 0; k < 2; k++) {
    vy_program *p = vt_parse(srcs[k]);
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
      static uint32_t data[5000], lo[100];
      for (uint32_t i = 0; i < 5000; i++) data[i] = i * 2654435761u ^ 0x5bd1e995u;
      memset(lo, 0, sizeof lo);
      vy_input in[2] = {{data, lens[l] * 4}, {lo, sizeof lo}}; /* lo shorter than 128: some stores drop */
      char what[32];
      snprintf(what, sizeof what, "%s len=%u", k ? "h200" : "h256", lens[l]);
      assert_int_equal(same(what, p, in, 2), VY_OK);
    }
    vy_program_destroy(p);
  }
}

/* Every commutative op accumulated in private copies (one per invocation
 * modulo PRIV_COPIES, combined at kernel exit) over a 64-word output. */
static void private_copies_every_op(void **state) {
  (void)state;
  static const char *const ops[] = {"atomic_add", "atomic_or", "atomic_and", "atomic_xor", "atomic_min", "atomic_max"};
  for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
    char src[1024];
    snprintf(src, sizeof src,
             "program priv workgroup(32) {\n"
             "  buffer data: u32 read @0\n"
             "  buffer acc: u32 read_write @1 count(64) output\n"
             "  region r {\n"
             "    let i = gid.x\n"
             "    if i < len(data) {\n"
             "      let w = data[i]\n"
             "      let old = %s(acc[(w >> 3) & 63], w * 2654435761, relaxed)\n"
             "      let old2 = %s(acc[w %% 70], w >> 5, relaxed)\n"
             "    }\n"
             "  }\n"
             "}\n",
             ops[o], ops[o]);
    vy_program *p = vt_parse(src);
    static uint32_t data[3000];
    for (uint32_t i = 0; i < 3000; i++) data[i] = i * 0x9E3779B9u + (i >> 3);
    vy_input in[1] = {{data, sizeof data}};
    assert_int_equal(same(ops[o], p, in, 1), VY_OK);
    vy_program_destroy(p);
  }
}

/* Workgroup ids counted from each thread's first workgroup over a 3-D
 * grid (4 x 4 x 4 workgroups of 2 x 2 x 2, split between two threads). */
static void workgroup_ids_3d(void **state) {
  (void)state;
  vy_program *p = vt_parse("program ids3 workgroup(2, 2, 2) {\n"
                        "  buffer o: u32 read_write @0 count(512) output\n"
                        "  region r {\n"
                        "    let x = gid.x\n"
                        "    let y = gid.y\n"
                        "    let z = gid.z\n"
                        "    o[x + 8 * (y + 8 * z)] = wgid.x | wgid.y << 8 | wgid.z << 16 | lid.x << 24 | lid.z << 28\n"
                        "  }\n"
                        "}\n");
  assert_int_equal(same("ids3", p, NULL, 0), VY_OK);
  vy_program_destroy(p);
}

/* Subgroup add and ballot folded once per subgroup, with a partial last
 * subgroup (workgroups of 40 lanes: 32 + 8). */
static void subgroup_reductions(void **state) {
  (void)state;
  vy_program *p = vt_parse("program sg workgroup(40) {\n"
                        "  buffer data: u32 read @0\n"
                        "  buffer o: u32 read_write @1\n"
                        "  region r {\n"
                        "    let i = gid.x\n"
                        "    let x = data[i]\n"
                        "    let total = subgroup_add(x)\n"
                        "    let mask = subgroup_ballot((x & 3) == 1)\n"
                        "    let sh = subgroup_shuffle(x, (lid.x + 5) & 31)\n"
                        "    o[i] = total ^ mask * 3 + sh\n"
                        "  }\n"
                        "}\n");
  static uint32_t data[200], o[200];
  for (uint32_t i = 0; i < 200; i++) data[i] = i * 0x9E3779B9u;
  vy_input in[2] = {{data, sizeof data}, {o, sizeof o}};
  assert_int_equal(same("subgroups", p, in, 2), VY_OK);
  vy_program_destroy(p);
}

/* A literal loop (unrolled inside the invocation) dividing by j - d[i]:
 * a zero divisor in some invocation is the reference's runtime error. */
static void unrolled_loop_errors(void **state) {
  (void)state;
  vy_program *p = vt_parse("program div workgroup(64) {\n"
                        "  buffer d: i32 read @0\n"
                        "  buffer o: i32 read_write @1\n"
                        "  region r {\n"
                        "    let i = gid.x\n"
                        "    let acc = 0i\n"
                        "    loop j in 0..12 {\n"
                        "      acc = acc + 1000i / (cast<i32>(j) - d[i])\n"
                        "    }\n"
                        "    o[i] = acc\n"
                        "  }\n"
                        "}\n");
  int32_t d[128], o[128];
  for (int i = 0; i < 128; i++) d[i] = -1 - i % 7; /* never 0..11: no error */
  memset(o, 0, sizeof o);
  vy_input in[2] = {{d, sizeof d}, {o, sizeof o}};
  assert_int_equal(same("div ok", p, in, 2), VY_OK);
  d[77] = 5; /* j = 5 divides by zero in invocation 77 */
  assert_int_equal(same("div by zero", p, in, 2), VY_E_RUNTIME);
  vy_program_destroy(p);
}

static int setup(void **state) {
  (void)state;
  vy_context_options o;
  vy_context_options_init(&o);
  o.threads = 2;
  vy_error err;
  if (vy_context_create(&o, &g_ctx, &err) || vy_jit_register_backends(g_ctx) ||
      vy_backend_open(g_ctx, "llvm-cpu", &g_cpu, &err) || vy_backend_open(g_ctx, "reference", &g_ref, &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  vy_backend_close(g_cpu);
  vy_backend_close(g_ref);
  vy_context_destroy(g_ctx);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(naive_matmul_masks_and_row_loads),
      cmocka_unit_test(tiled_matmul),
      cmocka_unit_test(ids_across_barriers_and_row_oob),
      cmocka_unit_test(shifted_and_clamped_indices),
      cmocka_unit_test(hoisted_lets_and_halos),
      cmocka_unit_test(masked_and_let_indices),
      cmocka_unit_test(private_copies_every_op),
      cmocka_unit_test(workgroup_ids_3d),
      cmocka_unit_test(subgroup_reductions),
      cmocka_unit_test(unrolled_loop_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
