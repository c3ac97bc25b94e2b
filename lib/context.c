/* context.c - the context: allocator, host-op registry, backend registry. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alloc_int.h"
#include "async_int.h"
#include "backend_int.h"
#include "error_int.h"

struct vy_context {
  vy_allocator alloc_copy;
  const vy_allocator *alloc;
  const vy_host_registry *host_ops;
  uint32_t threads;
  const vy_backend_factory **factories;
  size_t nfactories, cap;
  _Atomic(vy_async_pool *) async_pool; /* the host backends' runner threads (async.c), made at first use */
};

vy_status vy_context_create(const vy_context_options *opts, vy_context **out, vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_context_create: out is NULL. Fix: pass a pointer");
  *out = NULL;
  if (opts && opts->header_version != vy_version_number())
    return vy_error_set(err, VY_E_VERSION_MISMATCH,
                        "vyre-jit headers are version %d but the library is %d (%s). Fix: rebuild against the "
                        "headers of the installed library (and initialize options with vy_context_options_init)",
                        opts->header_version, vy_version_number(), vy_version_string());
  const vy_allocator *alloc = opts ? opts->alloc : NULL;
  vy_context *c = vy_mem_calloc(alloc, 1, sizeof *c);
  if (!c) return vy_error_nomem(err);
  atomic_init(&c->async_pool, NULL);
  if (alloc) {
    c->alloc_copy = *alloc;
    c->alloc = &c->alloc_copy;
  }
  if (opts) {
    c->host_ops = opts->host_ops;
    c->threads = opts->threads;
  }
  if (!c->threads) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    c->threads = n > 0 ? (uint32_t)n : 1;
  }
  vy_status st = vy_context_register_backend(c, &vy_reference_backend_factory);
  if (st != VY_OK) {
    vy_context_destroy(c);
    return vy_error_nomem(err);
  }
  *out = c;
  return VY_OK;
}

void vy_context_destroy(vy_context *c) {
  if (!c) return;
  vy_async_pool_destroy(atomic_load(&c->async_pool)); /* joins the runners */
  vy_mem_free(c->alloc, c->factories, c->cap * sizeof *c->factories);
  vy_mem_free(c->alloc, c, sizeof *c);
}

vy_status vy_context_register_backend(vy_context *c, const vy_backend_factory *f) {
  if (!c || !f || !f->id || !f->open) return VY_E_INVALID_ARGUMENT;
  for (size_t i = 0; i < c->nfactories; i++)
    if (strcmp(c->factories[i]->id, f->id) == 0) {
      c->factories[i] = f;
      return VY_OK;
    }
  if (c->nfactories == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 4;
    const vy_backend_factory **n = vy_mem_realloc(c->alloc, c->factories, c->cap * sizeof *n, cap * sizeof *n);
    if (!n) return VY_E_NOMEM;
    c->factories = n;
    c->cap = cap;
  }
  c->factories[c->nfactories++] = f;
  return VY_OK;
}

size_t vy_context_backend_count(const vy_context *c) { return c ? c->nfactories : 0; }
const char *vy_context_backend_id(const vy_context *c, size_t i) {
  return c && i < c->nfactories ? c->factories[i]->id : NULL;
}

static const vy_backend_factory *find(const vy_context *c, const char *id) {
  for (size_t i = 0; id && i < c->nfactories; i++)
    if (strcmp(c->factories[i]->id, id) == 0) return c->factories[i];
  return NULL;
}

static vy_status unknown(const vy_context *c, const char *id, vy_error *err) {
  char known[256] = "";
  for (size_t i = 0; i < c->nfactories; i++) {
    size_t len = strlen(known);
    snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "", c->factories[i]->id);
  }
  return vy_error_set(err, VY_E_UNSUPPORTED,
                      "no backend named `%s` is registered (known: %s). Fix: use one of the known names, or "
                      "register the JIT backends with vy_jit_register_backends",
                      id ? id : "(null)", known);
}

vy_status vy_context_probe_backend(vy_context *c, const char *id, vy_error *err) {
  if (!c) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "context is NULL. Fix: create one with vy_context_create");
  const vy_backend_factory *f = find(c, id);
  if (!f) return unknown(c, id, err);
  return f->probe ? f->probe(c, err) : VY_OK;
}

const char *vy_context_default_backend(vy_context *c) {
  const vy_backend_factory *best = NULL;
  for (size_t i = 0; c && i < c->nfactories; i++) {
    const vy_backend_factory *f = c->factories[i];
    if (strcmp(f->id, "reference") == 0 || (best && best->rank <= f->rank)) continue;
    if (!f->probe || f->probe(c, NULL) == VY_OK) best = f;
  }
  return best ? best->id : "reference";
}

vy_status vy_backend_open(vy_context *c, const char *id, vy_backend **out, vy_error *err) {
  if (!out) return vy_error_set(err, VY_E_INVALID_ARGUMENT, "vy_backend_open: out is NULL. Fix: pass a pointer");
  *out = NULL;
  vy_status st = vy_context_probe_backend(c, id, err);
  if (st != VY_OK) return st;
  return find(c, id)->open(c, out, err);
}

const vy_allocator *vy_context_allocator(const vy_context *c) { return c ? c->alloc : NULL; }
const vy_host_registry *vy_context_host_ops(const vy_context *c) { return c ? c->host_ops : NULL; }
uint32_t vy_context_threads(const vy_context *c) { return c ? c->threads : 1; }

_Atomic(vy_async_pool *) *vy_context_async_slot(vy_context *c) { return &c->async_pool; }
