/** @file
 * ir.h - the vyre IR in memory (vyre-ir.md §1-§2).
 *
 * A vy_program owns an arena. Every node, expression, type payload and
 * string reachable from it lives in that arena and is freed by one
 * vy_program_destroy. The structs below are the read-only view of a program
 * that users, the validator, the formats and the backends walk; they are
 * created by the builder (builder.h), the text parser (text.h) or the wire
 * decoder (wire.h), never by hand. Programs are immutable once built, so any
 * number of threads may read one program at the same time.
 *
 * Enum values are the rows of the *.def tables; wire tags are a column of
 * those tables and never the enum position (vy_*_tag / vy_*_from_tag map).
 */
#ifndef VYRE_IR_H
#define VYRE_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VY_SIZE_NONE 0xFFFFFFFFu /**< DataType::size_bytes() is None */
#define VY_NO_TAG 0xFFu          /**< variant has no wire tag (WriteOnly) */

/** Static result-type rules of the op tables (validator, typecheck.rs). */
typedef enum vy_result_rule { VY_RT_SAME, VY_RT_BOOL, VY_RT_U32, VY_RT_F32, VY_RT_UNKNOWN } vy_result_rule;
/** Op flags of binop.def. */
#define VY_OPF_COMMUTATIVE 0x1u /**< operands may be swapped */
#define VY_OPF_SWAP_NONLIT 0x2u /**< canonical operand order: a non-literal operand goes first */

/* ---- enums, each an expansion of its table ---------------------------- */

/** DataType kinds (types.def). */
typedef enum vy_type_kind {
#define VY_TYPE(ID, tag, name, mb, sb) VY_TYPE_##ID,
#include "types.def"
  VY_TYPE_COUNT
} vy_type_kind;

/** BinOp operators (binop.def). */
typedef enum vy_binop {
#define VY_BINOP(ID, tag, name, rt, fl) VY_BINOP_##ID,
#include "binop.def"
  VY_BINOP_COUNT
} vy_binop;

/** UnOp operators (unop.def). */
typedef enum vy_unop {
#define VY_UNOP(ID, tag, name, rt) VY_UNOP_##ID,
#include "unop.def"
  VY_UNOP_COUNT
} vy_unop;

/** Statement (Node) kinds (node.def). */
typedef enum vy_node_kind {
#define VY_NODE(ID, tag, name, op) VY_NODE_##ID,
#include "node.def"
  VY_NODE_COUNT
} vy_node_kind;

/** Expression kinds (expr.def). */
typedef enum vy_expr_kind {
#define VY_EXPR(ID, tag, name) VY_EXPR_##ID,
#include "expr.def"
  VY_EXPR_COUNT
} vy_expr_kind;

/** BufferAccess modes (enums.def). */
typedef enum vy_access {
#define VY_ACCESS(ID, tag, name) VY_ACCESS_##ID,
#include "enums.def"
  VY_ACCESS_COUNT
} vy_access;

/** MemoryKind of a buffer (enums.def). */
typedef enum vy_memory_kind {
#define VY_MEMKIND(ID, tag, key, name) VY_MEMKIND_##ID,
#include "enums.def"
  VY_MEMKIND_COUNT
} vy_memory_kind;

/** Memory orderings of atomics and barriers (enums.def). */
typedef enum vy_ordering {
#define VY_ORDERING(ID, tag, name) VY_ORDERING_##ID,
#include "enums.def"
  VY_ORDERING_COUNT
} vy_ordering;

/** Atomic operations (enums.def). */
typedef enum vy_atomic_op {
#define VY_ATOMIC(ID, tag, name) VY_ATOMIC_##ID,
#include "enums.def"
  VY_ATOMIC_COUNT
} vy_atomic_op;

/** Collective reduction operators (enums.def). */
typedef enum vy_collective_op {
#define VY_COLLECTIVE(ID, tag, name) VY_COLLECTIVE_##ID,
#include "enums.def"
  VY_COLLECTIVE_COUNT
} vy_collective_op;

/** Cache-locality hints (enums.def). */
typedef enum vy_cache_locality {
#define VY_LOCALITY(ID, tag, name) VY_LOCALITY_##ID,
#include "enums.def"
  VY_LOCALITY_COUNT
} vy_cache_locality;

/** Linear (use-count) types of buffers (enums.def). */
typedef enum vy_linear_type {
#define VY_LINEAR(ID, name) VY_LINEAR_##ID,
#include "enums.def"
  VY_LINEAR_COUNT
} vy_linear_type;

