#!/usr/bin/env bash
# Configures and builds ckptview into ./build (the "dev" preset: release with debug info, with
# Debian's hardening flags, so that CI can package this build).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. "$here/scripts/hardening-flags.sh"
cmake --preset dev "$@" # CMakePresets.json: the builds CI makes, by name
cmake --build "$here/build" --parallel "$(nproc)"
