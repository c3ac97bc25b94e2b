/* diffgen_plan.c - the plan of a generated program (diffgen_int.h): the
 * workgroup shape, the buffers with their roles, declared counts and
 * runtime lengths, bindings and declaration order, the dispatch grid of
 * vyre-ir.md §4.4 (needed for the linear ids and ownership maps), the
 * declarations, the inputs and the description.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc_int.h"
#include "diffgen_int.h"

static const char *const TNAME[T_COUNT] = {"u32", "i32", "u64", "f32", "bool"};

/* ---- the plan: workgroup, buffers, grid ---- */

static const uint32_t WG_SHAPES[][3] = {{1, 1, 1}, {4, 1, 1}, {7, 1, 1},  {32, 1, 1}, {64, 1, 1}, {33, 1, 1},
                                        {8, 8, 1}, {4, 2, 2}, {2, 3, 1},  {1, 4, 1},  {3, 1, 2},  {16, 2, 1},
                                        {5, 5, 1}, {2, 2, 2}, {40, 1, 1}, {1, 1, 3},  {2, 1, 1},  {48, 1, 1}};

static bool takes_input(const buf *b) { return b->kind != B_WG && b->role != R_OUTPUT && b->role != R_LIVE_OUT; }
static bool returned(const buf *b) { return b->kind != B_WG && (b->kind != B_IN || b->role == R_RW); }

static buf *add_buf(gen *g, bkind kind, brole role, gty ty) {
  static const char *const PREFIX[] = {"in", "out", "sa", "oa", "cp", "wg"};
  unsigned idx = 0;
  for (unsigned i = 0; i < g->nbufs; i++) idx += g->bufs[i].kind == kind;
  buf *b = &g->bufs[g->nbufs++];
  memset(b, 0, sizeof *b);
  snprintf(b->name, NAME_LEN, "%s%u", PREFIX[kind], idx);
  b->kind = (uint8_t)kind;
  b->role = (uint8_t)role;
  b->ty = (uint8_t)ty;
  b->k = 1;
  return b;
}

/* The role of a returned storage buffer: at most one is_output (V022). */
static brole out_role(gen *g, bool *have_output) {
  unsigned r = below(g, 10);
  brole role = !*have_output && r < 3 ? R_OUTPUT : r < 5 ? R_LIVE_OUT : R_RW;
  *have_output |= role == R_OUTPUT;
  return role;
}

/* Declared count and input length of a returned buffer with `elems` elements. */
static void size_returned(gen *g, buf *b) {
  if (b->role == R_RW && chance(g, 1, 3))
    b->count = chance(g, 1, 3) ? 0 : 1 + below(g, b->elems); /* the input is longer than declared */
  else
    b->count = b->elems;
}

static void plan_owner(gen *g, buf *o) {
  o->per_wg = o->kind == B_OUT && chance(g, 1, 6);
  o->lane = below(g, g->P);
  o->k = chance(g, 1, 4) ? 2 + below(g, 2) : 1;
  o->map = (uint8_t)below(g, M_COUNT);
  if (o->map == M_MUL) {
    o->k = 1; /* map(lin)*k would wrap */
    o->mm = 1 + 2 * below(g, 4);
    o->mc = below(g, 8);
  }
}

/* The buffers for `E` elements in the largest returned buffer; `pg` allows
 * the pg_nodes special case (which can make the grid larger than E). */
