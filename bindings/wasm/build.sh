#!/bin/sh
# Builds the package's modules, dist/rq_simd.mjs and dist/rq_scalar.mjs,
# with emscripten (Debian's; scripts/install-deps.sh --wasm installs it), in
# the CMake build folder RQ_WASM_BUILD_DIR (default build-wasm at the root).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${RQ_WASM_BUILD_DIR:-$root/build-wasm}
# Debian's emscripten finds its JavaScript dependencies (acorn) here.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
if ! command -v emcmake >/dev/null 2>&1; then
  echo "librq-wasm: emscripten's emcmake is not installed (scripts/install-deps.sh --wasm)" >&2
  exit 2
fi
# cJSON's source (Debian's), kept by the script that builds the static deps.
deps=$(bash "$root/scripts/build-static-deps.sh")
emcmake cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRQ_STATIC_DEPS="$deps" >/dev/null
cmake --build "$build" --target rq_module_simd rq_module_scalar
mkdir -p "$here/dist"
cp "$build/bindings/wasm/rq_simd.mjs" "$build/bindings/wasm/rq_scalar.mjs" "$here/dist/"
