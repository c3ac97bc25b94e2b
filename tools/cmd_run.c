/* cmd_run.c - `vyre-jit run`: dispatch a program on a backend and print or
 * save its outputs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_int.h"
#include "vyre/stream.h"

static const char run_usage[] =
    "usage: vyre-jit run PROGRAM [--backend NAME] [--input NAME=SPEC]... [--output-dir DIR]\n"
    "                    [--timeout MS] [--config KEY=VALUE]...\n"
    "\n"
    "Runs PROGRAM once and prints every returned buffer as a line 'NAME: v0 v1 ...'\n"
    "(u32/i32/u64 decimal, f32 shortest round-trip decimal, bool 0/1, other types\n"
    "hex bytes), or with --output-dir writes its raw bytes to DIR/NAME.bin.\n"
    "\n"
    "  --backend NAME   reference (the interpreter), llvm-cpu, cuda; default: the\n"
    "                   fastest available ('vyre-jit run --backend list' lists them)\n"
    "  --input NAME=SPEC  initial contents of input buffer NAME; SPEC is @FILE (raw\n"
    "                   little-endian bytes), a list of values typed by the buffer's\n"
    "                   element (1,2,3  1.5,-0.0,nan), or a generator: seq:N,\n"
    "                   zeros:N, const:N:V, rand:N:SEED (see include/vyre/values.h).\n"
    "                   An input that is not given is count zero elements.\n"
    "  --timeout MS     stop the run after MS milliseconds with a timeout error\n"
    "                   (DispatchConfig.timeout; the same as --config timeout_ms=MS)\n"
    "  --config KEY=VALUE  DispatchConfig: workgroup_override=X,Y,Z\n"
    "                   grid_override=X,Y,Z fixpoint_iterations=N ulp_budget=N\n"
    "                   timeout_ms=N max_output_bytes=N label=S profile=S\n"
    "                   cooperative=true speculation=auto|force|disable\n"
    "                   persistent_thread=auto|force|disable max_chunks_in_flight=N\n"
    "  --stream FILE|-  stream FILE (or stdin) through PROGRAM in chunks: each chunk\n"
    "                   is the first input buffer of one dispatch, the other inputs\n"
    "                   come from --input and are the same for every chunk; the raw\n"
    "                   bytes of every chunk's returned buffers are written in chunk\n"
    "                   order to stdout or --stream-out FILE (backend.h, Streamable)\n"
    "  --chunk BYTES    chunk size for --stream (default 1048576)\n"
    "  --keep-going     report a failed chunk on stderr and go on (default: stop)\n";

/* Reads `@PATH` specs for vy_values_parse (the library's allocator is malloc here). */
static vy_status load_file(void *ud, const char *path, const vy_allocator *alloc, vy_bytes *out, vy_error *err) {
  (void)ud;
  (void)alloc;
  int rc = cli_read_file(path, out);
  if (rc == CLI_OK) return VY_OK;
  vy_error_clear(err);
  if (err) {
    err->code = VY_E_IO;
    snprintf(err->message, sizeof err->message, "cannot read '%s' (see above). Fix: check the path", path);
  }
  return VY_E_IO;
}

static bool parse_u32(const char *s, uint32_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || v > UINT32_MAX || s[0] == '-') return false;
  *out = (uint32_t)v;
  return true;
}

static bool parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-') return false;
  *out = v;
  return true;
}

/* "X", "X,Y" or "X,Y,Z" (missing axes are 1). */
static bool parse_u32x3(const char *s, uint32_t out[3]) {
  out[0] = out[1] = out[2] = 1;
  for (int i = 0; i < 3; i++) {
    const char *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    char tok[16];
    if (len == 0 || len >= sizeof tok) return false;
    memcpy(tok, s, len);
    tok[len] = 0;
    if (!parse_u32(tok, &out[i])) return false;
    if (!comma) return true;
    s = comma + 1;
  }
  return false; /* a fourth axis */
}

