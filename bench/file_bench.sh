#!/usr/bin/env bash
# File-level benchmark (issues 4 and 6): encode and decode a large file with
# a small memory budget, with each thread count asked for, beside a plain
# `cp` of the same file in the same run. Wall time and peak RSS come from GNU
# time -v; each step runs REPS times and the medians are printed, then the
# ratios: to cp, and of every thread count to the first one.
#
#   bench/file_bench.sh [RQ_BINARY]
#   SIZE_MIB=1024 BUDGET_MIB=64 REDUNDANCY=1.25 LOSS_PERCENT=10 REPS=3 THREADS="1 2"
#   WORK=/tmp/rq-file-bench
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
read -r -a threads <<<"${THREADS:-1 2}"
work=${WORK:-/tmp/rq-file-bench}
source "$(dirname "$0")/timed_run.sh"
[[ -x $rq ]] || { echo "no rq binary at $rq (build first)" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work"
input=$work/input.bin
head -c $((size_mib * 1024 * 1024)) /dev/urandom >"$input"
cat "$input" >/dev/null


for ((r = 1; r <= reps; r++)); do
  rm -rf "$work/copy.bin"
  sync
  run cp cp "$input" "$work/copy.bin"
  for t in "${threads[@]}"; do
    rm -rf "$work/symbols" "$work/output.bin"
    run "encode_t$t" "$rq" encode "$input" "$work/symbols" --memory-budget "$budget" \
      --redundancy "$redundancy" --threads "$t" --quiet
    for d in "$work"/symbols/block_*; do
      n=$(find "$d" -maxdepth 1 -type f | wc -l)
      find "$d" -maxdepth 1 -type f | shuf -n $((n * loss / 100)) | xargs -r rm
    done
    run "decode_t$t" "$rq" decode "$work/symbols" "$work/output.bin" --memory-budget "$budget" \
      --threads "$t" --quiet
    cmp "$input" "$work/output.bin"
  done
done

mib=$size_mib
wall_of() { cut -d' ' -f1 "$work/$1.times" | median; }
steps=(cp)
for t in "${threads[@]}"; do steps+=("encode_t$t" "decode_t$t"); done
for step in "${steps[@]}"; do
  wall=$(wall_of "$step")
  rss=$(cut -d' ' -f2 "$work/$step.times" | median)
  printf '%-10s median %7.2f s  %8.1f MiB/s  peak RSS %6.1f MiB  (runs: %s)\n' "$step" "$wall" \
    "$(awk -v a="$mib" -v b="$wall" 'BEGIN {print a / b}')" \
    "$(awk -v a="$rss" 'BEGIN {print a / 1024}')" \
    "$(cut -d' ' -f1 "$work/$step.times" | tr '\n' ' ')"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print a / b}'; }
cp_wall=$(wall_of cp)
t1=${threads[0]}
for t in "${threads[@]}"; do
  printf 'threads %-3s encode / cp throughput: %.2f   decode / cp: %.2f\n' "$t" \
    "$(ratio "$cp_wall" "$(wall_of "encode_t$t")")" "$(ratio "$cp_wall" "$(wall_of "decode_t$t")")"
  if [[ $t != "$t1" ]]; then
    printf 'threads %-3s speed-up over %s thread(s): encode %.2fx  decode %.2fx\n' "$t" "$t1" \
      "$(ratio "$(wall_of "encode_t$t1")" "$(wall_of "encode_t$t")")" \
      "$(ratio "$(wall_of "decode_t$t1")" "$(wall_of "decode_t$t")")"
  fi
done
printf 'budget %d MiB: peak RSS limit %d MiB\n' "$budget" $((budget + 32))
rm -rf "$work"
