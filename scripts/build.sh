#!/usr/bin/env bash
# Configures and builds ckptview into ./build (Release with debug info).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build "$here/build" --parallel "$(nproc)"
