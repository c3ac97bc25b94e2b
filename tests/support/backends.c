/* backends.c - see backends.h. */
#include "backends.h"

vy_status vt_open_backend(const char *name, const vy_allocator *alloc, vt_register_fn reg, vy_context **ctx,
                          vy_backend **be, vy_error *err) {
  vy_context_options o;
  vy_context_options_init(&o);
  o.alloc = alloc;
  o.threads = 2;
  *ctx = NULL;
  *be = NULL;
  vy_status st = vy_context_create(&o, ctx, err);
  if (st == VY_OK && reg) st = reg(*ctx);
  if (st == VY_OK) st = vy_backend_open(*ctx, name, be, err);
  if (st != VY_OK) {
    vy_context_destroy(*ctx);
    *ctx = NULL;
  }
  return st;
}

void vt_close_backend(vy_context *ctx, vy_backend *be) {
  vy_backend_close(be);
  vy_context_destroy(ctx);
}
