#!/usr/bin/env bash
# Builds the Debian package ckptview_<version>_<arch>.deb in a clean build folder
# (build-package/, removed first) with Debian's hardening flags, and runs lintian on it when
# lintian is installed (an error fails).
# Usage: bash scripts/package.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build-package}
rm -rf "$build"
# Debian's hardening flags (fortify, stack protector, PIE, relro and bind-now), as a Debian
# package build would set them: the binaries parse files from anywhere.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CFLAGS="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CFLAGS)"
CXXFLAGS="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)"
LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"
export CFLAGS CXXFLAGS LDFLAGS
# Release: the package's binaries are stripped anyway; tests are not packaged.
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCKPT_BUILD_TESTS=OFF
cmake --build "$build"
(cd "$build" && cpack -G DEB)
deb=$(ls "$build"/ckptview_*.deb)
echo "built $deb"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"
# lintian's errors fail the build; its warnings and notes are shown.
if command -v lintian >/dev/null; then
    lintian --info --display-info --fail-on error "$deb"
fi
