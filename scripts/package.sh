#!/usr/bin/env bash
# Builds the Debian package ckptview_<version>_<arch>.deb with Debian's hardening flags and runs
# lintian on it when lintian is installed (an error fails).
#   bash scripts/package.sh [BUILD_DIR]     a clean build folder (build-package/, removed first)
#   bash scripts/package.sh --from BUILD    packages an existing build made by build.sh (which
#                                           has the same flags): CI packages what it tested.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --from ]; then
  build=$(realpath "$2")
  cmake --build "$build" --target ckpt ckptview
else
  build=${1:-$here/build-package}
  rm -rf "$build"
  . "$here/scripts/hardening-flags.sh"
  # Release: the package's binaries are stripped anyway; tests are not packaged.
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCKPT_BUILD_TESTS=OFF
  cmake --build "$build"
fi
rm -f "$build"/ckptview_*.deb
(cd "$build" && cpack -G DEB)
deb=$(ls "$build"/ckptview_*.deb)
echo "built $deb"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"
# lintian's errors fail the build; its warnings and notes are shown.
if command -v lintian >/dev/null; then
    lintian --info --display-info --fail-on error "$deb"
fi