static bool parse_mode(const char *s, vy_launch_mode *m) {
  if (strcmp(s, "auto") == 0) *m = VY_MODE_AUTO;
  else if (strcmp(s, "force") == 0) *m = VY_MODE_FORCE;
  else if (strcmp(s, "disable") == 0) *m = VY_MODE_DISABLE;
  else return false;
  return true;
}

/* Applies one --config KEY=VALUE. Returns false (after printing why) on a bad pair. */
static bool apply_config(vy_dispatch_config *c, char *kv) {
  char *eq = strchr(kv, '=');
  if (!eq) {
    fprintf(stderr, "vyre-jit run: --config '%s' is not KEY=VALUE\n", kv);
    return false;
  }
  *eq = 0;
  const char *k = kv, *v = eq + 1;
  uint32_t n32 = 0;
  bool ok = true;
  if (strcmp(k, "workgroup_override") == 0) {
    ok = c->has_workgroup_override = parse_u32x3(v, c->workgroup_override);
  } else if (strcmp(k, "grid_override") == 0) {
    ok = c->has_grid_override = parse_u32x3(v, c->grid_override);
  } else if (strcmp(k, "fixpoint_iterations") == 0) {
    ok = c->has_fixpoint_iterations = parse_u32(v, &c->fixpoint_iterations);
  } else if (strcmp(k, "ulp_budget") == 0) {
    ok = parse_u32(v, &n32) && n32 <= 255;
    c->ulp_budget = (int)n32;
  } else if (strcmp(k, "timeout_ms") == 0) {
    uint64_t ms = 0;
    ok = parse_u64(v, &ms) && ms <= UINT64_MAX / 1000000;
    c->timeout_ns = ms * 1000000;
  } else if (strcmp(k, "max_output_bytes") == 0) {
    ok = parse_u64(v, &c->max_output_bytes);
  } else if (strcmp(k, "label") == 0) {
    c->label = v;
  } else if (strcmp(k, "profile") == 0) {
    c->profile = v;
  } else if (strcmp(k, "cooperative") == 0) {
    ok = strcmp(v, "true") == 0 || strcmp(v, "false") == 0;
    c->cooperative = strcmp(v, "true") == 0;
  } else if (strcmp(k, "speculation") == 0) {
    ok = parse_mode(v, &c->speculation);
  } else if (strcmp(k, "persistent_thread") == 0) {
    ok = parse_mode(v, &c->persistent_thread);
  } else if (strcmp(k, "max_chunks_in_flight") == 0) {
    ok = parse_u32(v, &c->max_chunks_in_flight);
  } else {
    fprintf(stderr, "vyre-jit run: unknown --config key '%s' (see vyre-jit run --help)\n", k);
    return false;
  }
  if (!ok) fprintf(stderr, "vyre-jit run: bad value '%s' for --config %s (see vyre-jit run --help)\n", v, k);
  return ok;
}

typedef struct run_args {
  const char *program, *backend, *output_dir;
  const char *stream, *stream_out; /* --stream FILE|-, --stream-out FILE */
  uint64_t chunk;
  bool keep_going;
  const char **inputs; /* NAME=SPEC strings */
  int ninputs;
  vy_dispatch_config cfg;
} run_args;

