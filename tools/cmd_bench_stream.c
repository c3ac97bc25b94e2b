/* cmd_bench_stream.c - `vyre-jit bench --stream`: the throughput of
 * streaming one large input through a program in chunks (include/vyre/
 * backend.h, Streamable) against one big dispatch of the whole input and
 * against the same chunks dispatched one after the other. Programs: saxpy
 * (elementwise f32; chunk = x, y and a fixed) and byte_class (byte
 * scanning; chunk = text, classes fixed) of the benchmark suite. Every
 * variant compiles once outside the timing; the timings are the best of
 * --reps runs; throughput counts the streamed input's bytes.
 *
 * On the cuda backend the run also measures the host <-> device link
 * (pinned copies of a 256 MiB block each way, backend_cuda_link_int.h) and
 * prints, per chunk size, the stream's link use: the time the busier
 * direction of the link needs for the bytes the stream moves over it
 * (every chunk up, the fixed inputs up once per stream as the cuda stream
 * uploads them, every output down) at the measured
 * rate, as a percentage of the stream's time (PCIe is full duplex, so 100 %
 * = the stream runs at the speed of its busier direction). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef VY_HAVE_JIT
#include "../jit/backend_cuda_link_int.h" /* vy_cuda_link_bandwidth */
#endif
#include "cli_int.h"
#include "vyre/stream.h"

#ifndef VY_BENCH_SUITE_DIR
#define VY_BENCH_SUITE_DIR "bench/suite"
#endif

static const char usage[] =
    "usage: vyre-jit bench --stream [--size MIB] [--chunks MIB[,MIB...]] [--reps N] [--backend NAME]\n"
    "                              [--programs saxpy,byte_class]\n"
    "\n"
    "Streams a SIZE MiB input (default 256) through each program in chunks of each\n"
    "size (default 1,4,16 MiB) and prints, per chunk size, the throughput (input GB/s)\n"
    "of one big dispatch of the whole input, of the chunks dispatched one after the\n"
    "other, and of vy_stream (chunks pipelined over the threads), with the ratios.\n"
    "On cuda it also measures the pinned host<->device link bandwidth and prints\n"
    "link%: its busier direction's transfers at that bandwidth as a share of its time.\n";

typedef struct opts {
  uint64_t size_mib;
  uint64_t chunks[8];
  int nchunks, reps;
  const char *backend, *programs;
} opts;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int parse(int argc, char **argv, opts *o) {
  o->size_mib = 256;
  o->chunks[0] = 1, o->chunks[1] = 4, o->chunks[2] = 16, o->nchunks = 3;
  o->reps = 3;
  o->programs = "saxpy,byte_class";
  for (int i = 0; i < argc; i++) {
    bool next = i + 1 < argc;
    char *end;
    if (cli_is_help(argv[i])) {
      fputs(usage, stdout);
      return -1;
    } else if (strcmp(argv[i], "--size") == 0 && next) {
      o->size_mib = strtoull(argv[++i], &end, 10);
      if (*end || !o->size_mib || o->size_mib > (1u << 20)) goto bad;
    } else if (strcmp(argv[i], "--reps") == 0 && next) {
      o->reps = (int)strtol(argv[++i], &end, 10);
      if (*end || o->reps < 1 || o->reps > 1000) goto bad;
    } else if (strcmp(argv[i], "--backend") == 0 && next) {
      o->backend = argv[++i];
    } else if (strcmp(argv[i], "--programs") == 0 && next) {
      o->programs = argv[++i];
    } else if (strcmp(argv[i], "--chunks") == 0 && next) {
      char *s = argv[++i];
      for (o->nchunks = 0; *s && o->nchunks < 8; o->nchunks++) {
        o->chunks[o->nchunks] = strtoull(s, &end, 10);
        if (end == s || !o->chunks[o->nchunks] || (*end && *end != ',')) goto bad;
        s = *end ? end + 1 : end;
      }
      if (*s) goto bad;
    } else {
      goto bad;
    }
    continue;
  bad:
    fprintf(stderr, "vyre-jit bench --stream: bad or incomplete option '%s'\n%s", argv[i], usage);
    return CLI_USAGE;
  }
  return CLI_OK;
}

/* ---- inputs: [streamed, fixed...] for one program ---- */

typedef struct workload {
  const char *name;
  vy_program *p;
  uint8_t *stream; /* size bytes */
  size_t size;
  uint8_t *rw;     /* the read_write fixed input, size bytes (the big dispatch uses all of it) */
  float a;         /* saxpy's uniform */
  size_t nfixed;   /* 2 (saxpy: y, a) or 1 (byte_class: classes) */
} workload;

static uint64_t rng(uint64_t *s) {
  *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
  return *s;
}

/* The fixed inputs for chunks of `len` bytes (the read_write one is its first len bytes). */
static size_t fixed_inputs(const workload *w, size_t len, vy_input *fixed) {
  fixed[0] = (vy_input){w->rw, len};
  fixed[1] = (vy_input){&w->a, sizeof w->a};
  return w->nfixed;
}

