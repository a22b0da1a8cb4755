#!/usr/bin/env bash
# Peers side by side (issue #5): Debian's similarity-tester (sim_text) and simhash, npm's minhash
# and simhash-js against leitong, on the same corpora:
#   gov   the 54 national 政府工作报告 of corpora/gov-work-reports (manifest order)
#   laws  the first PEERS_LAWS (default 1000) laws of ../shared/corpora/laws, sorted by path
#   cases corpora/cases/luohu-minzheng-2025.txt (planted: the 2024 report recycled) against its
#         source and against the other bundled reports
# It installs what is missing (apt: similarity-tester simhash nodejs npm; npm: bench/peers/package.json
# into build-peers/npm), times every task PEERS_REPS (default 3) times and prints the table that
# bench/peers/RESULTS.md holds (written with --write-results). Everything it makes is in build-peers/.
#
#   bench/peers.sh [--write-results]
#   env: LEITONG=path/to/leitong (default: a copy of build-rel/leitong; else a Release build in
#        build-peers/leitong), PEERS_REPS, PEERS_LAWS, LEITONG_SHARED_CORPORA (default ../shared/corpora)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
B=$ROOT/build-peers
C=$B/corpus
REPS=${PEERS_REPS:-3}
NLAWS=${PEERS_LAWS:-1000}
SHARED=${LEITONG_SHARED_CORPORA:-$ROOT/../shared/corpora}
WRITE=0; [[ ${1:-} == --write-results ]] && WRITE=1

