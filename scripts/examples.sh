#!/usr/bin/env bash
# examples.sh - install vyre-jit into a temporary prefix, then build and run
# every example of examples/ against that prefix (never the build tree):
# C through find_package(VyreJit) and through pkg-config (shared and static),
# Rust (skipped when no cargo), Python ctypes, and the installed CLI. Also
# compiles every installed header on its own as C11 and as C++ with
# -Wall -Wextra -Werror -pedantic.
#
#   scripts/examples.sh [BUILD_DIR]
#
# BUILD_DIR: an already configured build to install from (CI passes the
# test build); default build-examples/ (Release, no tests), set up here.
# Expected outputs are the hand-computed values in the examples' comments.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
start=$(date +%s)

if [ $# -gt 0 ]; then
  build=$(cd "$1" && pwd)
  cmake --build "$build" >/dev/null 2>&1 || { echo "examples: building $build failed" >&2; exit 1; }
else
  build=$here/build-examples
  "$here/scripts/setup.sh" "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vyre-examples.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
export VYRE_JIT_CACHE_DIR=$work/kernel-cache # keep the user's cache out of it
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
blob=$here/tests/wire/spec-7.11-example.vir
failed=0

step() { printf '%-58s' "$1"; }
ok() { echo "ok${1:+ ($1)}"; }
bad() {
  echo "FAILED"
  [ $# -gt 0 ] && [ -f "$1" ] && sed 's/^/    /' "$1"
  failed=1
}

# ---- the installed tree ----
step "installed files"
missing=""
for f in bin/vyre-jit lib/libvyre.so lib/libvyre.a lib/libvyre-jit.so lib/libvyre-jit.a \
         include/vyre/vyre.h include/vyre/jit.h include/vyre/types.def \
         lib/cmake/VyreJit/VyreJitConfig.cmake lib/pkgconfig/vyre.pc lib/pkgconfig/vyre-jit.pc; do
  [ -e "$prefix/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then ok; else echo "FAILED: missing$missing"; failed=1; fi

step "installed headers alone, C11 and C++, -Werror -pedantic"
n=0
: >"$work/headers.log"
for h in "$prefix"/include/vyre/*.h; do
  name=vyre/$(basename "$h")
  printf '#include <%s>\nint vy_header_unit(void);\nint vy_header_unit(void) { return 0; }\n' "$name" >"$work/unit.c"
  cc -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only -I"$prefix/include" "$work/unit.c" >>"$work/headers.log" 2>&1 || failed=1
  if command -v c++ >/dev/null; then
    c++ -x c++ -std=c++17 -Wall -Wextra -Werror -pedantic -fsyntax-only -I"$prefix/include" "$work/unit.c" \
      >>"$work/headers.log" 2>&1 || failed=1
  fi
  n=$((n + 1))
done
if [ -s "$work/headers.log" ]; then bad "$work/headers.log"; else ok "$n headers"; fi

# ---- the CLI ----
step "vyre-jit run (installed CLI) on the §7.11 blob"
out=$("$prefix/bin/vyre-jit" run "$blob" --backend llvm-cpu --input a=10,20,30,40 2>&1 || true)
if [ "$out" = "out: 11 21 31 41" ]; then ok; else echo "FAILED: $out"; failed=1; fi

# ---- C examples, CMake package and pkg-config ----
# c-builder checks every result itself; c-wire must print out = a + 1.
check_c() { # NAME BINARY
  local log=$work/$1.run
  case $1 in
    c-builder) (cd "$(dirname "$2")" && "$2") >"$log" 2>&1 && grep -q "all checks passed" "$log" ;;
    c-wire) "$2" "$blob" 10 20 30 40 >"$log" 2>&1 && head -1 "$log" | grep -qx "out: 11 21 31 41" ;;
  esac
}
for ex in c-builder c-wire; do
  step "$ex, find_package(VyreJit) -> vyre::jit"
  b=$work/$ex-cmake
  if cmake -S "$here/examples/$ex" -B "$b" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >"$work/$ex.log" 2>&1 &&
     cmake --build "$b" >>"$work/$ex.log" 2>&1 && check_c "$ex" "$b/$ex"; then ok; else bad "$work/$ex.log"; cat "$work/$ex.run" 2>/dev/null || true; fi

  step "$ex, pkg-config vyre-jit (Makefile)"
  m=$work/$ex-make
  cp -r "$here/examples/$ex" "$m"
  if make -C "$m" >"$work/$ex.log" 2>&1 && check_c "$ex" "$m/$ex"; then ok; else bad "$work/$ex.log"; cat "$work/$ex.run" 2>/dev/null || true; fi
done

step "c-wire, find_package(VyreJit COMPONENTS jit_static)"
b=$work/c-wire-static
if cmake -S "$here/examples/c-wire" -B "$b" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DVYRE_EXAMPLE_STATIC=ON \
     >"$work/static.log" 2>&1 && cmake --build "$b" >>"$work/static.log" 2>&1 &&
   ! ldd "$b/c-wire" | grep -q libvyre && check_c c-wire "$b/c-wire"; then ok "no libvyre*.so"; else bad "$work/static.log"; fi

# ---- Rust ----
step "rust: extern \"C\" binding, cargo --offline"
cargo=$(command -v cargo || true)
[ -z "$cargo" ] && [ -x "$HOME/.cargo/bin/cargo" ] && cargo=$HOME/.cargo/bin/cargo
if [ -z "$cargo" ]; then
  echo "skipped (no cargo on this machine)"
else
  export PATH=$(dirname "$cargo"):$PATH
  if CARGO_TARGET_DIR=$work/rust-target "$cargo" build --offline --release --quiet \
       --manifest-path "$here/examples/rust/Cargo.toml" >"$work/rust.log" 2>&1 &&
     "$work/rust-target/release/vyre-jit-example" "$blob" >>"$work/rust.log" 2>&1; then ok; else bad "$work/rust.log"; fi
fi

# ---- Python ----
step "python: ctypes"
if python3 "$here/examples/python/run_program.py" "$prefix/lib" >"$work/python.log" 2>&1 &&
   grep -q "^llvm-cpu: .* ok$" "$work/python.log"; then ok; else bad "$work/python.log"; fi

echo "examples: $([ $failed = 0 ] && echo "all passed" || echo FAILED) in $(($(date +%s) - start))s"
exit $failed
