/* cpu_artifact.c - packing and loading the cached artifact of an llvm-cpu
 * kernel (layout and contracts in cpu_artifact_int.h). */
#include <stdlib.h>
#include <string.h>

#include "blake3_int.h"
#include "cpu_artifact_int.h"
#include "error_int.h"

#define ARTIFACT_MAGIC "vycpuk\0\0"
#define ARTIFACT_FORMAT 1u
#define HEADER_BYTES (8u + 4u + 8u + 4u + 4u)
#define SITE_BYTES 24u

/* ---- the prepared program in preorder ---- */

typedef struct walk {
  vy_ptrvec stmts, exprs;
  bool nomem;
} walk;

static void walk_expr(walk *w, const vy_cx *x) {
  if (!x || w->nomem) return;
  if (vy_ptrvec_push(&w->exprs, (void *)x)) {
    w->nomem = true;
    return;
  }
  walk_expr(w, x->a);
  walk_expr(w, x->b);
  walk_expr(w, x->c);
  walk_expr(w, x->d);
  for (uint32_t i = 0; i < x->argc; i++) walk_expr(w, x->args[i]);
}

static void walk_list(walk *w, const vy_cl *l) {
  for (uint32_t i = 0; i < l->count && !w->nomem; i++) {
    const vy_cn *n = &l->items[i];
    if (vy_ptrvec_push(&w->stmts, (void *)n)) {
      w->nomem = true;
      return;
    }
    walk_expr(w, n->e0);
    walk_expr(w, n->e1);
    walk_expr(w, n->e2);
    walk_list(w, &n->body);
    walk_list(w, &n->body2);
  }
}

static void walk_free(walk *w) {
  vy_ptrvec_free(&w->stmts);
  vy_ptrvec_free(&w->exprs);
}

static vy_status walk_run(walk *w, const vy_interp_prepared *pp, const vy_allocator *a, vy_error *err) {
  memset(w, 0, sizeof *w);
  vy_ptrvec_init(&w->stmts, a);
  vy_ptrvec_init(&w->exprs, a);
  walk_list(w, &pp->entry);
  if (!w->nomem && w->stmts.count < UINT32_MAX && w->exprs.count < UINT32_MAX) return VY_OK;
  walk_free(w);
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

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
  return v;
}
static uint64_t get64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

/* Labels of the sites, each string once: offset + 1 of site i's label in
 * the concatenation (0 = none) goes to offs[i]. */
static size_t label_bytes(const vy_cpu_lowered *low, uint32_t *offs, uint8_t *dst) {
  size_t len = 0;
  for (uint32_t i = 0; i < low->nsites; i++) {
    const char *l = low->sites[i].label;
    offs[i] = 0;
    if (!l) continue;
    for (uint32_t j = 0; j < i && !offs[i]; j++)
      if (low->sites[j].label && strcmp(low->sites[j].label, l) == 0) offs[i] = offs[j];
    if (offs[i]) continue;
    size_t n = strlen(l) + 1;
    if (dst) memcpy(dst + len, l, n);
    offs[i] = (uint32_t)len + 1;
    len += n;
  }
  return len;
}

