/** @file
 * builder.h - building programs from C.
 *
 * The builder has a sticky error (SQLite's mallocFailed): after the first
 * failure every call is a no-op that returns NULL, and vy_builder_finish
 * reports that first error. Builder code therefore reads straight through
 * with one check at the end.
 *
 * Expressions are created with the vy_b_* expression functions; they are
 * owned by the program under construction and may be used once or several
 * times (sharing is fine: programs are trees only by value, and every pass
 * treats a shared subexpression as a copy).
 *
 * Statements are appended to the *current statement list*. Structured
 * statements open a new list (vy_b_if, vy_b_loop, vy_b_block, vy_b_region)
 * that stays current until the matching vy_b_end; vy_b_else switches an open
 * If to its else branch. The outermost list is the program entry.
 *
 * Strings are copied into the program arena. Statement and expression names
 * are NUL-terminated C strings; a buffer declaration (vy_b_buffer) takes a
 * counted vy_str, so buffer names may hold any bytes. (The text and wire
 * formats can carry any name; the C builder covers the common case.)
 *
 * Thread-safety: a builder is used by one thread at a time.
 */
#ifndef VYRE_BUILDER_H
#define VYRE_BUILDER_H

#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A program under construction (opaque). */
typedef struct vy_builder vy_builder;

/** Creates an empty builder (no buffers, workgroup [1,1,1], empty entry).
 * `alloc` may be NULL (malloc). Returns VY_E_NOMEM on failure, with *out NULL. */
vy_status vy_builder_create(const vy_allocator *alloc, vy_builder **out);
/** Frees the builder and any program it still owns. NULL is a no-op. */
void vy_builder_destroy(vy_builder *b);

/** How vy_builder_finish treats the entry. */
typedef enum vy_finish_mode {
  VY_FINISH_WRAPPED, /**< Program::wrapped: wrap in one Region "vyre.program.root" unless
                        the entry is non-empty and already all Regions (§1.4) */
  VY_FINISH_RAW      /**< keep the entry exactly as built (Program::new, the decoder) */
} vy_finish_mode;

/** Ends construction. On success *out owns the program and the builder is
 * empty again (reusable). On failure returns the first error recorded (also
 * in *err), *out is NULL, and everything built is freed. Fails with
 * VY_E_INVALID_ARGUMENT if a structured statement is still open. */
vy_status vy_builder_finish(vy_builder *b, vy_finish_mode mode, vy_program **out, vy_error *err);

/** The first error recorded so far (VY_OK if none). */
vy_status vy_builder_status(const vy_builder *b);

/* ---- program-level ---- */

/** Sets workgroup_size [x, y, z]. */
void vy_b_workgroup_size(vy_builder *b, uint32_t x, uint32_t y, uint32_t z);
/** Sets the program's entry_op_id; NULL = none. */
void vy_b_entry_op_id(vy_builder *b, const char *op_id);
/** Sets the program's non_composable_with_self flag. */
void vy_b_non_composable_with_self(vy_builder *b, bool on);

/** Adds a buffer by copying `decl` (strings, types and the shape predicate are
 * deep-copied into the arena). Returns the stored copy, or NULL after an error. */
const vy_buffer_decl *vy_b_buffer(vy_builder *b, const vy_buffer_decl *decl);

/** vyre's BufferDecl constructors (§1.3), element given by a payload-free kind.
 * Count defaults to 0; the returned pointer may be passed to vy_b_count. */
const vy_buffer_decl *vy_b_read(vy_builder *b, const char *name, uint32_t binding, vy_type_kind elem);
/** BufferDecl::read_write. */
const vy_buffer_decl *vy_b_read_write(vy_builder *b, const char *name, uint32_t binding, vy_type_kind elem);
/** BufferDecl::uniform. */
const vy_buffer_decl *vy_b_uniform(vy_builder *b, const char *name, uint32_t binding, vy_type_kind elem);
/** BufferDecl::output (read_write, is_output). */
const vy_buffer_decl *vy_b_output(vy_builder *b, const char *name, uint32_t binding, vy_type_kind elem);
/** BufferDecl::workgroup: shared memory of `count` elements. */
const vy_buffer_decl *vy_b_workgroup(vy_builder *b, const char *name, uint32_t count, vy_type_kind elem);
/** Sets the count of a buffer returned by the functions above. */
void vy_b_count(vy_builder *b, const vy_buffer_decl *buf, uint32_t count);