static int load(const char *name, size_t size, workload *w) {
  memset(w, 0, sizeof *w);
  w->name = name;
  w->size = size;
  char path[1024];
  const char *env = getenv("VYRE_BENCH_SUITE");
  snprintf(path, sizeof path, "%s/%s.vy", env && *env ? env : VY_BENCH_SUITE_DIR, name);
  int rc = cli_load_program(path, &w->p, &(cli_format){0});
  if (rc != CLI_OK) return rc;
  w->stream = malloc(size);
  w->rw = calloc(1, size);
  if (!w->stream || !w->rw) return CLI_INTERNAL;
  uint64_t s = 0x9E3779B97F4A7C15u;
  bool floats = strcmp(name, "saxpy") == 0;
  for (size_t i = 0; i + 4 <= size; i += 4) {
    uint32_t v = (uint32_t)rng(&s);
    if (floats) { /* values in [1, 2): no NaN or subnormal */
      float f = 1.0f + (float)(v >> 8) / 16777216.0f;
      memcpy(w->stream + i, &f, 4);
      f = 2.0f - f;
      memcpy(w->rw + i, &f, 4);
    } else {
      memcpy(w->stream + i, &v, 4);
    }
  }
  w->a = 2.5f;
  w->nfixed = floats ? 2 : 1;
  return CLI_OK;
}

static void unload(workload *w) {
  vy_program_destroy(w->p);
  free(w->stream);
  free(w->rw);
}

/* ---- the three ways ---- */

/* What a stream's sink saw: the first error, the chunks and output bytes. */
typedef struct tally {
  vy_error err;
  uint64_t chunks, out_bytes;
} tally;

static bool discard(void *ud, size_t index, vy_status st, const vy_outputs *outs, const vy_error *err) {
  tally *t = ud;
  (void)index;
  if (st != VY_OK) {
    t->err = *err;
    return false;
  }
  t->chunks++;
  for (size_t i = 0; i < outs->count; i++) t->out_bytes += outs->items[i].len;
  return true;
}

/* One dispatch of [inputs]; *t its wall time. */
static vy_status time_dispatch(vy_kernel *k, const vy_input *ins, size_t n, double *t, vy_error *err) {
  vy_outputs o;
  double t0 = now_s();
  vy_status st = vy_kernel_dispatch(k, ins, n, NULL, &o, err);
  vy_outputs_free(&o);
  *t = now_s() - t0;
  return st;
}

static vy_status time_big(vy_kernel *k, const workload *w, double *t, vy_error *err) {
  vy_input ins[3] = {{w->stream, w->size}};
  size_t n = 1 + fixed_inputs(w, w->size, ins + 1);
  return time_dispatch(k, ins, n, t, err);
}

static vy_status time_separate(vy_kernel *k, const workload *w, size_t chunk, double *t, vy_error *err) {
  vy_input ins[3];
  size_t n = 1 + fixed_inputs(w, chunk, ins + 1);
  double t0 = now_s(), one;
  vy_status st = VY_OK;
  for (size_t off = 0; off < w->size && st == VY_OK; off += chunk) {
    size_t len = w->size - off < chunk ? w->size - off : chunk;
    ins[0] = (vy_input){w->stream + off, len};
    st = time_dispatch(k, ins, n, &one, err);
  }
  *t = now_s() - t0;
  return st;
}

/* Bytes a stream moves over the host link: up (the chunks, and the fixed
 * inputs once: the cuda stream keeps them on the device) and down
 * (outputs), set by time_stream. */
typedef struct link_bytes {
  double up, down;
} link_bytes;

static vy_status time_stream(vy_backend *be, const workload *w, size_t chunk, double *t, link_bytes *lb,
                             vy_error *err) {
  vy_input fixed[2];
  size_t nfixed = fixed_inputs(w, chunk, fixed);
  vy_chunk_source src;
  tally tl;
  memset(&tl, 0, sizeof tl);
  tl.err.code = VY_OK;
  vy_output_sink sink = {discard, &tl, NULL};
  vy_status st = vy_chunk_source_memory(w->stream, w->size, chunk, NULL, &src, err);
  double t0 = now_s();
  if (st == VY_OK) st = vy_stream(be, w->p, fixed, nfixed, &src, &sink, NULL, err);
  *t = now_s() - t0;
  vy_chunk_source_close(&src);
  if (st == VY_OK && tl.err.code != VY_OK) {
    *err = tl.err;
    st = tl.err.code;
  }
  size_t fixed_bytes = 0;
  for (size_t i = 0; i < nfixed; i++) fixed_bytes += fixed[i].len;
  lb->up = (double)w->size + (double)fixed_bytes;
  lb->down = (double)tl.out_bytes;
  return st;
}

