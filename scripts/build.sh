#!/usr/bin/env bash
# Configures and builds leitong into build/ (Release with assertions off unless BUILD_TYPE says).
set -euo pipefail
cd "$(dirname "$0")/.."
build_type="${BUILD_TYPE:-Release}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" ${CMAKE_ARGS:-} >/dev/null
cmake --build build -j "$(nproc)"
