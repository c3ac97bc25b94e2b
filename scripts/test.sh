#!/usr/bin/env bash
# test.sh - set up, build with warnings as errors, and run the whole test suite.
#
#   scripts/test.sh            normal build in build-test/
#   scripts/test.sh --asan     AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
#   scripts/test.sh --tsan     ThreadSanitizer build in build-tsan/ of the tests that run threads
#                              (concurrent dispatch and compile, pool, caches)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-normal}
case "$mode" in
  normal) dir=$here/build-test; args=(-DVY_WERROR=ON) ;;
  --asan) dir=$here/build-asan; args=(-DVY_WERROR=ON -DVY_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug) ;;
  --tsan) dir=$here/build-tsan; args=(-DVY_WERROR=ON -DVY_SANITIZE=thread)
          threaded=(test_jit_concurrency test_jit_pool test_jit_cache test_jit_cpu_cache test_backend test_jit_stream test_jit_async) ;;
  *) echo "usage: scripts/test.sh [--asan|--tsan]" >&2; exit 2 ;;
esac
VY_SETUP_TARGETS="${threaded[*]:-}" "$here/scripts/setup.sh" "$dir" "${args[@]}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
if [ -n "${threaded[*]:-}" ]; then
  regex="^($(IFS='|'; echo "${threaded[*]}"))\$"
  ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" -R "$regex"
else
  ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
fi
