#!/usr/bin/env bash
# `vyre-jit run --stream` contract: chunks of a file or stdin through a
# program, raw outputs in chunk order, per-chunk failures (stop or
# --keep-going), usage errors.
#   test_run_stream.sh PATH/TO/vyre-jit     (run from tests/, as CTest does)
# The program XORs each word with k, so with k = 0 the output must be the
# input itself (trailing bytes of a partial word are kept), whatever the
# chunking; a word 0xDEADBEEF traps.
. "$(dirname "$0")/harness.bash" "$@"
export VYRE_JIT_CACHE=off
cat >"$tmp/x.vy" <<'VY'
program workgroup(64) {
  buffer data: u32 read_write @0
  buffer k: u32 uniform @1 count(1)
  region vyre.program.root {
    let i = gid.x
    if i < len(data) {
      if data[i] == 3735928559 {
        trap(i, bad_word)
      }
      data[i] = data[i] ^ k[0]
    }
  }
}
VY
head -c 10006 /dev/urandom | tr '\357' '\000' >"$tmp/in.bin" # no 0xEF byte: no trap word
: >"$tmp/empty.bin"
backends=$("$V" run --backend list | awk '{print $1}' | grep -E '^(reference|llvm-cpu)$')
for be in $backends; do
  for chunk in 4 1000 65536; do
    check "$be file chunk $chunk" 0 "$V" run "$tmp/x.vy" --backend "$be" --stream "$tmp/in.bin" --chunk "$chunk" \
      --input k=0 --stream-out "$tmp/o.bin"
    expect "$be identity chunk $chunk" cmp -s "$tmp/in.bin" "$tmp/o.bin"
  done
  check "$be stdin" 0 sh -c "\"$V\" run \"$tmp/x.vy\" --backend $be --stream - --chunk 333 < \"$tmp/in.bin\" > \"$tmp/o2.bin\""
  expect "$be stdin identity" cmp -s "$tmp/in.bin" "$tmp/o2.bin"
  check "$be empty stream" 0 "$V" run "$tmp/x.vy" --backend "$be" --stream "$tmp/empty.bin"
  expect "$be no output" test ! -s "$tmp/out"
  # chunk 2 of 4 (8-byte chunks) holds the trap word
  printf '\001\000\000\000\002\000\000\000\003\000\000\000\004\000\000\000\357\276\255\336\006\000\000\000\007\000\000\000\010\000\000\000' >"$tmp/bad.bin"
  check "$be failing chunk stops" 4 "$V" run "$tmp/x.vy" --backend "$be" --stream "$tmp/bad.bin" --chunk 8
  expect "$be message names the chunk" grep -q "chunk 2" "$tmp/err"
  expect "$be two chunks written" test "$(wc -c <"$tmp/out")" = 16
  check "$be keep going" 4 "$V" run "$tmp/x.vy" --backend "$be" --stream "$tmp/bad.bin" --chunk 8 --keep-going
  expect "$be three chunks written" test "$(wc -c <"$tmp/out")" = 24
  expect "$be count reported" grep -q "1 of 4 chunks failed" "$tmp/err"
done
check "input for the streamed buffer" 2 "$V" run "$tmp/x.vy" --stream "$tmp/in.bin" --input data=1
check "zero chunk" 2 "$V" run "$tmp/x.vy" --stream "$tmp/in.bin" --chunk 0
check "missing file" 3 "$V" run "$tmp/x.vy" --stream "$tmp/nope.bin"
check "help mentions --stream" 0 "$V" run --help
expect "help text" grep -q -- "--stream FILE|-" "$tmp/out"
finish
