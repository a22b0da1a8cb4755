#!/usr/bin/env bash
# Installs leitong's build dependencies from Debian's packages (skips what is already there).
# A CJK font (fonts-wqy-microhei) is part of the build's set: the PDF report is set in it.
# With --test, also what the test suite needs beyond the build: headless Chromium (driven by
# Selenium) to render the HTML reports and the service's pages, and pytest.
# With --fuzz, also clang with libFuzzer and the sanitizer runtimes (scripts/fuzz.sh).
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config
  libxxhash-dev libboost-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev libicu-dev nlohmann-json3-dev libcli11-dev libzstd-dev
  libgumbo-dev libzip-dev zlib1g-dev libexpat1-dev libpugixml-dev libpoppler-cpp-dev libopencc-dev opencc
  libsodium-dev libcairo2-dev libpango1.0-dev fonts-wqy-microhei libxlsxwriter-dev
  python3 python3-dev pybind11-dev python3-numpy
)
for arg in "$@"; do
  case "$arg" in
    --test) packages+=(chromium chromium-driver python3-selenium python3-pytest python3-pandas python3-distributed python3-venv) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
