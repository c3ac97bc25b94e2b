/* cmd_bench.c - `vyre-jit bench`: runs the benchmark suite (bench/suite)
 * on every backend, against the native C baselines and the interpreter,
 * and reports compile times, dispatch overhead, run time and throughput.
 * What is measured and how is described in bench/README.md; the parts are
 * in bench/ (bench_int.h). The order of work for one program:
 *
 *   data (size small, and the timed size) generated before any timing
 *   -> the interpreter at size small: the oracle outputs, then its timing
 *   -> the native baseline: checked against the oracle at size small, run
 *      at the timed size (its outputs check the backends there), timed
 *   -> every other backend x thread count: compile times, outputs checked
 *      at size small and at the timed size, then timed
 *
 * A result that differs from the oracle is reported and never timed.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, mkdtemp, isatty, opendir */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_int.h"
#include "native_cuda.h"
#include "cli_int.h"
#include "error_int.h"
#include "vyre/cache.h"
#ifdef VY_HAVE_JIT
#include "../jit/backend_cuda_int.h" /* vy_cuda_kernel_time_ns */
#include "vyre/jit.h"
#endif

#ifndef VY_BENCH_SUITE_DIR
#define VY_BENCH_SUITE_DIR "bench/suite"
#endif

static const char bench_usage[] =
    "usage: vyre-jit bench [--suite SPEC] [--backends a,b,...] [--threads N[,M...]] [--size S]\n"
    "                      [--json FILE] [--plot FILE.png] [--quick] [--native LIB]\n"
    "\n"
    "Runs the benchmark suite on every available backend and the native C baselines,\n"
    "checks every result against the reference interpreter, and prints a table.\n"
    "\n"
    "  --suite SPEC     'all' (default), program names or tags separated by commas\n"
    "                   (saxpy,atomic), a directory of .vy programs, or one .vy file;\n"
    "                   the built-in suite is " VY_BENCH_SUITE_DIR " ($VYRE_BENCH_SUITE)\n"
    "  --backends LIST  backends to time: ids from 'vyre-jit run --backend list' and\n"
    "                   'native' (the C baselines), 'cuda-native' (the CUDA C baselines,\n"
    "                   $VYRE_BENCH_CUDA; needs a GPU); default: all available\n"
    "  --threads LIST   worker threads for the compiled backends and the baselines,\n"
    "                   one run per count (1,2); default: one per logical CPU\n"
    "  --size S         small, medium (default) or large; the interpreter always runs\n"
    "                   at small\n"
    "  --json FILE      also write the results as JSON ('-' = stdout; the table then\n"
    "                   goes to stderr)\n"
    "  --plot FILE.png  also draw a chart with gnuplot (must be installed)\n"
    "  --quick          a short run: size small (unless --size), fewer repetitions\n"
    "  --native LIB     the native baseline library (default: bench/ next to the tool,\n"
    "                   or $VYRE_BENCH_NATIVE)\n"
    "\n"
    "Exit status 0 when every result was verified (or its backend refused the program),\n"
    "4 when a result was wrong or a run failed, 1-3 and 5 as for the other commands.\n";

typedef struct bench_opts {
  const char *suite, *backends, *threads, *size, *json, *plot, *native;
  bool quick;
} bench_opts;

enum { MAX_THREADS = 8, MAX_BACKENDS = 8 };

/* One backend opened in the context of one thread count. */
typedef struct bench_backend {
  vy_backend *be;
  unsigned threads;
} bench_backend;

typedef struct bench {
  bench_opts o;
  vyb_size size;
  unsigned threads[MAX_THREADS];
  size_t nthreads;
  vy_context *ctx[MAX_THREADS];
  vy_backend *reference;
  bool time_reference, time_native;
  bench_backend others[MAX_BACKENDS * MAX_THREADS];
  size_t nothers;
  vyb_native_lib native;
  bool has_native;
  vyb_cuda_lib cuda; /* the cuda-native column (bench/native_cuda.h) */
  bool has_cuda;
  vyb_plan run_plan, ref_plan, compile_plan, overhead_plan;
  char cache_dir[4096]; /* private disk cache for the disk-hit timings; "" = none */
  vyb_program *programs;
  size_t nprograms;
  vyb_report report;
  size_t cap_results;
  vyb_result spill;   /* where a row goes when the results cannot grow */
  bool out_of_memory; /* ... which makes the run fail */
  bool failures;
  /* progress */
  bool tty;
  size_t index;
  const char *stage;
  double last_tick;
} bench;

/* ---- progress on stderr ----------------------------------------------- */

static void progress(bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void progress(bench *b, const char *fmt, ...) {
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  char count[48] = "";
  if (b->index) snprintf(count, sizeof count, "[%zu/%zu] ", b->index, b->nprograms);
  if (b->tty)
    fprintf(stderr, "\r\033[K%s%s", count, line);
  else
    fprintf(stderr, "bench: %s%s\n", count, line);
  b->last_tick = vyb_now();
}

static void progress_done(bench *b) {
  if (b->tty) fputs("\r\033[K", stderr);
}

/* ---- arguments -------------------------------------------------------- */

static int parse_args(int argc, char **argv, bench_opts *o) {
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char **slot = NULL;
    if (cli_is_help(a)) {
      fputs(bench_usage, stdout);
      return -1;
    }
    if (!strcmp(a, "--quick")) {
      o->quick = true;
      continue;
    }
    if (!strcmp(a, "--suite"))
      slot = &o->suite;
    else if (!strcmp(a, "--backends"))
      slot = &o->backends;
    else if (!strcmp(a, "--threads"))
      slot = &o->threads;
    else if (!strcmp(a, "--size"))
      slot = &o->size;
    else if (!strcmp(a, "--json"))
      slot = &o->json;
    else if (!strcmp(a, "--plot"))
      slot = &o->plot;
    else if (!strcmp(a, "--native"))
      slot = &o->native;
    if (!slot || i + 1 >= argc) {
      fprintf(stderr, "vyre-jit bench: %s option '%s'\n%s", slot ? "missing value for" : "unknown", a, bench_usage);
      return CLI_USAGE;
    }
    *slot = argv[++i];
  }
  return CLI_OK;
}

