#!/usr/bin/env bash
# Where a cold `check` spends its time: the same queries run six ways, one process each, and the
# wall seconds of each run printed per way (one line each):
#   warm     the archive and the program in the page cache (a check run just before)
#   archive  the archive file's pages evicted before each run (posix_fadvise DONTNEED), the
#            program and its libraries left cached: what a check costs when the archive is cold
#   program  the binary and the libraries it links (ldd) evicted, the archive left cached
#   binary   only the leitong binary evicted
#   formats  only the libraries a check of a text file has no use for evicted (those for PDF input
#            and output, spreadsheets and web pages, and what they pull in: everything but the C
#            and C++ runtimes, SQLite, zstd, xxHash, fmt, ICU, OpenCC (older builds), libzip with zlib, bzip2 and
#            libcrypto, libsodium):
#            what loading them only when needed would take off a cold start (a build that opens
#            them on first use links none of them: this way is then the same as warm)
#   all      the whole page cache dropped (needs root), as bench/macro.sh's cold runs
#
#   bench/check_cold_split.sh BIN ARCHIVE QUERIES
#
# QUERIES: one line per check, "FILE [check options]" (bench/macro.sh writes such a list). Pages
# that another process has mapped stay cached (libc, mostly), so "program" is a lower bound.
set -euo pipefail
[[ $# -eq 3 ]] || { sed -n '2,20p' "$0"; exit 2; }
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
core='/(libc|libm|libstdc\+\+|libgcc_s|ld-linux-x86-64|libsqlite3|libzstd|libxxhash|libfmt|libicuuc|libicudata|libopencc|libmarisa|libzip|libz|libbz2|libcrypto|libsodium)\.so'
mapfile -t format_libs < <(printf '%s\n' "${libs[@]}" | grep -Ev "$core")
timing="$(mktemp)"
trap 'rm -f "$timing"' EXIT
for way in warm archive program binary formats all; do
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
      binary) evict "$bin" ;;
      formats) evict "${format_libs[@]}" ;;
      all) sync; echo 3 >/proc/sys/vm/drop_caches ;;
    esac
    /usr/bin/time -f "%e" -o "$timing" "$bin" check --archive "$db" $extra --format json "$query" >/dev/null 2>&1 || true
    line+=" $(tail -n 1 "$timing")"
  done <"$queries"
  echo "$line"
done
