/* bench_int.h - the parts of `vyre-jit bench` (tools/cmd_bench.c runs them
 * in order): suite programs and their `# bench:` manifests (manifest.c),
 * input data per size (data.c), timing and statistics (measure.c), output
 * comparison (compare.c), the native baseline library (native_lib.c), the
 * machine description (machine.c), and the table, JSON and chart
 * (report.c, plot.c). Everything here belongs to the tool, not to the
 * library: it allocates with malloc and is single-threaded.
 */
#ifndef VYRE_BENCH_INT_H
#define VYRE_BENCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "native/vyb_native.h"
#include "vyre/values.h"
#include "vyre/vyre.h"

/* ---- sizes ----------------------------------------------------------- */

typedef enum vyb_size { VYB_SMALL, VYB_MEDIUM, VYB_LARGE, VYB_NSIZES } vyb_size;

/* "small", "medium", "large". */
const char *vyb_size_name(vyb_size s);
/* Parses a size name; false when it is none of them. */
bool vyb_size_parse(const char *s, vyb_size *out);

/* ---- suite programs (manifest.c) ------------------------------------- */

typedef enum vyb_work_unit { VYB_WORK_BYTES, VYB_WORK_FLOPS, VYB_WORK_ELEMENTS } vyb_work_unit;

#define VYB_MAX_PARAMS 8
#define VYB_NAME_MAX 32

/* The integer parameters of one size (`# bench: size medium n=4096`). */
typedef struct vyb_params {
  size_t count;
  char names[VYB_MAX_PARAMS][VYB_NAME_MAX];
  uint64_t values[VYB_MAX_PARAMS];
} vyb_params;

typedef struct vyb_input_rule {
  char *buffer; /* buffer name */
  char *spec;   /* SPEC template with {EXPR} holes */
} vyb_input_rule;

typedef struct vyb_check_rule {
  char *buffer;
  uint32_t ulp; /* 0 = bit-exact; else the f32 ULP budget */
} vyb_check_rule;

/* One suite program: the parsed .vy file and its `# bench:` directives
 * (the grammar is in bench/README.md). */
typedef struct vyb_program {
  char *name;       /* file name without .vy */
  char *path;       /* as loaded */
  vy_program *prog; /* parsed; validated with subgroup support */
  bool has_size[VYB_NSIZES];
  vyb_params sizes[VYB_NSIZES];
  vyb_input_rule *inputs;
  size_t ninputs;
  vyb_check_rule *checks;
  size_t nchecks;
  vyb_work_unit work_unit;
  char *work_expr; /* work units per dispatch, an expression of the parameters */
  char *native;    /* baseline symbol suffix (vyb_native_<native>); NULL = none */
  char *tags;      /* space-separated; "" when none */
} vyb_program;

/* Loads and validates the program at `path` and its directives. Errors
 * (VY_E_IO, VY_E_PARSE, VY_E_INVALID_PROGRAM, VY_E_INVALID_ARGUMENT for a
 * bad directive, with "path:line:" in the message) leave *out freed. */
vy_status vyb_program_load(const char *path, vyb_program *out, vy_error *err);
/* Frees everything the program owns and zeroes it. NULL is a no-op. */
void vyb_program_free(vyb_program *p);
/* The ULP budget of returned buffer `name` (0 when it has no check rule). */
uint32_t vyb_program_ulp(const vyb_program *p, const char *name, size_t len);
/* true when `word` is the program's name or one of its tags. */
bool vyb_program_matches(const vyb_program *p, const char *word, size_t len);

/* Evaluates an integer expression (decimal literals, parameter names,
 * + - * / and parentheses; unsigned 64-bit, overflow and division by zero
 * are errors). */
vy_status vyb_eval(const char *expr, size_t len, const vyb_params *ps, uint64_t *out, vy_error *err);
/* Replaces every {EXPR} of `tmpl` by its decimal value; *out is malloc'd. */
vy_status vyb_expand(const char *tmpl, const vyb_params *ps, char **out, vy_error *err);
/* "n=4096 w=128" into buf. */
void vyb_params_format(const vyb_params *ps, char *buf, size_t cap);
/* Puts "PREFIX: " before the message already in *err (keeping its
 * location and its Fix: hint) and returns `st`. */