/* Returns CLI_OK, or the exit status after printing why. */
static int parse_args(int argc, char **argv, run_args *a) {
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    bool has_next = i + 1 < argc;
    if (cli_is_help(arg)) {
      fputs(run_usage, stdout);
      return -1;
    } else if (strcmp(arg, "--backend") == 0 && has_next) {
      a->backend = argv[++i];
    } else if (strcmp(arg, "--input") == 0 && has_next) {
      a->inputs[a->ninputs++] = argv[++i];
    } else if (strcmp(arg, "--output-dir") == 0 && has_next) {
      a->output_dir = argv[++i];
    } else if (strcmp(arg, "--timeout") == 0 && has_next) {
      uint64_t ms;
      if (!parse_u64(argv[++i], &ms) || ms > UINT64_MAX / 1000000) {
        fprintf(stderr, "vyre-jit run: bad value '%s' for --timeout (milliseconds, see vyre-jit run --help)\n", argv[i]);
        return CLI_USAGE;
      }
      a->cfg.timeout_ns = ms * 1000000;
    } else if (strcmp(arg, "--config") == 0 && has_next) {
      if (!apply_config(&a->cfg, argv[++i])) return CLI_USAGE;
    } else if (strcmp(arg, "--stream") == 0 && has_next) {
      a->stream = argv[++i];
    } else if (strcmp(arg, "--stream-out") == 0 && has_next) {
      a->stream_out = argv[++i];
    } else if (strcmp(arg, "--keep-going") == 0) {
      a->keep_going = true;
    } else if (strcmp(arg, "--chunk") == 0 && has_next) {
      if (!parse_u64(argv[++i], &a->chunk) || a->chunk == 0 || a->chunk > SIZE_MAX) {
        fprintf(stderr, "vyre-jit run: --chunk '%s' is not a byte count of at least 1\n", argv[i]);
        return CLI_USAGE;
      }
    } else if (arg[0] == '-' && arg[1] != 0) {
      fprintf(stderr, "vyre-jit run: unknown or incomplete option '%s'\n%s", arg, run_usage);
      return CLI_USAGE;
    } else if (!a->program) {
      a->program = arg;
    } else {
      fprintf(stderr, "vyre-jit run: more than one PROGRAM\n%s", run_usage);
      return CLI_USAGE;
    }
  }
  if (!a->program && !(a->backend && strcmp(a->backend, "list") == 0)) {
    fprintf(stderr, "vyre-jit run: missing PROGRAM\n%s", run_usage);
    return CLI_USAGE;
  }
  return CLI_OK;
}

/* Builds the input list: one entry per logical input buffer, in declaration
 * order, from the --input specs (a missing one is count zero elements). */
static int build_inputs(const vy_program *p, const run_args *a, vy_bytes *bytes, vy_input *ins, uint32_t *nins) {
  uint32_t n = 0, nb = vy_program_buffer_count(p);
  vy_values_loader loader = {load_file, NULL};
  for (int j = 0; j < a->ninputs; j++) { /* every --input must name an input buffer */
    const char *eq = strchr(a->inputs[j], '=');
    if (!eq) {
      fprintf(stderr, "vyre-jit run: --input '%s' is not NAME=SPEC\n", a->inputs[j]);
      return CLI_USAGE;
    }
    const vy_buffer_decl *d = vy_program_find_buffer(p, a->inputs[j], (size_t)(eq - a->inputs[j]));
    if (!d || !vy_buffer_is_input(d)) {
      fprintf(stderr,
              "vyre-jit run: --input %.*s: %s. Fix: name a buffer that takes an input (not workgroup, not an "
              "output the backend allocates)\n",
              (int)(eq - a->inputs[j]), a->inputs[j], d ? "this buffer takes no input" : "no such buffer");
      return CLI_BAD_INPUT;
    }
  }
  for (uint32_t i = 0; i < nb; i++) {
    const vy_buffer_decl *d = vy_program_buffer(p, i);
    if (!vy_buffer_is_input(d)) continue;
    const char *spec = NULL;
    for (int j = 0; j < a->ninputs; j++) {
      const char *eq = strchr(a->inputs[j], '=');
      if ((size_t)(eq - a->inputs[j]) == d->name.len && memcmp(a->inputs[j], d->name.ptr, d->name.len) == 0)
        spec = eq + 1;
    }
    vy_error err;
    vy_status st;
    if (spec) {
      st = vy_values_parse(&d->element, spec, strlen(spec), &loader, NULL, &bytes[n], &err);
    } else {
      char zeros[32];
      snprintf(zeros, sizeof zeros, "zeros:%u", d->count);
      st = vy_values_parse(&d->element, zeros, strlen(zeros), NULL, NULL, &bytes[n], &err);
    }
    if (st != VY_OK) {
      fprintf(stderr, "vyre-jit run: --input %.*s: %s\n", (int)d->name.len, d->name.ptr, err.message);
      return st == VY_E_IO ? CLI_IO : st == VY_E_NOMEM ? CLI_INTERNAL : CLI_BAD_INPUT;
    }
    ins[n] = (vy_input){bytes[n].data, bytes[n].len};
    n++;
  }
  *nins = n;
  return CLI_OK;
}

