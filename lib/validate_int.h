/* validate_int.h - internals shared by the validator's three files:
 *   validate.c       driver, diagnostics list, name table, program-level rules
 *   validate_stmt.c  statement walk (explicit stack), scopes, statement rules,
 *                    barrier uniformity, fusion hazards
 *   validate_expr.c  expression rules, static types, casts, atomics, calls
 *
 * All working memory is allocated through the caller's allocator. Failures
 * are sticky (c->oom): after one, every helper is a no-op and vy_validate
 * returns VY_E_NOMEM.
 */
#ifndef VYRE_VALIDATE_INT_H
#define VYRE_VALIDATE_INT_H

#include "alloc_int.h"
#include "vyre/validate.h"

/* vyre's limits (F/validate/depth.rs as of 0.4.2). */
#define VY_V_MAX_STATEMENTS 8192u /* V019, reported once */
#define VY_V_MAX_NESTING 64u      /* V018, reported once; top-level nodes have depth 0 */
#define VY_V_MAX_EXPR_DEPTH 128u  /* V033, per expression reaching depth 129; roots have depth 0 */

#define VY_VNONE UINT32_MAX

/* ---- Call resolution hook (the host-op registry) -------------------------
 *
 * The validator resolves Expr::Call op ids through the host-op registry
 * (include/vyre/host.h and lib/host.c, owned by the interpreter engineer). It
 * needs only each op's input signature: the type spelling of every input,
 * which it maps as vyre's data_type_from_signature_spelling does ("u32"/"U32",
 * "vec2<u32>"/"Vec2U32", ...; anything else is V021).
 */
typedef struct vy_op_signature {
  uint32_t ninputs;          /* number of inputs the op takes (V020) */
  const vy_str *input_types; /* ninputs type spellings */
  const vy_str *input_names; /* ninputs parameter names for messages; may be NULL */
} vy_op_signature;

/* Looks `op_id` up in `reg`. Returns true and fills *out when the op is
 * registered (the pointers stay valid while `reg` lives), false when it is
 * unknown (V016). Must not allocate; must be safe to call from any thread
 * that may read `reg`. */
typedef bool (*vy_op_signature_fn)(const struct vy_host_registry *reg, vy_str op_id, vy_op_signature *out);

/* The registry's implementation of vy_op_signature_fn (lib/host.c);
 * vy_validate uses it when opts->host_ops is set. */
bool vy_host_registry_signature(const struct vy_host_registry *reg, vy_str op_id, vy_op_signature *out);

/* vy_validate with an explicit Call lookup (NULL = skip Call checks, as with
 * no registry). vy_validate calls it with vy_host_registry_signature when
 * opts->host_ops is set; tests use it with their own table. Same contract as
 * vy_validate otherwise. */
vy_status vy_validate_with(const vy_program *p, const vy_validate_options *opts, vy_op_signature_fn lookup,
                           const vy_allocator *alloc, vy_diagnostics **out, vy_error *err);

/* ---- the validation context -------------------------------------------- */

/* One interned name (variable, buffer, region key): all per-name state lives
 * here so every lookup is one hash probe. */
typedef struct vy_vname {
  const char *ptr; /* into the program */
  uint32_t len;
  uint32_t hash;
  uint32_t binding;              /* innermost live binding (index into c->bindings) or VY_VNONE */
  const vy_buffer_decl *buffer;  /* the last buffer declared with this name (vyre's map), or NULL */
  uint64_t read_gen, atomic_gen; /* fusion state: generation of the last non-atomic / atomic access */
  uint32_t selfex;               /* occurrences as a self-exclusive region key */
  uint32_t uses;                 /* linear-type use count */
  bool declared;                 /* a buffer of this name was seen (duplicate-name rule) */
} vy_vname;

/* A live local: a Let or a loop variable (vyre's Binding). */
typedef struct vy_vbinding {
  uint32_t name;     /* name id */
  uint32_t prev;     /* binding it shadows, or VY_VNONE */
  uint32_t frame;    /* serial of the scope that holds it */
  const vy_type *ty; /* static type; u32 when the value's type is unknown */
  bool ty_known;     /* false: V045 is not checked against it */
  bool is_mutable;   /* false for loop variables (V011) */
  bool uniform;      /* workgroup-uniform value (barrier rule) */
  bool is_let;       /* declared by a Let of its scope (V032) */
} vy_vbinding;

/* A buffer access of the statement being checked (fusion hazard rule). */
typedef struct vy_vacc {
  uint32_t name;
  bool atomic;
} vy_vacc;

/* What an expression walk learns: static type (NULL = unknown) and uniformity. */
typedef struct vy_vinfo {
  const vy_type *ty;
  bool uniform;
} vy_vinfo;

/* Which list of its statement a frame walks (paths), and what follows it. */
enum { VY_VF_ENTRY, VY_VF_BODY, VY_VF_THEN, VY_VF_ELSE };
enum {
  VY_VP_NONE,  /* Block, Region, the entry */
  VY_VP_THEN,  /* an If's then-list: its else-list follows */
  VY_VP_EXTEND /* an If's else-list or a Loop body: the cond/bound accesses join the parent's state */
};

/* A statement list being walked (validate_stmt.c): one scope, one fusion
 * state, one cursor. */
