/* builder.c - the C builder (builder.h): a sticky-error program builder.
 *
 * Statements are collected in a stack of open frames, one per structured
 * statement being built (the bottom frame is the program entry). Closing a
 * frame moves its heap list into the arena and appends the finished node to
 * the parent frame, so arena lists are exact-sized.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error_int.h"
#include "program_int.h"
#include "vyre/builder.h"

typedef struct frame {
  vy_node *node;   /* NULL for the entry frame */
  bool in_else;    /* If frames: collecting the else branch */
  vy_ptrvec list;  /* statements of the current branch/body */
  vy_ptrvec other; /* If frames: the finished then-branch while in else */
} frame;

struct vy_builder {
  vy_allocator alloc_copy;
  const vy_allocator *alloc;
  vy_program *p;       /* program under construction; created lazily by ok() */
  vy_ptrvec buffers;   /* vy_buffer_decl* in the arena, declaration order */
  frame *frames;       /* frames[0] = entry */
  size_t nframes, cap_frames;
  vy_error err;        /* the first error */
};

/* ---- sticky error ---- */

/* True when the builder can take another call: no error recorded and a
 * program to build into (created here on first use after create/finish, so
 * that a successful finish never fails while preparing for reuse). */
static bool ok(vy_builder *b) {
  if (!b || b->err.code != VY_OK) return false;
  if (!b->p && !(b->p = vy_program_new(b->alloc))) vy_error_nomem(&b->err);
  return b->p != NULL;
}

static void fail(vy_builder *b, vy_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(vy_builder *b, vy_status code, const char *fmt, ...) {
  if (!b || b->err.code != VY_OK) return;
  va_list ap;
  va_start(ap, fmt);
  char msg[VY_ERROR_MESSAGE_MAX];
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  vy_error_set(&b->err, code, "%s", msg);
}

static void nomem(vy_builder *b) {
  if (b && b->err.code == VY_OK) vy_error_nomem(&b->err);
}

/* ---- lifecycle ---- */

static void frames_free(vy_builder *b) {
  for (size_t i = 0; i < b->nframes; i++) {
    vy_ptrvec_free(&b->frames[i].list);
    vy_ptrvec_free(&b->frames[i].other);
  }
  b->nframes = 0;
}

/* Drops everything built so far and the recorded error; the next call
 * starts a fresh program. */
static void reset(vy_builder *b) {
  frames_free(b);
  vy_ptrvec_free(&b->buffers);
  vy_program_destroy(b->p);
  b->p = NULL;
  vy_error_clear(&b->err);
  b->nframes = 1;
  memset(&b->frames[0], 0, sizeof b->frames[0]);
  vy_ptrvec_init(&b->frames[0].list, b->alloc);
  vy_ptrvec_init(&b->frames[0].other, b->alloc);
}

vy_status vy_builder_create(const vy_allocator *alloc, vy_builder **out) {
  if (!out) return VY_E_INVALID_ARGUMENT;
  *out = NULL;
  vy_builder *b = vy_mem_calloc(alloc, 1, sizeof *b);
  if (!b) return VY_E_NOMEM;
  if (alloc) {
    b->alloc_copy = *alloc;
    b->alloc = &b->alloc_copy;
  }
  vy_ptrvec_init(&b->buffers, b->alloc);
  b->cap_frames = 8;
  b->frames = vy_mem_calloc(b->alloc, b->cap_frames, sizeof *b->frames);
  if (!b->frames) {
    vy_mem_free(b->alloc, b, sizeof *b);
    return VY_E_NOMEM;
  }
  reset(b);
  *out = b;
  return VY_OK;
}

void vy_builder_destroy(vy_builder *b) {
  if (!b) return;
  frames_free(b);
  vy_ptrvec_free(&b->buffers);
  vy_program_destroy(b->p);
  vy_mem_free(b->alloc, b->frames, b->cap_frames * sizeof *b->frames);
  vy_mem_free(b->alloc, b, sizeof *b);
}

vy_status vy_builder_status(const vy_builder *b) { return b ? b->err.code : VY_E_INVALID_ARGUMENT; }

vy_status vy_builder_finish(vy_builder *b, vy_finish_mode mode, vy_program **out, vy_error *err) {
  if (out) *out = NULL;
  if (!b || !out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_builder_finish: NULL argument. Fix: pass a builder and an output pointer");
  if (ok(b) && b->nframes != 1)
    fail(b, VY_E_INVALID_ARGUMENT,
         "vy_builder_finish: %zu structured statement(s) still open. Fix: close each vy_b_if/vy_b_loop/vy_b_block/"
         "vy_b_region with vy_b_end before finishing",
         b->nframes - 1);
  if (ok(b)) {
    vy_program *p = b->p;
    p->nbuffers = (uint32_t)b->buffers.count;
    p->buffers = vy_arena_array(&p->arena, b->buffers.count, sizeof *p->buffers);
    if (!p->buffers) nomem(b);
    for (size_t i = 0; ok(b) && i < b->buffers.count; i++) p->buffers[i] = *(vy_buffer_decl *)b->buffers.items[i];
    if (ok(b) && !vy_node_list_from_vec(p, &b->frames[0].list, &p->entry)) nomem(b);
    if (ok(b) && mode == VY_FINISH_WRAPPED && !vy_program_wrap_entry(p)) nomem(b);
    if (ok(b)) {
      vy_error serr;
      if (vy_program_seal(p, &serr) != VY_OK) b->err = serr;
    }
  }
  vy_status st = b->err.code;
  if (st == VY_OK) {
    *out = b->p;
    b->p = NULL;
  } else if (err) {
    *err = b->err;
  }
  reset(b);
  return st;
}

/* ---- program-level ---- */

void vy_b_workgroup_size(vy_builder *b, uint32_t x, uint32_t y, uint32_t z) {
  if (!ok(b)) return;
  b->p->workgroup_size[0] = x;
  b->p->workgroup_size[1] = y;
  b->p->workgroup_size[2] = z;
}

void vy_b_entry_op_id(vy_builder *b, const char *op_id) {
  if (!ok(b)) return;
  b->p->has_entry_op_id = op_id != NULL;
  if (op_id && !vy_str_make(b->p, op_id, strlen(op_id), &b->p->entry_op_id)) nomem(b);
}

void vy_b_non_composable_with_self(vy_builder *b, bool on) {
  if (ok(b)) b->p->non_composable_with_self = on;
}

const vy_buffer_decl *vy_b_buffer(vy_builder *b, const vy_buffer_decl *decl) {
  if (!ok(b)) return NULL;
  if (!decl) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_buffer: NULL declaration. Fix: pass a filled vy_buffer_decl");
    return NULL;
  }
  if (b->buffers.count >= UINT32_MAX) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_buffer: too many buffers. Fix: declare fewer than 2^32 buffers");
    return NULL;
  }
  vy_buffer_decl *d = vy_arena_alloc(&b->p->arena, sizeof *d);
  if (!d || !vy_buffer_copy(b->p, decl, d) || vy_ptrvec_push(&b->buffers, d)) {
    nomem(b);
    return NULL;
  }
  return d;
}

