#!/usr/bin/env bash
# Several processes share one kernel cache directory while another clears
# it over and over (issue 10 §3): every run must print the right result
# (computed below by the shell from the program's formula), none may crash
# or report a corrupt cache, and the directory must hold only complete
# entries afterwards.
#   test_cache_processes.sh PATH/TO/vyre-jit
. "$(dirname "$0")/harness.bash" "$@"
"$V" run --backend list 2>/dev/null | grep -q llvm-cpu || { echo "llvm-cpu not built: skipped"; echo "0 passed, 0 failed"; exit 0; }
export VYRE_JIT_CACHE_DIR=$tmp/cache
unset VYRE_JIT_CACHE
# out[i] = a[i] * M + C for 8 programs that differ in M (8 cache keys)
for m in 1 2 3 4 5 6 7 8; do
  cat >"$tmp/p$m.vy" <<VY
program workgroup(4) {
  buffer a: u32 read @0 count(8)
  buffer out: u32 read_write @1 count(8) output
  region vyre.program.root {
    out[gid.x] = a[gid.x] * $m + 3
  }
}
VY
done
want() { local m=$1 s="out:"; for i in 0 1 2 3 4 5 6 7; do s="$s $((i * m + 3))"; done; echo "$s"; }

# the clearer: clears the cache as fast as it can until told to stop
( while [ ! -e "$tmp/stop" ]; do "$V" cache clear >/dev/null 2>&1; done ) &
clearer=$!
# 6 runner processes, each running every program 5 times
for r in 1 2 3 4 5 6; do
  (
    bad=0
    for round in 1 2 3 4 5; do
      for m in 1 2 3 4 5 6 7 8; do
        got=$("$V" run "$tmp/p$m.vy" --backend llvm-cpu --input a=seq:8 2>"$tmp/err$r")
        st=$?
        if [ $st != 0 ] || [ "$got" != "$(want $m)" ]; then
          bad=$((bad + 1))
          echo "runner $r program $m round $round: exit $st, got '$got'" >&2
          head -3 "$tmp/err$r" >&2
        fi
      done
    done
    echo $bad >"$tmp/bad$r"
  ) &
  runners+=($!)
done
for p in "${runners[@]}"; do wait "$p"; done
touch "$tmp/stop"
wait $clearer
for r in 1 2 3 4 5 6; do
  expect "runner $r: 40 correct runs under concurrent clears" test "$(cat "$tmp/bad$r")" = 0
done
# afterwards every entry in the directory verifies
check "verify after the storm" 0 "$V" cache list --verify
expect "no unusable entry" grep -q " 0 unusable" "$tmp/out"
# and a last run populates it and hits
check "populate" 0 "$V" run "$tmp/p3.vy" --backend llvm-cpu --input a=seq:8
expect "result after the storm" test "$(cat "$tmp/out")" = "$(want 3)"
check "stats" 0 "$V" cache stats
expect "one entry or more" grep -Eq "entries: [1-9]" "$tmp/out"
finish
