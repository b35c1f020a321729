#!/bin/bash
# Validates the installed-with-the-app text files with the tools a distribution checks them
# with: the desktop entry, the AppStream metainfo, the man pages and the bash completion.
# Exit 0 all valid, 1 a file is invalid, 77 (skip) a tool is missing.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
res="$root/resources"

for tool in desktop-file-validate appstreamcli groff; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not installed (desktop-file-utils, appstream, groff-base)"
        exit 77
    fi
done

failures=0
run() { # LABEL COMMAND...: a failure or any output (warnings) counts as invalid
    local label=$1 out
    shift
    if out=$("$@" 2>&1) && [ -z "$out" ]; then
        echo "ok   $label"
    else
        echo "FAIL $label"
        echo "$out" | sed 's/^/     /'
        failures=$((failures + 1))
    fi
}
# appstreamcli prints its verdict even when valid, so only its exit status is used.
quiet() { "$@" >/dev/null; }

run "desktop-file-validate ckptview.desktop" desktop-file-validate "$res/ckptview.desktop"
run "appstreamcli validate" quiet appstreamcli validate --no-net --pedantic \
    "$res/metainfo/io.github.ckptview.metainfo.xml"
for page in "$res"/man/*.1; do
    run "groff -man -ww $(basename "$page")" groff -man -ww -z "$page"
done
run "bash -n completion/ckpt.bash" bash -n "$res/completion/ckpt.bash"

[ "$failures" -eq 0 ] || { echo "$failures invalid file(s)"; exit 1; }
echo "all desktop files valid"
