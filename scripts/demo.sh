#!/usr/bin/env bash
# The main job on the bundled corpora: install what is needed, build, archive corpora/, check a
# recycled report against it (text, HTML evidence and the A4 PDF report), then run the inspector's year-over-year
# check and boilerplate listing, and the year-over-year check of the national reports 1954–2022.
# With --serve, it then serves the web application on out/corpora.db at 127.0.0.1:8080 (another
# address with LEITONG_LISTEN=HOST:PORT) with a demo inspector and a demo agency account.
set -euo pipefail
serve=false
for arg in "$@"; do
  case "$arg" in
    --serve) serve=true ;;
    *) echo "demo: unknown option $arg (--serve is the only one)" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
leitong=build/leitong
mkdir -p out
rm -rf out/corpora.db* out/national.db* out/*.html out/*.xlsx out/*_files
run() { echo; echo "== leitong $*"; "$leitong" "$@"; }

run add --archive out/corpora.db --manifest corpora/manifest.csv
run stats --archive out/corpora.db
case=corpora/cases/luohu-minzheng-2025.txt
run check --archive out/corpora.db --agency 深圳市罗湖区民政局 --year 2025 "$case"
run check --archive out/corpora.db --agency 深圳市罗湖区民政局 --year 2025 --format html -o out/luohu-minzheng-2025.html "$case"
run check --archive out/corpora.db --agency 罗湖区民政局 --year 2025 --format pdf -o out/luohu-minzheng-2025.pdf "$case"
# The inspector's archive then holds this year's report too: yoy finds it against 2024.
run add --archive out/corpora.db --agency 深圳市罗湖区民政局 --year 2025 "$case"
run yoy --archive out/corpora.db
run yoy --archive out/corpora.db --format html -o out/yoy.html
run yoy --archive out/corpora.db --format xlsx -o out/yoy.xlsx
run boilerplate --archive out/corpora.db --top 10

run add --quiet --archive out/national.db --manifest corpora/gov-work-reports/manifest.csv
run yoy --archive out/national.db --format html -o out/national-yoy.html
"$leitong" yoy --quiet --archive out/national.db --format csv -o out/national-yoy.csv
echo
echo "Evidence and overviews (open in a browser): out/luohu-minzheng-2025.html, out/yoy.html, out/national-yoy.html; the A4 report: out/luohu-minzheng-2025.pdf; for a spreadsheet: out/yoy.xlsx"

if $serve; then
  password() { head -c 12 /dev/urandom | base64 | tr -d '/+=' | cut -c1-14; }
  inspector_password=$(password)
  agency_password=$(password)
  echo "$inspector_password" | "$leitong" user add --archive out/corpora.db --name demo-inspector --role inspector
  echo "$agency_password" | "$leitong" user add --archive out/corpora.db --name demo-luohu --role agency \
    --agency 深圳市罗湖区民政局
  listen="${LEITONG_LISTEN:-127.0.0.1:8080}"
  echo
  echo "== The web service: open http://$listen/ in a browser"
  echo "   inspector:  demo-inspector / $inspector_password"
  echo "   agency:     demo-luohu / $agency_password   (深圳市罗湖区民政局: upload corpora/cases/luohu-minzheng-2025.txt)"
  echo "   Ctrl-C stops it."
  exec "$leitong" serve --archive out/corpora.db --listen "$listen"
fi
