#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
