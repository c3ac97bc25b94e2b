/* text_int.h - internals of the readable text format (.vy) shared by the
 * lexer (text_lex.c), the parser (text_parse.c) and the printer
 * (text_print.c): tokens, the lexer, the word lists, operator precedence,
 * the nesting limit and the float literal conversions.
 *
 * The grammar itself is documented at the end of include/vyre/text.h.
 */
#ifndef VYRE_TEXT_INT_H
#define VYRE_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vyre/ir.h"

/* Combined nesting limit of the text format. Both the parser and the printer
 * count the same constructs: every statement list `{ ... }` (and every
 * `else if`), every full expression (statement operands, call arguments,
 * indices, parenthesized subexpressions), every prefix operator, every type
 * and every shape predicate. The parser rejects deeper input; the printer
 * rejects programs whose text would be deeper, so printed text always
 * parses. 256 is well above the validator's limits (statement nesting 64,
 * expression depth 128). */
#define VY_TEXT_MAX_DEPTH 256u

/* Longest numeric literal text converted as a float. */
#define VY_TEXT_MAX_FLOAT_CHARS 128u

typedef enum vy_tok_kind {
  VY_TOK_EOF,
  VY_TOK_ERROR,  /* the lexer failed; its message is in the lexer */
  VY_TOK_IDENT,  /* [A-Za-z_][A-Za-z0-9_]* */
  VY_TOK_DOTTED, /* IDENT ('.' IDENT)+ with no spaces: "vyre.program.root", "gid.x" */
  VY_TOK_INT,    /* integer literal: value in `ival`, suffix in `suffix` */
  VY_TOK_FLOAT,  /* float literal: bits in `fbits` (f32 or f64 by suffix) */
  VY_TOK_STRING, /* "...": raw text between the quotes in start+1 .. len-2 */
  VY_TOK_LBRACE,
  VY_TOK_RBRACE,
  VY_TOK_LPAREN,
  VY_TOK_RPAREN,
  VY_TOK_LBRACKET,
  VY_TOK_RBRACKET,
  VY_TOK_COMMA,
  VY_TOK_COLON,
  VY_TOK_AT,
  VY_TOK_DOTDOT,
  VY_TOK_ASSIGN, /* = */
  VY_TOK_EQ,     /* == */
  VY_TOK_NE,     /* != */
  VY_TOK_LT,
  VY_TOK_GT,
  VY_TOK_LE,
  VY_TOK_GE,
  VY_TOK_SHL,
  VY_TOK_SHR,
  VY_TOK_PLUS,
  VY_TOK_MINUS,
  VY_TOK_STAR,
  VY_TOK_SLASH,
  VY_TOK_PERCENT,
  VY_TOK_AMP,
  VY_TOK_AMPAMP,
  VY_TOK_PIPE,
  VY_TOK_PIPEPIPE,
  VY_TOK_CARET,
  VY_TOK_TILDE,
  VY_TOK_BANG,
  VY_TOK_COUNT
} vy_tok_kind;

/* Literal suffixes. */
typedef enum vy_suffix {
  VY_SUF_NONE, /* integer: u32 (or a plain number); float: f32 */
  VY_SUF_U,    /* u32 */
  VY_SUF_I,    /* i32 */
  VY_SUF_F,    /* f32 */
  VY_SUF_U64,  /* wide literal u64 */
  VY_SUF_I64,  /* wide literal i64 */
  VY_SUF_F64   /* wide literal f64 */
} vy_suffix;

typedef struct vy_token {
  vy_tok_kind kind;
  uint32_t line, col;   /* 1-based; col counts bytes */
  const char *start;    /* raw text in the source */
  size_t len;           /* raw length */
  vy_suffix suffix;     /* INT, FLOAT */
  uint64_t ival;        /* INT: the value (fits u64; the lexer rejects more) */
  uint64_t fbits;       /* FLOAT: f32 bits (suffix NONE/F) or f64 bits (F64) */
  size_t str_len;       /* STRING: decoded length */
} vy_token;

