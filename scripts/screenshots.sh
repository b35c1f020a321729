#!/usr/bin/env bash
# Screenshots of every tab of ckptview, as a user sees them, at a large and a small window size,
# on the demo, a conv net (PyTorch), a Keras 3 file and an ONNX file, and the Timeline tab of a
# training run (run:DIR opens DIR with --run). For looking at the app (issue 18) and for the
# README; the images are not committed.
#
#   bash scripts/screenshots.sh [OUTPUT_DIR]        (default /tmp/ckptview-shots)
#   CKPT_SHOTS_FILES="demo x.pt" CKPT_SHOTS_SIZES="800x550" bash scripts/screenshots.sh   (a subset)
#
# Needs a built tree (build/app/ckptview) and xvfb-run, xdotool and ImageMagick's import
# (installed here with apt when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/ckptview-shots}
app=build/app/ckptview
[ -x "$app" ] || { echo "error: $app: not built (bash scripts/build.sh)" >&2; exit 1; }
if ! command -v xdotool >/dev/null || ! command -v import >/dev/null || ! command -v xvfb-run >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "error: needs xvfb, xdotool and imagemagick installed" >&2; exit 1; }
    apt-get install -y -q xvfb xdotool imagemagick >/dev/null
fi
mkdir -p "$out"

files=("demo" "tests/data/real/pytorch/gnet.pth" "tests/data/keras3/convnet.keras" "tests/data/onnx/mlp.onnx"
    "run:tests/data/timeline/run")
[ -n "${CKPT_SHOTS_FILES:-}" ] && read -ra files <<<"$CKPT_SHOTS_FILES" # e.g. "demo x.pt"
sizes=("1600x1000" "800x550")
[ -n "${CKPT_SHOTS_SIZES:-}" ] && read -ra sizes <<<"$CKPT_SHOTS_SIZES"

# One run: the app on FILE in a screen of SIZE; every tab in turn (Ctrl+Tab), one PNG each.
shoot() {
    local file=$1 size=$2 name=$3
    local w=${size%x*} h=${size#*x}
    local config
    config=$(mktemp -d) # fresh settings: no remembered geometry or recent files
    XDG_CONFIG_HOME=$config xvfb-run -a -s "-screen 0 ${w}x${h}x24" bash -c '
        set -e
        app=$1 file=$2 w=$3 h=$4 prefix=$5
        tabs="tensor overlay metadata architecture verify compare findings all-tensors timeline"
        if [ "$file" = demo ]; then "$app" &
        elif [ "${file#run:}" != "$file" ]; then "$app" --run "${file#run:}" & tabs=timeline # it opens on that tab
        else "$app" "$file" & fi
        pid=$!
        for _ in $(seq 100); do
            win=$(xdotool search --sync --onlyvisible --class ckptview 2>/dev/null | head -1) && [ -n "$win" ] && break
            sleep 0.1
        done
        xdotool windowmove "$win" 0 0 windowsize "$win" "$w" "$h"
        sleep 2
        for tab in $tabs; do
            xdotool windowfocus --sync "$win" 2>/dev/null || true # no window manager: focus by hand
            import -window root "${prefix}-${tab}.png"
            if [ "$tab" = tensor ]; then # its Values page too (Alt+U): the table and the heatmap
                xdotool key alt+u 2>/dev/null
                sleep 1
                import -window root "${prefix}-values.png"
            fi
            xdotool key ctrl+Tab 2>/dev/null # XTEST: Qt ignores synthetic (--window) key events
            sleep 1
        done
        kill $pid
    ' _ "$app" "$file" "$w" "$h" "$out/$name-$size"
    rm -rf "$config"
}

for file in "${files[@]}"; do
    name=$(basename "$file"); name=${name%%.*}
    [ "${file#run:}" != "$file" ] && name=run-$name
    for size in "${sizes[@]}"; do
        shoot "$file" "$size" "$name"
        echo "$out/$name-$size-*.png"
    done
done
