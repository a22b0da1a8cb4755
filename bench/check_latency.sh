#!/usr/bin/env bash
# `check` latency on an archive that is already built (e.g. a macro.sh build stopped early): each
# query file is checked in its own process, the first COLD of them after dropping the page cache
# (when permitted), and every one warm (once to warm the cache, once timed). Prints the archive's
# size figures and p50/p99 latencies, as bench/macro.sh's table does.
#
#   bench/check_latency.sh ARCHIVE QUERY_LIST [COLD]     (QUERY_LIST: one file per line; COLD: 10)
#
# The 339,000-document row of bench/README.md ("Check latency"): the queries were the 2022 reports the stopped build
# lacked, whose 2021 versions it held:
#   ls DIR/reports/2022/ | sort -V | tail -3000 | awk 'NR % 100 == 1' | sed "s|^|DIR/reports/2022/|"
set -euo pipefail
cd "$(dirname "$0")/.."
db="$1" queries="$2" cold_runs="${3:-10}"
bin="$(realpath "${LEITONG_BIN:-build-rel/leitong}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
can_drop=0
[[ -w /proc/sys/vm/drop_caches ]] && can_drop=1
"$bin" stats --archive "$db" --format json >"$work/stats.json"
n=0
: >"$work/cold" ; : >"$work/warm" ; : >"$work/kb"
while read -r q; do
  n=$((n + 1))
  if [[ "$n" -le "$cold_runs" && "$can_drop" == 1 ]]; then
    sync
    echo 3 >/proc/sys/vm/drop_caches
    /usr/bin/time -f "%e %M" -o "$work/t" "$bin" check --archive "$db" --format json "$q" >/dev/null 2>&1
    awk '{print $1}' "$work/t" >>"$work/cold"
  fi
  "$bin" check --archive "$db" --format json "$q" >/dev/null 2>&1
  /usr/bin/time -f "%e %M" -o "$work/t" "$bin" check --archive "$db" --format json "$q" >"$work/last.json" 2>/dev/null
  awk '{print $1}' "$work/t" >>"$work/warm"
  awk '{print $2}' "$work/t" >>"$work/kb"
done <"$queries"
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
def pct(name):
    v = sorted(float(x) for x in open(f"{w}/{name}") if x.strip())
    if not v:
        return "not measured (cannot drop the page cache)"
    def p(q):
        k = (len(v) - 1) * q
        lo, hi = int(k), min(int(k) + 1, len(v) - 1)
        return (v[lo] + (v[hi] - v[lo]) * (k - lo)) * 1000
    return f"p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms ({len(v)} runs)"
s = json.load(open(f"{w}/stats.json"))
d = s["documents"]
print(f"documents {d}, bytes per document {s['file_bytes'] / d:.0f} (index {s['index_bytes_per_document']:.0f}, text {s['text_bytes'] / d:.0f})")
print("check cold", pct("cold"))
print("check warm", pct("warm"))
print(f"check peak {max(int(x) for x in open(f'{w}/kb')) // 1024} MB; documents compared by the last: {len(json.load(open(f'{w}/last.json'))['sources'])}")
PY
