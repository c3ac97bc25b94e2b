#!/usr/bin/env bash
# docs.sh - the API reference: Doxygen over include/vyre/ (docs/Doxyfile),
# warnings as errors (an undocumented public declaration fails). Installs
# doxygen with apt-get when it is missing.
#
#   scripts/docs.sh [OUT_DIR]       OUT_DIR defaults to build-docs/; HTML in OUT_DIR/api/html
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$here/build-docs}" && cd "${1:-$here/build-docs}" && pwd)
if ! command -v doxygen >/dev/null; then
  echo "docs: installing doxygen"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends doxygen >/dev/null
fi
version=$(sed -n 's/^#define VY_VERSION_STRING "\(.*\)"$/\1/p' "$here/include/vyre/version.h")
rm -rf "$out/api"
mkdir -p "$out/api"
cd "$here"
if ! VY_DOCS_OUT=$out/api VY_DOCS_VERSION=$version doxygen docs/Doxyfile 2>"$out/doxygen.log"; then
  cat "$out/doxygen.log" >&2
  echo "docs: doxygen failed ($(grep -c warning "$out/doxygen.log") warnings above). Fix: document them with /** */" >&2
  exit 1
fi
echo "docs: API reference in $out/api/html/index.html"
