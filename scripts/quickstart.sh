#!/usr/bin/env bash
# From a fresh checkout to a working `rq`: install the build dependencies,
# build a Release tree in build/, then show the file path end to end: encode
# a 64 MB file of random bytes into symbol files, delete a fifth of them at
# random, decode the rest and compare the result with the original.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build

sample=build/sample.bin
symbols=build/sample.symbols
output=build/sample.out
size=64000000

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
show() { echo; echo "+ $*"; "$@"; }

head -c "$size" /dev/urandom >"$sample"

t0=$(now)
show build/rq encode "$sample" "$symbols" --force
t1=$(now)

# The default redundancy 1.5 makes a third of each block's symbols repair
# symbols, so any fifth of them may go.
echo
deleted=0
for dir in "$symbols"/block_*; do
  total=$(find "$dir" -type f ! -name '.*' | wc -l)
  lose=$((total / 5))
  find "$dir" -type f ! -name '.*' | shuf -n "$lose" | xargs -r rm -f
  echo "deleted $lose of the $total symbol files in $dir"
  deleted=$((deleted + lose))
done

show build/rq verify "$symbols"
t2=$(now)
show build/rq decode "$symbols" "$output" --force
t3=$(now)

echo
if cmp -s "$sample" "$output"; then
  printf 'OK: %s (%s bytes) came back byte for byte from %s after deleting %d symbol files\n' \
    "$output" "$(stat -c %s "$output")" "$symbols" "$deleted"
  printf '    encode %s s, decode %s s; symbol files left: %s bytes\n' \
    "$(elapsed "$t0" "$t1")" "$(elapsed "$t2" "$t3")" "$(du -sb "$symbols" | cut -f1)"
else
  echo "FAIL: $output differs from $sample"
  exit 1
fi
