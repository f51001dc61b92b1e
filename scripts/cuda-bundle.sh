#!/usr/bin/env bash
# Prepares, on this machine, what a CUDA check on the lent device machine
# runs (that machine has nvcc and CMake but not Debian's libraries, and
# nothing can be fetched there): the CUDA-enabled tests and benchmarks of
# build/ (nvcc found at configure time), the shared libraries they need
# beside them, and run.sh. Then, with the device tool:
#   run  command: bash .device-bundle/run.sh   carry: [".device-bundle"]
# run.sh prints the device and runs test_kernels, test_batch (the GPU
# batch case byte-identical to the CPU's) and bench_batch (K = 1000,
# T = 1280, 256 and 4096 blocks: CPU, GPU with copies, GPU device-resident),
# with a copy of everything under $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
grep -q 'CMAKE_CUDA_COMPILER:STRING=/' "$build/CMakeCache.txt" ||
  { echo "cuda-bundle: $build was configured without nvcc (the CUDA backend is not in it)" >&2; exit 1; }
cmake --build "$build" --target test_kernels test_batch bench_batch rq >&2
out=.device-bundle
rm -rf "$out"
mkdir -p "$out/lib" "$out/lib-cxx"
cp "$build/tests/test_kernels" "$build/tests/test_batch" "$build/bench/bench_batch" "$build/rq" "$out/"
# Their libraries but the C library's own, which the machine has; the C++
# runtime apart, used only if the machine's is older than ours.
for bin in "$out"/test_kernels "$out"/test_batch "$out"/bench_batch "$out"/rq; do
  ldd "$bin" | awk '$3 ~ /^\// {print $3}'
done | sort -u | while read -r lib; do
  case $(basename "$lib") in
    libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|ld-linux*) ;;
    libstdc++.so*|libgcc_s.so*) cp -L "$lib" "$out/lib-cxx/" ;;
    *) cp -L "$lib" "$out/lib/" ;;
  esac
done
cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs on the device machine (see scripts/cuda-bundle.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH=$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
if ldd "$here/test_batch" | grep -q 'not found\|version.*not found' ||
   ! "$here/test_batch" --list-tests >/dev/null 2>&1; then
  export LD_LIBRARY_PATH=$here/lib-cxx:$LD_LIBRARY_PATH
fi
log=${OUT:-/tmp}/cuda-check.log
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  "$here/rq" info
  "$here/test_kernels"
  "$here/test_batch" --success "on a GPU a batch gives the CPU's bytes" | tail -n 20
  "$here/test_batch"
  for blocks in 256 4096; do "$here/bench_batch" --blocks "$blocks"; done
} 2>&1 | tee "$log"
RUN
chmod +x "$out/run.sh"
du -sh "$out" >&2
echo "$out"