static int parse_threads(bench *b) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (!b->o.threads) {
    b->threads[0] = cores > 0 ? (unsigned)cores : 1;
    b->nthreads = 1;
    return CLI_OK;
  }
  for (const char *s = b->o.threads; *s;) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || v == 0 || v > 1024 || (*end && *end != ',') || b->nthreads == MAX_THREADS) {
      fprintf(stderr, "vyre-jit bench: bad --threads '%s'. Fix: give up to %d counts from 1 to 1024, e.g. 1,2\n",
              b->o.threads, MAX_THREADS);
      return CLI_USAGE;
    }
    b->threads[b->nthreads++] = (unsigned)v;
    s = *end ? end + 1 : end;
  }
  return CLI_OK;
}

/* The plans: how long each kind of measurement runs. */
static void set_plans(bench *b) {
  if (b->o.quick) {
    b->run_plan = (vyb_plan){0.02, 0.1, 1.0, 3, 200};
    b->ref_plan = (vyb_plan){0.0, 0.1, 1.0, 2, 20};
    b->compile_plan = (vyb_plan){0.0, 0.0, 1.0, 1, 1};
    b->overhead_plan = (vyb_plan){0.02, 0.05, 0.5, 100, 20000};
  } else {
    b->run_plan = (vyb_plan){0.1, 1.0, 5.0, 5, 10000};
    b->ref_plan = (vyb_plan){0.0, 1.0, 5.0, 3, 100};
    b->compile_plan = (vyb_plan){0.0, 0.3, 5.0, 3, 30};
    b->overhead_plan = (vyb_plan){0.1, 0.5, 2.0, 1000, 200000};
  }
}

/* ---- the suite -------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The .vy files of `dir`, sorted; *out and every entry are malloc'd. */
static int list_dir(const char *dir, char ***out, size_t *n) {
  DIR *d = opendir(dir);
  *out = NULL;
  *n = 0;
  if (!d) {
    fprintf(stderr, "vyre-jit bench: cannot open the suite directory '%s': %s. Fix: pass --suite DIR\n", dir,
            strerror(errno));
    return CLI_IO;
  }
  struct dirent *e;
  int rc = CLI_OK;
  while ((e = readdir(d)) && rc == CLI_OK) {
    size_t len = strlen(e->d_name);
    if (len < 4 || strcmp(e->d_name + len - 3, ".vy") != 0) continue;
    char **grown = realloc(*out, (*n + 1) * sizeof *grown);
    char *path = malloc(strlen(dir) + len + 2);
    if (!grown || !path) {
      free(grown ? NULL : path);
      if (grown) *out = grown;
      rc = CLI_INTERNAL;
      break;
    }
    *out = grown;
    sprintf(path, "%s/%s", dir, e->d_name);
    (*out)[(*n)++] = path;
  }
  closedir(d);
  if (rc == CLI_OK && *n) qsort(*out, *n, sizeof **out, cmp_str);
  return rc;
}

/* Loads the programs the --suite SPEC selects. */
static int load_suite(bench *b) {
  const char *spec = b->o.suite ? b->o.suite : "all";
  const char *env = getenv("VYRE_BENCH_SUITE");
  const char *dir = env && *env ? env : VY_BENCH_SUITE_DIR;
  struct stat st;
  bool is_path = strchr(spec, '/') || (strlen(spec) > 3 && !strcmp(spec + strlen(spec) - 3, ".vy"));
  bool is_dir = stat(spec, &st) == 0 && S_ISDIR(st.st_mode);
  char **files = NULL;
  size_t nfiles = 0;
  int rc = CLI_OK;
  if (is_dir)
    rc = list_dir(spec, &files, &nfiles);
  else if (is_path) {
    files = malloc(sizeof *files);
    if (files && (files[0] = strdup(spec)))
      nfiles = 1;
    else
      rc = CLI_INTERNAL;
  } else {
    rc = list_dir(dir, &files, &nfiles);
  }
  b->programs = calloc(nfiles ? nfiles : 1, sizeof *b->programs);
  if (!b->programs) rc = CLI_INTERNAL;
  for (size_t i = 0; i < nfiles && rc == CLI_OK; i++) {
    vy_error err;
    vyb_program *p = &b->programs[b->nprograms];
    if (vyb_program_load(files[i], p, &err) != VY_OK) {
      fprintf(stderr, "vyre-jit bench: %s\n", err.message);
      rc = err.code == VY_E_IO ? CLI_IO : err.code == VY_E_NOMEM ? CLI_INTERNAL : CLI_BAD_INPUT;
      break;
    }
    bool keep = is_dir || is_path || !strcmp(spec, "all");
    for (const char *s = spec; !keep && *s;) {
      size_t len = strcspn(s, ",");
      keep = vyb_program_matches(p, s, len);
      s += len + (s[len] == ',');
    }
    if (keep)
      b->nprograms++;
    else
      vyb_program_free(p);
  }
  /* every word of a name/tag list must select something */
  for (const char *s = spec; rc == CLI_OK && !is_dir && !is_path && strcmp(spec, "all") && *s;) {
    size_t len = strcspn(s, ",");
    bool hit = false;
    for (size_t i = 0; i < b->nprograms && !hit; i++) hit = vyb_program_matches(&b->programs[i], s, len);
    if (!hit) {
      fprintf(stderr, "vyre-jit bench: --suite: no program or tag '%.*s' in %s. Fix: use the names of its .vy files\n",
              (int)len, s, dir);
      rc = CLI_USAGE;
    }
    s += len + (s[len] == ',');
  }
  for (size_t i = 0; i < nfiles; i++) free(files[i]);
  free(files);
  if (rc == CLI_OK && b->nprograms == 0) {
    fprintf(stderr, "vyre-jit bench: the suite is empty. Fix: point --suite at .vy programs\n");
    rc = CLI_USAGE;
  }
  return rc;
}

