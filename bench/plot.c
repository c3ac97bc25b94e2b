/* plot.c - a PNG chart of the results, drawn by gnuplot (optional: only
 * `--plot` needs it; scripts/bench.sh installs gnuplot-nox). One group of
 * bars per program, one bar per backend and thread count: its speed
 * relative to the native baseline on a log scale (relative to the
 * interpreter when no native baseline ran), the baseline a dashed line. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, posix_spawnp */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_int.h"
#include "error_int.h"

extern char **environ;

typedef struct series {
  char backend[32];
  unsigned threads;
} series;

/* The distinct (backend, threads) pairs of the results, in first-seen order,
 * without the baseline's own (`skip`: always 1). */
static size_t collect_series(const vyb_report *r, const char *skip, series *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < r->nresults; i++) {
    const vyb_result *x = &r->results[i];
    bool seen = !strcmp(x->backend, skip);
    for (size_t k = 0; k < n && !seen; k++) seen = !strcmp(out[k].backend, x->backend) && out[k].threads == x->threads;
    if (!seen && n < cap) {
      snprintf(out[n].backend, sizeof out[n].backend, "%s", x->backend);
      out[n++].threads = x->threads;
    }
  }
  return n;
}

static const vyb_result *find(const vyb_report *r, const vyb_program *p, const series *s) {
  for (size_t i = 0; i < r->nresults; i++) {
    const vyb_result *x = &r->results[i];
    if (x->program == p && x->threads == s->threads && !strcmp(x->backend, s->backend)) return x;
  }
  return NULL;
}

static bool any_native(const vyb_report *r) {
  for (size_t i = 0; i < r->nresults; i++)
    if (!isnan(r->results[i].vs_native)) return true;
  return false;
}

static vy_status write_data(const vyb_report *r, const char *path, const series *s, size_t ns, bool native,
                            vy_error *err) {
  FILE *f = fopen(path, "w");
  if (!f) return vy_error_set(err, VY_E_IO, "cannot write '%s': %s. Fix: check $TMPDIR", path, strerror(errno));
  fputs("program", f);
  for (size_t k = 0; k < ns; k++) fprintf(f, " \"%s x%u\"", s[k].backend, s[k].threads);
  fputc('\n', f);
  const vyb_program *last = NULL;
  for (size_t i = 0; i < r->nresults; i++) {
    const vyb_program *p = r->results[i].program;
    if (p == last) continue;
    last = p;
    fprintf(f, "%s", p->name);
    for (size_t k = 0; k < ns; k++) {
      const vyb_result *x = find(r, p, &s[k]);
      double v = x && x->outcome == VYB_OK ? (native ? x->vs_native : x->vs_ref) : NAN;
      if (isfinite(v) && v > 0)
        fprintf(f, " %.6g", v);
      else
        fputs(" ?", f);
    }
    fputc('\n', f);
  }
  return fclose(f) == 0 ? VY_OK : vy_error_set(err, VY_E_IO, "writing '%s' failed. Fix: check $TMPDIR", path);
}

/* gnuplot single-quoted string: a ' is written twice. */
static void put_quoted(FILE *f, const char *s) {
  fputc('\'', f);
  for (; *s; s++) {
    if (*s == '\'') fputc('\'', f);
    fputc(*s, f);
  }
  fputc('\'', f);
}

static vy_status write_script(const vyb_report *r, const char *path, const char *data, const char *png, size_t ns,
                              bool native, vy_error *err) {
  FILE *f = fopen(path, "w");
  if (!f) return vy_error_set(err, VY_E_IO, "cannot write '%s': %s. Fix: check $TMPDIR", path, strerror(errno));
  fputs("set terminal pngcairo noenhanced size 1400,640 font ',10'\nset output ", f);
  put_quoted(f, png);
  fprintf(f,
          "\nset title 'vyre-jit bench, size %s: speed relative to %s (= 1; higher is better, log scale)'\n"
          "set datafile missing '?'\nset style data histogram\nset style histogram cluster gap 1\n"
          "set style fill solid 0.8 border -1\nset logscale y\nset grid ytics\nset ylabel 'x %s'\n"
          "set xtics rotate by -25 nomirror\nset key outside bottom center horizontal\n"
          "set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2\n",
          r->size_name, native ? "the native C baseline" : "the interpreter", native ? "native" : "interpreter");
  fputs("plot ", f);
  for (size_t k = 0; k < ns; k++) {
    if (k == 0)
      put_quoted(f, data);
    else
      fputs("''", f);
    fprintf(f, " using %zu%s title columnheader(%zu)%s", k + 2, k == 0 ? ":xtic(1)" : "", k + 2,
            k + 1 < ns ? ", " : "\n");
  }
  return fclose(f) == 0 ? VY_OK : vy_error_set(err, VY_E_IO, "writing '%s' failed. Fix: check $TMPDIR", path);
}

static vy_status run_gnuplot(const char *script, vy_error *err) {
  pid_t pid;
  char *argv[] = {"gnuplot", (char *)script, NULL};
  int rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
  if (rc == ENOENT)
    return vy_error_set(err, VY_E_UNSUPPORTED,
                        "gnuplot is not installed, so --plot cannot draw. Fix: apt-get install gnuplot-nox (or run "
                        "scripts/bench.sh, which installs it)");
  if (rc != 0) return vy_error_set(err, VY_E_IO, "cannot start gnuplot: %s. Fix: check the installation", strerror(rc));
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return vy_error_set(err, VY_E_IO, "waiting for gnuplot failed. Fix: retry");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return vy_error_set(err, VY_E_IO, "gnuplot failed (see its messages above). Fix: check the output path");
  return VY_OK;
}

vy_status vyb_report_plot(const vyb_report *r, const char *png, vy_error *err) {
  bool native = any_native(r);
  series s[64];
  size_t ns = collect_series(r, native ? "native" : "reference", s, sizeof s / sizeof *s);
  if (ns == 0)
    return vy_error_set(err, VY_E_INVALID_ARGUMENT,
                        "nothing to plot: no backend ran besides the baseline. Fix: run more backends");
  const char *tmp = getenv("TMPDIR");
  char dir[4096], data[4200], script[4200];
  snprintf(dir, sizeof dir, "%s/vyre-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir))
    return vy_error_set(err, VY_E_IO, "cannot create a temporary directory: %s. Fix: check $TMPDIR", strerror(errno));
  snprintf(data, sizeof data, "%s/results.dat", dir);
  snprintf(script, sizeof script, "%s/chart.gp", dir);
  vy_status st = write_data(r, data, s, ns, native, err);
  if (st == VY_OK) st = write_script(r, script, data, png, ns, native, err);
  if (st == VY_OK) st = run_gnuplot(script, err);
  remove(data);
  remove(script);
  rmdir(dir);
  return st;
}
