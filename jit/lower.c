/* lower.c - the target-neutral lowering core: the expressions and
 * statements of one invocation as LLVM IR, with the reference's evaluation
 * order, bounds rules and runtime errors (vyre-ir.md §2-§4; the
 * interpreter's interp_exec.c is the oracle for order and messages). The
 * flavour (lower_cpu.c) decides where invocations, buffers and variables
 * live through the hooks of lower_int.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error_int.h"
#include "lower_int.h"
#include "program_int.h"

static const vy_jv never = {{VY_JK_NEVER, 0}, NULL};
static vy_jv jv(vy_jk k, LLVMValueRef v) { return (vy_jv){{(uint8_t)k, 0}, v}; }
static LLVMValueRef c32(vy_lw *w, uint32_t x) { return LLVMConstInt(w->t_i32, x, 0); }

/* ---- pointer map ---- */

static uint32_t ptr_hash(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return (uint32_t)x;
}

void *vy_pmap_get(const vy_pmap *m, const void *key) {
  if (!m->cap) return NULL;
  for (uint32_t h = ptr_hash(key) & (m->cap - 1);; h = (h + 1) & (m->cap - 1)) {
    if (m->keys[h] == key) return m->vals[h];
    if (!m->keys[h]) return NULL;
  }
}

bool vy_pmap_put(vy_lw *w, vy_pmap *m, const void *key, void *val) {
  if ((m->count + 1) * 2 > m->cap) {
    uint32_t ncap = m->cap ? m->cap * 2 : 64;
    const void **keys = vy_arena_array(&w->arena, ncap, sizeof *keys);
    void **vals = vy_arena_array(&w->arena, ncap, sizeof *vals);
    if (!keys || !vals) return vy_lw_nomem(w);
    for (uint32_t i = 0; i < m->cap; i++) {
      if (!m->keys[i]) continue;
      uint32_t h = ptr_hash(m->keys[i]) & (ncap - 1);
      while (keys[h]) h = (h + 1) & (ncap - 1);
      keys[h] = m->keys[i];
      vals[h] = m->vals[i];
    }
    m->keys = keys;
    m->vals = vals;
    m->cap = ncap;
  }
  uint32_t h = ptr_hash(key) & (m->cap - 1);
  while (m->keys[h] && m->keys[h] != key) h = (h + 1) & (m->cap - 1);
  if (!m->keys[h]) m->count++;
  m->keys[h] = key;
  m->vals[h] = val;
  return true;
}

/* ---- state ---- */

void vy_lw_init(vy_lw *w, LLVMContextRef c, LLVMModuleRef m, const vy_interp_prepared *pp, const vy_lw_hooks *hk,
                void *fl, const vy_allocator *alloc, vy_error *err) {
  memset(w, 0, sizeof *w);
  w->c = c;
  w->m = m;
  w->b = LLVMCreateBuilderInContext(c);
  w->t_i1 = LLVMInt1TypeInContext(c);
  w->t_i8 = LLVMInt8TypeInContext(c);
  w->t_i32 = LLVMInt32TypeInContext(c);
  w->t_i64 = LLVMInt64TypeInContext(c);
  w->t_i128 = LLVMInt128TypeInContext(c);
  w->t_f32 = LLVMFloatTypeInContext(c);
  w->t_f64 = LLVMDoubleTypeInContext(c);
  w->t_ptr = LLVMPointerTypeInContext(c, 0);
  w->t_void = LLVMVoidTypeInContext(c);
  w->pp = pp;
  w->p = pp->program;
  vy_program_workgroup_size(w->p, w->wg);
  w->hk = hk;
  w->fl = fl;
  w->alloc = alloc;
  w->err = err;
  vy_arena_init(&w->arena, alloc);
  w->live = pp->nslots ? vy_arena_array(&w->arena, pp->nslots, sizeof *w->live) : NULL;
  w->sites = vy_arena_array(&w->arena, w->capsites = 64, sizeof *w->sites);
  w->nsites = 1; /* site 0 means "no site" */
  if ((pp->nslots && !w->live) || !w->sites) vy_lw_nomem(w);
}

void vy_lw_free(vy_lw *w) {
  if (w->b) LLVMDisposeBuilder(w->b);
  w->b = NULL;
  vy_mem_free(w->alloc, w->bound, w->capbound * sizeof *w->bound);
  vy_mem_free(w->alloc, w->marks, w->capmarks * sizeof *w->marks);
  w->bound = w->marks = NULL;
  vy_arena_free_all(&w->arena);
}

bool vy_lw_nomem(vy_lw *w) {
  if (w->st == VY_OK) w->st = vy_error_nomem(w->err);
  return false;
}

bool vy_lw_unsupported(vy_lw *w, const vy_cn *n, const char *fmt, ...) {
  if (w->st != VY_OK) return false;
  char what[600], path[200] = "";
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (n) vy_interp_node_path(n, path, sizeof path);
  w->st =
      vy_error_set(w->err, VY_E_UNSUPPORTED,
                   "backend `llvm-cpu` cannot compile the program%s%s: it does not support %s. Fix: run the program "
                   "on the reference backend, or rewrite that part",
                   path[0] ? " at " : "", path, what);
  return false;
}

uint32_t vy_lw_site(vy_lw *w, vy_site_kind kind, const vy_cx *x) {
  if (w->st != VY_OK) return 0;
  if (w->nsites == w->capsites) {
    vy_site *s = vy_arena_array(&w->arena, (size_t)w->capsites * 2, sizeof *s);
    if (!s) return vy_lw_nomem(w), 0;
    memcpy(s, w->sites, w->nsites * sizeof *s);
    w->sites = s;
    w->capsites *= 2;
  }
  vy_site *s = &w->sites[w->nsites];
  memset(s, 0, sizeof *s);
  s->kind = (uint8_t)kind;
  s->stmt = w->cur;
  s->x = x;
  return w->nsites++;
}

LLVMTypeRef vy_lw_type(vy_lw *w, vy_jt t) {
  switch ((vy_jk)t.k) {
  case VY_JK_U32:
  case VY_JK_I32:
    return w->t_i32;
  case VY_JK_U64:
    return w->t_i64;
  case VY_JK_BOOL:
    return w->t_i1;
  case VY_JK_F32:
    return w->t_f32;
  case VY_JK_BYTES:
    return t.n ? LLVMIntTypeInContext(w->c, 8u * t.n) : w->t_i8;
  case VY_JK_NEVER:
    break;
  }
  return w->t_i8;
}

uint32_t vy_lw_type_size(vy_jt t) {
  switch ((vy_jk)t.k) {
  case VY_JK_U32:
  case VY_JK_I32:
  case VY_JK_F32:
    return 4;
  case VY_JK_U64:
    return 8;
  case VY_JK_BOOL: /* 4 bytes in memory: see vy_lw_mem_type */
    return 4;
  case VY_JK_BYTES:
    return 16;
  case VY_JK_NEVER:
    break;
  }
  return 0;
}

LLVMTypeRef vy_lw_mem_type(vy_lw *w, vy_jt t) {
  /* i32, not i8: LLVM 19's x86 backend widens an 8-lane i8 compare to 16
   * bytes and keeps the upper 8 mask bits set in the masked byte store it
   * feeds, so a vectorized region wrote the flags of the next 8 invocations
   * (diffgen plain seed 51234: invocations skipped as returned) */
  if (t.k == VY_JK_BOOL) return w->t_i32;
  if (t.k == VY_JK_BYTES) return w->t_i128;
  return vy_lw_type(w, t);
}

const char *vy_jt_name(vy_jt t) {
  static const char *const names[] = {"never", "u32", "i32", "u64", "bool", "f32", "bytes"};
  return t.k <= VY_JK_BYTES ? names[t.k] : "?";
}

LLVMBasicBlockRef vy_lw_block(vy_lw *w, const char *name) { return LLVMAppendBasicBlockInContext(w->c, w->fn, name); }

void vy_lw_dead(vy_lw *w) { LLVMPositionBuilderAtEnd(w->b, vy_lw_block(w, "dead")); }

LLVMValueRef vy_lw_intrinsic(vy_lw *w, const char *name, LLVMTypeRef *types, unsigned ntypes, LLVMValueRef *args,
                             unsigned nargs) {
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  LLVMValueRef f = LLVMGetIntrinsicDeclaration(w->m, id, types, ntypes);
  LLVMTypeRef ft = LLVMIntrinsicGetType(w->c, id, types, ntypes);
  return LLVMBuildCall2(w->b, ft, f, args, nargs, "");
}

