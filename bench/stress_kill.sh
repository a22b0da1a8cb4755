#!/usr/bin/env bash
# Crash-safety stress (issue #6): runs `leitong add` of the 54 bundled government work reports and
# kills it with SIGKILL at a random moment, KILLS times; after every kill the archive must pass
# `leitong verify` and hold at least the documents it held before (a committed document is never
# lost). When an add completes, the archive starts over. Prints kills survived and documents lost.
#
#   bench/stress_kill.sh [LEITONG_BINARY] [KILLS] [ADD_OPTIONS]   (defaults: build/leitong, 100, none)
#
# ADD_OPTIONS, e.g. "--batch 8", are passed to every `add` (with --batch a kill loses the open
# group only: the count of committed documents still never drops).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "${1:-build/leitong}")"
kills="${2:-100}"
read -r -a add_options <<<"${3:-}"
manifest="$PWD/corpora/gov-work-reports/manifest.csv"
total=$(($(wc -l <"$manifest") - 1))
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/a.db"

count() { "$bin" stats --archive "$db" --format json | sed -n 's/^ *"documents": \([0-9]*\),*$/\1/p'; }

start=$(date +%s.%N)
"$bin" add -q "${add_options[@]}" --archive "$db" --manifest "$manifest"
full_ms=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%d", (e - s) * 1000 }')
rm -f "$db" "$db-wal" "$db-shm"

survived=0 created_empty=0 lost=0 mid_run=0 restarts=0 before=0
for ((k = 1; k <= kills; k++)); do
  "$bin" add -q "${add_options[@]}" --archive "$db" --manifest "$manifest" >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v r="$RANDOM" -v m="$full_ms" 'BEGIN { printf "%.3f", (1 + r % m) / 1000 }')"
  if kill -KILL "$pid" 2>/dev/null; then mid_run=$((mid_run + 1)); fi
  wait "$pid" 2>/dev/null || true
  if [[ ! -e "$db" ]]; then survived=$((survived + 1)); continue; fi
  if ! "$bin" verify --archive "$db" >"$work/verify.txt" 2>&1; then
    if grep -q "empty file\|not a leitong archive yet" "$work/verify.txt"; then
      survived=$((survived + 1)) created_empty=$((created_empty + 1))  # killed while creating it
      continue
    fi
    echo "kill $k: archive damaged:" >&2
    cat "$work/verify.txt" >&2
    continue
  fi
  after=$(count)
  if ((after < before)); then lost=$((lost + before - after)); echo "kill $k: $((before - after)) documents lost" >&2; fi
  survived=$((survived + 1))
  before=$after
  if ((after == total)); then rm -f "$db" "$db-wal" "$db-shm"; before=0; restarts=$((restarts + 1)); fi
done
"$bin" add -q "${add_options[@]}" --archive "$db" --manifest "$manifest"
"$bin" verify --archive "$db" >/dev/null
final=$(count)
printf '%-34s %s\n' "full add (ms)" "$full_ms" "kills" "$kills" "killed mid-run" "$mid_run" \
  "kills survived (archive verifies)" "$survived" "  of which killed while creating it" "$created_empty" "documents lost" "$lost" "adds completed before the kill" \
  "$restarts" "documents after re-running add" "$final / $total"
((survived == kills && lost == 0 && final == total))
