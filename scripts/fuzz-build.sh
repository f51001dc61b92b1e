#!/usr/bin/env bash
# Configures and builds the libFuzzer targets in build-fuzz/ with Debian's
# clang (scripts/install-deps.sh installs clang-14, libclang-rt-14-dev for
# libFuzzer and libomp-14-dev). Prints the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${RQ_FUZZ_CC:-clang-14} CXX=${RQ_FUZZ_CXX:-clang++-14} \
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRQ_FUZZ=ON \
  -DRQ_BUILD_TESTS=OFF -DRQ_WITH_CUDA=OFF >&2
cmake --build build-fuzz -j 2 >&2
echo build-fuzz
