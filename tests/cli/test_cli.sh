#!/usr/bin/env bash
# CLI contract tests: command forms, exit statuses, output formats.
#   test_cli.sh PATH/TO/vyre-jit     (run from tests/, as CTest does)
. "$(dirname "$0")/harness.bash" "$@"
here=$(cd "$(dirname "$0")" && pwd)

ex=$here/example_7_11.vy
check "help" 0 "$V" --help
expect "help lists commands" grep -q "validate INPUT" "$tmp/out"
check "no args is usage" 2 "$V"
check "unknown command" 2 "$V" frobnicate
check "version" 0 "$V" --version
for c in fmt validate hash; do
  check "$c --help" 0 "$V" "$c" --help
  check "$c without input" 2 "$V" "$c"
  check "$c unknown option" 2 "$V" "$c" --bogus "$ex"
  check "$c missing file" 3 "$V" "$c" "$tmp/does-not-exist.vy"
done
check "fmt bad --to" 2 "$V" fmt "$ex" --to yaml

# hash: 64 lowercase hex digits and nothing else
check "hash" 0 "$V" hash "$ex"
expect "hash format" grep -qxE '[0-9a-f]{64}' "$tmp/out"
expect "hash is one line" test "$(wc -l <"$tmp/out")" = 1
h_text=$(cat "$tmp/out")
# the fingerprint printed in vyre-ir.md §7.11 for this program
expect "hash matches spec 7.11" test "$h_text" = 0b0aa1053adb1df4b213733eb93b954483b0a7d02c97d5e48e221d7dc31bfb98

# the fingerprint is BLAKE3 of the canonical blob: for this already-canonical
# program, b3sum over the plain wire encoding must give the same digest
check "fmt to wire" 0 "$V" fmt "$ex" --to wire -o "$tmp/ex.vir"
expect "wire magic" test "$(head -c 4 "$tmp/ex.vir")" = VYRE
# the bytes listed in vyre-ir.md §7.11, typed into tests/wire/ by hand
expect "text encodes to the spec's bytes" cmp -s "$tmp/ex.vir" "$here/../wire/spec-7.11-example.vir"
if command -v b3sum >/dev/null; then
  expect "hash == b3sum(wire)" test "$(b3sum --no-names "$tmp/ex.vir")" = "$h_text"
fi
check "hash of wire" 0 "$V" hash "$tmp/ex.vir"
expect "same hash from wire" test "$(cat "$tmp/out")" = "$h_text"
check "fmt to hex" 0 "$V" fmt "$tmp/ex.vir" --to hex -o "$tmp/ex.hex"
expect "hex envelope header" test "$(head -n 1 "$tmp/ex.hex")" = "vyre_ir v0.1"
check "hash of hex" 0 "$V" hash "$tmp/ex.hex"
expect "same hash from hex" test "$(cat "$tmp/out")" = "$h_text"
check "hash from stdin" 0 sh -c "\"$V\" hash - < \"$tmp/ex.hex\""
expect "same hash from stdin" test "$(cat "$tmp/out")" = "$h_text"

# text round trip through wire and back is a fixed point of the printer
check "fmt text" 0 "$V" fmt "$ex" -o "$tmp/a.vy"
check "fmt wire->text" 0 "$V" fmt "$tmp/ex.vir" -o "$tmp/b.vy"
expect "text fixed point" cmp -s "$tmp/a.vy" "$tmp/b.vy"

# validate: clean program exits 0; errors exit 1 with file:line:col and a code
check "validate ok" 0 "$V" validate "$ex"
cat >"$tmp/bad.vy" <<'VY'
program {
  buffer out: u32 read_write @0 count(4) output live_out
  region r {
    let x = 1
    let x = 2
  }
}
VY
check "validate errors" 1 "$V" validate "$tmp/bad.vy"
expect "diagnostic has location and code" grep -qE 'bad.vy:5:[0-9]+: error\[V032\]' "$tmp/err"
expect "diagnostic has Fix" grep -q 'Fix:' "$tmp/err"

