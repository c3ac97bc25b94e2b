/* lower_int.h - lowering vyre IR to LLVM IR: the target-neutral core
 * (lower.c: expressions, operators and the statements of one invocation)
 * and the interface a target flavour implements (lower_cpu.c: workgroup
 * loops and barrier regions on the CPU; an NVPTX flavour can plug in the
 * same way).
 *
 * Input. The lowering works on the interpreter's prepared program
 * (interp_int.h): the same wrapping, collective lowering and validation as
 * the reference, and the compiled statement tree whose variables are slots,
 * buffers indices and barrier-Ifs dense ids. Runtime error sites therefore
 * name the same node paths as the interpreter's messages.
 *
 * Types. The reference is dynamically typed (a value is U32, I32, U64,
 * Bool, Float or Bytes at run time, vyre-ir.md §3.1). The lowering
 * tracks the runtime kind of every expression statically; it is fixed by
 * the program text except where a variable or a Select could hold
 * different kinds on different paths, which the lowering refuses with
 * VY_E_UNSUPPORTED. An operation whose operand kinds always fail in the
 * reference (mismatched BinOp operands, a Bool-buffer load in an `and`,
 * ...) becomes an unconditional runtime error at that point, as in the
 * reference. Float values are f32 (the reference's f64 always holds an f32
 * value, except after an F64 load, which is refused). Bytes values of a
 * static length up to 16 bytes are integers of that width; longer or
 * variable-length ones (Bytes buffers) are refused.
 *
 * Floats are carried without canonicalization and canonicalized (NaN ->
 * 0x7FC00000, subnormal -> signed zero) where their bits become
 * observable: stores, casts to bytes, host-call arguments, integer
 * conversions and truthiness. Arithmetic relies on DAZ (cpu_dispatch_int.h)
 * for subnormal operands; functions carry "denormal-fp-math-f32" =
 * "ieee,preserve-sign" so LLVM's folds agree.
 */
#ifndef VYRE_LOWER_INT_H
#define VYRE_LOWER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <llvm-c/Core.h>

#include "cpu_dispatch_int.h"
#include "interp_int.h"
#include "jit_int.h"

/* ---- static runtime kinds ---------------------------------------------- */

typedef enum vy_jk {
  VY_JK_NEVER, /* the expression always raises before producing a value */
  VY_JK_U32,
  VY_JK_I32,
  VY_JK_U64,
  VY_JK_BOOL,
  VY_JK_F32,
  VY_JK_BYTES
} vy_jk;

#define VY_JT_MAX_BYTES 16u

typedef struct vy_jt {
  uint8_t k; /* vy_jk */
  uint8_t n; /* BYTES: length 0..16 */
} vy_jt;

/* A typed value: i32 (U32, I32), i64 (U64), i1 (BOOL), float (F32),
 * i(8n) (BYTES, i8 zero for n = 0); v is NULL for NEVER. */
typedef struct vy_jv {
  vy_jt t;
  LLVMValueRef v;
} vy_jv;

/* ---- error sites ---------------------------------------------------------- */

/* What a runtime error site reports (the interpreter's message for it is
 * rebuilt from the kind, the operands and the nodes; lower_error.c). */
