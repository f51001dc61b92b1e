#!/usr/bin/env bash
# rq repair against what a node would do without it, in one run: a file of
# SIZE MiB is encoded once; each round copies the symbol directory, deletes
# about LOSS % of its symbol files (the same files each round), and
# then times, alternating:
#   repair          rq repair DIR
#   decode+encode   rq decode DIR FILE, then rq encode FILE NEW_DIR
#   cp              cp -r of the same symbol directory (a reference for the I/O)
# and reports the median wall time and the peak RSS (GNU time) of each.
# Both coding paths end with a whole symbol directory; repair's is checked
# to be the fresh encode's, byte for byte (diff -r).
#
# Usage: bench/repair_bench.sh [BUILD_DIR] [SIZE_MIB] [LOSS_PERCENT] [ROUNDS] [WORK_DIR]
#   defaults: build 1024 30 3, WORK_DIR a new folder under /dev/shm (tmpfs:
#   the disk's speed left out; it needs about 5.5 x SIZE of space)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
size=${2:-1024}
loss=${3:-30}
rounds=${4:-3}
rq=$build/rq
[ -x "$rq" ] || { echo "repair_bench: no $rq (build first)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "repair_bench: needs GNU time (/usr/bin/time)" >&2; exit 2; }
work=${5:-$(mktemp -d /dev/shm/rq-repair-bench.XXXXXX)}
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"

head -c $((size << 20)) /dev/urandom >"$work/input.bin"
"$rq" encode --quiet "$work/input.bin" "$work/fresh"
echo "$size MiB file, $(find "$work/fresh" -type f | wc -l) symbol files, losing about $loss % of them"

# Deletes about loss % of the files of dir/block_*, picked by awk's rand() from a fixed seed over
# the sorted names: the same files each round.
lose() {
  (cd "$1" && find . -path './block_*' -type f | sort |
    awk -v loss="$loss" 'BEGIN { srand(42) } rand() * 100 < loss' | xargs -r rm -f)
}

timed() { # label, then the command: appends "label seconds rss_kib" to $work/times
  local label=$1; shift
  /usr/bin/time -f "$label %e %M" -a -o "$work/times" "$@" >/dev/null
}

: >"$work/times"
for ((r = 0; r < rounds; r++)); do
  rm -rf "$work/damaged" "$work/copy" "$work/out.bin" "$work/new"
  cp -r "$work/fresh" "$work/damaged"
  lose "$work/damaged"
  [ "$r" = 0 ] && echo "lost $(( $(find "$work/fresh" -type f | wc -l) - $(find "$work/damaged" -type f | wc -l) )) files"
  cp -r "$work/damaged" "$work/second"
  timed cp cp -r "$work/fresh" "$work/copy"
  timed repair "$rq" repair --quiet "$work/damaged"
  diff -r "$work/fresh" "$work/damaged" >/dev/null || { echo "repair_bench: repaired directory differs" >&2; exit 1; }
  timed decode "$rq" decode --quiet "$work/second" "$work/out.bin"
  timed encode "$rq" encode --quiet "$work/out.bin" "$work/new"
  rm -rf "$work/second"
done

awk -v rounds="$rounds" '
  { t[$1, ++n[$1]] = $2; m[$1] = $3 > m[$1] ? $3 : m[$1] }
  function median(k,   i, j, x, a, c) {
    c = n[k]; for (i = 1; i <= c; i++) a[i] = t[k, i]
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
    return a[int((c + 1) / 2)]
  }
  END {
    de = median("decode") + median("encode")
    printf "%-16s %9s %12s %14s\n", "step", "median s", "peak RSS MiB", "x repair time"
    printf "%-16s %9.2f %12.0f %14.2f\n", "repair", median("repair"), m["repair"] / 1024, 1
    printf "%-16s %9.2f %12.0f %14.2f\n", "decode+encode", de, (m["decode"] > m["encode"] ? m["decode"] : m["encode"]) / 1024, de / median("repair")
    printf "%-16s %9.2f %12.0f %14.2f\n", "  decode", median("decode"), m["decode"] / 1024, median("decode") / median("repair")
    printf "%-16s %9.2f %12.0f %14.2f\n", "  encode", median("encode"), m["encode"] / 1024, median("encode") / median("repair")
    printf "%-16s %9.2f %12.0f %14.2f\n", "cp -r (all files)", median("cp"), m["cp"] / 1024, median("cp") / median("repair")
    printf "(medians of %d alternating rounds)\n", rounds
  }' "$work/times"
