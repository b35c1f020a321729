#!/usr/bin/env bash
# Checks a built ckptview .deb (issue 21): unpacked into a throwaway root (dpkg -x), every
# desktop file is in place and the binaries answer --version; as root with apt, the package is
# really installed, the safetensors type names ckptview as its default application, and it is
# removed again.   Usage: bash scripts/check-package.sh PATH/TO/ckptview_*.deb
set -euo pipefail
deb=$(realpath "$1")
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg -x "$deb" "$root"
for f in usr/bin/ckpt usr/bin/ckptview usr/share/applications/ckptview.desktop \
    usr/share/mime/packages/ckptview.xml usr/share/metainfo/io.github.ckptview.metainfo.xml \
    usr/share/man/man1/ckpt.1.gz usr/share/man/man1/ckptview.1.gz \
    usr/share/bash-completion/completions/ckpt usr/share/icons/hicolor/scalable/apps/ckptview.svg \
    usr/share/icons/hicolor/48x48/apps/ckptview.png usr/share/doc/ckptview/copyright \
    usr/share/doc/ckptview/changelog.gz; do
    [ -e "$root/$f" ] || { echo "check-package: $f is missing from $deb" >&2; exit 1; }
done
"$root/usr/bin/ckpt" --version | head -1
"$root/usr/bin/ckptview" --version | head -1
dpkg-deb --field "$deb" Depends
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y "$deb" >/dev/null
    ckpt --version | head -1
    type=$(xdg-mime query filetype "$here/tests/data/safetensors/dtypes.safetensors" 2>/dev/null || true)
    default=$(xdg-mime query default application/x-safetensors 2>/dev/null || true)
    apt-get remove -y ckptview >/dev/null
    echo "installed: safetensors is '$type', opened by '$default'"
    [ "$type" = application/x-safetensors ] && [ "$default" = ckptview.desktop ] || {
        echo "check-package: file association not working after apt install" >&2
        exit 1
    }
fi
echo "check-package: ok"
