/** @file
 * status.h - status codes, the error value and the pluggable allocator.
 *
 * Every public function that can fail returns a vy_status (VY_OK = 0) and
 * fills an optional caller-owned vy_error. The error holds its message inline,
 * so reporting an error never allocates and there is nothing to free.
 * Codes 1001..1999 are vyre's stable BackendError codes (vyre-driver.md §1.4);
 * codes 2000 and up are vyre-jit's own and are append-only as well.
 */
#ifndef VYRE_STATUS_H
#define VYRE_STATUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The result of every call that can fail; VY_OK is 0. */
typedef enum vy_status {
  VY_OK = 0, /**< success */
  /* vyre's ErrorCode ids */
  VY_E_DEVICE_OOM = 1001,      /**< device allocation failed */
  VY_E_UNSUPPORTED = 1002,     /**< feature or op not supported by the backend */
  VY_E_POISONED_LOCK = 1003,   /**< kept for numbering; never returned */
  VY_E_COMPILE_FAILED = 1004,  /**< kernel compilation failed */
  VY_E_DISPATCH_FAILED = 1005, /**< launch, queue or runtime failure */
  VY_E_INVALID_PROGRAM = 1006, /**< validation, ABI or launch-geometry failure */
  VY_E_UNKNOWN = 1999,         /**< anything else from vyre's Raw() */
  /* vyre-jit's own */
  VY_E_NOMEM = 2001,            /**< host allocation failed (allocator said no) */
  VY_E_PARSE = 2002,            /**< text (.vy) syntax error */
  VY_E_DECODE = 2003,           /**< malformed wire blob or hex envelope */
  VY_E_ENCODE = 2004,           /**< program cannot be encoded (vyre's encoder rejects it) */
  VY_E_INVALID_ARGUMENT = 2005, /**< API misuse: NULL handle, bad size, bad option */
  VY_E_IO = 2006,               /**< file could not be read or written */
  VY_E_RUNTIME = 2007,          /**< program runtime error in the reference semantics (trap, i32 /0, ...) */
  VY_E_VERSION_MISMATCH = 2008, /**< header/library or wire schema version mismatch */
  VY_E_TIMEOUT = 2009,          /**< DispatchConfig.timeout elapsed */
  VY_E_INTERNAL = 2099          /**< a broken invariant inside vyre-jit: please report */
} vy_status;

/** Location fields not known for an error are 0 (line/col) or VY_NO_OFFSET. */
#define VY_NO_OFFSET UINT64_MAX
/** Size of vy_error.message, the terminating NUL included. */
#define VY_ERROR_MESSAGE_MAX 1024

/** An error value. Caller-owned (usually on the stack); functions that fail
 * overwrite every field. `message` is NUL-terminated, always ends with a
 * "Fix: ..." hint, and carries the location in its text too. */
typedef struct vy_error {
  vy_status code;                     /**< same as the returned status */
  char rule[8];                       /**< validator rule ("V008", "X001") or "" */
  uint32_t line;                      /**< text input: 1-based line, else 0 */
  uint32_t col;                       /**< text input: 1-based column, else 0 */
  uint64_t offset;                    /**< wire input: byte offset, else VY_NO_OFFSET */
  char message[VY_ERROR_MESSAGE_MAX]; /**< human-readable text ending in "Fix: ..." */
} vy_error;

/** Resets `err` to VY_OK with an empty message. NULL is a no-op. */
void vy_error_clear(vy_error *err);

/** Stable spelling of a status code ("VY_E_DECODE"). Never NULL. */
const char *vy_status_name(vy_status s);

/** Lua-style allocator: with new_size == 0 frees `ptr` (old_size is its size)
 * and returns NULL; otherwise (re)allocates to new_size and returns NULL on
 * failure, leaving `ptr` valid. Must be safe to call from any thread if the
 * object using it is. A NULL vy_allocator pointer anywhere in the API means
 * the C library's malloc/realloc/free. */
typedef struct vy_allocator {
  void *(*fn)(void *ud, void *ptr, size_t old_size, size_t new_size); /**< the allocation function */
  void *ud;                                                          /**< passed to every call of fn */
} vy_allocator;

/** A byte string returned by the library (encoded wire, printed text, ...).
 * `data` was allocated with `alloc` (NULL = malloc) and is freed by
 * vy_bytes_free, which also resets the struct. Text outputs are
 * NUL-terminated at data[len]. */
typedef struct vy_bytes {
  uint8_t *data;             /**< the bytes (NULL when empty) */
  size_t len;                /**< number of bytes */
  size_t cap;                /**< allocated capacity */
  const vy_allocator *alloc; /**< allocator of `data` (NULL = malloc) */
} vy_bytes;

/** Frees b->data with b->alloc and resets *b to empty. NULL is a no-op. */
void vy_bytes_free(vy_bytes *b);

/** One input buffer's initial bytes, borrowed for the duration of a call. */
typedef struct vy_input {
  const void *data; /**< may be NULL when len is 0 */
  size_t len;       /**< number of bytes */
} vy_input;

/** Output buffers returned by a dispatch; free with vy_outputs_free. */
typedef struct vy_outputs {
  size_t count;              /**< number of returned buffers */
  vy_bytes *items;           /**< each owns its bytes */
  const vy_allocator *alloc; /**< allocator of `items` */
} vy_outputs;

/** Frees every buffer and resets the struct. NULL is a no-op. */
void vy_outputs_free(vy_outputs *out);

#ifdef __cplusplus
}
#endif
#endif