/* ---- backends --------------------------------------------------------- */

static bool listed(const char *list, const char *id) {
  size_t n = strlen(id);
  for (const char *s = list; s && *s;) {
    size_t len = strcspn(s, ",");
    if (len == n && !strncmp(s, id, n)) return true;
    s += len + (s[len] == ',');
  }
  return false;
}

static int open_context(unsigned threads, vy_context **out) {
  vy_context_options o;
  vy_context_options_init(&o);
  o.threads = threads;
  vy_error err;
  if (vy_context_create(&o, out, &err) != VY_OK) {
    cli_report("bench", &err);
    return CLI_INTERNAL;
  }
#ifdef VY_HAVE_JIT
  if (vy_jit_register_backends(*out) != VY_OK) {
    fprintf(stderr, "vyre-jit bench: cannot register the JIT backends: out of memory. Fix: free memory\n");
    return CLI_INTERNAL;
  }
#endif
  return CLI_OK;
}

/* Every requested id must exist and be available here. */
static int check_requested(bench *b) {
  for (const char *s = b->o.backends; s && *s;) {
    size_t len = strcspn(s, ",");
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)(len < sizeof id ? len : sizeof id - 1), s);
    s += len + (s[len] == ',');
    if (!strcmp(id, "native")) {
      if (!b->has_native) return CLI_BAD_INPUT; /* the reason was printed when loading */
      continue;
    }
    if (!strcmp(id, VYB_CUDA_NATIVE)) {
      if (!b->has_cuda) return CLI_BAD_INPUT; /* the reason was printed when loading */
      continue;
    }
    vy_error err;
    if (vy_context_probe_backend(b->ctx[0], id, &err) != VY_OK) {
      fprintf(stderr, "vyre-jit bench: --backends %s: %s\n", id, err.message);
      return CLI_BAD_INPUT;
    }
  }
  return CLI_OK;
}

/* Opens the reference (always: it is the oracle) and the timed backends. */
static int open_backends(bench *b) {
  int rc = CLI_OK;
  for (size_t t = 0; t < b->nthreads && rc == CLI_OK; t++) rc = open_context(b->threads[t], &b->ctx[t]);
  if (rc != CLI_OK) return rc;
  vy_error err;
  if (vy_backend_open(b->ctx[0], "reference", &b->reference, &err) != VY_OK) {
    cli_report("bench", &err);
    return CLI_INTERNAL;
  }
  b->time_reference = !b->o.backends || listed(b->o.backends, "reference");
  b->time_native = b->has_native && (!b->o.backends || listed(b->o.backends, "native"));
  if ((rc = check_requested(b)) != CLI_OK) return rc;
  for (size_t i = 0; i < vy_context_backend_count(b->ctx[0]); i++) {
    const char *id = vy_context_backend_id(b->ctx[0], i);
    if (!strcmp(id, "reference") || (b->o.backends && !listed(b->o.backends, id))) continue;
    if (vy_context_probe_backend(b->ctx[0], id, &err) != VY_OK) continue; /* not available here: skipped */
    size_t first = b->nothers;
    for (size_t t = 0; t < b->nthreads && b->nothers < MAX_BACKENDS * MAX_THREADS; t++) {
      vy_backend *be;
      if (vy_backend_open(b->ctx[t], id, &be, &err) != VY_OK) {
        cli_report("bench", &err);
        return CLI_BAD_INPUT;
      }
      vy_backend_caps caps;
      vy_backend_capabilities(be, &caps);
      unsigned threads = caps.threads; /* 0: a GPU backend */
      bool again = false;              /* a backend that ignores the thread count (interpreter-like, GPU) runs once */
      for (size_t k = first; k < b->nothers && !again; k++) again = b->others[k].threads == threads;
      if (again)
        vy_backend_close(be);
      else
        b->others[b->nothers++] = (bench_backend){be, threads};
    }
  }
  return CLI_OK;
}

/* Appends to a string of `cap` bytes holding `*used` of them (truncating). */
static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...) {
  if (*used >= cap) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
  va_end(ap);
  if (n > 0) *used += (size_t)n;
}