vy_status vy_cpu_artifact_pack(const vy_interp_prepared *pp, const vy_cpu_lowered *low, const vy_bytes *obj,
                               const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  walk w;
  vy_status st = walk_run(&w, pp, alloc, err);
  if (st != VY_OK) return st;
  pix *ts = pix_table(&w.stmts, alloc), *tx = pix_table(&w.exprs, alloc);
  uint32_t *offs = low->nsites ? vy_mem_alloc(alloc, low->nsites * sizeof *offs) : NULL;
  out->alloc = alloc;
  if (!ts || !tx || (low->nsites && !offs)) st = vy_error_nomem(err);
  size_t nlab = st == VY_OK ? label_bytes(low, offs, NULL) : 0;
  size_t total = HEADER_BYTES + nlab + (size_t)low->nsites * SITE_BYTES + 8 + obj->len;
  uint8_t *p = NULL;
  if (st == VY_OK && nlab < UINT32_MAX) {
    p = vy_mem_alloc(alloc, total);
    if (!p) st = vy_error_nomem(err);
  } else if (st == VY_OK) {
    st = vy_error_set(err, VY_E_INTERNAL, "llvm-cpu site labels too long. Fix: report this llvm-cpu bug");
  }
  if (st == VY_OK) {
    memcpy(p, ARTIFACT_MAGIC, 8);
    put32(p + 8, ARTIFACT_FORMAT);
    put64(p + 12, low->scratch_bytes);
    put32(p + 20, low->nsites);
    put32(p + 24, (uint32_t)nlab);
    label_bytes(low, offs, p + HEADER_BYTES);
    uint8_t *s = p + HEADER_BYTES + nlab;
    for (uint32_t i = 0; i < low->nsites && st == VY_OK; i++, s += SITE_BYTES) {
      const vy_site *si = &low->sites[i];
      uint32_t stmt = pix_find(ts, w.stmts.count, si->stmt), x = pix_find(tx, w.exprs.count, si->x);
      if (stmt == UINT32_MAX || x == UINT32_MAX)
        st = vy_error_set(err, VY_E_INTERNAL,
                          "llvm-cpu error site %u points outside its program. Fix: report this llvm-cpu bug", i);
      uint8_t head[8] = {si->kind, si->op, si->ta.k, si->ta.n, si->tb.k, si->tb.n, 0, 0};
      memcpy(s, head, 8);
      put32(s + 8, stmt);
      put32(s + 12, x);
      put32(s + 16, si->aux);
      put32(s + 20, offs[i]);
    }
    put64(s, obj->len);
    if (obj->len) memcpy(s + 8, obj->data, obj->len);
  }
  if (st == VY_OK) {
    out->data = p;
    out->len = out->cap = total;
  } else if (p) {
    vy_mem_free(alloc, p, total);
  }
  vy_mem_free(alloc, offs, low->nsites * sizeof *offs);
  vy_mem_free(alloc, ts, (w.stmts.count ? w.stmts.count : 1) * sizeof *ts);
  vy_mem_free(alloc, tx, (w.exprs.count ? w.exprs.count : 1) * sizeof *tx);
  walk_free(&w);
  return st;
}

/* ---- loading ---- */

static vy_status malformed(vy_error *err, const char *what) {
  return vy_error_set(err, VY_E_COMPILE_FAILED,
                      "llvm-cpu cached artifact is malformed (%s). Fix: clear the kernel cache (vyre-jit cache clear)",
                      what);
}

static void code_free(vy_cpu_code *c) {
  vy_mem_free(c->alloc, c->sites, c->nsites * sizeof *c->sites);
  vy_mem_free(c->alloc, c->labels, c->labels_len);
  vy_mem_free(c->alloc, c, sizeof *c);
}

/* Reads the header and the site table into c; obj and objlen view the object. */
static vy_status parse(vy_cpu_code *c, const uint8_t *d, size_t len, const uint8_t **obj, uint64_t *objlen,
                       vy_error *err) {
  if (len < HEADER_BYTES || memcmp(d, ARTIFACT_MAGIC, 8) != 0) return malformed(err, "header");
  if (get32(d + 8) != ARTIFACT_FORMAT) return malformed(err, "format version");
  c->scratch_bytes = get64(d + 12);
  uint32_t nsites = get32(d + 20), nlab = get32(d + 24);
  if (c->scratch_bytes > SIZE_MAX / 2) return malformed(err, "scratch size");
  size_t rest = len - HEADER_BYTES;
  if (nlab > rest || nsites > (rest - nlab) / SITE_BYTES || rest - nlab - (size_t)nsites * SITE_BYTES < 8)
    return malformed(err, "lengths");
  const uint8_t *lab = d + HEADER_BYTES, *s = lab + nlab;
  if (nlab && lab[nlab - 1] != 0) return malformed(err, "labels");
  *obj = s + (size_t)nsites * SITE_BYTES + 8;
  *objlen = get64(*obj - 8);
  if (*objlen != (uint64_t)(d + len - *obj) || !*objlen) return malformed(err, "object length");
  if (nlab) {
    c->labels = vy_mem_alloc(c->alloc, nlab);
    if (!c->labels) return vy_error_nomem(err);
    memcpy(c->labels, lab, nlab);
    c->labels_len = nlab;
  }
  if (nsites) {
    c->sites = vy_mem_calloc(c->alloc, nsites, sizeof *c->sites);
    if (!c->sites) return vy_error_nomem(err);
    c->nsites = nsites;
  }
  for (uint32_t i = 0; i < nsites; i++, s += SITE_BYTES) {
    vy_csite *cs = &c->sites[i];
    *cs = (vy_csite){s[0], s[1], {s[2], s[3]}, {s[4], s[5]}, get32(s + 8), get32(s + 12), get32(s + 16), get32(s + 20)};
    if (cs->kind >= VY_SITE_KIND_COUNT || s[6] || s[7] || cs->stmt > c->nstmts || cs->x > c->nexprs ||
        cs->label > nlab || (cs->label && cs->label > 1 && lab[cs->label - 2] != 0))
      return malformed(err, "site table");
  }
  return VY_OK;
}

