#!/usr/bin/env bash
# Runs one libFuzzer target for a while, e.g. scripts/fuzz.sh fuzz_layout 600.
#   scripts/fuzz.sh TARGET SECONDS [WORKERS]
# Builds build-fuzz/ with clang (-DRQ_FUZZ=ON) if needed, starts from the
# committed seeds (tests/fuzz/corpus/TARGET) plus what earlier runs found
# (build-fuzz/corpus/TARGET, not committed), and uses the target's
# dictionary when there is one. A finding is written as
# build-fuzz/findings/crash-*; reproduce it with build-fuzz/tests/fuzz/TARGET FILE.
# Ends with libFuzzer's final statistics (stat::number_of_executed_units:
# the executions to record in tests/fuzz/RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -lt 2 ]]; then
  echo "usage: scripts/fuzz.sh TARGET SECONDS [WORKERS]" >&2
  echo "targets: $(sed -n 's/^set(RQ_FUZZ_TARGETS \(.*\)/\1/p' tests/fuzz/CMakeLists.txt) ..." >&2
  exit 2
fi
target=$1 seconds=$2 workers=${3:-1}
bash scripts/fuzz-build.sh >/dev/null
work=build-fuzz/corpus/$target
mkdir -p "$work" build-fuzz/findings
dict=()
name=${target#fuzz_}
[[ -f tests/fuzz/$name.dict ]] && dict=(-dict="tests/fuzz/$name.dict")
# Several workers: libFuzzer's fork mode, each worker's log in build-fuzz/fuzz-N.log.
parallel=()
[[ $workers -gt 1 ]] && parallel=(-fork="$workers")
cd build-fuzz
exec "tests/fuzz/$target" "${dict[@]/#-dict=/-dict=../}" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix=findings/ "${parallel[@]}" "corpus/$target" "../tests/fuzz/corpus/$target"