static void describe_run(bench *b) {
  vyb_report *r = &b->report;
  size_t used = 0;
  r->backends[0] = 0;
  if (b->time_native) append(r->backends, sizeof r->backends, &used, "native");
  if (b->time_reference) append(r->backends, sizeof r->backends, &used, "%sreference", used ? "," : "");
  if (b->has_cuda) append(r->backends, sizeof r->backends, &used, "%s" VYB_CUDA_NATIVE, used ? "," : "");
  for (size_t i = 0; i < b->nothers; i++)
    if (i == 0 || strcmp(vy_backend_id(b->others[i].be), vy_backend_id(b->others[i - 1].be)))
      append(r->backends, sizeof r->backends, &used, "%s%s", used ? "," : "", vy_backend_id(b->others[i].be));
  used = 0;
  for (size_t t = 0; t < b->nthreads; t++)
    append(r->threads, sizeof r->threads, &used, "%s%u", t ? "," : "", b->threads[t]);
}

/* ---- results ---------------------------------------------------------- */

static vyb_result *add_result(bench *b, const vyb_program *p, const char *backend, unsigned threads,
                              const vyb_data *d) {
  vyb_report *r = &b->report;
  vyb_result *x = &b->spill;
  if (r->nresults == b->cap_results) { /* grows; callers hold no row across this call */
    size_t cap = b->cap_results ? b->cap_results * 2 : 64;
    vyb_result *grown = realloc(r->results, cap * sizeof *grown);
    if (grown) r->results = grown, b->cap_results = cap;
  }
  if (r->nresults < b->cap_results)
    x = &r->results[r->nresults++];
  else
    b->out_of_memory = true; /* the row goes to the spill slot and is lost */
  memset(x, 0, sizeof *x);
  x->program = p;
  snprintf(x->backend, sizeof x->backend, "%s", backend);
  x->threads = threads;
  x->size = d->size;
  vyb_params_format(&p->sizes[d->size], x->params, sizeof x->params);
  x->work = d->work;
  x->vs_native = x->vs_ref = NAN;
  return x;
}

/* A run that did not produce a result: refused (unsupported) or failed. */
static void set_error(bench *b, vyb_result *x, vy_status st, const vy_error *err) {
  x->outcome = st == VY_E_UNSUPPORTED ? VYB_UNSUPPORTED : VYB_FAILED;
  snprintf(x->message, sizeof x->message, "%s (%s)", err->message, vy_status_name(st));
  b->failures = b->failures || x->outcome == VYB_FAILED;
}

static void set_wrong(bench *b, vyb_result *x, const char *against, const vyb_diff *d) {
  x->outcome = VYB_WRONG;
  snprintf(x->message, sizeof x->message, "outputs differ from the %s: %s", against, d->detail);
  b->failures = true;
}

static void set_timing(vyb_result *x, const vyb_stats *run) {
  x->run = *run;
  x->throughput = run->median > 0 ? x->work / run->median : NAN;
}

/* vs_native and vs_ref of results[first..) (one program's rows). */
static void set_ratios(bench *b, size_t first) {
  vyb_report *r = &b->report;
  const vyb_result *ref = NULL, *native_most = NULL; /* the native row with the most threads */
  for (size_t i = first; i < r->nresults; i++) {
    const vyb_result *x = &r->results[i];
    if (x->outcome != VYB_OK) continue;
    if (!strcmp(x->backend, "reference")) ref = x;
    if (!strcmp(x->backend, "native") && (!native_most || x->threads > native_most->threads)) native_most = x;
  }
  for (size_t i = first; i < r->nresults; i++) {
    vyb_result *x = &r->results[i];
    if (x->outcome != VYB_OK) continue;
    const vyb_result *native = native_most;
    for (size_t k = first; k < r->nresults; k++) {
      const vyb_result *n = &r->results[k];
      if (n->outcome == VYB_OK && !strcmp(n->backend, "native") && n->threads == x->threads) native = n;
    }
    if (native) x->vs_native = x->throughput / native->throughput;
    if (ref) x->vs_ref = x->throughput / ref->throughput;
  }
}

/* ---- runs ------------------------------------------------------------- */

/* What a run reports progress with; the first member of every run struct,
 * so the measurement's tick callback can read it from the run's pointer. */
typedef struct run_label {
  bench *b;
  const char *what;
} run_label;

/* Counts repetitions on a terminal (a log gets only the steps). */
static void tick(void *ud, size_t reps) {
  const run_label *l = ud;
  if (l->b->tty && vyb_now() - l->b->last_tick > 0.25) progress(l->b, "%s: run %zu", l->what, reps);
}

typedef struct kernel_run {
  run_label label;
  vy_kernel *k;
  const vyb_data *d;
  double *device; /* GPU seconds of the last capdevice runs, a ring (NULL: not collected) */
  size_t ndevice, capdevice;
} kernel_run;

static vy_status run_kernel(void *ud, double *seconds, vy_error *err) {
  kernel_run *r = ud;
  vy_outputs outs = {0};
  double t0 = vyb_now();
  vy_status st = vy_kernel_dispatch(r->k, r->d->inputs, r->d->ninputs, NULL, &outs, err);
  *seconds = vyb_now() - t0;
  vy_outputs_free(&outs);
#ifdef VY_HAVE_JIT
  uint64_t ns = vy_cuda_kernel_time_ns(r->k); /* 0 for CPU backends */
  if (st == VY_OK && ns && r->device) r->device[r->ndevice++ % r->capdevice] = (double)ns * 1e-9;
#endif
  return st;
}

typedef struct native_run {
  run_label label;
  vyb_native_fn fn;
  const vyb_data *d;
  vyb_work *w;
  unsigned threads;
} native_run;

