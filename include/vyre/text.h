/** @file
 * text.h - the readable text format (.vy) of vyre-jit.
 *
 * vyre itself has no readable syntax (its "text format" is a hex envelope,
 * see wire.h); this one is vyre-jit's. The grammar is documented in the
 * comment block at the end of this header and, with examples, in
 * docs/text-format.md; tests/programs/ holds example programs.
 *
 * print(parse(t)) is a fixed point for printer output, and parse(print(p))
 * is structurally equal to p (vy_program_equal, every field including the
 * unserialized buffer fields) with the same fingerprint.
 *
 * Thread-safety: both functions only read their inputs and may run
 * concurrently on any number of threads.
 */
#ifndef VYRE_TEXT_H
#define VYRE_TEXT_H

#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Parses `len` bytes of text. `filename` (may be NULL: "<input>") is used in
 * error messages "file:line:col: message. Fix: ...". `alloc` may be NULL.
 * On success *out owns a new program (free with vy_program_destroy; the
 * entry is kept exactly as written, never wrapped) with `loc` set on every
 * node, expression and buffer declaration. On failure *out is NULL and the
 * status is VY_E_PARSE (err->line/col and the message say where, what was
 * expected and what was found), VY_E_NOMEM, or VY_E_INVALID_ARGUMENT (NULL
 * out, NULL src with len > 0, input of 4 GiB or more). Never reads past
 * src[len-1]; nesting is limited to 256 levels (see the grammar below), so no
 * input can exhaust the stack. */
vy_status vy_text_parse(const char *src, size_t len, const char *filename, const vy_allocator *alloc,
                        vy_program **out, vy_error *err);

/** Prints `p` as text into *out (NUL-terminated, allocated with `alloc`, free
 * with vy_bytes_free; *out is reset first and left empty on failure). Every
 * program built by the builder, the parser or the wire decoder prints, except
 * one nested deeper than the 256 levels the parser reads: that one, a NULL
 * program or a malformed one (NULL operand, enum value outside its table)
 * gives VY_E_INVALID_ARGUMENT; an allocation failure gives VY_E_NOMEM. */
vy_status vy_text_print(const vy_program *p, const vy_allocator *alloc, vy_bytes *out, vy_error *err);

