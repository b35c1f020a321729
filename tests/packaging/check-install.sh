#!/bin/bash
# Installs a built tree into a throwaway root (DESTDIR, prefix /usr, as the package does) and
# checks that every desktop file is where desktops look, that both executables answer
# --version, and that a safetensors file is our type with ckptview as its default application.
# Usage: check-install.sh BUILD_DIR. Exit 0 all there, 1 something missing, 77 (skip) no tools.
set -u
build=${1:?usage: check-install.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in update-mime-database update-desktop-database gio; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
DESTDIR="$tmp/root" cmake --install "$build" --prefix /usr >/dev/null || { echo "FAIL: cmake --install"; exit 1; }
usr="$tmp/root/usr"

failures=0
need() { # PATH under /usr
    if [ -s "$usr/$1" ]; then echo "ok   $1"; else echo "FAIL missing $1"; failures=$((failures + 1)); fi
}
need bin/ckpt
need share/bash-completion/completions/ckpt
need share/man/man1/ckpt.1.gz
need share/doc/ckptview/copyright
need share/doc/ckptview/changelog.gz
if [ -e "$usr/bin/ckptview" ]; then # the GUI is optional (CKPT_BUILD_GUI)
    for f in bin/ckptview share/applications/ckptview.desktop share/mime/packages/ckptview.xml \
        share/metainfo/io.github.ckptview.metainfo.xml share/man/man1/ckptview.1.gz \
        share/icons/hicolor/scalable/apps/ckptview.svg share/icons/hicolor/48x48/apps/ckptview.png \
        share/icons/hicolor/128x128/apps/ckptview.png share/icons/hicolor/256x256/apps/ckptview.png; do
        need "$f"
    done
fi

for exe in ckpt ckptview; do
    [ -x "$usr/bin/$exe" ] || continue
    if QT_QPA_PLATFORM=offscreen "$usr/bin/$exe" --version | grep -q "^$exe "; then
        echo "ok   $exe --version"
    else
        echo "FAIL $exe --version"; failures=$((failures + 1))
    fi
done

# The changelog's newest entry is the version the executables say (one version to bump).
if command -v dpkg-parsechangelog >/dev/null && [ -s "$usr/share/doc/ckptview/changelog.gz" ]; then
    logged=$(gzip -dc "$usr/share/doc/ckptview/changelog.gz" | dpkg-parsechangelog -l- -S Version)
    said=$("$usr/bin/ckpt" --version | sed -n '1s/^ckpt //p')
    if [ -n "$logged" ] && [ "$logged" = "$said" ]; then
        echo "ok   changelog names version $logged"
    else
        echo "FAIL changelog names version '$logged', ckpt --version says '$said'"; failures=$((failures + 1))
    fi
fi

if [ -e "$usr/share/applications/ckptview.desktop" ]; then
    # What dpkg's triggers do on a real install: the MIME cache and the desktop cache.
    cp /usr/share/mime/packages/*.xml "$usr/share/mime/packages/"
    update-mime-database "$usr/share/mime" >/dev/null 2>&1
    update-desktop-database "$usr/share/applications"
    cp "$root/tests/data/safetensors/dtypes.safetensors" "$tmp/model.safetensors"
    # PATH: GLib hides a desktop entry whose TryExec= is not found. The empty config folders keep
    # the user's own mimeapps.list out.
    env="LC_ALL=C PATH=$usr/bin:$PATH XDG_DATA_HOME=$tmp/home XDG_DATA_DIRS=$usr/share XDG_CONFIG_HOME=$tmp/config XDG_CONFIG_DIRS=$tmp/config"
    type=$(env $env gio info -a standard::content-type "$tmp/model.safetensors" | sed -n 's/^ *standard::content-type: //p')
    default=$(env $env gio mime "$type" 2>/dev/null | sed -n 's/^Default application for .*: //p')
    if [ "$type" = application/x-safetensors ] && [ "$default" = ckptview.desktop ]; then
        echo "ok   model.safetensors is $type, opened by $default"
    else
        echo "FAIL model.safetensors is '$type', opened by '$default'"; failures=$((failures + 1))
    fi
fi

[ "$failures" -eq 0 ] || { echo "$failures problem(s)"; exit 1; }
echo "install complete"
