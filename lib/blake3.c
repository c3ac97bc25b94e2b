/* blake3.c - portable BLAKE3 (hash, keyed_hash, derive_key; any output length).
 *
 * Written from the BLAKE3 paper's specification (§2: compression function,
 * chunk chaining, binary tree of parent nodes, extendable output). One
 * compression per 64-byte block; no SIMD. The tree is built incrementally
 * with a stack of chaining values: after chunk number n (1-based) completes,
 * one parent merge happens per trailing zero bit of n, which keeps the stack
 * equal to the binary representation of the chunk count and never merges the
 * last chunk before finalization (it may be the root).
 *
 * The stack stores each chaining value as 32 little-endian bytes.
 */
#include "blake3_int.h"

#include <string.h>

enum {
  FLAG_CHUNK_START = 1u << 0,
  FLAG_CHUNK_END = 1u << 1,
  FLAG_PARENT = 1u << 2,
  FLAG_ROOT = 1u << 3,
  FLAG_KEYED_HASH = 1u << 4,
  FLAG_DERIVE_KEY_CONTEXT = 1u << 5,
  FLAG_DERIVE_KEY_MATERIAL = 1u << 6,
};

static const uint32_t IV[8] = {0x6A09E667u, 0xBB67AE85u, 0x3C6EF372u, 0xA54FF53Au,
                               0x510E527Fu, 0x9B05688Cu, 0x1F83D9ABu, 0x5BE0CD19u};

/* Message word schedule: round r uses the permutation applied r times. */
static const uint8_t MSG_PERM[16] = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};

static uint32_t load32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store32(uint8_t *p, uint32_t w) {
  p[0] = (uint8_t)w;
  p[1] = (uint8_t)(w >> 8);
  p[2] = (uint8_t)(w >> 16);
  p[3] = (uint8_t)(w >> 24);
}

static uint32_t rotr(uint32_t w, unsigned c) { return (w >> c) | (w << (32 - c)); }

static void g(uint32_t v[16], int a, int b, int c, int d, uint32_t mx, uint32_t my) {
  v[a] = v[a] + v[b] + mx;
  v[d] = rotr(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 12);
  v[a] = v[a] + v[b] + my;
  v[d] = rotr(v[d] ^ v[a], 8);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 7);
}

/* The compression function: 7 rounds over a 16-word state. `out` receives
 * all 16 output words (the first 8 are the new chaining value; the full 16
 * are extended output when ROOT is set). */
static void compress(const uint32_t cv[8], const uint8_t block[VY_BLAKE3_BLOCK_LEN], uint64_t counter,
                     uint32_t block_len, uint32_t flags, uint32_t out[16]) {
  uint32_t m[16], t[16];
  for (int i = 0; i < 16; i++) m[i] = load32(block + 4 * i);
  uint32_t v[16] = {cv[0],         cv[1],         cv[2],   cv[3], cv[4], cv[5], cv[6], cv[7],
                    IV[0],         IV[1],         IV[2],   IV[3], (uint32_t)counter,
                    (uint32_t)(counter >> 32), block_len, flags};
  for (int r = 0; r < 7; r++) {
    g(v, 0, 4, 8, 12, m[0], m[1]);
    g(v, 1, 5, 9, 13, m[2], m[3]);
    g(v, 2, 6, 10, 14, m[4], m[5]);
    g(v, 3, 7, 11, 15, m[6], m[7]);
    g(v, 0, 5, 10, 15, m[8], m[9]);
    g(v, 1, 6, 11, 12, m[10], m[11]);
    g(v, 2, 7, 8, 13, m[12], m[13]);
    g(v, 3, 4, 9, 14, m[14], m[15]);
    for (int i = 0; i < 16; i++) t[i] = m[MSG_PERM[i]];
    memcpy(m, t, sizeof m);
  }
  for (int i = 0; i < 8; i++) {
    out[i] = v[i] ^ v[i + 8];
    out[i + 8] = v[i + 8] ^ cv[i];
  }
}

/* What is needed to produce either a chaining value or root output for one
 * node of the tree (a chunk's last block or a parent). */
