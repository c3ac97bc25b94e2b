#!/usr/bin/env bash
# `vyre-jit cache` contract: command forms, exit statuses, which directory it
# uses, and that `clear` removes only cache files.
#   test_cache.sh PATH/TO/vyre-jit     (run from tests/, as CTest does)
# Populated directories (real entries, list/verify output) are covered by
# test_cache_disk.c, which can write cache files.
. "$(dirname "$0")/harness.bash" "$@"
run_env() { env -u VYRE_JIT_CACHE -u VYRE_JIT_CACHE_DIR -u VYRE_JIT_CACHE_MAX_SIZE -u XDG_CACHE_HOME "$@"; }

check "help" 0 "$V" cache --help
expect "help names the subcommands" grep -q "stats|list|clear" "$tmp/out"
check "main help lists cache" 0 "$V" --help
expect "main help line" grep -q "cache stats|list|clear" "$tmp/out"
check "no subcommand" 2 "$V" cache
check "unknown subcommand" 2 "$V" cache frobnicate
check "unknown option" 2 "$V" cache stats --bogus
check "verify without list" 2 "$V" cache stats --verify
check "two subcommands" 2 "$V" cache stats list

# which directory: VYRE_JIT_CACHE_DIR, else $XDG_CACHE_HOME/vyre-jit, else $HOME/.cache/vyre-jit
check "stats default dir" 0 run_env HOME="$tmp/home" "$V" cache stats
expect "HOME default" grep -qx "directory: $tmp/home/.cache/vyre-jit" "$tmp/out"
expect "not created by stats" test ! -e "$tmp/home/.cache/vyre-jit"
expect "state before first use" grep -qx "disk cache: on (directory not created yet)" "$tmp/out"
check "stats xdg" 0 run_env HOME="$tmp/home" XDG_CACHE_HOME="$tmp/xdg" "$V" cache stats
expect "XDG_CACHE_HOME" grep -qx "directory: $tmp/xdg/vyre-jit" "$tmp/out"
check "stats env dir" 0 run_env HOME="$tmp/home" XDG_CACHE_HOME="$tmp/xdg" VYRE_JIT_CACHE_DIR="$tmp/c" "$V" cache stats
expect "VYRE_JIT_CACHE_DIR" grep -qx "directory: $tmp/c" "$tmp/out"
check "stats --dir" 0 run_env VYRE_JIT_CACHE_DIR="$tmp/c" "$V" cache stats --dir "$tmp/d"
expect "--dir wins" grep -qx "directory: $tmp/d" "$tmp/out"
check "no directory at all" 2 run_env -u HOME "$V" cache stats

# state and cap
mkdir -p "$tmp/c"
check "off" 0 run_env VYRE_JIT_CACHE=off VYRE_JIT_CACHE_DIR="$tmp/c" "$V" cache stats
expect "off shown" grep -qx "disk cache: off (VYRE_JIT_CACHE=off)" "$tmp/out"
check "on" 0 run_env VYRE_JIT_CACHE_DIR="$tmp/c" "$V" cache stats
expect "on shown" grep -qx "disk cache: on" "$tmp/out"
expect "default cap" grep -qx "size cap: 268435456 bytes (256.0 MiB)" "$tmp/out"
expect "empty" grep -qx "entries: 0" "$tmp/out"
check "cap from env" 0 run_env VYRE_JIT_CACHE_DIR="$tmp/c" VYRE_JIT_CACHE_MAX_SIZE=64M "$V" cache stats
expect "64M" grep -qx "size cap: 67108864 bytes (64.0 MiB)" "$tmp/out"
check "bad cap warns, still works" 0 run_env VYRE_JIT_CACHE_DIR="$tmp/c" VYRE_JIT_CACHE_MAX_SIZE=lots "$V" cache stats
expect "bad cap warning" grep -q "VYRE_JIT_CACHE_MAX_SIZE='lots'.*Fix:" "$tmp/err"
touch "$tmp/plain"
check "dir is a file" 3 "$V" cache stats --dir "$tmp/plain"
expect "not usable" grep -q "disk cache: off (directory not usable: not a directory)" "$tmp/out"
check "list of a file fails" 3 "$V" cache list --dir "$tmp/plain"

# clear touches cache files only (a cache dir pointed at $HOME must not wipe it)
k=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
mkdir -p "$tmp/c/01" "$tmp/c/zz"
printf 'junk' >"$tmp/c/01/$k.o"          # named like an entry (a corrupt one)
printf 'tmp' >"$tmp/c/01/.tmp-$k-1-2"     # a writer's temporary file
printf 'mine' >"$tmp/c/01/notes.txt"
printf 'mine' >"$tmp/c/README"
printf 'mine' >"$tmp/c/zz/$k.o"           # not under a two-hex-digit directory
check "list" 0 "$V" cache list --dir "$tmp/c"
expect "list shows the corrupt entry" grep -q "^$k o 4 .* corrupt -$" "$tmp/out"
expect "list summary" grep -qx "# 1 entries, 4 bytes, 1 unusable" "$tmp/out"
check "stats counts" 0 "$V" cache stats --dir "$tmp/c"
expect "one entry" grep -qx "entries: 1" "$tmp/out"
expect "one temp" grep -qx "temporary files: 1" "$tmp/out"
check "clear" 0 "$V" cache clear --dir "$tmp/c"
expect "clear report" grep -qx "removed 1 entries (4 bytes) and 1 temporary files from $tmp/c" "$tmp/out"
expect "entry gone" test ! -e "$tmp/c/01/$k.o"
expect "notes kept" test -f "$tmp/c/01/notes.txt"
expect "README kept" test -f "$tmp/c/README"
expect "zz kept" test -f "$tmp/c/zz/$k.o"
check "clear of a missing dir" 0 "$V" cache clear --dir "$tmp/nowhere"
expect "nothing removed" grep -q "removed 0 entries" "$tmp/out"

finish