static vy_status run_native(void *ud, double *seconds, vy_error *err) {
  const native_run *r = ud;
  vyb_work_reset(r->d, r->w);
  double t0 = vyb_now();
  int rc = r->fn(r->w->bufs, r->w->nbufs, (int)r->threads);
  *seconds = vyb_now() - t0;
  if (rc == 0) return VY_OK;
  return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                      "the native baseline refused the buffers (code %d). Fix: make the sizes fit its algorithm (see "
                      "its file in bench/native)",
                      rc);
}

/* Dispatches `k` once on `d` and keeps a copy of the outputs. */
static vy_status dispatch_outputs(vy_kernel *k, const vyb_data *d, vyb_outset *out, vy_error *err) {
  vy_outputs outs = {0};
  vy_status st = vy_kernel_dispatch(k, d->inputs, d->ninputs, NULL, &outs, err);
  vyb_view *views = st == VY_OK ? calloc(outs.count ? outs.count : 1, sizeof *views) : NULL;
  if (st == VY_OK && !views) st = vy_error_nomem(err);
  if (st == VY_OK) {
    vyb_views_of(&outs, views);
    st = vyb_outset_copy(views, outs.count, out, err);
  }
  free(views);
  vy_outputs_free(&outs);
  return st;
}

static void compare_sets(const vyb_program *p, const vyb_outset *got, const vyb_outset *want, vyb_diff *d) {
  vyb_compare(p, got->items, got->count, want->items, want->count, d);
}

/* ---- one program ------------------------------------------------------- */

/* The interpreter at size small: the oracle's outputs, and its timing. */
static vy_status run_oracle(bench *b, const vyb_program *p, const vyb_data *small, vyb_outset *golden, vy_error *err) {
  vy_kernel *k = NULL;
  vyb_compile_times ct;
  char what[96];
  snprintf(what, sizeof what, "%s: reference", p->name);
  progress(b, "%s: compile", what);
  vy_status st = vyb_compile_measure(b->reference, p->prog, &b->compile_plan, NULL, &ct, &k, err);
  if (st == VY_OK) {
    progress(b, "%s: oracle run", what);
    st = dispatch_outputs(k, small, golden, err);
  }
  vyb_result *x = b->time_reference || st != VY_OK ? add_result(b, p, "reference", 1, small) : NULL;
  if (x && st != VY_OK) set_error(b, x, st, err);
  if (x && st == VY_OK) {
    x->has_compile = true;
    x->compile = ct;
    snprintf(x->verified, sizeof x->verified, "oracle");
    kernel_run run = {{b, what}, k, small};
    vyb_stats s;
    vy_error terr;
    vy_status ts = vyb_measure(&b->ref_plan, run_kernel, &run, tick, &s, &terr);
    if (ts == VY_OK)
      set_timing(x, &s);
    else
      set_error(b, x, ts, &terr);
  }
  vy_kernel_destroy(k);
  return st;
}

/* Runs the native baseline once on `d` and copies its returned buffers. */
static vy_status native_outputs(bench *b, vyb_native_fn fn, const vyb_data *d, vyb_outset *out, vy_error *err) {
  vyb_work w;
  vy_status st = vyb_work_make(d, &w, err);
  if (st != VY_OK) return st;
  double ignored;
  native_run run = {{b, ""}, fn, d, &w, b->threads[0]};
  st = run_native(&run, &ignored, err);
  if (st == VY_OK) st = vyb_outset_copy(w.outs, w.nouts, out, err);
  vyb_work_free(&w);
  return st;
}

/* The native baseline: checked at size small, its outputs at the timed
 * size kept in *check (empty when it cannot serve as a check), then timed
 * for every thread count. */
static void run_native_baseline(bench *b, const vyb_program *p, const vyb_data *small, const vyb_data *timed,
                                const vyb_outset *golden, vyb_outset *check) {
  if (!b->has_native || !p->native) return;
  vyb_native_fn fn = vyb_native_lookup(&b->native, p->native);
  vy_error err;
  vyb_outset got = {0};
  vyb_diff diff;
  char what[96];
  snprintf(what, sizeof what, "%s: native", p->name);
  if (!fn) {
    vy_error_set(&err, VY_E_INVALID_ARGUMENT,
                 "%s has no vyb_native_%s. Fix: add it to bench/native/, or name another with `# bench: native`",
                 b->native.path, p->native);
    set_error(b, add_result(b, p, "native", b->threads[0], small), VY_E_INVALID_ARGUMENT, &err);
    return;
  }
  progress(b, "%s: check", what);
  vy_status st = native_outputs(b, fn, small, &got, &err);
  if (st == VY_OK) compare_sets(p, &got, golden, &diff);
  vyb_outset_free(&got);
  if (st != VY_OK || !diff.equal) {
    vyb_result *x = add_result(b, p, "native", b->threads[0], small);
    if (st != VY_OK)
      set_error(b, x, st, &err);
    else
      set_wrong(b, x, "interpreter's at size small", &diff);
    return;
  }
  uint32_t max_ulp = diff.max_ulp;
  if (timed != small && (st = native_outputs(b, fn, timed, check, &err)) != VY_OK) {
    set_error(b, add_result(b, p, "native", b->threads[0], timed), st, &err);
    return;
  }
  if (!b->time_native) return;
  vyb_work w;
  if ((st = vyb_work_make(timed, &w, &err)) != VY_OK) {
    set_error(b, add_result(b, p, "native", b->threads[0], timed), st, &err);
    return;
  }
  for (size_t t = 0; t < b->nthreads; t++) {
    vyb_result *x = add_result(b, p, "native", b->threads[t], timed);
    snprintf(x->verified, sizeof x->verified, "reference@small");
    x->max_ulp = max_ulp;
    native_run run = {{b, what}, fn, timed, &w, b->threads[t]};
    vyb_stats s;
    st = vyb_measure(&b->run_plan, run_native, &run, tick, &s, &err);
    if (st == VY_OK)
      set_timing(x, &s);
    else
      set_error(b, x, st, &err);
  }
  vyb_work_free(&w);
}