/* vyre's BufferDecl::storage defaults (§1.3). */
static const vy_buffer_decl *storage(vy_builder *b, const char *name, uint32_t binding, vy_access access,
                                     vy_type_kind elem, bool output) {
  if (!ok(b)) return NULL;
  const vy_type *t = vy_type_scalar(elem);
  if (!name || !t) {
    fail(b, VY_E_INVALID_ARGUMENT,
         "buffer constructor: %s. Fix: pass a name and a payload-free element kind, or use vy_b_buffer for "
         "payload types",
         name ? "element kind has a payload" : "NULL name");
    return NULL;
  }
  vy_buffer_decl d = {0};
  d.name = (vy_str){name, (uint32_t)strlen(name)};
  d.binding = binding;
  d.access = access;
  d.kind = vy_memory_kind_default(access);
  d.element = *t;
  d.is_output = d.pipeline_live_out = output;
  d.hints.cache_locality = VY_LOCALITY_TEMPORAL;
  d.linear_type = VY_LINEAR_UNRESTRICTED;
  return vy_b_buffer(b, &d);
}

const vy_buffer_decl *vy_b_read(vy_builder *b, const char *name, uint32_t binding, vy_type_kind elem) {
  return storage(b, name, binding, VY_ACCESS_READ_ONLY, elem, false);
}
const vy_buffer_decl *vy_b_read_write(vy_builder *b, const char *name, uint32_t binding, vy_type_kind elem) {
  return storage(b, name, binding, VY_ACCESS_READ_WRITE, elem, false);
}
const vy_buffer_decl *vy_b_uniform(vy_builder *b, const char *name, uint32_t binding, vy_type_kind elem) {
  return storage(b, name, binding, VY_ACCESS_UNIFORM, elem, false);
}
const vy_buffer_decl *vy_b_output(vy_builder *b, const char *name, uint32_t binding, vy_type_kind elem) {
  return storage(b, name, binding, VY_ACCESS_READ_WRITE, elem, true);
}
const vy_buffer_decl *vy_b_workgroup(vy_builder *b, const char *name, uint32_t count, vy_type_kind elem) {
  const vy_buffer_decl *d = storage(b, name, 0, VY_ACCESS_WORKGROUP, elem, false);
  vy_b_count(b, d, count);
  return d;
}

