#!/usr/bin/env bash
# Writes every machine-readable output of one leitong binary on the bundled corpora and on a
# 50-agency x 4-year synthetic archive into OUT, so that two builds can be compared byte for byte
# (`diff -r OUT_A OUT_B`): a change that should not alter behaviour must leave them identical.
#   scripts/outputs.sh build/leitong OUT
# Wall-clock figures (eval's `seconds`) are the only field removed. Takes about a minute.
set -euo pipefail
leitong=$(realpath "$1")
out=$(realpath -m "$2")
cd "$(dirname "$0")/.."
# Archived paths appear in the outputs: the work folder is the same for every binary.
work="${TMPDIR:-/tmp}/leitong-outputs"
rm -rf "$out" "$work"
mkdir -p "$out" "$work"
quiet() { "$leitong" "$@" >/dev/null; }

# The bundled corpora, as the demo archives them.
db="$work/corpora.db"
quiet add --archive "$db" --manifest corpora/manifest.csv
case=corpora/cases/luohu-minzheng-2025.txt
"$leitong" extract --format json "$case" >"$out/extract.json"
"$leitong" check --archive "$db" --agency 深圳市罗湖区民政局 --year 2025 --format json "$case" >"$out/check.json"
"$leitong" check --archive "$db" --agency 深圳市罗湖区民政局 --year 2025 --format text "$case" >"$out/check.txt"
"$leitong" check --archive "$db" --agency 深圳市罗湖区民政局 --year 2025 --format html -o "$out/check.html" "$case"
"$leitong" compare --format json "$case" corpora/reports/luohu-minzheng-2024.txt >"$out/compare.json"
quiet add --archive "$db" --agency 深圳市罗湖区民政局 --year 2025 "$case"
"$leitong" stats --archive "$db" --format json | grep -v '"file_bytes"' >"$out/stats.json"
"$leitong" yoy --archive "$db" --format json >"$out/yoy.json"
"$leitong" yoy --archive "$db" --all-prior --format csv >"$out/yoy-all-prior.csv"
"$leitong" yoy --archive "$db" --format html -o "$out/yoy.html"
"$leitong" clusters --archive "$db" --across-years --format json >"$out/clusters.json"
"$leitong" boilerplate --archive "$db" --top 20 --format json >"$out/boilerplate.json"
"$leitong" verify --archive "$db" --format json >"$out/verify.json"

# The national government work reports 1954-2022.
national="$work/national.db"
quiet add --archive "$national" --manifest corpora/gov-work-reports/manifest.csv
"$leitong" yoy --archive "$national" --format json >"$out/national-yoy.json"
"$leitong" boilerplate --archive "$national" --format json >"$out/national-boilerplate.json"

# A synthetic archive with known truth.
quiet synth --agencies 50 --years 4 --seed 7 --out "$work/synth"
synth_db="$work/synth.db"
quiet add --archive "$synth_db" --batch 100 --manifest "$work/synth/manifest.csv"
"$leitong" yoy --archive "$synth_db" --format json >"$out/synth-yoy.json"
"$leitong" clusters --archive "$synth_db" --format json >"$out/synth-clusters.json"
"$leitong" clusters --archive "$synth_db" --across-years --format json >"$out/synth-clusters-across.json"
"$leitong" boilerplate --archive "$synth_db" --format json >"$out/synth-boilerplate.json"
"$leitong" eval --archive "$synth_db" --truth "$work/synth/truth.jsonl" --format json |
  grep -v '"seconds"' >"$out/synth-eval.json"
report=$(sed -n '2p' "$work/synth/manifest.csv" | cut -d, -f1)
agency=$(sed -n '2p' "$work/synth/manifest.csv" | cut -d, -f2)
year=$(sed -n '2p' "$work/synth/manifest.csv" | cut -d, -f3)
"$leitong" check --archive "$synth_db" --agency "$agency" --year "$year" --format json \
  "$work/synth/$report" >"$out/synth-check.json"
(cd "$work/synth" && find . -type f | sort | xargs sha256sum) >"$out/synth-files.sha256"
rm -rf "$work"
ls "$out" | wc -l
