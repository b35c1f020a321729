#!/usr/bin/python3
"""safetensors fixtures for tst_safetensorsreader, written byte by byte from the format
(https://github.com/huggingface/safetensors: 8-byte LE header length, JSON header padded with
spaces, data in offset order) since the safetensors package is not in Debian.
expected.json lists each file's tensors: name, dtype, shape, values (as float64).

Run:  /usr/bin/python3 make_safetensors_fixtures.py
"""
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = {}


def write(name, tensors, metadata=None):
    """tensors: list of (name, safetensors dtype, shape, raw bytes, values)."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for tname, dtype, shape, raw, _ in tensors:
        header[tname] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    EXPECTED[name] = {"tensors": [{"name": n, "dtype": d, "shape": list(s), "values": v}
                                  for n, d, s, _, v in tensors],
                      "metadata": metadata or {}}


def arr(a, dtype_name):
    a = np.asarray(a)
    return a.astype(a.dtype.newbyteorder("<")).tobytes(), [float(x) for x in a.reshape(-1)], dtype_name


def plain(name, values, np_dtype, st_dtype, dtype_name, shape):
    raw, vals, dn = arr(np.array(values, dtype=np_dtype).reshape(shape), dtype_name)
    return (name, st_dtype, shape, raw, vals), dn


f32 = np.array([0.5, -1.25, 3.0, 1e-3, 65504.0, -0.0], dtype=np.float32)
bf16_bits = (f32.view(np.uint32) >> 16).astype(np.uint16)  # truncated: the values are those of the bits
e4m3 = bytes([0x38, 0xB8, 0x40, 0x7E, 0x00, 0x01])  # 1, -1, 2, 448, 0, 2^-9
e4m3_values = [1.0, -1.0, 2.0, 448.0, 0.0, 2.0 ** -9]
e5m2 = bytes([0x3C, 0xBC, 0x40, 0x7B, 0x00, 0x01])  # 1, -1, 2, 57344, 0, 2^-16
e5m2_values = [1.0, -1.0, 2.0, 57344.0, 0.0, 2.0 ** -16]
tensors = [
    ("f64", "F64", [2, 3], np.arange(6, dtype="<f8").tobytes(), [float(x) for x in range(6)]),
    ("f32", "F32", [6], f32.tobytes(), [float(x) for x in f32]),
    ("f16", "F16", [3, 2], f32.astype("<f2").tobytes(), [float(x) for x in f32.astype(np.float16)]),
    ("bf16", "BF16", [6], bf16_bits.astype("<u2").tobytes(),
     [float(x) for x in (bf16_bits.astype(np.uint32) << 16).view(np.float32)]),
    ("f8_e4m3", "F8_E4M3", [6], e4m3, e4m3_values),
    ("f8_e5m2", "F8_E5M2", [6], e5m2, e5m2_values),
    ("i64", "I64", [2], np.array([-(2 ** 40), 7], dtype="<i8").tobytes(), [float(-(2 ** 40)), 7.0]),
    ("i32", "I32", [2], np.array([-5, 6], dtype="<i4").tobytes(), [-5.0, 6.0]),
    ("i16", "I16", [2], np.array([-300, 301], dtype="<i2").tobytes(), [-300.0, 301.0]),
    ("i8", "I8", [2], np.array([-128, 127], dtype="i1").tobytes(), [-128.0, 127.0]),
    ("u64", "U64", [1], np.array([2 ** 50], dtype="<u8").tobytes(), [float(2 ** 50)]),
    ("u32", "U32", [1], np.array([4000000000], dtype="<u4").tobytes(), [4000000000.0]),
    ("u16", "U16", [1], np.array([65535], dtype="<u2").tobytes(), [65535.0]),
    ("u8", "U8", [3], bytes([0, 1, 255]), [0.0, 1.0, 255.0]),
    ("bool", "BOOL", [3], bytes([1, 0, 1]), [1.0, 0.0, 1.0]),
    ("scalar", "F32", [], np.array(2.5, dtype="<f4").tobytes(), [2.5]),
    ("empty", "F32", [0, 4], b"", []),
]
write("dtypes.safetensors", tensors, {"format": "pt", "note": "every dtype"})

# The names a transformer uses, and a sharded set of it with its index.
rng = np.random.default_rng(5)
layers = []
for i in range(3):
    for part, shape in [("attn.weight", (8, 8)), ("attn.bias", (8,))]:
        a = rng.standard_normal(shape).astype(np.float32)
        layers.append((f"layers.{i}.{part}", "F32", list(shape), a.tobytes(), [float(x) for x in a.reshape(-1)]))
write("model-00001-of-00002.safetensors", layers[:4], {"format": "pt"})
write("model-00002-of-00002.safetensors", layers[4:], {"format": "pt"})
index = {"metadata": {"total_size": sum(len(t[3]) for t in layers)},
         "weight_map": {t[0]: ("model-00001-of-00002.safetensors" if k < 4 else "model-00002-of-00002.safetensors")
                        for k, t in enumerate(layers)}}
with open(os.path.join(HERE, "model.safetensors.index.json"), "w") as f:
    json.dump(index, f, indent=2)
EXPECTED["model.safetensors.index.json"] = {"tensors": [{"name": n, "dtype": d, "shape": s, "values": v}
                                                        for n, d, s, _, v in layers], "metadata": {}}
del EXPECTED["model-00001-of-00002.safetensors"], EXPECTED["model-00002-of-00002.safetensors"]

# An index that names a missing shard.
with open(os.path.join(HERE, "missing-shard.safetensors.index.json"), "w") as f:
    json.dump({"weight_map": {"a": "nowhere.safetensors"}}, f)

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(EXPECTED, f, indent=1)
