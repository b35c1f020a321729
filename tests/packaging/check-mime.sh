#!/bin/bash
# Checks resources/mime/ckptview.xml against committed fixtures: each file must be recognised
# by its name (glob) and, for the formats that have a signature, also by content alone (a copy
# without extension). Installs the package into a throwaway XDG_DATA_HOME, so the system's
# MIME database is never touched. Exit 0 all match, 1 a mismatch, 77 (skip) tools missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
xml="$root/resources/mime/ckptview.xml"

# Outside a desktop session xdg-mime asks `mimetype` (libfile-mimeinfo-perl), which reads the
# shared-mime-info database; without it xdg-mime falls back to file(1), which ignores our XML.
for tool in update-mime-database xdg-mime mimetype; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not installed (shared-mime-info, xdg-utils, libfile-mimeinfo-perl)"
        exit 77
    fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data/mime/packages" "$tmp/files"
cp "$xml" "$tmp/data/mime/packages/ckptview.xml"
# The system packages are copied too, so that our sub-classes (application/zip) resolve and
# our priorities are weighed against the standard types exactly as on an installed system.
cp /usr/share/mime/packages/*.xml "$tmp/data/mime/packages/" 2>/dev/null
update-mime-database "$tmp/data/mime" >/dev/null 2>&1 || { echo "FAIL: update-mime-database rejected $xml"; exit 1; }

failures=0
query() { # FILE -> its MIME type as xdg-mime sees it under our database only
    XDG_DATA_HOME="$tmp/data" XDG_DATA_DIRS="$tmp/data" XDG_CURRENT_DESKTOP=X-Generic \
        xdg-mime query filetype "$1" 2>/dev/null | sed 's/;.*//'
}
expect() { # EXPECTED FILE LABEL
    local got
    got=$(query "$2")
    if [ "$got" = "$1" ]; then
        echo "ok   $3: $1"
    else
        echo "FAIL $3: expected $1, got '${got}'"
        failures=$((failures + 1))
    fi
}
# TYPE FIXTURE CONTENT(yes|no): by name always; by content on an extensionless copy when yes.
check() {
    local type=$1 fixture="$root/$2" content=$3
    [ -f "$fixture" ] || { echo "FAIL missing fixture $2"; failures=$((failures + 1)); return; }
    expect "$type" "$fixture" "glob    $2"
    if [ "$content" = yes ]; then
        local copy="$tmp/files/$(basename "$2" | tr . _)"
        cp "$fixture" "$copy"
        expect "$type" "$copy" "content $2"
    fi
}

check application/x-npy               tests/data/numpy/big_endian_f4.npy            yes
check application/x-npz                tests/data/numpy/compressed.npz               no
check application/x-gguf               tests/data/gguf/align64.gguf                  yes
check application/x-safetensors        tests/data/safetensors/dtypes.safetensors     yes
check application/x-pytorch            tests/data/torch/mlp_state_dict.pt            yes
check application/x-pytorch            tests/data/torch/big_endian.pt                yes
check application/x-mxnet-params       tests/data/mxnet/dtypes.params                yes
check application/x-onnx               tests/data/onnx/dtypes.onnx                   no
check application/x-tensorflow-checkpoint-index tests/data/tfcheckpoint/dtypes.index no
check application/x-hdf                tests/data/hdf5/chunked_filters.h5            yes

if [ "$failures" -ne 0 ]; then
    echo "$failures mismatch(es)"
    exit 1
fi
echo "all MIME checks passed"
