/* cli_int.h - shared pieces of the vyre-jit command-line tool. */
#ifndef VYRE_CLI_INT_H
#define VYRE_CLI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vyre/values.h"
#include "vyre/vyre.h"

/* Exit statuses (documented in README.md, "Command-line tool"). */
enum {
  CLI_OK = 0,       /* success */
  CLI_BAD_INPUT = 1, /* the input is wrong: syntax, decode or validation errors */
  CLI_USAGE = 2,    /* wrong command line */
  CLI_IO = 3,       /* a file could not be read or written */
  CLI_RUNTIME = 4,  /* the program failed while running (trap, runtime error, timeout) */
  CLI_INTERNAL = 5  /* out of memory or an internal error */
};

/* Largest input file the tool reads (wire blobs are capped at 64 MiB by the format). */
#define CLI_MAX_INPUT (256u << 20)

/* Reads a whole file ("-" = stdin) into *out (NUL-terminated). Returns a CLI_* status
 * and prints the reason on stderr. */
int cli_read_file(const char *path, vy_bytes *out);
/* Writes bytes to `path` ("-" or NULL = stdout). Returns a CLI_* status. */
int cli_write_file(const char *path, const void *data, size_t len);

/* The input formats a program file can have, detected from its content. */
typedef enum { CLI_FMT_TEXT, CLI_FMT_WIRE, CLI_FMT_HEX } cli_format;

/* Reads and decodes/parses the program in `path`, detecting the format.
 * On failure prints "path: message" (with line:col for text) and returns
 * CLI_BAD_INPUT, CLI_IO or CLI_INTERNAL. */
int cli_load_program(const char *path, vy_program **out, cli_format *fmt);

/* Maps a library status to the tool's exit status. */
int cli_exit_for(vy_status st);
/* Prints "vyre-jit: <what>: <message>" for a library error. */
void cli_report(const char *what, const vy_error *err);

/* Parses the arguments of a command that takes exactly one INPUT and no
 * options. Returns CLI_OK with *input set, -1 after printing the help, or
 * CLI_USAGE after printing why. */
int cli_single_input(int argc, char **argv, const char *cmd, const char *usage, const char **input);

/* true when argv[i] is -h or --help */
bool cli_is_help(const char *arg);

/* Creates the tool's context with every backend of this build registered.
 * Returns a CLI_* status after printing why on failure. */
int cli_open_context(vy_context **out);
/* Prints each registered backend with its availability. */
int cli_list_backends(vy_context *ctx);

/* The subcommands: each gets argv after the command name. */
int cmd_fmt(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
/* `vyre-jit bench --stream` (cmd_bench_stream.c): streaming throughput. */
int cmd_bench_stream(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_emit(int argc, char **argv);

#endif