typedef struct resident_run {
  run_label label;
  vy_kernel *k;
  const vyb_data *d;
  vyb_resident_set *set;
} resident_run;

/* One dispatch on resident buffers; the returned buffers are restored to
 * their initial bytes before it, untimed (as for the native baseline). */
static vy_status run_resident(void *ud, double *seconds, vy_error *err) {
  resident_run *r = ud;
  *seconds = 0;
  vy_status st = vyb_resident_reset(r->d, r->set, err);
  if (st != VY_OK) return st;
  double t0 = vyb_now();
  st = vy_kernel_dispatch_resident(r->k, r->set->bufs, r->set->nbufs, NULL, err);
  *seconds = vyb_now() - t0;
  return st;
}

/* Dispatches `k` once on resident copies of `d` and downloads the outputs. */
static vy_status resident_outputs(vy_backend *be, vy_kernel *k, const vyb_data *d, vyb_outset *out, vy_error *err) {
  vyb_resident_set set;
  vy_status st = vyb_resident_make(be, d, &set, err);
  if (st != VY_OK) return st;
  st = vy_kernel_dispatch_resident(k, set.bufs, set.nbufs, NULL, err);
  if (st == VY_OK) st = vyb_resident_outputs(d, &set, out, err);
  vyb_resident_free(&set);
  return st;
}

/* The outputs `got` of a row's dispatch (status st) against `want`: the
 * interpreter's at size small, or with `timed` the native baseline's at
 * that size. Frees `got`; a difference marks the row wrong, a match records
 * what it was verified against and its f32 distance. */
static void check_row(bench *b, const vyb_program *p, vyb_result *x, vy_status st, vyb_outset *got,
                      const vyb_outset *want, const vyb_data *timed, vyb_diff *diff) {
  if (st == VY_OK) compare_sets(p, got, want, diff);
  vyb_outset_free(got);
  if (st != VY_OK) return;
  if (!diff->equal) {
    set_wrong(b, x, timed ? "native baseline's at the timed size" : "interpreter's at size small", diff);
    return;
  }
  if (diff->max_ulp > x->max_ulp) x->max_ulp = diff->max_ulp;
  if (timed)
    snprintf(x->verified, sizeof x->verified, "reference@small,native@%s", vyb_size_name(timed->size));
  else
    snprintf(x->verified, sizeof x->verified, "reference@small");
}

/* The `<backend>-res` row: kernel `k` of a backend with resident buffers,
 * dispatched on them in place (no copies in or out), checked like the
 * plain row, then timed. Nothing when the backend has no resident buffers. */
static void run_backend_resident(bench *b, const vyb_program *p, const bench_backend *bb, vy_kernel *k,
                                 const vyb_data *small, const vyb_data *timed, const vyb_outset *golden,
                                 const vyb_outset *check) {
  if (!vy_backend_residentable(bb->be)) return;
  char id[32];
  snprintf(id, sizeof id, "%s-res", vy_backend_id(bb->be));
  vyb_result *x = add_result(b, p, id, bb->threads, timed);
  char what[96];
  snprintf(what, sizeof what, "%s: %s x%u", p->name, id, bb->threads);
  progress(b, "%s: check", what);
  vy_error err;
  vyb_outset got = {0};
  vyb_diff diff = {.equal = true};
  vy_status st = resident_outputs(bb->be, k, small, &got, &err);
  check_row(b, p, x, st, &got, golden, NULL, &diff);
  vyb_resident_set set = {0};
  if (st == VY_OK && diff.equal) st = vyb_resident_make(bb->be, timed, &set, &err);
  if (st == VY_OK && diff.equal && timed != small && check->count) {
    st = vy_kernel_dispatch_resident(k, set.bufs, set.nbufs, NULL, &err);
    if (st == VY_OK) st = vyb_resident_outputs(timed, &set, &got, &err);
    check_row(b, p, x, st, &got, check, timed, &diff);
  }
  if (st == VY_OK && diff.equal) {
    resident_run run = {{b, what}, k, timed, &set};
    vyb_stats s;
    st = vyb_measure(&b->run_plan, run_resident, &run, tick, &s, &err);
    if (st == VY_OK) set_timing(x, &s);
  }
  vyb_resident_free(&set);
  if (st != VY_OK) set_error(b, x, st, &err);
}