void vy_lw_operand_words(vy_lw *w, vy_jv v, LLVMValueRef out[2]) {
  out[0] = out[1] = LLVMConstInt(w->t_i64, 0, 0);
  if (!v.v) return;
  LLVMBuilderRef B = w->b;
  switch ((vy_jk)v.t.k) {
  case VY_JK_U32:
  case VY_JK_I32:
  case VY_JK_BOOL:
    out[0] = LLVMBuildZExt(B, v.v, w->t_i64, "");
    break;
  case VY_JK_U64:
    out[0] = v.v;
    break;
  case VY_JK_F32:
    out[0] = LLVMBuildZExt(B, LLVMBuildBitCast(B, v.v, w->t_i32, ""), w->t_i64, "");
    break;
  case VY_JK_BYTES: {
    LLVMValueRef x = vy_lw_resize(w, v.v, v.t.n, 16);
    out[0] = LLVMBuildTrunc(B, x, w->t_i64, "");
    out[1] = LLVMBuildTrunc(B, LLVMBuildLShr(B, x, LLVMConstInt(w->t_i128, 64, 0), ""), w->t_i64, "");
    break;
  }
  case VY_JK_NEVER:
    break;
  }
}

void vy_lw_raise(vy_lw *w, uint32_t site, bool has_inv, vy_jv a, vy_jv b) {
  if (!site) return;
  w->hk->raise(w, site, has_inv, a, b);
  vy_lw_dead(w);
}

void vy_lw_check(vy_lw *w, LLVMValueRef bad, uint32_t site, vy_jv a, vy_jv b) {
  if (!bad || !site) return;
  if (LLVMIsConstant(bad)) {
    if (LLVMConstIntGetZExtValue(bad)) vy_lw_raise(w, site, true, a, b);
    return;
  }
  LLVMBasicBlockRef fail = vy_lw_block(w, "fail"), cont = vy_lw_block(w, "ok");
  LLVMValueRef br = LLVMBuildCondBr(w->b, bad, fail, cont);
  /* errors are cold: weight the branch so the fast path stays straight */
  LLVMMetadataRef ws[3] = {LLVMMDStringInContext2(w->c, "branch_weights", 14), LLVMValueAsMetadata(c32(w, 1)),
                           LLVMValueAsMetadata(c32(w, 1u << 20))};
  LLVMSetMetadata(br, LLVMGetMDKindIDInContext(w->c, "prof", 4),
                  LLVMMetadataAsValue(w->c, LLVMMDNodeInContext2(w->c, ws, 3)));
  LLVMPositionBuilderAtEnd(w->b, fail);
  w->hk->raise(w, site, true, a, b);
  LLVMPositionBuilderAtEnd(w->b, cont);
}

/* ---- scopes and bindings ---- */

static bool grow(vy_lw *w, uint32_t **arr, uint32_t *cap, uint32_t n) {
  if (n < *cap) return true;
  uint32_t ncap = *cap ? *cap * 2 : 32;
  uint32_t *a = vy_mem_realloc(w->alloc, *arr, *cap * sizeof **arr, ncap * sizeof **arr);
  if (!a) return vy_lw_nomem(w);
  *arr = a;
  *cap = ncap;
  return true;
}

void vy_lw_scope_push(vy_lw *w) {
  if (grow(w, &w->marks, &w->capmarks, w->nmarks)) w->marks[w->nmarks++] = w->nbound;
}

void vy_lw_scope_pop(vy_lw *w) {
  if (!w->nmarks) return;
  uint32_t mark = w->marks[--w->nmarks];
  while (w->nbound > mark) w->live[w->bound[--w->nbound]] = NULL;
}

static LLVMValueRef entry_alloca(vy_lw *w, LLVMTypeRef t) {
  LLVMBuilderRef eb = LLVMCreateBuilderInContext(w->c);
  LLVMValueRef first = LLVMGetFirstInstruction(w->entry);
  if (first)
    LLVMPositionBuilderBefore(eb, first);
  else
    LLVMPositionBuilderAtEnd(eb, w->entry);
  LLVMValueRef a = LLVMBuildAlloca(eb, t, "var");
  LLVMDisposeBuilder(eb);
  return a;
}

vy_jbind *vy_lw_bind(vy_lw *w, const vy_cn *n, uint32_t slot, vy_jt t, vy_home home, bool immutable) {
  if (w->live[slot]) { /* state.rs bind: shadowing is a runtime error */
    uint32_t site = vy_lw_site(w, VY_SITE_DUP_BINDING, NULL);
    if (site) w->sites[site].aux = slot;
    vy_lw_raise(w, site, true, never, never);
  }
  vy_jbind *bd = vy_arena_alloc(&w->arena, sizeof *bd);
  if (!bd || !grow(w, &w->bound, &w->capbound, w->nbound)) return vy_lw_nomem(w), NULL;
  bd->node = n;
  bd->t = t;
  bd->home = (uint8_t)home;
  bd->immutable = immutable;
  bd->id = -1;
  bd->def = NULL;
  if (t.k != VY_JK_NEVER && home == VY_HOME_LOCAL) bd->val = entry_alloca(w, vy_lw_mem_type(w, t));
  if (t.k != VY_JK_NEVER && home == VY_HOME_UMEM) { /* one alloca per Let node (vy_lw.umem) */
    LLVMTypeRef mt = vy_lw_mem_type(w, t);
    bd->val = vy_pmap_get(&w->umem, n);
    if (!bd->val || LLVMGetAllocatedType(bd->val) != mt) {
      bd->val = entry_alloca(w, mt);
      if (!vy_pmap_put(w, &w->umem, n, bd->val)) return vy_lw_nomem(w), NULL;
    }
  }
  if (t.k != VY_JK_NEVER && home == VY_HOME_CTX) w->hk->ctx_new(w, bd);
  w->live[slot] = bd;
  w->bound[w->nbound++] = slot;
  return bd;
}

static LLVMValueRef to_mem(vy_lw *w, vy_jt t, LLVMValueRef v) {
  if (t.k == VY_JK_BOOL) return LLVMBuildZExt(w->b, v, w->t_i32, "");
  if (t.k == VY_JK_BYTES) return vy_lw_resize(w, v, t.n, 16);
  return v;
}

static LLVMValueRef from_mem(vy_lw *w, vy_jt t, LLVMValueRef v) {
  if (t.k == VY_JK_BOOL) return LLVMBuildTrunc(w->b, v, w->t_i1, "");
  if (t.k == VY_JK_BYTES) return vy_lw_resize(w, v, 16, t.n);
  return v;
}

vy_jv vy_lw_read(vy_lw *w, const vy_jbind *bd) {
  if (bd->t.k == VY_JK_NEVER) return never;
  if (bd->t.k == VY_JK_BYTES && bd->t.n == 0) return (vy_jv){bd->t, LLVMConstInt(w->t_i8, 0, 0)};
  if (bd->home == VY_HOME_UNIFORM) return (vy_jv){bd->t, bd->val};
  if (bd->id >= 0) /* an unassigned copy of an invocation id: recomputed, which costs less than a load */
    return (vy_jv){bd->t, w->hk->id(w, bd->id < 4 ? VY_EXPR_INVOCATION_ID : VY_EXPR_LOCAL_ID, (unsigned)bd->id & 3)};
  LLVMTypeRef mt = vy_lw_mem_type(w, bd->t);
  LLVMValueRef p = bd->home == VY_HOME_CTX ? w->hk->ctx_addr(w, bd) : bd->val;
  LLVMValueRef v = LLVMBuildLoad2(w->b, mt, p, "");
  if (bd->home == VY_HOME_CTX) w->hk->mem(w, v);
  return (vy_jv){bd->t, from_mem(w, bd->t, v)};
}

void vy_lw_write(vy_lw *w, const vy_jbind *bd, vy_jv v) {
  if (bd->t.k == VY_JK_NEVER || v.t.k == VY_JK_NEVER || (bd->t.k == VY_JK_BYTES && bd->t.n == 0)) return;
  LLVMValueRef p = bd->home == VY_HOME_CTX ? w->hk->ctx_addr(w, bd) : bd->val;
  LLVMValueRef s = LLVMBuildStore(w->b, to_mem(w, bd->t, v.v), p);
  if (bd->home == VY_HOME_CTX) w->hk->mem(w, s);
}

int vy_lw_id_of(vy_lw *w, const vy_cx *x) {
  if (x->kind == VY_EXPR_INVOCATION_ID) return x->axis <= 2 ? x->axis : -1;
  if (x->kind == VY_EXPR_LOCAL_ID) return x->axis <= 2 ? 4 + x->axis : -1;
  if (x->kind == VY_EXPR_VAR && w->live[x->ref]) return w->live[x->ref]->id;
  return -1;
}

