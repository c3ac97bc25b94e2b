#!/usr/bin/env bash
# test.sh - set up, build with warnings as errors, and run the whole test suite.
#
#   scripts/test.sh            normal build in build-test/
#   scripts/test.sh --asan     AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-normal}
case "$mode" in
  normal) dir=$here/build-test; args=(-DVY_WERROR=ON) ;;
  --asan) dir=$here/build-asan; args=(-DVY_WERROR=ON -DVY_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug) ;;
  *) echo "usage: scripts/test.sh [--asan]" >&2; exit 2 ;;
esac
"$here/scripts/setup.sh" "$dir" "${args[@]}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
