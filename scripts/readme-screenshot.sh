#!/usr/bin/env bash
# The README's screenshot of the Timeline tab (docs/timeline.png): the 60-checkpoint training run
# of scripts/make-demo-run.py (written with python3-torch when missing) opened with `ckptview
# --run`, shot at 1280×800 by scripts/screenshots.sh.   Usage: bash scripts/readme-screenshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."
run=/tmp/ckptview-demo-run
[ -f "$run/epoch_60.pt" ] || /usr/bin/python3 scripts/make-demo-run.py "$run" 2>/dev/null
shots=$(mktemp -d)
CKPT_SHOTS_FILES="run:$run" CKPT_SHOTS_SIZES="1280x800" bash scripts/screenshots.sh "$shots" >/dev/null
mkdir -p docs
cp "$shots/run-ckptview-demo-run-1280x800-timeline.png" docs/timeline.png
rm -rf "$shots"
echo docs/timeline.png
