#!/usr/bin/env bash
# Where a cold `check` spends its time: the same queries run four ways, one process each, and the
# wall seconds of each run printed per way (one line each):
#   warm     the archive and the program in the page cache (a check run just before)
#   archive  the archive file's pages evicted before each run (posix_fadvise DONTNEED), the
#            program and its libraries left cached: what a check costs when the archive is cold
#   program  the binary and the libraries it links (ldd) evicted, the archive left cached
#   all      the whole page cache dropped (needs root), as bench/macro.sh's cold runs
#
#   bench/check_cold_split.sh BIN ARCHIVE QUERIES
#
# QUERIES: one line per check, "FILE [check options]" (bench/macro.sh writes such a list). Pages
# that another process has mapped stay cached (libc, mostly), so "program" is a lower bound.
set -euo pipefail
[[ $# -eq 3 ]] || { sed -n '2,14p' "$0"; exit 2; }
bin="$(realpath "$1")" db="$2" queries="$3"
evict() {
  /usr/bin/python3 - "$@" <<'PY'
import os, sys
for path in sys.argv[1:]:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        continue
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
PY
}
mapfile -t libs < <(ldd "$bin" | awk '/=>/ && $3 ~ /^\// {print $3} /^[[:space:]]*\// {print $1}')
timing="$(mktemp)"
trap 'rm -f "$timing"' EXIT
for way in warm archive program all; do
  if [[ "$way" == all && ! -w /proc/sys/vm/drop_caches ]]; then
    echo "all: (not measured: no permission to drop the page cache)"
    continue
  fi
  line="$way:"
  while read -r query extra; do
    case "$way" in
      warm) "$bin" check --archive "$db" $extra --format json "$query" >/dev/null 2>&1 || true ;;
      archive) sync; evict "$db" "$db-wal" ;;
      program) evict "$bin" "${libs[@]}" ;;
      all) sync; echo 3 >/proc/sys/vm/drop_caches ;;
    esac
    /usr/bin/time -f "%e" -o "$timing" "$bin" check --archive "$db" $extra --format json "$query" >/dev/null 2>&1 || true
    line+=" $(tail -n 1 "$timing")"
  done <"$queries"
  echo "$line"
done