static void plan_buffers(gen *g, uint32_t E, bool pg_ok) {
  static const vy_atomic_op SHARED_OPS[] = {VY_ATOMIC_ADD, VY_ATOMIC_OR,  VY_ATOMIC_AND,       VY_ATOMIC_XOR,
                                            VY_ATOMIC_MIN, VY_ATOMIC_MAX, VY_ATOMIC_LRU_UPDATE};
  bool have_output = false;
  g->nbufs = 0;
  for (unsigned i = 0, n = 1 + below(g, 3); i < n; i++) {
    gty t = vy_dg_pick_type(g);
    unsigned r = below(g, 20);
    buf *b = add_buf(g, B_IN, r < 14 ? R_READ : r < 17 ? R_UNIFORM : R_RW, t);
    b->count = chance(g, 1, 5) ? 0 : 1 + below(g, 48);
    b->elems = b->count ? b->count + (chance(g, 1, 3) ? below(g, 6) : 0) : below(g, 40);
    if (!b->elems && !g->o.allow_oob) b->elems = 1 + below(g, 8);
    if (b->role == R_RW && b->elems > E) b->elems = E; /* returned: keep the grid on the outputs */
    if (b->count > b->elems) b->count = b->elems;
  }
  for (unsigned i = 0, n = 1 + below(g, 2); i < n; i++) {
    gty t = vy_dg_pick_type(g);
    brole role = out_role(g, &have_output);
    buf *o = add_buf(g, B_OUT, role, t);
    o->elems = i == 0 ? E : 1 + below(g, E);
    plan_owner(g, o);
    size_returned(g, o);
  }
  for (unsigned i = 0, n = g->o.allow_atomics ? below(g, 3) : 0; i < n; i++) {
    bool shared = chance(g, 1, 2);
    brole role = out_role(g, &have_output);
    buf *a = add_buf(g, shared ? B_SHARED_ATOM : B_OWNED_ATOM, role, T_U32);
    if (shared) {
      a->elems = 1 + below(g, E < 8 ? E : 8);
      a->op = PICK(g, SHARED_OPS);
    } else {
      a->elems = 1 + below(g, E);
      plan_owner(g, a);
    }
    size_returned(g, a);
    if (!a->count) a->count = 1; /* the shared index is taken modulo count */
  }
  if (g->o.allow_async && chance(g, 1, 5)) {
    gty t = vy_dg_pick_type(g);
    brole role = out_role(g, &have_output);
    buf *c = add_buf(g, B_COPY, role, t);
    c->elems = 1 + below(g, E < 16 ? E : 16);
    size_returned(g, c);
  }
  for (unsigned i = 0, n = g->o.allow_workgroup_mem ? below(g, 4) : 0; i < n; i++) {
    gty t = chance(g, 1, 2) ? T_U32 : vy_dg_pick_type(g);
    buf *w = add_buf(g, B_WG, R_WORKGROUP, t);
    w->k = 1 + (chance(g, 1, 3) ? 1 : 0);
    w->count = g->P * w->k;
    if (chance(g, 1, 2) && w->count < npow2(g->P)) w->count = npow2(g->P);
    w->count += chance(g, 1, 3) ? below(g, 3) : 0;
    w->elems = w->count;
  }
  /* the special case of §4.4: a buffer named pg_nodes at binding 0 sets the grid */
  if (pg_ok && chance(g, 1, 24) && g->bufs[0].role == R_READ) {
    buf *pg = &g->bufs[0];
    snprintf(pg->name, NAME_LEN, "pg_nodes");
    pg->count = 1 + below(g, E + g->P);
    if (pg->elems < pg->count) pg->elems = pg->count;
  }
  for (unsigned i = 0; i < g->nbufs; i++) {
    buf *b = &g->bufs[i];
    if (takes_input(b)) b->bytes = (size_t)b->elems * STRIDE[b->ty] + (chance(g, 1, 6) ? below(g, STRIDE[b->ty]) : 0);
    b->range = returned(b) && b->count && chance(g, 1, 10);
  }
}

/* Bindings (a permutation, pg_nodes at 0) and declaration order (shuffled). */
static void order_buffers(gen *g) {
  for (unsigned i = g->nbufs; i > 1; i--) {
    unsigned j = below(g, i);
    buf t = g->bufs[i - 1];
    g->bufs[i - 1] = g->bufs[j];
    g->bufs[j] = t;
  }
  uint32_t nb = 0, perm[MAX_BUFS] = {0};
  for (unsigned i = 0; i < g->nbufs; i++) nb += g->bufs[i].kind != B_WG;
  for (uint32_t i = 0; i < nb; i++) perm[i] = i;
  for (uint32_t i = nb; i > 1; i--) {
    uint32_t j = below(g, i), t = perm[i - 1];
    perm[i - 1] = perm[j];
    perm[j] = t;
  }
  uint32_t k = 0;
  for (unsigned i = 0; i < g->nbufs; i++)
    if (g->bufs[i].kind != B_WG) g->bufs[i].binding = perm[k++];
  for (unsigned i = 0; i < g->nbufs; i++) {
    if (strcmp(g->bufs[i].name, "pg_nodes")) continue;
    for (unsigned j = 0; j < g->nbufs; j++)
      if (g->bufs[j].kind != B_WG && g->bufs[j].binding == 0) g->bufs[j].binding = g->bufs[i].binding;
    g->bufs[i].binding = 0;
  }
}