/* One compiled backend: compile times, checks, timing; then its resident row. */
static void run_backend(bench *b, const vyb_program *p, const bench_backend *bb, const vyb_data *small,
                        const vyb_data *timed, const vyb_outset *golden, const vyb_outset *check) {
  const char *id = vy_backend_id(bb->be);
  vyb_result *x = add_result(b, p, id, bb->threads, timed);
  char what[96];
  snprintf(what, sizeof what, "%s: %s x%u", p->name, id, bb->threads);
  progress(b, "%s: compile", what);
  vy_kernel *k = NULL;
  vy_error err;
  vy_status st = vyb_compile_measure(bb->be, p->prog, &b->compile_plan, b->cache_dir[0] ? b->cache_dir : NULL,
                                     &x->compile, &k, &err);
  x->has_compile = st == VY_OK;
  vyb_outset got = {0};
  vyb_diff diff = {.equal = true};
  if (st == VY_OK) {
    progress(b, "%s: check", what);
    st = dispatch_outputs(k, small, &got, &err);
  }
  check_row(b, p, x, st, &got, golden, NULL, &diff);
  if (st == VY_OK && diff.equal && timed != small && check->count) {
    st = dispatch_outputs(k, timed, &got, &err);
    check_row(b, p, x, st, &got, check, timed, &diff);
  }
  if (st == VY_OK && diff.equal) {
    kernel_run run = {{b, what}, k, timed, NULL, 0, 0};
    if (!bb->threads) { /* a GPU backend: its GPU time per dispatch too */
      run.capdevice = b->run_plan.max_reps ? b->run_plan.max_reps : 1; /* >= the measured runs */
      run.device = calloc(run.capdevice, sizeof *run.device);
    }
    vyb_stats s;
    st = vyb_measure(&b->run_plan, run_kernel, &run, tick, &s, &err);
    if (st == VY_OK) set_timing(x, &s);
    if (st == VY_OK && run.device && s.n <= run.capdevice && run.ndevice >= s.n) {
      /* the measured runs are the last s.n of the ring (the warm-up ran first) */
      double *last = calloc(s.n ? s.n : 1, sizeof *last);
      for (size_t i = 0; last && i < s.n; i++) last[i] = run.device[(run.ndevice - s.n + i) % run.capdevice];
      if (last) vyb_stats_compute(last, s.n, &x->device);
      x->has_device = last != NULL;
      free(last);
    }
    free(run.device);
  }
  if (st != VY_OK) set_error(b, x, st, &err);
  if (st == VY_OK && diff.equal) run_backend_resident(b, p, bb, k, small, timed, golden, check);
  vy_kernel_destroy(k);
}

/* The cuda-native row (bench/native_cuda.c checks and times it). */
static void run_cuda_native(bench *b, const vyb_program *p, const vyb_data *small, const vyb_data *timed,
                            const vyb_outset *golden, const vyb_outset *check) {
  progress(b, "%s: " VYB_CUDA_NATIVE, p->name);
  vyb_result *x = add_result(b, p, VYB_CUDA_NATIVE, 0, timed);
  vyb_cuda_row(&b->cuda, p, small, timed, golden, check, &b->run_plan, x);
  b->failures = b->failures || x->outcome == VYB_WRONG || x->outcome == VYB_FAILED;
}

static void bench_program(bench *b, const vyb_program *p) {
  size_t first = b->report.nresults;
  vyb_data small = {0}, big = {0};
  vyb_outset golden = {0}, check = {0};
  vy_error err;
  progress(b, "%s: generating inputs", p->name);
  vy_status st = vyb_data_make(p, VYB_SMALL, &small, &err);
  if (st == VY_OK && b->size != VYB_SMALL) st = vyb_data_make(p, b->size, &big, &err);
  const vyb_data *timed = b->size == VYB_SMALL ? &small : &big;
  if (st == VY_OK)
    st = run_oracle(b, p, &small, &golden, &err);
  else
    set_error(b, add_result(b, p, "reference", 1, &small), st, &err);
  if (st == VY_OK) {
    run_native_baseline(b, p, &small, timed, &golden, &check);
    for (size_t i = 0; i < b->nothers; i++) run_backend(b, p, &b->others[i], &small, timed, &golden, &check);
    if (b->has_cuda) run_cuda_native(b, p, &small, timed, &golden, &check);
  }
  set_ratios(b, first);
  vyb_cuda_ratios(b->report.results + first, b->report.nresults - first);
  vyb_outset_free(&golden);
  vyb_outset_free(&check);
  vyb_data_free(&small);
  vyb_data_free(&big);
}

/* ---- machine-wide measurements ---------------------------------------- */

static const char overhead_program[] = "program overhead workgroup(1) {\n"
                                       "  buffer out: u32 read_write @0 count(1) output\n"
                                       "  region vyre.program.root {\n"
                                       "    out[0] = 1\n"
                                       "  }\n"
                                       "}\n";

static void measure_overhead(bench *b, vy_backend *be, unsigned threads, const vy_program *p, vyb_overhead *o) {
  snprintf(o->backend, sizeof o->backend, "%s", vy_backend_id(be));
  o->threads = threads;
  vy_kernel *k = NULL;
  vy_error err;
  vyb_data none = {0};
  vy_status st = vy_compile(be, p, NULL, &k, &err);
  char what[96];
  snprintf(what, sizeof what, "dispatch overhead: %s x%u", o->backend, threads);
  kernel_run run = {{b, what}, k, &none};
  if (st == VY_OK) st = vyb_measure(&b->overhead_plan, run_kernel, &run, tick, &o->stats, &err);
  o->ok = st == VY_OK;
  if (!o->ok) snprintf(o->message, sizeof o->message, "%s", err.message);
  vy_kernel_destroy(k);
}

static int measure_machine(bench *b) {
  vyb_report *r = &b->report;
  vyb_machine_describe(&r->machine, b->has_native ? &b->native : NULL);
  unsigned most = 1;
  for (size_t t = 0; t < b->nthreads; t++) most = b->threads[t] > most ? b->threads[t] : most;
  if (b->has_native) {
    progress(b, "STREAM copy and triad with %u threads", most);
    size_t elements = b->o.quick ? (size_t)1 << 22 : (size_t)1 << 24;
    r->has_stream = b->native.stream(elements, b->o.quick ? 3 : 10, (int)most, &r->stream) == 0;
  }
  vy_program *p = NULL;
  vy_error err;
  if (vy_text_parse(overhead_program, sizeof overhead_program - 1, "overhead.vy", NULL, &p, &err) != VY_OK) {
    cli_report("bench", &err);
    return CLI_INTERNAL;
  }
  r->overheads = calloc(1 + b->nothers, sizeof *r->overheads);
  if (!r->overheads) {
    vy_program_destroy(p);
    return CLI_INTERNAL;
  }
  measure_overhead(b, b->reference, 1, p, &r->overheads[r->noverheads++]);
  for (size_t i = 0; i < b->nothers; i++)
    measure_overhead(b, b->others[i].be, b->others[i].threads, p, &r->overheads[r->noverheads++]);
  vy_program_destroy(p);
  return CLI_OK;
}