vy_status vyb_error_prefix(vy_error *err, vy_status st, const char *prefix);

/* ---- buffers of one size (data.c) ------------------------------------ */

typedef struct vyb_data {
  size_t nbufs;   /* non-workgroup buffers, declaration order */
  vyb_buf *bufs;  /* their initial bytes, 64-byte aligned (owned) */
  bool *returned; /* per entry: returned by a dispatch */
  const vy_buffer_decl **decls;
  vy_input *inputs; /* the dispatch inputs (logical input buffers), pointing into bufs */
  size_t ninputs;
  double work; /* work units of one dispatch */
  vyb_size size;
} vyb_data;

/* Generates the buffers of `size` from the program's input rules: inputs
 * from their SPEC, backend-allocated outputs zero-filled (count x element
 * bytes), as the reference binds them (vyre-ir.md §4.2). */
vy_status vyb_data_make(const vyb_program *p, vyb_size size, vyb_data *out, vy_error *err);
/* Frees the buffers and zeroes *d (also after a failed vyb_data_make). */
void vyb_data_free(vyb_data *d);

/* A byte range of one returned buffer. */
typedef struct vyb_view {
  const uint8_t *data;
  size_t len;
} vyb_view;

/* The bytes of returned buffer `b` (declared by `d`) that a dispatch gives
 * back: all of them, or its output byte range when that range is valid
 * (vyre-ir.md §4.2). Borrowed from `b`. */
vyb_view vyb_returned_view(const vy_buffer_decl *d, const vyb_buf *b);

/* Working copies of the returned buffers, for the native baseline (which
 * computes in place). */
typedef struct vyb_work {
  vyb_buf *bufs; /* nbufs entries: returned ones are owned copies, others alias the data */
  bool *owned;   /* per entry: bufs[i].data is an owned copy */
  size_t nbufs;
  vyb_view *outs; /* the returned buffers, in declaration order */
  size_t nouts;
} vyb_work;

/* Copies the returned buffers of `d` (which must outlive *out); on error
 * *out is freed. */
vy_status vyb_work_make(const vyb_data *d, vyb_work *out, vy_error *err);
/* Restores the returned buffers to their initial bytes. */
void vyb_work_reset(const vyb_data *d, vyb_work *w);
/* Frees the copies and zeroes *w. */
void vyb_work_free(vyb_work *w);

/* A deep copy of a set of outputs (returned buffers in order). */
typedef struct vyb_outset {
  size_t count;
  vyb_view *items; /* each item's data is owned */
} vyb_outset;

/* Copies `count` views into *out (VY_E_NOMEM leaves it empty). */
vy_status vyb_outset_copy(const vyb_view *items, size_t count, vyb_outset *out, vy_error *err);
/* Frees the copies and zeroes *o. */
void vyb_outset_free(vyb_outset *o);
/* The views of a dispatch's outputs (borrowed from `o`); `views` has o->count entries. */
void vyb_views_of(const vy_outputs *o, vyb_view *views);

/* ---- resident buffers (resident.c) ------------------------------------ */

/* The buffers of one size as resident buffers of one backend
 * (include/vyre/resident.h), bound to vy_kernel_dispatch_resident in
 * place: one per non-workgroup buffer of the program, declaration order,
 * the same binding as the native baseline's. */
typedef struct vyb_resident_set {
  vy_resident **bufs; /* nbufs entries, owned */
  size_t nbufs;
} vyb_resident_set;

/* Allocates the buffers of `d` on `be` and uploads their initial bytes.
 * VY_E_UNSUPPORTED when the backend has no resident buffers; on error *out
 * is freed. */
vy_status vyb_resident_make(vy_backend *be, const vyb_data *d, vyb_resident_set *out, vy_error *err);

/* Uploads the initial bytes of `d` into the returned buffers again (the
 * others are never written), as vyb_work_reset does for the native code. */
vy_status vyb_resident_reset(const vyb_data *d, vyb_resident_set *s, vy_error *err);

/* Downloads the returned buffers (their output ranges, as a dispatch
 * returns them) into *out, a deep copy in declaration order. */
