/* site_table.c - error-site tables in index form (site_table_int.h). */
#include <stdlib.h>
#include <string.h>

#include "le_int.h"
#include "error_int.h"
#include "site_table_int.h"

#define SITE_BYTES 24u

/* ---- the prepared program in preorder ---- */

static bool walk_expr(vy_prog_walk *w, const vy_cx *x) {
  if (!x) return true;
  if (vy_ptrvec_push(&w->exprs, (void *)x)) return false;
  if (!walk_expr(w, x->a) || !walk_expr(w, x->b) || !walk_expr(w, x->c) || !walk_expr(w, x->d)) return false;
  for (uint32_t i = 0; i < x->argc; i++)
    if (!walk_expr(w, x->args[i])) return false;
  return true;
}

static bool walk_list(vy_prog_walk *w, const vy_cl *l) {
  for (uint32_t i = 0; i < l->count; i++) {
    const vy_cn *n = &l->items[i];
    if (vy_ptrvec_push(&w->stmts, (void *)n)) return false;
    if (!walk_expr(w, n->e0) || !walk_expr(w, n->e1) || !walk_expr(w, n->e2) || !walk_list(w, &n->body) ||
        !walk_list(w, &n->body2))
      return false;
  }
  return true;
}

void vy_prog_walk_free(vy_prog_walk *w) {
  vy_ptrvec_free(&w->stmts);
  vy_ptrvec_free(&w->exprs);
}

vy_status vy_prog_walk_run(vy_prog_walk *w, const vy_interp_prepared *pp, const vy_allocator *a, vy_error *err) {
  memset(w, 0, sizeof *w);
  vy_ptrvec_init(&w->stmts, a);
  vy_ptrvec_init(&w->exprs, a);
  if (walk_list(w, &pp->entry) && w->stmts.count < UINT32_MAX && w->exprs.count < UINT32_MAX) return VY_OK;
  vy_prog_walk_free(w);
  return vy_error_nomem(err);
}

/* Pointer -> preorder index, through a table sorted by address. */
typedef struct pix {
  const void *p;
  uint32_t i;
} pix;

static int pix_cmp(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)((const pix *)a)->p, y = (uintptr_t)((const pix *)b)->p;
  return x < y ? -1 : x > y;
}

static pix *pix_table(const vy_ptrvec *v, const vy_allocator *a) {
  pix *t = vy_mem_alloc(a, (v->count ? v->count : 1) * sizeof *t);
  if (!t) return NULL;
  for (size_t i = 0; i < v->count; i++) t[i] = (pix){v->items[i], (uint32_t)i};
  qsort(t, v->count, sizeof *t, pix_cmp);
  return t;
}

/* index + 1 of p, 0 for NULL, UINT32_MAX when absent. */
static uint32_t pix_find(const pix *t, size_t n, const void *p) {
  if (!p) return 0;
  pix k = {p, 0};
  const pix *f = bsearch(&k, t, n, sizeof *t, pix_cmp);
  return f ? f->i + 1 : UINT32_MAX;
}

/* ---- packing ---- */


/* Labels of the sites, each string once: offset + 1 of site i's label in
 * the concatenation (0 = none) goes to offs[i]. */
static size_t label_bytes(const vy_site *sites, uint32_t nsites, uint32_t *offs, uint8_t *dst) {
  size_t len = 0;
  for (uint32_t i = 0; i < nsites; i++) {
    const char *l = sites[i].label;
    offs[i] = 0;
    if (!l) continue;
    for (uint32_t j = 0; j < i && !offs[i]; j++)
      if (sites[j].label && strcmp(sites[j].label, l) == 0) offs[i] = offs[j];
    if (offs[i]) continue;
    size_t n = strlen(l) + 1;
    if (dst) memcpy(dst + len, l, n);
    offs[i] = (uint32_t)len + 1;
    len += n;
  }
  return len;
}

vy_status vy_site_table_pack(const vy_interp_prepared *pp, const vy_site *sites, uint32_t nsites, const char *backend,
                             vy_bytes *out, vy_error *err) {
  const vy_allocator *alloc = out->alloc;
  vy_prog_walk w;
  vy_status st = vy_prog_walk_run(&w, pp, alloc, err);
  if (st != VY_OK) return st;
  pix *ts = pix_table(&w.stmts, alloc), *tx = pix_table(&w.exprs, alloc);
  uint32_t *offs = nsites ? vy_mem_alloc(alloc, nsites * sizeof *offs) : NULL;
  if (!ts || !tx || (nsites && !offs)) st = vy_error_nomem(err);
  size_t nlab = st == VY_OK ? label_bytes(sites, nsites, offs, NULL) : 0;
  if (st == VY_OK && nlab >= UINT32_MAX)
    st = vy_error_set(err, VY_E_INTERNAL, "%s site labels too long. Fix: report this %s bug", backend, backend);
  size_t block = 8 + nlab + (size_t)nsites * SITE_BYTES;
  if (st == VY_OK && vy_bytes_reserve(out, block)) st = vy_error_nomem(err);
  if (st == VY_OK) {
    uint8_t *p = out->data + out->len;
    vy_le_put32(p, nsites);
    vy_le_put32(p + 4, (uint32_t)nlab);
    label_bytes(sites, nsites, offs, p + 8);
    uint8_t *s = p + 8 + nlab;
    for (uint32_t i = 0; i < nsites && st == VY_OK; i++, s += SITE_BYTES) {
      const vy_site *si = &sites[i];
      uint32_t stmt = pix_find(ts, w.stmts.count, si->stmt), x = pix_find(tx, w.exprs.count, si->x);
      if (stmt == UINT32_MAX || x == UINT32_MAX)
        st = vy_error_set(err, VY_E_INTERNAL, "%s error site %u points outside its program. Fix: report this %s bug",
                          backend, i, backend);
      uint8_t head[8] = {si->kind, si->op, si->ta.k, si->ta.n, si->tb.k, si->tb.n, 0, 0};
      memcpy(s, head, 8);
      vy_le_put32(s + 8, stmt);
      vy_le_put32(s + 12, x);
      vy_le_put32(s + 16, si->aux);
      vy_le_put32(s + 20, offs[i]);
    }
    if (st == VY_OK) {
      out->len += block;
      out->data[out->len] = 0;
    }
  }
  vy_mem_free(alloc, offs, nsites * sizeof *offs);
  vy_mem_free(alloc, ts, (w.stmts.count ? w.stmts.count : 1) * sizeof *ts);
  vy_mem_free(alloc, tx, (w.exprs.count ? w.exprs.count : 1) * sizeof *tx);
  vy_prog_walk_free(&w);
  return st;
}