typedef enum vy_site_kind {
  VY_SITE_BINOP,         /* vy_iop_binop's message for (op, a, b) */
  VY_SITE_UNOP,          /* vy_iop_unop's message for (op, a) */
  VY_SITE_CAST,          /* vy_iop_cast's message for (x's target, a) */
  VY_SITE_INDEX,         /* "<label> cannot be represented as u32" */
  VY_SITE_AXIS,          /* id axis > 2 */
  VY_SITE_UNDECLARED,    /* Var of an unbound name */
  VY_SITE_MISSING_BUF,   /* Load/BufLen/Store/Atomic/async of an unknown buffer; aux = 0 expr, 1 src, 2 dst */
  VY_SITE_DUP_BINDING,   /* Let or loop variable already bound; aux = slot */
  VY_SITE_ASSIGN_UNDECL, /* Assign to an unbound name */
  VY_SITE_ASSIGN_LOOPVAR,
  VY_SITE_LOOP_FROM,
  VY_SITE_LOOP_TO,
  VY_SITE_TRAP_ADDR, /* trap address not u32 */
  VY_SITE_TRAP,      /* a = address */
  VY_SITE_INDIRECT,
  VY_SITE_RESUME,
  VY_SITE_COLLECTIVE,
  VY_SITE_OPAQUE_NODE,
  VY_SITE_OPAQUE_EXPR,
  VY_SITE_BINOP_EXT,
  VY_SITE_UNOP_EXT,
  VY_SITE_SUBGROUP_ID, /* SubgroupLocalId / SubgroupSize */
  VY_SITE_FMA,         /* aux = operand 0..2 */
  VY_SITE_ATOMIC_NO_EXPECTED,
  VY_SITE_ATOMIC_HAS_EXPECTED,
  VY_SITE_ATOMIC_EXPECTED,
  VY_SITE_ATOMIC_VALUE,
  VY_SITE_ATOMIC_TARGET,
  VY_SITE_ATOMIC_OP,
  VY_SITE_SG_ADD_LANE,
  VY_SITE_SG_SHUFFLE_LANE,
  VY_SITE_SG_SHUFFLE_TYPE,
  VY_SITE_CALL_NOREG,
  VY_SITE_CALL_UNKNOWN,
  VY_SITE_CALL_ARGC,
  VY_SITE_ASYNC_OFFSET, /* aux = 1 load / 0 store */
  VY_SITE_ASYNC_SIZE,
  VY_SITE_ASYNC_TWICE,   /* aux = tag */
  VY_SITE_ASYNC_NONE,    /* aux = tag */
  VY_SITE_ASYNC_PENDING, /* operand a = tag */
  VY_SITE_NOMEM,         /* an allocation of the run failed (async copy data) */
  VY_SITE_NONUNIFORM_IF, /* barrier If whose condition differs (the reference's error) */
  /* llvm-cpu refusals at run time (VY_E_UNSUPPORTED) */
  VY_SITE_DIVERGENT_LOOP,     /* barrier/subgroup Loop with bounds that differ across the workgroup */
  VY_SITE_DIVERGENT_SUBGROUP, /* subgroup If whose condition differs across the workgroup */
  VY_SITE_KIND_COUNT
} vy_site_kind;

typedef struct vy_site {
  uint8_t kind;      /* vy_site_kind */
  uint8_t op;        /* BINOP/UNOP: the operator; ATOMIC_OP: the atomic op */
  vy_jt ta, tb;      /* operand kinds recorded with the error */
  const vy_cn *stmt; /* statement for the node path (NULL: none) */
  const vy_cx *x;    /* expression for location and names (NULL: the statement's) */
  const char *label; /* INDEX: "load index", "store index", "atomic index" */
  uint32_t aux;
} vy_site;

/* ---- variable bindings ----------------------------------------------------- */

typedef enum vy_home {
  VY_HOME_LOCAL,  /* an alloca of the invocation's code */
  VY_HOME_CTX,    /* a per-invocation array slot (lives across regions) */
  VY_HOME_UMEM,   /* one alloca for the workgroup: a value all invocations share (lives across regions) */
  VY_HOME_UNIFORM /* one SSA value for the whole workgroup (loop variable of a barrier Loop) */
} vy_home;

typedef struct vy_jbind {
  const vy_cn *node; /* the Let or Loop that bound it */
  vy_jt t;
  uint8_t home;
  bool immutable;   /* loop variable */
  int8_t id;        /* >= 0: holds that invocation id (vy_lw_id_of) and is never assigned */
  const vy_cx *def; /* a Let never assigned: its expression (else NULL) */
  LLVMValueRef val; /* LOCAL: the alloca; UNIFORM: the value */
  uint32_t ctx;     /* CTX: the flavour's array number */
} vy_jbind;

/* ---- the lowering state ---------------------------------------------------- */

typedef struct vy_lw vy_lw;

/* An access pattern of a region's fast copy: buffer `buf` at index `id +
 * u` (u NULL: just the id; neg: `id - u`), optionally clamped as `min(that,
 * clamp)`, in range (and never wrapping, never above clamp) for every
 * invocation of the workgroup, which is checked once before the copy
 * runs; the copy then computes the index as id +/- u. Or `id * m + u` (m a
 * safe uniform, u NULL or one; no clamp, not neg), computed as such. Or
 * (masked) an index `e & mask` with a literal mask below the buffer's
 * length. */
typedef struct vy_fastacc {
  uint32_t buf;
  int id;
  const vy_cx *u;
  const vy_cx *m; /* NULL: 1 */
  bool neg;
  const vy_cx *clamp;
  bool masked;
  uint32_t mask;
} vy_fastacc;