vy_status vyb_resident_outputs(const vyb_data *d, const vyb_resident_set *s, vyb_outset *out, vy_error *err);

/* Frees the buffers and zeroes *s. */
void vyb_resident_free(vyb_resident_set *s);

/* ---- comparing outputs (compare.c) ------------------------------------ */

typedef struct vyb_diff {
  bool equal;
  uint32_t max_ulp; /* largest f32 ULP distance seen in buffers with a budget */
  char detail[512]; /* for a mismatch: which buffer, element, both values */
} vyb_diff;

/* Compares `got` with `want` (both the program's returned buffers in
 * declaration order): byte for byte, or for buffers with a ULP budget
 * element by element within it (NaN equals NaN). */
void vyb_compare(const vyb_program *p, const vyb_view *got, size_t ngot, const vyb_view *want, size_t nwant,
                 vyb_diff *out);
/* The ULP distance of two f32 bit patterns (0 for two NaNs, UINT32_MAX for NaN vs number). */
uint32_t vyb_ulp_distance(uint32_t a, uint32_t b);

/* ---- timing and statistics (measure.c) -------------------------------- */

/* Seconds on the monotonic clock. */
double vyb_now(void);

typedef struct vyb_stats {
  size_t n;
  double median, min, max, p25, p75, mean;
} vyb_stats;

/* Computes the statistics of samples[0..n) (sorts them in place). */
void vyb_stats_compute(double *samples, size_t n, vyb_stats *out);

/* How long to measure: at least min_reps runs, then more until
 * min_seconds of measured time (or max_wall_seconds of wall time, which
 * includes each run's untimed set-up) have passed, at most max_reps runs;
 * before that, warm-up runs until warmup_seconds have passed (at least
 * one). */
typedef struct vyb_plan {
  double warmup_seconds, min_seconds, max_wall_seconds;
  size_t min_reps, max_reps;
} vyb_plan;

/* One run: does its own untimed set-up and tear-down and returns the
 * seconds of the timed part in *seconds. */
typedef vy_status (*vyb_run_fn)(void *ud, double *seconds, vy_error *err);

/* Warms up and measures per `plan`; *out gets the statistics. Stops at the
 * first failing run and returns its status. `tick` (may be NULL) is called
 * after every run with the count so far, for progress output. */
vy_status vyb_measure(const vyb_plan *plan, vyb_run_fn fn, void *ud, void (*tick)(void *ud, size_t reps),
                      vyb_stats *out, vy_error *err);

/* ---- compile times (compile.c) ---------------------------------------- */

typedef struct vyb_compile_times {
  vyb_stats cold; /* seconds per vy_compile with no cache to hit */
  bool cached;    /* the backend goes through the kernel cache */
  bool has_mem, has_disk;
  vyb_stats mem, disk; /* seconds per vy_compile served by the memory / disk cache */
} vyb_compile_times;

/* Measures the compile times of `p` on `be` per `plan` (the disk hits in
 * `disk_dir`, a private directory; NULL skips them), leaves the disk cache
 * off, and returns a kernel of `p` in *kernel (the caller destroys it). */
vy_status vyb_compile_measure(vy_backend *be, const vy_program *p, const vyb_plan *plan, const char *disk_dir,
                              vyb_compile_times *out, vy_kernel **kernel, vy_error *err);

/* ---- the native baseline library (native_lib.c) ----------------------- */

typedef struct vyb_native_lib {
  void *handle;
  char path[4096];
  const char *info; /* vyb_native_build_info() */
  int (*stream)(size_t elements, int reps, int threads, vyb_stream_result *out);
  void (*shutdown)(void);
} vyb_native_lib;

/* The path of a baseline library into buf (cap bytes): `given` when not
 * NULL, else $`env_var` when set, else bench/`file` next to the running
 * executable; "" when none fits. */
void vyb_lib_path(const char *given, const char *env_var, const char *file, char *buf, size_t cap);

/* Opens the library: `path`, else $VYRE_BENCH_NATIVE, else
 * bench/libvyre_bench_native.so next to the running executable. A missing
 * library or one of another ABI is VY_E_UNSUPPORTED with the reason. */