void vy_b_count(vy_builder *b, const vy_buffer_decl *buf, uint32_t count) {
  if (!ok(b)) return;
  for (size_t i = 0; i < b->buffers.count; i++)
    if (b->buffers.items[i] == buf) {
      ((vy_buffer_decl *)b->buffers.items[i])->count = count;
      return;
    }
  fail(b, VY_E_INVALID_ARGUMENT, "vy_b_count: not a buffer of this builder. Fix: pass a pointer returned by vy_b_*");
}

vy_str vy_b_str(vy_builder *b, const char *s, size_t len) {
  vy_str r = {NULL, 0};
  if (!ok(b)) return r;
  if (!s && len) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_str: NULL string with non-zero length. Fix: pass the bytes");
    return r;
  }
  if (!vy_str_make(b->p, s, len, &r)) nomem(b);
  return r;
}

const vy_type *vy_b_type(vy_builder *b, const vy_type *t) {
  if (!ok(b)) return NULL;
  if (!t) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_type: NULL type. Fix: pass a vy_type");
    return NULL;
  }
  vy_type *c = vy_arena_alloc(&b->p->arena, sizeof *c);
  if (!c || !vy_type_copy(b->p, t, c)) {
    nomem(b);
    return NULL;
  }
  return c;
}

/* ---- expressions ---- */

/* Copies a C string into the arena; false after an error. */
static bool name(vy_builder *b, const char *what, const char *s, vy_str *out) {
  if (!ok(b)) return false;
  if (!s) {
    fail(b, VY_E_INVALID_ARGUMENT, "%s: NULL name. Fix: pass a NUL-terminated string", what);
    return false;
  }
  if (!vy_str_make(b->p, s, strlen(s), out)) {
    nomem(b);
    return false;
  }
  return true;
}

/* Allocates an expression after checking its `n` operands are non-NULL. */
static vy_expr *expr(vy_builder *b, vy_expr_kind k, const char *what, int n, ...) {
  if (!ok(b)) return NULL;
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++)
    if (!va_arg(ap, const vy_expr *)) {
      va_end(ap);
      fail(b, VY_E_INVALID_ARGUMENT, "%s: operand %d is NULL. Fix: check the expression that produced it", what, i);
      return NULL;
    }
  va_end(ap);
  vy_expr *e = vy_expr_new(b->p, k);
  if (!e) nomem(b);
  return e;
}

