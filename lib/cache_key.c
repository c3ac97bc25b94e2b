/* cache_key.c - the kernel cache key: BLAKE3 over a versioned record.
 *
 * The record (schema VY_CKEY_SCHEMA = 1; docs/cache.md repeats it). All
 * integers little-endian. A "field" is  u8 id, u8 present (0 or 1) and, when
 * present, u64 length and that many bytes; strings are their UTF-8 bytes
 * without NUL; NULL strings are absent (distinct from ""):
 *
 *   "vyre-jit kernel key"          19 bytes of magic
 *   u32 schema                     VY_CKEY_SCHEMA
 *   field 0x01 backend id          ---- target part, hashed once per backend
 *   field 0x02 backend version
 *   field 0x03 vyre-jit version    VY_VERSION_STRING
 *   field 0x04 lowering contract   u32 VY_CODEGEN_CONTRACT (4 bytes)
 *   field 0x05 LLVM version
 *   field 0x06 target triple
 *   field 0x07 CPU name
 *   field 0x08 CPU feature string
 *   field 0x09 GPU SM
 *   field 0x0a PTX ISA version
 *   field 0x0b GPU driver version
 *   field 0x0c code identity       build id of the compiling library
 *   field 0x10 program fingerprint ---- per-program part: 32 bytes
 *   field 0x11 optimization level  u32 (4 bytes)
 *   list  0x12 options             sorted by name (bytewise, shorter first on a tie)
 *   list  0x13 specialization      same
 *
 * A "list" is u8 id, u32 count, then per item: u64 name length, name, u8
 * kind ('u', 's' or 'b') and the value: 'u' 8 bytes; 's' and 'b' u64 length
 * and bytes. Lengths before every variable part make the encoding
 * unambiguous (no two records concatenate to the same bytes). */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <link.h>
#include <stdio.h>
#include <string.h>

#include "cache_int.h"
#include "error_int.h"
#include "vyre/version.h"

static const char key_magic[] = "vyre-jit kernel key";

static void put_u32(vy_blake3 *h, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  vy_blake3_update(h, b, sizeof b);
}

static void put_u64(vy_blake3 *h, uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
  vy_blake3_update(h, b, sizeof b);
}

static void put_field(vy_blake3 *h, uint8_t id, const void *data, size_t len, bool present) {
  uint8_t head[2] = {id, present};
  vy_blake3_update(h, head, sizeof head);
  if (!present) return;
  put_u64(h, len);
  vy_blake3_update(h, data, len);
}

static void put_str(vy_blake3 *h, uint8_t id, const char *s) { put_field(h, id, s, s ? strlen(s) : 0, s != NULL); }

static void label_add(char *label, size_t cap, const char *prefix, const char *s) {
  if (!s || !s[0]) return;
  size_t used = strlen(label);
  if (used + 1 < cap) snprintf(label + used, cap - used, "%s%s%s", used ? " " : "", prefix, s);
}

vy_status vy_ckey_base_init(vy_ckey_base *base, const vy_ckey_target *t, vy_error *err) {
  if (!base || !t || !t->backend_id || !t->backend_id[0] || !t->backend_version)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "a cache key target needs a backend id and version. Fix: fill vy_ckey_target.backend_id "
                        "and backend_version.");
  vy_blake3 *h = &base->prefix;
  vy_blake3_init(h);
  vy_blake3_update(h, key_magic, sizeof key_magic - 1);
  put_u32(h, VY_CKEY_SCHEMA);
  put_str(h, 0x01, t->backend_id);
  put_str(h, 0x02, t->backend_version);
  put_str(h, 0x03, VY_VERSION_STRING);
  uint8_t contract[4] = {(uint8_t)VY_CODEGEN_CONTRACT, (uint8_t)(VY_CODEGEN_CONTRACT >> 8),
                         (uint8_t)(VY_CODEGEN_CONTRACT >> 16), (uint8_t)(VY_CODEGEN_CONTRACT >> 24)};
  put_field(h, 0x04, contract, sizeof contract, true);
  put_str(h, 0x05, t->llvm_version);
  put_str(h, 0x06, t->triple);
  put_str(h, 0x07, t->cpu);
  put_str(h, 0x08, t->features);
  put_str(h, 0x09, t->gpu_sm);
  put_str(h, 0x0a, t->ptx_isa);
  put_str(h, 0x0b, t->driver_version);
  put_str(h, 0x0c, t->code_identity);

  base->label[0] = 0;
  label_add(base->label, sizeof base->label, "", t->backend_id);
  label_add(base->label, sizeof base->label, "", t->backend_version);
  label_add(base->label, sizeof base->label, "llvm ", t->llvm_version);
  label_add(base->label, sizeof base->label, "", t->triple);
  label_add(base->label, sizeof base->label, "", t->cpu);
  label_add(base->label, sizeof base->label, "", t->gpu_sm);
  label_add(base->label, sizeof base->label, "ptx ", t->ptx_isa);
  label_add(base->label, sizeof base->label, "driver ", t->driver_version);
  return VY_OK;
}

