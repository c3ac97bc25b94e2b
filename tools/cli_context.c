/* cli_context.c - the tool's vyre-jit context: every backend this build
 * has, registered once. */
#include <string.h>

#include "cli_int.h"
#ifdef VY_HAVE_JIT
#include "vyre/jit.h"
#endif

int cli_open_context(vy_context **out) {
  vy_context_options o;
  vy_context_options_init(&o);
  vy_error err;
  if (vy_context_create(&o, out, &err) != VY_OK) {
    cli_report("context", &err);
    return CLI_INTERNAL;
  }
#ifdef VY_HAVE_JIT
  if (vy_jit_register_backends(*out) != VY_OK) {
    fprintf(stderr, "vyre-jit: cannot register the JIT backends: out of memory\n");
    vy_context_destroy(*out);
    *out = NULL;
    return CLI_INTERNAL;
  }
#endif
  return CLI_OK;
}

int cli_list_backends(vy_context *ctx) {
  const char *def = vy_context_default_backend(ctx);
  for (size_t i = 0; i < vy_context_backend_count(ctx); i++) {
    const char *id = vy_context_backend_id(ctx, i);
    vy_error err;
    vy_status st = vy_context_probe_backend(ctx, id, &err);
    printf("%-10s %s%s\n", id, st == VY_OK ? "available" : err.message, strcmp(id, def) == 0 ? " (default)" : "");
  }
  return CLI_OK;
}
