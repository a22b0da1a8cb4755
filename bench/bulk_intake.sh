#!/usr/bin/env bash
# Bulk intake: the laws corpus (3,500 files) added to a new archive with `add`'s default grouping,
# against one transaction per file (--batch 1, the old default) and --batch 1000, alternating,
# REPEAT times each; prints each run's wall and CPU seconds, the medians, and the ratio of each
# median to --batch 1's. The other processes' load is printed with each run: a noisy run shows.
#   bench/bulk_intake.sh [BUILD_DIR] [REPEAT] [LAWS_DIR]
#
# Builds compared (the bulk add pipeline): each manifest added to a new archive by each binary,
# alternating the binaries, REPEAT times each, `add -q --batch BATCH`; prints each run's wall and
# CPU seconds, MB/s (the manifest's input bytes / wall seconds), peak RSS, the bytes written to the
# disk and the archive's size, then the medians and
# the ratio of each binary's median wall time to the first binary's. --drop-caches drops the page
# cache before each run (root only), so that every run reads its input from disk.
#   bench/bulk_intake.sh --compare "OLD_BIN NEW_BIN" [--repeat N] [--batch N] [--drop-caches] MANIFEST.csv...
set -euo pipefail
if [[ "${1:-}" == --compare ]]; then
  read -r -a bins <<<"$2"
  shift 2
  repeat=3 batch=20000 drop=0
  while [[ "${1:-}" == --* ]]; do
    case "$1" in
      --repeat) repeat="$2"; shift 2 ;;
      --batch) batch="$2"; shift 2 ;;
      --drop-caches) drop=1; shift ;;
      *) echo "bulk_intake: unknown option $1" >&2; exit 2 ;;
    esac
  done
  work="$(mktemp -d "${TMPDIR:-/tmp}/bulk_intake.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
  for manifest in "$@"; do
    # Input bytes: every file the manifest names (paths relative to it), as bench/macro.sh counts.
    bytes="$(cd "$(dirname "$manifest")" && tail -n +2 "$(basename "$manifest")" |
      awk -F, '{ if ($0 ~ /^"/) { split($0, q, "\""); print q[2] } else print $1 }' | tr '\n' '\0' |
      xargs -0 stat -L -c %s | awk '{s += $1} END {printf "%.0f\n", s}')"
    declare -A walls=() rss=()
    for ((i = 1; i <= repeat; i++)); do
      for b in "${!bins[@]}"; do
        rm -f "$work"/a.db*
        if ((drop)); then sync; echo 3 >/proc/sys/vm/drop_caches; fi
        load="$(cut -d' ' -f1 /proc/loadavg)"
        /usr/bin/time -f "%e %U %S %M %O" -o "$work/time" "${bins[$b]}" add -q --batch "$batch" --archive "$work/a.db" \
          --manifest "$manifest" >/dev/null 2>"$work/err" || true
        read -r wall user sys kb out <"$work/time"
        # Written: the file-system outputs (512-byte units), the write-ahead log's copies included.
        printf '%s  bin %d run %d: wall %7.2f s, cpu %7.2f s, %6.1f MB/s, peak %5d MB, written %8.1f MB, archive %7.1f MB (load before: %s)\n' \
          "$(basename "$(dirname "$manifest")")" "$b" "$i" "$wall" "$(echo "$user + $sys" | bc)" \
          "$(echo "$bytes / $wall / 1000000" | bc -l)" "$((kb / 1024))" "$(echo "$out * 512 / 1000000" | bc -l)" \
          "$(echo "$(stat -c %s "$work/a.db") / 1000000" | bc -l)" "$load"
        walls[$b]+="$wall "
        rss[$b]+="$((kb / 1024)) "
      done
    done
    base="$(echo "${walls[0]}" | median)"
    for b in "${!bins[@]}"; do
      m="$(echo "${walls[$b]}" | median)"
      printf 'median %s bin %d (%s): %7.2f s wall, %6.1f MB/s, %.3f of bin 0, peak RSS %s MB\n' \
        "$(basename "$(dirname "$manifest")")" "$b" "${bins[$b]}" "$m" "$(echo "$bytes / $m / 1000000" | bc -l)" \
        "$(echo "$m / $base" | bc -l)" "$(echo "${rss[$b]}" | median)"
    done
  done
  exit 0
fi
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
