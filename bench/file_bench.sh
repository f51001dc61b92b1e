#!/usr/bin/env bash
# File-level benchmark (issue 4): encode and decode a large file with a small
# memory budget, beside a plain `cp` of the same file in the same run. Wall
# time and peak RSS come from GNU time -v; each step runs REPS times and the
# medians are printed, then the ratios.
#
#   bench/file_bench.sh [RQ_BINARY]
#   SIZE_MIB=1024 BUDGET_MIB=64 REDUNDANCY=1.25 LOSS_PERCENT=10 REPS=3 WORK=/tmp/rq-file-bench
#
# The input is random data held in page cache (read once before timing).
# Decoding runs after LOSS_PERCENT of each block's symbol files were deleted.
set -euo pipefail
rq=${1:-build/rq}
size_mib=${SIZE_MIB:-1024}
budget=${BUDGET_MIB:-64}
redundancy=${REDUNDANCY:-1.25}
loss=${LOSS_PERCENT:-10}
reps=${REPS:-3}
work=${WORK:-/tmp/rq-file-bench}
timebin=/usr/bin/time
[[ -x $timebin ]] || { echo "needs GNU time (Debian package 'time')" >&2; exit 2; }
[[ -x $rq ]] || { echo "no rq binary at $rq (build first)" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work"
input=$work/input.bin
head -c $((size_mib * 1024 * 1024)) /dev/urandom >"$input"
cat "$input" >/dev/null

# run NAME CMD...: one timed run; appends "seconds rss_kib" to $work/NAME.times
run() {
  local name=$1
  shift
  "$timebin" -v -o "$work/$name.tv" "$@" >/dev/null
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
         for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/$name.tv")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.tv")
  echo "$wall $rss" >>"$work/$name.times"
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

for ((r = 1; r <= reps; r++)); do
  rm -rf "$work/copy.bin" "$work/symbols" "$work/output.bin"
  sync
  run cp cp "$input" "$work/copy.bin"
  run encode "$rq" encode "$input" "$work/symbols" --memory-budget "$budget" \
    --redundancy "$redundancy" --quiet
  for d in "$work"/symbols/block_*; do
    n=$(find "$d" -maxdepth 1 -type f | wc -l)
    find "$d" -maxdepth 1 -type f | shuf -n $((n * loss / 100)) | xargs -r rm
  done
  run decode "$rq" decode "$work/symbols" "$work/output.bin" --memory-budget "$budget" --quiet
  cmp "$input" "$work/output.bin"
done

mib=$size_mib
for step in cp encode decode; do
  wall=$(cut -d' ' -f1 "$work/$step.times" | median)
  rss=$(cut -d' ' -f2 "$work/$step.times" | median)
  printf '%-7s median %7.2f s  %8.1f MiB/s  peak RSS %6.1f MiB  (runs: %s)\n' "$step" "$wall" \
    "$(awk -v a="$mib" -v b="$wall" 'BEGIN {print a / b}')" \
    "$(awk -v a="$rss" 'BEGIN {print a / 1024}')" \
    "$(cut -d' ' -f1 "$work/$step.times" | tr '\n' ' ')"
done
cp_wall=$(cut -d' ' -f1 "$work/cp.times" | median)
enc_wall=$(cut -d' ' -f1 "$work/encode.times" | median)
dec_wall=$(cut -d' ' -f1 "$work/decode.times" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print a / b}'; }
printf 'encode throughput / cp throughput: %.2f\n' "$(ratio "$cp_wall" "$enc_wall")"
printf 'decode throughput / cp throughput: %.2f\n' "$(ratio "$cp_wall" "$dec_wall")"
printf 'budget %d MiB: peak RSS limit %d MiB\n' "$budget" $((budget + 32))
rm -rf "$work"
