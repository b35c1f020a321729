#!/usr/bin/env bash
# Builds the "fuzz" preset (clang with AddressSanitizer + UndefinedBehaviorSanitizer: the suites of
# the core, the CLI and the session, and the libFuzzer targets, from one compilation of the core)
# into ./build-fuzz and runs those suites there. scripts/fuzz.sh then reuses the build.
# `cmake --preset asan` builds everything, the widgets too, with gcc's sanitizers, by hand.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
(cd "$here" && cmake --preset fuzz >/dev/null)
cmake --build "$here/build-fuzz" --parallel "$(nproc)"
export QT_QPA_PLATFORM=offscreen
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export LSAN_OPTIONS="suppressions=$here/tests/sanitizer/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$here/build-fuzz" --output-on-failure --timeout 900 -j "$(nproc)"
