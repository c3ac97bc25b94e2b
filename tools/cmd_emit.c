/* cmd_emit.c - `vyre-jit emit llvm|asm PROGRAM`: the code the llvm-cpu
 * backend generates for a program, after LLVM's optimization pipeline;
 * `vyre-jit emit ptx PROGRAM`: the cuda backend's PTX (no GPU needed). */
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#ifdef VY_HAVE_JIT
#include "vyre/jit.h"
#endif

static const char emit_usage[] =
    "usage: vyre-jit emit llvm|asm PROGRAM [-o OUTPUT] [--opt 2|3] [--vector-width 0|128|256|512]\n"
    "       vyre-jit emit ptx PROGRAM [-o OUTPUT] [--sm 90] [--ptx 78]\n"
    "\n"
    "Compiles PROGRAM with the llvm-cpu backend for this machine and prints the\n"
    "optimized LLVM IR (llvm) or the host assembly (asm) of its kernel: one\n"
    "function that runs a range of workgroups, vectorized across invocations.\n"
    "--opt picks vyre's kernel pipeline (2, the default) or LLVM's default<O3>;\n"
    "--vector-width overrides LLVM's preferred vector width (0 = LLVM's choice).\n"
    "ptx prints the PTX of the cuda backend's kernel for SM --sm (default 90) and\n"
    "PTX ISA --ptx (x10, default: LLVM's minimum for the SM); it needs no GPU.\n"
    "Transcendentals link libdevice ($VYRE_JIT_LIBDEVICE, $CUDA_HOME/nvvm/libdevice or\n"
    "/usr/local/cuda/nvvm/libdevice).\n"
    "VYRE_JIT_DUMP=ir,opt,asm writes the same stages of every compile to files.\n";

/* A whole decimal number of at most 4 digits (--sm, --ptx, --vector-width);
 * false for anything else. */
static bool small_number(const char *s, unsigned *out) {
  char *end;
  if (!*s || strlen(s) > 4 || *s < '0' || *s > '9') return false;
  *out = (unsigned)strtoul(s, &end, 10);
  return *end == 0;
}

int cmd_emit(int argc, char **argv) {
  const char *what = NULL, *input = NULL, *output = NULL;
  int opt = 2;
  unsigned width = 0, sm = 90, ptx = 0;
  for (int i = 0; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(emit_usage, stdout);
      return CLI_OK;
    } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
      output = argv[++i];
    } else if (strcmp(argv[i], "--opt") == 0 && i + 1 < argc) {
      opt = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--sm") == 0 && i + 1 < argc) {
      if (!small_number(argv[++i], &sm)) {
        fprintf(stderr, "vyre-jit emit: --sm needs a number, not '%s'\n%s", argv[i], emit_usage);
        return CLI_USAGE;
      }
    } else if (strcmp(argv[i], "--ptx") == 0 && i + 1 < argc) {
      if (!small_number(argv[++i], &ptx)) {
        fprintf(stderr, "vyre-jit emit: --ptx needs a number, not '%s'\n%s", argv[i], emit_usage);
        return CLI_USAGE;
      }
    } else if (strcmp(argv[i], "--vector-width") == 0 && i + 1 < argc) {
      if (!small_number(argv[++i], &width)) {
        fprintf(stderr, "vyre-jit emit: --vector-width needs a number, not '%s'\n%s", argv[i], emit_usage);
        return CLI_USAGE;
      }
    } else if (argv[i][0] == '-' && argv[i][1] != 0) {
      fprintf(stderr, "vyre-jit emit: unknown option '%s'\n%s", argv[i], emit_usage);
      return CLI_USAGE;
    } else if (!what) {
      what = argv[i];
    } else if (!input) {
      input = argv[i];
    } else {
      fprintf(stderr, "vyre-jit emit: more than one PROGRAM\n%s", emit_usage);
      return CLI_USAGE;
    }
  }
  bool is_ptx = what && strcmp(what, "ptx") == 0;
  if (!what || !input || (strcmp(what, "llvm") != 0 && strcmp(what, "asm") != 0 && !is_ptx)) {
    fprintf(stderr, "vyre-jit emit: expected 'llvm', 'asm' or 'ptx' and a PROGRAM\n%s", emit_usage);
    return CLI_USAGE;
  }
#ifndef VY_HAVE_JIT
  (void)output;
  (void)opt;
  (void)width;
  (void)sm;
  (void)ptx;
  fprintf(stderr, "vyre-jit emit: this vyre-jit was built without LLVM (VY_WITH_JIT=OFF)\n");
  return CLI_USAGE;
#else
  vy_program *p;
  cli_format fmt;
  int rc = cli_load_program(input, &p, &fmt);
  if (rc != CLI_OK) return rc;
  if (is_ptx) {
    char smname[16];
    snprintf(smname, sizeof smname, "sm_%u", sm);
    vy_bytes text = {0};
    vy_error perr;
    vy_status pst = vy_jit_ptx_emit(p, smname, ptx, NULL, &text, &perr);
    if (pst != VY_OK) {
      cli_report("emit", &perr);
      rc = cli_exit_for(pst);
    } else {
      rc = cli_write_file(output, text.data, text.len);
    }
    vy_bytes_free(&text);
    vy_program_destroy(p);
    return rc;
  }
  vy_context *ctx = NULL;
  vy_backend *be = NULL;
  vy_bytes out = {0};
  vy_error err;
  rc = cli_open_context(&ctx);
  vy_status st = VY_OK;
  if (rc == CLI_OK) st = vy_backend_open(ctx, "llvm-cpu", &be, &err);
  if (rc == CLI_OK && st == VY_OK) {
    vy_jit_cpu_options o;
    vy_jit_cpu_options_default(&o);
    o.opt_level = opt;
    o.prefer_vector_width = width;
    st = vy_jit_cpu_configure(be, &o, &err);
  }
  if (rc == CLI_OK && st == VY_OK)
    st = vy_jit_cpu_emit(be, p, strcmp(what, "llvm") == 0 ? VY_JIT_CPU_LLVM : VY_JIT_CPU_ASM, &out, &err);
  if (rc == CLI_OK && st != VY_OK) {
    cli_report("emit", &err);
    rc = st == VY_E_INVALID_ARGUMENT ? CLI_USAGE : cli_exit_for(st);
  }
  if (rc == CLI_OK) rc = cli_write_file(output, out.data, out.len);
  vy_bytes_free(&out);
  vy_backend_close(be);
  vy_context_destroy(ctx);
  vy_program_destroy(p);
  return rc;
#endif
}
