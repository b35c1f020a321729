#!/usr/bin/env bash
# Installs dependencies, builds, and starts ckptview (on the embedded demo when no file is given).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
"$here/scripts/build.sh"
exec "$here/build/app/ckptview" "$@"
