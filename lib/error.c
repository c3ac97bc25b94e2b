/* error.c - the vy_error value and status names. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error_int.h"

void vy_error_clear(vy_error *err) {
  if (!err) return;
  err->code = VY_OK;
  err->rule[0] = 0;
  err->line = err->col = 0;
  err->offset = VY_NO_OFFSET;
  err->message[0] = 0;
}

const char *vy_status_name(vy_status s) {
  switch (s) {
#define S(x) \
  case x:    \
    return #x;
    S(VY_OK)
    S(VY_E_DEVICE_OOM)
    S(VY_E_UNSUPPORTED)
    S(VY_E_POISONED_LOCK)
    S(VY_E_COMPILE_FAILED)
    S(VY_E_DISPATCH_FAILED)
    S(VY_E_INVALID_PROGRAM)
    S(VY_E_UNKNOWN)
    S(VY_E_NOMEM)
    S(VY_E_PARSE)
    S(VY_E_DECODE)
    S(VY_E_ENCODE)
    S(VY_E_INVALID_ARGUMENT)
    S(VY_E_IO)
    S(VY_E_RUNTIME)
    S(VY_E_VERSION_MISMATCH)
    S(VY_E_TIMEOUT)
    S(VY_E_INTERNAL)
#undef S
  }
  return "VY_E_UNKNOWN_STATUS";
}

static vy_status set_va(vy_error *err, vy_status code, uint32_t line, uint32_t col, uint64_t off, const char *fmt,
                        va_list ap) {
  if (!err) return code;
  vy_error_clear(err);
  err->code = code;
  err->line = line;
  err->col = col;
  err->offset = off;
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  return code;
}

vy_status vy_error_set(vy_error *err, vy_status code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_va(err, code, 0, 0, VY_NO_OFFSET, fmt, ap);
  va_end(ap);
  return code;
}

vy_status vy_error_set_at(vy_error *err, vy_status code, uint32_t line, uint32_t col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_va(err, code, line, col, VY_NO_OFFSET, fmt, ap);
  va_end(ap);
  return code;
}

vy_status vy_error_set_offset(vy_error *err, vy_status code, uint64_t offset, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_va(err, code, 0, 0, offset, fmt, ap);
  va_end(ap);
  return code;
}

vy_status vy_error_nomem(vy_error *err) {
  return vy_error_set(err, VY_E_NOMEM,
                      "out of memory. Fix: free memory or raise the allocator's limit, then retry");
}