vy_status vyb_native_open(const char *path, vyb_native_lib *out, vy_error *err);
/* vyb_native_<name>, or NULL. */
vyb_native_fn vyb_native_lookup(const vyb_native_lib *lib, const char *name);
/* Stops the library's OpenMP threads; the library stays mapped (its
 * runtime may have registered exit handlers). */
void vyb_native_close(vyb_native_lib *lib);

/* ---- the machine (machine.c) ------------------------------------------ */

typedef struct vyb_machine {
  char cpu[160];       /* /proc/cpuinfo model name */
  long cores;          /* online logical CPUs */
  char os[256];        /* uname: sysname release machine */
  char date[32];       /* UTC, ISO 8601 */
  char tool_cc[160];   /* compiler of the vyre-jit tool */
  char native_cc[512]; /* compiler, OpenMP and flags of the native library, or "" */
  char llvm[32];       /* LLVM version vyre-jit was built with, or "" */
  char vyre_jit[32];   /* vyre-jit version */
} vyb_machine;

void vyb_machine_describe(vyb_machine *m, const vyb_native_lib *lib);

/* ---- results (report.c, plot.c) --------------------------------------- */

typedef enum vyb_outcome {
  VYB_OK,         /* verified and timed */
  VYB_WRONG,      /* outputs differ from the oracle: reported, never timed */
  VYB_FAILED,     /* an error while compiling or dispatching */
  VYB_UNSUPPORTED /* the backend refuses the program (VY_E_UNSUPPORTED) */
} vyb_outcome;

const char *vyb_outcome_name(vyb_outcome o);

typedef struct vyb_result {
  const vyb_program *program;
  char backend[32]; /* backend id, or "native" */
  unsigned threads; /* worker threads (1 for single-threaded backends, 0 for GPUs) */
  vyb_size size;    /* the size the timing ran at */
  char params[96];  /* that size's parameters */
  vyb_outcome outcome;
  char message[VY_ERROR_MESSAGE_MAX + 64]; /* the reason, for anything but VYB_OK */
  char verified[96];                       /* what the outputs were checked against */
  uint32_t max_ulp;                        /* largest ULP distance seen in the checks */
  bool has_compile;
  vyb_compile_times compile;
  vyb_stats run;     /* seconds per dispatch */
  double work;       /* work units per dispatch */
  double throughput; /* work units per second (median) */
  double vs_native;  /* native median / this median, same size; NAN if none */
  double vs_ref;     /* this throughput / the reference's throughput; NAN if none */
  bool has_device;   /* GPU backends: the launches' own time was measured */
  vyb_stats device;  /* seconds of GPU time per dispatch (CUDA events around the launches) */
} vyb_result;

typedef struct vyb_overhead {
  char backend[32];
  unsigned threads; /* as in vyb_result */
  bool ok;
  char message[VY_ERROR_MESSAGE_MAX];
  vyb_stats stats; /* seconds per dispatch of the minimal program */
} vyb_overhead;

typedef struct vyb_report {
  vyb_machine machine;
  bool has_stream;
  vyb_stream_result stream;
  const char *size_name; /* requested size */
  bool quick;
  const char *suite;
  char backends[256]; /* as run, comma-separated */
  char threads[64];   /* thread counts, comma-separated */
  vyb_overhead *overheads;
  size_t noverheads;
  vyb_result *results;
  size_t nresults;
} vyb_report;

/* The readable table on `f`. */
void vyb_report_table(const vyb_report *r, FILE *f);
/* The JSON document (schema "vyre-jit.bench.v1", bench/README.md). */
vy_status vyb_report_json(const vyb_report *r, const char *path, vy_error *err);
/* A PNG bar chart of every result's speed relative to the native baseline,
 * drawn by gnuplot (VY_E_UNSUPPORTED with a Fix: hint when gnuplot is not
 * installed). */
vy_status vyb_report_plot(const vyb_report *r, const char *png, vy_error *err);
/* Formats a work rate (bytes/s, flops/s, elements/s) with its unit. */
void vyb_format_rate(vyb_work_unit u, double per_second, char *buf, size_t cap);
/* Formats seconds as ns/us/ms/s with 3 significant digits. */
void vyb_format_seconds(double s, char *buf, size_t cap);

#endif
