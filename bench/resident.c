/* resident.c - a suite program's buffers as resident buffers of one
 * backend, for the `<backend>-res` rows: the kernel works on them in place
 * (on llvm-cpu host memory, no copies), as the native baselines do on
 * theirs, and the results are downloaded for the checks. */
#include <stdlib.h>
#include <string.h>

#include "bench_int.h"
#include "error_int.h"

vy_status vyb_resident_make(vy_backend *be, const vyb_data *d, vyb_resident_set *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  if (!vy_backend_residentable(be))
    return vy_error_set(err, VY_E_UNSUPPORTED, "backend %s has no resident buffers. Fix: time it by dispatch only",
                        vy_backend_id(be));
  out->bufs = calloc(d->nbufs ? d->nbufs : 1, sizeof *out->bufs);
  if (!out->bufs) return vy_error_nomem(err);
  vy_status st = VY_OK;
  for (size_t i = 0; i < d->nbufs && st == VY_OK; i++) {
    st = vy_resident_alloc(be, d->bufs[i].bytes, &out->bufs[i], err);
    if (st == VY_OK) out->nbufs++;
    if (st == VY_OK) st = vy_resident_upload(out->bufs[i], 0, d->bufs[i].data, d->bufs[i].bytes, err);
  }
  if (st != VY_OK) vyb_resident_free(out);
  return st;
}

vy_status vyb_resident_reset(const vyb_data *d, vyb_resident_set *s, vy_error *err) {
  vy_status st = VY_OK;
  for (size_t i = 0; i < d->nbufs && i < s->nbufs && st == VY_OK; i++)
    if (d->returned[i]) st = vy_resident_upload(s->bufs[i], 0, d->bufs[i].data, d->bufs[i].bytes, err);
  return st;
}

vy_status vyb_resident_outputs(const vyb_data *d, const vyb_resident_set *s, vyb_outset *out, vy_error *err) {
  memset(out, 0, sizeof *out);
  out->items = calloc(d->nbufs ? d->nbufs : 1, sizeof *out->items);
  if (!out->items) return vy_error_nomem(err);
  vy_status st = VY_OK;
  for (size_t i = 0; i < d->nbufs && i < s->nbufs && st == VY_OK; i++) {
    if (!d->returned[i]) continue;
    vyb_view range = vyb_returned_view(d->decls[i], &d->bufs[i]); /* same offsets in the resident copy */
    uint8_t *copy = malloc(range.len ? range.len : 1);
    if (!copy) {
      st = vy_error_nomem(err);
      break;
    }
    out->items[out->count++] = (vyb_view){copy, range.len};
    st =
        vy_resident_download(s->bufs[i], (size_t)(range.data - (const uint8_t *)d->bufs[i].data), range.len, copy, err);
  }
  if (st != VY_OK) vyb_outset_free(out);
  return st;
}

void vyb_resident_free(vyb_resident_set *s) {
  for (size_t i = 0; s->bufs && i < s->nbufs; i++) vy_resident_free(s->bufs[i]);
  free(s->bufs);
  memset(s, 0, sizeof *s);
}
