#!/usr/bin/env bash
# gpu-check.sh - the GPU half of the test suite and benchmark, run from a
# build directory on a machine with an NVIDIA GPU (the machine needs the
# driver, not LLVM's development files: a Release build made elsewhere and
# its LLVM runtime library on LD_LIBRARY_PATH will do).
#
#   scripts/gpu-check.sh BUILD_DIR [LOG_DIR] [SEEDS]
#
# Runs, logging each to LOG_DIR (default: BUILD_DIR/gpu-check):
#   the cuda tests (corpus + SEEDS generated programs per option set, default
#   500; transcendental ULPs; streaming/async/resident; limits; the emulated
#   driver; many threads on one cuda backend), then `vyre-jit bench` with the
#   cuda backend and the CUDA C baselines at medium size, saxpy over 2^28 elements, and the streaming
#   benchmark (1 GiB in 1, 4 and 16 MiB chunks). Prints a summary; exits
#   non-zero when a test failed.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: gpu-check.sh BUILD_DIR [LOG_DIR] [SEEDS]}" && pwd)
logs=${2:-$build/gpu-check}
seeds=${3:-500}
mkdir -p "$logs"
export VY_SOURCE_DIR=$here VYRE_JIT_CACHE_DIR=${VYRE_JIT_CACHE_DIR:-$(mktemp -d)}
export VYRE_BENCH_SUITE=${VYRE_BENCH_SUITE:-$here/bench/suite}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$logs/gpu.txt"
failed=0
for t in test_jit_cuda test_jit_cuda_ulp test_jit_cuda_stream test_jit_cuda_fake test_jit_limits test_jit_concurrency; do
  [ -x "$build/$t" ] || { echo "$t: not built"; continue; }
  start=$(date +%s)
  (cd "$here/tests" && VY_DIFF_SEEDS=$seeds "$build/$t") >"$logs/$t.log" 2>&1
  st=$?
  echo "$t: exit $st in $(( $(date +%s) - start ))s; $(grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$logs/$t.log" | tr '\n' ' ')"
  [ $st = 0 ] || failed=1
done
V=$build/vyre-jit
if [ -x "$V" ]; then
  lib=${VYRE_BENCH_CUDA:-$build/bench/libvyb_cuda.so}
  [ -e "$lib" ] && export VYRE_BENCH_CUDA=$lib
  "$V" bench --backends native,cuda,cuda-native --size medium --json "$logs/bench-medium.json" >"$logs/bench-medium.txt" 2>&1
  echo "bench medium: exit $?"
  sed 's/size large n=33554432/size large n=268435456/' "$here/bench/suite/saxpy.vy" >"$logs/saxpy28.vy"
  "$V" bench --suite "$logs/saxpy28.vy" --backends cuda,cuda-native --size large --json "$logs/bench-saxpy28.json" \
    >"$logs/bench-saxpy28.txt" 2>&1
  echo "bench saxpy 2^28: exit $?"
  "$V" bench --stream --backend cuda --size 1024 --chunks 1,4,16 --reps 3 >"$logs/bench-stream.txt" 2>&1
  echo "bench --stream: exit $?"
fi
exit $failed
