#!/usr/bin/env bash
# Installs the build BUILD_DIR into a temporary prefix, builds tests/consumer against it with
# find_package(leitong), runs the program, and checks that linking leitong::core brought in none of
# the archive's or the extractors' libraries.   tests/consumer/run.sh BUILD_DIR [CXX_FLAGS]
# CXX_FLAGS: what the consumer needs to link the build's libraries (a sanitizer build's
# -fsanitize=...).
set -euo pipefail
build=$(realpath "$1")
flags=${2:-}
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each step's output is shown only when it fails.
step() {
  if ! "$@" >"$work/log" 2>&1; then
    cat "$work/log" >&2
    echo "failed: $*" >&2
    exit 1
  fi
}
step cmake --install "$build" --prefix "$work/prefix"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
step cmake -S "$here" -B "$work/build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags"
step cmake --build "$work/build"
"$work/build/leitong_consumer"
if [ -d "$work/prefix/include/leitong/testing" ]; then
  echo "the test and benchmark tooling (leitong/testing) was installed" >&2
  exit 1
fi
unwanted=$(ldd "$work/build/leitong_consumer" | grep -E -o 'lib(sqlite3|zstd|poppler[-a-z]*|gumbo|zip|pugixml|opencc)\.so' || true)
if [ -n "$unwanted" ]; then
  echo "a program that links leitong::core alone depends on:" $unwanted >&2
  exit 1
fi
echo "linked: $(ldd "$work/build/leitong_consumer" | grep -E -o 'lib(icu[a-z0-9]*|xxhash|fmt)\.so' | sort -u | tr '\n' ' ')"