/* The dispatch grid of vyre-ir.md §4.4, from the runtime lengths. */
static void compute_grid(gen *g) {
  uint64_t max_out = 0, max_in = 1, pg = 0;
  unsigned nret = 0;
  for (unsigned i = 0; i < g->nbufs; i++) {
    const buf *b = &g->bufs[i];
    if (b->kind == B_WG) continue;
    if (b->binding == 0 && !strcmp(b->name, "pg_nodes")) pg = b->count;
    if (returned(b)) {
      nret++;
      if (b->elems > max_out) max_out = b->elems;
    } else if (b->elems > max_in) {
      max_in = b->elems;
    }
  }
  uint64_t elements = max_out > pg ? max_out : pg;
  if (elements < 1) elements = 1;
  if (!nret && max_in > elements) elements = max_in;
  uint64_t total = (elements + g->P - 1) / g->P;
  unsigned active = (g->wg[0] > 1) + (g->wg[1] > 1) + (g->wg[2] > 1);
  g->grid[0] = g->grid[1] = g->grid[2] = 1;
  if (!active) {
    g->grid[0] = (uint32_t)total;
  } else {
    uint32_t base = (uint32_t)ceil(pow((double)total, 1.0 / (double)active));
    for (int a = 0; a < 3; a++)
      if (g->wg[a] > 1) g->grid[a] = base;
  }
  g->nwg = g->grid[0] * g->grid[1] * g->grid[2];
  for (int a = 0; a < 3; a++) g->ext[a] = g->grid[a] * g->wg[a];
  g->T = g->nwg * g->P;
}

void vy_dg_plan(gen *g) {
  do {
    const uint32_t *s = WG_SHAPES[below(g, NELEM(WG_SHAPES))];
    memcpy(g->wg, s, sizeof g->wg);
  } while (g->wg[0] * g->wg[1] * g->wg[2] > g->max_inv / 4 && chance(g, 1, 2));
  g->P = g->wg[0] * g->wg[1] * g->wg[2];
  /* Smaller and smaller targets until the grid fits max_invocations; the
   * last attempt (one element everywhere, so one workgroup of at most 64
   * lanes) always fits. */
  for (unsigned attempt = 0;; attempt++) {
    bool last = attempt == 12;
    uint32_t lim = g->max_inv >> (attempt < 8 ? attempt : 8), E;
    if (!lim) lim = 1;
    unsigned r = below(g, 10);
    if (r < 3)
      E = 1 + below(g, 8);
    else if (r < 6)
      E = g->P * (1 + below(g, 4)) + below(g, 3);
    else
      E = 1 + below(g, lim);
    if (E > lim || last) E = last ? 1 : lim;
    if (E > 1 && chance(g, 1, 8)) E--;
    plan_buffers(g, E, !last);
    order_buffers(g);
    compute_grid(g);
    if (g->T <= g->max_inv) break;
  }
  if (g->nwg > 1) g->features |= VY_DIFFGEN_F_MULTI_WORKGROUP;
  for (unsigned i = 0; i < g->nbufs; i++)
    if (g->bufs[i].map == M_XOR) g->bufs[i].mc = below(g, npow2(g->T));
}

void vy_dg_declare_buffers(gen *g) {
  vy_b_workgroup_size(g->b, g->wg[0], g->wg[1], g->wg[2]);
  for (unsigned i = 0; i < g->nbufs; i++) {
    const buf *b = &g->bufs[i];
    vy_buffer_decl d;
    memset(&d, 0, sizeof d);
    d.name = (vy_str){b->name, (uint32_t)strlen(b->name)};
    d.binding = b->kind == B_WG ? 0 : b->binding;
    switch ((brole)b->role) {
    case R_READ:
      d.access = VY_ACCESS_READ_ONLY, d.kind = VY_MEMKIND_READONLY;
      break;
    case R_UNIFORM:
      d.access = VY_ACCESS_UNIFORM, d.kind = VY_MEMKIND_UNIFORM;
      break;
    case R_WORKGROUP:
      d.access = VY_ACCESS_WORKGROUP, d.kind = VY_MEMKIND_SHARED;
      break;
    default:
      d.access = VY_ACCESS_READ_WRITE, d.kind = VY_MEMKIND_GLOBAL;
      break;
    }
    d.element.kind = TK[b->ty];
    d.count = b->count;
    d.is_output = b->role == R_OUTPUT;
    d.pipeline_live_out = b->role == R_OUTPUT || b->role == R_LIVE_OUT;
    if (b->range) {
      uint64_t size = (uint64_t)b->count * STRIDE[b->ty];
      d.has_output_range = true;
      d.range_start = (b->elems * 7u + 3u) % (size + 1);
      d.range_end = d.range_start + (b->elems * 13u) % (size - d.range_start + 1);
    }
    d.hints.cache_locality = VY_LOCALITY_TEMPORAL;
    d.linear_type = VY_LINEAR_UNRESTRICTED;
    vy_b_buffer(g->b, &d);
  }
}

