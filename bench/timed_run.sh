# Sourced by the file benchmarks: timing one command with GNU time.
# Needs $work (the scratch folder) set by the caller.
timebin=/usr/bin/time
[[ -x $timebin ]] || { echo "needs GNU time (Debian package 'time')" >&2; exit 2; }

# run NAME CMD...: one timed run; appends "seconds rss_kib" to $work/NAME.times.
# Wall time from the clock in ns (GNU time rounds to 10 ms), peak RSS from time -v.
run() {
  local name=$1
  shift
  local t0 t1 wall rss
  t0=$(date +%s.%N)
  "$timebin" -v -o "$work/$name.tv" "$@" >/dev/null
  t1=$(date +%s.%N)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.tv")
  echo "$wall $rss" >>"$work/$name.times"
}

# median: the median of the numbers on stdin, one per line.
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