const vy_expr *vy_b_u32(vy_builder *b, uint32_t v) {
  vy_expr *e = expr(b, VY_EXPR_LIT_U32, "vy_b_u32", 0);
  if (e) e->u.lit_u32 = v;
  return e;
}
const vy_expr *vy_b_i32(vy_builder *b, int32_t v) {
  vy_expr *e = expr(b, VY_EXPR_LIT_I32, "vy_b_i32", 0);
  if (e) e->u.lit_i32 = v;
  return e;
}
const vy_expr *vy_b_bool(vy_builder *b, bool v) {
  vy_expr *e = expr(b, VY_EXPR_LIT_BOOL, "vy_b_bool", 0);
  if (e) e->u.lit_bool = v;
  return e;
}
const vy_expr *vy_b_f32_bits(vy_builder *b, uint32_t bits) {
  vy_expr *e = expr(b, VY_EXPR_LIT_F32, "vy_b_f32", 0);
  if (e) e->u.lit_f32_bits = bits;
  return e;
}
const vy_expr *vy_b_f32(vy_builder *b, float v) {
  uint32_t bits;
  memcpy(&bits, &v, sizeof bits);
  return vy_b_f32_bits(b, bits);
}
const vy_expr *vy_b_var(vy_builder *b, const char *n) {
  vy_expr *e = expr(b, VY_EXPR_VAR, "vy_b_var", 0);
  if (e && !name(b, "vy_b_var", n, &e->u.var)) return NULL;
  return e;
}
const vy_expr *vy_b_load(vy_builder *b, const char *buffer, const vy_expr *index) {
  vy_expr *e = expr(b, VY_EXPR_LOAD, "vy_b_load", 1, index);
  if (!e || !name(b, "vy_b_load", buffer, &e->u.load.buffer)) return NULL;
  e->u.load.index = index;
  return e;
}
const vy_expr *vy_b_buf_len(vy_builder *b, const char *buffer) {
  vy_expr *e = expr(b, VY_EXPR_BUF_LEN, "vy_b_buf_len", 0);
  if (!e || !name(b, "vy_b_buf_len", buffer, &e->u.buf_len)) return NULL;
  return e;
}
static const vy_expr *id_expr(vy_builder *b, vy_expr_kind k, uint8_t axis) {
  vy_expr *e = expr(b, k, "id expression", 0);
  if (e) e->u.axis = axis; /* out-of-range axes are the validator's to report */
  return e;
}
const vy_expr *vy_b_invocation_id(vy_builder *b, uint8_t axis) { return id_expr(b, VY_EXPR_INVOCATION_ID, axis); }
const vy_expr *vy_b_workgroup_id(vy_builder *b, uint8_t axis) { return id_expr(b, VY_EXPR_WORKGROUP_ID, axis); }
const vy_expr *vy_b_local_id(vy_builder *b, uint8_t axis) { return id_expr(b, VY_EXPR_LOCAL_ID, axis); }

