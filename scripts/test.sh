#!/usr/bin/env bash
# Installs dependencies, checks the formatting, builds, and runs the whole test suite; then one
# clang build with AddressSanitizer + UndefinedBehaviorSanitizer runs the suites of the core, the
# CLI and the session again (the widgets' suites only in the first build: CI's time) and every fuzz
# target for a bounded time; then packages the tested build and installs the package.
# CKPT_QUICK=1 runs only the first part; CKPT_FUZZ_SECONDS sets the time per fuzz target.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
"$here/scripts/check-format.sh"
"$here/scripts/build.sh"
export QT_QPA_PLATFORM=offscreen
ctest --test-dir "$here/build" --output-on-failure --timeout 600 -j "$(nproc)"
if [ "${CKPT_QUICK:-0}" != 1 ]; then
  echo "== the suites of the core, the CLI and the session under ASan + UBSan"
  "$here/scripts/test-sanitized.sh"
  echo "== fuzz targets, ${CKPT_FUZZ_SECONDS:-20}s each"
  "$here/scripts/fuzz.sh" "${CKPT_FUZZ_SECONDS:-20}"
  echo "== the Debian package of the tested build: unpacked and installed"
  bash "$here/scripts/package.sh" --from "$here/build" >/dev/null
  bash "$here/scripts/check-package.sh" "$here"/build/ckptview_*.deb
fi
