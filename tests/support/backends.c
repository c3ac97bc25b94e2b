/* backends.c - see backends.h. */
#include "backends.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <string.h>

#include "vyre/text.h"

vy_program *vt_parse(const char *src) {
  vy_program *p = NULL;
  vy_error err;
  if (vy_text_parse(src, strlen(src), "test", NULL, &p, &err) != VY_OK) fail_msg("parse: %s", err.message);
  return p;
}

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

static void *locked_fn(void *ud, void *ptr, size_t old_size, size_t new_size) {
  vt_locked_alloc *la = ud;
  pthread_mutex_lock(&la->mu);
  void *r = la->inner->fn(la->inner->ud, ptr, old_size, new_size);
  pthread_mutex_unlock(&la->mu);
  return r;
}

void vt_locked_alloc_init(vt_locked_alloc *la, const vy_allocator *inner) {
  la->alloc.fn = locked_fn;
  la->alloc.ud = la;
  la->inner = inner;
  pthread_mutex_init(&la->mu, NULL);
}

void vt_locked_alloc_destroy(vt_locked_alloc *la) { pthread_mutex_destroy(&la->mu); }