/** Quantization scale granularity (enums.def). */
typedef enum vy_qscale {
#define VY_QSCALE(ID, tag, name) VY_QSCALE_##ID,
#include "enums.def"
  VY_QSCALE_COUNT
} vy_qscale;

/** Quantization zero-point kinds (enums.def). */
typedef enum vy_qzero {
#define VY_QZERO(ID, tag, name) VY_QZERO_##ID,
#include "enums.def"
  VY_QZERO_COUNT
} vy_qzero;

/* ---- strings and types -------------------------------------------------- */

/** A length-counted UTF-8 string in the program's arena. `ptr` is also
 * NUL-terminated, but the string may contain NUL bytes: use `len`. */
typedef struct vy_str {
  const char *ptr; /**< the bytes, NUL-terminated */
  uint32_t len;    /**< number of bytes, the NUL excluded */
} vy_str;

/** Where a node or expression came from in a text file (0,0 = unknown:
 * built in C or decoded from wire). Not part of identity or equality. */
typedef struct vy_srcloc {
  uint32_t line; /**< 1-based line, 0 = unknown */
  uint32_t col;  /**< 1-based column, 0 = unknown */
} vy_srcloc;

/** A DataType. Payload-free kinds use only `kind`; payload pointers point into
 * the owning program's arena (or to static storage for the vy_type_* constants). */
typedef struct vy_type vy_type;
struct vy_type {
  vy_type_kind kind; /**< which DataType */
  /** the payload of kinds that have one */
  union {
    uint32_t array_element_size; /**< ARRAY */
    uint32_t handle_id;          /**< HANDLE (TypeId) */
    uint32_t opaque_id;          /**< OPAQUE (ExtensionDataTypeId; bit 31 set to decode) */
    struct {
      const vy_type *element;
      uint8_t count;
    } vec; /**< VEC */
    struct {
      const vy_type *element;
      uint32_t rank;
      const uint32_t *dims;
    } tensor; /**< TENSOR_SHAPED */
    struct {
      const vy_type *element;
    } sparse; /**< SPARSE_CSR, SPARSE_COO */
    struct {
      const vy_type *element;
      uint32_t block_rows, block_cols;
    } bsr; /**< SPARSE_BSR */
    struct {
      uint32_t naxes;
      const uint32_t *axes;
    } mesh; /**< DEVICE_MESH */
    struct {
      const vy_type *storage;
      vy_qscale scale;
      uint32_t scale_param; /**< axis or group size; 0 for PER_TENSOR */
      vy_qzero zero_point;
      uint32_t zero_point_param; /**< axis or group size; 0 for ABSENT/PER_TENSOR */
    } quant;                     /**< QUANTIZED */
  } u;
};

/* ---- buffers ------------------------------------------------------------ */

/** MemoryHints of a buffer declaration (performance hints only). */
typedef struct vy_memory_hints {
  bool has_coalesce_axis;           /**< coalesce_axis is set */
  uint8_t coalesce_axis;            /**< the axis along which accesses coalesce */
  uint32_t preferred_alignment;     /**< 0 = no preference */
  vy_cache_locality cache_locality; /**< expected reuse */
} vy_memory_hints;

/** ShapePredicate (not serialized; checked by the validator against `count`). */
typedef enum vy_shape_pred_kind {
  VY_SHAPE_AT_LEAST,
  VY_SHAPE_AT_MOST,
  VY_SHAPE_EXACTLY,
  VY_SHAPE_MULTIPLE_OF,
  VY_SHAPE_MOD_EQUALS,
  VY_SHAPE_AFFINE_RANGE,
  VY_SHAPE_AND,
  VY_SHAPE_OR,
  VY_SHAPE_NOT
} vy_shape_pred_kind;

/** A ShapePredicate: a constraint on a buffer's element count. */
typedef struct vy_shape_pred vy_shape_pred;
struct vy_shape_pred {
  vy_shape_pred_kind kind; /**< which predicate */
  /** its operands, by kind */
  union {
    uint32_t n; /**< AT_LEAST, AT_MOST, EXACTLY, MULTIPLE_OF */
    struct {
      uint32_t modulus, remainder;
    } mod; /**< MOD_EQUALS */
    struct {
      int64_t scale, offset, min, max;
    } affine; /**< AFFINE_RANGE: min <= count*scale+offset <= max, in 128 bits */
    struct {
      const vy_shape_pred *left, *right;
    } both;                     /**< AND, OR */
    const vy_shape_pred *inner; /**< NOT */
  } u;
};

