#!/usr/bin/env bash
# The main job on the bundled corpora: install what is needed, build, archive corpora/, check a
# recycled report against it (text and HTML evidence), then run the inspector's year-over-year
# check and boilerplate listing, and the year-over-year check of the national reports 1954–2022.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
leitong=build/leitong
mkdir -p out
rm -rf out/corpora.db* out/national.db* out/*.html out/*_files
run() { echo; echo "== leitong $*"; "$leitong" "$@"; }

run add --archive out/corpora.db --manifest corpora/manifest.csv
run stats --archive out/corpora.db
case=corpora/cases/luohu-minzheng-2025.txt
run check --archive out/corpora.db --agency 深圳市罗湖区民政局 --year 2025 "$case"
run check --archive out/corpora.db --agency 深圳市罗湖区民政局 --year 2025 --format html -o out/luohu-minzheng-2025.html "$case"
# The inspector's archive then holds this year's report too: yoy finds it against 2024.
run add --archive out/corpora.db --agency 深圳市罗湖区民政局 --year 2025 "$case"
run yoy --archive out/corpora.db
run yoy --archive out/corpora.db --format html -o out/yoy.html
run boilerplate --archive out/corpora.db --top 10

run add --quiet --archive out/national.db --manifest corpora/gov-work-reports/manifest.csv
run yoy --archive out/national.db --format html -o out/national-yoy.html
"$leitong" yoy --quiet --archive out/national.db --format csv -o out/national-yoy.csv
echo
echo "Evidence and overviews (open in a browser): out/luohu-minzheng-2025.html, out/yoy.html, out/national-yoy.html"
