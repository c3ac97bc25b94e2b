/* cpu_artifact.c - packing and loading the cached artifact of an llvm-cpu
 * kernel (layout and contracts in cpu_artifact_int.h). */
#include <string.h>

#include "le_int.h"
#include "blake3_int.h"
#include "cpu_artifact_int.h"
#include "error_int.h"

#define ARTIFACT_MAGIC "vycpuk\0\0"
#define ARTIFACT_FORMAT 1u
#define HEADER_BYTES (8u + 4u + 8u)

/* ---- packing ---- */


vy_status vy_cpu_artifact_pack(const vy_interp_prepared *pp, const vy_cpu_lowered *low, const vy_bytes *obj,
                               const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  out->alloc = alloc;
  uint8_t head[HEADER_BYTES];
  memcpy(head, ARTIFACT_MAGIC, 8);
  vy_le_put32(head + 8, ARTIFACT_FORMAT);
  vy_le_put64(head + 12, low->scratch_bytes);
  uint8_t objlen[8];
  vy_le_put64(objlen, obj->len);
  vy_status st = vy_bytes_append(out, head, sizeof head) ? vy_error_nomem(err) : VY_OK;
  if (st == VY_OK) st = vy_site_table_pack(pp, low->sites, low->nsites, "llvm-cpu", out, err);
  if (st == VY_OK && (vy_bytes_append(out, objlen, 8) || (obj->len && vy_bytes_append(out, obj->data, obj->len))))
    st = vy_error_nomem(err);
  if (st != VY_OK) vy_bytes_free(out);
  return st;
}

/* ---- loading ---- */

static vy_status malformed(vy_error *err, const char *what) {
  return vy_error_set(err, VY_E_COMPILE_FAILED,
                      "llvm-cpu cached artifact is malformed (%s). Fix: clear the kernel cache (vyre-jit cache clear)",
                      what);
}

static void code_free(vy_cpu_code *c) {
  vy_site_table_free(&c->sites);
  vy_mem_free(c->alloc, c, sizeof *c);
}

/* Reads the header and the site table (checked against pp) into c; obj
 * and objlen view the object. */
static vy_status parse(vy_cpu_code *c, const vy_interp_prepared *pp, const uint8_t *d, size_t len,
                       const uint8_t **obj, uint64_t *objlen, vy_error *err) {
  if (len < HEADER_BYTES || memcmp(d, ARTIFACT_MAGIC, 8) != 0) return malformed(err, "header");
  if (vy_le_get32(d + 8) != ARTIFACT_FORMAT) return malformed(err, "format version");
  c->scratch_bytes = vy_le_get64(d + 12);
  if (c->scratch_bytes > SIZE_MAX / 2) return malformed(err, "scratch size");
  size_t used = 0;
  vy_status st = vy_site_table_parse(&c->sites, pp, d + HEADER_BYTES, len - HEADER_BYTES, "llvm-cpu", c->alloc, &used,
                                     err);
  if (st != VY_OK) return st;
  size_t rest = len - HEADER_BYTES - used;
  if (rest < 8) return malformed(err, "lengths");
  *obj = d + HEADER_BYTES + used + 8;
  *objlen = vy_le_get64(*obj - 8);
  if (*objlen != (uint64_t)(d + len - *obj) || !*objlen) return malformed(err, "object length");
  return VY_OK;
}

vy_status vy_cpu_code_load(vy_orc *orc, const vy_interp_prepared *pp, const uint8_t *data, size_t len,
                           const char *entry, const vy_allocator *alloc, vy_cpu_code **out, vy_error *err) {
  *out = NULL;
  vy_cpu_code *c = vy_mem_calloc(alloc, 1, sizeof *c);
  if (!c) return vy_error_nomem(err);
  c->alloc = alloc;
  const uint8_t *obj = NULL;
  uint64_t objlen = 0;
  vy_status st = parse(c, pp, data, len, &obj, &objlen, err);
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
  return vy_site_table_resolve(&c->sites, pp, "llvm-cpu", alloc, out, err);
}

vy_status vy_cpu_host_digest(const vy_interp_prepared *pp, const vy_allocator *alloc, uint8_t out[32],
                             vy_error *err) {
  vy_blake3 h;
  vy_blake3_init(&h);
  const vy_host_registry *r = pp->host;
  uint8_t buf[8];
  vy_le_put64(buf, r ? vy_host_registry_count(r) + 1 : 0);
  vy_blake3_update(&h, buf, 8);
  for (uint32_t i = 0; r && i < vy_host_registry_count(r); i++) {
    const vy_host_signature *sig = vy_host_sig_at(r, i);
    vy_le_put32(buf, sig->nparams);
    vy_le_put32(buf + 4, sig->has_result ? (uint32_t)sig->result + 1 : 0);
    vy_blake3_update(&h, buf, 8);
    for (uint32_t j = 0; j < sig->nparams; j++) {
      vy_le_put32(buf, (uint32_t)sig->params[j]);
      vy_blake3_update(&h, buf, 4);
    }
  }
  vy_prog_walk w;
  vy_status st = vy_prog_walk_run(&w, pp, alloc, err);
  if (st != VY_OK) return st;
  for (size_t i = 0; i < w.exprs.count; i++) {
    const vy_cx *x = w.exprs.items[i];
    if (x->kind != VY_EXPR_CALL) continue;
    vy_le_put32(buf, (uint32_t)i);
    vy_le_put32(buf + 4, x->ref);
    vy_blake3_update(&h, buf, 8);
  }
  vy_prog_walk_free(&w);
  vy_blake3_finalize(&h, out, 32);
  return VY_OK;
}