/* How vy_lw_index_pattern sees names: the invocation-id code of an
 * expression (-1: none) and the expression of a Var bound by a Let that is
 * never assigned (NULL: none), which stands for the Var. */
typedef struct vy_ixnames {
  int (*id_of)(void *ud, const vy_cx *x);
  const vy_cx *(*def_of)(void *ud, const vy_cx *x);
  void *ud;
} vy_ixnames;

/* Whether index expression x has the shape of a vy_fastacc: `e & mask`
 * (mask a literal), or [min(] id, id + u, u + id or id - u [, clamp)]
 * (either operand order of min), with u and clamp safe-uniform
 * (vy_lw_safe_uniform), looking through Vars of unassigned Lets. Fills *p
 * except buf. */
bool vy_lw_index_pattern(vy_lw *w, const vy_cx *x, const vy_ixnames *nm, vy_fastacc *p);

/* What a target flavour provides to the core. */
typedef struct vy_lw_hooks {
  /* i32 value of InvocationId / WorkgroupId / LocalId `axis` (0..2) of the current invocation. */
  LLVMValueRef (*id)(vy_lw *w, vy_expr_kind kind, unsigned axis);
  /* Invocation id `id` (vy_lw_id_of) of the current invocation as i64 (an
   * affine function of the invocation loop, so consecutive ids give
   * consecutive addresses to LLVM's vectorizer). */
  LLVMValueRef (*id64)(vy_lw *w, int id);
  /* Buffer `b` (storage or workgroup): its data pointer, byte length and BufLen, both i64. */
  void (*buffer)(vy_lw *w, uint32_t b, LLVMValueRef *data, LLVMValueRef *bytes, LLVMValueRef *elems);
  /* Emits a raise of `site` with the operands (kind NEVER = none); the block ends. */
  void (*raise)(vy_lw *w, uint32_t site, bool has_inv, vy_jv a, vy_jv b);
  /* Return: ends the current invocation; the block ends. */
  void (*ret)(vy_lw *w);
  /* Where a new binding of Let/Loop `n` lives (LOCAL or CTX); *assigned
   * tells whether an Assign ever writes it, *uniform whether its value is
   * the same for every invocation of the workgroup. */
  vy_home (*home)(vy_lw *w, const vy_cn *n, bool *assigned, bool *uniform);
  /* CTX binding: assigns bd->ctx for a binding of type bd->t (called once per binding). */
  void (*ctx_new)(vy_lw *w, vy_jbind *bd);
  /* CTX binding: address of the current invocation's slot. */
  LLVMValueRef (*ctx_addr)(vy_lw *w, const vy_jbind *bd);
  /* Value of subgroup expression `x` for the current invocation (computed by the flavour). */
  vy_jv (*subgroup)(vy_lw *w, const vy_cx *x);
  /* Tags a memory access of invocation code (e.g. with the loop's access group). */
  void (*mem)(vy_lw *w, LLVMValueRef inst);
  /* For an atomic whose old value is unused: a private copy of its
   * buffer's words to accumulate into with plain memory operations (the
   * flavour merges it atomically later), or NULL for a real atomic. */
  LLVMValueRef (*atomic_private)(vy_lw *w, const vy_cx *x);
  /* Host function `i` of the registry as a pointer value. */
  LLVMValueRef (*host_fn)(vy_lw *w, uint32_t i);
  /* Async copies: begin (AsyncLoad or AsyncStore `n`, i64 offset and size
   * already checked) and wait; both may raise. */
  void (*async_begin)(vy_lw *w, const vy_cn *n, LLVMValueRef offset, LLVMValueRef size);
  void (*async_wait)(vy_lw *w, const vy_cn *n);
  /* Optional (NULL: none). Emits a check of the dispatch's cancellation
   * flag that leaves the kernel when it is set; the block continues after
   * it. The core calls it once per chunk of a Loop's iterations
   * (VY_LW_POLL_CHUNK), so a runaway loop stops soon after a timeout while
   * the chunk itself stays a plain counted loop. */
  void (*poll)(vy_lw *w);
  /* Optional (NULL: none). Called with the back-edge branch of Loop `n`
   * (e.g. to attach loop metadata). */
  void (*latch)(vy_lw *w, const vy_cn *n, LLVMValueRef br);
} vy_lw_hooks;

/* Iterations of a polled Loop between two polls; Loops whose whole work
 * (literal bounds, nested Loops included) is at most VY_LW_POLL_FREE
 * iterations are not polled (they end soon anyway, and unrolled they keep
 * the invocation loop around them vectorizable). */
