/* ptx_wgfill.c - workgroup memory written in full before it is read, for
 * the NVPTX flavour (ptx_int.h vy_ptx_find_filled).
 *
 * The first statements of the entry, up to its first top-level Barrier,
 * often fill a workgroup buffer from the local id (stencil1d: `tile[l + 2]
 * = ...`, `if l < 2 { tile[l] = ... }`, `if l >= 254 { tile[l + 4] = ...
 * }`). When those stores cover every element, no invocation reads it
 * before the Barrier and no invocation can return before it, the zeroing
 * at block start is invisible: the kernel skips it, and with it the
 * barrier that kept the program's first loads behind it. */
#include <stdint.h>

#include "alloc_int.h"
#include "program_int.h"
#include "ptx_int.h"

typedef struct wgscan {
  const vy_lw *w;
  bool (*synced)(void *ud, const vy_cn *n); /* a statement with a sync level */
  void *ud;
  const vy_cl *pre; /* the statements before the Barrier */
  uint32_t nlid;    /* slots bound to lid.x by Lets of `pre` */
  uint32_t lid[16];
  uint8_t **bits; /* per workgroup buffer: elements written (NULL: not tracked) */
  bool bad;       /* a Return, a nested sync statement: no buffer qualifies */
} wgscan;

static bool lit_u32(const vy_cx *x, uint32_t *v) {
  if (x->kind == VY_EXPR_LIT_U32) return *v = x->lit.v.u32, true;
  if (x->kind == VY_EXPR_LIT_I32 && x->lit.v.i32 >= 0) return *v = (uint32_t)x->lit.v.i32, true;
  return false;
}

static bool is_lidx(const wgscan *sc, const vy_cx *x) {
  if (x->kind == VY_EXPR_LOCAL_ID) return x->axis == 0;
  if (x->kind != VY_EXPR_VAR) return false;
  for (uint32_t i = 0; i < sc->nlid; i++)
    if (sc->lid[i] == x->ref) return true;
  return false;
}

/* lid.x + c (either order) or lid.x: *c. */
static bool lidx_plus(const wgscan *sc, const vy_cx *x, uint32_t *c) {
  if (is_lidx(sc, x)) return *c = 0, true;
  if (x->kind != VY_EXPR_BIN_OP || (x->op != VY_BINOP_ADD && x->op != VY_BINOP_WRAPPING_ADD)) return false;
  return (is_lidx(sc, x->a) && lit_u32(x->b, c)) || (is_lidx(sc, x->b) && lit_u32(x->a, c));
}

/* The local ids [*lo, *hi) where condition x holds (x compares lid.x with a literal). */
static bool lidx_range(const wgscan *sc, const vy_cx *x, uint32_t *lo, uint32_t *hi) {
  if (x->kind != VY_EXPR_BIN_OP) return false;
  uint32_t c;
  int op = x->op;
  if (is_lidx(sc, x->a) && lit_u32(x->b, &c)) {
  } else if (is_lidx(sc, x->b) && lit_u32(x->a, &c)) { /* c op l: l (mirrored op) c */
    op = op == VY_BINOP_LT   ? VY_BINOP_GT
         : op == VY_BINOP_GT ? VY_BINOP_LT
         : op == VY_BINOP_LE ? VY_BINOP_GE
         : op == VY_BINOP_GE ? VY_BINOP_LE
                             : -1;
  } else {
    return false;
  }
  uint64_t l = 0, h = 1ull << 32;
  switch (op) {
  case VY_BINOP_LT:
    h = c;
    break;
  case VY_BINOP_LE:
    h = (uint64_t)c + 1;
    break;
  case VY_BINOP_GT:
    l = (uint64_t)c + 1;
    break;
  case VY_BINOP_GE:
    l = c;
    break;
  default:
    return false;
  }
  *lo = l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
  *hi = h > UINT32_MAX ? UINT32_MAX : (uint32_t)h;
  return true;
}

/* Whether expression x reads a workgroup buffer; marks it untracked. */
static void wg_reads(wgscan *sc, const vy_cx *x) {
  if (!x) return;
  if ((x->kind == VY_EXPR_LOAD || x->kind == VY_EXPR_ATOMIC) && x->ref != VY_IX_NONE) sc->bits[x->ref] = NULL;
  wg_reads(sc, x->a);
  wg_reads(sc, x->b);
  wg_reads(sc, x->c);
  wg_reads(sc, x->d);
  for (uint32_t i = 0; i < x->argc; i++) wg_reads(sc, x->args[i]);
}

/* Reads, Returns and Assigns of lid.x names anywhere in list l. */
static void wg_walk(wgscan *sc, const vy_cl *l) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_cn *n = &l->items[i];
    if (n->kind == VY_NODE_RETURN || sc->synced(sc->ud, n)) sc->bad = true;
    if (n->kind == VY_NODE_ASSIGN)
      for (uint32_t j = 0; j < sc->nlid; j++)
        if (sc->lid[j] == n->slot) sc->bad = true;
    wg_reads(sc, n->e0);
    wg_reads(sc, n->e1);
    wg_reads(sc, n->e2);
    wg_walk(sc, &n->body);
    wg_walk(sc, &n->body2);
  }
}