/** BufferDecl (vyre-ir.md §1.3). */
typedef struct vy_buffer_decl {
  vy_str name;                          /**< the buffer's name (any bytes) */
  uint32_t binding;                     /**< ignored for workgroup buffers */
  vy_access access;                     /**< read, read_write, uniform, workgroup, ... */
  vy_memory_kind kind;                  /**< memory kind (vy_memory_kind_default of access unless set) */
  vy_type element;                      /**< element type */
  uint32_t count;                       /**< 0 = runtime-sized */
  bool is_output;                       /**< an output the backend allocates (starts zeroed) */
  bool pipeline_live_out;               /**< kept live after the program (with read_write: backend-allocated) */
  bool has_output_range;                /**< only range_start..range_end of it is returned */
  uint64_t range_start;                 /**< first byte returned, when has_output_range */
  uint64_t range_end;                   /**< end of the returned bytes (exclusive), when has_output_range */
  vy_memory_hints hints;                /**< performance hints */
  bool bytes_extraction;                /**< not serialized: BufferDecl::bytes_extraction */
  vy_linear_type linear_type;           /**< not serialized: use-count discipline */
  const vy_shape_pred *shape_predicate; /**< NULL = none */
  vy_srcloc loc;                        /**< declaration site in text, or 0,0 */
} vy_buffer_decl;

/* ---- expressions -------------------------------------------------------- */

typedef struct vy_expr vy_expr;
/** An expression (Expr). Read-only; lives in its program's arena. */
struct vy_expr {
  vy_expr_kind kind; /**< which Expr variant */
  vy_srcloc loc;     /**< source position in text, or 0,0 */
  /** the variant's fields, by kind */
  union {
    uint32_t lit_u32;
    int32_t lit_i32;
    bool lit_bool;
    uint32_t lit_f32_bits; /**< the f32 bit pattern as given (not canonicalized) */
    vy_str var;            /**< VAR */
    struct {
      vy_str buffer;
      const vy_expr *index;
    } load;
    vy_str buf_len; /**< BUF_LEN: the buffer name */
    uint8_t axis;   /**< INVOCATION_ID, WORKGROUP_ID, LOCAL_ID (decoder does not range-check) */
    struct {
      vy_binop op;
      uint32_t ext_id; /**< OPAQUE only */
      const vy_expr *left, *right;
    } bin;
    struct {
      vy_unop op;
      uint32_t ext_id; /**< OPAQUE only */
      const vy_expr *operand;
    } un;
    struct {
      vy_str op_id;
      uint32_t argc;
      const vy_expr *const *args;
    } call;
    struct {
      const vy_expr *cond, *if_true, *if_false;
    } select;
    struct {
      vy_type target;
      const vy_expr *value;
    } cast;
    struct {
      vy_atomic_op op;
      uint32_t ext_id; /**< OPAQUE only */
      vy_ordering ordering;
      vy_str buffer;
      const vy_expr *index;
      const vy_expr *expected; /**< NULL = none (required for COMPARE_EXCHANGE) */
      const vy_expr *value;
    } atomic;
    struct {
      const vy_expr *a, *b, *c;
    } fma;
    const vy_expr *subgroup_add; /**< SUBGROUP_ADD: the value */
    struct {
      const vy_expr *value, *lane;
    } shuffle;                      /**< SUBGROUP_SHUFFLE */
    const vy_expr *subgroup_ballot; /**< SUBGROUP_BALLOT: the condition */
    struct {
      vy_str kind; /**< extension kind, e.g. "vyre.literal.u64" */
      uint32_t len;
      const uint8_t *payload;
    } opaque; /**< OPAQUE */
  } u;
};

/* ---- nodes -------------------------------------------------------------- */

typedef struct vy_node vy_node;

/** A statement list. `items` is NULL when count is 0. */
typedef struct vy_node_list {
  uint32_t count;              /**< number of statements */
  const vy_node *const *items; /**< the statements, in order */
} vy_node_list;

