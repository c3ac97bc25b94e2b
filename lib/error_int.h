/* error_int.h - filling vy_error values. */
#ifndef VYRE_ERROR_INT_H
#define VYRE_ERROR_INT_H

#include "vyre/status.h"

/* Sets *err (if non-NULL) to `code` with a printf-formatted message and
 * returns `code`. The message should end with "Fix: ...". */
vy_status vy_error_set(vy_error *err, vy_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same with a text location (line, col; 1-based). */
vy_status vy_error_set_at(vy_error *err, vy_status code, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Same with a wire byte offset. */
vy_status vy_error_set_offset(vy_error *err, vy_status code, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The canned out-of-memory error (allocates nothing). */
vy_status vy_error_nomem(vy_error *err);

#endif