/* Prints or saves the outputs, named by the program's returned buffers. */
static int emit_outputs(const vy_program *p, const vy_outputs *outs, const char *dir) {
  uint32_t nb = vy_program_buffer_count(p);
  size_t k = 0;
  if (dir && mkdir(dir, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "vyre-jit run: cannot create '%s': %s. Fix: check the path\n", dir, strerror(errno));
    return CLI_IO;
  }
  for (uint32_t i = 0; i < nb && k < outs->count; i++) {
    const vy_buffer_decl *d = vy_program_buffer(p, i);
    if (!vy_buffer_is_returned(d)) continue;
    const vy_bytes *o = &outs->items[k++];
    int rc = CLI_OK;
    if (dir) {
      size_t plen = strlen(dir) + d->name.len + 8;
      char *path = malloc(plen);
      if (!path) return CLI_INTERNAL;
      snprintf(path, plen, "%s/%.*s.bin", dir, (int)d->name.len, d->name.ptr);
      if (memchr(d->name.ptr, '/', d->name.len) || memchr(d->name.ptr, 0, d->name.len)) {
        fprintf(stderr, "vyre-jit run: buffer name `%.*s` cannot be a file name. Fix: print the outputs instead\n",
                (int)d->name.len, d->name.ptr);
        rc = CLI_BAD_INPUT;
      } else {
        rc = cli_write_file(path, o->data ? o->data : (const uint8_t *)"", o->len);
      }
      free(path);
    } else {
      vy_bytes line = {0};
      vy_error err;
      if (vy_values_format_line(d->name.ptr, d->name.len, &d->element, o->data, o->len, NULL, &line, &err) != VY_OK)
        return CLI_INTERNAL;
      printf("%s\n", (const char *)line.data);
      vy_bytes_free(&line);
    }
    if (rc != CLI_OK) return rc;
  }
  return fflush(stdout) == 0 ? CLI_OK : CLI_IO;
}

/* --stream: the first input buffer takes the chunks of a.stream, `fixed`
 * (the other inputs, in order) is bound for every chunk, and the raw
 * outputs go to stdout or --stream-out. A failed chunk is reported on
 * stderr; the stream stops there unless --keep-going. */
static int run_stream(vy_backend *be, const vy_program *p, const run_args *a, const vy_input *fixed, uint32_t nfixed) {
  for (uint32_t i = 0; i < vy_program_buffer_count(p); i++) {
    const vy_buffer_decl *d = vy_program_buffer(p, i);
    if (!vy_buffer_is_input(d)) continue;
    for (int j = 0; j < a->ninputs; j++)
      if (strncmp(a->inputs[j], d->name.ptr, d->name.len) == 0 && a->inputs[j][d->name.len] == '=') {
        fprintf(stderr, "vyre-jit run: --input %.*s: this buffer takes the chunks of --stream. Fix: drop the --input\n",
                (int)d->name.len, d->name.ptr);
        return CLI_USAGE;
      }
    break; /* only the first input buffer */
  }
  bool from_stdin = strcmp(a->stream, "-") == 0, to_stdout = !a->stream_out || strcmp(a->stream_out, "-") == 0;
  FILE *in = from_stdin ? stdin : fopen(a->stream, "rb");
  FILE *out = to_stdout ? stdout : fopen(a->stream_out, "wb");
  if (!in || !out) {
    fprintf(stderr, "vyre-jit run: cannot open '%s': %s. Fix: check the path\n", !in ? a->stream : a->stream_out,
            strerror(errno));
    if (in && !from_stdin) fclose(in);
    return CLI_IO;
  }
  vy_chunk_source src;
  vy_output_sink sink;
  vy_sink_stats stats;
  vy_error err;
  vy_status st = vy_chunk_source_file(in, (size_t)(a->chunk ? a->chunk : 1u << 20), NULL, &src, &err);
  if (st == VY_OK) st = vy_output_sink_file(out, -1, !a->keep_going, &stats, NULL, &sink, &err);
  if (st == VY_OK) st = vy_stream(be, p, fixed, nfixed, &src, &sink, &a->cfg, &err);
  int rc = CLI_OK;
  if (st != VY_OK) {
    cli_report("run", &err);
    rc = cli_exit_for(st);
  } else if (stats.failed) {
    fprintf(stderr, "vyre-jit run: %llu of %llu chunks failed; the first, chunk %zu:\n",
            (unsigned long long)stats.failed, (unsigned long long)stats.chunks, stats.first_failed);
    cli_report("run", &stats.first_error);
    rc = cli_exit_for(stats.first_error.code);
  } else if (stats.write_failed) {
    fprintf(stderr, "vyre-jit run: writing the outputs failed: %s. Fix: check the output\n", strerror(errno));
    rc = CLI_IO;
  }
  vy_chunk_source_close(&src);
  vy_output_sink_close(&sink);
  if (!from_stdin) fclose(in);
  if (!to_stdout && fclose(out) != 0 && rc == CLI_OK) rc = CLI_IO;
  if (to_stdout && fflush(stdout) != 0 && rc == CLI_OK) rc = CLI_IO;
  return rc;
}

