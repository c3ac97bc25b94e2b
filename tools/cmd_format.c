/* cmd_format.c - `vyre-jit fmt`, `vyre-jit validate` and `vyre-jit hash`:
 * the commands that read a program and report on or convert it. */
#include <string.h>

#include "cli_int.h"

static const char fmt_usage[] =
    "usage: vyre-jit fmt INPUT [--to text|wire|hex] [-o OUTPUT]\n"
    "\n"
    "Reads a program (text .vy, wire blob, or hex envelope: detected from the\n"
    "content; INPUT '-' is stdin) and writes it in another format. The default\n"
    "output is text on stdout.\n";

int cmd_fmt(int argc, char **argv) {
  const char *input = NULL, *output = NULL, *to = "text";
  for (int i = 0; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(fmt_usage, stdout);
      return CLI_OK;
    } else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc) {
      to = argv[++i];
    } else if (strncmp(argv[i], "--to=", 5) == 0) {
      to = argv[i] + 5;
    } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
      output = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1] != 0) {
      fprintf(stderr, "vyre-jit fmt: unknown option '%s'\n%s", argv[i], fmt_usage);
      return CLI_USAGE;
    } else if (!input) {
      input = argv[i];
    } else {
      fprintf(stderr, "vyre-jit fmt: more than one INPUT\n%s", fmt_usage);
      return CLI_USAGE;
    }
  }
  if (!input) {
    fprintf(stderr, "vyre-jit fmt: missing INPUT\n%s", fmt_usage);
    return CLI_USAGE;
  }
  if (strcmp(to, "text") != 0 && strcmp(to, "wire") != 0 && strcmp(to, "hex") != 0) {
    fprintf(stderr, "vyre-jit fmt: --to must be text, wire or hex, not '%s'\n", to);
    return CLI_USAGE;
  }
  vy_program *p;
  cli_format in_fmt;
  int rc = cli_load_program(input, &p, &in_fmt);
  if (rc != CLI_OK) return rc;
  vy_bytes out = {0}, blob = {0};
  vy_error err;
  vy_status st;
  if (strcmp(to, "text") == 0) {
    st = vy_text_print(p, NULL, &out, &err);
  } else {
    st = vy_wire_encode(p, NULL, strcmp(to, "wire") == 0 ? &out : &blob, &err);
    if (st == VY_OK && strcmp(to, "hex") == 0) st = vy_wire_to_hex(blob.data, blob.len, NULL, &out, &err);
  }
  if (st == VY_OK)
    rc = cli_write_file(output, out.data, out.len);
  else {
    cli_report(strcmp(to, "text") == 0 ? "print" : "encode", &err);
    rc = cli_exit_for(st);
  }
  vy_bytes_free(&out);
  vy_bytes_free(&blob);
  vy_program_destroy(p);
  return rc;
}

static const char validate_usage[] =
    "usage: vyre-jit validate INPUT\n"
    "\n"
    "Checks a program against every rule of vyre's validator. Diagnostics go to\n"
    "stderr as 'INPUT:LINE:COL: error[CODE]: message' (or with the node path when\n"
    "the program has no source positions). Exit status 1 when there are errors;\n"
    "warnings alone exit 0.\n";

int cmd_validate(int argc, char **argv) {
  const char *input = NULL;
  int rc = cli_single_input(argc, argv, "validate", validate_usage, &input);
  if (rc != CLI_OK) return rc < 0 ? CLI_OK : rc;
  vy_program *p;
  cli_format fmt;
  rc = cli_load_program(input, &p, &fmt);
  if (rc != CLI_OK) return rc;
  const char *shown = strcmp(input, "-") == 0 ? "<stdin>" : input;
  vy_diagnostics *diags = NULL;
  vy_error err;
  vy_status st = vy_validate(p, NULL, NULL, &diags, &err);
  if (st != VY_OK) {
    cli_report("validate", &err);
    vy_program_destroy(p);
    return cli_exit_for(st);
  }
  size_t n = vy_diagnostics_count(diags), errors = vy_diagnostics_error_count(diags);
  for (size_t i = 0; i < n; i++) {
    const vy_diagnostic *d = vy_diagnostics_get(diags, i);
    const char *sev = d->warning ? "warning" : "error";
    if (d->loc.line)
      fprintf(stderr, "%s:%u:%u: %s[%s]: %s\n", shown, d->loc.line, d->loc.col, sev, d->code, d->message);
    else
      fprintf(stderr, "%s: %s: %s[%s]: %s\n", shown, d->path[0] ? d->path : "program", sev, d->code, d->message);
  }
  fprintf(stderr, "%s: %zu error(s), %zu warning(s)\n", shown, errors, n - errors);
  vy_diagnostics_destroy(diags);
  vy_program_destroy(p);
  return errors ? CLI_BAD_INPUT : CLI_OK;
}

static const char hash_usage[] =
    "usage: vyre-jit hash INPUT\n"
    "\n"
    "Prints the program's fingerprint: vyre's Program::fingerprint(), the BLAKE3\n"
    "of its canonical wire encoding, as 64 lowercase hex digits and nothing else.\n"
    "Fails (exit 1) for programs vyre's wire encoder rejects, which have none.\n";

int cmd_hash(int argc, char **argv) {
  const char *input = NULL;
  int rc = cli_single_input(argc, argv, "hash", hash_usage, &input);
  if (rc != CLI_OK) return rc < 0 ? CLI_OK : rc;
  vy_program *p;
  cli_format fmt;
  rc = cli_load_program(input, &p, &fmt);
  if (rc != CLI_OK) return rc;
  uint8_t fp[32];
  if (!vy_program_fingerprint(p, fp)) {
    /* say why: the encoder's own error names the offending field */
    vy_bytes blob = {0};
    vy_error err;
    vy_status st = vy_wire_encode(p, NULL, &blob, &err);
    vy_bytes_free(&blob);
    if (st != VY_OK)
      fprintf(stderr, "vyre-jit hash: the program has no fingerprint because vyre cannot encode it: %s\n",
              err.message);
    else
      fprintf(stderr, "vyre-jit hash: the program has no fingerprint. Fix: report this bug\n");
    vy_program_destroy(p);
    return CLI_BAD_INPUT;
  }
  for (int i = 0; i < 32; i++) printf("%02x", fp[i]);
  printf("\n");
  vy_program_destroy(p);
  return CLI_OK;
}
