#!/usr/bin/env bash
# The whole test suite:
#   1. Release build in build/ (the benchmarks built, not run; the
#      self-contained librq_library.a, from static cJSON and hwloc built by
#      scripts/build-static-deps.sh, linked by Go) and every test;
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/ and
#      every test not labelled "slow";
#   3. ThreadSanitizer build in build-tsan/ of the tests labelled
#      "concurrency" (the scheduler's: concurrent jobs, budgets, workers,
#      cancellation; the shared source rows of core/source_rows.c; contexts
#      coding on several threads);
#   4. on x86-64: an AArch64 cross build in build-aarch64/ (NEON backend) and
#      every test not labelled "slow", run under qemu-aarch64;
#   5. the WebAssembly package (bindings/wasm): both modules built with
#      emscripten into build-wasm/ and its Node tests run, the demo page's
#      in headless Chromium among them;
#   6. the libFuzzer targets (tests/fuzz, clang) built in build-fuzz/, each
#      run over its committed seeds and a fixed number of new inputs
#      (scripts/fuzz-smoke.sh; one test per target).
# Ends with one line "N passed, N failed" summed over both runs (CI reads it;
# a configure or build step that fails counts as one failed test) and exits
# non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

jobs=2
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

cross=0
[[ $(uname -m) == x86_64 ]] && cross=1
deps_args=()
[[ $cross -eq 1 ]] && deps_args=(--aarch64)
bash scripts/install-deps.sh "${deps_args[@]}" || { echo "0 passed, 1 failed"; exit 1; }

# build DIR [--target T]... CMAKE_ARGS...: configure and build (everything, or
# the targets T); counts a failure as one test.
build() {
  local dir=$1
  shift
  local target=()
  while [[ ${1:-} == --target ]]; do
    target+=(--target "$2")
    shift 2
  done
  echo "== configure and build $dir"
  if cmake -S . -B "$dir" -G Ninja -DRQ_BUILD_TESTS=ON "$@" &&
     cmake --build "$dir" -j "$jobs" "${target[@]}"; then
    return 0
  fi
  echo "== build in $dir FAILED"
  failed=$((failed + 1))
  return 1
}

# run_tests DIR CTEST_ARGS...: runs ctest and adds its counts from the line
# "X% tests passed, Y tests failed out of Z".
run_tests() {
  local dir=$1
  shift
  echo "== ctest in $dir $*"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local line
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [[ -n "$line" ]]; then
    local counts bad total
    counts=$(sed -E 's/^[0-9]+% tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1 \2/' \
      <<<"$line")
    read -r bad total <<<"$counts"
    passed=$((passed + total - bad))
    failed=$((failed + bad))
  elif [[ $status -ne 0 ]]; then
    failed=$((failed + 1)) # ctest failed before running anything
  fi
}

# Static PIC cJSON and hwloc from Debian's sources, for the self-contained
# librq_library.a (built and linked from Go in the Release tree).
static_deps=$(bash scripts/build-static-deps.sh) || {
  echo "== scripts/build-static-deps.sh FAILED"
  failed=$((failed + 1))
  static_deps=""
}

# The benchmarks are built too (not run): they use internal interfaces.
if build build -DCMAKE_BUILD_TYPE=Release -DRQ_SANITIZE=OFF -DRQ_BUILD_BENCH=ON \
  -DRQ_STATIC_DEPS="$static_deps"; then
  run_tests build
fi
# No CUDA here: the CUDA runtime and AddressSanitizer's shadow memory do not mix.
if build build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRQ_SANITIZE=ON -DRQ_WITH_CUDA=OFF; then
  UBSAN_OPTIONS=print_stacktrace=1 run_tests build-asan -LE slow
fi

# libgomp is not built with TSan; runtime/workers.c states the ordering its
# barriers give, so what TSan reports here is a real race.
if build build-tsan --target test_scheduler --target test_source_rows --target test_context --target test_batch \
     -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRQ_TSAN=ON \
     -DRQ_WITH_CUDA=OFF; then
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
    run_tests build-tsan -L concurrency
fi

if [[ $cross -eq 1 ]] &&
   build build-aarch64 -DCMAKE_BUILD_TYPE=Release -DRQ_SANITIZE=OFF \
     -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake; then
  run_tests build-aarch64 -LE slow --timeout 600
fi

# The WebAssembly package: its build counts as one test, then node --test's
# "# pass N" and "# fail N".
echo "== WebAssembly package (bindings/wasm)"
# npm ci installs the test drivers from the committed lock (playwright-core,
# which drives Debian's Chromium in the browser test).
if npm --prefix bindings/wasm ci --no-audit --no-fund && npm --prefix bindings/wasm run build; then
  npm --prefix bindings/wasm test 2>&1 | tee "$log"
  node_status=${PIPESTATUS[0]}
  node_passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log")
  node_failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log")
  passed=$((passed + ${node_passed:-0}))
  failed=$((failed + ${node_failed:-0}))
  if [[ $node_status -ne 0 && ${node_failed:-0} -eq 0 ]]; then
    failed=$((failed + 1)) # the runner failed before counting
  fi
else
  echo "== WebAssembly build FAILED"
  failed=$((failed + 1))
fi

echo "== fuzz targets, smoke run (tests/fuzz)"
if bash scripts/fuzz-build.sh >/dev/null; then
  bash scripts/fuzz-smoke.sh 2>&1 | tee "$log"
  fuzz_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
  if [[ -n $fuzz_line ]]; then
    passed=$((passed + $(cut -d' ' -f1 <<<"$fuzz_line")))
    failed=$((failed + $(cut -d' ' -f3 <<<"$fuzz_line")))
  else
    failed=$((failed + 1))
  fi
else
  echo "== fuzz build FAILED"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