/* ---- parsing and resolving ---- */

static vy_status malformed(vy_error *err, const char *backend) {
  return vy_error_set(
      err, VY_E_COMPILE_FAILED,
      "%s cached artifact is malformed (site table). Fix: clear the kernel cache (vyre-jit cache clear)", backend);
}

void vy_site_table_free(vy_site_table *t) {
  vy_mem_free(t->alloc, t->sites, t->nsites * sizeof *t->sites);
  vy_mem_free(t->alloc, t->labels, t->labels_len);
  memset(t, 0, sizeof *t);
}

vy_status vy_site_table_parse(vy_site_table *t, const vy_interp_prepared *pp, const uint8_t *d, size_t len,
                              const char *backend, const vy_allocator *alloc, size_t *used, vy_error *err) {
  memset(t, 0, sizeof *t);
  t->alloc = alloc;
  vy_prog_walk w;
  vy_status st = vy_prog_walk_run(&w, pp, alloc, err);
  if (st != VY_OK) return st;
  t->nstmts = (uint32_t)w.stmts.count;
  t->nexprs = (uint32_t)w.exprs.count;
  vy_prog_walk_free(&w);
  if (len < 8) return malformed(err, backend);
  uint32_t nsites = vy_le_get32(d), nlab = vy_le_get32(d + 4);
  size_t rest = len - 8;
  if (nlab > rest || nsites > (rest - nlab) / SITE_BYTES) return malformed(err, backend);
  const uint8_t *lab = d + 8, *s = lab + nlab;
  if (nlab && lab[nlab - 1] != 0) return malformed(err, backend);
  if (nlab) {
    t->labels = vy_mem_alloc(alloc, nlab);
    if (!t->labels) return vy_error_nomem(err);
    memcpy(t->labels, lab, nlab);
    t->labels_len = nlab;
  }
  if (nsites) {
    t->sites = vy_mem_calloc(alloc, nsites, sizeof *t->sites);
    if (!t->sites) return vy_error_nomem(err);
    t->nsites = nsites;
  }
  for (uint32_t i = 0; i < nsites; i++, s += SITE_BYTES) {
    vy_csite *cs = &t->sites[i];
    *cs = (vy_csite){s[0], s[1], {s[2], s[3]}, {s[4], s[5]}, vy_le_get32(s + 8), vy_le_get32(s + 12), vy_le_get32(s + 16), vy_le_get32(s + 20)};
    if (cs->kind >= VY_SITE_KIND_COUNT || s[6] || s[7] || cs->stmt > t->nstmts || cs->x > t->nexprs ||
        cs->label > nlab || (cs->label && cs->label > 1 && lab[cs->label - 2] != 0))
      return malformed(err, backend);
  }
  *used = 8 + (size_t)nlab + (size_t)nsites * SITE_BYTES;
  return VY_OK;
}

vy_status vy_site_table_resolve(const vy_site_table *t, const vy_interp_prepared *pp, const char *backend,
                                const vy_allocator *alloc, vy_site **out, vy_error *err) {
  *out = NULL;
  if (!t->nsites) return VY_OK;
  vy_prog_walk w;
  vy_status st = vy_prog_walk_run(&w, pp, alloc, err);
  if (st != VY_OK) return st;
  if (w.stmts.count != t->nstmts || w.exprs.count != t->nexprs) {
    vy_prog_walk_free(&w);
    return vy_error_set(err, VY_E_INTERNAL,
                        "a cached %s kernel does not match its program's shape. Fix: report this %s bug and clear "
                        "the kernel cache",
                        backend, backend);
  }
  vy_site *s = vy_mem_calloc(alloc, t->nsites, sizeof *s);
  if (!s) {
    vy_prog_walk_free(&w);
    return vy_error_nomem(err);
  }
  for (uint32_t i = 0; i < t->nsites; i++) {
    const vy_csite *cs = &t->sites[i];
    s[i] = (vy_site){cs->kind,
                     cs->op,
                     cs->ta,
                     cs->tb,
                     cs->stmt ? w.stmts.items[cs->stmt - 1] : NULL,
                     cs->x ? w.exprs.items[cs->x - 1] : NULL,
                     cs->label ? t->labels + cs->label - 1 : NULL,
                     cs->aux};
  }
  vy_prog_walk_free(&w);
  *out = s;
  return VY_OK;
}