/* ---- inputs ---- */

vy_status vy_dg_make_inputs(gen *g, vy_diffgen_case *c, const vy_allocator *alloc) {
  size_t n = 0;
  for (unsigned i = 0; i < g->nbufs; i++) n += takes_input(&g->bufs[i]);
  if (!n) return VY_OK;
  c->inputs = vy_mem_calloc(alloc, n, sizeof *c->inputs);
  if (!c->inputs) return VY_E_NOMEM;
  c->ninputs = n;
  size_t k = 0;
  for (unsigned i = 0; i < g->nbufs; i++) {
    const buf *b = &g->bufs[i];
    if (!takes_input(b)) continue;
    vy_bytes *by = &c->inputs[k++];
    by->alloc = alloc;
    if (vy_bytes_reserve(by, b->bytes)) return VY_E_NOMEM;
    uint32_t stride = STRIDE[b->ty];
    for (uint32_t e = 0; e < b->elems; e++) vy_dg_fill_value(g, (gty)b->ty, by->data + (size_t)e * stride);
    for (size_t t = (size_t)b->elems * stride; t < b->bytes; t++) by->data[t] = (uint8_t)rnd32(g);
    by->len = b->bytes;
    by->data[by->len] = 0;
  }
  return VY_OK;
}

/* ---- description and entry points ---- */

void vy_dg_describe(const gen *g, uint64_t seed, char *out, size_t cap) {
  static const char *const ROLE[] = {"read", "uniform", "rw", "output", "live_out", "workgroup"};
  static const char *const KIND[] = {"in", "out", "shared-atomic", "owned-atomic", "copy", "wg"};
  static const char *const MAP[] = {"lin", "rev", "xor", "trans", "mul"};
  static const char *const FEAT[] = {"barrier",        "wgmem",  "reduce",  "atomic-shared", "atomic-owned", "subgroup",
                                     "transcendental", "f32",    "u64",     "loop",          "return",       "oob",
                                     "async",          "i32div", "multi-wg"};
  size_t at = 0;
#define APPEND(...)                                                                                                    \
  do {                                                                                                                 \
    if (at < cap) at += (size_t)snprintf(out + at, cap - at, __VA_ARGS__);                                             \
  } while (0)
  APPEND("seed=%#llx wg=(%u,%u,%u) grid=(%u,%u,%u) T=%u", (unsigned long long)seed, g->wg[0], g->wg[1], g->wg[2],
         g->grid[0], g->grid[1], g->grid[2], g->T);
  for (unsigned i = 0; i < g->nbufs; i++) {
    const buf *b = &g->bufs[i];
    APPEND(" %s:%s:%s:%s[%u/%u]", b->name, KIND[b->kind], TNAME[b->ty], ROLE[b->role], b->count, b->elems);
    if (b->per_wg)
      APPEND("@lane%u", (unsigned)b->lane);
    else if (b->kind == B_OUT || b->kind == B_OWNED_ATOM)
      APPEND("@%s*%u", MAP[b->map], (unsigned)b->k);
    if (b->kind == B_SHARED_ATOM) APPEND("@%s", vy_atomic_op_name(b->op));
  }
  APPEND(" |");
  for (unsigned i = 0; i < NELEM(FEAT); i++)
    if (g->features & (1u << i)) APPEND(" %s", FEAT[i]);
  if (g->error) APPEND(" | error %u", (unsigned)g->error);
#undef APPEND
}
