#!/usr/bin/env bash
# `vyre-jit emit ptx` contract: the cuda backend's PTX without a GPU, for
# --sm 80 and 90, the kernel ABI of jit/ptx_int.h, -o, and bad arguments
# (exit 1 or 2 with a Fix: hint); the PTX assembles with ptxas
# ($VYRE_PTXAS, else /usr/local/cuda/bin/ptxas) when one is installed.
#   test_emit_ptx.sh PATH/TO/vyre-jit     (run from tests/, as CTest does)
. "$(dirname "$0")/harness.bash" "$@"
"$V" run --backend list 2>/dev/null | grep -q llvm-cpu || { echo "built without LLVM: skipped"; echo "0 passed, 0 failed"; exit 0; }

ptxas=${VYRE_PTXAS:-/usr/local/cuda/bin/ptxas}
[ -x "$ptxas" ] || ptxas=

cat >"$tmp/add.vy" <<'VY'
program workgroup(64) {
  buffer a: f32 read @0 count(100)
  buffer out: f32 read_write @1 count(100) output
  region vyre.program.root {
    let i = gid.x
    if i < len(out) { out[i] = a[i] * 3.0f + 1.0f }
  }
}
VY

# no GPU needed: CUDA_VISIBLE_DEVICES hides any there is
check "default sm" 0 env CUDA_VISIBLE_DEVICES= "$V" emit ptx "$tmp/add.vy"
expect "default is sm_90" grep -qx ".target sm_90" "$tmp/out"
expect "the kernel entry" grep -q "^.visible .entry vyre_kernel(" "$tmp/out"
expect "six parameters" test "$(grep -c "^	.param .u[36][24] vyre_kernel_param_[0-5]" "$tmp/out")" = 6
expect "block size" grep -q "^.reqntid 64, 1, 1" "$tmp/out"
expect "64-bit addresses" grep -qx ".address_size 64" "$tmp/out"
expect "IEEE multiply and add, no fma" sh -c "grep -q 'mul.rn.ftz.f32' '$tmp/out' && grep -q 'add.rn.ftz.f32' '$tmp/out' && ! grep -q 'fma' '$tmp/out'"

for sm in 80 90; do
  check "sm $sm" 0 "$V" emit ptx "$tmp/add.vy" --sm $sm -o "$tmp/k$sm.ptx"
  expect "sm $sm: -o writes the file, stdout stays empty" test -s "$tmp/k$sm.ptx" -a ! -s "$tmp/out"
  expect "sm $sm: target" grep -qx ".target sm_$sm" "$tmp/k$sm.ptx"
  if [ -n "$ptxas" ]; then
    check "sm $sm: ptxas assembles it" 0 "$ptxas" -arch=sm_$sm "$tmp/k$sm.ptx" -o "$tmp/k$sm.cubin"
  fi
done
check "ptx isa" 0 "$V" emit ptx "$tmp/add.vy" --sm 90 --ptx 80
expect "ptx isa 8.0" grep -qx ".version 8.0" "$tmp/out"

# the benchmark kernel: elementwise, no barrier, no Loop: no err->stop read
check "saxpy" 0 "$V" emit ptx ../bench/suite/saxpy.vy --sm 90
expect "saxpy: no volatile read" sh -c "! grep -q 'ld.volatile' '$tmp/out'"
expect "saxpy: no 64-bit division on the 1-D path" grep -q "setp.lt.u64" "$tmp/out"

# bad arguments: a status of 1 (bad input) or 2 (usage), 3 for a missing
# file (I/O, `vyre-jit --help`), and a Fix: hint or the usage
bad() {
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  expect "$name: exit $want" test "$got" = "${want%|*}" -o "$got" = "${want#*|}"
  expect "$name: Fix hint or usage" grep -q "Fix:\|usage:" "$tmp/err"
}
bad "unknown sm" "1|2" "$V" emit ptx "$tmp/add.vy" --sm 1234
bad "not a number" "1|2" "$V" emit ptx "$tmp/add.vy" --sm abc
bad "missing sm value" 2 "$V" emit ptx "$tmp/add.vy" --sm
bad "bad ptx isa" "1|2" "$V" emit ptx "$tmp/add.vy" --ptx 5
bad "no program" 2 "$V" emit ptx
bad "missing file" 3 "$V" emit ptx "$tmp/none.vy"
printf 'program {\n' >"$tmp/broken.vy"
bad "parse error" 1 "$V" emit ptx "$tmp/broken.vy"
expect "nothing on stdout after an error" test ! -s "$tmp/out"

finish
