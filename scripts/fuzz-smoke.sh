#!/usr/bin/env bash
# The fuzz targets' smoke run (part of scripts/test.sh): each target runs
# over its committed seeds and then a fixed number of new inputs, so that a
# regression in a parser's invariants shows up in CI within a couple of
# minutes. Prints "fuzz TARGET: ok (N runs)" or "... FAILED" per target and
# a last line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
# Executions per target: a few seconds to ~15 s each on one core.
declare -A runs=([fuzz_oti]=500000 [fuzz_layout]=60000 [fuzz_block_decoder]=8000
  [fuzz_object_decoder]=20000 [fuzz_symbol_file]=60000 [fuzz_ec]=60000 [fuzz_rq_library]=6000)
passed=0 failed=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for target in fuzz_oti fuzz_layout fuzz_block_decoder fuzz_object_decoder fuzz_symbol_file fuzz_ec \
              fuzz_rq_library; do
  dict=()
  [[ -f tests/fuzz/${target#fuzz_}.dict ]] && dict=(-dict="tests/fuzz/${target#fuzz_}.dict")
  mkdir -p "$out/$target"
  # -seed fixes the mutations, so a failure here is the same failure on a rerun.
  if "build-fuzz/tests/fuzz/$target" "${dict[@]}" -seed=1 -runs="${runs[$target]}" \
       -artifact_prefix="$out/" "$out/$target" "tests/fuzz/corpus/$target" >"$out/$target.log" 2>&1; then
    echo "fuzz $target: ok (${runs[$target]} runs)"
    passed=$((passed + 1))
  else
    echo "fuzz $target: FAILED"
    tail -n 30 "$out/$target.log"
    for f in "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*; do
      [[ -f $f ]] && echo "input (base64): $(base64 -w0 "$f")"
    done
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