const vy_expr *vy_b_bin(vy_builder *b, vy_binop op, const vy_expr *l, const vy_expr *r) {
  if (ok(b) && ((unsigned)op >= VY_BINOP_COUNT || op == VY_BINOP_OPAQUE)) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_bin: bad op %d. Fix: use a vy_binop value (vy_b_bin_ext for extensions)",
         (int)op);
    return NULL;
  }
  vy_expr *e = expr(b, VY_EXPR_BIN_OP, "vy_b_bin", 2, l, r);
  if (!e) return NULL;
  e->u.bin.op = op;
  e->u.bin.left = l;
  e->u.bin.right = r;
  return e;
}
const vy_expr *vy_b_bin_ext(vy_builder *b, uint32_t ext_id, const vy_expr *l, const vy_expr *r) {
  vy_expr *e = expr(b, VY_EXPR_BIN_OP, "vy_b_bin_ext", 2, l, r);
  if (!e) return NULL;
  e->u.bin.op = VY_BINOP_OPAQUE;
  e->u.bin.ext_id = ext_id;
  e->u.bin.left = l;
  e->u.bin.right = r;
  return e;
}
const vy_expr *vy_b_un(vy_builder *b, vy_unop op, const vy_expr *x) {
  if (ok(b) && ((unsigned)op >= VY_UNOP_COUNT || op == VY_UNOP_OPAQUE)) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_un: bad op %d. Fix: use a vy_unop value (vy_b_un_ext for extensions)",
         (int)op);
    return NULL;
  }
  vy_expr *e = expr(b, VY_EXPR_UN_OP, "vy_b_un", 1, x);
  if (!e) return NULL;
  e->u.un.op = op;
  e->u.un.operand = x;
  return e;
}
const vy_expr *vy_b_un_ext(vy_builder *b, uint32_t ext_id, const vy_expr *x) {
  vy_expr *e = expr(b, VY_EXPR_UN_OP, "vy_b_un_ext", 1, x);
  if (!e) return NULL;
  e->u.un.op = VY_UNOP_OPAQUE;
  e->u.un.ext_id = ext_id;
  e->u.un.operand = x;
  return e;
}
const vy_expr *vy_b_call(vy_builder *b, const char *op_id, uint32_t argc, const vy_expr *const *args) {
  vy_expr *e = expr(b, VY_EXPR_CALL, "vy_b_call", 0);
  if (!e || !name(b, "vy_b_call", op_id, &e->u.call.op_id)) return NULL;
  if (argc && !args) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_call: NULL argument array. Fix: pass argc expressions");
    return NULL;
  }
  const vy_expr **copy = vy_arena_array(&b->p->arena, argc, sizeof *copy);
  if (argc && !copy) {
    nomem(b);
    return NULL;
  }
  for (uint32_t i = 0; i < argc; i++) {
    if (!args[i]) {
      fail(b, VY_E_INVALID_ARGUMENT, "vy_b_call: argument %u is NULL. Fix: check the expression that produced it",
           i);
      return NULL;
    }
    copy[i] = args[i];
  }
  e->u.call.argc = argc;
  e->u.call.args = argc ? copy : NULL;
  return e;
}
const vy_expr *vy_b_select(vy_builder *b, const vy_expr *c, const vy_expr *t, const vy_expr *f) {
  vy_expr *e = expr(b, VY_EXPR_SELECT, "vy_b_select", 3, c, t, f);
  if (!e) return NULL;
  e->u.select.cond = c;
  e->u.select.if_true = t;
  e->u.select.if_false = f;
  return e;
}
const vy_expr *vy_b_cast(vy_builder *b, const vy_type *target, const vy_expr *v) {
  vy_expr *e = expr(b, VY_EXPR_CAST, "vy_b_cast", 1, v);
  if (!e) return NULL;
  if (!target) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_cast: NULL target type. Fix: pass vy_type_scalar(kind) or a payload type");
    return NULL;
  }
  if (!vy_type_copy(b->p, target, &e->u.cast.target)) {
    nomem(b);
    return NULL;
  }
  e->u.cast.value = v;
  return e;
}
const vy_expr *vy_b_atomic(vy_builder *b, vy_atomic_op op, uint32_t ext_id, vy_ordering ord, const char *buffer,
                           const vy_expr *index, const vy_expr *expected, const vy_expr *value) {
  if (ok(b) && ((unsigned)op >= VY_ATOMIC_COUNT || (unsigned)ord >= VY_ORDERING_COUNT)) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_atomic: bad op or ordering. Fix: use vy_atomic_op / vy_ordering values");
    return NULL;
  }
  vy_expr *e = expr(b, VY_EXPR_ATOMIC, "vy_b_atomic", 2, index, value);
  if (!e || !name(b, "vy_b_atomic", buffer, &e->u.atomic.buffer)) return NULL;
  e->u.atomic.op = op;
  e->u.atomic.ext_id = op == VY_ATOMIC_OPAQUE ? ext_id : 0;
  e->u.atomic.ordering = ord;
  e->u.atomic.index = index;
  e->u.atomic.expected = expected;
  e->u.atomic.value = value;
  return e;
}
const vy_expr *vy_b_fma(vy_builder *b, const vy_expr *a, const vy_expr *x, const vy_expr *c) {
  vy_expr *e = expr(b, VY_EXPR_FMA, "vy_b_fma", 3, a, x, c);
  if (!e) return NULL;
  e->u.fma.a = a;
  e->u.fma.b = x;
  e->u.fma.c = c;
  return e;
}
const vy_expr *vy_b_subgroup_add(vy_builder *b, const vy_expr *v) {
  vy_expr *e = expr(b, VY_EXPR_SUBGROUP_ADD, "vy_b_subgroup_add", 1, v);
  if (e) e->u.subgroup_add = v;
  return e;
}
const vy_expr *vy_b_subgroup_shuffle(vy_builder *b, const vy_expr *v, const vy_expr *lane) {
  vy_expr *e = expr(b, VY_EXPR_SUBGROUP_SHUFFLE, "vy_b_subgroup_shuffle", 2, v, lane);
  if (!e) return NULL;
  e->u.shuffle.value = v;
  e->u.shuffle.lane = lane;
  return e;
}
const vy_expr *vy_b_subgroup_ballot(vy_builder *b, const vy_expr *cond) {
  vy_expr *e = expr(b, VY_EXPR_SUBGROUP_BALLOT, "vy_b_subgroup_ballot", 1, cond);
  if (e) e->u.subgroup_ballot = cond;
  return e;
}
const vy_expr *vy_b_subgroup_local_id(vy_builder *b) {
  return expr(b, VY_EXPR_SUBGROUP_LOCAL_ID, "vy_b_subgroup_local_id", 0);
}
const vy_expr *vy_b_subgroup_size(vy_builder *b) { return expr(b, VY_EXPR_SUBGROUP_SIZE, "vy_b_subgroup_size", 0); }

/* Copies an opaque payload into the arena. */
static bool payload(vy_builder *b, const uint8_t *data, uint32_t len, const uint8_t **out) {
  if (len && !data) {
    fail(b, VY_E_INVALID_ARGUMENT, "opaque payload: NULL data with non-zero length. Fix: pass the payload bytes");
    return false;
  }
  uint8_t *c = vy_arena_alloc(&b->p->arena, len);
  if (!c) {
    nomem(b);
    return false;
  }
  if (len) memcpy(c, data, len);
  *out = c;
  return true;
}

