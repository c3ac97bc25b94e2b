/* cli_context.c - the tool's vyre-jit context: every backend this build
 * has, registered once. */
#include <string.h>

#include "cli_int.h"

int cli_open_context(vy_context **out) {
  vy_context_options o;
  vy_context_options_init(&o);
  vy_error err;
  if (vy_context_create(&o, out, &err) != VY_OK) {
    cli_report("context", &err);
    return CLI_INTERNAL;
  }
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