typedef struct output {
  uint32_t cv[8];
  uint8_t block[VY_BLAKE3_BLOCK_LEN];
  uint64_t counter;
  uint32_t block_len;
  uint32_t flags;
} output;

static void output_cv(const output *o, uint32_t cv[8]) {
  uint32_t w[16];
  compress(o->cv, o->block, o->counter, o->block_len, o->flags, w);
  memcpy(cv, w, 8 * sizeof(uint32_t));
}

static void parent_output(const uint8_t left[32], const uint8_t right[32], const uint32_t key[8],
                          uint32_t flags, output *o) {
  memcpy(o->cv, key, 8 * sizeof(uint32_t));
  memcpy(o->block, left, 32);
  memcpy(o->block + 32, right, 32);
  o->counter = 0;
  o->block_len = VY_BLAKE3_BLOCK_LEN;
  o->flags = flags | FLAG_PARENT;
}

static void cv_to_bytes(const uint32_t cv[8], uint8_t out[32]) {
  for (int i = 0; i < 8; i++) store32(out + 4 * i, cv[i]);
}

/* ---- chunk state ---- */

static void chunk_init(vy_blake3_chunk *c, const uint32_t key[8], uint64_t counter, uint8_t flags) {
  memcpy(c->cv, key, sizeof c->cv);
  c->chunk_counter = counter;
  memset(c->buf, 0, sizeof c->buf);
  c->buf_len = 0;
  c->blocks_compressed = 0;
  c->flags = flags;
}

static size_t chunk_len(const vy_blake3_chunk *c) {
  return (size_t)c->blocks_compressed * VY_BLAKE3_BLOCK_LEN + c->buf_len;
}

static uint32_t chunk_start_flag(const vy_blake3_chunk *c) {
  return c->blocks_compressed == 0 ? FLAG_CHUNK_START : 0;
}

/* Absorbs up to the rest of the chunk. The buffered block is compressed only
 * when more input follows it, so the chunk's last block stays buffered for
 * CHUNK_END (and possibly ROOT). */
static void chunk_update(vy_blake3_chunk *c, const uint8_t *in, size_t len) {
  while (len > 0) {
    if (c->buf_len == VY_BLAKE3_BLOCK_LEN) {
      uint32_t w[16];
      compress(c->cv, c->buf, c->chunk_counter, VY_BLAKE3_BLOCK_LEN, c->flags | chunk_start_flag(c), w);
      memcpy(c->cv, w, sizeof c->cv);
      c->blocks_compressed++;
      memset(c->buf, 0, sizeof c->buf);
      c->buf_len = 0;
    }
    size_t take = VY_BLAKE3_BLOCK_LEN - (size_t)c->buf_len;
    if (take > len) take = len;
    memcpy(c->buf + c->buf_len, in, take);
    c->buf_len = (uint8_t)(c->buf_len + take);
    in += take;
    len -= take;
  }
}

static void chunk_output(const vy_blake3_chunk *c, output *o) {
  memcpy(o->cv, c->cv, sizeof o->cv);
  memcpy(o->block, c->buf, sizeof o->block); /* zero-padded past buf_len */
  o->counter = c->chunk_counter;
  o->block_len = c->buf_len;
  o->flags = c->flags | chunk_start_flag(c) | FLAG_CHUNK_END;
}

/* ---- hasher ---- */

static void hasher_init(vy_blake3 *h, const uint32_t key[8], uint8_t flags) {
  memcpy(h->key, key, sizeof h->key);
  chunk_init(&h->chunk, key, 0, flags);
  h->cv_stack_len = 0;
}

/* Pushes the chaining value of a completed chunk, first merging one stack
 * entry per trailing zero bit of `total_chunks` (completed subtrees). */
static void push_chunk_cv(vy_blake3 *h, uint8_t cv[32], uint64_t total_chunks) {
  while ((total_chunks & 1) == 0) {
    output o;
    uint32_t pcv[8];
    h->cv_stack_len--;
    parent_output(h->cv_stack + (size_t)h->cv_stack_len * 32, cv, h->key, h->chunk.flags, &o);
    output_cv(&o, pcv);
    cv_to_bytes(pcv, cv);
    total_chunks >>= 1;
  }
  memcpy(h->cv_stack + (size_t)h->cv_stack_len * 32, cv, 32);
  h->cv_stack_len++;
}

