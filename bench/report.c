/* report.c - the results as a readable table and as JSON. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "bench_int.h"
#include "error_int.h"

const char *vyb_outcome_name(vyb_outcome o) {
  switch (o) {
  case VYB_OK:
    return "ok";
  case VYB_WRONG:
    return "wrong";
  case VYB_FAILED:
    return "failed";
  case VYB_UNSUPPORTED:
    return "unsupported";
  }
  return "?";
}

static const char *unit_name(vyb_work_unit u) {
  return u == VYB_WORK_BYTES ? "bytes" : u == VYB_WORK_FLOPS ? "flops" : "elements";
}

void vyb_format_rate(vyb_work_unit u, double per_second, char *buf, size_t cap) {
  static const char *const prefix[] = {"", "k", "M", "G", "T", "P"};
  const char *unit = u == VYB_WORK_BYTES ? "B/s" : u == VYB_WORK_FLOPS ? "FLOP/s" : "elem/s";
  int i = 0;
  while (per_second >= 1000.0 && i < 5) per_second /= 1000.0, i++;
  snprintf(buf, cap, "%.*f %s%s", per_second < 10 ? 2 : per_second < 100 ? 1 : 0, per_second, prefix[i], unit);
}

void vyb_format_seconds(double s, char *buf, size_t cap) {
  static const char *const unit[] = {"s", "ms", "us", "ns"};
  int i = 0;
  while (s < 1.0 && i < 3) s *= 1000.0, i++;
  snprintf(buf, cap, "%.*f %s", s < 10 ? 2 : s < 100 ? 1 : 0, s, unit[i]);
}

static void format_ratio(double r, char *buf, size_t cap) {
  if (isnan(r))
    snprintf(buf, cap, "-");
  else if (r < 0.01)
    snprintf(buf, cap, "%.2gx", r);
  else
    snprintf(buf, cap, "%.*fx", r < 10 ? 2 : r < 100 ? 1 : 0, r);
}

/* ---- summary: geometric means per backend and thread count -------------- */

typedef struct summary_row {
  const char *backend;
  unsigned threads;
  size_t programs, n_native, n_ref; /* verified rows, and rows with each ratio */
  double log_native, log_ref;       /* sums of log(ratio) */
} summary_row;

/* One row per (backend, threads) with a verified result, in first-seen order. */
static size_t summarize(const vyb_report *r, summary_row *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < r->nresults; i++) {
    const vyb_result *x = &r->results[i];
    if (x->outcome != VYB_OK) continue;
    size_t k = 0;
    while (k < n && (strcmp(out[k].backend, x->backend) || out[k].threads != x->threads)) k++;
    if (k == n) {
      if (n == cap) continue;
      out[n++] = (summary_row){x->backend, x->threads, 0, 0, 0, 0, 0};
    }
    out[k].programs++;
    if (isfinite(x->vs_native) && x->vs_native > 0) out[k].n_native++, out[k].log_native += log(x->vs_native);
    if (isfinite(x->vs_ref) && x->vs_ref > 0) out[k].n_ref++, out[k].log_ref += log(x->vs_ref);
  }
  return n;
}

static double geomean(double log_sum, size_t n) { return n ? exp(log_sum / (double)n) : NAN; }

/* ---- table ------------------------------------------------------------- */

static void table_header(const vyb_report *r, FILE *f) {
  const vyb_machine *m = &r->machine;
  fprintf(f, "vyre-jit bench: %s, %ld logical CPUs, %s, %s\n", m->cpu, m->cores, m->os, m->date);
  fprintf(f, "vyre-jit %s%s%s; tool built by %s\n", m->vyre_jit, m->llvm[0] ? ", LLVM " : "", m->llvm, m->tool_cc);
  fprintf(f, "native baselines: %s\n", m->native_cc[0] ? m->native_cc : "not available");
  fprintf(f, "suite %s, size %s%s, threads %s, backends %s\n", r->suite, r->size_name, r->quick ? " (quick)" : "",
          r->threads, r->backends);
  if (r->has_stream)
    fprintf(f, "STREAM (%d threads, 3 arrays of %.0f MiB): copy %.1f GB/s, triad %.1f GB/s\n", r->stream.threads,
            (double)r->stream.elements * 8.0 / 1048576.0, r->stream.copy_gbs, r->stream.triad_gbs);
  fprintf(f, "\ndispatch overhead (a one-invocation program through a compiled kernel, median of many):\n");
  for (size_t i = 0; i < r->noverheads; i++) {
    const vyb_overhead *o = &r->overheads[i];
    char t[32];
    vyb_format_seconds(o->stats.median, t, sizeof t);
    fprintf(f, "  %-12s x%-3u %s\n", o->backend, o->threads, o->ok ? t : o->message);
  }
}