vy_status vy_cpu_code_load(vy_orc *orc, const vy_interp_prepared *pp, const uint8_t *data, size_t len,
                           const char *entry, const vy_allocator *alloc, vy_cpu_code **out, vy_error *err) {
  *out = NULL;
  walk w;
  vy_status st = walk_run(&w, pp, alloc, err);
  if (st != VY_OK) return st;
  vy_cpu_code *c = vy_mem_calloc(alloc, 1, sizeof *c);
  if (!c) {
    walk_free(&w);
    return vy_error_nomem(err);
  }
  c->alloc = alloc;
  c->nstmts = (uint32_t)w.stmts.count;
  c->nexprs = (uint32_t)w.exprs.count;
  walk_free(&w);
  const uint8_t *obj = NULL;
  uint64_t objlen = 0;
  st = parse(c, data, len, &obj, &objlen, err);
  if (st == VY_OK) st = vy_orc_add_object(orc, obj, (size_t)objlen, entry, &c->ok, err);
  if (st != VY_OK) {
    code_free(c);
    return st;
  }
  c->fn = (vy_kernel_fn)vy_orc_kernel_entry(c->ok);
  *out = c;
  return VY_OK;
}

void vy_cpu_code_destroy(void *code, void *ctx) {
  (void)ctx;
  vy_cpu_code *c = code;
  if (!c) return;
  vy_orc_kernel_remove(c->ok, NULL);
  code_free(c);
}

vy_status vy_cpu_code_sites(const vy_cpu_code *c, const vy_interp_prepared *pp, const vy_allocator *alloc,
                            vy_site **out, vy_error *err) {
  *out = NULL;
  if (!c->nsites) return VY_OK;
  walk w;
  vy_status st = walk_run(&w, pp, alloc, err);
  if (st != VY_OK) return st;
  if (w.stmts.count != c->nstmts || w.exprs.count != c->nexprs) {
    walk_free(&w);
    return vy_error_set(err, VY_E_INTERNAL,
                        "a cached llvm-cpu kernel does not match its program's shape. Fix: report this llvm-cpu bug "
                        "and clear the kernel cache");
  }
  vy_site *s = vy_mem_calloc(alloc, c->nsites, sizeof *s);
  if (!s) {
    walk_free(&w);
    return vy_error_nomem(err);
  }
  for (uint32_t i = 0; i < c->nsites; i++) {
    const vy_csite *cs = &c->sites[i];
    s[i] = (vy_site){cs->kind,
                     cs->op,
                     cs->ta,
                     cs->tb,
                     cs->stmt ? w.stmts.items[cs->stmt - 1] : NULL,
                     cs->x ? w.exprs.items[cs->x - 1] : NULL,
                     cs->label ? c->labels + cs->label - 1 : NULL,
                     cs->aux};
  }
  walk_free(&w);
  *out = s;
  return VY_OK;
}

vy_status vy_cpu_host_digest(const vy_interp_prepared *pp, const vy_allocator *alloc, uint8_t out[32],
                             vy_error *err) {
  vy_blake3 h;
  vy_blake3_init(&h);
  const vy_host_registry *r = pp->host;
  uint8_t buf[8];
  put64(buf, r ? vy_host_registry_count(r) + 1 : 0);
  vy_blake3_update(&h, buf, 8);
  for (uint32_t i = 0; r && i < vy_host_registry_count(r); i++) {
    const vy_host_signature *sig = vy_host_sig_at(r, i);
    put32(buf, sig->nparams);
    put32(buf + 4, sig->has_result ? (uint32_t)sig->result + 1 : 0);
    vy_blake3_update(&h, buf, 8);
    for (uint32_t j = 0; j < sig->nparams; j++) {
      put32(buf, (uint32_t)sig->params[j]);
      vy_blake3_update(&h, buf, 4);
    }
  }
  walk w;
  vy_status st = walk_run(&w, pp, alloc, err);
  if (st != VY_OK) return st;
  for (size_t i = 0; i < w.exprs.count; i++) {
    const vy_cx *x = w.exprs.items[i];
    if (x->kind != VY_EXPR_CALL) continue;
    put32(buf, (uint32_t)i);
    put32(buf + 4, x->ref);
    vy_blake3_update(&h, buf, 8);
  }
  walk_free(&w);
  vy_blake3_finalize(&h, out, 32);
  return VY_OK;
}
