#!/usr/bin/env bash
# Macro benchmark (issue #5): archives of synthetic reports and of the laws corpus, built and
# queried by the real `leitong` binary, one process per step, as an inspector would run it.
# Prints one table: build time and input MB/s (the files' bytes over `add`'s wall time), archive
# bytes per report (total, index, text), `check` latency p50/p99 cold (page cache dropped before
# each run, when permitted) and warm, `yoy` time, `verify` time and the peak memory of each step.
# The real corpora beside the synthetic archives: the national government work reports 1954–2022
# (bundled) and the laws (../shared/corpora/laws).
#
#   bench/macro.sh [--sizes "10000 100000"] [--checks 30] [--yoy-max 20000] [--no-laws]
#                  [--batch N] [--bin build-rel/leitong] [--work DIR] [--keep]
#
#   --sizes      synthetic archive sizes in reports (5 years each; agencies = size / 5)
#   --checks     reports checked per archive for the latency percentiles (warm runs; cold runs
#                are min(10, checks))
#   --yoy-max    skip `yoy` on archives larger than this (one full check per report: see bench/README.md)
#   --no-laws    skip the laws archive (../shared/corpora/laws, needed for it)
#   --batch      files per transaction when building (`add --batch`; default 1, one per file)
#   --reuse      with --work DIR of an earlier run: archives already built there are measured again
#                (their build figures are taken from DIR/build.txt), not rebuilt
#
# The synthetic reports are new sentences modelled on the bundled reports and national reports
# (leitong synth; laws are not needed for them, only for the laws archive).
# Needs a Release build: scripts/build.sh (Release by default, in build/) or --bin.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
sizes="10000 100000"
checks=30
yoy_max=20000
batch=1
laws=1
bin=""
work=""
keep=0
reuse=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --checks) checks="$2"; shift 2 ;;
    --yoy-max) yoy_max="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --no-laws) laws=0; shift ;;
    --bin) bin="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --reuse) reuse=1; keep=1; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "macro.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ -z "$bin" ]]; then
  for candidate in build-rel/leitong build-rel/tools/leitong/leitong build/leitong; do
    [[ -x "$candidate" ]] && { bin="$candidate"; break; }
  done
fi
[[ -x "$bin" ]] || { echo "macro.sh: no leitong binary (build with scripts/build.sh or pass --bin)" >&2; exit 2; }
bin="$(realpath "$bin")"
shared="${LEITONG_SHARED_CORPORA:-$root/../shared/corpora}"
if [[ -z "$work" ]]; then work="$(mktemp -d /tmp/leitong-macro.XXXXXX)"; fi
mkdir -p "$work"
[[ "$keep" == 1 ]] || trap 'rm -rf "$work"' EXIT
results="$work/results.tsv"
: >"$results"

# Synthetic corpora: bundled reports + national reports (synth reads nothing else).
corpora="$work/corpora"
mkdir -p "$corpora"
ln -sfn "$root/corpora/reports" "$corpora/reports"
ln -sfn "$root/corpora/gov-work-reports" "$corpora/gov-work-reports"

can_drop=0
if [[ -w /proc/sys/vm/drop_caches ]]; then can_drop=1; fi
drop_caches() { if [[ "$can_drop" == 1 ]]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi; }

# timed LABEL CMD...: runs CMD, appends "label wall_s peak_kb" to $work/times.
timed() {
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time.out" "$@" >/dev/null
  echo "$label $(cat "$work/time.out")" >>"$work/times"
}
# The bytes of the files a manifest names (paths relative to the manifest's folder, or absolute).
manifest_bytes() {
  python3 - "$1" <<'EOF2'
import csv, os, sys
m = sys.argv[1]
base = os.path.dirname(os.path.abspath(m))
with open(m, newline="", encoding="utf-8-sig") as f:
    print(sum(os.path.getsize(os.path.join(base, r["path"])) for r in csv.DictReader(f)))
EOF2
}
mb_per_s() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b / s / 1e6; else print "-" }'; }
json_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
percentiles() {  # label file-of-seconds → "p50 p99" in ms
  python3 - "$1" <<'EOF'
import sys, statistics
v = sorted(float(x) for x in open(sys.argv[1]) if x.strip())
if not v:
    print("- -"); sys.exit()
def pct(p):
    k = (len(v) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)
print(f"{pct(0.5)*1000:.0f} {pct(0.99)*1000:.0f}")
EOF
}

