#!/bin/bash
# Renders the hicolor PNG sizes of the app icon from resources/icons/ckptview.svg. The PNGs are
# committed (so building needs no SVG renderer); rerun this after editing the SVG.
# Needs rsvg-convert (Debian package librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
for size in 48 128 256; do
    rsvg-convert -w "$size" -h "$size" ckptview.svg -o "ckptview-$size.png"
done
