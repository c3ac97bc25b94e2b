/* data.c - the buffers of one size of a suite program: generated once,
 * before anything is timed, and the working copies and output sets built
 * from them. */
#include <stdlib.h>
#include <string.h>

#include "bench_int.h"
#include "error_int.h"

/* 64-byte aligned, zero-filled, never NULL for len 0 (the caller frees). */
static void *aligned_zero(size_t len) {
  size_t cap = (len + 63) / 64 * 64;
  if (cap == 0) cap = 64;
  void *p = aligned_alloc(64, cap);
  if (p) memset(p, 0, cap);
  return p;
}

static const vyb_input_rule *rule_for(const vyb_program *p, const vy_buffer_decl *d) {
  for (size_t i = 0; i < p->ninputs; i++)
    if (strlen(p->inputs[i].buffer) == d->name.len && !memcmp(p->inputs[i].buffer, d->name.ptr, d->name.len))
      return &p->inputs[i];
  return NULL;
}

/* The initial bytes of input buffer `d` at this size. */
static vy_status fill_input(const vyb_program *p, const vyb_params *ps, const vy_buffer_decl *d, vyb_buf *b,
                            vy_error *err) {
  const vyb_input_rule *r = rule_for(p, d);
  if (!r)
    return vy_error_set(err, VY_E_INTERNAL, "no input rule for `%.*s`. Fix: report this", (int)d->name.len,
                        d->name.ptr);
  char *spec;
  vy_status st = vyb_expand(r->spec, ps, &spec, err);
  if (st != VY_OK) return st;
  vy_bytes bytes = {0};
  st = vy_values_parse(&d->element, spec, strlen(spec), NULL, NULL, &bytes, err);
  if (st != VY_OK) {
    char where[4200];
    snprintf(where, sizeof where, "%s: input %s = %.64s", p->path, r->buffer, spec);
    vyb_error_prefix(err, st, where);
  }
  free(spec);
  if (st != VY_OK) return st;
  b->data = aligned_zero(bytes.len);
  b->bytes = bytes.len;
  if (b->data && bytes.len) memcpy(b->data, bytes.data, bytes.len);
  vy_bytes_free(&bytes);
  return b->data ? VY_OK : vy_error_nomem(err);
}

vy_status vyb_data_make(const vyb_program *p, vyb_size size, vyb_data *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  out->size = size;
  const vyb_params *ps = &p->sizes[size];
  uint32_t nb = vy_program_buffer_count(p->prog);
  uint64_t work;
  vy_status st = vyb_eval(p->work_expr, strlen(p->work_expr), ps, &work, err);
  if (st != VY_OK) return st;
  out->work = (double)work;
  out->bufs = calloc(nb ? nb : 1, sizeof *out->bufs);
  out->returned = calloc(nb ? nb : 1, sizeof *out->returned);
  out->decls = calloc(nb ? nb : 1, sizeof *out->decls);
  out->inputs = calloc(nb ? nb : 1, sizeof *out->inputs);
  if (!out->bufs || !out->returned || !out->decls || !out->inputs) {
    vyb_data_free(out);
    return vy_error_nomem(err);
  }
  for (uint32_t i = 0; i < nb && st == VY_OK; i++) {
    const vy_buffer_decl *d = vy_program_buffer(p->prog, i);
    if (d->access == VY_ACCESS_WORKGROUP) continue;
    size_t k = out->nbufs++;
    vyb_buf *b = &out->bufs[k];
    out->decls[k] = d;
    out->returned[k] = vy_buffer_is_returned(d);
    if (vy_buffer_is_input(d)) {
      st = fill_input(p, ps, d, b, err);
      if (st == VY_OK) out->inputs[out->ninputs++] = (vy_input){b->data, b->bytes};
    } else { /* backend-allocated: count x element bytes of zeros */
      b->bytes = (size_t)d->count * vy_type_min_bytes(&d->element);
      b->data = aligned_zero(b->bytes);
      if (!b->data) st = vy_error_nomem(err);
    }
  }
  if (st != VY_OK) vyb_data_free(out);
  return st;
}

void vyb_data_free(vyb_data *d) {
  for (size_t i = 0; d->bufs && i < d->nbufs; i++) free(d->bufs[i].data);
  free(d->bufs);
  free(d->returned);
  free(d->decls);
  free(d->inputs);
  memset(d, 0, sizeof *d);
}

/* The bytes of a returned buffer that a dispatch gives back: all of them,
 * or its output byte range when that range is valid (vyre-ir.md §4.2). */
vyb_view vyb_returned_view(const vy_buffer_decl *d, const vyb_buf *b) {
  vyb_view v = {b->data, b->bytes};
  if (d->has_output_range && d->range_start <= d->range_end && d->range_end <= b->bytes) {
    v.data += d->range_start;
    v.len = (size_t)(d->range_end - d->range_start);
  }
  return v;
}

vy_status vyb_work_make(const vyb_data *d, vyb_work *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  out->bufs = calloc(d->nbufs ? d->nbufs : 1, sizeof *out->bufs);
  out->owned = calloc(d->nbufs ? d->nbufs : 1, sizeof *out->owned);
  out->outs = calloc(d->nbufs ? d->nbufs : 1, sizeof *out->outs);
  if (!out->bufs || !out->owned || !out->outs) {
    vyb_work_free(out);
    return vy_error_nomem(err);
  }
  out->nbufs = d->nbufs;
  for (size_t i = 0; i < d->nbufs; i++) {
    if (!d->returned[i]) {
      out->bufs[i] = d->bufs[i];
      continue;
    }
    out->bufs[i].bytes = d->bufs[i].bytes;
    out->bufs[i].data = aligned_zero(d->bufs[i].bytes);
    if (!out->bufs[i].data) {
      vyb_work_free(out);
      return vy_error_nomem(err);
    }
    out->owned[i] = true;
    out->outs[out->nouts++] = vyb_returned_view(d->decls[i], &out->bufs[i]);
  }
  vyb_work_reset(d, out);
  return VY_OK;
}

void vyb_work_reset(const vyb_data *d, vyb_work *w) {
  for (size_t i = 0; i < d->nbufs; i++)
    if (d->returned[i] && d->bufs[i].bytes) memcpy(w->bufs[i].data, d->bufs[i].data, d->bufs[i].bytes);
}

void vyb_work_free(vyb_work *w) {
  for (size_t i = 0; w->owned && i < w->nbufs; i++)
    if (w->owned[i]) free(w->bufs[i].data);
  free(w->bufs);
  free(w->owned);
  free(w->outs);
  memset(w, 0, sizeof *w);
}

vy_status vyb_outset_copy(const vyb_view *items, size_t count, vyb_outset *out, vy_error *err) {
  out->count = 0;
  out->items = calloc(count ? count : 1, sizeof *out->items);
  if (!out->items) return vy_error_nomem(err);
  for (size_t i = 0; i < count; i++) {
    uint8_t *copy = malloc(items[i].len ? items[i].len : 1);
    if (!copy) {
      vyb_outset_free(out);
      return vy_error_nomem(err);
    }
    if (items[i].len) memcpy(copy, items[i].data, items[i].len);
    out->items[out->count++] = (vyb_view){copy, items[i].len};
  }
  return VY_OK;
}

void vyb_outset_free(vyb_outset *o) {
  for (size_t i = 0; o->items && i < o->count; i++) free((void *)o->items[i].data);
  free(o->items);
  memset(o, 0, sizeof *o);
}

void vyb_views_of(const vy_outputs *o, vyb_view *views) {
  for (size_t i = 0; i < o->count; i++) views[i] = (vyb_view){o->items[i].data, o->items[i].len};
}