typedef struct vy_vframe {
  const vy_node_list *list;
  uint32_t next;    /* index of the next statement to visit */
  uint32_t depth;   /* nesting depth of the list's statements (V018) */
  uint32_t serial;  /* scope identity (V032) */
  uint8_t field;    /* which list of the parent statement: VY_VF_* */
  uint8_t post;     /* what to do when the list is done: VY_VP_* */
  bool divergent;   /* reached by only part of a workgroup (V010) */
  size_t bind_mark; /* c->nbindings when the scope opened */
  size_t undo_mark; /* c->nundo when the fusion state opened */
  size_t acc_mark;  /* VY_VP_EXTEND: where the parent If/Loop's pending accesses start */
  uint64_t gen;     /* fusion-state generation (a Barrier starts a new one) */
} vy_vframe;

/* Undo record of the fusion state: the generation a name had before an
 * inner statement list overwrote it. */
typedef struct vy_vundo {
  uint32_t name;
  bool atomic;
  uint64_t old;
} vy_vundo;

typedef struct vy_vselfex vy_vselfex; /* a duplicated self-exclusive region (validate.c) */

typedef struct vy_vctx {
  const vy_program *p;
  vy_validate_options opts;
  vy_op_signature_fn lookup; /* NULL: Call checks skipped */
  const vy_allocator *alloc;
  vy_diagnostics *diags;
  bool oom; /* sticky allocation failure */

  /* name table: open addressing over `names`, `slots` holds id+1 (0 = empty) */
  vy_vname *names;
  size_t nnames, names_cap;
  uint32_t *slots;
  size_t slots_cap; /* power of two */

  /* scopes */
  vy_vbinding *bindings;
  size_t nbindings, bindings_cap;

  /* statement walk */
  vy_vframe *frames;
  size_t nframes, frames_cap;
  uint32_t frame_serial;
  uint32_t node_count;
  bool count_reported, nesting_reported;
  const vy_node *cur_node;      /* statement being checked (paths, locs) */
  const char *slot;             /* its expression being checked ("value", ...) or NULL */
  char where[VY_DIAG_PATH_MAX]; /* path for diagnostics outside the statement walk */

  /* fusion hazards */
  vy_vacc *acc;
  size_t nacc, acc_cap;
  vy_vundo *undo;
  size_t nundo, undo_cap;
  uint64_t gen_counter;
  uint32_t *hz; /* fusion hazards of one statement, before sorting */
  size_t nhz, hz_cap;

  /* argument types of the Calls being checked (a stack) */
  const vy_type **tys;
  size_t ntys, tys_cap;

  /* self-exclusive regions seen twice, reported after the walk */
  vy_vselfex *selfex;
  size_t nselfex, selfex_cap;
} vy_vctx;

/* Grows *arr (of elem-sized items, capacity *cap) to hold at least `need`
 * items. false (and c->oom set) on failure. */
bool vy_vgrow(vy_vctx *c, void **arr, size_t *cap, size_t need, size_t elem);

/* The id of `s` in the name table, inserting it. VY_VNONE after OOM. */
uint32_t vy_vname_id(vy_vctx *c, const char *s, uint32_t len);
/* The id of `s` if interned, else VY_VNONE. Never allocates. */
uint32_t vy_vname_find(const vy_vctx *c, const char *s, uint32_t len);

/* The innermost live binding of a name id, or NULL. */
vy_vbinding *vy_vlookup(vy_vctx *c, uint32_t name);
/* The buffer a name refers to (vyre: last declaration wins), or NULL. */
const vy_buffer_decl *vy_vbuffer(const vy_vctx *c, vy_str name);

/* Appends a diagnostic. `loc` as given; the path is the current statement's
 * (plus ".slot") inside the walk, else c->where. The message is
 * printf-formatted and must end with "Fix: ...". */
void vy_vdiag(vy_vctx *c, bool warning, const char *code, vy_srcloc loc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Number of diagnostics so far (a mark for vy_vdiag_hoist). */
size_t vy_vdiag_mark(const vy_vctx *c);
/* Moves the diagnostics emitted since `later` to position `mark`, before
 * those emitted between `mark` and `later`. Lets a rule that vyre checks
 * before walking an expression use the types that walk computes. */
void vy_vdiag_hoist(vy_vctx *c, size_t mark, size_t later);

/* Display name of a static type ("u32", "vec<u32;4>", "unknown" for NULL). */
const char *vy_vtype_name(const vy_type *t, char *buf, size_t n);
/* Static-type helpers. */
bool vy_vtype_is(const vy_type *t, vy_type_kind k); /* known and of kind k (payload-free kinds) */

/* validate.c: counts a Region whose generator ends in "#self-exclusive"
 * (X009 is reported after the walk). Call with c->cur_node == region. */
void vy_vselfex_note(vy_vctx *c, const vy_node *region);

/* validate_stmt.c: walks the entry with all statement rules. */
void vy_vstmt_run(vy_vctx *c);
/* validate_stmt.c: writes the path of the statement being checked. */
void vy_vstmt_path(const vy_vctx *c, char *buf, size_t n);

/* validate_expr.c: validates a statement's expression `e` (root depth 0)
 * with every expression rule; `slot` names it in paths ("value", "cond").
 * Appends its buffer accesses to c->acc and returns its static type and
 * uniformity. */
vy_vinfo vy_vexpr_check(vy_vctx *c, const vy_expr *e, const char *slot);
/* validate_expr.c: checks only the depth limit (V033) of an expression that
 * vyre does not otherwise validate (async offset/size, trap address), so no
 * later stage has to walk an unbounded expression. */
void vy_vexpr_check_depth(vy_vctx *c, const vy_expr *e, const char *slot);
/* validate_expr.c: the srcloc to report for `e` (its own, else the statement's). */
vy_srcloc vy_vexpr_loc(const vy_vctx *c, const vy_expr *e);

#endif