bool vy_lw_safe_uniform(vy_lw *w, const vy_cx *x, unsigned depth) {
  if (!x || depth > 8) return false;
  switch (x->kind) {
  case VY_EXPR_LIT_U32:
    return true;
  case VY_EXPR_BUF_LEN:
    return x->ref != VY_IX_NONE;
  case VY_EXPR_WORKGROUP_ID:
    return x->axis <= 2;
  case VY_EXPR_VAR: {
    const vy_jbind *bd = w->live[x->ref];
    return bd && (bd->home == VY_HOME_UNIFORM || bd->home == VY_HOME_UMEM) && bd->t.k == VY_JK_U32;
  }
  case VY_EXPR_BIN_OP:
    return (x->op == VY_BINOP_ADD || x->op == VY_BINOP_SUB || x->op == VY_BINOP_MUL || x->op == VY_BINOP_WRAPPING_ADD ||
            x->op == VY_BINOP_WRAPPING_SUB) &&
           vy_lw_safe_uniform(w, x->a, depth + 1) && vy_lw_safe_uniform(w, x->b, depth + 1);
  default:
    return false;
  }
}

/* ---- memory ---- */

static vy_jk elem_kind(const vy_type *t) {
  switch (t->kind) {
  case VY_TYPE_U32:
  case VY_TYPE_BOOL:
    return VY_JK_U32; /* a Bool buffer loads as U32 */
  case VY_TYPE_I32:
    return VY_JK_I32;
  case VY_TYPE_U64:
    return VY_JK_U64;
  case VY_TYPE_F32:
    return VY_JK_F32;
  default:
    return VY_JK_BYTES;
  }
}

static bool fast_match(vy_lw *w, const vy_fastacc *p) {
  for (uint32_t i = 0; w->fast && i < w->nfastacc; i++) {
    const vy_fastacc *f = &w->fastacc[i];
    if (f->buf == p->buf && f->id == p->id && f->u == p->u && f->m == p->m && f->neg == p->neg &&
        f->clamp == p->clamp && f->masked == p->masked && f->mask == p->mask)
      return true;
  }
  return false;
}

/* A literal mask: a u32 literal or a non-negative i32 one. */
static bool lit_mask(const vy_cx *x, uint32_t *m) {
  if (x->kind == VY_EXPR_LIT_U32) return *m = x->lit.v.u32, true;
  if (x->kind == VY_EXPR_LIT_I32 && x->lit.v.i32 >= 0) return *m = (uint32_t)x->lit.v.i32, true;
  return false;
}

/* x, or the expression of the unassigned Let a Var x names (a few levels). */
static const vy_cx *see_through(const vy_ixnames *nm, const vy_cx *x) {
  for (int i = 0; i < 4 && x->kind == VY_EXPR_VAR && nm->id_of(nm->ud, x) < 0; i++) {
    const vy_cx *d = nm->def_of(nm->ud, x);
    if (!d) break;
    x = d;
  }
  return x;
}

/* The id code of `id * m` (either order, m a safe uniform into *m), or -1. */
static int scaled_id(vy_lw *w, const vy_ixnames *nm, const vy_cx *x, const vy_cx **m) {
  x = see_through(nm, x);
  if (x->kind != VY_EXPR_BIN_OP || x->op != VY_BINOP_MUL) return -1;
  int id;
  if ((id = nm->id_of(nm->ud, x->a)) >= 0 && vy_lw_safe_uniform(w, x->b, 0)) return *m = x->b, id;
  if ((id = nm->id_of(nm->ud, x->b)) >= 0 && vy_lw_safe_uniform(w, x->a, 0)) return *m = x->a, id;
  return -1;
}

static bool index_pattern(vy_lw *w, const vy_cx *x, const vy_ixnames *nm, vy_fastacc *p) {
  x = see_through(nm, x);
  if (x->kind == VY_EXPR_BIN_OP && x->op == VY_BINOP_BIT_AND &&
      (lit_mask(x->b, &p->mask) || lit_mask(x->a, &p->mask)))
    return p->masked = true;
  if (x->kind == VY_EXPR_BIN_OP && x->op == VY_BINOP_MIN) {
    if (vy_lw_safe_uniform(w, x->b, 0))
      p->clamp = x->b, x = x->a;
    else if (vy_lw_safe_uniform(w, x->a, 0))
      p->clamp = x->a, x = x->b;
    else
      return false;
    x = see_through(nm, x);
  }
  if ((p->id = nm->id_of(nm->ud, x)) >= 0) return true;
  if (!p->clamp && (p->id = scaled_id(w, nm, x, &p->m)) >= 0) return true;
  if (x->kind != VY_EXPR_BIN_OP) return false;
  if (x->op == VY_BINOP_ADD || x->op == VY_BINOP_WRAPPING_ADD) {
    if ((p->id = nm->id_of(nm->ud, x->a)) >= 0 && vy_lw_safe_uniform(w, x->b, 0)) return p->u = x->b, true;
    if ((p->id = nm->id_of(nm->ud, x->b)) >= 0 && vy_lw_safe_uniform(w, x->a, 0)) return p->u = x->a, true;
    if (!p->clamp && (p->id = scaled_id(w, nm, x->a, &p->m)) >= 0 && vy_lw_safe_uniform(w, x->b, 0))
      return p->u = x->b, true;
    if (!p->clamp && (p->id = scaled_id(w, nm, x->b, &p->m)) >= 0 && vy_lw_safe_uniform(w, x->a, 0))
      return p->u = x->a, true;
    p->m = NULL;
  } else if (x->op == VY_BINOP_SUB || x->op == VY_BINOP_WRAPPING_SUB) {
    if ((p->id = nm->id_of(nm->ud, x->a)) >= 0 && vy_lw_safe_uniform(w, x->b, 0))
      return p->u = x->b, p->neg = true, true;
  }
  return false;
}

bool vy_lw_index_pattern(vy_lw *w, const vy_cx *x, const vy_ixnames *nm, vy_fastacc *p) {
  memset(p, 0, sizeof *p);
  p->id = -1;
  if (index_pattern(w, x, nm, p)) return true;
  memset(p, 0, sizeof *p); /* no half-matched pattern left behind */
  p->id = -1;
  return false;
}

static int live_id_of(void *ud, const vy_cx *x) { return vy_lw_id_of(ud, x); }

static const vy_cx *live_def_of(void *ud, const vy_cx *x) {
  vy_lw *w = ud;
  return x->kind == VY_EXPR_VAR && w->live[x->ref] ? w->live[x->ref]->def : NULL;
}

/* Whether index expression ix of buffer b is in range on the fast copy (*p: its pattern). */
static bool fast_covered(vy_lw *w, uint32_t b, const vy_cx *ix, vy_fastacc *p) {
  vy_ixnames nm = {live_id_of, live_def_of, w};
  if (!ix || !vy_lw_index_pattern(w, ix, &nm, p)) return false;
  p->buf = b;
  return fast_match(w, p);
}

/* The element index of an access as i64, and whether the region's fast
 * copy knows it in range. An invocation id (plus or minus a shared u32 on
 * the fast path, where it cannot wrap, and there below its clamp) is given
 * in the flavour's affine form. */
static LLVMValueRef index64(vy_lw *w, uint32_t b, LLVMValueRef idx, const vy_cx *ix, bool *covered) {
  vy_fastacc p;
  *covered = fast_covered(w, b, ix, &p);
  if (p.id >= 0) {
    if (!p.u && !p.clamp && !p.m) return w->hk->id64(w, p.id); /* an id fits u32: the same value */
    if (*covered) {
      LLVMValueRef v = w->hk->id64(w, p.id);
      if (p.m) /* safe-uniform as u: no error; no wrap on the fast copy */
        v = LLVMBuildNUWMul(w->b, v, LLVMBuildZExt(w->b, vy_lw_expr(w, p.m).v, w->t_i64, ""), "");
      if (!p.u) return v;
      vy_jv uv = vy_lw_expr(w, p.u); /* safe-uniform: no error, the value idx was built from */
      LLVMValueRef u64 = LLVMBuildZExt(w->b, uv.v, w->t_i64, "");
      return p.neg ? LLVMBuildNUWSub(w->b, v, u64, "") : LLVMBuildNUWAdd(w->b, u64, v, "");
    }
  }
  return LLVMBuildZExt(w->b, idx, w->t_i64, "");
}