static void check_text(const vyb_result *x, char *buf, size_t cap) {
  if (x->outcome != VYB_OK)
    snprintf(buf, cap, "%s", x->outcome == VYB_WRONG ? "WRONG" : vyb_outcome_name(x->outcome));
  else if (x->max_ulp)
    snprintf(buf, cap, "ok, %u ulp", x->max_ulp);
  else
    snprintf(buf, cap, "ok");
}

void vyb_report_table(const vyb_report *r, FILE *f) {
  table_header(r, f);
  fprintf(f, "\n%-17s %-12s %3s %-6s %9s %9s %9s %10s %6s %14s %9s %9s  %s\n", "program", "backend", "thr", "size",
          "compile", "mem hit", "disk hit", "median", "iqr", "throughput", "vs native", "vs interp", "check");
  const vyb_program *last = NULL;
  bool notes = false;
  for (size_t i = 0; i < r->nresults; i++) {
    const vyb_result *x = &r->results[i];
    if (last && x->program != last) fputc('\n', f);
    last = x->program;
    char comp[32] = "-", mem[32] = "-", disk[32] = "-", med[32] = "-", iqr[32] = "-", rate[32] = "-", vn[32], vr[32],
         chk[32];
    if (x->has_compile) vyb_format_seconds(x->compile.cold.median, comp, sizeof comp);
    if (x->has_compile && x->compile.has_mem) vyb_format_seconds(x->compile.mem.median, mem, sizeof mem);
    if (x->has_compile && x->compile.has_disk) vyb_format_seconds(x->compile.disk.median, disk, sizeof disk);
    if (x->outcome == VYB_OK) {
      vyb_format_seconds(x->run.median, med, sizeof med);
      snprintf(iqr, sizeof iqr, "%.1f%%", x->run.median > 0 ? 100.0 * (x->run.p75 - x->run.p25) / x->run.median : 0.0);
      vyb_format_rate(x->program->work_unit, x->throughput, rate, sizeof rate);
    }
    format_ratio(x->vs_native, vn, sizeof vn);
    format_ratio(x->vs_ref, vr, sizeof vr);
    check_text(x, chk, sizeof chk);
    fprintf(f, "%-17s %-12s %3u %-6s %9s %9s %9s %10s %6s %14s %9s %9s  %s\n", x->program->name, x->backend, x->threads,
            vyb_size_name(x->size), comp, mem, disk, med, iqr, rate, vn, vr, chk);
    notes = notes || x->outcome != VYB_OK;
  }
  summary_row sum[64];
  size_t ns = summarize(r, sum, sizeof sum / sizeof *sum);
  fprintf(f, "\nsummary, geometric means over the verified programs:\n  %-12s %3s %9s %9s  %s\n", "backend", "thr",
          "vs native", "vs interp", "programs");
  for (size_t i = 0; i < ns; i++) {
    char vn[32], vr[32];
    format_ratio(geomean(sum[i].log_native, sum[i].n_native), vn, sizeof vn);
    format_ratio(geomean(sum[i].log_ref, sum[i].n_ref), vr, sizeof vr);
    fprintf(f, "  %-12s %3u %9s %9s  %zu\n", sum[i].backend, sum[i].threads, vn, vr, sum[i].programs);
  }
  fputs("\ncompile: one vy_compile with no cache to hit; mem hit, disk hit: one served by the kernel cache\n"
        "  ('-': the backend does not cache). median, iqr: seconds per dispatch through a compiled kernel,\n"
        "  inputs generated before timing; iqr = interquartile range / median. vs native: native time / this\n"
        "  time, same size and threads. vs interp: this throughput / the interpreter's (measured at size\n"
        "  small). check: outputs equal to the interpreter's at size small and to the native baseline's at\n"
        "  the timed size; 'N ulp': the largest f32 distance, where the program allows one.\n",
        f);
  bool gpu = false;
  for (size_t i = 0; i < r->nresults; i++) {
    const vyb_result *x = &r->results[i];
    if (!x->has_device) continue;
    if (!gpu) fprintf(f, "\nGPU time per dispatch (CUDA events around the launches; transfers excluded):\n");
    gpu = true;
    char med[32], rate[32];
    vyb_format_seconds(x->device.median, med, sizeof med);
    vyb_format_rate(x->program->work_unit, x->device.median > 0 ? x->work / x->device.median : 0, rate, sizeof rate);
    fprintf(f, "  %-17s %-10s %-6s %10s %14s\n", x->program->name, x->backend, vyb_size_name(x->size), med, rate);
  }
  if (!notes) return;
  fprintf(f, "\nnotes:\n");
  for (size_t i = 0; i < r->nresults; i++) {
    const vyb_result *x = &r->results[i];
    if (x->outcome != VYB_OK)
      fprintf(f, "  %s on %s x%u: %s: %s\n", x->program->name, x->backend, x->threads, vyb_outcome_name(x->outcome),
              x->message);
  }
}

