#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: builds librq with the CUDA backend, runs
# the kernel tests (every usable backend, CUDA included, against scalar), the
# batch tests (GPU batches byte-identical to the CPU's), the kernel benchmark
# and the batch benchmark (K = 1000, T = 1280: the CPU and the GPU with and
# without copies, in the same run), in one go. Prints the device first.
#   scripts/cuda-check.sh [extra benchmark flags]
set -euo pipefail
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DRQ_BUILD_BENCH=ON >/dev/null
cmake --build build-cuda -j "$(nproc)"
build-cuda/rq info
build-cuda/tests/test_kernels
build-cuda/tests/test_batch
for blocks in 256 4096; do build-cuda/bench/bench_batch --blocks "$blocks"; done
build-cuda/bench/bench_kernels --benchmark_repetitions=5 --benchmark_report_aggregates_only=true "$@"