/** A statement (Node). Read-only; lives in its program's arena. */
struct vy_node {
  vy_node_kind kind; /**< which Node variant */
  vy_srcloc loc;     /**< source position in text, or 0,0 */
  /** the variant's fields, by kind */
  union {
    struct {
      vy_str name;
      const vy_expr *value;
    } let, assign; /**< LET, ASSIGN */
    struct {
      vy_str buffer;
      const vy_expr *index, *value;
    } store;
    struct {
      const vy_expr *cond;
      vy_node_list then_body, else_body;
    } if_;
    struct {
      vy_str var;
      const vy_expr *from, *to;
      vy_node_list body;
    } loop;
    vy_node_list block;  /**< BLOCK */
    vy_ordering barrier; /**< BARRIER */
    struct {
      vy_str count_buffer;
      uint64_t count_offset;
    } indirect; /**< INDIRECT_DISPATCH */
    struct {
      vy_str source, destination;
      const vy_expr *offset, *size;
      vy_str tag;
    } async_copy; /**< ASYNC_LOAD, ASYNC_STORE */
    vy_str tag;   /**< ASYNC_WAIT, RESUME */
    struct {
      vy_str generator;
      bool has_source;
      vy_str source; /**< source_region name, when has_source */
      vy_node_list body;
    } region;
    struct {
      const vy_expr *address;
      vy_str tag;
    } trap;
    struct {
      vy_str buffer;
      vy_collective_op op;
      uint32_t group;
    } all_reduce;
    struct {
      vy_str input, output;
      uint32_t group;
    } all_gather;
    struct {
      vy_str input, output;
      vy_collective_op op;
      uint32_t group;
    } reduce_scatter;
    struct {
      vy_str buffer;
      uint32_t root, group;
    } broadcast;
    struct {
      vy_str kind;
      uint32_t len;
      const uint8_t *payload;
    } opaque;
  } u;
};

/* ---- the program -------------------------------------------------------- */

/** A program (opaque; read through the accessors below). Immutable once built. */
typedef struct vy_program vy_program;

/** Frees the program and everything in its arena. NULL is a no-op. */
void vy_program_destroy(vy_program *p);

/** Read accessors. The returned pointers live as long as the program. */
uint32_t vy_program_buffer_count(const vy_program *p);
const vy_buffer_decl *vy_program_buffer(const vy_program *p, uint32_t i); /**< declaration order */
const vy_node_list *vy_program_entry(const vy_program *p);                /**< the entry statement list */
/** Writes the program's workgroup_size [x, y, z] to out. */
void vy_program_workgroup_size(const vy_program *p, uint32_t out[3]);
/** entry_op_id: returns false when absent. */
bool vy_program_entry_op_id(const vy_program *p, vy_str *out);
bool vy_program_non_composable_with_self(const vy_program *p); /**< the program's flag of that name */
/** The buffer with this name, or NULL. Storage buffers are found before workgroup ones. */
const vy_buffer_decl *vy_program_find_buffer(const vy_program *p, const char *name, size_t len);

/** The direct sub-expressions of `e`, in evaluation order: Load index; BinOp
 * left, right; UnOp operand; Call arguments; Select cond, true, false; Cast
 * value; Atomic index, expected, value; Fma a, b, c; subgroup operands.
 * vy_expr_child returns NULL for i out of range and for an Atomic without
 * `expected` (child 1), so walks skip NULL children. */
/**@{*/
uint32_t vy_expr_child_count(const vy_expr *e);
const vy_expr *vy_expr_child(const vy_expr *e, uint32_t i);
/**@}*/

/** The memory kind vyre's BufferDecl::storage gives an access mode (§1.3):
 * read -> readonly, uniform -> uniform, workgroup -> shared, else global. */
vy_memory_kind vy_memory_kind_default(vy_access a);

/** Buffer roles in a dispatch (vyre-ir.md §4.2), shared by every backend:
 * - backend-allocated: not workgroup, and is_output, WriteOnly, or
 *   (pipeline_live_out and ReadWrite): starts zeroed, takes no input;
 * - input: not workgroup and not backend-allocated: takes the next input;
 * - returned: not workgroup, and backend-allocated or ReadWrite. */
/**@{*/
bool vy_buffer_is_backend_allocated(const vy_buffer_decl *d);
bool vy_buffer_is_input(const vy_buffer_decl *d);
bool vy_buffer_is_returned(const vy_buffer_decl *d);
/**@}*/

/** The top-level Region invariant (§1.4): entry non-empty and every node a Region. */
bool vy_program_is_region_wrapped(const vy_program *p);

/** The program fingerprint (§6): BLAKE3 of the canonical wire blob, computed
 * once when the program was built and kept. Returns false, leaving `out`
 * untouched, when vyre's encoder would reject the program (WriteOnly buffer,
 * sparse element, ...): such a program has no portable identity. */
bool vy_program_fingerprint(const vy_program *p, uint8_t out[32]);

/** Structural equality as vyre's structural_eq: entry_op_id, flag, workgroup
 * size, entry tree, and buffers compared as a multiset. */
bool vy_program_equal(const vy_program *a, const vy_program *b);

/* ---- table lookups (expansions of the *.def tables) -------------------- */

