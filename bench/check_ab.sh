#!/usr/bin/env bash
# `check` latency of two leitong binaries on the same archive and queries, alternated query by
# query (a drift in the machine's load hits both alike): each query is checked once to warm the
# page cache, then timed, by A and then by B, each in its own process. Prints wall p50/p99 and
# user-CPU p50 per binary, and the ratio of the wall medians B / A. A check that fails (an exit
# status other than 0, or a signal) stops it.
#
#   bench/check_ab.sh BIN_A BIN_B ARCHIVE QUERY_LIST      (QUERY_LIST: one file per line)
#
# bench/README.md "Check latency", "Agency look-up and parallel preparation":
#   ls DIR/reports/2025 | sort | awk 'NR % 200 == 1' | sed "s|^|DIR/reports/2025/|" >q.txt
#   bench/check_ab.sh OLD/leitong build/leitong DIR/a.db q.txt
set -euo pipefail
LC_ALL=C  # bash's `time` prints a decimal point whatever the locale (not exported)
if [[ $# -ne 4 || ! -x "$1" || ! -x "$2" || ! -f "$3" || ! -f "$4" ]]; then
  echo "usage: bench/check_ab.sh BIN_A BIN_B ARCHIVE QUERY_LIST" >&2
  exit 2
fi
a="$(realpath "$1")" b="$(realpath "$2")" db="$3" queries="$4"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
while read -r query; do
  for which in A B; do
    bin="$a"; [[ "$which" == B ]] && bin="$b"
    "$bin" check --archive "$db" --format json "$query" </dev/null >/dev/null 2>&1 || true
    status=0
    # bash's own `time`, to the millisecond, with no process between (/usr/bin/time counts wall
    # time in 10 ms steps and its own process added several ms).
    TIMEFORMAT="$which %3R %3U"
    { time "$bin" check --archive "$db" --format json "$query" </dev/null >/dev/null 2>"$work/stderr" \
        || status=$?; } 2>>"$work/times"
    if [[ "$status" != 0 ]]; then
      echo "check_ab: $which ($bin) failed on $query with status $status:" >&2
      cat "$work/stderr" >&2
      exit 1
    fi
  done
done <"$queries"
python3 - "$work/times" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line[:2] in ("A ", "B ")]
if not rows:
    sys.exit("check_ab: no query was checked")
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]
medians = {}
for which in "AB":
    wall = [float(r[1]) for r in rows if r[0] == which]
    user = [float(r[2]) for r in rows if r[0] == which]
    medians[which] = statistics.median(wall)
    print(f"{which}: {len(wall)} checks, wall p50 {statistics.median(wall)*1000:.0f} ms, "
          f"p99 {pct(wall, 0.99)*1000:.0f} ms, user CPU p50 {statistics.median(user)*1000:.0f} ms")
if medians["A"] > 0:
    print(f"wall p50 B / A: {medians['B'] / medians['A']:.2f}")
PY
