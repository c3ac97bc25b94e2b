/* program_int.h - the program object and its constructors, shared by the
 * builder, text parser and wire decoder. */
#ifndef VYRE_PROGRAM_INT_H
#define VYRE_PROGRAM_INT_H

#include "alloc_int.h"
#include "vyre/ir.h"

struct vy_program {
  vy_allocator alloc_copy;  /* the user's allocator, copied */
  const vy_allocator *alloc; /* &alloc_copy, or NULL for malloc */
  vy_arena arena;
  bool has_entry_op_id;
  vy_str entry_op_id;
  uint32_t workgroup_size[3];
  bool non_composable_with_self;
  uint32_t nbuffers;
  vy_buffer_decl *buffers; /* arena array, declaration order */
  vy_node_list entry;
  bool has_fingerprint; /* set by vy_program_seal */
  uint8_t fingerprint[32];
};

/* A new empty program (no buffers, wg [1,1,1], empty entry). NULL on OOM. */
vy_program *vy_program_new(const vy_allocator *alloc);

/* Arena constructors: zeroed objects of the given kind, NULL on OOM. */
vy_expr *vy_expr_new(vy_program *p, vy_expr_kind kind);
vy_node *vy_node_new(vy_program *p, vy_node_kind kind);
/* Copies a string into the arena; returns false on OOM. */
bool vy_str_make(vy_program *p, const char *s, size_t len, vy_str *out);
/* Deep-copies a type (payloads) into the arena; false on OOM. */
bool vy_type_copy(vy_program *p, const vy_type *src, vy_type *dst);
/* Deep-copies a buffer declaration (strings, type, predicate). */
bool vy_buffer_copy(vy_program *p, const vy_buffer_decl *src, vy_buffer_decl *dst);
/* Moves a heap vector of node pointers into an arena node list. */
bool vy_node_list_from_vec(vy_program *p, const vy_ptrvec *v, vy_node_list *out);

/* Wraps the entry as Program::wrapped does (§1.4). false on OOM. */
bool vy_program_wrap_entry(vy_program *p);

/* Finishes construction: computes and stores the fingerprint (if the program
 * is encodable). Every constructor calls it last. */
vy_status vy_program_seal(vy_program *p, vy_error *err);

/* Implemented by the canonicalizer (lib/canon.c): the fingerprint of `p`.
 * Sets *encodable = false (and returns VY_OK) when vyre's encoder rejects it. */
vy_status vy_canon_fingerprint(const vy_program *p, uint8_t out[32], bool *encodable, vy_error *err);

bool vy_str_eq(vy_str a, vy_str b);
bool vy_str_eq_c(vy_str a, const char *s, size_t len);
bool vy_expr_equal(const vy_expr *a, const vy_expr *b);
bool vy_node_equal(const vy_node *a, const vy_node *b);
bool vy_node_list_equal(const vy_node_list *a, const vy_node_list *b);

#endif
