/* cmd_cache.c - `vyre-jit cache stats|list|clear`: inspect and empty the
 * kernel disk cache (docs/cache.md). Works on the directory the library
 * would use (VYRE_JIT_CACHE_DIR, XDG_CACHE_HOME, HOME) or on --dir DIR, also
 * when the cache is disabled with VYRE_JIT_CACHE=off. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_int.h"
#include "vyre/cache.h"

static const char cache_usage[] = "usage: vyre-jit cache stats|list|clear [--dir DIR] [--verify]\n"
                                  "\n"
                                  "Inspects or empties the kernel disk cache: compiled kernels stored by\n"
                                  "program hash, one file per kernel (docs/cache.md).\n"
                                  "\n"
                                  "  stats   directory, state, size cap, entries and bytes\n"
                                  "  list    one line per entry, least recently used first:\n"
                                  "          key, kind, bytes, last use (UTC), state, what it was built for;\n"
                                  "          --verify also checks every checksum (reads every file)\n"
                                  "  clear   removes every entry and temporary file (other files are kept)\n"
                                  "\n"
                                  "--dir DIR works on DIR instead of the configured directory\n"
                                  "(VYRE_JIT_CACHE_DIR, else $XDG_CACHE_HOME/vyre-jit, else ~/.cache/vyre-jit).\n";

static double mib(uint64_t bytes) { return (double)bytes / (1024.0 * 1024.0); }

static int cache_stats(const char *dir, const vy_cache_settings *s) {
  const char *state = "on";
  char why[256] = "";
  struct stat sb;
  if (!s->disk_enabled) {
    state = "off (VYRE_JIT_CACHE=off)";
  } else if (stat(dir, &sb) != 0) {
    state = "on (directory not created yet)";
  } else if (!S_ISDIR(sb.st_mode) || access(dir, W_OK | X_OK) != 0) {
    snprintf(why, sizeof why, "off (directory not usable: %s)",
             S_ISDIR(sb.st_mode) ? strerror(errno) : "not a directory");
    state = why;
  }
  printf("directory: %s\n", dir);
  printf("disk cache: %s\n", state);
  printf("size cap: %llu bytes (%.1f MiB)\n", (unsigned long long)s->disk_max_bytes, mib(s->disk_max_bytes));
  vy_cache_usage u;
  vy_error err;
  vy_status st = vy_cache_disk_usage(dir, &u, &err);
  if (st) {
    cli_report("cache stats", &err);
    return cli_exit_for(st);
  }
  printf("entries: %llu\n", (unsigned long long)u.files);
  printf("bytes: %llu (%.1f MiB)\n", (unsigned long long)u.bytes, mib(u.bytes));
  printf("temporary files: %llu\n", (unsigned long long)u.temp_files);
  return CLI_OK;
}

typedef struct list_state {
  uint64_t files, bytes, bad;
} list_state;

static int print_entry(void *ud, const vy_cache_file *f) {
  list_state *ls = ud;
  static const char *const states[] = {"ok", "corrupt", "foreign"};
  char when[32] = "?";
  time_t t = (time_t)f->mtime_sec;
  struct tm tm;
  if (gmtime_r(&t, &tm)) strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  printf("%s %s %llu %s %s %s\n", f->key_hex, f->ext, (unsigned long long)f->bytes, when, states[f->state],
         f->label[0] ? f->label : "-");
  ls->files++;
  ls->bytes += f->bytes;
  ls->bad += f->state != VY_CACHE_FILE_OK;
  return 0;
}

static int cache_list(const char *dir, bool verify) {
  list_state ls = {0};
  vy_error err;
  printf("# %s: least recently used first: key kind bytes last-use state built-for\n", dir);
  vy_status st = vy_cache_disk_list(dir, verify, print_entry, &ls, &err);
  if (st) {
    cli_report("cache list", &err);
    return cli_exit_for(st);
  }
  printf("# %llu entries, %llu bytes, %llu unusable%s\n", (unsigned long long)ls.files, (unsigned long long)ls.bytes,
         (unsigned long long)ls.bad, verify ? " (checksums verified)" : "");
  return CLI_OK;
}

static int cache_clear(const char *dir) {
  vy_cache_usage r;
  vy_error err;
  vy_status st = vy_cache_disk_clear(dir, &r, &err);
  if (st) {
    cli_report("cache clear", &err);
    return cli_exit_for(st);
  }
  printf("removed %llu entries (%llu bytes) and %llu temporary files from %s\n", (unsigned long long)r.files,
         (unsigned long long)r.bytes, (unsigned long long)r.temp_files, dir);
  return CLI_OK;
}

int cmd_cache(int argc, char **argv) {
  const char *sub = NULL, *dir = NULL;
  bool verify = false;
  for (int i = 0; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(cache_usage, stdout);
      return CLI_OK;
    } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (strncmp(argv[i], "--dir=", 6) == 0) {
      dir = argv[i] + 6;
    } else if (strcmp(argv[i], "--verify") == 0) {
      verify = true;
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "vyre-jit cache: unknown option '%s'\n%s", argv[i], cache_usage);
      return CLI_USAGE;
    } else if (!sub) {
      sub = argv[i];
    } else {
      fprintf(stderr, "vyre-jit cache: unexpected argument '%s'\n%s", argv[i], cache_usage);
      return CLI_USAGE;
    }
  }
  if (!sub || (strcmp(sub, "stats") && strcmp(sub, "list") && strcmp(sub, "clear"))) {
    fprintf(stderr, "vyre-jit cache: %s%s%s\n%s", sub ? "unknown subcommand '" : "missing subcommand", sub ? sub : "",
            sub ? "'" : "", cache_usage);
    return CLI_USAGE;
  }
  if (verify && strcmp(sub, "list") != 0) {
    fprintf(stderr, "vyre-jit cache: --verify goes with list\n%s", cache_usage);
    return CLI_USAGE;
  }
  vy_cache_settings s;
  vy_error err;
  if (vy_cache_settings_from_env(&s, &err) != VY_OK) fprintf(stderr, "vyre-jit: %s\n", err.message);
  if (!dir) dir = s.disk_dir;
  if (!dir[0]) {
    fprintf(stderr, "vyre-jit cache: no cache directory (HOME, XDG_CACHE_HOME and VYRE_JIT_CACHE_DIR are unset). "
                    "Fix: pass --dir DIR or set VYRE_JIT_CACHE_DIR.\n");
    return CLI_USAGE;
  }
  if (strcmp(sub, "stats") == 0) return cache_stats(dir, &s);
  if (strcmp(sub, "list") == 0) return cache_list(dir, verify);
  return cache_clear(dir);
}