#ifdef __cplusplus
}
#endif
/* ---- Grammar of the .vy text format (EBNF) ------------------------------

   Lexical rules. The input is bytes; everything outside strings and
   comments is ASCII. Columns in error messages count bytes from 1.

     comment    = "#" { any byte except LF } ;        (whitespace: SP HT CR LF)
     IDENT      = ( letter | "_" ) { letter | digit | "_" } ;
     DOTTED     = IDENT "." IDENT { "." IDENT } ;     (no spaces: gid.x, vyre.program.root)
     INT        = ( digit { digit } | "0" ( "x" | "X" ) hexdigit { hexdigit } ) [ isuffix ] ;
     isuffix    = "u" | "i" | "u64" | "i64" | "f" | "f64" ;   (f, f64 make a float)
     FLOAT      = digit { digit } ( "." digit { digit } [ exp ] | exp ) [ "f" | "f64" ] ;
     exp        = ( "e" | "E" ) [ "+" | "-" ] digit { digit } ;
     STRING     = '"' { byte except '"' '\' LF | escape } '"' ;
     escape     = '\"' | '\\' | '\n' | '\t' | '\r' | '\0' | '\x' hexdigit hexdigit ;

   Integers must fit 64 bits; each literal form is range-checked for its
   type. Floats are rounded to nearest (f32, or f64 for the f64 suffix); one
   that overflows to infinity is an error. Reserved words (below) are not
   names; any name (empty, with spaces, quotes, NUL bytes, non-UTF-8 bytes)
   can be written as a STRING.

   Program.

     program    = "program" [ path ] [ "workgroup" "(" u32 [ "," u32 [ "," u32 ] ] ")" ]
                  [ "non_composable_with_self" ] "{" { buffer } { stmt } "}" EOF ;
                  (path = entry_op_id, absent if omitted; workgroup default (1,1,1);
                   the statements are the entry, exactly as written: nothing is
                   wrapped in a Region)
     buffer     = "buffer" name ":" type access [ "@" u32 ] { battr } ;
                  ("@" binding required unless access is workgroup; default 0)
     access     = "read" | "read_write" | "uniform" | "workgroup" | "write" ;
     battr      = "count" "(" u32 ")"                      (default 0)
                | "kind" "(" memkind ")"                   (default: readonly for read,
                                                            uniform for uniform, shared for
                                                            workgroup, else global)
                | "output" | "live_out" | "bytes_extraction"
                | "range" "(" u64 "," u64 ")"              (output byte range)
                | "coalesce" "(" u8 ")" | "align" "(" u32 ")"
                | "locality" "(" ( "streaming" | "temporal" | "random" ) ")"   (default temporal)
                | "linear" "(" ( "unrestricted" | "linear" | "affine" | "relevant" ) ")"
                | "shape" "(" pred ")" ;
                  (each at most once, any order; an attribute word followed by
                   "=" or "[" starts a statement instead)
     memkind    = "global" | "shared" | "uniform" | "local" | "readonly" | "push" | "persistent" ;
     pred       = ( "at_least" | "at_most" | "exactly" | "multiple_of" ) "(" u32 ")"
                | "mod_equals" "(" u32 "," u32 ")"
                | "affine_range" "(" i64 "," i64 "," i64 "," i64 ")"
                | ( "and" | "or" ) "(" pred "," pred ")" | "not" "(" pred ")" ;

   Types.

     type       = "u8" | "u16" | "u32" | "u64" | "i4" | "i8" | "i16" | "i32" | "i64"
                | "f16" | "bf16" | "f32" | "f64" | "f8e4m3" | "f8e5m2" | "fp4" | "nf4"
                | "bool" | "bytes" | "tensor" | "vec2" "<" "u32" ">" | "vec4" "<" "u32" ">"
                | "array" "<" u32 ">" | "handle" "<" u32 ">" | "opaque" "<" u32 ">"
                | "vec" "<" type "," u8 ">"
                | "tensor" "<" type "," "[" [ u32 { "," u32 } ] "]" ">"    (TensorShaped)
                | ( "sparse_csr" | "sparse_coo" ) "<" type ">"
                | "sparse_bsr" "<" type "," u32 "," u32 ">"
                | "device_mesh" "<" "[" [ u32 { "," u32 } ] "]" ">"
                | "quantized" "<" type "," qscale "," qzero ">" ;
     qscale     = ( "per_tensor" | "per_channel" | "per_group" ) [ "(" u32 ")" ] ;   (param default 0)
     qzero      = ( "absent" | "per_tensor" | "per_channel" | "per_group" ) [ "(" u32 ")" ] ;

   Statements.

     block      = "{" { stmt } "}" ;
     stmt       = "let" name "=" expr
                | name "=" expr                                   (Assign)
                | name "[" expr "]" "=" expr                      (Store)
                | ifstmt
                | "loop" name "in" expr ".." expr block           (from..to, half-open)
                | "return"
                | "block" block
                | "barrier" [ "(" ordering ")" ]                  (default seq_cst)
                | "region" path [ "source" path ] block           (generator, source_region)
                | "indirect_dispatch" "(" name "," u64 ")"
                | ( "async_load" | "async_store" ) "(" name "," name "," expr "," expr "," name ")"
                                                                  (source, destination, offset, size, tag)
                | "async_wait" "(" name ")" | "resume" "(" name ")"
                | "trap" "(" expr "," name ")"                    (address, tag)
                | "all_reduce" "(" name "," collective "," u32 ")"
                | "all_gather" "(" name "," name "," u32 ")"
                | "reduce_scatter" "(" name "," name "," collective "," u32 ")"
                | "broadcast" "(" name "," u32 "," u32 ")"        (buffer, root, group)
                | "opaque" "(" STRING "," STRING ")" ;            (extension kind, payload bytes)
     ifstmt     = "if" expr block [ "else" ( block | ifstmt ) ] ; ("else if" = else { if ... })
     collective = "sum" | "min" | "max" | "bit_and" | "bit_or" | "bit_xor" ;
     ordering   = "relaxed" | "acquire" | "release" | "acq_rel" | "seq_cst" | "grid_sync" ;

   Expressions, loosest first (all binary operators are left-associative):

     expr       = binary(1) ;
     binary(n)  = unary { op(n) binary(n+1) } ;
       1 "||" Or   2 "&&" And   3 "|" BitOr   4 "^" BitXor   5 "&" BitAnd
       6 "==" "!="   7 "<" ">" "<=" ">="   8 "<<" ">>"   9 "+" "-"   10 "*" "/" "%"
     unary      = "-" literal                                     (a negative literal)
                | ( "-" | "!" | "~" ) unary                       (Negate, LogicalNot, BitNot)
                | primary ;
     literal    = INT | FLOAT | "inf" | "nan" ;
                  (no suffix or u: u32; i: i32; f or a FLOAT: f32; u64, i64, f64:
                   Opaque "vyre.literal.u64/i64/f64" with an 8-byte LE payload;
                   only i32, i64, f32 and f64 literals can be negative)
     primary    = literal | "true" | "false" | "f32_bits" "(" u32 ")"  (any f32 bit pattern)
                | name [ "[" expr "]" ]                           (Var, or Load)
                | ( "gid" | "wgid" | "lid" ) ( ".x" | ".y" | ".z" | "(" u8 ")" )
                                                                  (as one DOTTED token: gid.x)
                | "len" "(" name ")"
                | "select" "(" expr "," expr "," expr ")" | "fma" "(" expr "," expr "," expr ")"
                | "cast" "<" type ">" "(" expr ")"
                | "call" path "(" [ expr { "," expr } ] ")"
                | binop_name "(" expr "," expr ")" | unop_name "(" expr ")"
                | "opaque_binop" "<" u32 ">" "(" expr "," expr ")"
                | "opaque_unop" "<" u32 ">" "(" expr ")"
                | "atomic_" atomic_name [ "<" u32 ">" ] "(" name "[" expr "]" ","
                      [ expr "," ] expr [ "," ordering ] ")"       (expected, value; default seq_cst;
                                                                   "<" id ">" only for atomic_opaque)
                | "subgroup_add" "(" expr ")" | "subgroup_shuffle" "(" expr "," expr ")"
                | "subgroup_ballot" "(" expr ")" | "subgroup_local_id" "(" ")"
                | "subgroup_size" "(" ")"
                | "opaque" "(" STRING "," STRING ")"
                | "(" expr ")" ;
     binop_name = "abs_diff" | "min" | "max" | "saturating_add" | "saturating_sub"
                | "saturating_mul" | "shuffle" | "ballot" | "wave_reduce" | "wave_broadcast"
                | "rotate_left" | "rotate_right" | "wrapping_add" | "wrapping_sub" | "mul_high" ;
     unop_name  = "popcount" | "clz" | "ctz" | "reverse_bits" | "cos" | "sin" | "abs" | "sqrt"
                | "floor" | "ceil" | "round" | "trunc" | "sign" | "is_nan" | "is_inf"
                | "is_finite" | "exp" | "log" | "log2" | "exp2" | "tan" | "acos" | "asin"
                | "atan" | "tanh" | "sinh" | "cosh" | "inverse_sqrt" | "unpack4_low"
                | "unpack4_high" | "unpack8_low" | "unpack8_high" | "reciprocal" ;
     atomic_name = "add" | "or" | "and" | "xor" | "min" | "max" | "exchange"
                | "compare_exchange" | "compare_exchange_weak" | "fetch_nand"
                | "lru_update" | "opaque" ;

   Names.

     name       = IDENT (not reserved) | STRING ;
     path       = name | DOTTED ;              (op ids, region generators)
     u8, u32, u64 = INT without suffix, in range ;   i64 = [ "-" ] INT without suffix ;

   Reserved words: the statement keywords (let if else loop return block
   barrier indirect_dispatch async_load async_store async_wait region trap
   resume all_reduce all_gather reduce_scatter broadcast opaque buffer
   program), true false inf nan f32_bits gid wgid lid len select cast fma call
   subgroup_add subgroup_shuffle subgroup_ballot subgroup_local_id
   subgroup_size opaque_binop opaque_unop, every binop_name and unop_name,
   "atomic_" + every atomic_name, and the orderings. The program name must
   also not be "workgroup" or "non_composable_with_self" unless quoted.

   Nesting limit: the parser counts every block (and every "else if"), every
   full expression (statement operand, argument, index, parenthesized
   expression), every prefix operator, every type and every shape predicate
   that is open at a time, and rejects more than 256. The printer refuses a
   program whose text would exceed it.

   The printer writes one canonical form: the workgroup with trailing 1s
   dropped, bindings always (workgroup buffers only when non-zero),
   attributes only when they differ from their defaults and in the order
   above, two-space indentation, minimal parentheses, the shortest decimal
   that reads back to the same float bits ("nan" for 0x7FC00000, other NaNs as
   f32_bits(...)), names bare unless they must be quoted, the atomic ordering
   always and the barrier ordering unless seq_cst.
   ------------------------------------------------------------------------- */

#endif
