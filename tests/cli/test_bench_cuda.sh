#!/usr/bin/env bash
# The cuda-native column of `vyre-jit bench` (bench/native_cuda.h): asked
# for where it cannot run, it says why and the run stops (exit 1, as for
# any unavailable backend); not asked for, its absence changes nothing;
# where a GPU and bench/libvyb_cuda.so are present, its rows are verified.
#   test_bench_cuda.sh PATH/TO/vyre-jit     (run from tests/, as CTest does)
. "$(dirname "$0")/harness.bash" "$@"

# ---- no library ----
check "cuda-native asked for, no library" 1 env VYRE_BENCH_CUDA=/nonexistent/libvyb_cuda.so \
  "$V" bench --backends reference,cuda-native --suite saxpy --quick
expect "says it is unavailable" grep -q "cuda-native: unavailable: cannot load the CUDA baselines" "$tmp/err"
expect "with a Fix: hint" grep -q "Fix:" "$tmp/err"
check "not asked for, no library: the rest runs" 0 env VYRE_BENCH_CUDA=/nonexistent/libvyb_cuda.so \
  "$V" bench --suite saxpy --quick
expect "quietly" bash -c "! grep -q cuda-native '$tmp/err' && ! grep -qE '^saxpy +cuda-native' '$tmp/out'"
expect "native row verified" grep -qE "^saxpy +native +[0-9]+ +small .* ok$" "$tmp/out"

# ---- the built library (bench/ next to the tool), if any ----
"$V" bench --backends cuda-native --suite saxpy,matmul_tiled,subgroup_compact --quick >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" = 0 ]; then # a GPU: every row verified against the interpreter
  for p in saxpy matmul_tiled subgroup_compact; do
    expect "$p: cuda-native row verified" grep -qE "^$p +cuda-native +0 +small .* ok$" "$tmp/out"
  done
  expect "names the GPU" grep -q "cuda-native on " "$tmp/err"
else
  expect "no GPU: exit 1 ($got)" test "$got" = 1
  expect "no GPU: says why" grep -qE "cuda-native: unavailable: (cannot load|no GPU)" "$tmp/err"
fi
finish