# malformed input: exit 1, located message, never a crash
printf 'program x {' >"$tmp/trunc.vy"
check "syntax error" 1 "$V" fmt "$tmp/trunc.vy"
expect "syntax error located" grep -qE 'trunc.vy:1:[0-9]+: .*Fix:' "$tmp/err"
head -c 60 "$tmp/ex.vir" >"$tmp/trunc.vir"
check "truncated wire" 1 "$V" hash "$tmp/trunc.vir"
expect "wire error names offset" grep -q 'byte ' "$tmp/err"
printf 'vyre_ir v0.1\nwire_bytes 4\nzz\n' >"$tmp/bad.hex"
check "bad hex" 1 "$V" fmt "$tmp/bad.hex"
for i in 1 2 3 4 5 6 7 8; do
  head -c $((i * 97)) /dev/urandom >"$tmp/rand"
  check "random bytes $i" 1 "$V" validate "$tmp/rand"
  { printf 'VYRE'; head -c $((i * 41)) /dev/urandom; } >"$tmp/rand.vir"
  check "random wire $i" 1 "$V" hash "$tmp/rand.vir"
done

# a program vyre cannot encode has no fingerprint: exit 1 with the reason
cat >"$tmp/wo.vy" <<'VY'
program {
  buffer sink: u32 write @0 count(4)
  region r { }
}
VY
check "unencodable hash" 1 "$V" hash "$tmp/wo.vy"
expect "unencodable reason" grep -q 'cannot encode' "$tmp/err"
check "unencodable to wire" 1 "$V" fmt "$tmp/wo.vy" --to wire

# run: outputs computed by hand from the programs
check "run help" 0 "$V" run --help
check "run" 0 "$V" run "$ex" --input a=1,2,3,4 --backend reference
expect "run output line" test "$(cat "$tmp/out")" = "out: 2 3 4 5"
check "run bad spec" 1 "$V" run "$ex" --input a=1,x,3,4
check "run u32 wrap" 0 "$V" run "$ex" --input a=4294967295,0,7,9
expect "u32 add wraps" test "$(cat "$tmp/out")" = "out: 0 1 8 10"
check "run missing input is zeros" 0 "$V" run "$ex"
expect "zeros + 1" test "$(cat "$tmp/out")" = "out: 1 1 1 1"
# y = a*x + y with x = 0..7, y = 1, a = 2.5: y[i] = 2.5 i + 1
check "run saxpy" 0 "$V" run "$here/../programs/saxpy.vy" --input x=seq:8 --input y=const:8:1 --input a=2.5
expect "saxpy f32 output" test "$(cat "$tmp/out")" = "y: 1 3.5 6 8.5 11 13.5 16 18.5"
check "run output dir" 0 "$V" run "$ex" --input a=1,2,3,4 --output-dir "$tmp/od"
expect "raw output bytes" test "$(od -An -tu4 -v "$tmp/od/out.bin" | tr -s ' ')" = " 2 3 4 5"
check "run unknown input" 1 "$V" run "$ex" --input nope=1
check "run input to output buffer" 1 "$V" run "$ex" --input out=1,2,3,4
check "run short input" 4 "$V" run "$ex" --input a=1,2
check "run unknown backend" 1 "$V" run "$ex" --backend nope
check "run bad config" 2 "$V" run "$ex" --config nope=1
check "run bad config value" 2 "$V" run "$ex" --config workgroup_override=1,2,3,4
check "run fixpoint 0 rejected" 1 "$V" run "$ex" --config fixpoint_iterations=0
check "run backend list" 0 "$V" run --backend list
expect "list names reference" grep -q '^reference' "$tmp/out"
cat >"$tmp/div.vy" <<'VY'
program {
  buffer out: i32 read_write @0 count(1)
  region r { out[0] = 1i / out[0] }
}
VY
check "run runtime error" 4 "$V" run "$tmp/div.vy" --backend reference
expect "runtime error says why" grep -q 'Fix:' "$tmp/err"

# output errors: unwritable -o path
check "unwritable output" 3 "$V" fmt "$ex" -o "$tmp/no/such/dir/x.vy"

finish
