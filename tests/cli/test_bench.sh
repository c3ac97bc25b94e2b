#!/usr/bin/env bash
# Smoke test of `vyre-jit bench`: command line, the table and JSON shapes,
# that every result of a --quick run was verified against the interpreter,
# and that a wrong result is reported and not timed. No timing assertions.
#   test_bench.sh PATH/TO/vyre-jit     (run from tests/, as CTest does)
. "$(dirname "$0")/harness.bash" "$@"
here=$(cd "$(dirname "$0")" && pwd)
suite=$here/../../bench/suite

# ---- command line ----
check "bench --help" 0 "$V" bench --help
expect "help names the options" grep -q -- "--backends" "$tmp/out"
check "main help lists bench" 0 "$V" --help
expect "bench in the command list" grep -q "^  bench " "$tmp/out"
check "unknown option" 2 "$V" bench --frobnicate
check "missing value" 2 "$V" bench --size
check "bad size" 2 "$V" bench --size huge
check "bad threads" 2 "$V" bench --threads 0
check "bad threads list" 2 "$V" bench --threads 1,x
check "unknown program or tag" 2 "$V" bench --suite no_such_kernel
expect "names the unknown word" grep -q "no_such_kernel" "$tmp/err"
check "unknown backend" 1 "$V" bench --backends reference,no-such-backend
expect "names the unknown backend" grep -q "no-such-backend" "$tmp/err"

# ---- the quick run: every program, every backend, all verified ----
check "bench --quick" 0 "$V" bench --quick --json "$tmp/q.json"
cp "$tmp/out" "$tmp/table"
expect "table header" grep -qE '^program +backend +thr +size +compile +mem hit +disk hit +median +iqr +throughput +vs native +vs interp +check$' "$tmp/table"
expect "machine line" grep -q "^vyre-jit bench: .*logical CPUs" "$tmp/table"
expect "dispatch overhead section" grep -q "^dispatch overhead" "$tmp/table"
nprog=0
for f in "$suite"/*.vy; do
  p=$(basename "$f" .vy)
  nprog=$((nprog + 1))
  expect "$p: interpreter row verified" grep -qE "^$p +reference +1 +small .* ok$" "$tmp/table"
done
expect "at least ten programs" test "$nprog" -ge 10
# every result row ends in ok (possibly with a ULP count) or 'unsupported'
rows=$(grep -cE '^[a-z0-9_]+ +[a-z-]+ +[0-9]+ +(small|medium|large) ' "$tmp/table")
good=$(grep -cE '^[a-z0-9_]+ +[a-z-]+ +[0-9]+ +(small|medium|large) .*  (ok|ok, [0-9]+ ulp|unsupported)$' "$tmp/table")
expect "every row verified ($good of $rows)" test "$rows" -gt 0 -a "$rows" = "$good"
expect "progress went to stderr" grep -q "bench: \[" "$tmp/err"

if command -v python3 >/dev/null; then
  cat >"$tmp/shape.py" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
nprog = int(sys.argv[2])
assert d["schema"] == "vyre-jit.bench.v1", d["schema"]
m = d["machine"]
for k in ("cpu", "logical_cpus", "os", "date", "vyre_jit", "llvm", "tool_compiler", "native_compiler"):
    assert k in m, k
assert m["logical_cpus"] >= 1 and m["date"].endswith("Z")
assert d["config"]["quick"] is True and d["config"]["size"] == "small"
over = d["dispatch_overhead"]
assert any(o["backend"] == "reference" and o["ok"] and o["seconds"]["median"] > 0 for o in over), over
res = d["results"]
progs = {r["program"] for r in res}
assert len(progs) == nprog, progs
stats = ("n", "median", "min", "max", "p25", "p75", "mean")
for r in res:
    assert r["status"] in ("ok", "unsupported"), r
    assert r["work"]["unit"] in ("bytes", "flops", "elements") and r["work"]["per_dispatch"] > 0, r
    if r["status"] != "ok":
        assert r["run_seconds"] is None and r["message"], r
        continue
    rs = r["run_seconds"]
    assert all(k in rs for k in stats) and rs["n"] >= 1 and rs["min"] <= rs["median"] <= rs["max"], r
    assert r["throughput_per_second"] > 0, r
    if r["backend"] == "reference":
        assert r["verified"] == "oracle" and r["size"] == "small", r
        assert r["compile_seconds"]["cold"]["median"] > 0, r
    else:
        assert r["verified"].startswith("reference@small"), r
    if r["backend"].endswith("-res"):  # resident rows reuse the plain row's kernel
        assert r["compile_seconds"] is None, r
    elif r["backend"] not in ("reference", "native", "cuda-native"):  # baselines: nothing compiled
        assert r["compile_seconds"]["cold"]["n"] >= 1, r
# llvm-cpu has resident buffers: each verified llvm-cpu row has its verified llvm-cpu-res row
for r in res:
    if r["backend"] == "llvm-cpu" and r["status"] == "ok":
        assert any(x["backend"] == "llvm-cpu-res" and x["program"] == r["program"] and x["threads"] == r["threads"]
                   and x["status"] == "ok" and x["verified"] == r["verified"] for x in res), r
for p in progs:
    assert any(r["program"] == p and r["backend"] == "reference" for r in res), p
summ = {(s["backend"], s["threads"]): s for s in d["summary"]}
assert summ[("reference", 1)]["programs"] == nprog and summ[("reference", 1)]["geomean_vs_reference"] == 1, summ
if m["native_compiler"]:
    assert d["stream"]["copy_gbs"] > 0 and d["stream"]["triad_gbs"] > 0
    for p in progs:
        assert any(r["program"] == p and r["backend"] == "native" and r["status"] == "ok" for r in res), p
EOF
  expect "JSON shape" python3 "$tmp/shape.py" "$tmp/q.json" "$nprog"
else
  echo "note: python3 not found, JSON checked with grep only"
  expect "JSON schema" grep -q '"schema": "vyre-jit.bench.v1"' "$tmp/q.json"
fi

# ---- selection by tag, backend list ----
check "tag selection" 0 "$V" bench --quick --suite atomic --backends reference
expect "histogram selected" grep -qE "^histogram +reference" "$tmp/out"
expect "saxpy not selected" test -z "$(grep -E '^saxpy ' "$tmp/out")"
expect "only the reference row" test -z "$(grep -E '^histogram +native' "$tmp/out")"

# ---- a wrong result is reported, never timed ----
# y = x + y with the saxpy baseline (which computes 2.5 * x + y): the
# native result differs from the interpreter's
mkdir "$tmp/wrong"
sed -e 's/y\[i\] = a\[0\] \* x\[i\] + y\[i\]/y[i] = x[i] + y[i]/' -e 's/^# bench: tags .*/# bench: native saxpy/' \
  "$suite/saxpy.vy" >"$tmp/wrong/not_saxpy.vy"
