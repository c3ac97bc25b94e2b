/* interp_int.h - internals of the reference interpreter, shared by
 * interp_value.c (runtime values), interp_ops.c (operator tables),
 * interp_mem.c (buffers, binding, grid), interp_compile.c (preparation and
 * slot resolution), interp_exec.c (scheduling and evaluation) and the tests.
 *
 * Where vyre-ir.md and vyre's source disagree or the spec is silent, we
 * decided (source file that settled it in parentheses):
 *  - popping an exhausted *scoped* statement list is a step of its own
 *    (hashmap/node_step.rs step_nodes_frame returns Ok(scoped)); the spec's
 *    §4.6 says it is free;
 *  - the grid uses §4.4 as written (later vyre versions also widen it for
 *    workgroup buffers and atomics: hashmap/mod.rs force_full_span);
 *  - an atomic whose index is out of range returns 0 before the op is
 *    checked, so an unsupported op there is no error (hashmap/mod.rs
 *    eval_atomic);
 *  - f32 Min/Max of equal operands (+0 vs -0) return the left operand;
 *  - a Call's f32 result is canonicalized (expr_cast.rs spec_output_value);
 *  - subgroup_shuffle accepts all-u32 or all-float lanes (hashmap/subgroup.rs);
 *  - a subgroup argument is evaluated per lane against a copy of memory
 *    (hashmap/step.rs eval_expr_snapshot clones the buffers), so atomics in
 *    it return values from the real memory and their writes are discarded;
 *  - an async transfer keeps only the bytes that can land in its
 *    destination (equivalent to node_step.rs apply_async_transfer's clip).
 */
#ifndef VYRE_INTERP_INT_H
#define VYRE_INTERP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc_int.h"
#include "vyre/host.h"
#include "vyre/interp.h"
#include "vyre/ir.h"

/* ---- runtime values (vyre-reference value.rs) ---------------------------- */

typedef enum vy_ival_kind { VY_IV_U32, VY_IV_I32, VY_IV_U64, VY_IV_BOOL, VY_IV_FLOAT, VY_IV_BYTES } vy_ival_kind;

#define VY_IVAL_INLINE 16u

/* A runtime value. Float holds an f64 (an f32 widened, except F64 loads).
 * Bytes of length <= 16 are inline; longer ones point to immutable storage
 * that lives at least until the end of the workgroup (ptr == NULL means
 * `len` zero bytes). Plain data: copy by assignment. */
typedef struct vy_ival {
  uint8_t kind; /* vy_ival_kind */
  uint32_t len; /* BYTES: length */
  union {
    uint32_t u32;
    int32_t i32;
    uint64_t u64;
    bool b;
    double f;
    uint8_t inl[VY_IVAL_INLINE];
    const uint8_t *ptr;
  } v;
} vy_ival;

/* A message "what. Fix: hint" produced by a failing operation. */
typedef struct vy_imsg {
  char text[640];
} vy_imsg;

