# harness.bash - shared by the CLI contract tests (tests/cli/test_*.sh).
# Source it with the test's arguments:  . "$(dirname "$0")/harness.bash" "$@"
# It sets V (the vyre-jit binary, first argument), tmp (a scratch directory
# removed on exit) and provides check, expect and finish.
set -u
V=${1:?usage: $(basename "$0") PATH/TO/vyre-jit}
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0

# check NAME EXPECTED_STATUS COMMAND...: runs COMMAND with stdout in $tmp/out
# and stderr in $tmp/err, and compares its exit status.
check() {
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" = "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: exit $got, want $want"
    sed 's/^/  stderr: /' "$tmp/err" | tail -5
  fi
}

# expect NAME CONDITION-COMMAND...: counts the condition.
expect() {
  local name=$1
  shift
  if "$@"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name"
    sed 's/^/  out: /' "$tmp/out" | head -8
  fi
}

# finish: prints the counts in the form test runners read; fails on any failure.
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
}
