/* lower_cpu_int.h - the state of the CPU flavour of the lowering, shared
 * by its planning pre-passes (lower_cpu_plan.c: which statements run at
 * workgroup level, where names live, which loops are interchanged, which
 * atomics accumulate privately) and its code generation (lower_cpu.c).
 * Included only by those two files. */
#ifndef VYRE_LOWER_CPU_INT_H
#define VYRE_LOWER_CPU_INT_H

#include "lower_int.h"

#define SUBGROUP 32u
#define ALIGN 64u

typedef struct cinfo {
  uint32_t region;  /* Let/Loop: region of the binding (0 = uniform) */
  bool ctx;         /* Let: used in another region */
  bool assigned;    /* Let: some Assign writes it */
  bool wg;          /* workgroup-level statement */
  bool inner;       /* a statement inside it is workgroup-level */
  bool read;        /* Let: some expression reads it */
  bool sync;        /* holds a Barrier or a subgroup op (in itself or inside) */
  bool body_sync;   /* a statement inside holds a Barrier or a subgroup op */
  bool uniform_let; /* Let: its value is the same for every invocation (pre-pass A) */
  bool interchange; /* Loop with uniform bounds run at workgroup level (invocations innermost) */
  bool sg_head;     /* has a subgroup op in its own expressions */
  bool hoist;       /* Let: a uniform value computed once per workgroup, before the regions after it */
} cinfo;

typedef struct sgres {
  uint32_t arr; /* result array */
  vy_jt t;
} sgres;

/* A storage buffer touched only by one commutative atomic op whose old
 * value is never read: each worker accumulates into a private copy and
 * merges it with one atomic per word when its kernel call ends (contended
 * atomics cost 100-300x, llvm-notes.md §8). */
#define PRIV_MAX_WORDS 16384u

typedef struct privbuf {
  bool bad;         /* read, written or used otherwise */
  bool used;        /* some private-able atomic targets it */
  uint8_t op;       /* vy_atomic_op of those atomics */
  uint64_t off;     /* in scratch, when not an alloca */
  LLVMValueRef ptr; /* the private copy in the kernel */
} privbuf;

/* Private copies this small live in an alloca: LLVM keeps them in registers
 * (a counter bumped under a condition becomes a vectorizable reduction). */
#define PRIV_ALLOCA_WORDS 16u

/* Larger private buffers, up to PRIV_COPIES_MAX_WORDS words, have this
 * many copies (lower_cpu.c, priv_copies). */
#define PRIV_COPIES 4u
#define PRIV_COPIES_MAX_WORDS 1024u

typedef struct carr {
  uint64_t off;
  vy_jt t;
} carr;

typedef struct cpu {
  vy_lw w;
  vy_pmap info;  /* vy_cn* -> cinfo* */
  vy_pmap sgmap; /* vy_cx* -> sgres* (results available) */
  vy_pmap ctxof; /* vy_cn* (Let) -> array number + 1 */
  /* functions */
  LLVMValueRef kernel;
  LLVMValueRef args, begin, end, scratch;
  LLVMValueRef arrays; /* scratch + arr_base: the per-invocation arrays (a noalias pointer of their own) */
  LLVMValueRef *data, *bytes, *elems; /* per buffer */
  LLVMValueRef err, host, rt;
  LLVMBasicBlockRef exit;
  /* workgroup */
  LLVMValueRef wid[3];
  /* region */
  bool in_region;
  LLVMValueRef lid[3], gid[3], gid64[3], lid64[3], lin;
  LLVMBasicBlockRef inv_end;
  /* scratch layout */
  uint64_t size, zero_size, done_off, ifrec_off, async_off;
  uint64_t arr_base; /* scratch offset of the first per-invocation array */
  uint32_t nslots_async; /* per_wg * async tags */
  uint64_t *wg_off;
  carr *arrs;
  uint32_t narrs, caparrs;
  bool need_done, has_wg, has_return;
  bool no_interchange; /* option: keep every Loop inside its invocation */
  bool hoist_list;     /* pre-pass A: the list being marked runs at workgroup level (Lets may be hoisted) */
  bool prologue;       /* pre-pass A: only id and hoisted Lets since the list's last region boundary */
  bool scalar_region;  /* the region loop being emitted is not to be vectorized */
  uint32_t per_wg;
  /* atomics accumulated privately */
  privbuf *priv;
  vy_ptrvec priv_lets; /* Lets whose value is an atomic: private only if never read */
  /* pre-pass A: uniform names (lexical), names some Assign writes */
  uint8_t *uni;
  bool *assigned;
  /* the per-invocation mask of the masked Ifs being emitted (array number), -1 = none */
  int32_t mask;
  /* pre-pass */
  const vy_cn **pb_live; /* slot -> binding node */
  uint32_t nregions;
  /* metadata */
  LLVMModuleRef md_module; /* holds the distinct access group */
  LLVMMetadataRef group;
  unsigned kind_group, kind_loop;
} cpu;

