#!/usr/bin/env bash
# Builds the Debian package ckptview_<version>_<arch>.deb in a clean build folder
# (build-package/, removed first) and runs lintian on it when lintian is installed.
# Usage: bash scripts/package.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build-package}
rm -rf "$build"
# Release: the package's binaries are stripped anyway; tests are not packaged.
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCKPT_BUILD_TESTS=OFF
cmake --build "$build"
(cd "$build" && cpack -G DEB)
deb=$(ls "$build"/ckptview_*.deb)
echo "built $deb"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"
if command -v lintian >/dev/null; then
    lintian --info "$deb" || true # report, do not fail: see the closing note of issue 21
fi
