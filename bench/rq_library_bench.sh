#!/usr/bin/env bash
# The rq-library drop-in on a large file with rq-library's defaults (symbol
# size 65535, redundancy 4, max_memory_mb 16384, block size 0: one block):
# raptorq_encode_file, then raptorq_decode_symbols after LOSS_PERCENT of the
# symbol files were deleted, beside a plain `cp` of the same file in the
# same run. Wall time and peak RSS (GNU time -v); medians of REPS runs.
#
#   bench/rq_library_bench.sh [RQ_LIBRARY_FILE]
#   SIZE_MIB=1024 LOSS_PERCENT=10 REPS=3 WORK=/dev/shm/rq-library-bench
#   MEMORY_MB=16384 (max_memory_mb)
set -euo pipefail
prog=${1:-build/bench/rq_library_file}
size_mib=${SIZE_MIB:-1024}
loss=${LOSS_PERCENT:-10}
reps=${REPS:-3}
memory_mb=${MEMORY_MB:-16384}
work=${WORK:-/dev/shm/rq-library-bench}
source "$(dirname "$0")/timed_run.sh"
[[ -x $prog ]] || { echo "no $prog (build with -DRQ_BUILD_BENCH=ON)" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work"
input=$work/input.bin
head -c $((size_mib * 1024 * 1024)) /dev/urandom >"$input"


for ((r = 1; r <= reps; r++)); do
  rm -f "$work/copy.bin"
  run cp cp "$input" "$work/copy.bin"
  rm -f "$work/copy.bin"
  rm -rf "$work/symbols" "$work/output.bin"
  run encode "$prog" encode "$input" "$work/symbols" 65535 4 "$memory_mb"
  for d in "$work"/symbols/block_*; do
    n=$(find "$d" -maxdepth 1 -type f | wc -l)
    find "$d" -maxdepth 1 -type f | shuf -n $((n * loss / 100)) | xargs -r rm
  done
  run decode "$prog" decode "$work/symbols" "$work/output.bin"
  cmp "$input" "$work/output.bin"
done

wall_of() { cut -d' ' -f1 "$work/$1.times" | median; }
for step in cp encode decode; do
  wall=$(wall_of "$step")
  printf '%-7s median %7.2f s  %8.1f MiB/s  peak RSS %7.1f MiB  (runs: %s)\n' "$step" "$wall" \
    "$(awk -v a="$size_mib" -v b="$wall" 'BEGIN {print a / b}')" \
    "$(cut -d' ' -f2 "$work/$step.times" | median | awk '{print $1 / 1024}')" \
    "$(cut -d' ' -f1 "$work/$step.times" | tr '\n' ' ')"
done
printf 'encode / cp time: %.2f   decode / cp time: %.2f   (encode writes %s x the input)\n' \
  "$(awk -v a="$(wall_of encode)" -v b="$(wall_of cp)" 'BEGIN {print a / b}')" \
  "$(awk -v a="$(wall_of decode)" -v b="$(wall_of cp)" 'BEGIN {print a / b}')" 4
rm -rf "$work"