/* A scope stack of bound slots (both pre-passes). */
typedef struct pbstate {
  uint32_t *bound;
  uint32_t n, cap;
} pbstate;

static inline cpu *C(vy_lw *w) { return (cpu *)w; }
static inline cinfo *info_of(cpu *k, const vy_cn *n) { return vy_pmap_get(&k->info, n); }
static inline bool is_subgroup_kind(vy_expr_kind k) {
  return k == VY_EXPR_SUBGROUP_ADD || k == VY_EXPR_SUBGROUP_BALLOT || k == VY_EXPR_SUBGROUP_SHUFFLE;
}

/* Whether x holds a subgroup op; refuses atomics and calls inside subgroup
 * operands (VY_E_UNSUPPORTED on k->w). */
bool vy_cpu_expr_has_subgroup(cpu *k, const vy_cx *x, bool in_operand);

/* ---- shared by lower_cpu.c and lower_cpu_sg.c ---- */

/* A new per-invocation array of kind t in scratch; returns its number
 * (VY_E_NOMEM on k->w). */
uint32_t vy_cpu_new_array(cpu *k, vy_jt t);
/* Address of lane `lane` (i64) of array a. */
LLVMValueRef vy_cpu_array_addr(cpu *k, uint32_t a, LLVMValueRef lane);
/* Loads / stores lane `lane` of array a (tagged with the region's access
 * group inside a region). */
LLVMValueRef vy_cpu_array_load(cpu *k, uint32_t a, LLVMValueRef lane);
void vy_cpu_array_store(cpu *k, uint32_t a, LLVMValueRef lane, LLVMValueRef v);

typedef void (*region_body)(cpu *k, void *ud);
/* Emits the loop over the local invocations (all of them when all_lanes,
 * else skipping returned and masked-off ones) around body(k, ud). */
void vy_cpu_invocation_loop(cpu *k, bool all_lanes, region_body body, void *ud);
/* A workgroup-level variable of type t (an entry-block alloca), set to
 * init where the builder is. */
LLVMValueRef vy_cpu_wg_alloca(cpu *k, LLVMTypeRef t, LLVMValueRef init);

/* Evaluates every subgroup operation inside x (innermost first) for the
 * whole workgroup before statement n and records each result array in
 * k->sgmap (lower_cpu_sg.c). Errors go to k->w.st. */
void vy_cpu_sg_prelude(cpu *k, const vy_cn *n, const vy_cx *x);

/* Runs the planning pre-passes over the prepared program: fills k->info
 * (cinfo per statement), has_wg, has_return and the private-atomic
 * decisions (k->priv). Errors go to k->w.st. */
void vy_cpu_plan(cpu *k);

/* The identity of a privatized atomic op (its private copy starts there). */
uint32_t vy_cpu_priv_identity(uint8_t op);

#endif