# measure NAME DB QUERY_LIST DOCS: check latency and yoy on a built archive.
measure() {
  local name="$1" db="$2" queries="$3" docs="$4" yoy="$5"
  "$bin" stats --archive "$db" --format json >"$work/stats.json"
  local file_bytes index_per text_bytes
  file_bytes=$(json_field "$work/stats.json" file_bytes)
  index_per=$(json_field "$work/stats.json" index_bytes_per_document)
  text_bytes=$(json_field "$work/stats.json" text_bytes)
  : >"$work/cold.txt"; : >"$work/warm.txt"; : >"$work/check_kb.txt"
  local n=0 cold_runs=$((checks < 10 ? checks : 10))
  while read -r query extra; do
    n=$((n + 1))
    if [[ "$n" -le "$cold_runs" && "$can_drop" == 1 ]]; then
      drop_caches
      /usr/bin/time -f "%e %M" -o "$work/time.out" "$bin" check --archive "$db" $extra --format json "$query" >/dev/null 2>&1
      awk '{print $1}' "$work/time.out" >>"$work/cold.txt"
    fi
    "$bin" check --archive "$db" $extra --format json "$query" >/dev/null 2>&1  # warm the page cache
    /usr/bin/time -f "%e %M" -o "$work/time.out" "$bin" check --archive "$db" $extra --format json "$query" >/dev/null 2>&1
    awk '{print $1}' "$work/time.out" >>"$work/warm.txt"
    awk '{print $2}' "$work/time.out" >>"$work/check_kb.txt"
  done <"$queries"
  local cold warm check_mb
  cold=$(percentiles "$work/cold.txt")
  warm=$(percentiles "$work/warm.txt")
  check_mb=$(sort -n "$work/check_kb.txt" | tail -1 | awk '{printf "%.0f", $1 / 1024}')
  local yoy_s="skipped" yoy_mb="-" yoy_rows="-"
  if [[ -n "$yoy" && "$docs" -le "$yoy_max" ]]; then
    local year_option=(--year "$yoy")
    [[ "$yoy" == all ]] && year_option=()
    /usr/bin/time -f "%e %M" -o "$work/time.out" "$bin" yoy --archive "$db" -q "${year_option[@]}" --format csv --no-bom -o "$work/yoy.csv"
    yoy_s=$(awk '{print $1}' "$work/time.out")
    yoy_mb=$(awk '{printf "%.0f", $2 / 1024}' "$work/time.out")
    yoy_rows=$(($(wc -l <"$work/yoy.csv") - 1))
  fi
  local verify_s verify_mb
  if /usr/bin/time -f "%e %M" -o "$work/time.out" "$bin" verify --archive "$db" >/dev/null; then
    verify_s=$(awk '{print $1}' "$work/time.out")
    verify_mb=$(awk '{printf "%.0f", $2 / 1024}' "$work/time.out")
  else
    verify_s="failed" verify_mb="-"  # a damaged archive: said in the table, the run goes on
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$docs" \
    "$(awk -v b="$file_bytes" -v n="$docs" 'BEGIN{printf "%.0f", b / n}')" "$index_per" \
    "$(awk -v b="$text_bytes" -v n="$docs" 'BEGIN{printf "%.0f", b / n}')" \
    "$cold" "$warm" "$check_mb" "$yoy_s" "$yoy_rows" "$yoy_mb" "$verify_s" "$verify_mb" >>"$results"
}

for size in $sizes; do
  agencies=$((size / 5))
  dir="$work/synth-$size"
  echo "== $size synthetic reports ($agencies agencies x 5 years) in $dir" >&2
  if [[ "$reuse" == 1 && -f "$dir/a.db" && -d "$dir/reports" ]] && grep -q "^$size " "$work/build.txt" 2>/dev/null; then
    echo "   (reusing the archive built earlier)" >&2
    built=1
  else
    built=0
    : >"$work/times"
    timed synth "$bin" synth --agencies "$agencies" --years 5 --seed 1 --corpora "$corpora" --out "$dir" -q
    timed add "$bin" add -q --batch "$batch" --archive "$dir/a.db" --manifest "$dir/manifest.csv"
    read -r _ synth_s synth_kb < <(grep '^synth ' "$work/times")
    read -r _ add_s add_kb < <(grep '^add ' "$work/times")
  fi
  # (no `head`: with pipefail, a reader that stops early kills the script with SIGPIPE)
  ls "$dir"/reports/2025/ | awk -v d="$dir/reports/2025" -v k="$checks" 'NR % int(1 + 1000 / k) == 1 && n++ < k { print d "/" $0 }' >"$work/queries"
  measure "synthetic" "$dir/a.db" "$work/queries" "$size" 2025
  [[ "$built" == 1 ]] ||
    echo "$size synth_s=$synth_s add_s=$add_s add_peak_mb=$((add_kb / 1024)) add_MB_s=$(mb_per_s "$(manifest_bytes "$dir/manifest.csv")" "$add_s")" >>"$work/build.txt"
  [[ "$keep" == 1 ]] || rm -rf "$dir/reports" "$dir/templates"
done