int cmd_run(int argc, char **argv) {
  run_args a = {0};
  vy_dispatch_config_default(&a.cfg);
  a.inputs = calloc((size_t)argc + 1, sizeof *a.inputs);
  if (!a.inputs) return CLI_INTERNAL;
  int rc = parse_args(argc, argv, &a);
  if (rc != CLI_OK) {
    free(a.inputs);
    return rc < 0 ? CLI_OK : rc;
  }
  vy_context *ctx = NULL;
  vy_backend *be = NULL;
  vy_program *p = NULL;
  vy_bytes *bytes = NULL;
  vy_input *ins = NULL;
  vy_outputs outs = {0};
  vy_error err;
  rc = cli_open_context(&ctx);
  if (rc == CLI_OK && a.backend && strcmp(a.backend, "list") == 0) {
    rc = cli_list_backends(ctx);
    goto done;
  }
  if (rc == CLI_OK) rc = cli_load_program(a.program, &p, &(cli_format){0});
  if (rc == CLI_OK) {
    const char *name = a.backend ? a.backend : vy_context_default_backend(ctx);
    vy_status st = vy_backend_open(ctx, name, &be, &err);
    if (st != VY_OK) {
      cli_report("run", &err);
      rc = CLI_BAD_INPUT;
    }
  }
  if (rc == CLI_OK) {
    uint32_t nb = vy_program_buffer_count(p), nins = 0;
    bytes = calloc(nb ? nb : 1, sizeof *bytes);
    ins = calloc(nb ? nb : 1, sizeof *ins);
    rc = bytes && ins ? build_inputs(p, &a, bytes, ins, &nins) : CLI_INTERNAL;
    if (rc == CLI_OK && a.stream) {
      rc = run_stream(be, p, &a, nins ? ins + 1 : NULL, nins ? nins - 1 : 0);
    } else if (rc == CLI_OK) {
      vy_status st = vy_dispatch(be, p, ins, nins, &a.cfg, &outs, &err);
      if (st != VY_OK) {
        cli_report("run", &err);
        rc = cli_exit_for(st);
      }
    }
    if (rc == CLI_OK && !a.stream) rc = emit_outputs(p, &outs, a.output_dir);
    for (uint32_t i = 0; bytes && i < nb; i++) vy_bytes_free(&bytes[i]);
  }
done:
  vy_outputs_free(&outs);
  free(bytes);
  free(ins);
  vy_backend_close(be);
  vy_program_destroy(p);
  vy_context_destroy(ctx);
  free(a.inputs);
  return rc;
}