/* Whether the element is in range, as i1 (constant true when covered). */
static LLVMValueRef in_range(vy_lw *w, LLVMValueRef idx64, bool covered, LLVMValueRef elems) {
  if (covered) return LLVMConstInt(w->t_i1, 1, 0);
  return LLVMBuildICmp(w->b, LLVMIntULT, idx64, elems, "inb");
}

static bool access_ok(vy_lw *w, uint32_t b, bool load) {
  const vy_type *t = &w->p->buffers[b].element;
  uint32_t s = vy_type_min_bytes(t);
  if (t->kind == VY_TYPE_BYTES)
    return vy_lw_unsupported(w, w->cur, "a %s of bytes buffer `%.*s` (variable-length values)", load ? "load" : "store",
                             (int)w->p->buffers[b].name.len, w->p->buffers[b].name.ptr);
  if (load && t->kind == VY_TYPE_F64)
    return vy_lw_unsupported(w, w->cur, "a load of f64 buffer `%.*s` (the reference keeps f64 values unnarrowed)",
                             (int)w->p->buffers[b].name.len, w->p->buffers[b].name.ptr);
  if (s > VY_JT_MAX_BYTES)
    return vy_lw_unsupported(w, w->cur, "an access of buffer `%.*s`, whose %u-byte elements exceed 16 bytes",
                             (int)w->p->buffers[b].name.len, w->p->buffers[b].name.ptr, s);
  return true;
}

/* Whether x has the same value for every invocation along local axis x
 * (the innermost invocation loop of the CPU flavour) and no effects:
 * literals, buffer lengths, workgroup ids, uniform names, and the y/z
 * invocation ids when the workgroup is wider than 1 in x, combined by pure
 * operators. */
static bool row_uniform(vy_lw *w, const vy_cx *x, unsigned depth) {
  if (!x || depth > 16) return false;
  switch (x->kind) {
  case VY_EXPR_LIT_U32:
  case VY_EXPR_LIT_I32:
  case VY_EXPR_LIT_BOOL:
  case VY_EXPR_LIT_F32:
  case VY_EXPR_BUF_LEN:
  case VY_EXPR_WORKGROUP_ID:
    return true;
  case VY_EXPR_INVOCATION_ID:
  case VY_EXPR_LOCAL_ID:
    return (x->axis == 1 || x->axis == 2) && w->wg[0] > 1;
  case VY_EXPR_VAR: {
    const vy_jbind *bd = w->live[x->ref];
    if (!bd) return false;
    if (bd->id >= 0) return ((bd->id & 3) == 1 || (bd->id & 3) == 2) && w->wg[0] > 1;
    return bd->home == VY_HOME_UNIFORM || (bd->home == VY_HOME_UMEM && bd->t.k == VY_JK_U32);
  }
  case VY_EXPR_BIN_OP:
  case VY_EXPR_SELECT:
  case VY_EXPR_FMA:
    return row_uniform(w, x->a, depth + 1) && row_uniform(w, x->b, depth + 1) &&
           (!x->c || row_uniform(w, x->c, depth + 1));
  case VY_EXPR_UN_OP:
  case VY_EXPR_CAST:
    return row_uniform(w, x->a, depth + 1);
  default:
    return false;
  }
}

