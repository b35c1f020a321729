#!/usr/bin/env bash
# Builds the core, the CLI, the session and their suites with AddressSanitizer + UndefinedBehavior-
# Sanitizer into ./build-asan (the "asan" preset: no widgets) and runs those suites there.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
(cd "$here" && cmake --preset asan >/dev/null)
cmake --build "$here/build-asan" --parallel "$(nproc)"
export QT_QPA_PLATFORM=offscreen
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export LSAN_OPTIONS="suppressions=$here/tests/sanitizer/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$here/build-asan" --output-on-failure --timeout 900 -j "$(nproc)"