/* Store n (run by local ids [lo, hi)) marks the elements it writes. */
static void wg_store(wgscan *sc, const vy_cn *n, uint32_t lo, uint32_t hi) {
  uint32_t c, b = n->buf;
  if (b == VY_IX_NONE || !sc->bits[b] || !lidx_plus(sc, n->e0, &c)) return;
  uint32_t count = sc->w->p->buffers[b].count;
  if (hi > sc->w->wg[0]) hi = sc->w->wg[0];
  for (uint64_t l = lo; l < hi && l + c < count; l++) sc->bits[b][(l + c) / 8] |= (uint8_t)(1u << ((l + c) % 8));
}

/* Whether a Let at the top of list l rebinds a lid.x name. */
static bool binds_lidx(const wgscan *sc, const vy_cl *l) {
  for (uint32_t i = 0; i < l->count; i++)
    for (uint32_t j = 0; l->items[i].kind == VY_NODE_LET && j < sc->nlid; j++)
      if (sc->lid[j] == l->items[i].slot) return true;
  return false;
}

/* Marks the stores of `pre`: top-level ones, and those at the top of an
 * If on a lid.x comparison (then: where it holds; else: where it does not). */
static void wg_cover(wgscan *sc) {
  for (uint32_t i = 0; i < sc->pre->count; i++) {
    const vy_cn *n = &sc->pre->items[i];
    if (n->kind == VY_NODE_LET) { /* (re)binds its slot */
      for (uint32_t j = 0; j < sc->nlid; j++)
        if (sc->lid[j] == n->slot) sc->lid[j] = UINT32_MAX;
      if (is_lidx(sc, n->e0) && sc->nlid < 16) sc->lid[sc->nlid++] = n->slot;
    }
    if (n->kind == VY_NODE_STORE) wg_store(sc, n, 0, UINT32_MAX);
    uint32_t lo, hi;
    if (n->kind != VY_NODE_IF || !lidx_range(sc, n->e0, &lo, &hi) || binds_lidx(sc, &n->body) ||
        binds_lidx(sc, &n->body2))
      continue;
    for (uint32_t j = 0; j < n->body.count; j++)
      if (n->body.items[j].kind == VY_NODE_STORE) wg_store(sc, &n->body.items[j], lo, hi);
    for (uint32_t j = 0; j < n->body2.count; j++)
      if (n->body2.items[j].kind == VY_NODE_STORE) {
        wg_store(sc, &n->body2.items[j], 0, lo);
        wg_store(sc, &n->body2.items[j], hi, UINT32_MAX);
      }
  }
}

void vy_ptx_find_filled(vy_lw *w, bool (*synced)(void *ud, const vy_cn *n), void *ud, bool *filled) {
  const vy_cl *l = &w->pp->entry;
  while (l->count == 1 && (l->items[0].kind == VY_NODE_REGION || l->items[0].kind == VY_NODE_BLOCK))
    l = &l->items[0].body;
  uint32_t bar = 0;
  while (bar < l->count && l->items[bar].kind != VY_NODE_BARRIER) bar++;
  if (bar == l->count) return;
  vy_cl pre = {bar, l->items, 0, NULL};
  wgscan sc = {.w = w, .synced = synced, .ud = ud, .pre = &pre};
  sc.bits = vy_arena_array(&w->arena, w->p->nbuffers ? w->p->nbuffers : 1, sizeof *sc.bits);
  if (!sc.bits) return;
  for (uint32_t b = 0; b < w->p->nbuffers; b++) {
    const vy_buffer_decl *d = &w->p->buffers[b];
    if (d->access == VY_ACCESS_WORKGROUP && d->count && vy_type_min_bytes(&d->element))
      sc.bits[b] = vy_arena_array(&w->arena, (d->count + 7) / 8, 1);
  }
  for (uint32_t i = 0; i < pre.count; i++) /* the lid.x names first: Assigns to them disqualify */
    if (pre.items[i].kind == VY_NODE_LET && is_lidx(&sc, pre.items[i].e0) && sc.nlid < 16)
      sc.lid[sc.nlid++] = pre.items[i].slot;
  wg_walk(&sc, &pre);
  if (sc.bad) return;
  sc.nlid = 0; /* again in order: a name counts from its Let on */
  wg_cover(&sc);
  for (uint32_t b = 0; b < w->p->nbuffers; b++) {
    if (!sc.bits[b]) continue;
    uint32_t e = 0, count = w->p->buffers[b].count;
    while (e < count && (sc.bits[b][e / 8] >> (e % 8) & 1)) e++;
    filled[b] = e == count;
  }
}