vy_jv vy_lw_load(vy_lw *w, uint32_t b, LLVMValueRef idx, const vy_cx *ix) {
  if (!access_ok(w, b, true)) return never;
  const vy_type *t = &w->p->buffers[b].element;
  uint32_t s = vy_type_min_bytes(t);
  vy_jt rt = {(uint8_t)elem_kind(t), 0};
  if (rt.k == VY_JK_BYTES) {
    vy_ival z = vy_imem_zero_value(t); /* the zero value's width (oob.rs) */
    rt.n = (uint8_t)(s ? s : z.len);
    if (!s && z.len > VY_JT_MAX_BYTES)
      return vy_lw_unsupported(w, w->cur, "a load of a %u-byte zero value", z.len), never;
  }
  LLVMTypeRef ty = vy_lw_type(w, rt);
  LLVMValueRef zero = LLVMConstNull(ty);
  if (s == 0) return (vy_jv){rt, zero}; /* stride 0: every load is out of range */
  LLVMValueRef data, bytes, elems;
  w->hk->buffer(w, b, &data, &bytes, &elems);
  bool covered;
  LLVMValueRef i64v = index64(w, b, idx, ix, &covered);
  LLVMValueRef inr = in_range(w, i64v, covered, elems);
  LLVMValueRef off = LLVMBuildNUWMul(w->b, i64v, LLVMConstInt(w->t_i64, s, 0), "");
  unsigned align = rt.k == VY_JK_BYTES ? 1 : s;
  if (LLVMIsConstant(inr) && LLVMConstIntGetZExtValue(inr)) {
    LLVMValueRef p = LLVMBuildGEP2(w->b, w->t_i8, data, &off, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(w->b, ty, p, "ld");
    LLVMSetAlignment(v, align);
    w->hk->mem(w, v);
    return (vy_jv){rt, v};
  }
  /* only a pointer of safe_ptr's type (address space) may be swapped for it:
   * on cuda, workgroup memory is addrspace(3) and safe_ptr global */
  bool swappable = w->safe_ptr && LLVMTypeOf(data) == LLVMTypeOf(w->safe_ptr);
  bool spec = swappable && w->spec_loads;
  if (spec || (swappable && ix && row_uniform(w, ix, 0))) {
    /* one address for a whole row of invocations: load unconditionally
     * (from a safe place when out of range) so LLVM can hoist it or load
     * it once per vector; spec_loads: every load, from zeros */
    LLVMValueRef p = LLVMBuildGEP2(w->b, w->t_i8, data, &off, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(w->b, ty, LLVMBuildSelect(w->b, inr, p, w->safe_ptr, ""), "uld");
    LLVMSetAlignment(v, align);
    w->hk->mem(w, v);
    return (vy_jv){rt, spec ? v : LLVMBuildSelect(w->b, inr, v, zero, "")};
  }
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(w->b), lb = vy_lw_block(w, "load"), join = vy_lw_block(w, "loaded");
  LLVMBuildCondBr(w->b, inr, lb, join);
  LLVMPositionBuilderAtEnd(w->b, lb);
  LLVMValueRef p = LLVMBuildGEP2(w->b, w->t_i8, data, &off, 1, "");
  LLVMValueRef v = LLVMBuildLoad2(w->b, ty, p, "ld");
  LLVMSetAlignment(v, align);
  w->hk->mem(w, v);
  LLVMBuildBr(w->b, join);
  LLVMPositionBuilderAtEnd(w->b, join);
  LLVMValueRef phi = LLVMBuildPhi(w->b, ty, "");
  LLVMValueRef vals[2] = {v, zero};
  LLVMBasicBlockRef blocks[2] = {lb, pre};
  LLVMAddIncoming(phi, vals, blocks, 2);
  return (vy_jv){rt, phi};
}

void vy_lw_store(vy_lw *w, uint32_t b, LLVMValueRef idx, const vy_cx *ix, vy_jv v) {
  if (v.t.k == VY_JK_NEVER || !access_ok(w, b, false)) return;
  const vy_type *t = &w->p->buffers[b].element;
  uint32_t s = vy_type_min_bytes(t);
  if (s == 0) return; /* stride 0: every store is dropped */
  LLVMValueRef bits;
  if (t->kind == VY_TYPE_F32) { /* Float narrows, U32 is reinterpreted, anything else stores 0.0 */
    if (v.t.k == VY_JK_F32)
      bits = w->raw_f32 && w->raw_f32[b] ? LLVMBuildBitCast(w->b, v.v, w->t_i32, "") : vy_lw_canon_bits(w, v.v);
    else if (v.t.k == VY_JK_U32)
      bits = vy_lw_canon_bits(w, LLVMBuildBitCast(w->b, v.v, w->t_f32, ""));
    else
      bits = c32(w, 0);
  } else {
    unsigned n;
    LLVMValueRef raw = vy_lw_raw(w, v, &n);
    bits = vy_lw_resize(w, raw, n, s);
  }
  LLVMValueRef data, bytes, elems;
  w->hk->buffer(w, b, &data, &bytes, &elems);
  bool covered;
  LLVMValueRef i64v = index64(w, b, idx, ix, &covered);
  LLVMValueRef inr = in_range(w, i64v, covered, elems);
  LLVMValueRef off = LLVMBuildNUWMul(w->b, i64v, LLVMConstInt(w->t_i64, s, 0), "");
  bool uncond = LLVMIsConstant(inr) && LLVMConstIntGetZExtValue(inr);
  LLVMBasicBlockRef sb = NULL, join = NULL;
  if (!uncond) {
    sb = vy_lw_block(w, "store");
    join = vy_lw_block(w, "stored");
    LLVMBuildCondBr(w->b, inr, sb, join);
    LLVMPositionBuilderAtEnd(w->b, sb);
  }
  LLVMValueRef p = LLVMBuildGEP2(w->b, w->t_i8, data, &off, 1, "");
  LLVMValueRef st = LLVMBuildStore(w->b, bits, p);
  bool scalar = t->kind == VY_TYPE_U32 || t->kind == VY_TYPE_I32 || t->kind == VY_TYPE_BOOL || t->kind == VY_TYPE_F32 ||
                t->kind == VY_TYPE_U64 || t->kind == VY_TYPE_F64;
  LLVMSetAlignment(st, scalar ? s : 1);
  w->hk->mem(w, st);
  if (!uncond) {
    LLVMBuildBr(w->b, join);
    LLVMPositionBuilderAtEnd(w->b, join);
  }
}

/* ---- expressions ---- */

static vy_jv site_raise(vy_lw *w, vy_site_kind k, const vy_cx *x, uint32_t aux) {
  uint32_t site = vy_lw_site(w, k, x);
  if (site) w->sites[site].aux = aux;
  vy_lw_raise(w, site, true, never, never);
  return never;
}

/* Evaluates an index (ev_index): the value, converted with try_as_u32. */
static LLVMValueRef index_of(vy_lw *w, const vy_cx *x, const char *label) {
  vy_jv v = vy_lw_expr(w, x);
  if (v.t.k == VY_JK_NEVER) return NULL;
  LLVMValueRef bad, u = vy_lw_as_u32(w, v, &bad);
  if (bad) {
    uint32_t site = vy_lw_site(w, VY_SITE_INDEX, x);
    if (!site) return NULL;
    w->sites[site].label = label;
    w->sites[site].ta = v.t;
    if (LLVMIsConstant(bad) && LLVMConstIntGetZExtValue(bad)) {
      vy_lw_raise(w, site, true, v, never);
      return NULL;
    }
    vy_lw_check(w, bad, site, v, never);
  }
  return u;
}

/* A u32 operand that must convert (atomic expected/value, trap address, loop bounds). */
static LLVMValueRef u32_operand(vy_lw *w, vy_jv v, vy_site_kind kind, const vy_cx *x) {
  if (v.t.k == VY_JK_NEVER) return NULL;
  LLVMValueRef bad, u = vy_lw_as_u32(w, v, &bad);
  if (bad) {
    uint32_t site = vy_lw_site(w, kind, x);
    if (!site) return NULL;
    w->sites[site].ta = v.t;
    if (LLVMIsConstant(bad) && LLVMConstIntGetZExtValue(bad)) {
      vy_lw_raise(w, site, true, v, never);
      return NULL;
    }
    vy_lw_check(w, bad, site, v, never);
  }
  return u;
}

static vy_jv atomic_expr(vy_lw *w, const vy_cx *x) {
  vy_atomic_op op = (vy_atomic_op)x->op;
  if (op == VY_ATOMIC_COMPARE_EXCHANGE && !x->b) return site_raise(w, VY_SITE_ATOMIC_NO_EXPECTED, x, 0);
  if (op != VY_ATOMIC_COMPARE_EXCHANGE && x->b) return site_raise(w, VY_SITE_ATOMIC_HAS_EXPECTED, x, 0);
  LLVMValueRef idx = index_of(w, x->a, "atomic index"), expected = NULL, value;
  if (!idx) return never;
  if (x->b && !(expected = u32_operand(w, vy_lw_expr(w, x->b), VY_SITE_ATOMIC_EXPECTED, x))) return never;
  if (!(value = u32_operand(w, vy_lw_expr(w, x->c), VY_SITE_ATOMIC_VALUE, x))) return never;
  if (x->ref == VY_IX_NONE || w->p->buffers[x->ref].access == VY_ACCESS_WORKGROUP)
    return site_raise(w, VY_SITE_ATOMIC_TARGET, x, 0);
  uint32_t s = vy_type_min_bytes(&w->p->buffers[x->ref].element);
  if (s < 4) s = 4;
  if (s % 4) {
    vy_lw_unsupported(w, w->cur, "an atomic on buffer `%.*s`, whose %u-byte elements leave words unaligned",
                      (int)x->src->u.atomic.buffer.len, x->src->u.atomic.buffer.ptr, s);
    return never;
  }
  LLVMValueRef data, bytes, elems;
  w->hk->buffer(w, x->ref, &data, &bytes, &elems);
  LLVMBuilderRef B = w->b;
  LLVMValueRef off = LLVMBuildMul(B, LLVMBuildZExt(B, idx, w->t_i64, ""), LLVMConstInt(w->t_i64, s, 0), "");
  vy_fastacc fp; /* covered: the element is in range, so its first word is */
  LLVMValueRef inr = fast_covered(w, x->ref, x->a, &fp)
                         ? LLVMConstInt(w->t_i1, 1, 0)
                         : LLVMBuildICmp(B, LLVMIntULE, LLVMBuildAdd(B, off, LLVMConstInt(w->t_i64, 4, 0), ""), bytes, "");
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(B), ab = vy_lw_block(w, "atomic"), join = vy_lw_block(w, "atomic.done");
  LLVMBuildCondBr(B, inr, ab, join);
  LLVMPositionBuilderAtEnd(B, ab);
  LLVMValueRef priv = w->hk->atomic_private ? w->hk->atomic_private(w, x) : NULL;
  if (priv) { /* a commutative op whose old value nobody reads: accumulate privately */
    LLVMValueRef pp = LLVMBuildGEP2(B, w->t_i8, priv, &off, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(B, w->t_i32, pp, "");
    LLVMValueRef nv;
    switch (op) {
    case VY_ATOMIC_ADD:
      nv = LLVMBuildAdd(B, v, value, "");
      break;
    case VY_ATOMIC_OR:
      nv = LLVMBuildOr(B, v, value, "");
      break;
    case VY_ATOMIC_AND:
      nv = LLVMBuildAnd(B, v, value, "");
      break;
    case VY_ATOMIC_XOR:
      nv = LLVMBuildXor(B, v, value, "");
      break;
    case VY_ATOMIC_MIN:
      nv = vy_lw_intrinsic(w, "llvm.umin", &w->t_i32, 1, (LLVMValueRef[]){v, value}, 2);
      break;
    default:
      nv = vy_lw_intrinsic(w, "llvm.umax", &w->t_i32, 1, (LLVMValueRef[]){v, value}, 2);
      break;
    }
    LLVMBuildStore(B, nv, pp);
    LLVMBuildBr(B, join);
    LLVMPositionBuilderAtEnd(B, join);
    return jv(VY_JK_U32, c32(w, 0));
  }
  LLVMValueRef p = LLVMBuildGEP2(B, w->t_i8, data, &off, 1, ""), old;
  LLVMAtomicRMWBinOp rmw;
  switch (op) {
  case VY_ATOMIC_ADD:
    rmw = LLVMAtomicRMWBinOpAdd;
    break;
  case VY_ATOMIC_OR:
    rmw = LLVMAtomicRMWBinOpOr;
    break;
  case VY_ATOMIC_AND:
    rmw = LLVMAtomicRMWBinOpAnd;
    break;
  case VY_ATOMIC_XOR:
    rmw = LLVMAtomicRMWBinOpXor;
    break;
  case VY_ATOMIC_MIN:
    rmw = LLVMAtomicRMWBinOpUMin;
    break;
  case VY_ATOMIC_MAX:
  case VY_ATOMIC_LRU_UPDATE:
    rmw = LLVMAtomicRMWBinOpUMax;
    break;
  case VY_ATOMIC_EXCHANGE:
    rmw = LLVMAtomicRMWBinOpXchg;
    break;
  case VY_ATOMIC_COMPARE_EXCHANGE:
    rmw = LLVMAtomicRMWBinOpXchg;
    break;   /* unused: cmpxchg below */
  default: { /* in range only: out-of-range atomics return 0 before the op is checked */
    uint32_t site = vy_lw_site(w, VY_SITE_ATOMIC_OP, x);
    if (site) w->sites[site].op = x->op;
    w->hk->raise(w, site, true, never, never);
    LLVMPositionBuilderAtEnd(B, join);
    LLVMValueRef phi = LLVMBuildPhi(B, w->t_i32, "");
    LLVMValueRef z = c32(w, 0);
    LLVMAddIncoming(phi, &z, &pre, 1);
    return jv(VY_JK_U32, phi);
  }
  }
  if (op == VY_ATOMIC_COMPARE_EXCHANGE) {
    LLVMValueRef cx = LLVMBuildAtomicCmpXchg(B, p, expected, value, LLVMAtomicOrderingSequentiallyConsistent,
                                             LLVMAtomicOrderingSequentiallyConsistent, 0);
    old = LLVMBuildExtractValue(B, cx, 0, "old");
  } else {
    old = LLVMBuildAtomicRMW(B, rmw, p, value, LLVMAtomicOrderingSequentiallyConsistent, 0);
  }
  LLVMBasicBlockRef done = LLVMGetInsertBlock(B);
  LLVMBuildBr(B, join);
  LLVMPositionBuilderAtEnd(B, join);
  LLVMValueRef phi = LLVMBuildPhi(B, w->t_i32, "old");
  LLVMValueRef vals[2] = {old, c32(w, 0)};
  LLVMBasicBlockRef blocks[2] = {done, pre};
  LLVMAddIncoming(phi, vals, blocks, 2);
  return jv(VY_JK_U32, phi);
}

/* ---- host calls (host.c vy_host_call's marshalling) ---- */

static LLVMTypeRef host_type(vy_lw *w, vy_type_kind k) {
  switch (k) {
  case VY_TYPE_U64:
  case VY_TYPE_I64:
    return w->t_i64;
  case VY_TYPE_F32:
    return w->t_f32;
  case VY_TYPE_F64:
    return w->t_f64;
  case VY_TYPE_BOOL:
  case VY_TYPE_U8:
  case VY_TYPE_I8:
    return w->t_i8;
  default:
    return w->t_i32;
  }
}

static unsigned host_width(vy_type_kind k) {
  switch (k) {
  case VY_TYPE_U64:
  case VY_TYPE_I64:
  case VY_TYPE_F64:
    return 8;
  case VY_TYPE_BOOL:
  case VY_TYPE_U8:
  case VY_TYPE_I8:
    return 1;
  default:
    return 4;
  }
}

static LLVMValueRef host_arg(vy_lw *w, vy_type_kind k, vy_jv v) {
  if (k == VY_TYPE_F32 && v.t.k == VY_JK_F32) return vy_lw_canon(w, v.v);
  unsigned n, width = host_width(k);
  LLVMValueRef raw = vy_lw_raw(w, v, &n);
  LLVMValueRef r = vy_lw_resize(w, raw, n, width);
  LLVMTypeRef t = host_type(w, k);
  return LLVMTypeOf(r) == t ? r : LLVMBuildBitCast(w->b, r, t, "");
}

static vy_jv call_expr(vy_lw *w, const vy_cx *x) {
  const vy_host_registry *reg = w->pp->host;
  if (!reg) return site_raise(w, VY_SITE_CALL_NOREG, x, 0);
  if (x->ref == VY_IX_NONE) return site_raise(w, VY_SITE_CALL_UNKNOWN, x, 0);
  const vy_host_signature *sig = vy_host_sig_at(reg, x->ref);
  if (x->argc != sig->nparams) return site_raise(w, VY_SITE_CALL_ARGC, x, 0);
  LLVMValueRef args[VY_HOST_MAX_PARAMS];
  LLVMTypeRef types[VY_HOST_MAX_PARAMS];
  vy_jv vals[VY_HOST_MAX_PARAMS];
  for (uint32_t i = 0; i < x->argc; i++) {
    vals[i] = vy_lw_expr(w, x->args[i]);
    if (vals[i].t.k == VY_JK_NEVER) return never;
  }
  for (uint32_t i = 0; i < x->argc; i++) {
    args[i] = host_arg(w, sig->params[i], vals[i]);
    types[i] = host_type(w, sig->params[i]);
  }
  LLVMTypeRef rt = sig->has_result ? host_type(w, sig->result) : w->t_void;
  LLVMTypeRef ft = LLVMFunctionType(rt, types, x->argc, 0);
  LLVMValueRef call = LLVMBuildCall2(w->b, ft, w->hk->host_fn(w, x->ref), args, x->argc, "");
  for (uint32_t i = 0; i < x->argc; i++) { /* C ABI of bool/u8/i8 parameters */
    vy_type_kind k = sig->params[i];
    if (k != VY_TYPE_BOOL && k != VY_TYPE_U8 && k != VY_TYPE_I8) continue;
    const char *ext = k == VY_TYPE_I8 ? "signext" : "zeroext";
    LLVMAddCallSiteAttribute(call, i + 1,
                             LLVMCreateEnumAttribute(w->c, LLVMGetEnumAttributeKindForName(ext, strlen(ext)), 0));
  }
  if (!sig->has_result) return (vy_jv){{VY_JK_BYTES, 0}, LLVMConstInt(w->t_i8, 0, 0)};
  switch (sig->result) {
  case VY_TYPE_U32:
    return jv(VY_JK_U32, call);
  case VY_TYPE_I32:
    return jv(VY_JK_I32, call);
  case VY_TYPE_F32:
    return jv(VY_JK_F32, vy_lw_canon(w, call));
  case VY_TYPE_F64:
    return (vy_jv){{VY_JK_BYTES, 8}, LLVMBuildBitCast(w->b, call, w->t_i64, "")};
  case VY_TYPE_U64:
  case VY_TYPE_I64:
    return (vy_jv){{VY_JK_BYTES, 8}, call};
  default:
    return (vy_jv){{VY_JK_BYTES, 1}, call};
  }
}

static vy_jv fma_expr(vy_lw *w, const vy_cx *x) {
  const vy_cx *ops[3] = {x->a, x->b, x->c};
  LLVMValueRef f[3];
  for (int k = 0; k < 3; k++) {
    vy_jv v = vy_lw_expr(w, ops[k]);
    if (v.t.k == VY_JK_NEVER) return never;
    if (v.t.k == VY_JK_F32)
      f[k] = v.v;
    else if (v.t.k == VY_JK_U32) /* try_as_f32: u32 is an f32 bit pattern */
      f[k] = LLVMBuildBitCast(w->b, v.v, w->t_f32, "");
    else {
      uint32_t site = vy_lw_site(w, VY_SITE_FMA, x);
      if (site) w->sites[site].aux = (uint32_t)k;
      vy_lw_raise(w, site, true, never, never);
      return never;
    }
  }
  LLVMTypeRef t = w->t_f32;
  return jv(VY_JK_F32, vy_lw_intrinsic(w, "llvm.fma", &t, 1, f, 3));
}

/* `gid < len(b)` (or `len(b) > gid`) on the fast path, where b is covered. */
static bool fast_true_compare(vy_lw *w, const vy_cx *x) {
  if (!w->fast) return false;
  const vy_cx *id = NULL, *len = NULL;
  if (x->op == VY_BINOP_LT) id = x->a, len = x->b;
  if (x->op == VY_BINOP_GT) id = x->b, len = x->a;
  if (!id || len->kind != VY_EXPR_BUF_LEN || len->ref == VY_IX_NONE) return false;
  vy_fastacc p; /* any covered pattern of buffer b is below len(b) */
  return fast_covered(w, len->ref, id, &p);
}

vy_jv vy_lw_subgroup_operand(vy_lw *w, const vy_cx *x, LLVMValueRef *lane) {
  vy_jv v = vy_lw_expr(w, x->a);
  if (v.t.k == VY_JK_NEVER) return never;
  LLVMValueRef bad;
  switch (x->kind) {
  case VY_EXPR_SUBGROUP_ADD: {
    LLVMValueRef u = vy_lw_as_u32(w, v, &bad);
    if (bad) vy_lw_check(w, bad, vy_lw_site(w, VY_SITE_SG_ADD_LANE, x), never, never);
    return (vy_jv){{VY_JK_U32, 0}, u};
  }
  case VY_EXPR_SUBGROUP_BALLOT:
    return (vy_jv){{VY_JK_BOOL, 0}, vy_lw_truthy(w, v)};
  default: /* shuffle: the value, then the lane */
    if (lane) {
      vy_jv l = vy_lw_expr(w, x->b);
      if (l.t.k == VY_JK_NEVER) return never;
      *lane = vy_lw_as_u32(w, l, &bad);
      if (bad) vy_lw_check(w, bad, vy_lw_site(w, VY_SITE_SG_SHUFFLE_LANE, x), never, never);
    }
    if (v.t.k != VY_JK_U32 && v.t.k != VY_JK_F32) {
      vy_lw_raise(w, vy_lw_site(w, VY_SITE_SG_SHUFFLE_TYPE, x), true, never, never);
      return never;
    }
    return v;
  }
}

vy_jv vy_lw_expr(vy_lw *w, const vy_cx *x) {
  if (w->st != VY_OK) return never;
  vy_jv a, b, c;
  switch (x->kind) {
  case VY_EXPR_LIT_U32:
    return jv(VY_JK_U32, c32(w, x->lit.v.u32));
  case VY_EXPR_LIT_I32:
    return jv(VY_JK_I32, c32(w, (uint32_t)x->lit.v.i32));
  case VY_EXPR_LIT_BOOL:
    return jv(VY_JK_BOOL, LLVMConstInt(w->t_i1, x->lit.v.b, 0));
  case VY_EXPR_LIT_F32:
    return jv(VY_JK_F32, LLVMConstReal(w->t_f32, x->lit.v.f)); /* canonical already */
  case VY_EXPR_VAR:
    if (!w->live[x->ref]) return site_raise(w, VY_SITE_UNDECLARED, x, 0);
    return vy_lw_read(w, w->live[x->ref]);
  case VY_EXPR_LOAD: {
    LLVMValueRef idx = index_of(w, x->a, "load index");
    if (!idx) return never;
    if (x->ref == VY_IX_NONE) return site_raise(w, VY_SITE_MISSING_BUF, x, 0);
    return vy_lw_load(w, x->ref, idx, x->a);
  }
  case VY_EXPR_BUF_LEN: {
    if (x->ref == VY_IX_NONE) return site_raise(w, VY_SITE_MISSING_BUF, x, 0);
    LLVMValueRef data, bytes, elems;
    w->hk->buffer(w, x->ref, &data, &bytes, &elems);
    return jv(VY_JK_U32, LLVMBuildTrunc(w->b, elems, w->t_i32, "len"));
  }
  case VY_EXPR_INVOCATION_ID:
  case VY_EXPR_WORKGROUP_ID:
  case VY_EXPR_LOCAL_ID:
    if (x->axis > 2) return site_raise(w, VY_SITE_AXIS, x, 0);
    return jv(VY_JK_U32, w->hk->id(w, x->kind, x->axis));
  case VY_EXPR_BIN_OP:
    if (fast_true_compare(w, x)) return jv(VY_JK_BOOL, LLVMConstInt(w->t_i1, 1, 0));
    a = vy_lw_expr(w, x->a);
    if (a.t.k == VY_JK_NEVER) return never;
    b = vy_lw_expr(w, x->b);
    if (b.t.k == VY_JK_NEVER) return never;
    if (x->src->u.bin.op == VY_BINOP_OPAQUE) return site_raise(w, VY_SITE_BINOP_EXT, x, 0);
    return vy_lw_binop(w, x, a, b);
  case VY_EXPR_UN_OP:
    a = vy_lw_expr(w, x->a);
    if (a.t.k == VY_JK_NEVER) return never;
    if (x->src->u.un.op == VY_UNOP_OPAQUE) return site_raise(w, VY_SITE_UNOP_EXT, x, 0);
    return vy_lw_unop(w, x, a);
  case VY_EXPR_CALL:
    return call_expr(w, x);
  case VY_EXPR_SELECT:
    a = vy_lw_expr(w, x->a);
    if (a.t.k == VY_JK_NEVER) return never;
    b = vy_lw_expr(w, x->b);
    if (b.t.k == VY_JK_NEVER) return never;
    c = vy_lw_expr(w, x->c);
    if (c.t.k == VY_JK_NEVER) return never;
    if (b.t.k != c.t.k || b.t.n != c.t.n) {
      vy_lw_unsupported(w, w->cur, "a select whose branches have different runtime kinds (%s, %s)", vy_jt_name(b.t),
                        vy_jt_name(c.t));
      return never;
    }
    return (vy_jv){b.t, LLVMBuildSelect(w->b, vy_lw_truthy(w, a), b.v, c.v, "sel")};
  case VY_EXPR_CAST:
    a = vy_lw_expr(w, x->a);
    if (a.t.k == VY_JK_NEVER) return never;
    return vy_lw_cast(w, x, a);
  case VY_EXPR_ATOMIC:
    return atomic_expr(w, x);
  case VY_EXPR_FMA:
    return fma_expr(w, x);
  case VY_EXPR_SUBGROUP_ADD:
  case VY_EXPR_SUBGROUP_BALLOT:
  case VY_EXPR_SUBGROUP_SHUFFLE:
    return w->hk->subgroup(w, x);
  case VY_EXPR_SUBGROUP_LOCAL_ID:
  case VY_EXPR_SUBGROUP_SIZE:
    return site_raise(w, VY_SITE_SUBGROUP_ID, x, 0);
  case VY_EXPR_OPAQUE:
  case VY_EXPR_COUNT:
    break;
  }
  return site_raise(w, VY_SITE_OPAQUE_EXPR, x, 0);
}

/* ---- statements ---- */

static void let_stmt(vy_lw *w, const vy_cn *n) {
  vy_jv v = vy_lw_expr(w, n->e0);
  bool assigned = false, uniform = false;
  vy_home home = w->hk->home(w, n, &assigned, &uniform);
  if (uniform && home == VY_HOME_CTX) home = VY_HOME_UMEM; /* one copy serves every invocation */
  vy_jbind *bd = vy_lw_bind(w, n, n->slot, v.t, home, false);
  if (!bd || v.t.k == VY_JK_NEVER) return;
  if (!assigned) {
    bd->id = (int8_t)vy_lw_id_of(w, n->e0);
    bd->def = n->e0;
  }
  vy_lw_write(w, bd, v);
}

static void assign_stmt(vy_lw *w, const vy_cn *n) {
  vy_jv v = vy_lw_expr(w, n->e0);
  if (v.t.k == VY_JK_NEVER) return;
  vy_jbind *bd = w->live[n->slot];
  if (!bd) {
    site_raise(w, VY_SITE_ASSIGN_UNDECL, NULL, 0);
    return;
  }
  if (bd->immutable) {
    site_raise(w, VY_SITE_ASSIGN_LOOPVAR, NULL, 0);
    return;
  }
  if (bd->t.k == VY_JK_NEVER) return; /* its Let never completes: this code is dead */
  if (bd->t.k != v.t.k || bd->t.n != v.t.n) {
    vy_lw_unsupported(w, n, "an assignment that changes the runtime kind of `%.*s` from %s to %s",
                      (int)n->src->u.assign.name.len, n->src->u.assign.name.ptr, vy_jt_name(bd->t), vy_jt_name(v.t));
    return;
  }
  vy_lw_write(w, bd, v);
}

static void store_stmt(vy_lw *w, const vy_cn *n) {
  LLVMValueRef idx = index_of(w, n->e0, "store index");
  if (!idx) return;
  vy_jv v = vy_lw_expr(w, n->e1);
  if (v.t.k == VY_JK_NEVER) return;
  if (n->buf == VY_IX_NONE) {
    site_raise(w, VY_SITE_MISSING_BUF, NULL, 0);
    return;
  }
  vy_lw_store(w, n->buf, idx, n->e0, v);
}

static void scoped(vy_lw *w, const vy_cl *l) {
  vy_lw_scope_push(w);
  vy_lw_stmts(w, l, 0, l->count);
  vy_lw_scope_pop(w);
}

static void if_stmt(vy_lw *w, const vy_cn *n) {
  vy_jv c = vy_lw_expr(w, n->e0);
  if (c.t.k == VY_JK_NEVER) return;
  LLVMBasicBlockRef tb = vy_lw_block(w, "then"), eb = vy_lw_block(w, "else"), join = vy_lw_block(w, "endif");
  LLVMBuildCondBr(w->b, vy_lw_truthy(w, c), tb, eb);
  LLVMPositionBuilderAtEnd(w->b, tb);
  scoped(w, &n->body);
  LLVMBuildBr(w->b, join);
  LLVMPositionBuilderAtEnd(w->b, eb);
  scoped(w, &n->body2);
  LLVMBuildBr(w->b, join);
  LLVMPositionBuilderAtEnd(w->b, join);
}

/* A literal loop bound (u32 or non-negative i32), or -1. */
static int64_t lit_bound(const vy_cx *x) {
  if (x && x->kind == VY_EXPR_LIT_U32) return x->lit.v.u32;
  if (x && x->kind == VY_EXPR_LIT_I32 && x->lit.v.i32 >= 0) return x->lit.v.i32;
  return -1;
}

static uint64_t sat_mul(uint64_t a, uint64_t b) { return a && b > UINT64_MAX / a ? UINT64_MAX : a * b; }

/* The most body executions of the Loops in l (nested ones multiplied),
 * UINT64_MAX when some bound is not a literal. */
static uint64_t list_work(const vy_cl *l, unsigned depth) {
  uint64_t most = 0;
  for (uint32_t i = 0; i < l->count && most != UINT64_MAX; i++) {
    const vy_cn *n = &l->items[i];
    uint64_t w = 0;
    if (depth > 64) return UINT64_MAX;
    if (n->kind == VY_NODE_LOOP) {
      int64_t f = lit_bound(n->e0), t = lit_bound(n->e1);
      uint64_t inner = list_work(&n->body, depth + 1);
      w = f < 0 || t < 0 ? UINT64_MAX : sat_mul(t > f ? (uint64_t)(t - f) : 0, inner ? inner : 1);
    } else if (n->kind == VY_NODE_IF || n->kind == VY_NODE_BLOCK || n->kind == VY_NODE_REGION) {
      uint64_t a = list_work(&n->body, depth + 1), b = list_work(&n->body2, depth + 1);
      w = a > b ? a : b;
    }
    if (w > most) most = w;
  }
  return most;
}

bool vy_lw_loop_polled(const vy_lw *w, const vy_cn *n) {
  if (!w->hk->poll) return false;
  vy_cl one = {1, n, 0, NULL};
  return list_work(&one, 0) > VY_LW_POLL_FREE;
}

static void loop_stmt(vy_lw *w, const vy_cn *n) {
  LLVMValueRef from = u32_operand(w, vy_lw_expr(w, n->e0), VY_SITE_LOOP_FROM, n->e0);
  if (!from) return;
  LLVMValueRef to = u32_operand(w, vy_lw_expr(w, n->e1), VY_SITE_LOOP_TO, n->e1);
  if (!to) return;
  LLVMBasicBlockRef done = vy_lw_block(w, "endloop"), exit = done;
  LLVMValueRef end = to, c = NULL;
  if (vy_lw_loop_polled(w, n)) {
    /* chunks of VY_LW_POLL_CHUNK iterations: a poll, then a plain counted loop over [c, end) */
    LLVMBasicBlockRef pre0 = LLVMGetInsertBlock(w->b), outer = vy_lw_block(w, "loop.chunk"),
                      poll = vy_lw_block(w, "loop.poll");
    LLVMBuildBr(w->b, outer);
    LLVMPositionBuilderAtEnd(w->b, outer);
    c = LLVMBuildPhi(w->b, w->t_i32, "c");
    LLVMAddIncoming(c, &from, &pre0, 1);
    LLVMBuildCondBr(w->b, LLVMBuildICmp(w->b, LLVMIntULT, c, to, ""), poll, done);
    LLVMPositionBuilderAtEnd(w->b, poll);
    w->hk->poll(w);
    LLVMValueRef big = LLVMBuildICmp(w->b, LLVMIntUGT, LLVMBuildSub(w->b, to, c, ""), c32(w, VY_LW_POLL_CHUNK), "");
    end = LLVMBuildSelect(w->b, big, LLVMBuildNUWAdd(w->b, c, c32(w, VY_LW_POLL_CHUNK), ""), to, "cend");
    from = c;
    exit = outer;
  }
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(w->b), head = vy_lw_block(w, "loop"), body = vy_lw_block(w, "body"),
                    latch = vy_lw_block(w, "latch");
  LLVMBuildBr(w->b, head);
  LLVMPositionBuilderAtEnd(w->b, head);
  LLVMValueRef i = LLVMBuildPhi(w->b, w->t_i32, "i");
  LLVMBuildCondBr(w->b, LLVMBuildICmp(w->b, LLVMIntULT, i, end, ""), body, exit);
  if (c) LLVMAddIncoming(c, &end, &head, 1);
  LLVMPositionBuilderAtEnd(w->b, body);
  vy_lw_scope_push(w);
  vy_jbind *bd = vy_lw_bind(w, n, n->slot, (vy_jt){VY_JK_U32, 0}, VY_HOME_LOCAL, true);
  if (bd) vy_lw_write(w, bd, jv(VY_JK_U32, i));
  vy_lw_stmts(w, &n->body, 0, n->body.count);
  vy_lw_scope_pop(w);
  LLVMBuildBr(w->b, latch);
  LLVMPositionBuilderAtEnd(w->b, latch);
  LLVMValueRef next = LLVMBuildNUWAdd(w->b, i, c32(w, 1), "");
  LLVMValueRef br = LLVMBuildBr(w->b, head);
  if (w->hk->latch) w->hk->latch(w, n, br);
  LLVMValueRef vals[2] = {from, next};
  LLVMBasicBlockRef blocks[2] = {pre, latch};
  LLVMAddIncoming(i, vals, blocks, 2);
  LLVMPositionBuilderAtEnd(w->b, done);
}

static void async_stmt(vy_lw *w, const vy_cn *n) {
  bool load = n->kind == VY_NODE_ASYNC_LOAD;
  LLVMValueRef off, size, bad;
  vy_jv v = vy_lw_expr(w, n->e0);
  if (v.t.k == VY_JK_NEVER) return;
  off = vy_lw_as_u64(w, v, &bad);
  uint32_t site = vy_lw_site(w, VY_SITE_ASYNC_OFFSET, n->e0);
  if (!site) return;
  w->sites[site].aux = load;
  w->sites[site].ta = v.t;
  vy_lw_check(w, bad, site, v, never);
  v = vy_lw_expr(w, n->e1);
  if (v.t.k == VY_JK_NEVER) return;
  size = vy_lw_as_u64(w, v, &bad);
  if (!(site = vy_lw_site(w, VY_SITE_ASYNC_SIZE, n->e1))) return;
  w->sites[site].aux = load;
  w->sites[site].ta = v.t;
  vy_lw_check(w, bad, site, v, never);
  if (n->buf == VY_IX_NONE) {
    site_raise(w, VY_SITE_MISSING_BUF, NULL, 1);
    return;
  }
  if (n->buf2 == VY_IX_NONE) {
    site_raise(w, VY_SITE_MISSING_BUF, NULL, 2);
    return;
  }
  w->hk->async_begin(w, n, off, size);
}

void vy_lw_stmt(vy_lw *w, const vy_cn *n) {
  if (w->st != VY_OK) return;
  w->cur = n;
  switch (n->kind) {
  case VY_NODE_LET:
    let_stmt(w, n);
    break;
  case VY_NODE_ASSIGN:
    assign_stmt(w, n);
    break;
  case VY_NODE_STORE:
    store_stmt(w, n);
    break;
  case VY_NODE_IF:
    if_stmt(w, n);
    break;
  case VY_NODE_LOOP:
    loop_stmt(w, n);
    break;
  case VY_NODE_RETURN:
    w->hk->ret(w);
    vy_lw_dead(w);
    break;
  case VY_NODE_BLOCK:
  case VY_NODE_REGION:
    scoped(w, &n->body);
    break;
  case VY_NODE_BARRIER:
    break; /* the flavour splits regions at barriers */
  case VY_NODE_INDIRECT_DISPATCH:
    site_raise(w, VY_SITE_INDIRECT, NULL, 0);
    break;
  case VY_NODE_ASYNC_LOAD:
  case VY_NODE_ASYNC_STORE:
    async_stmt(w, n);
    break;
  case VY_NODE_ASYNC_WAIT:
    w->hk->async_wait(w, n);
    break;
  case VY_NODE_TRAP: {
    vy_jv v = vy_lw_expr(w, n->e0);
    LLVMValueRef addr = u32_operand(w, v, VY_SITE_TRAP_ADDR, n->e0);
    if (!addr) break;
    uint32_t site = vy_lw_site(w, VY_SITE_TRAP, NULL);
    if (site) w->sites[site].ta = (vy_jt){VY_JK_U32, 0};
    vy_lw_raise(w, site, true, jv(VY_JK_U32, addr), never);
    break;
  }
  case VY_NODE_RESUME:
    site_raise(w, VY_SITE_RESUME, NULL, 0);
    break;
  case VY_NODE_ALL_REDUCE:
  case VY_NODE_ALL_GATHER:
  case VY_NODE_REDUCE_SCATTER:
  case VY_NODE_BROADCAST:
    site_raise(w, VY_SITE_COLLECTIVE, NULL, 0);
    break;
  case VY_NODE_OPAQUE:
  case VY_NODE_COUNT:
    site_raise(w, VY_SITE_OPAQUE_NODE, NULL, 0);
    break;
  }
  w->cur = n;
}

void vy_lw_stmts(vy_lw *w, const vy_cl *l, uint32_t first, uint32_t last) {
  for (uint32_t i = first; i < last && w->st == VY_OK; i++) vy_lw_stmt(w, &l->items[i]);
}