if [[ "$laws" == 1 && -d "$shared/laws" ]]; then
  echo "== laws ($shared/laws)" >&2
  dir="$work/laws"
  mkdir -p "$dir"
  # Laws have no agency or year: one manifest row per file, its folder as the agency.
  find "$(realpath "$shared/laws")" -name '*.md' ! -name '_index.md' | sort |
    awk -F/ '{ printf "\"%s\",%s,2024,report\n", $0, $(NF-1) }' >"$dir/rows.csv"
  { echo "path,agency,year,kind"; cat "$dir/rows.csv"; } >"$dir/manifest.csv"
  docs=$(wc -l <"$dir/rows.csv")
  rm -f "$dir"/a.db "$dir"/a.db-wal "$dir"/a.db-shm  # a kept archive would time adds of nothing
  : >"$work/times"
  timed add "$bin" add -q --batch "$batch" --archive "$dir/a.db" --manifest "$dir/manifest.csv"
  read -r _ add_s add_kb < <(grep '^add ' "$work/times")
  awk -F'"' -v k="$checks" 'NR % int(1 + 3500 / k) == 1 && n++ < k { print $2 }' "$dir/rows.csv" |
    while read -r f; do printf '%s --agency 待查 --year 2025\n' "$f"; done >"$work/queries"
  # File names hold spaces and parentheses: pass them through a symlink without any.
  i=0; : >"$work/queries2"
  while read -r line; do
    f="${line% --agency*}"; i=$((i + 1)); ln -sfn "$f" "$work/q$i.md"
    echo "$work/q$i.md --agency 待查 --year 2025" >>"$work/queries2"
  done <"$work/queries"
  measure "laws" "$dir/a.db" "$work/queries2" "$docs" ""
  echo "laws add_s=$add_s add_peak_mb=$((add_kb / 1024)) add_MB_s=$(mb_per_s "$(manifest_bytes "$dir/manifest.csv")" "$add_s")" >>"$work/build.txt"
fi

# The national government work reports 1954–2022 (bundled): one agency, a report a year; every
# report is checked against the others (a check leaves out the report's own text), yoy over all.
echo "== national reports ($root/corpora/gov-work-reports)" >&2
dir="$work/national"
national="$root/corpora/gov-work-reports/manifest.csv"
mkdir -p "$dir"
national_built=0
if [[ "$reuse" == 1 && -f "$dir/a.db" ]] && grep -q "^national " "$work/build.txt" 2>/dev/null; then
  echo "   (reusing the archive built earlier)" >&2
  national_built=1
else
  rm -f "$dir"/a.db "$dir"/a.db-wal "$dir"/a.db-shm  # a kept archive would time adds of nothing
  : >"$work/times"
  timed add "$bin" add -q --batch "$batch" --archive "$dir/a.db" --manifest "$national"
  read -r _ add_s add_kb < <(grep '^add ' "$work/times")
fi
docs=$(($(wc -l <"$national") - 1))
# Queries spread over the years.
tail -n +2 "$national" |
  awk -F, -v d="$root/corpora/gov-work-reports" -v k="$checks" -v total="$docs" \
    'NR % int(1 + total / k) == 1 && n++ < k { print d "/" $1 " --agency " $2 " --year " $3 }' >"$work/queries"
measure "national" "$dir/a.db" "$work/queries" "$docs" "all"
[[ "$national_built" == 1 ]] ||
  echo "national add_s=$add_s add_peak_mb=$((add_kb / 1024)) add_MB_s=$(mb_per_s "$(manifest_bytes "$national")" "$add_s")" >>"$work/build.txt"

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load $(cut -d' ' -f1-3 /proc/loadavg); cold runs: $([[ $can_drop == 1 ]] && echo "page cache dropped before each" || echo "not measured (no permission to drop caches)")"
echo
printf '%-10s %8s %8s %7s %7s %9s %9s %8s %9s %9s %8s %8s %8s %7s %7s %8s %9s\n' archive reports build_s add_MB/s add_MB \
  bytes/doc index/doc text/doc cold_p50 cold_p99 check_MB warm_p50 warm_p99 yoy_s yoy_MB verify_s verify_MB
while IFS=$'\t' read -r name docs per index_per text_per cold warm check_mb yoy_s yoy_rows yoy_mb verify_s verify_mb; do
  key="$docs"; [[ "$name" == laws || "$name" == national ]] && key="$name"
  line=$(grep "^$key " "$work/build.txt" | tail -n 1)  # the latest build of it
  build=$(sed -n 's/.*add_s=\([^ ]*\).*/\1/p' <<<"$line")
  add_mb=$(sed -n 's/.*add_peak_mb=\([^ ]*\).*/\1/p' <<<"$line")
  add_rate=$(sed -n 's/.*add_MB_s=\([^ ]*\).*/\1/p' <<<"$line")
  read -r cold50 cold99 <<<"$cold"
  read -r warm50 warm99 <<<"$warm"
  printf '%-10s %8s %8s %7s %7s %9s %9s %8s %9s %9s %8s %8s %8s %7s %7s %8s %9s\n' "$name" "$docs" "$build" "${add_rate:--}" "$add_mb" \
    "$per" "$index_per" "$text_per" "$cold50" "$cold99" "$check_mb" "$warm50" "$warm99" "$yoy_s" "$yoy_mb" "$verify_s" "$verify_mb"
done <"$results"
echo
echo "check latencies in ms (one process each); yoy: --year 2025 only for the synthetic archives (rows: one per agency), every year for the national reports"
cat "$work/build.txt"
