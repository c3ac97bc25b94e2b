#!/usr/bin/env bash
# run.sh - the main job: set up, build, list the example programs
# (tests/programs/*.vy) with their validation status and fingerprint, then run
# the benchmark suite briefly on every backend (the interpreter, llvm-cpu) and
# as native C, each result checked against the interpreter (bench/README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh" "$here/build"
V=$here/build/vyre-jit
printf '%-22s %-10s %s\n' program valid fingerprint
for f in "$here"/tests/programs/*.vy; do
  name=$(basename "$f" .vy)
  if "$V" validate "$f" 2>/dev/null; then valid=ok; else valid=errors; fi
  fp=$("$V" hash "$f" 2>/dev/null || echo "(not encodable)")
  printf '%-22s %-10s %s\n' "$name" "$valid" "$fp"
done
echo
"$V" bench --quick
