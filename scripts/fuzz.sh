#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, issue #6) with clang in build-fuzz/ and runs each for N
# seconds on a copy of its seed corpus; exits non-zero if any target crashed, leaked, hit undefined
# behaviour, timed out or ran out of memory (the input is left in build-fuzz/artifacts/TARGET/).
#
#   scripts/fuzz.sh [--seconds N] [--jobs] [TARGET...] [-- LIBFUZZER_FLAG...]
#
# TARGET: decode normalize extract_html extract_docx extract_pdf align (the fuzz_ prefix may be
# given); all of them by default, one after another. --seconds: per target, default 30. --jobs runs
# each target under libFuzzer's -jobs=1 (the fuzzing in a supervised child process; long runs).
# New inputs go to build-fuzz/corpus-work/TARGET/; the committed seeds in fuzz/corpus/ are only read.
# Flags after -- go to every target (e.g. -- -max_len=65536).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=30
jobs=0
targets=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --jobs) jobs=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) targets+=("${1#fuzz_}"); shift ;;
  esac
done
all=(decode normalize extract_html extract_docx extract_pdf align upload)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz: unknown target $t (one of: ${all[*]})" >&2; exit 2; }
done

# clang with libFuzzer and the sanitizer runtimes, from Debian's packages.
scripts/install-deps.sh --fuzz

build=$root/build-fuzz
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLEITONG_BUILD_TESTS=OFF -DLEITONG_BUILD_BENCH=OFF -DLEITONG_BUILD_TOOLS=OFF -DLEITONG_BUILD_FUZZ=ON
fi
cmake --build "$build" -j"${FUZZ_BUILD_JOBS:-2}" --target "${targets[@]/#/fuzz_}"

declare -A dicts=([extract_html]=html.dict [extract_docx]=docx.dict [extract_pdf]=pdf.dict)
failed=0
summary=()
for t in "${targets[@]}"; do
  name=fuzz_$t
  work=$build/corpus-work/$name
  artifacts=$build/artifacts/$name
  logdir=$build/logs/$name
  mkdir -p "$work" "$artifacts" "$logdir"
  cp -n "$root/fuzz/corpus/$name/"* "$work/" 2>/dev/null || true
  rm -f "$logdir"/fuzz-*.log
  # A per-input time limit well under what a hang would take, and for the extractors inputs large
  # enough to have shape (deep nesting, long lines), which small inputs never show.
  flags=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 -print_final_stats=1
         -artifact_prefix="$artifacts/")
  [[ "$t" != extract_* ]] || flags+=(-max_len=262144)
  [ -z "${dicts[$t]:-}" ] || flags+=(-dict="$root/fuzz/dict/${dicts[$t]}")
  [ "$jobs" -eq 0 ] || flags+=(-jobs=1)
  before=$(find "$artifacts" -type f | wc -l)
  echo "== $name: ${seconds}s"
  start=$(date +%s)
  status=0
  (cd "$logdir" && "$build/fuzz/$name" "${flags[@]}" "${extra[@]}" "$work") > "$logdir/run.log" 2>&1 || status=$?
  elapsed=$(( $(date +%s) - start ))
  cat "$logdir"/fuzz-*.log >> "$logdir/run.log" 2>/dev/null || true
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$logdir/run.log" | tail -1 | awk '{print $2}' || true)
  after=$(find "$artifacts" -type f | wc -l)
  result=ok
  if [ "$status" -ne 0 ] || [ "$after" -ne "$before" ]; then
    result="FAILED (exit $status; inputs in $artifacts)"
    failed=1
    grep -E 'ERROR: |runtime error|leitong fuzz invariant|SUMMARY' "$logdir/run.log" | head -5 || true
  fi
  summary+=("$(printf '%-18s %6ss %12s execs  %s' "$name" "$elapsed" "${execs:-?}" "$result")")
done
echo
echo "target              time        executions  result   (logs: build-fuzz/logs/TARGET/run.log)"
printf '%s\n' "${summary[@]}"
exit $failed