#define VY_LW_POLL_CHUNK 4096u
#define VY_LW_POLL_FREE 1024u

/* A small open-addressing map from node/expression pointers to data. */
typedef struct vy_pmap {
  const void **keys;
  void **vals;
  uint32_t count, cap;
} vy_pmap;

struct vy_lw {
  /* LLVM */
  LLVMContextRef c;
  LLVMModuleRef m;
  LLVMBuilderRef b;
  LLVMValueRef fn;
  LLVMBasicBlockRef entry; /* allocas go here (set by the flavour) */
  LLVMTypeRef t_i1, t_i8, t_i32, t_i64, t_i128, t_f32, t_f64, t_ptr, t_void;
  /* program */
  const vy_interp_prepared *pp;
  const vy_program *p;
  uint32_t wg[3];
  /* flavour */
  const vy_lw_hooks *hk;
  void *fl;
  /* environment: slot -> live binding; scope stack of bound slots */
  vy_jbind **live;
  uint32_t *bound;
  uint32_t nbound, capbound;
  uint32_t *marks;
  uint32_t nmarks, capmarks;
  vy_pmap umem; /* vy_cn* (Let) -> its VY_HOME_UMEM alloca: one per node, so the two copies of a
                   versioned region (fast and checked) and the regions after them share it */
  /* error sites */
  vy_site *sites;
  uint32_t nsites, capsites;
  /* fast version of a region: the accesses of these patterns are known in
   * range for the whole workgroup */
  bool fast;
  const vy_fastacc *fastacc;
  uint32_t nfastacc;
  /* a pointer that is always valid to read 16 bytes from (uniform loads
   * read it instead of an out-of-range element, then select zero) */
  LLVMValueRef safe_ptr;
  /* every load of a buffer whose pointer has safe_ptr's type takes that
   * unconditional path, not a branch (NVPTX: loads stay schedulable);
   * safe_ptr then points at 16 zero bytes, so what it loads is the value */
  bool spec_loads;
  /* per buffer: an f32 value is stored without canonicalization (NULL:
   * every f32 store canonicalizes). A flavour sets it only for buffers whose
   * bytes are read back by Loads alone, which carry floats uncanonicalized
   * anyway, so the stored bits are never observed as they are */
  const bool *raw_f32;
  /* set when the code just lowered must not be vectorized (a u64 division,
   * which LLVM 19 may miscompile when predicated; see lower_ops.c) */
  bool no_vectorize;
  /* the statement being lowered (error sites) */
  const vy_cn *cur;
  /* memory, status */
  vy_arena arena;
  const vy_allocator *alloc;
  vy_error *err;
  vy_status st;
};

/* ---- core (lower.c) --------------------------------------------------------- */

/* Initializes `w` for a module `m` in context `c` (types, builder, maps).
 * `pp` and the hooks are borrowed. Free with vy_lw_free. */
void vy_lw_init(vy_lw *w, LLVMContextRef c, LLVMModuleRef m, const vy_interp_prepared *pp, const vy_lw_hooks *hk,
                void *fl, const vy_allocator *alloc, vy_error *err);
void vy_lw_free(vy_lw *w);

/* Marks the lowering failed (first failure wins) with VY_E_UNSUPPORTED and
 * a message naming the node; returns false. */
