#!/usr/bin/env bash
# Configures and builds consentflow into ./build (Release with debug info, tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCF_BUILD_BENCH=ON >/dev/null
cmake --build build