/* ---- JSON -------------------------------------------------------------- */

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p == '\n')
      fputs("\\n", f);
    else if (*p < 0x20)
      fprintf(f, "\\u%04x", *p);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}

static void json_num(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.9g", v);
  else
    fputs("null", f);
}

static void json_stats(FILE *f, const char *key, const vyb_stats *s) {
  fprintf(f, "\"%s\": {\"n\": %zu, \"median\": ", key, s->n);
  json_num(f, s->median);
  fputs(", \"min\": ", f);
  json_num(f, s->min);
  fputs(", \"max\": ", f);
  json_num(f, s->max);
  fputs(", \"p25\": ", f);
  json_num(f, s->p25);
  fputs(", \"p75\": ", f);
  json_num(f, s->p75);
  fputs(", \"mean\": ", f);
  json_num(f, s->mean);
  fputc('}', f);
}

static void json_kv(FILE *f, const char *key, const char *value, bool comma) {
  fprintf(f, "\"%s\": ", key);
  json_str(f, value);
  if (comma) fputs(", ", f);
}

static void json_machine(FILE *f, const vyb_report *r) {
  const vyb_machine *m = &r->machine;
  fputs("  \"machine\": {", f);
  json_kv(f, "cpu", m->cpu, true);
  fprintf(f, "\"logical_cpus\": %ld, ", m->cores);
  json_kv(f, "os", m->os, true);
  json_kv(f, "date", m->date, true);
  json_kv(f, "vyre_jit", m->vyre_jit, true);
  json_kv(f, "llvm", m->llvm, true);
  json_kv(f, "tool_compiler", m->tool_cc, true);
  json_kv(f, "native_compiler", m->native_cc, false);
  fputs("},\n", f);
  if (r->has_stream) {
    fprintf(f, "  \"stream\": {\"threads\": %d, \"elements\": %zu, \"copy_gbs\": ", r->stream.threads,
            r->stream.elements);
    json_num(f, r->stream.copy_gbs);
    fputs(", \"triad_gbs\": ", f);
    json_num(f, r->stream.triad_gbs);
    fputs("},\n", f);
  } else {
    fputs("  \"stream\": null,\n", f);
  }
}