/** A counted string copied into the arena (any bytes). Returns {NULL,0} after
 * an error. */
vy_str vy_b_str(vy_builder *b, const char *s, size_t len);
/** A type with a payload, deep-copied into the arena. */
const vy_type *vy_b_type(vy_builder *b, const vy_type *t);

/* ---- expressions (NULL after an error; NULL operands record an error) ---- */
/** Expr::u32 literal. */
const vy_expr *vy_b_u32(vy_builder *b, uint32_t v);
/** Expr::i32 literal. */
const vy_expr *vy_b_i32(vy_builder *b, int32_t v);
/** Expr::bool literal. */
const vy_expr *vy_b_bool(vy_builder *b, bool v);
/** Expr::f32 literal (canonicalized as vyre does). */
const vy_expr *vy_b_f32(vy_builder *b, float v);
/** Expr::f32 literal from its bit pattern. */
const vy_expr *vy_b_f32_bits(vy_builder *b, uint32_t bits);
/** Expr::var: a name bound by let or a loop. */
const vy_expr *vy_b_var(vy_builder *b, const char *name);
/** Expr::load: buffer[index]. */
const vy_expr *vy_b_load(vy_builder *b, const char *buffer, const vy_expr *index);
/** Expr::buf_len: the element count of a buffer. */
const vy_expr *vy_b_buf_len(vy_builder *b, const char *buffer);
/** Expr::InvocationId: global id on axis 0..2 (gid.x ...). */
const vy_expr *vy_b_invocation_id(vy_builder *b, uint8_t axis);
/** Expr::WorkgroupId on axis 0..2. */
const vy_expr *vy_b_workgroup_id(vy_builder *b, uint8_t axis);
/** Expr::LocalId on axis 0..2. */
const vy_expr *vy_b_local_id(vy_builder *b, uint8_t axis);
/** Expr::BinOp op(l, r). */
const vy_expr *vy_b_bin(vy_builder *b, vy_binop op, const vy_expr *l, const vy_expr *r);
/** Expr::BinOp with an extension op id. */
const vy_expr *vy_b_bin_ext(vy_builder *b, uint32_t ext_id, const vy_expr *l, const vy_expr *r);
/** Expr::UnOp op(x). */
const vy_expr *vy_b_un(vy_builder *b, vy_unop op, const vy_expr *x);
/** Expr::UnOp with an extension op id. */
const vy_expr *vy_b_un_ext(vy_builder *b, uint32_t ext_id, const vy_expr *x);
/** Expr::Call of op `op_id` with `argc` arguments (copied). */
const vy_expr *vy_b_call(vy_builder *b, const char *op_id, uint32_t argc, const vy_expr *const *args);
/** Expr::Select: c ? t : f. */
const vy_expr *vy_b_select(vy_builder *b, const vy_expr *c, const vy_expr *t, const vy_expr *f);
/** Expr::Cast of v to `target`. */
const vy_expr *vy_b_cast(vy_builder *b, const vy_type *target, const vy_expr *v);
/** expected may be NULL; ext_id is used only with VY_ATOMIC_OPAQUE. */
const vy_expr *vy_b_atomic(vy_builder *b, vy_atomic_op op, uint32_t ext_id, vy_ordering ord, const char *buffer,
                           const vy_expr *index, const vy_expr *expected, const vy_expr *value);
