#!/usr/bin/env bash
# Bulk intake: the laws corpus (3,500 files) added to a new archive with `add`'s default grouping,
# against one transaction per file (--batch 1, the old default) and --batch 1000, alternating,
# REPEAT times each; prints each run's wall and CPU seconds, the medians, and the ratio of each
# median to --batch 1's. The other processes' load is printed with each run: a noisy run shows.
#   bench/bulk_intake.sh [BUILD_DIR] [REPEAT] [LAWS_DIR]
set -euo pipefail
build="${1:-build}"
repeat="${2:-3}"
laws="${3:-../shared/corpora/laws}"
leitong="$(cd "$build" && pwd)/leitong"
[ -d "$laws" ] || { echo "bulk_intake: no folder $laws (the shared corpora)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
declare -A walls cpus
configs=("default" "--batch 1" "--batch 1000")
for ((i = 1; i <= repeat; i++)); do
  for config in "${configs[@]}"; do
    rm -f "$work"/a.db*
    args=(add -q --archive "$work/a.db" --agency 国务院 --year 2020)
    [ "$config" != "default" ] && args+=($config)
    load="$(cut -d' ' -f1 /proc/loadavg)"
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$leitong" "${args[@]}" "$laws" >/dev/null 2>"$work/err" || true
    read -r wall user sys <"$work/time"
    docs="$("$leitong" stats --archive "$work/a.db" --format json | grep -m1 '"documents"' | tr -dc '0-9')"
    cpu="$(echo "$user + $sys" | bc)"
    printf '%-14s run %d: wall %6.2f s, cpu %6.2f s, %s documents (load before: %s)\n' "$config" "$i" "$wall" \
      "$cpu" "$docs" "$load"
    walls[$config]+="$wall "
    cpus[$config]+="$cpu "
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
base="$(echo "${walls[--batch 1]}" | median)"
base_cpu="$(echo "${cpus[--batch 1]}" | median)"
for config in "${configs[@]}"; do
  m="$(echo "${walls[$config]}" | median)"
  c="$(echo "${cpus[$config]}" | median)"
  printf 'median %-14s %6.2f s wall (%.3f of --batch 1), %6.2f s cpu (%.3f)\n' "$config" "$m" \
    "$(echo "$m / $base" | bc -l)" "$c" "$(echo "$c / $base_cpu" | bc -l)"
done
