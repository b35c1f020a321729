#!/bin/bash
# Checks resources/mime/ckptview.xml against committed fixtures: each file must be recognised
# by its name (glob) and, for the formats that have a signature, also by content alone (a copy
# without extension); plain zips must stay zips. Installs the package into a throwaway
# XDG_DATA_HOME, so the system's MIME database is never touched.
# Exit 0 all match, 1 a mismatch, 77 (skip) tools missing.
#
# The query is GLib's (`gio info`), which GTK/GNOME file managers use and which follows the
# shared-mime-info spec (glob, then magic by priority, sub-classes). xdg-mime outside a desktop
# session asks perl's `mimetype` instead, whose magic matching differs: it called a torch zip
# application/zip where GLib (and the spec) say application/x-pytorch.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
xml="$root/resources/mime/ckptview.xml"

for tool in update-mime-database gio; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not installed (shared-mime-info, libglib2.0-bin)"
        exit 77
    fi
done
if [ ! -f /usr/share/mime/packages/freedesktop.org.xml ]; then
    echo "SKIP: the standard MIME types are not installed (shared-mime-info)"
    exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data/mime/packages" "$tmp/files"
cp "$xml" "$tmp/data/mime/packages/ckptview.xml"
# The standard types are copied too, so that our sub-classes (application/zip) resolve and our
# priorities are weighed against the standard ones exactly as on an installed system.
cp /usr/share/mime/packages/*.xml "$tmp/data/mime/packages/"
update-mime-database "$tmp/data/mime" >/dev/null 2>&1 || { echo "FAIL: update-mime-database rejected $xml"; exit 1; }

failures=0
query() { # FILE -> its MIME type under our database only
    XDG_DATA_HOME="$tmp/data" XDG_DATA_DIRS="$tmp/data" \
        gio info -a standard::content-type "$1" 2>/dev/null | sed -n 's/^ *standard::content-type: //p'
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
# by-name TYPE FIXTURE: the file as committed (glob, then magic).
by_name() {
    [ -f "$root/$2" ] || { echo "FAIL missing fixture $2"; failures=$((failures + 1)); return; }
    expect "$1" "$root/$2" "name    $2"
}
# by-content TYPE FIXTURE: a copy without extension (magic only).
by_content() {
    [ -f "$root/$2" ] || { echo "FAIL missing fixture $2"; failures=$((failures + 1)); return; }
    local copy="$tmp/files/$(echo "$2" | tr ./ __)"
    cp "$root/$2" "$copy"
    expect "$1" "$copy" "content $2"
}

by_name    application/x-npy                 tests/data/numpy/big_endian_f4.npy
by_content application/x-npy                 tests/data/numpy/big_endian_f4.npy
by_name    application/x-npz                 tests/data/numpy/compressed.npz
by_content application/zip                   tests/data/numpy/compressed.npz        # not torch
by_name    application/x-gguf                tests/data/gguf/align64.gguf
by_content application/x-gguf                tests/data/gguf/align64.gguf
by_content application/x-gguf                tests/data/real/gguf/llama-2-tiny-random.gguf
by_name    application/x-safetensors         tests/data/safetensors/dtypes.safetensors
by_content application/x-safetensors         tests/data/safetensors/dtypes.safetensors
by_content application/x-safetensors         tests/data/safetensors/model-00001-of-00002.safetensors
by_name    application/x-pytorch             tests/data/torch/mlp_state_dict.pt
by_content application/x-pytorch             tests/data/torch/mlp_state_dict.pt
by_content application/x-pytorch             tests/data/torch/big_endian.pt
by_content application/x-pytorch             tests/data/real/pytorch/gnet.pth
by_content application/x-pytorch             tests/data/real/pytorch/x-file
by_name    application/x-pytorch             tests/data/real/pytorch/xy.pt
by_content application/x-pytorch             tests/data/real/pytorch/xy.pt         # legacy, protocol 2
by_content application/x-pytorch             tests/data/world/made/legacy_protocol_0.pt
by_content application/x-pytorch             tests/data/world/made/legacy_protocol_3.pt
by_content application/x-pytorch             tests/data/world/made/legacy_protocol_4.pt
by_content application/x-pytorch             tests/data/world/made/legacy_protocol_5.pt
by_name    application/x-mxnet-params        tests/data/mxnet/dtypes.params
by_content application/x-mxnet-params        tests/data/mxnet/dtypes.params
by_content application/x-mxnet-params        tests/data/real/mxnet/lenet-0001.params
by_content application/x-mxnet-params        tests/data/real/mxnet/test1.param
by_name    application/x-onnx                tests/data/onnx/dtypes.onnx
by_name    application/x-onnx                tests/data/real/onnx/xor.onnx
by_name    application/x-tensorflow-checkpoint-index tests/data/tfcheckpoint/dtypes.index
by_name    application/x-keras               tests/data/real/keras-h5/my_model.keras
by_content application/x-keras               tests/data/real/keras-h5/my_model.keras
by_content application/x-keras               tests/data/keras3/mlp.keras
by_name    application/x-hdf                 tests/data/hdf5/chunked_filters.h5
by_content application/x-hdf                 tests/data/real/keras-h5/model.weights.h5
by_content application/x-hdf                 tests/data/real/keras-h5/iris.model

if [ "$failures" -ne 0 ]; then
    echo "$failures mismatch(es)"
    exit 1
fi
echo "all MIME checks passed"
