#!/usr/bin/env bash
# The main job on the bundled corpora: install what is needed, build, archive corpora/ and check
# a report recycled from its agency's previous year against it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
mkdir -p out
rm -f out/corpora.db out/corpora.db-wal out/corpora.db-shm
echo
echo "== leitong add --archive out/corpora.db --manifest corpora/manifest.csv"
build/leitong add --archive out/corpora.db --manifest corpora/manifest.csv
echo
echo "== leitong stats --archive out/corpora.db"
build/leitong stats --archive out/corpora.db
echo
echo "== leitong check --archive out/corpora.db --agency 深圳市罗湖区民政局 --year 2025 corpora/cases/luohu-minzheng-2025.txt"
build/leitong check --archive out/corpora.db --agency 深圳市罗湖区民政局 --year 2025 corpora/cases/luohu-minzheng-2025.txt
build/leitong check --archive out/corpora.db --agency 深圳市罗湖区民政局 --year 2025 --format json \
  -o out/luohu-minzheng-2025.json corpora/cases/luohu-minzheng-2025.txt
echo
echo "(JSON findings written to out/luohu-minzheng-2025.json)"
