#!/usr/bin/env bash
# From a fresh checkout to a working `rq`: install the build dependencies,
# build a Release tree in build/, then run the built-in demo (encode a 10 MB
# object, lose 10% of the packets, decode, verify, print speeds).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
echo
echo "+ build/rq demo"
build/rq demo
