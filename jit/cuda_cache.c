/* cuda_cache.c - cache keys and cached artifacts of the cuda backend
 * (cuda_cache_int.h). */
#include <stdio.h>
#include <string.h>

#include "le_int.h"
#include "cuda_cache_int.h"
#include "error_int.h"
#include "vyre/version.h"

#define ARTIFACT_MAGIC "vycudak\0"
#define ARTIFACT_FORMAT 1u
#define HEADER_BYTES (8u + 4u + 4u + 8u)


vy_status vy_cuda_cache_base(const vy_cuda_device *d, const char *sm, unsigned ptx_isa, vy_ckey_base *out,
                             vy_error *err) {
  unsigned major, minor, patch;
  vy_jit_llvm_version(&major, &minor, &patch);
  char llvm[48], isa[16], driver[16];
  snprintf(llvm, sizeof llvm, "%u.%u.%u", major, minor, patch);
  snprintf(isa, sizeof isa, "%u.%u", ptx_isa / 10, ptx_isa % 10);
  snprintf(driver, sizeof driver, "%d", d->driver_version);
  const char *id = vy_jit_cache_code_identity();
  vy_ckey_target t = {.backend_id = "cuda",
                      .backend_version = VY_VERSION_STRING,
                      .llvm_version = llvm,
                      .triple = "nvptx64-nvidia-cuda",
                      .gpu_sm = sm,
                      .ptx_isa = isa,
                      .driver_version = driver,
                      .code_identity = id[0] ? id : NULL};
  return vy_ckey_base_init(out, &t, err);
}

/* Appends u64 length + bytes. */
static int put_blob(vy_bytes *out, const vy_bytes *b) {
  uint8_t len[8];
  vy_le_put64(len, b->len);
  return vy_bytes_append(out, len, 8) || (b->len && vy_bytes_append(out, b->data, b->len));
}

vy_status vy_cuda_artifact_pack(const vy_interp_prepared *pp, const vy_ptx_lowered *low, const vy_bytes *ptx,
                                const vy_bytes *cubin, const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  out->alloc = alloc;
  uint8_t head[HEADER_BYTES];
  memcpy(head, ARTIFACT_MAGIC, 8);
  vy_le_put32(head + 8, ARTIFACT_FORMAT);
  vy_le_put32(head + 12, low->block_threads);
  vy_le_put64(head + 16, low->shared_bytes);
  vy_status st = vy_bytes_append(out, head, sizeof head) ? vy_error_nomem(err) : VY_OK;
  if (st == VY_OK) st = vy_site_table_pack(pp, low->sites, low->nsites, "cuda", out, err);
  if (st == VY_OK && (put_blob(out, ptx) || put_blob(out, cubin))) st = vy_error_nomem(err);
  if (st != VY_OK) vy_bytes_free(out);
  return st;
}

static vy_status malformed(vy_error *err, const char *what) {
  return vy_error_set(err, VY_E_COMPILE_FAILED,
                      "cuda cached artifact is malformed (%s). Fix: clear the kernel cache (vyre-jit cache clear)",
                      what);
}

/* A u64-length-prefixed blob at *p (advanced past it) within end. */
static bool get_blob(const uint8_t **p, const uint8_t *end, const uint8_t **data, uint64_t *len) {
  if (end - *p < 8) return false;
  *len = vy_le_get64(*p);
  *p += 8;
  if (*len > (uint64_t)(end - *p)) return false;
  *data = *p;
  *p += *len;
  return true;
}

static void code_free(vy_cuda_code *c) {
  vy_site_table_free(&c->sites);
  vy_mem_free(c->alloc, c, sizeof *c);
}

vy_status vy_cuda_code_load(const vy_cuda_device *d, const vy_interp_prepared *pp, const uint8_t *data, size_t len,
                            const vy_allocator *alloc, vy_cuda_code **out, vy_error *err) {
  *out = NULL;
  if (len < HEADER_BYTES || memcmp(data, ARTIFACT_MAGIC, 8) != 0) return malformed(err, "header");
  if (vy_le_get32(data + 8) != ARTIFACT_FORMAT) return malformed(err, "format version");
  vy_cuda_code *c = vy_mem_calloc(alloc, 1, sizeof *c);
  if (!c) return vy_error_nomem(err);
  c->alloc = alloc;
  c->block_threads = vy_le_get32(data + 12);
  c->shared_bytes = vy_le_get64(data + 16);
  size_t used = 0;
  vy_status st = vy_site_table_parse(&c->sites, pp, data + HEADER_BYTES, len - HEADER_BYTES, "cuda", alloc, &used, err);
  const uint8_t *p = data + HEADER_BYTES + used, *end = data + len, *ptx = NULL, *cubin = NULL;
  uint64_t nptx = 0, ncubin = 0;
  if (st == VY_OK && (!get_blob(&p, end, &ptx, &nptx) || !get_blob(&p, end, &cubin, &ncubin) || p != end || !ncubin))
    st = malformed(err, "lengths");
  if (st == VY_OK && (!c->block_threads || c->block_threads > 1024)) st = malformed(err, "block size");
  if (st == VY_OK) {
    /* the driver reads the cubin's own ELF header for its size; copy it to
     * an aligned buffer (the payload's offset is arbitrary) */
    void *image = vy_mem_alloc(alloc, (size_t)ncubin);
    if (!image) st = vy_error_nomem(err);
    if (image) {
      memcpy(image, cubin, (size_t)ncubin);
      st = vy_cuda_module_load(d, image, VY_PTX_ENTRY, alloc, &c->mod, err);
      vy_mem_free(alloc, image, (size_t)ncubin);
    }
  }
  if (st != VY_OK) {
    code_free(c);
    return st;
  }
  *out = c;
  return VY_OK;
}

void vy_cuda_code_destroy(void *code, void *ctx) {
  (void)ctx;
  vy_cuda_code *c = code;
  if (!c) return;
  vy_cuda_module_destroy(c->mod, NULL);
  code_free(c);
}
