#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer drivers (clang-19, ASan+UBSan, with the LLVM JIT so
# that fuzz_jit compares llvm-cpu with the reference) and run each
# for SECONDS seconds over its committed corpus (tests/fuzz/corpus/<name>/).
# New inputs go to a scratch copy; crashes are left in build-fuzz/ and fail the run.
#
#   scripts/fuzz.sh [SECONDS=30] [DRIVER...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-30}
[ $# -gt 0 ] && shift
dir=$here/build-fuzz
CC=clang-19 "$here/scripts/setup.sh" "$dir" -DVY_FUZZ=ON -DVY_SANITIZE=address,undefined -DVY_WITH_JIT=ON \
  -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
drivers=("$@")
if [ ${#drivers[@]} -eq 0 ]; then
  for f in "$here"/tests/fuzz/fuzz_*.c; do [ -e "$f" ] && drivers+=("$(basename "$f" .c)"); done
fi
for d in "${drivers[@]}"; do
  name=${d#fuzz_}
  rm -f "$dir/$d-"*
  work=$dir/corpus-$name
  rm -rf "$work" && mkdir -p "$work"
  [ -d "$here/tests/fuzz/corpus/$name" ] && cp -r "$here/tests/fuzz/corpus/$name/." "$work/"
  echo "fuzz: $d for ${secs}s"
  (cd "$dir" && "./$d" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$dir/$d-" "$work" 2>&1 \
     | grep -E 'stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY' || true)
  if ls "$dir/$d-"crash-* "$dir/$d-"leak-* "$dir/$d-"timeout-* >/dev/null 2>&1; then
    echo "fuzz: $d found a failing input (see $dir)" >&2
    exit 1
  fi
done
