/* cli_io.c - file input/output and program loading for the CLI. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

int cli_read_file(const char *path, vy_bytes *out) {
  memset(out, 0, sizeof *out);
  bool is_stdin = strcmp(path, "-") == 0;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "vyre-jit: cannot open '%s': %s. Fix: check the path and its permissions\n", path,
            strerror(errno));
    return CLI_IO;
  }
  int rc = CLI_OK;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (out->len + n > CLI_MAX_INPUT) {
      fprintf(stderr, "vyre-jit: '%s' is larger than %u MiB. Fix: pass a smaller program file\n", path,
              CLI_MAX_INPUT >> 20);
      rc = CLI_BAD_INPUT;
      break;
    }
    size_t need = out->len + n + 1;
    if (need > out->cap) {
      size_t cap = out->cap ? out->cap * 2 : 65536;
      while (cap < need) cap *= 2;
      uint8_t *d = realloc(out->data, cap);
      if (!d) {
        fprintf(stderr, "vyre-jit: out of memory reading '%s'\n", path);
        rc = CLI_INTERNAL;
        break;
      }
      out->data = d;
      out->cap = cap;
    }
    memcpy(out->data + out->len, chunk, n);
    out->len += n;
    out->data[out->len] = 0;
  }
  if (rc == CLI_OK && ferror(f)) {
    fprintf(stderr, "vyre-jit: error reading '%s': %s. Fix: check the file\n", path, strerror(errno));
    rc = CLI_IO;
  }
  if (!is_stdin) fclose(f);
  if (rc == CLI_OK && !out->data) { /* empty file: still hand back a NUL-terminated buffer */
    out->data = calloc(1, 1);
    out->cap = 1;
    if (!out->data) rc = CLI_INTERNAL;
  }
  if (rc != CLI_OK) vy_bytes_free(out);
  return rc;
}

int cli_write_file(const char *path, const void *data, size_t len) {
  bool is_stdout = !path || strcmp(path, "-") == 0;
  FILE *f = is_stdout ? stdout : fopen(path, "wb");
  if (!f) {
    fprintf(stderr, "vyre-jit: cannot create '%s': %s. Fix: check the directory and its permissions\n", path,
            strerror(errno));
    return CLI_IO;
  }
  bool ok = fwrite(data, 1, len, f) == len;
  ok = (is_stdout ? fflush(f) : fclose(f)) == 0 && ok;
  if (!ok) {
    fprintf(stderr, "vyre-jit: cannot write '%s': %s. Fix: check free space and permissions\n",
            is_stdout ? "<stdout>" : path, strerror(errno));
    return CLI_IO;
  }
  return CLI_OK;
}

int cli_exit_for(vy_status st) {
  switch (st) {
  case VY_OK:
    return CLI_OK;
  case VY_E_PARSE:
  case VY_E_DECODE:
  case VY_E_ENCODE:
  case VY_E_INVALID_PROGRAM:
  case VY_E_UNSUPPORTED:
  case VY_E_VERSION_MISMATCH:
    return CLI_BAD_INPUT;
  case VY_E_IO:
    return CLI_IO;
  case VY_E_RUNTIME:
  case VY_E_DISPATCH_FAILED:
  case VY_E_TIMEOUT:
  case VY_E_DEVICE_OOM:
  case VY_E_COMPILE_FAILED:
    return CLI_RUNTIME;
  default:
    return CLI_INTERNAL;
  }
}

void cli_report(const char *what, const vy_error *err) {
  fprintf(stderr, "vyre-jit: %s: %s\n", what, err->message);
}

bool cli_is_help(const char *arg) { return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0; }

int cli_load_program(const char *path, vy_program **out, cli_format *fmt) {
  *out = NULL;
  vy_bytes in;
  int rc = cli_read_file(path, &in);
  if (rc != CLI_OK) return rc;
  const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
  vy_error err;
  vy_status st;
  if (vy_wire_is_blob(in.data, in.len)) {
    *fmt = CLI_FMT_WIRE;
    st = vy_wire_decode(in.data, in.len, NULL, out, &err);
  } else if (vy_wire_is_hex((const char *)in.data, in.len)) {
    *fmt = CLI_FMT_HEX;
    vy_bytes blob = {0};
    st = vy_wire_from_hex((const char *)in.data, in.len, NULL, &blob, &err);
    if (st == VY_OK) st = vy_wire_decode(blob.data, blob.len, NULL, out, &err);
    vy_bytes_free(&blob);
  } else {
    *fmt = CLI_FMT_TEXT;
    st = vy_text_parse((const char *)in.data, in.len, shown, NULL, out, &err);
  }
  vy_bytes_free(&in);
  if (st == VY_OK) return CLI_OK;
  if (*fmt == CLI_FMT_TEXT) /* the parser's message already starts with file:line:col */
    fprintf(stderr, "%s\n", err.message);
  else if (err.offset != VY_NO_OFFSET)
    fprintf(stderr, "%s: byte %llu: %s\n", shown, (unsigned long long)err.offset, err.message);
  else
    fprintf(stderr, "%s: %s\n", shown, err.message);
  return cli_exit_for(st);
}

int cli_single_input(int argc, char **argv, const char *cmd, const char *usage, const char **input) {
  *input = NULL;
  for (int i = 0; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(usage, stdout);
      return -1;
    } else if (argv[i][0] == '-' && argv[i][1] != 0) {
      fprintf(stderr, "vyre-jit %s: unknown option '%s'\n%s", cmd, argv[i], usage);
      return CLI_USAGE;
    } else if (!*input) {
      *input = argv[i];
    } else {
      fprintf(stderr, "vyre-jit %s: more than one INPUT\n%s", cmd, usage);
      return CLI_USAGE;
    }
  }
  if (!*input) {
    fprintf(stderr, "vyre-jit %s: missing INPUT\n%s", cmd, usage);
    return CLI_USAGE;
  }
  return CLI_OK;
}