bool vy_lw_unsupported(vy_lw *w, const vy_cn *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Out of memory: returns false. */
bool vy_lw_nomem(vy_lw *w);
static inline bool vy_lw_ok(const vy_lw *w) { return w->st == VY_OK; }

/* Adds an error site; returns its number (0 on failure, with w->st set). */
uint32_t vy_lw_site(vy_lw *w, vy_site_kind kind, const vy_cx *x);

/* The LLVM type of a kind. */
LLVMTypeRef vy_lw_type(vy_lw *w, vy_jt t);
/* Byte size of a value of kind t in a context array (4, 8, 16; bool 1). */
uint32_t vy_lw_type_size(vy_jt t);

/* Positions the builder in a fresh block with no predecessors (after a
 * terminator that ends the reachable code). */
void vy_lw_dead(vy_lw *w);
/* A new block in the current function. */
LLVMBasicBlockRef vy_lw_block(vy_lw *w, const char *name);

/* Calls an intrinsic by name, overloaded on `types`. */
LLVMValueRef vy_lw_intrinsic(vy_lw *w, const char *name, LLVMTypeRef *types, unsigned ntypes, LLVMValueRef *args,
                             unsigned nargs);

/* Expressions and statements of the current invocation. */
vy_jv vy_lw_expr(vy_lw *w, const vy_cx *x);
void vy_lw_stmt(vy_lw *w, const vy_cn *n);
/* Statements first .. last-1 of `l` in the current scope (no new scope). */
void vy_lw_stmts(vy_lw *w, const vy_cl *l, uint32_t first, uint32_t last);

/* The operand of subgroup op x (SubgroupAdd, SubgroupBallot, SubgroupShuffle)
 * as one invocation contributes it, with the reference's checks: add's
 * value as u32 (raising when not representable), ballot's truthiness, a
 * shuffle's u32 or f32 value (raising on another type) and, unless `lane`
 * is NULL, its lane as u32 in *lane (raising when not representable;
 * evaluated after the value). Returns the never value when the invocation
 * raised on the way; w->cur must be the statement. */
vy_jv vy_lw_subgroup_operand(vy_lw *w, const vy_cx *x, LLVMValueRef *lane);
/* Truthiness (§3.1) as i1. */
LLVMValueRef vy_lw_truthy(vy_lw *w, vy_jv v);
/* try_as_u32 (§3.1): the i32 value and the i1 "not representable" flag
 * (NULL when it cannot fail, the constant true when it always fails). */
LLVMValueRef vy_lw_as_u32(vy_lw *w, vy_jv v, LLVMValueRef *bad);
/* Raises `site` now (hook + a dead block after it). */
void vy_lw_raise(vy_lw *w, uint32_t site, bool has_inv, vy_jv a, vy_jv b);
/* Operand bits of a raise for the error record (vy_kerr.a / .b: two
 * little-endian u64 words, out[0] low): u32/i32/bool zero-extended, u64 as
 * is, f32 its f32 bits, bytes their first 16 bytes; zeros for none. The
 * flavours' raise hooks store them; lower_error.c reads them back. */
void vy_lw_operand_words(vy_lw *w, vy_jv v, LLVMValueRef out[2]);
/* Raises `site` with operands a, b when `bad` (i1; NULL = never) is true. */
void vy_lw_check(vy_lw *w, LLVMValueRef bad, uint32_t site, vy_jv a, vy_jv b);

/* Scopes. */
void vy_lw_scope_push(vy_lw *w);
void vy_lw_scope_pop(vy_lw *w);
/* Whether Loop `n` polls the cancellation flag (w->hk->poll set and its
 * work not bounded by VY_LW_POLL_FREE). */
bool vy_lw_loop_polled(const vy_lw *w, const vy_cn *n);

/* Binds `slot` to a new binding of node `n` with kind t and home; returns it
 * (NULL on OOM). Raises DUP_BINDING first when the slot is live. */
vy_jbind *vy_lw_bind(vy_lw *w, const vy_cn *n, uint32_t slot, vy_jt t, vy_home home, bool immutable);
/* Typed memory access of buffer `b` at element `idx` (i32, the value of
 * index expression `ix`) with vyre's bounds rule. */
vy_jv vy_lw_load(vy_lw *w, uint32_t b, LLVMValueRef idx, const vy_cx *ix);
void vy_lw_store(vy_lw *w, uint32_t b, LLVMValueRef idx, const vy_cx *ix, vy_jv v);
/* Memory type of a kind in context arrays (bool i8, bytes i128). */
LLVMTypeRef vy_lw_mem_type(vy_lw *w, vy_jt t);
/* Reads / writes a binding for the current invocation. */
vy_jv vy_lw_read(vy_lw *w, const vy_jbind *bd);
void vy_lw_write(vy_lw *w, const vy_jbind *bd, vy_jv v);
/* The invocation id an expression is (InvocationId or LocalId directly, or
 * a Var bound to one and never assigned): axis for InvocationId, 4 + axis
 * for LocalId; else -1. */
int vy_lw_id_of(vy_lw *w, const vy_cx *x);
/* Whether x is a u32 value shared by the workgroup and computable without
 * any error at the start of a region: u32 literals, buffer lengths,
 * workgroup ids and live shared u32 names, combined by +, - and *. */
bool vy_lw_safe_uniform(vy_lw *w, const vy_cx *x, unsigned depth);

/* Pointer map. */
void *vy_pmap_get(const vy_pmap *m, const void *key);
bool vy_pmap_put(vy_lw *w, vy_pmap *m, const void *key, void *val);

/* ---- operators (lower_ops.c) ------------------------------------------------ */

/* BinOp / UnOp / Cast `x` applied to evaluated operands (never NEVER). */
vy_jv vy_lw_binop(vy_lw *w, const vy_cx *x, vy_jv a, vy_jv b);
vy_jv vy_lw_unop(vy_lw *w, const vy_cx *x, vy_jv a);
vy_jv vy_lw_cast(vy_lw *w, const vy_cx *x, vy_jv a);
/* Canonical f32 (NaN -> 0x7FC00000, subnormal -> signed zero), as float or its bits. */
LLVMValueRef vy_lw_canon(vy_lw *w, LLVMValueRef f);
LLVMValueRef vy_lw_canon_bits(vy_lw *w, LLVMValueRef f);
/* Rewrites function `fn` so that every f32 comparison (fcmp) and f32 to
 * f64 extension reads its non-constant operands flushed by integer
 * operations (a subnormal becomes the zero of its sign). For a target whose
 * FTZ instructions are not trusted at these points: ptxas turns some
 * setp.ftz compares into integer tests of the raw bits that see a
 * subnormal as non-zero (measured on an H100: sign(x) < 0 of
 * x = -0x1.fffffcp-127 was true). Uses w->b; leaves it positioned at the
 * end of the last block visited. */
void vy_lw_flush_float_observers(vy_lw *w, LLVMValueRef fn);
/* The value's raw little-endian bytes (value.rs to_bytes) as an integer of
 * *nbytes bytes (i8 zero for none): u32/i32/bool 4, u64 and f32 (its f64
 * bits) 8, bytes their own. */
LLVMValueRef vy_lw_raw(vy_lw *w, vy_jv v, unsigned *nbytes);
/* Integer of `from` bytes truncated or zero-extended to `to` bytes. */
LLVMValueRef vy_lw_resize(vy_lw *w, LLVMValueRef x, unsigned from, unsigned to);
/* The raw bytes as a BYTES value of exactly `width` bytes. */
vy_jv vy_lw_bytes(vy_lw *w, vy_jv v, unsigned width);
/* try_as_u64: like vy_lw_as_u32. */
LLVMValueRef vy_lw_as_u64(vy_lw *w, vy_jv v, LLVMValueRef *bad);
/* Rust `f as u32` / `as i32` (saturating, NaN -> 0) of an f32. */
LLVMValueRef vy_lw_fp_to_int_sat(vy_lw *w, LLVMValueRef f, bool is_signed);

/* Names for messages. */
const char *vy_jt_name(vy_jt t);

/* ---- the CPU flavour (lower_cpu.c) ----------------------------------------- */

typedef struct vy_cpu_options {
  const char *prefer_vector_width; /* "prefer-vector-width" attribute ("256", "512"); NULL = LLVM's choice */
  bool no_interchange;             /* keep every Loop inside its invocation (lower_cpu.c) */
} vy_cpu_options;

/* What a lowered CPU kernel needs at run time. */
typedef struct vy_cpu_lowered {
  vy_site *sites; /* nsites entries (0 unused); they point into the prepared program */
  uint32_t nsites;
  uint64_t scratch_bytes;  /* per worker thread */
  LLVMModuleRef md_module; /* keeps the access-group metadata; dispose after the module is emitted */
} vy_cpu_lowered;

/* Lowers the prepared program into `m` (in context c) as the kernel
 * function `entry` with the ABI of cpu_dispatch_int.h. Errors:
 * VY_E_UNSUPPORTED (a construct llvm-cpu refuses, message names the node),
 * VY_E_NOMEM. On error *out is empty and `m` holds a partial function
 * (dispose it). */
vy_status vy_lower_cpu(const vy_interp_prepared *pp, LLVMContextRef c, LLVMModuleRef m, const char *entry,
                       const vy_cpu_options *o, const vy_allocator *alloc, vy_cpu_lowered *out, vy_error *err);
/* Frees what vy_lower_cpu handed out (the sites; md_module too). */
void vy_cpu_lowered_free(const vy_allocator *alloc, vy_cpu_lowered *l);

/* ---- errors (lower_error.c) ------------------------------------------------- */

/* The interpreter's error for a raised error record `e` (whose site indexes
 * `sites`): VY_E_RUNTIME with the interpreter's message, or
 * VY_E_UNSUPPORTED for llvm-cpu's run-time refusals. Returns the status. */
vy_status vy_lower_error(const vy_interp_prepared *pp, const vy_site *sites, uint32_t nsites, const vy_kerr *e,
                         vy_error *err);

#endif
