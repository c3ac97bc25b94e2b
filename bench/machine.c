/* machine.c - what the benchmark ran on, for the report. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include <ctype.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench_int.h"

#ifndef VY_BENCH_LLVM_VERSION
#define VY_BENCH_LLVM_VERSION ""
#endif

/* The "model name" line of /proc/cpuinfo. */
static void cpu_model(char *buf, size_t cap) {
  snprintf(buf, cap, "unknown CPU");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "model name", 10) != 0) continue;
    const char *v = strchr(line, ':');
    if (!v) continue;
    v++;
    while (*v == ' ' || *v == '\t') v++;
    size_t n = strlen(v);
    while (n && isspace((unsigned char)v[n - 1])) n--;
    snprintf(buf, cap, "%.*s", (int)n, v);
    break;
  }
  fclose(f);
}

void vyb_machine_describe(vyb_machine *m, const vyb_native_lib *lib) {
  memset(m, 0, sizeof *m);
  cpu_model(m->cpu, sizeof m->cpu);
  m->cores = sysconf(_SC_NPROCESSORS_ONLN);
  struct utsname u;
  if (uname(&u) == 0) snprintf(m->os, sizeof m->os, "%s %s %s", u.sysname, u.release, u.machine);
  time_t now = time(NULL);
  struct tm tm;
  if (gmtime_r(&now, &tm)) strftime(m->date, sizeof m->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
#if defined(__clang__)
  snprintf(m->tool_cc, sizeof m->tool_cc, "clang %s", __clang_version__);
#elif defined(__GNUC__)
  snprintf(m->tool_cc, sizeof m->tool_cc, "gcc %s", __VERSION__);
#endif
  if (lib && lib->info) snprintf(m->native_cc, sizeof m->native_cc, "%s", lib->info);
  snprintf(m->llvm, sizeof m->llvm, "%s", VY_BENCH_LLVM_VERSION);
  snprintf(m->vyre_jit, sizeof m->vyre_jit, "%s", vy_version_string());
}
