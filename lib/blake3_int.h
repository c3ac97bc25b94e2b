/* blake3_int.h - BLAKE3 (portable C, our own implementation in blake3.c).
 *
 * Used for the program fingerprint (vyre-ir.md §6), the wire body digest
 * (§7.1) and the kernel-cache key. Streaming interface; the hasher is a plain
 * struct the caller owns (no allocation). Output of any length (XOF).
 */
#ifndef VYRE_BLAKE3_INT_H
#define VYRE_BLAKE3_INT_H

#include <stddef.h>
#include <stdint.h>

#define VY_BLAKE3_OUT_LEN 32
#define VY_BLAKE3_KEY_LEN 32
#define VY_BLAKE3_BLOCK_LEN 64
#define VY_BLAKE3_CHUNK_LEN 1024
#define VY_BLAKE3_MAX_DEPTH 54

typedef struct vy_blake3_chunk {
  uint32_t cv[8];
  uint64_t chunk_counter;
  uint8_t buf[VY_BLAKE3_BLOCK_LEN];
  uint8_t buf_len;
  uint8_t blocks_compressed;
  uint8_t flags;
} vy_blake3_chunk;

typedef struct vy_blake3 {
  uint32_t key[8];
  vy_blake3_chunk chunk;
  uint8_t cv_stack_len;
  uint8_t cv_stack[(VY_BLAKE3_MAX_DEPTH + 1) * VY_BLAKE3_OUT_LEN];
} vy_blake3;

void vy_blake3_init(vy_blake3 *h);
void vy_blake3_init_keyed(vy_blake3 *h, const uint8_t key[VY_BLAKE3_KEY_LEN]);
void vy_blake3_init_derive_key(vy_blake3 *h, const char *context);
void vy_blake3_update(vy_blake3 *h, const void *data, size_t len);
/* Writes `out_len` bytes of output; does not modify the hasher (more input
 * may follow and finalize may be called again). */
void vy_blake3_finalize(const vy_blake3 *h, uint8_t *out, size_t out_len);
/* One-shot 32-byte hash. */
void vy_blake3_hash(const void *data, size_t len, uint8_t out[VY_BLAKE3_OUT_LEN]);

#endif