/* ---- build id of a loaded object ---- */

typedef struct identity_search {
  uintptr_t addr;
  char *out;
  size_t cap;
  bool found;
} identity_search;

/* The GNU build-id note in PT_NOTE segment `ph` of object `info`, as hex. */
static bool note_build_id(const struct dl_phdr_info *info, const ElfW(Phdr) * ph, identity_search *s) {
  const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
  const uint8_t *end = p + ph->p_memsz;
  while (end - p >= (ptrdiff_t)sizeof(ElfW(Nhdr))) {
    const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(const void *)p;
    size_t name_len = (n->n_namesz + 3u) & ~(size_t)3, desc_len = (n->n_descsz + 3u) & ~(size_t)3;
    const uint8_t *name = p + sizeof *n, *desc = name + name_len;
    if (name_len > (size_t)(end - name) || desc_len > (size_t)(end - desc)) return false;
    if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 && n->n_descsz > 0 &&
        2 * (size_t)n->n_descsz < s->cap) {
      for (size_t i = 0; i < n->n_descsz; i++) snprintf(s->out + 2 * i, 3, "%02x", desc[i]);
      return true;
    }
    p = desc + desc_len;
  }
  return false;
}

static int find_identity(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  identity_search *s = data;
  bool contains = false;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum && !contains; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
    contains = ph->p_type == PT_LOAD && s->addr >= lo && s->addr - lo < ph->p_memsz;
  }
  if (!contains) return 0;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum && !s->found; i++)
    if (info->dlpi_phdr[i].p_type == PT_NOTE) s->found = note_build_id(info, &info->dlpi_phdr[i], s);
  return 1; /* the containing object was found: stop either way */
}

bool vy_ckey_code_identity(const void *addr, char *out, size_t cap) {
  if (!out || cap == 0) return false;
  out[0] = 0;
  identity_search s = {.addr = (uintptr_t)addr, .out = out, .cap = cap};
  dl_iterate_phdr(find_identity, &s);
  if (!s.found) out[0] = 0;
  return s.found;
}

/* ---- the per-program part ---- */

void vy_ckey_begin(vy_ckey_builder *kb, const vy_ckey_base *base, const uint8_t fp[32], uint32_t opt_level) {
  memset(kb, 0, offsetof(vy_ckey_builder, opts)); /* the item arrays are filled as they are used */
  kb->base = base;
  if (fp) memcpy(kb->fingerprint, fp, 32);
  kb->opt_level = opt_level;
  kb->nopts = kb->nspec = 0;
  kb->st = VY_OK;
  kb->what = NULL;
  if (!base || !fp) {
    kb->st = VY_E_INVALID_ARGUMENT;
    kb->what = "vy_ckey_begin needs a key base and a program fingerprint";
  }
}

static void add_item(vy_ckey_builder *kb, bool spec, const char *name, uint8_t kind, const void *data, size_t len,
                     uint64_t num) {
  if (kb->st) return;
  uint32_t *n = spec ? &kb->nspec : &kb->nopts;
  if (!name || !name[0]) {
    kb->st = VY_E_INVALID_ARGUMENT;
    kb->what = "a cache key option needs a non-empty name";
    return;
  }
  if (*n == VY_CKEY_MAX_ITEMS) {
    kb->st = VY_E_INVALID_ARGUMENT;
    kb->what = "a cache key takes at most 32 options and 32 specialization values";
    return;
  }
  if (!data) len = 0;
  (spec ? kb->spec : kb->opts)[(*n)++] =
      (vy_ckey_item){.name = name, .data = data, .len = len, .num = num, .kind = kind};
}