/* Best of reps of one way; 0 = big, 1 = separate, 2 = stream. */
static vy_status best(int way, int reps, vy_backend *be, vy_kernel *k, const workload *w, size_t chunk, double *t,
                      link_bytes *lb, vy_error *err) {
  *t = 1e30;
  for (int r = 0; r < reps; r++) {
    double one = 0;
    vy_status st = way == 0   ? time_big(k, w, &one, err)
                   : way == 1 ? time_separate(k, w, chunk, &one, err)
                              : time_stream(be, w, chunk, &one, lb, err);
    if (st != VY_OK) return st;
    if (one < *t) *t = one;
  }
  return VY_OK;
}

/* The measured link rates in bytes/s (0: not cuda, no column). */
typedef struct link_rate {
  double h2d, d2h;
} link_rate;

static int bench_program(vy_backend *be, const opts *o, const link_rate *link, const char *name) {
  workload w;
  int rc = load(name, (size_t)(o->size_mib << 20), &w);
  vy_kernel *k = NULL;
  vy_error err;
  vy_status st = VY_OK;
  if (rc == CLI_OK) st = vy_compile(be, w.p, NULL, &k, &err);
  double big = 0;
  link_bytes lb = {0, 0};
  if (rc == CLI_OK && st == VY_OK) st = best(0, o->reps, be, k, &w, 0, &big, &lb, &err);
  double gb = (double)w.size * 1e-9;
  if (rc == CLI_OK && st == VY_OK)
    printf("%-11s %5s %11.2f %11s %11s %9s %9s %9s\n", name, "whole", gb / big, "-", "-", "-", "-", "-");
  for (int c = 0; rc == CLI_OK && st == VY_OK && c < o->nchunks; c++) {
    size_t chunk = (size_t)(o->chunks[c] << 20);
    double sep = 0, str = 0;
    st = best(1, o->reps, be, k, &w, chunk, &sep, &lb, &err);
    if (st == VY_OK) st = best(2, o->reps, be, k, &w, chunk, &str, &lb, &err);
    char use[32] = "-";
    if (link->h2d > 0 && link->d2h > 0) {
      double up = lb.up / link->h2d, down = lb.down / link->d2h;
      snprintf(use, sizeof use, "%.0f%%", 100.0 * (up > down ? up : down) / str);
    }
    if (st == VY_OK)
      printf("%-11s %3lluMiB %11.2f %11.2f %11.2f %8.0f%% %8.0f%% %9s\n", name, (unsigned long long)o->chunks[c],
             gb / big, gb / sep, gb / str, 100.0 * big / str, 100.0 * sep / str, use);
    fflush(stdout);
  }
  if (rc == CLI_OK && st != VY_OK) {
    cli_report("bench --stream", &err);
    rc = cli_exit_for(st);
  }
  vy_kernel_destroy(k);
  unload(&w);
  return rc;
}

int cmd_bench_stream(int argc, char **argv) {
  opts o;
  memset(&o, 0, sizeof o);
  int rc = parse(argc, argv, &o);
  if (rc != CLI_OK) return rc < 0 ? CLI_OK : rc;
  vy_context *ctx = NULL;
  vy_backend *be = NULL;
  vy_error err;
  rc = cli_open_context(&ctx);
  if (rc == CLI_OK) {
    const char *name = o.backend ? o.backend : vy_context_default_backend(ctx);
    if (vy_backend_open(ctx, name, &be, &err) != VY_OK) {
      cli_report("bench --stream", &err);
      rc = CLI_BAD_INPUT;
    }
  }
  link_rate link = {0, 0};
  if (rc == CLI_OK) {
    vy_backend_caps caps;
    vy_backend_capabilities(be, &caps);
    printf("backend %s, %u threads, input %llu MiB, best of %d\n", vy_backend_id(be), caps.threads,
           (unsigned long long)o.size_mib, o.reps);
#ifdef VY_HAVE_JIT /* without libvyre-jit there is no cuda backend */
    if (strcmp(vy_backend_id(be), "cuda") == 0) {
      if (vy_cuda_link_bandwidth(be, (size_t)256 << 20, 5, &link.h2d, &link.d2h, &err) != VY_OK) {
        cli_report("bench --stream", &err);
        rc = CLI_INTERNAL;
      } else {
        printf("host link (pinned 256 MiB, best of 5): H2D %.2f GB/s, D2H %.2f GB/s\n", link.h2d * 1e-9,
               link.d2h * 1e-9);
      }
    }
#endif
    printf("%-11s %6s %11s %11s %11s %9s %9s %9s\n", "program", "chunk", "big GB/s", "separate", "stream", "str/big",
           "str/sep", "link%");
  }
  char *list = rc == CLI_OK ? strdup(o.programs) : NULL;
  for (char *save = NULL, *tok = list ? strtok_r(list, ",", &save) : NULL; tok && rc == CLI_OK;
       tok = strtok_r(NULL, ",", &save))
    rc = bench_program(be, &o, &link, tok);
  free(list);
  vy_backend_close(be);
  vy_context_destroy(ctx);
  return rc;
}