/* Initializes a hasher for the plain hash mode. Never fails. */
void vy_blake3_init(vy_blake3 *h) { hasher_init(h, IV, 0); }

/* Initializes a hasher for keyed_hash mode with a 32-byte key. Never fails. */
void vy_blake3_init_keyed(vy_blake3 *h, const uint8_t key[VY_BLAKE3_KEY_LEN]) {
  uint32_t k[8];
  for (int i = 0; i < 8; i++) k[i] = load32(key + 4 * i);
  hasher_init(h, k, FLAG_KEYED_HASH);
}

/* Initializes a hasher for derive_key mode: the NUL-terminated `context`
 * string is hashed into a context key, and the key material is then fed
 * with vy_blake3_update. Never fails. */
void vy_blake3_init_derive_key(vy_blake3 *h, const char *context) {
  vy_blake3 ctx;
  uint8_t ck[VY_BLAKE3_KEY_LEN];
  hasher_init(&ctx, IV, FLAG_DERIVE_KEY_CONTEXT);
  vy_blake3_update(&ctx, context, strlen(context));
  vy_blake3_finalize(&ctx, ck, sizeof ck);
  uint32_t k[8];
  for (int i = 0; i < 8; i++) k[i] = load32(ck + 4 * i);
  hasher_init(h, k, FLAG_DERIVE_KEY_MATERIAL);
}

/* Absorbs `len` bytes (`data` may be NULL when len is 0). Never fails; any
 * split of the input gives the same result. */
void vy_blake3_update(vy_blake3 *h, const void *data, size_t len) {
  const uint8_t *in = data;
  while (len > 0) {
    if (chunk_len(&h->chunk) == VY_BLAKE3_CHUNK_LEN) {
      output o;
      uint32_t cv[8];
      uint8_t cvb[32];
      chunk_output(&h->chunk, &o);
      output_cv(&o, cv);
      cv_to_bytes(cv, cvb);
      uint64_t total = h->chunk.chunk_counter + 1;
      push_chunk_cv(h, cvb, total);
      chunk_init(&h->chunk, h->key, total, h->chunk.flags);
    }
    size_t take = VY_BLAKE3_CHUNK_LEN - chunk_len(&h->chunk);
    if (take > len) take = len;
    chunk_update(&h->chunk, in, take);
    in += take;
    len -= take;
  }
}

/* Writes `out_len` bytes of root output (XOF). The hasher is not modified. */
void vy_blake3_finalize(const vy_blake3 *h, uint8_t *out, size_t out_len) {
  output o;
  chunk_output(&h->chunk, &o);
  for (size_t i = h->cv_stack_len; i > 0; i--) {
    uint32_t cv[8];
    uint8_t right[32];
    output_cv(&o, cv);
    cv_to_bytes(cv, right);
    parent_output(h->cv_stack + (i - 1) * 32, right, h->key, h->chunk.flags, &o);
  }
  uint64_t block_counter = 0;
  while (out_len > 0) {
    uint32_t w[16];
    uint8_t bytes[VY_BLAKE3_BLOCK_LEN];
    compress(o.cv, o.block, block_counter, o.block_len, o.flags | FLAG_ROOT, w);
    for (int i = 0; i < 16; i++) store32(bytes + 4 * i, w[i]);
    size_t take = out_len < sizeof bytes ? out_len : sizeof bytes;
    memcpy(out, bytes, take);
    out += take;
    out_len -= take;
    block_counter++;
  }
}

/* One-shot plain hash of `len` bytes into 32 bytes. Never fails. */
void vy_blake3_hash(const void *data, size_t len, uint8_t out[VY_BLAKE3_OUT_LEN]) {
  vy_blake3 h;
  vy_blake3_init(&h);
  vy_blake3_update(&h, data, len);
  vy_blake3_finalize(&h, out, VY_BLAKE3_OUT_LEN);
}