/* ---- the command ------------------------------------------------------- */

static void open_native(bench *b) {
  bool wanted = !b->o.backends || listed(b->o.backends, "native");
  vy_error err;
  b->has_native = wanted && vyb_native_open(b->o.native, &b->native, &err) == VY_OK;
  if (wanted && !b->has_native) fprintf(stderr, "vyre-jit bench: no native baselines: %s\n", err.message);
  /* by default only where it can run; asked for by name, its absence is said */
  wanted = b->o.backends && listed(b->o.backends, VYB_CUDA_NATIVE);
  b->has_cuda = (!b->o.backends || wanted) && vyb_cuda_open(NULL, &b->cuda, &err) == VY_OK;
  if (wanted && !b->has_cuda)
    fprintf(stderr, "vyre-jit bench: --backends " VYB_CUDA_NATIVE ": unavailable: %s\n", err.message);
  if (b->has_cuda) fprintf(stderr, "vyre-jit bench: " VYB_CUDA_NATIVE " on %s (%s)\n", b->cuda.device, b->cuda.info);
}

static void cleanup(bench *b) {
  for (size_t i = 0; i < b->nothers; i++) vy_backend_close(b->others[i].be);
  vy_backend_close(b->reference);
  for (size_t t = 0; t < b->nthreads; t++) vy_context_destroy(b->ctx[t]);
  for (size_t i = 0; i < b->nprograms; i++) vyb_program_free(&b->programs[i]);
  free(b->programs);
  free(b->report.results);
  free(b->report.overheads);
  if (b->cache_dir[0]) {
    vy_cache_disk_clear(b->cache_dir, NULL, NULL);
    rmdir(b->cache_dir);
  }
  vyb_native_close(&b->native);
  vyb_cuda_close(&b->cuda);
}

/* Runs everything after the arguments are known. */
static int run_bench(bench *b) {
  int rc = load_suite(b);
  if (rc != CLI_OK) return rc;
  open_native(b);
  if ((rc = open_backends(b)) != CLI_OK) return rc;
  describe_run(b);
  const char *tmp = getenv("TMPDIR");
  snprintf(b->cache_dir, sizeof b->cache_dir, "%s/vyre-bench-cache-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(b->cache_dir)) b->cache_dir[0] = 0; /* disk hits are then not measured */
  if ((rc = measure_machine(b)) != CLI_OK) return rc;
  for (size_t i = 0; i < b->nprograms; i++) {
    b->index = i + 1;
    bench_program(b, &b->programs[i]);
  }
  progress_done(b);
  FILE *table = b->o.json && !strcmp(b->o.json, "-") ? stderr : stdout; /* stdout carries the JSON then */
  vyb_report_table(&b->report, table);
  if (fflush(table) != 0) rc = CLI_IO;
  vy_error err;
  if (b->o.json && vyb_report_json(&b->report, b->o.json, &err) != VY_OK) {
    cli_report("bench --json", &err);
    rc = CLI_IO;
  }
  if (b->o.plot && vyb_report_plot(&b->report, b->o.plot, &err) != VY_OK) {
    cli_report("bench --plot", &err);
    rc = CLI_IO;
  }
  if (b->out_of_memory)
    fprintf(stderr, "vyre-jit bench: out of memory: results are missing from the report. Fix: run a smaller --suite\n");
  return rc != CLI_OK ? rc : b->out_of_memory ? CLI_INTERNAL : b->failures ? CLI_RUNTIME : CLI_OK;
}

int cmd_bench(int argc, char **argv) {
  if (argc > 0 && strcmp(argv[0], "--stream") == 0) return cmd_bench_stream(argc - 1, argv + 1);
  bench *b = calloc(1, sizeof *b);
  if (!b) return CLI_INTERNAL;
  int rc = parse_args(argc, argv, &b->o);
  if (rc != CLI_OK) {
    free(b);
    return rc < 0 ? CLI_OK : rc;
  }
  if (b->o.size && !vyb_size_parse(b->o.size, &b->size)) {
    fprintf(stderr, "vyre-jit bench: unknown --size '%s'. Fix: use small, medium or large\n", b->o.size);
    free(b);
    return CLI_USAGE;
  }
  if (!b->o.size) b->size = b->o.quick ? VYB_SMALL : VYB_MEDIUM;
  if ((rc = parse_threads(b)) != CLI_OK) {
    free(b);
    return rc;
  }
  set_plans(b);
  b->tty = isatty(STDERR_FILENO);
  b->report.size_name = vyb_size_name(b->size);
  b->report.quick = b->o.quick;
  b->report.suite = b->o.suite ? b->o.suite : "all";
  /* cold compiles, and the user's disk cache is neither read nor written */
  setenv("VYRE_JIT_CACHE", "off", 1);
  rc = run_bench(b);
  cleanup(b);
  free(b);
  return rc;
}
