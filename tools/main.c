/* main.c - the vyre-jit command-line tool: dispatch to subcommands.
 * Command forms are a stable interface (users script against them); the
 * exit statuses are listed in cli_int.h and README.md. */
#include <string.h>

#include "cli_int.h"

static const char usage[] =
    "usage: vyre-jit COMMAND [ARGS...]\n"
    "\n"
    "commands:\n"
    "  fmt INPUT [--to text|wire|hex] [-o OUTPUT]   convert a program between formats\n"
    "  validate INPUT                               check a program against vyre's rules\n"
    "  hash INPUT                                   print the program fingerprint\n"
    "  run PROGRAM [--backend NAME] [--input NAME=SPEC]... [--output-dir DIR] [--config KEY=VALUE]...\n"
    "                                               run a program and print its outputs\n"
    "  emit llvm|asm PROGRAM [-o OUTPUT] [--opt 2|3]    print the llvm-cpu backend's optimized code\n"
    "  bench [--suite SPEC] [--backends LIST] [--threads N] [--size S] [--json FILE] [--plot PNG] [--quick]\n"
    "                                               benchmark the backends against native C\n"
    "  cache stats|list|clear [--dir DIR]           inspect or empty the kernel disk cache\n"
    "\n"
    "INPUT is a text (.vy) program, a vyre wire blob or a hex envelope; '-' reads stdin.\n"
    "'vyre-jit COMMAND --help' describes a command. Exit status: 0 ok, 1 bad input,\n"
    "2 usage, 3 I/O error, 4 runtime error, 5 internal error.\n";

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
} commands[] = {
    {"fmt", cmd_fmt},
    {"validate", cmd_validate},
    {"hash", cmd_hash},
    {"run", cmd_run},
    {"bench", cmd_bench},
    {"cache", cmd_cache},
    {"emit", cmd_emit},
};

int main(int argc, char **argv) {
  if (vy_version_number() != VY_VERSION_NUMBER) {
    fprintf(stderr, "vyre-jit: library version %s does not match the tool's %s. Fix: reinstall vyre-jit\n",
            vy_version_string(), VY_VERSION_STRING);
    return CLI_INTERNAL;
  }
  if (argc < 2) {
    fputs(usage, stderr);
    return CLI_USAGE;
  }
  if (cli_is_help(argv[1])) {
    fputs(usage, stdout);
    return CLI_OK;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("vyre-jit %s (vyre IR %s, wire schema %d)\n", vy_version_string(), VY_VYRE_VERSION_STRING,
           VY_WIRE_SCHEMA_VERSION);
    return CLI_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 2, argv + 2);
  fprintf(stderr, "vyre-jit: unknown command '%s'\n%s", argv[1], usage);
  return CLI_USAGE;
}