expect "the altered program differs" test -n "$(grep 'y\[i\] = x\[i\] + y\[i\]' "$tmp/wrong/not_saxpy.vy")"
check "wrong result exits 4" 4 "$V" bench --quick --suite "$tmp/wrong" --backends reference,native --json "$tmp/w.json"
expect "WRONG in the table" grep -qE "^not_saxpy +native .* WRONG$" "$tmp/out"
expect "the difference is explained" grep -q "outputs differ from the interpreter's at size small: buffer \`y\` element 0" "$tmp/out"
expect "wrong rows are not timed" grep -qE '"status": "wrong".*' "$tmp/w.json"
if command -v python3 >/dev/null; then
  expect "wrong row has no timing" python3 -c '
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["backend"] == "native"]
assert r and all(x["status"] == "wrong" and x["run_seconds"] is None for x in r), r' "$tmp/w.json"
fi

# ---- a broken manifest is refused before anything runs ----
mkdir "$tmp/bad"
sed 's/^# bench: work .*/# bench: work joules n/' "$suite/saxpy.vy" >"$tmp/bad/saxpy.vy"
check "bad manifest" 1 "$V" bench --quick --suite "$tmp/bad"
expect "manifest error has line and fix" grep -qE "saxpy.vy:[0-9]+: unknown work unit 'joules'.*Fix:" "$tmp/err"

# ---- the chart needs gnuplot ----
if command -v gnuplot >/dev/null; then
  check "plot" 0 "$V" bench --quick --suite saxpy --backends reference,native --plot "$tmp/c.png"
  expect "PNG written" test "$(head -c 4 "$tmp/c.png" | tail -c 3)" = PNG
else
  check "plot without gnuplot" 3 "$V" bench --quick --suite saxpy --backends reference --plot "$tmp/c.png"
  expect "says to install gnuplot" grep -q "gnuplot-nox" "$tmp/err"
fi

finish
