#!/usr/bin/env bash
# setup.sh - install what vyre-jit needs on Debian 12 (only what is missing),
# then configure and build it.
#
#   scripts/setup.sh [BUILD_DIR] [extra cmake args...]
#
# BUILD_DIR defaults to build/. Safe to run again: installed packages are
# skipped and the build is incremental. VY_SETUP_TARGETS (space-separated
# ninja targets) builds only those instead of everything.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
[ $# -gt 0 ] && shift

packages=(build-essential cmake ninja-build pkg-config llvm-19-dev clang-19 libclang-rt-19-dev
          libcmocka-dev libffi-dev b3sum libomp-19-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$build"
log=$build/setup.log
# quiet on success, the whole log on failure
if ! cmake -S "$here" -B "$build" -G Ninja "$@" >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup: configuring $build failed (log above)" >&2
  exit 1
fi
read -r -a targets <<<"${VY_SETUP_TARGETS:-}"
if ! ninja -C "$build" "${targets[@]}" >>"$log" 2>&1; then
  grep -E 'error|FAILED|undefined reference' "$log" >&2 || tail -50 "$log" >&2
  echo "setup: building $build failed (full log: $log)" >&2
  exit 1
fi
echo "setup: built $build"