const vy_expr *vy_b_opaque_expr(vy_builder *b, const char *kind, const uint8_t *data, uint32_t len) {
  vy_expr *e = expr(b, VY_EXPR_OPAQUE, "vy_b_opaque_expr", 0);
  if (!e || !name(b, "vy_b_opaque_expr", kind, &e->u.opaque.kind) || !payload(b, data, len, &e->u.opaque.payload))
    return NULL;
  e->u.opaque.len = len;
  return e;
}

static const vy_expr *wide_literal(vy_builder *b, const char *kind, uint64_t bits) {
  uint8_t le[8];
  for (int i = 0; i < 8; i++) le[i] = (uint8_t)(bits >> (8 * i));
  return vy_b_opaque_expr(b, kind, le, 8);
}
const vy_expr *vy_b_lit_u64(vy_builder *b, uint64_t v) { return wide_literal(b, "vyre.literal.u64", v); }
const vy_expr *vy_b_lit_i64(vy_builder *b, int64_t v) { return wide_literal(b, "vyre.literal.i64", (uint64_t)v); }
const vy_expr *vy_b_lit_f64(vy_builder *b, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  return wide_literal(b, "vyre.literal.f64", bits);
}

/* ---- statements ---- */

static frame *top(vy_builder *b) { return &b->frames[b->nframes - 1]; }

/* Allocates a statement node after checking its `n` expressions. */
static vy_node *node(vy_builder *b, vy_node_kind k, const char *what, int n, ...) {
  if (!ok(b)) return NULL;
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++)
    if (!va_arg(ap, const vy_expr *)) {
      va_end(ap);
      fail(b, VY_E_INVALID_ARGUMENT, "%s: expression %d is NULL. Fix: check the expression that produced it", what,
           i);
      return NULL;
    }
  va_end(ap);
  vy_node *nd = vy_node_new(b->p, k);
  if (!nd) nomem(b);
  return nd;
}

static void append(vy_builder *b, vy_node *nd) {
  if (nd && ok(b) && vy_ptrvec_push(&top(b)->list, nd)) nomem(b);
}

static void open_frame(vy_builder *b, vy_node *nd) {
  if (!nd || !ok(b)) return;
  if (b->nframes == b->cap_frames) {
    size_t cap = b->cap_frames * 2;
    frame *f = vy_mem_realloc(b->alloc, b->frames, b->cap_frames * sizeof *f, cap * sizeof *f);
    if (!f) {
      nomem(b);
      return;
    }
    b->frames = f;
    b->cap_frames = cap;
  }
  frame *f = &b->frames[b->nframes++];
  memset(f, 0, sizeof *f);
  f->node = nd;
  vy_ptrvec_init(&f->list, b->alloc);
  vy_ptrvec_init(&f->other, b->alloc);
}

void vy_b_let(vy_builder *b, const char *n, const vy_expr *value) {
  vy_node *nd = node(b, VY_NODE_LET, "vy_b_let", 1, value);
  if (!nd || !name(b, "vy_b_let", n, &nd->u.let.name)) return;
  nd->u.let.value = value;
  append(b, nd);
}
void vy_b_assign(vy_builder *b, const char *n, const vy_expr *value) {
  vy_node *nd = node(b, VY_NODE_ASSIGN, "vy_b_assign", 1, value);
  if (!nd || !name(b, "vy_b_assign", n, &nd->u.assign.name)) return;
  nd->u.assign.value = value;
  append(b, nd);
}
void vy_b_store(vy_builder *b, const char *buffer, const vy_expr *index, const vy_expr *value) {
  vy_node *nd = node(b, VY_NODE_STORE, "vy_b_store", 2, index, value);
  if (!nd || !name(b, "vy_b_store", buffer, &nd->u.store.buffer)) return;
  nd->u.store.index = index;
  nd->u.store.value = value;
  append(b, nd);
}
void vy_b_if(vy_builder *b, const vy_expr *cond) {
  vy_node *nd = node(b, VY_NODE_IF, "vy_b_if", 1, cond);
  if (nd) nd->u.if_.cond = cond;
  open_frame(b, nd);
}
void vy_b_else(vy_builder *b) {
  if (!ok(b)) return;
  frame *f = top(b);
  if (!f->node || f->node->kind != VY_NODE_IF || f->in_else) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_else: no open If to switch to its else branch. Fix: call vy_b_if first, "
                                   "and vy_b_else once per If");
    return;
  }
  f->other = f->list;
  vy_ptrvec_init(&f->list, b->alloc);
  f->in_else = true;
}
void vy_b_loop(vy_builder *b, const char *var, const vy_expr *from, const vy_expr *to) {
  vy_node *nd = node(b, VY_NODE_LOOP, "vy_b_loop", 2, from, to);
  if (!nd || !name(b, "vy_b_loop", var, &nd->u.loop.var)) return;
  nd->u.loop.from = from;
  nd->u.loop.to = to;
  open_frame(b, nd);
}
void vy_b_block(vy_builder *b) { open_frame(b, node(b, VY_NODE_BLOCK, "vy_b_block", 0)); }
void vy_b_region(vy_builder *b, const char *generator, const char *source) {
  vy_node *nd = node(b, VY_NODE_REGION, "vy_b_region", 0);
  if (!nd || !name(b, "vy_b_region", generator, &nd->u.region.generator)) return;
  nd->u.region.has_source = source != NULL;
  if (source && !name(b, "vy_b_region", source, &nd->u.region.source)) return;
  open_frame(b, nd);
}