static void json_result(FILE *f, const vyb_result *x) {
  fputs("    {", f);
  json_kv(f, "program", x->program->name, true);
  json_kv(f, "backend", x->backend, true);
  fprintf(f, "\"threads\": %u, ", x->threads);
  json_kv(f, "size", vyb_size_name(x->size), true);
  json_kv(f, "params", x->params, true);
  json_kv(f, "status", vyb_outcome_name(x->outcome), true);
  json_kv(f, "message", x->message, true);
  json_kv(f, "verified", x->verified, true);
  fprintf(f, "\"max_ulp\": %u, \"work\": {\"unit\": \"%s\", \"per_dispatch\": ", x->max_ulp,
          unit_name(x->program->work_unit));
  json_num(f, x->work);
  fputs("},\n     ", f);
  if (x->has_compile) {
    fputs("\"compile_seconds\": {", f);
    json_stats(f, "cold", &x->compile.cold);
    fputs(", ", f);
    if (x->compile.has_mem)
      json_stats(f, "memory_hit", &x->compile.mem);
    else
      fputs("\"memory_hit\": null", f);
    fputs(", ", f);
    if (x->compile.has_disk)
      json_stats(f, "disk_hit", &x->compile.disk);
    else
      fputs("\"disk_hit\": null", f);
    fputc('}', f);
  } else {
    fputs("\"compile_seconds\": null", f);
  }
  fputs(",\n     ", f);
  if (x->outcome == VYB_OK)
    json_stats(f, "run_seconds", &x->run);
  else
    fputs("\"run_seconds\": null", f);
  fputs(",\n     ", f);
  if (x->has_device)
    json_stats(f, "device_seconds", &x->device);
  else
    fputs("\"device_seconds\": null", f);
  fputs(",\n     \"throughput_per_second\": ", f);
  json_num(f, x->outcome == VYB_OK ? x->throughput : NAN);
  fputs(", \"vs_native\": ", f);
  json_num(f, x->vs_native);
  fputs(", \"vs_reference\": ", f);
  json_num(f, x->vs_ref);
  fputc('}', f);
}

vy_status vyb_report_json(const vyb_report *r, const char *path, vy_error *err) {
  bool to_stdout = strcmp(path, "-") == 0;
  FILE *f = to_stdout ? stdout : fopen(path, "w");
  if (!f) return vy_error_set(err, VY_E_IO, "cannot write '%s': %s. Fix: check the path", path, strerror(errno));
  fputs("{\n  \"schema\": \"vyre-jit.bench.v1\",\n", f);
  json_machine(f, r);
  fputs("  \"config\": {", f);
  json_kv(f, "suite", r->suite, true);
  json_kv(f, "size", r->size_name, true);
  fprintf(f, "\"quick\": %s, ", r->quick ? "true" : "false");
  json_kv(f, "threads", r->threads, true);
  json_kv(f, "backends", r->backends, false);
  fputs("},\n  \"dispatch_overhead\": [\n", f);
  for (size_t i = 0; i < r->noverheads; i++) {
    const vyb_overhead *o = &r->overheads[i];
    fputs("    {", f);
    json_kv(f, "backend", o->backend, true);
    fprintf(f, "\"threads\": %u, \"ok\": %s, ", o->threads, o->ok ? "true" : "false");
    json_kv(f, "message", o->message, true);
    json_stats(f, "seconds", &o->stats);
    fprintf(f, "}%s\n", i + 1 < r->noverheads ? "," : "");
  }
  summary_row sum[64];
  size_t ns = summarize(r, sum, sizeof sum / sizeof *sum);
  fputs("  ],\n  \"summary\": [\n", f);
  for (size_t i = 0; i < ns; i++) {
    fputs("    {", f);
    json_kv(f, "backend", sum[i].backend, true);
    fprintf(f, "\"threads\": %u, \"programs\": %zu, \"geomean_vs_native\": ", sum[i].threads, sum[i].programs);
    json_num(f, geomean(sum[i].log_native, sum[i].n_native));
    fputs(", \"geomean_vs_reference\": ", f);
    json_num(f, geomean(sum[i].log_ref, sum[i].n_ref));
    fprintf(f, "}%s\n", i + 1 < ns ? "," : "");
  }
  fputs("  ],\n  \"results\": [\n", f);
  for (size_t i = 0; i < r->nresults; i++) {
    json_result(f, &r->results[i]);
    fprintf(f, "%s\n", i + 1 < r->nresults ? "," : "");
  }
  fputs("  ]\n}\n", f);
  bool bad = ferror(f) != 0;
  if (to_stdout)
    bad = fflush(f) != 0 || bad;
  else
    bad = fclose(f) != 0 || bad;
  return bad ? vy_error_set(err, VY_E_IO, "writing '%s' failed. Fix: check the disk", path) : VY_OK;
}