# --- installs ---------------------------------------------------------------------------------
SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
need=()
command -v sim_text >/dev/null || need+=(similarity-tester)
command -v simhash  >/dev/null || need+=(simhash)
command -v node     >/dev/null || need+=(nodejs)
command -v npm      >/dev/null || need+=(npm)
command -v python3  >/dev/null || need+=(python3)
if ((${#need[@]})); then
  echo "== apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
mkdir -p "$B/npm" "$B/run" "$B/out" "$B/times" "$B/scores"
if ! cmp -s bench/peers/package.json "$B/npm/package.json" || [[ ! -d $B/npm/node_modules/minhash || ! -d $B/npm/node_modules/simhash-js ]]; then
  echo "== npm install (build-peers/npm)"
  cp bench/peers/package.json "$B/npm/package.json"
  (cd "$B/npm" && npm install --no-audit --no-fund --loglevel=error)
fi

# --- leitong: a private copy, so that a rebuild of build-rel by someone else cannot change it mid-run
if [[ -n ${LEITONG:-} ]]; then
  cp "$LEITONG" "$B/run/leitong"
elif [[ -x build-rel/leitong ]] && grep -q 'CMAKE_BUILD_TYPE:STRING=Release' build-rel/CMakeCache.txt 2>/dev/null; then
  cp build-rel/leitong "$B/run/leitong"
else
  echo "== Release build of leitong in build-peers/leitong"
  cmake -S . -B "$B/leitong" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEITONG_BUILD_TESTS=OFF -DLEITONG_BUILD_BENCH=OFF >/dev/null
  nice ninja -C "$B/leitong" -j1 leitong
  cp "$(find "$B/leitong" -name leitong -type f -perm -u+x | head -1)" "$B/run/leitong"
fi
L=$B/run/leitong

# --- corpora ----------------------------------------------------------------------------------
echo "== corpora (build-peers/corpus)"
python3 bench/peers/prep.py "$ROOT" "$SHARED" "$C" "$NLAWS"
sp() { sed 's#/corpus/\(gov\|laws\|cases\)/#/corpus/spaced/\1/#g'; }   # path -> its spaced copy
sp < "$C/gov.pairs"   > "$C/spaced-gov.pairs"
sp < "$C/cases.pairs" > "$C/spaced-cases.pairs"
sp < "$C/gov.list"    > "$C/spaced-gov.list"     # the same order as gov.list
sp < "$C/laws.list"   > "$C/spaced-laws.list"
sp < "$C/cases.list"  > "$C/spaced-cases.list"

# --- the per-pair scorers (stdin: "A<TAB>B" lines; stdout: "A<TAB>B<TAB>score") -----------------
leitong_pairs() {   # aligned copy ratio of A against B (share of A's characters), leitong compare
  while IFS=$'\t' read -r a b; do
    printf '%s\t%s\t%s\n' "$a" "$b" "$("$L" compare --format json "$a" "$b" | sed -n 's/^  "copy_ratio": \(.*\),$/\1/p')"
  done
}
simtext_pairs() {   # "A consists for x % of B material" (sim_text -p, A new, B old); no line = 0
  local opts=$1
  while IFS=$'\t' read -r a b; do
    # shellcheck disable=SC2086
    printf '%s\t%s\t%s\n' "$a" "$b" "$( { sim_text $opts -p -t 1 "$a" / "$b" | sed -n 's/.* consists for \([0-9]*\) % of .*/\1/p' | head -1; echo 0; } | head -1)"
  done
}
export L; export -f leitong_pairs simtext_pairs

# timeit NAME 'command': runs it REPS times under nice, wall seconds to times/NAME, output of the
# last run to out/NAME
timeit() {
  local name=$1 cmd=$2 r s e
  : > "$B/times/$name"
  for ((r = 1; r <= REPS; r++)); do
    s=$(date +%s%N)
    nice -n 10 bash -c "$cmd" > "$B/out/$name" 2> "$B/out/$name.err" || { echo "FAILED: $name"; cat "$B/out/$name.err"; exit 1; }
    e=$(date +%s%N)
    echo "$(( (e - s) / 1000 ))" >> "$B/times/$name"   # microseconds
  done
  printf '   %-28s %s\n' "$name" "$(sort -n "$B/times/$name" | tr '\n' ' ')us"
}

echo "== (a) sketch / index every document (${REPS} runs each)"
for corpus in gov laws; do
  timeit "leitong-add-$corpus"  "rm -f $B/run/$corpus.db*; '$L' add --archive $B/run/$corpus.db --manifest $C/$corpus.manifest.csv"
  timeit "simhash-w-$corpus"    "xargs -d '\n' simhash -s 15 -f 128 -w < $C/$corpus.list"
  timeit "minhash-js-$corpus"   "node bench/peers/minhash.js $C/$corpus.list"
  timeit "simhash-js-$corpus"   "node bench/peers/simhash.js $C/$corpus.list"
done
# sim_text has no sketch: its one job is matching all files against each other
timeit "sim_text-raw-laws"      "sim_text -p -t 1 -i < $C/laws.list"
timeit "sim_text-spaced-laws"   "sim_text -p -t 1 -r 5 -i < $C/spaced-laws.list"

echo "== (b) the national reports, each year against the previous one ($(wc -l < "$C/gov.pairs") pairs)"
timeit "leitong-yoy"            "'$L' yoy --archive $B/run/gov.db --format csv"
timeit "leitong-compare"        "leitong_pairs < $C/gov.pairs"
timeit "sim_text-raw-yoy"       "simtext_pairs '' < $C/gov.pairs"
timeit "sim_text-spaced-yoy"    "simtext_pairs '-r 5' < $C/spaced-gov.pairs"
timeit "simhash-m-gov"          "xargs -d '\n' simhash -s 15 -f 128 -m < $C/gov.list"
timeit "minhash-js-yoy"         "node bench/peers/minhash.js $C/gov.list $C/gov.pairs"
timeit "simhash-js-yoy"         "node bench/peers/simhash.js $C/gov.list $C/gov.pairs"

echo "== planted case (scores only)"
leitong_pairs < "$C/cases.pairs" > "$B/scores/leitong-cases"
simtext_pairs '' < "$C/cases.pairs" > "$B/scores/sim_text-raw-cases"
simtext_pairs '-r 5' < "$C/spaced-cases.pairs" > "$B/scores/sim_text-spaced-cases"
xargs -d '\n' simhash -s 15 -f 128 -m < "$C/cases.list" > "$B/scores/simhash-m-cases"
node bench/peers/minhash.js "$C/cases.list" "$C/cases.pairs" > "$B/scores/minhash-js-cases" 2>/dev/null
node bench/peers/simhash.js "$C/cases.list" "$C/cases.pairs" > "$B/scores/simhash-js-cases" 2>/dev/null

echo "== what sim_text sees: its token (\"word\") count per file, raw and spaced"
sim_text -p -t 1 -i < "$C/gov.list"        2>&1 | grep '^File .*words' > "$B/scores/sim_text-words-raw" || true
sim_text -p -t 1 -i < "$C/spaced-gov.list" 2>&1 | grep '^File .*words' > "$B/scores/sim_text-words-spaced" || true

load=$(cut -d' ' -f1-3 /proc/loadavg)
python3 bench/peers/report.py "$B" "$C" "$REPS" "$load" "$WRITE" "$ROOT/bench/peers/RESULTS.md"