/**@{*/
/** Table lookups of vy_type_kind: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_type_kind_name(vy_type_kind k);
uint8_t vy_type_kind_tag(vy_type_kind k);
bool vy_type_kind_from_tag(uint8_t tag, vy_type_kind *out);
/**@}*/
/**@{*/
/** DataType::min_bytes (the reference stride) and size_bytes (VY_SIZE_NONE if none). */
uint32_t vy_type_min_bytes(const vy_type *t);
uint32_t vy_type_size_bytes(const vy_type *t);
/**@}*/
/** Structural equality of two DataTypes (payloads compared deeply). */
bool vy_type_equal(const vy_type *a, const vy_type *b);
/** Static constant for a payload-free kind (NULL for kinds with a payload). */
const vy_type *vy_type_scalar(vy_type_kind k);

/**@{*/
/** Table lookups of vy_binop: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it), `_result_rule` the static result type and
 * `_flags` the VY_OPF_* bits. */
const char *vy_binop_name(vy_binop op);
uint8_t vy_binop_tag(vy_binop op);
bool vy_binop_from_tag(uint8_t tag, vy_binop *out);
vy_result_rule vy_binop_result_rule(vy_binop op);
unsigned vy_binop_flags(vy_binop op);
/**@}*/

/**@{*/
/** Table lookups of vy_unop: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it), `_result_rule` the static result type. */
const char *vy_unop_name(vy_unop op);
uint8_t vy_unop_tag(vy_unop op);
bool vy_unop_from_tag(uint8_t tag, vy_unop *out);
vy_result_rule vy_unop_result_rule(vy_unop op);
/**@}*/

/**@{*/
/** Table lookups of vy_node_kind: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_node_kind_name(vy_node_kind k);
uint8_t vy_node_kind_tag(vy_node_kind k);
bool vy_node_kind_from_tag(uint8_t tag, vy_node_kind *out);
/**@}*/
/** node_op_id(): the record op id; for OPAQUE nodes, the extension kind. */
vy_str vy_node_op_id(const vy_node *n);

/**@{*/
/** Table lookups of vy_expr_kind: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_expr_kind_name(vy_expr_kind k);
uint8_t vy_expr_kind_tag(vy_expr_kind k);
bool vy_expr_kind_from_tag(uint8_t tag, vy_expr_kind *out);
/**@}*/

/**@{*/
/** Table lookups of vy_access: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_access_name(vy_access a);
uint8_t vy_access_tag(vy_access a); /**< VY_NO_TAG for WRITE_ONLY */
bool vy_access_from_tag(uint8_t tag, vy_access *out);
/**@}*/

/**@{*/
/** Table lookups of vy_memory_kind: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_memory_kind_name(vy_memory_kind k);
uint8_t vy_memory_kind_tag(vy_memory_kind k);
uint8_t vy_memory_kind_key(vy_memory_kind k); /**< canonical sort-key value */
bool vy_memory_kind_from_tag(uint8_t tag, vy_memory_kind *out);
/**@}*/

/**@{*/
/** Table lookups of vy_ordering: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_ordering_name(vy_ordering o);
uint8_t vy_ordering_tag(vy_ordering o);
bool vy_ordering_from_tag(uint8_t tag, vy_ordering *out);
/**@}*/

/**@{*/
/** Table lookups of vy_atomic_op: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_atomic_op_name(vy_atomic_op o);
uint8_t vy_atomic_op_tag(vy_atomic_op o);
bool vy_atomic_op_from_tag(uint8_t tag, vy_atomic_op *out);
/**@}*/

/**@{*/
/** Table lookups of vy_collective_op: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_collective_op_name(vy_collective_op o);
uint8_t vy_collective_op_tag(vy_collective_op o);
bool vy_collective_op_from_tag(uint8_t tag, vy_collective_op *out);
/**@}*/

/**@{*/
/** Table lookups of vy_cache_locality: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_cache_locality_name(vy_cache_locality l);
uint8_t vy_cache_locality_tag(vy_cache_locality l);
bool vy_cache_locality_from_tag(uint8_t tag, vy_cache_locality *out);
/**@}*/

/**@{*/
/** Table lookups of vy_linear_type: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_linear_type_name(vy_linear_type l);
/**@}*/

/**@{*/
/** Table lookups of vy_qscale: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_qscale_name(vy_qscale s);
uint8_t vy_qscale_tag(vy_qscale s);
bool vy_qscale_from_tag(uint8_t tag, vy_qscale *out);
/**@}*/

/**@{*/
/** Table lookups of vy_qzero: `_name` gives the spelling used in text and messages
 * (static storage), `_tag` the wire tag, `_from_tag` maps a wire tag back
 * (false when no variant has it). */
const char *vy_qzero_name(vy_qzero z);
uint8_t vy_qzero_tag(vy_qzero z);
bool vy_qzero_from_tag(uint8_t tag, vy_qzero *out);
/**@}*/

#ifdef __cplusplus
}
#endif
#endif