/* An on-demand lexer with one token of lookahead. Never reads outside
 * src[0, len). After an error every further token is VY_TOK_ERROR. */
typedef struct vy_lexer {
  const char *src;
  size_t len, pos;
  uint32_t line, col;
  vy_token cur;  /* the current token */
  vy_token next; /* the lookahead token, valid when has_next */
  bool has_next;
  bool failed;
  uint32_t err_line, err_col;
  char err_msg[320]; /* "message. Fix: hint" without the location */
} vy_lexer;

/* Starts lexing `len` bytes at `src` (NULL allowed when len is 0) and reads
 * the first token into lx->cur. */
void vy_text_lex_init(vy_lexer *lx, const char *src, size_t len);
/* Moves to the next token (lx->cur). */
void vy_text_lex_advance(vy_lexer *lx);
/* The token after lx->cur, without consuming anything. */
const vy_token *vy_text_lex_peek(vy_lexer *lx);
/* Splits a current `>>` token into two `>` (for closing nested type
 * arguments such as vec<vec4<u32>, 2>>): consumes the first `>` and leaves a
 * `>` as the current token. The current token must be VY_TOK_SHR. */
void vy_text_lex_split_shr(vy_lexer *lx);

/* Decodes the escapes of a STRING token into `dst`, which must have room for
 * tok->str_len bytes (the lexer has validated the escapes). */
void vy_text_decode_string(const vy_token *tok, char *dst);

/* Spelling of a token kind for messages ("'{'", "identifier", ...). */
const char *vy_text_tok_name(vy_tok_kind k);
/* True if tok is an IDENT whose text is exactly `word`. */
bool vy_text_tok_is(const vy_token *tok, const char *word);

/* ---- words ---- */

/* A reserved word cannot be used bare as a name (variable, buffer, tag, ...);
 * such names are written quoted. Reserved: the statement keywords, the
 * expression keywords and builtin function names, true/false/inf/nan and the
 * memory orderings. */
bool vy_text_is_reserved(const char *s, size_t n);
/* [A-Za-z_][A-Za-z0-9_]*, or with `dotted`, that pattern joined by single dots. */
bool vy_text_is_ident(const char *s, size_t n, bool dotted);

/* ---- operators ---- */

/* Binary precedence levels (higher binds tighter), C's order. Named BinOps
 * and primary expressions are VY_PREC_PRIMARY, prefix operators VY_PREC_UNARY. */
enum {
  VY_PREC_OR = 1,
  VY_PREC_AND,
  VY_PREC_BITOR,
  VY_PREC_BITXOR,
  VY_PREC_BITAND,
  VY_PREC_EQUALITY,
  VY_PREC_RELATIONAL,
  VY_PREC_SHIFT,
  VY_PREC_ADDITIVE,
  VY_PREC_MULTIPLICATIVE,
  VY_PREC_UNARY,
  VY_PREC_PRIMARY
};

/* The infix spelling and precedence of `op`, or NULL (and *prec untouched)
 * when the op is written as a named call. */
const char *vy_text_binop_infix(vy_binop op, int *prec);
/* The BinOp written with infix token `k`; false if `k` is not one. */
bool vy_text_binop_from_tok(vy_tok_kind k, vy_binop *op, int *prec);
/* Whether a BinOp / UnOp is written as a named call name(a, b) / name(x). */
bool vy_text_binop_is_named(vy_binop op);
bool vy_text_unop_is_named(vy_unop op);

/* ---- floats (locale-independent) ---- */

/* Converts decimal text (digits, '.', exponent; no sign, no suffix) to the
 * nearest f32 / f64. Returns false if it overflows to infinity or the text is
 * longer than VY_TEXT_MAX_FLOAT_CHARS. */
bool vy_text_parse_f32(const char *s, size_t n, uint32_t *bits);
bool vy_text_parse_f64(const char *s, size_t n, uint64_t *bits);

#endif
