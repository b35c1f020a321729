#!/usr/bin/python3
"""MXNet NDArray list files written byte by byte from the format (MXNet cannot be installed):
src/ndarray/ndarray.cc NDArray::Save, dmlc serializer. See ../../../../shared/FORMATS.md §1.

Run:  /usr/bin/python3 make_mxnet_fixtures.py
"""
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
V1, V2, V3 = 0xF993FAC8, 0xF993FAC9, 0xF993FACA
FLAGS = {np.float32: 0, np.float64: 1, np.float16: 2, np.uint8: 3, np.int32: 4, np.int8: 5, np.int64: 6,
         np.bool_: 7, np.int16: 8, np.uint16: 9, np.uint32: 10, np.uint64: 11}


def record(arr, magic=V2):
    arr = np.asarray(arr)  # (ascontiguousarray would turn a 0-d array into 1-d)
    out = struct.pack("<I", magic)
    if magic in (V2, V3):
        out += struct.pack("<i", 0)  # dense storage
    out += struct.pack("<i", arr.ndim) + b"".join(struct.pack("<q", d) for d in arr.shape)
    out += struct.pack("<ii", 1, 0)  # cpu(0)
    out += struct.pack("<i", FLAGS[arr.dtype.type]) + arr.astype(arr.dtype.newbyteorder("<")).tobytes()
    return out


def list_file(records, names=()):
    out = struct.pack("<QQQ", 0x112, 0, len(records)) + b"".join(records)
    out += struct.pack("<Q", len(names)) + b"".join(struct.pack("<Q", len(n)) + n.encode() for n in names)
    return out


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


arrays = {
    "f32": np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5,
    "f64": np.array([1e300, -2.0]),
    "f16": np.array([0.5, 65504, -0.0], dtype=np.float16),
    "u8": np.array([0, 255], dtype=np.uint8),
    "i32": np.array([-7, 7], dtype=np.int32),
    "i8": np.array([-128, 127], dtype=np.int8),
    "i64": np.array([-(2 ** 40)], dtype=np.int64),
    "bool": np.array([True, False]),
    "i16": np.array([-300], dtype=np.int16),
    "u16": np.array([65535], dtype=np.uint16),
    "u32": np.array([4000000000], dtype=np.uint32),
    "u64": np.array([2 ** 50], dtype=np.uint64),
    "empty": np.zeros((0, 3), dtype=np.float32),
}
write("dtypes.params", list_file([record(a) for a in arrays.values()], list(arrays)))
# npx.save in numpy-shape mode (V3): a true 0-d scalar.
write("scalar_v3.params", list_file([record(np.array(3.5, dtype=np.float32), V3)], ["s"]))
# A "none" (uninitialised) array in V2: ndim 0 and nothing after the shape.
write("none_v2.params", list_file([struct.pack("<Iii", V2, 0, 0), record(np.ones(2, np.float32))], ["none", "w"]))
# A row_sparse array: storage type 1 (not readable: a clear error).
write("row_sparse.params", list_file([struct.pack("<Iiiq", V2, 1, 1, 2) + b"\0" * 64], ["sparse"]))
# Names that do not match the array count.
write("name_count_mismatch.params", list_file([record(np.ones(2, np.float32))], ["a", "b"]))
full = list_file([record(a) for a in arrays.values()], list(arrays))
write("truncated.params", full[: len(full) // 2])
