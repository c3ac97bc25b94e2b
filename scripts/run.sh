#!/usr/bin/env bash
# run.sh - the main job: set up, build, and run the built-in example programs
# (tests/programs/*.vy) through the tool: validate, fingerprint, and run them
# on every backend that is available, comparing with the reference interpreter;
# then a short benchmark of every backend against native C (bench/README.md).
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