/** Expr::Fma: a * x + c, one rounding. */
const vy_expr *vy_b_fma(vy_builder *b, const vy_expr *a, const vy_expr *x, const vy_expr *c);
/** Subgroup sum of v. */
const vy_expr *vy_b_subgroup_add(vy_builder *b, const vy_expr *v);
/** V of subgroup lane `lane`. */
const vy_expr *vy_b_subgroup_shuffle(vy_builder *b, const vy_expr *v, const vy_expr *lane);
/** Subgroup ballot of cond. */
const vy_expr *vy_b_subgroup_ballot(vy_builder *b, const vy_expr *cond);
/** The invocation's lane in its subgroup. */
const vy_expr *vy_b_subgroup_local_id(vy_builder *b);
/** The subgroup size. */
const vy_expr *vy_b_subgroup_size(vy_builder *b);
/** Expr::Opaque: extension `kind` with its payload (copied). */
const vy_expr *vy_b_opaque_expr(vy_builder *b, const char *kind, const uint8_t *payload, uint32_t len);
/** Expr::u64/i64/f64 wide literals: Opaque "vyre.literal.{u64,i64,f64}" with an 8-byte LE payload. */
const vy_expr *vy_b_lit_u64(vy_builder *b, uint64_t v);
/** Wide i64 literal (see vy_b_lit_u64). */
const vy_expr *vy_b_lit_i64(vy_builder *b, int64_t v);
/** Wide f64 literal (see vy_b_lit_u64). */
const vy_expr *vy_b_lit_f64(vy_builder *b, double v);

/* ---- statements (appended to the current list) ---- */
/** Node::Let: binds `name` to value. */
void vy_b_let(vy_builder *b, const char *name, const vy_expr *value);
/** Node::Assign: rebinds `name`. */
void vy_b_assign(vy_builder *b, const char *name, const vy_expr *value);
/** Node::Store: buffer[index] = value. */
void vy_b_store(vy_builder *b, const char *buffer, const vy_expr *index, const vy_expr *value);
/** Node::If on cond; opens its then-branch. */
void vy_b_if(vy_builder *b, const vy_expr *cond);
void vy_b_else(vy_builder *b); /**< switches the innermost open If to else */
/** Node::Loop: var from `from` to `to` (exclusive); opens its body. */
void vy_b_loop(vy_builder *b, const char *var, const vy_expr *from, const vy_expr *to);
/** Node::Block; opens its body. */
void vy_b_block(vy_builder *b);
/** source may be NULL (no source_region). */
void vy_b_region(vy_builder *b, const char *generator, const char *source);
/** Closes the innermost open If, Loop, Block or Region. */
void vy_b_end(vy_builder *b);
/** Node::Return. */
void vy_b_return(vy_builder *b);
/** Node::Barrier with memory ordering `ord`. */
void vy_b_barrier(vy_builder *b, vy_ordering ord);
/** Node::IndirectDispatch reading counts from count_buffer at count_offset. */
void vy_b_indirect_dispatch(vy_builder *b, const char *count_buffer, uint64_t count_offset);
/** Node::AsyncLoad of `size` bytes from src to dst at offset, under `tag`. */
void vy_b_async_load(vy_builder *b, const char *src, const char *dst, const vy_expr *offset, const vy_expr *size,
                     const char *tag);
/** Node::AsyncStore of `size` bytes from src to dst at offset, under `tag`. */
void vy_b_async_store(vy_builder *b, const char *src, const char *dst, const vy_expr *offset, const vy_expr *size,
                      const char *tag);
/** Node::AsyncWait for `tag`. */
void vy_b_async_wait(vy_builder *b, const char *tag);
/** Node::Trap at `address` with `tag`. */
void vy_b_trap(vy_builder *b, const vy_expr *address, const char *tag);
/** Node::Resume of `tag`. */
void vy_b_resume(vy_builder *b, const char *tag);
/** Node::AllReduce of a buffer over `group`. */
void vy_b_all_reduce(vy_builder *b, const char *buffer, vy_collective_op op, uint32_t group);
/** Node::AllGather from input to output over `group`. */
void vy_b_all_gather(vy_builder *b, const char *input, const char *output, uint32_t group);
/** Node::ReduceScatter from input to output over `group`. */
void vy_b_reduce_scatter(vy_builder *b, const char *input, const char *output, vy_collective_op op, uint32_t group);
/** Node::Broadcast of a buffer from `root` over `group`. */
void vy_b_broadcast(vy_builder *b, const char *buffer, uint32_t root, uint32_t group);
/** Node::Opaque: extension `kind` with its payload (copied). */
void vy_b_opaque_node(vy_builder *b, const char *kind, const uint8_t *payload, uint32_t len);

#ifdef __cplusplus
}
#endif
#endif
