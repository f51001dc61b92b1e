#!/usr/bin/env bash
# WebAssembly against native, in one run: bench/bench_codec.cpp built
# natively (BUILD_DIR/bench/bench_codec, a -DRQ_BUILD_BENCH=ON build) and
# for WebAssembly in both flavours (build-wasm/, run by node), each timing
# encode and decode of one block per case; the four take turns ROUNDS
# times and the medians are printed with their ratios to native scalar.
# node runs with --no-liftoff: V8 then compiles the module with its
# optimizing tier at once instead of after a warm-up, so short runs measure
# the speed a page reaches once warm.
#
# Usage: bench/wasm_bench.sh [BUILD_DIR] [ROUNDS] [CASE...]
#   BUILD_DIR  native build with the benchmarks (default build)
#   ROUNDS     alternations (default 3)
#   CASE       K:T (default 1000:1280)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rounds=${2:-3}
shift $(( $# > 2 ? 2 : $# ))
cases=("${@:-1000:1280}")
native=$build/bench/bench_codec
[ -x "$native" ] || { echo "wasm_bench: no $native (configure with -DRQ_BUILD_BENCH=ON)" >&2; exit 2; }
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
wasm_build=${RQ_WASM_BUILD_DIR:-$root/build-wasm}
emcmake cmake -S "$root" -B "$wasm_build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DRQ_STATIC_DEPS="$(bash "$root/scripts/build-static-deps.sh")" >/dev/null
cmake --build "$wasm_build" --target bench_codec_simd bench_codec_scalar >/dev/null

best=$("$native" --case 1:16 --reps 1 | awk 'NR > 1 { b = $4 } END { print b }')
case_args=()
for c in "${cases[@]}"; do case_args+=(--case "$c"); done
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((r = 0; r < rounds; r++)); do
  "$native" --reps 9 --backend scalar "${case_args[@]}" | awk 'NR > 1 { print "native-scalar", $1, $2, $3, $5 }'
  "$native" --reps 9 --backend "$best" "${case_args[@]}" | awk -v b="native-$best" 'NR > 1 { print b, $1, $2, $3, $5 }'
  node --no-liftoff "$wasm_build/bindings/wasm/bench_codec_simd.js" --reps 9 --backend wasm-simd128 "${case_args[@]}" |
    awk 'NR > 1 { print "wasm-simd128", $1, $2, $3, $5 }'
  node --no-liftoff "$wasm_build/bindings/wasm/bench_codec_scalar.js" --reps 9 --backend scalar "${case_args[@]}" |
    awk 'NR > 1 { print "wasm-scalar", $1, $2, $3, $5 }'
done >"$results"

echo "MB/s of source data, median of $rounds alternating rounds (each the median of 9 repetitions)"
printf '%-16s %-7s %6s %6s %10s %16s\n' build op K T 'MB/s' 'x native scalar'
awk '
  { key = $2 " " $3 " " $4; v[$1, key, ++n[$1, key]] = $5; builds[$1] = 1; keys[key] = 1 }
  function median(b, key,   i, j, t, m, a) {
    m = n[b, key]
    for (i = 1; i <= m; i++) a[i] = v[b, key, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return a[int((m + 1) / 2)]
  }
  END {
    for (key in keys) {
      base = median("native-scalar", key)
      for (b in builds) {
        split(key, f, " ")
        printf "%-16s %-7s %6s %6s %10.0f %16.2f\n", b, f[1], f[2], f[3], median(b, key), median(b, key) / base
      }
    }
  }' "$results" | sort -k2,2 -k3,3n -k1,1