void vy_b_end(vy_builder *b) {
  if (!ok(b)) return;
  if (b->nframes < 2) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_end: nothing open. Fix: match each vy_b_if/loop/block/region with one vy_b_end");
    return;
  }
  frame *f = top(b);
  vy_node *nd = f->node;
  bool good = true;
  switch (nd->kind) {
  case VY_NODE_IF:
    good = f->in_else ? vy_node_list_from_vec(b->p, &f->other, &nd->u.if_.then_body) &&
                            vy_node_list_from_vec(b->p, &f->list, &nd->u.if_.else_body)
                      : vy_node_list_from_vec(b->p, &f->list, &nd->u.if_.then_body);
    break;
  case VY_NODE_LOOP:
    good = vy_node_list_from_vec(b->p, &f->list, &nd->u.loop.body);
    break;
  case VY_NODE_BLOCK:
    good = vy_node_list_from_vec(b->p, &f->list, &nd->u.block);
    break;
  case VY_NODE_REGION:
    good = vy_node_list_from_vec(b->p, &f->list, &nd->u.region.body);
    break;
  default:
    good = false;
    fail(b, VY_E_INTERNAL, "vy_b_end: open frame of kind %s. Fix: report this bug", vy_node_kind_name(nd->kind));
    break;
  }
  vy_ptrvec_free(&f->list);
  vy_ptrvec_free(&f->other);
  b->nframes--;
  if (!good) {
    nomem(b);
    return;
  }
  append(b, nd);
}

