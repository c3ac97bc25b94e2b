/* compare.c - is a result the oracle's? Byte for byte, or for f32 buffers
 * with a ULP budget (`# bench: check NAME ulp:N`) element by element. */
#include <stdlib.h>
#include <string.h>

#include "bench_int.h"

static bool is_nan_bits(uint32_t b) { return (b & 0x7F800000u) == 0x7F800000u && (b & 0x007FFFFFu); }

/* Maps f32 bits onto a line where adjacent floats are adjacent integers
 * (+0 and -0 meet at 2^31). */
static uint32_t ordered(uint32_t b) { return b & 0x80000000u ? 0x80000000u - (b & 0x7FFFFFFFu) : b + 0x80000000u; }

uint32_t vyb_ulp_distance(uint32_t a, uint32_t b) {
  if (is_nan_bits(a) || is_nan_bits(b)) return is_nan_bits(a) && is_nan_bits(b) ? 0 : UINT32_MAX;
  uint32_t x = ordered(a), y = ordered(b);
  return x > y ? x - y : y - x;
}

static void format_element(const vy_type *t, const uint8_t *p, size_t len, char *buf, size_t cap) {
  vy_bytes s = {0};
  if (vy_values_format(t, p, len, NULL, &s, NULL) == VY_OK) {
    snprintf(buf, cap, "%s", (const char *)s.data);
    vy_bytes_free(&s);
  } else {
    snprintf(buf, cap, "?");
  }
}

/* Reports element `i` of buffer `d` in both outputs. */
static void mismatch(vyb_diff *out, const vy_buffer_decl *d, const vyb_view *got, const vyb_view *want, size_t off,
                     size_t stride, const char *why) {
  char a[64], b[64];
  size_t la = got->len - off < stride ? got->len - off : stride;
  format_element(&d->element, got->data + off, la, a, sizeof a);
  format_element(&d->element, want->data + off, la, b, sizeof b);
  out->equal = false;
  snprintf(out->detail, sizeof out->detail, "buffer `%.*s` element %zu: got %s, expected %s%s", (int)d->name.len,
           d->name.ptr, off / stride, a, b, why);
}

static void compare_one(const vyb_program *p, const vy_buffer_decl *d, const vyb_view *got, const vyb_view *want,
                        vyb_diff *out) {
  if (got->len != want->len) {
    out->equal = false;
    snprintf(out->detail, sizeof out->detail, "buffer `%.*s`: %zu bytes, expected %zu", (int)d->name.len, d->name.ptr,
             got->len, want->len);
    return;
  }
  size_t stride = vy_type_min_bytes(&d->element);
  if (stride == 0) stride = 1;
  uint32_t budget = vyb_program_ulp(p, d->name.ptr, d->name.len);
  if (budget == 0) {
    for (size_t off = 0; got->len && off < got->len; off += stride) {
      size_t n = got->len - off < stride ? got->len - off : stride;
      if (memcmp(got->data + off, want->data + off, n) != 0) {
        mismatch(out, d, got, want, off, stride, "");
        return;
      }
    }
    return;
  }
  for (size_t off = 0; off + 4 <= got->len; off += 4) {
    uint32_t a, b;
    memcpy(&a, got->data + off, 4);
    memcpy(&b, want->data + off, 4);
    uint32_t dist = vyb_ulp_distance(a, b);
    if (dist > out->max_ulp && dist != UINT32_MAX) out->max_ulp = dist;
    if (dist > budget) {
      char why[64];
      if (dist == UINT32_MAX)
        snprintf(why, sizeof why, " (a NaN against a number)");
      else
        snprintf(why, sizeof why, " (%u ULP apart, budget %u)", dist, budget);
      mismatch(out, d, got, want, off, 4, why);
      return;
    }
  }
}

void vyb_compare(const vyb_program *p, const vyb_view *got, size_t ngot, const vyb_view *want, size_t nwant,
                 vyb_diff *out) {
  memset(out, 0, sizeof *out);
  out->equal = true;
  if (ngot != nwant) {
    out->equal = false;
    snprintf(out->detail, sizeof out->detail, "%zu output buffers, expected %zu", ngot, nwant);
    return;
  }
  size_t k = 0;
  for (uint32_t i = 0; i < vy_program_buffer_count(p->prog) && k < ngot && out->equal; i++) {
    const vy_buffer_decl *d = vy_program_buffer(p->prog, i);
    if (!vy_buffer_is_returned(d)) continue;
    compare_one(p, d, &got[k], &want[k], out);
    k++;
  }
}
