#!/usr/bin/env bash
# rq batch against one rq encode per file, in one run: COUNT files of SIZE
# KiB (random bytes) encoded with the defaults, alternating, ROUNDS times:
#   batch          rq batch MANIFEST (--concurrency: the cores)
#   one by one     for f in ...; do rq encode f f.rq; done
#   xargs -P CORES the same rq encode runs, CORES at a time
# Prints the median wall time of each and its ratio to the batch. Every
# round's outputs are checked to be identical between the three (diff -r).
#
# Usage: bench/batch_bench.sh [BUILD_DIR] [COUNT] [SIZE_KIB] [ROUNDS] [WORK_DIR]
#   defaults: build 1000 1024 3, WORK_DIR a new folder under /dev/shm
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
count=${2:-1000}
size=${3:-1024}
rounds=${4:-3}
rq=$build/rq
[ -x "$rq" ] || { echo "batch_bench: no $rq (build first)" >&2; exit 2; }
work=${5:-$(mktemp -d /dev/shm/rq-batch-bench.XXXXXX)}
trap 'rm -rf "$work"' EXIT
cores=$(nproc)
mkdir -p "$work/in"
for ((i = 0; i < count; i++)); do head -c $((size << 10)) /dev/urandom >"$work/in/f$i"; done
for ((i = 0; i < count; i++)); do
  printf '{"op": "encode", "input": "%s/in/f%d", "output": "%s/batch/f%d"}\n' "$work" "$i" "$work" "$i"
done >"$work/jobs.jsonl"
echo "$count files of $size KiB, $cores cores"

now() { date +%s.%N; }
: >"$work/times"
for ((r = 0; r < rounds; r++)); do
  rm -rf "$work/batch" "$work/single" "$work/xargs"
  t0=$(now); "$rq" batch --quiet "$work/jobs.jsonl" >/dev/null; t1=$(now)
  echo "batch $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" >>"$work/times"
  mkdir -p "$work/single"
  t0=$(now)
  for ((i = 0; i < count; i++)); do "$rq" encode --quiet "$work/in/f$i" "$work/single/f$i"; done
  t1=$(now)
  echo "one-by-one $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" >>"$work/times"
  mkdir -p "$work/xargs"
  t0=$(now)
  seq 0 $((count - 1)) | xargs -P "$cores" -I{} "$rq" encode --quiet "$work/in/f{}" "$work/xargs/f{}"
  t1=$(now)
  echo "xargs-P$cores $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" >>"$work/times"
  diff -r "$work/batch" "$work/single" >/dev/null && diff -r "$work/batch" "$work/xargs" >/dev/null ||
    { echo "batch_bench: outputs differ" >&2; exit 1; }
done
awk -v n="$count" '
  { t[$1, ++c[$1]] = $2; k[$1] = 1 }
  function median(key,   i, j, x, a, m) {
    m = c[key]; for (i = 1; i <= m; i++) a[i] = t[key, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
    return a[int((m + 1) / 2)]
  }
  END {
    b = median("batch")
    printf "%-14s %9s %12s %10s\n", "way", "median s", "files/s", "x batch"
    for (key in k) printf "%-14s %9.2f %12.0f %10.2f\n", key, median(key), n / median(key), median(key) / b
  }' "$work/times"
