#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite.
#   scripts/test.sh              RelWithDebInfo build in build/
#   scripts/test.sh --sanitize   the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#                                (-DLEITONG_SANITIZE=ON, Debug) in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
if [[ "${1:-}" == "--sanitize" ]]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLEITONG_SANITIZE=ON -DLEITONG_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j "$(nproc)"
  export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=0}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp}"
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
  exit
fi
BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
