#!/usr/bin/env bash
# Installs dependencies, checks the formatting, builds, and runs the whole test suite; then the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer, then every fuzz target for a bounded time, then
# builds the Debian package and installs it.
# CKPT_QUICK=1 runs only the first part; CKPT_FUZZ_SECONDS sets the time per fuzz target.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
"$here/scripts/check-format.sh"
"$here/scripts/build.sh"
export QT_QPA_PLATFORM=offscreen
ctest --test-dir "$here/build" --output-on-failure --timeout 600 -j "$(nproc)"
if [ "${CKPT_QUICK:-0}" != 1 ]; then
  echo "== the suite again under ASan + UBSan"
  "$here/scripts/test-sanitized.sh"
  echo "== fuzz targets, ${CKPT_FUZZ_SECONDS:-60}s each"
  "$here/scripts/fuzz.sh" "${CKPT_FUZZ_SECONDS:-60}"
  echo "== the Debian package: built in a clean folder, unpacked and installed"
  bash "$here/scripts/package.sh" "$here/build-package" >/dev/null
  bash "$here/scripts/check-package.sh" "$here"/build-package/ckptview_*.deb
fi
