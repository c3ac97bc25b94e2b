/* site_table_int.h - error-site tables in index form, shared by the cached
 * artifacts of every compiled backend (llvm-cpu: cpu_artifact.c, cuda:
 * cuda_artifact.c).
 *
 * A lowering's site table (lower_int.h vy_site) points into its prepared
 * program. A cached artifact must serve every prepared program of the same
 * key, so sites are stored as preorder indices of the prepared program's
 * statements and expressions (the walk below), and each kernel resolves
 * them against its own prepared program. Packed block (little-endian; its
 * layout is part of VY_CODEGEN_CONTRACT):
 *
 *   u32 nsites  u32 labels_len
 *   labels (labels_len bytes: NUL-terminated site labels, concatenated, each once)
 *   nsites x { u8 kind, u8 op, u8 ta.k, u8 ta.n, u8 tb.k, u8 tb.n, u16 0,
 *              u32 stmt + 1, u32 expr + 1, u32 aux, u32 label offset + 1 }   (0 = none)
 */
#ifndef VYRE_SITE_TABLE_INT_H
#define VYRE_SITE_TABLE_INT_H

#include "interp_int.h"
#include "lower_int.h"

/* One error site in index form. */
typedef struct vy_csite {
  uint8_t kind, op;
  vy_jt ta, tb;
  uint32_t stmt, x, aux, label; /* +1 encoded: 0 = none */
} vy_csite;

/* A parsed site table (owned arrays, allocated with `alloc`). */
typedef struct vy_site_table {
  const vy_allocator *alloc;
  uint32_t nsites;
  vy_csite *sites;
  char *labels;
  size_t labels_len;
  uint32_t nstmts, nexprs; /* of the prepared program it was parsed against (checked when resolving) */
} vy_site_table;

/* The statements and expressions of a prepared program in preorder. */
typedef struct vy_prog_walk {
  vy_ptrvec stmts, exprs; /* const vy_cn *, const vy_cx * */
} vy_prog_walk;

/* Walks pp->entry. Errors: VY_E_NOMEM (nothing to free then). */
vy_status vy_prog_walk_run(vy_prog_walk *w, const vy_interp_prepared *pp, const vy_allocator *alloc, vy_error *err);
void vy_prog_walk_free(vy_prog_walk *w);

/* Appends the packed block of `sites` (pointing into `pp`) to *out (whose
 * alloc is used). Errors: VY_E_NOMEM, VY_E_INTERNAL (a site that points
 * outside pp, labels over 4 GiB; `backend` names the bug's owner). */
vy_status vy_site_table_pack(const vy_interp_prepared *pp, const vy_site *sites, uint32_t nsites, const char *backend,
                             vy_bytes *out, vy_error *err);

/* Parses a packed block at the start of d[0..len) into *t (zeroed first,
 * arrays allocated with `alloc`), checking every index against `pp`;
 * *used gets the block's length. Errors: VY_E_COMPILE_FAILED "<backend>
 * cached artifact is malformed (site table)", VY_E_NOMEM. On error *t
 * holds what to free with vy_site_table_free. */
vy_status vy_site_table_parse(vy_site_table *t, const vy_interp_prepared *pp, const uint8_t *d, size_t len,
                              const char *backend, const vy_allocator *alloc, size_t *used, vy_error *err);

/* The table resolved against `pp` (a prepared program of the same key):
 * *out gets t->nsites entries allocated with `alloc` (NULL when there are
 * none; free with vy_mem_free(alloc, *out, nsites * sizeof **out)).
 * Errors: VY_E_NOMEM, VY_E_INTERNAL (pp's shape differs). */
vy_status vy_site_table_resolve(const vy_site_table *t, const vy_interp_prepared *pp, const char *backend,
                                const vy_allocator *alloc, vy_site **out, vy_error *err);

/* Frees the arrays and zeroes *t. */
void vy_site_table_free(vy_site_table *t);

#endif