void vy_ckey_opt_u64(vy_ckey_builder *kb, const char *name, uint64_t value) {
  add_item(kb, false, name, 'u', NULL, 0, value);
}
void vy_ckey_opt_str(vy_ckey_builder *kb, const char *name, const char *value) {
  add_item(kb, false, name, 's', value ? value : "", value ? strlen(value) : 0, 0);
}
void vy_ckey_opt_bytes(vy_ckey_builder *kb, const char *name, const void *data, size_t len) {
  add_item(kb, false, name, 'b', data, len, 0);
}
void vy_ckey_spec_u64(vy_ckey_builder *kb, const char *name, uint64_t value) {
  add_item(kb, true, name, 'u', NULL, 0, value);
}
void vy_ckey_spec_bytes(vy_ckey_builder *kb, const char *name, const void *data, size_t len) {
  add_item(kb, true, name, 'b', data, len, 0);
}

static int name_cmp(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  int c = memcmp(a, b, la < lb ? la : lb);
  return c ? c : (la > lb) - (la < lb);
}

/* Hashes list `id` in name order; false when a name repeats. */
static bool put_list(vy_blake3 *h, uint8_t id, const vy_ckey_item *items, uint32_t n) {
  const vy_ckey_item *sorted[VY_CKEY_MAX_ITEMS];
  for (uint32_t i = 0; i < n; i++) { /* insertion sort: n <= 32 */
    uint32_t j = i;
    while (j > 0 && name_cmp(sorted[j - 1]->name, items[i].name) > 0) {
      sorted[j] = sorted[j - 1];
      j--;
    }
    sorted[j] = &items[i];
  }
  for (uint32_t i = 1; i < n; i++)
    if (name_cmp(sorted[i - 1]->name, sorted[i]->name) == 0) return false;
  vy_blake3_update(h, &id, 1);
  put_u32(h, n);
  for (uint32_t i = 0; i < n; i++) {
    const vy_ckey_item *it = sorted[i];
    size_t name_len = strlen(it->name);
    put_u64(h, name_len);
    vy_blake3_update(h, it->name, name_len);
    vy_blake3_update(h, &it->kind, 1);
    if (it->kind == 'u') {
      put_u64(h, it->num);
    } else {
      put_u64(h, it->len);
      vy_blake3_update(h, it->data, it->len);
    }
  }
  return true;
}

vy_status vy_ckey_finish(const vy_ckey_builder *kb, vy_ckey *out, vy_error *err) {
  if (!kb || !out)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_ckey_finish needs a builder and an output. Fix: pass both.");
  if (kb->st) return vy_error_set(err, kb->st, "%s. Fix: correct the backend's cache key construction.", kb->what);
  if (kb->opt_level > 3)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT, "cache key optimization level %u is not 0-3. Fix: pass 0-3.",
                        kb->opt_level);
  vy_blake3 h = kb->base->prefix; /* continue the target part */
  put_field(&h, 0x10, kb->fingerprint, 32, true);
  uint8_t opt[4] = {(uint8_t)kb->opt_level, 0, 0, 0};
  put_field(&h, 0x11, opt, sizeof opt, true);
  if (!put_list(&h, 0x12, kb->opts, kb->nopts) || !put_list(&h, 0x13, kb->spec, kb->nspec))
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "a cache key option or specialization name was given twice. Fix: add each name once.");
  vy_blake3_finalize(&h, out->b, sizeof out->b);
  return VY_OK;
}

void vy_ckey_hex(const vy_ckey *k, char out[65]) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    out[2 * i] = digits[k->b[i] >> 4];
    out[2 * i + 1] = digits[k->b[i] & 15];
  }
  out[64] = 0;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool vy_ckey_from_hex(const char *s, vy_ckey *out) {
  if (!s) return false;
  for (int i = 0; i < 32; i++) {
    int hi = hex_digit(s[2 * i]), lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->b[i] = (uint8_t)(hi << 4 | lo);
  }
  return s[64] == 0;
}
