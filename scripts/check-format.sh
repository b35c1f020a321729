#!/usr/bin/env bash
# Fails when a C++ file of the tree differs from .clang-format (clang-format from Debian).
#   scripts/check-format.sh        lists the files that drift and fails
#   clang-format -i FILE…          fixes them
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'core/*.cpp' 'core/*.h' 'ui/*.cpp' 'ui/*.h' 'app/*.cpp' 'app/*.h' \
  'session/*.cpp' 'session/*.h' 'tests/*.cpp' 'tests/*.h' | grep -v '^tests/data/')
clang-format --dry-run -Werror "${files[@]}"
echo "formatting: ${#files[@]} files match .clang-format"