void vy_b_return(vy_builder *b) { append(b, node(b, VY_NODE_RETURN, "vy_b_return", 0)); }
void vy_b_barrier(vy_builder *b, vy_ordering ord) {
  if (ok(b) && (unsigned)ord >= VY_ORDERING_COUNT) {
    fail(b, VY_E_INVALID_ARGUMENT, "vy_b_barrier: bad ordering %d. Fix: use a vy_ordering value", (int)ord);
    return;
  }
  vy_node *nd = node(b, VY_NODE_BARRIER, "vy_b_barrier", 0);
  if (nd) nd->u.barrier = ord;
  append(b, nd);
}
void vy_b_indirect_dispatch(vy_builder *b, const char *count_buffer, uint64_t count_offset) {
  vy_node *nd = node(b, VY_NODE_INDIRECT_DISPATCH, "vy_b_indirect_dispatch", 0);
  if (!nd || !name(b, "vy_b_indirect_dispatch", count_buffer, &nd->u.indirect.count_buffer)) return;
  nd->u.indirect.count_offset = count_offset;
  append(b, nd);
}
static void async_copy(vy_builder *b, vy_node_kind k, const char *src, const char *dst, const vy_expr *offset,
                       const vy_expr *size, const char *tag) {
  vy_node *nd = node(b, k, "vy_b_async", 2, offset, size);
  if (!nd || !name(b, "vy_b_async", src, &nd->u.async_copy.source) ||
      !name(b, "vy_b_async", dst, &nd->u.async_copy.destination) ||
      !name(b, "vy_b_async", tag, &nd->u.async_copy.tag))
    return;
  nd->u.async_copy.offset = offset;
  nd->u.async_copy.size = size;
  append(b, nd);
}
void vy_b_async_load(vy_builder *b, const char *src, const char *dst, const vy_expr *offset, const vy_expr *size,
                     const char *tag) {
  async_copy(b, VY_NODE_ASYNC_LOAD, src, dst, offset, size, tag);
}
void vy_b_async_store(vy_builder *b, const char *src, const char *dst, const vy_expr *offset, const vy_expr *size,
                      const char *tag) {
  async_copy(b, VY_NODE_ASYNC_STORE, src, dst, offset, size, tag);
}
void vy_b_async_wait(vy_builder *b, const char *tag) {
  vy_node *nd = node(b, VY_NODE_ASYNC_WAIT, "vy_b_async_wait", 0);
  if (nd && name(b, "vy_b_async_wait", tag, &nd->u.tag)) append(b, nd);
}
void vy_b_trap(vy_builder *b, const vy_expr *address, const char *tag) {
  vy_node *nd = node(b, VY_NODE_TRAP, "vy_b_trap", 1, address);
  if (!nd || !name(b, "vy_b_trap", tag, &nd->u.trap.tag)) return;
  nd->u.trap.address = address;
  append(b, nd);
}
void vy_b_resume(vy_builder *b, const char *tag) {
  vy_node *nd = node(b, VY_NODE_RESUME, "vy_b_resume", 0);
  if (nd && name(b, "vy_b_resume", tag, &nd->u.tag)) append(b, nd);
}
static bool collective_ok(vy_builder *b, vy_collective_op op) {
  if (ok(b) && (unsigned)op >= VY_COLLECTIVE_COUNT) {
    fail(b, VY_E_INVALID_ARGUMENT, "collective: bad op %d. Fix: use a vy_collective_op value", (int)op);
    return false;
  }
  return true;
}
void vy_b_all_reduce(vy_builder *b, const char *buffer, vy_collective_op op, uint32_t group) {
  if (!collective_ok(b, op)) return;
  vy_node *nd = node(b, VY_NODE_ALL_REDUCE, "vy_b_all_reduce", 0);
  if (!nd || !name(b, "vy_b_all_reduce", buffer, &nd->u.all_reduce.buffer)) return;
  nd->u.all_reduce.op = op;
  nd->u.all_reduce.group = group;
  append(b, nd);
}
void vy_b_all_gather(vy_builder *b, const char *input, const char *output, uint32_t group) {
  vy_node *nd = node(b, VY_NODE_ALL_GATHER, "vy_b_all_gather", 0);
  if (!nd || !name(b, "vy_b_all_gather", input, &nd->u.all_gather.input) ||
      !name(b, "vy_b_all_gather", output, &nd->u.all_gather.output))
    return;
  nd->u.all_gather.group = group;
  append(b, nd);
}
void vy_b_reduce_scatter(vy_builder *b, const char *input, const char *output, vy_collective_op op, uint32_t group) {
  if (!collective_ok(b, op)) return;
  vy_node *nd = node(b, VY_NODE_REDUCE_SCATTER, "vy_b_reduce_scatter", 0);
  if (!nd || !name(b, "vy_b_reduce_scatter", input, &nd->u.reduce_scatter.input) ||
      !name(b, "vy_b_reduce_scatter", output, &nd->u.reduce_scatter.output))
    return;
  nd->u.reduce_scatter.op = op;
  nd->u.reduce_scatter.group = group;
  append(b, nd);
}
void vy_b_broadcast(vy_builder *b, const char *buffer, uint32_t root, uint32_t group) {
  vy_node *nd = node(b, VY_NODE_BROADCAST, "vy_b_broadcast", 0);
  if (!nd || !name(b, "vy_b_broadcast", buffer, &nd->u.broadcast.buffer)) return;
  nd->u.broadcast.root = root;
  nd->u.broadcast.group = group;
  append(b, nd);
}
void vy_b_opaque_node(vy_builder *b, const char *kind, const uint8_t *data, uint32_t len) {
  vy_node *nd = node(b, VY_NODE_OPAQUE, "vy_b_opaque_node", 0);
  if (!nd || !name(b, "vy_b_opaque_node", kind, &nd->u.opaque.kind) || !payload(b, data, len, &nd->u.opaque.payload))
    return;
  nd->u.opaque.len = len;
  append(b, nd);
}