/* Formats into msg (always returns false, for `return vy_imsg_set(...)`). */
bool vy_imsg_set(vy_imsg *msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline vy_ival vy_iv_u32(uint32_t x) {
  vy_ival v = {.kind = VY_IV_U32};
  v.v.u32 = x;
  return v;
}
static inline vy_ival vy_iv_i32(int32_t x) {
  vy_ival v = {.kind = VY_IV_I32};
  v.v.i32 = x;
  return v;
}
static inline vy_ival vy_iv_u64(uint64_t x) {
  vy_ival v = {.kind = VY_IV_U64};
  v.v.u64 = x;
  return v;
}
static inline vy_ival vy_iv_bool(bool x) {
  vy_ival v = {.kind = VY_IV_BOOL};
  v.v.b = x;
  return v;
}
static inline vy_ival vy_iv_float(double x) {
  vy_ival v = {.kind = VY_IV_FLOAT};
  v.v.f = x;
  return v;
}

/* f32 canonicalization (float_ops.rs canonical_f32): NaN -> 0x7FC00000,
 * subnormal -> zero of the same sign, everything else unchanged. */
float vy_f32_canon(float x);
uint32_t vy_f32_bits(float x);
float vy_f32_from_bits(uint32_t b);

/* Bytes value from `len` bytes. len <= 16 copies inline; longer keeps the
 * pointer (caller guarantees its lifetime; NULL = zeros). */
vy_ival vy_iv_bytes(const uint8_t *p, size_t len);
/* Byte `i` of a Bytes value (i < len). */
uint8_t vy_iv_byte_at(const vy_ival *v, size_t i);
/* The value's raw little-endian bytes (value.rs to_bytes): U32/I32/Bool 4,
 * U64/Float 8, Bytes its own. Writes min(len, cap) bytes to dst; returns the
 * full length. */
size_t vy_iv_raw(const vy_ival *v, uint8_t *dst, size_t cap);
/* Writes the raw bytes truncated or zero-padded to exactly `width` bytes. */
void vy_iv_write_width(const vy_ival *v, uint8_t *dst, size_t width);

/* Truthiness (§3.1). */
bool vy_iv_truthy(const vy_ival *v);
/* try_as_u32 / try_as_u64 / try_as_f32 (§3.1, §3.5). false = not representable. */
bool vy_iv_as_u32(const vy_ival *v, uint32_t *out);
bool vy_iv_as_u64(const vy_ival *v, uint64_t *out);
bool vy_iv_as_f32(const vy_ival *v, float *out);
/* Short description for messages, e.g. "u32 7", "bytes[12]". */
void vy_iv_describe(const vy_ival *v, char *buf, size_t cap);

/* ---- operators (interp_ops.c; vyre typed_ops, expr_cast) ---------------- */

/* Each returns true and sets *out, or false with the reference's error in msg. */
bool vy_iop_binop(vy_binop op, const vy_ival *l, const vy_ival *r, vy_ival *out, vy_imsg *msg);
bool vy_iop_unop(vy_unop op, const vy_ival *x, vy_ival *out, vy_imsg *msg);
bool vy_iop_cast(const vy_type *target, const vy_ival *x, vy_ival *out, vy_imsg *msg);
/* Fma after try_as_f32 of each operand (the caller reports which failed). */
vy_ival vy_iop_fma(float a, float b, float c);

/* ---- buffers (interp_mem.c) --------------------------------------------- */

typedef struct vy_ibuf {
  uint8_t *data;              /* owned, `cap` bytes allocated (>= len) */
  size_t len;                 /* byte length */
  size_t cap;                 /* allocated bytes (for freeing) */
  uint32_t stride;            /* DataType::min_bytes */
  const vy_buffer_decl *decl; /* declaration */
  bool workgroup;
  bool is_output;  /* returned as an output */
  bool has_elems;  /* element count fits u32 (always true once bound) */
  uint32_t elems;  /* BufLen */
} vy_ibuf;

/* Element count (BufLen): len / stride, or len when stride is 0. */
uint64_t vy_imem_elem_count(const vy_ibuf *b);

/* Typed load (§4.3). Bytes-buffer tails longer than 16 bytes are copied with
 * `copy_tail(ctx, src, len)` which returns stable storage or NULL (NOMEM).
 * Returns false only when copy_tail failed. */
bool vy_imem_load(const vy_ibuf *b, uint32_t idx, vy_ival *out, const uint8_t *(*copy_tail)(void *, const uint8_t *, size_t),
                  void *ctx);
/* Typed store (§4.3); out of range is dropped. */
void vy_imem_store(vy_ibuf *b, uint32_t idx, const vy_ival *v);
/* Atomic read-modify-write (§4.5) on a storage buffer. Returns false with msg
 * for an unsupported op (only when the index is in range). *old = 0 for OOB. */
bool vy_imem_atomic(vy_ibuf *b, vy_atomic_op op, uint32_t idx, bool has_expected, uint32_t expected, uint32_t value,
                    uint32_t *old, vy_imsg *msg);
/* The zero value a load of this element type gives out of range. */
vy_ival vy_imem_zero_value(const vy_type *t);

/* Binding of inputs to storage buffers (§4.2) and the grid (§4.4). `bufs`
 * has one entry per declaration (workgroup ones left empty). On error the
 * caller frees whatever was allocated with vy_imem_free_bufs. */
typedef struct vy_igrid {
  uint32_t count[3];        /* workgroups per axis */
  uint64_t total_wg;        /* product */
  uint32_t per_wg;          /* invocations per workgroup */
} vy_igrid;

vy_status vy_imem_bind(const vy_program *p, const vy_allocator *alloc, const vy_interp_input *inputs, size_t ninputs,
                       uint64_t max_bytes, vy_ibuf *bufs, uint64_t *used_bytes, vy_igrid *grid, vy_error *err);
void vy_imem_free_bufs(const vy_allocator *alloc, vy_ibuf *bufs, uint32_t n);
/* Workgroup buffers: allocate (once) with the 64 MiB cap. */
vy_status vy_imem_alloc_workgroup(const vy_program *p, const vy_allocator *alloc, vy_ibuf *bufs, uint64_t *used_bytes,
                                  uint64_t max_bytes, vy_error *err);
void vy_imem_zero_workgroup(vy_ibuf *bufs, uint32_t n);
/* Moves the outputs out of `bufs` into `out` (declaration order, ranges). */
vy_status vy_imem_collect_outputs(const vy_allocator *alloc, vy_ibuf *bufs, uint32_t n, vy_interp_outputs *out,
                                  vy_error *err);

/* ---- compiled program (interp_compile.c) -------------------------------- */

#define VY_IX_NONE 0xFFFFFFFFu

typedef struct vy_cx vy_cx;
typedef struct vy_cn vy_cn;

struct vy_cx {
  vy_expr_kind kind;
  uint8_t op;   /* BinOp / UnOp / AtomicOp */
  uint8_t axis; /* id axes */
  uint32_t ref; /* VAR: slot; LOAD/BUF_LEN/ATOMIC: buffer index or VY_IX_NONE; CALL: host op or VY_IX_NONE */
  const vy_cx *a, *b, *c, *d;
  const vy_cx *const *args; /* CALL */
  uint32_t argc;
  vy_ival lit;       /* literals */
  const vy_expr *src; /* names, type, location */
};

typedef struct vy_cl {
  uint32_t count;
  const vy_cn *items;  /* contiguous */
  uint32_t nbind;      /* slots bound by direct Lets (unbound when the scope ends) */
  const uint32_t *bind;
} vy_cl;

struct vy_cn {
  vy_node_kind kind;
  uint32_t slot;  /* LET / ASSIGN / LOOP var */
  uint32_t buf;   /* STORE buffer; ASYNC source */
  uint32_t buf2;  /* ASYNC destination */
  uint32_t tag;   /* ASYNC tag id */
  uint32_t if_id; /* IF containing a Barrier: dense id; else VY_IX_NONE */
  const vy_cx *e0, *e1, *e2;
  vy_cl body, body2;   /* IF: then/else; LOOP/BLOCK/REGION: body */
  const vy_node *src;
  const vy_cn *parent; /* NULL at the entry */
  uint32_t index;      /* position in the parent list */
  uint8_t which;       /* 0 body/entry, 1 then, 2 else */
};

typedef struct vy_host_entry vy_host_entry; /* host.c */

struct vy_interp_prepared {
  vy_allocator alloc_copy;
  const vy_allocator *alloc;
  const vy_allocator *user_alloc; /* the caller's pointer: outputs keep it */
  vy_arena arena;           /* compiled code */
  const vy_program *program; /* the program that runs (user's or derived) */
  vy_program *derived;       /* owned when wrapping/lowering was needed */
  const vy_host_registry *host;
  vy_cl entry;
  uint32_t nslots;           /* distinct variable names */
  const vy_str *slot_names;  /* for messages */
  uint32_t ntags;            /* distinct async tags */
  const vy_str *tag_names;
  uint32_t nbarrier_ifs;
  const vy_cn **if_nodes;    /* nbarrier_ifs entries: the If of each id */
  uint32_t max_frames;       /* frame stack depth needed */
  bool uses_subgroups;
  uint32_t nbufs;            /* = program buffer count */
};

/* vy_interp_prepare with validation optional: tests and the differential
 * fuzzer use validate = false to reach the runtime errors that vyre's
 * interpreter keeps for programs the validator would refuse. */
vy_status vy_interp_prepare_ex(const vy_program *p, const vy_host_registry *host, const vy_allocator *alloc,
                               bool validate, vy_interp_prepared **out, vy_error *err);

/* ---- host calls (host.c) -------------------------------------------------- */

/* Index of op `id` in the registry, or VY_IX_NONE. */
uint32_t vy_host_find(const vy_host_registry *r, const char *id, size_t len);
/* Signature of entry `i`. */
const vy_host_signature *vy_host_sig_at(const vy_host_registry *r, uint32_t i);
/* Calls entry `i` with marshalled arguments (argc == nparams); sets *out. */
void vy_host_call(const vy_host_registry *r, uint32_t i, const vy_ival *args, vy_ival *out);
/* The C function registered as entry `i` (compiled backends call it directly). */
vy_host_fn vy_host_fn_at(const vy_host_registry *r, uint32_t i);

/* ---- execution (interp_exec.c) ------------------------------------------- */

/* Writes the node path ("entry[0].body[2].then[1]") of `n` into buf. */
void vy_interp_node_path(const vy_cn *n, char *buf, size_t cap);

/* Test-only scheduling variants. vyre's order (§4.6) is fixed and defines the
 * result of racy programs; a race-free program gives the same final memory
 * under any interleaving, so the differential tests run generated programs
 * under these orders too and compare (tests/support/diffgen.h). A zeroed
 * struct is vyre's order, bit-identical to vy_interp_execute (steps included). */
typedef struct vy_interp_sched {
  bool reverse_lanes;      /* each round visits the lanes from the highest linear local index down */
  bool reverse_workgroups; /* workgroups run from the last (z, y, x) to the first */
  bool run_to_block;       /* a lane runs until it waits at a barrier or finishes before the next lane
                              starts (one pass per round). Subgroup expressions still read the locals
                              snapshotted at the start of the round, so programs that use them are
                              order-dependent under this variant. */
} vy_interp_sched;

/* vy_interp_execute with a scheduling variant; `sched` NULL = vyre's order.
 * Same contract as vy_interp_execute otherwise. */
vy_status vy_interp_execute_sched(const vy_interp_prepared *pp, const vy_interp_input *inputs, size_t ninputs,
                                  const vy_interp_options *opts, const vy_interp_sched *sched,
                                  vy_interp_outputs *out, vy_error *err);

#endif
