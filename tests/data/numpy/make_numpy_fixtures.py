#!/usr/bin/python3
"""NumPy fixtures for tst_npyreader / tst_npzreader, written by Debian's numpy itself.
expected.json lists each file's tensors (name, dtype, shape, values flattened in logical
row-major order; complex values as [re, im]).

Run:  /usr/bin/python3 make_numpy_fixtures.py
"""
import io
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = {}
NAMES = {"f8": "float64", "f4": "float32", "f2": "float16", "i8": "int64", "i4": "int32", "i2": "int16",
         "i1": "int8", "u8": "uint64", "u4": "uint32", "u2": "uint16", "u1": "uint8", "b1": "bool",
         "c8": "complex64", "c16": "complex128"}


def describe(name, a):
    a = np.asarray(a)
    flat = a.reshape(-1, order="C")
    if np.iscomplexobj(a):
        values = [[float(z.real), float(z.imag)] for z in flat]
    else:
        values = [float(v) for v in flat]
    return {"name": name, "dtype": NAMES[a.dtype.str[1:]], "shape": list(a.shape), "values": values}


def save(name, a, version=None, **_):
    path = os.path.join(HERE, name)
    with open(path, "wb") as f:
        np.lib.format.write_array(f, np.asanyarray(a), version=version)
    EXPECTED[name] = {"format": "NumPy .npy", "tensors": [describe("array", a)]}


x = np.arange(4, dtype=np.float32)
# The seed chapter's calls.
np.save(os.path.join(HERE, "x-file.npy"), x)
EXPECTED["x-file.npy"] = {"format": "NumPy .npy", "tensors": [describe("array", x)]}
y = np.zeros(4, dtype=np.float32)
np.save(os.path.join(HERE, "mydict.npy"), {"x": x, "y": y}, allow_pickle=True)
EXPECTED["mydict.npy"] = {"format": "NumPy .npy", "tensors": [describe("x", x), describe("y", y)]}
ragged = np.empty(2, dtype=object)
ragged[0] = np.arange(3, dtype=np.int64)
ragged[1] = np.ones((2, 2), dtype=np.float64)
np.save(os.path.join(HERE, "list.npy"), ragged, allow_pickle=True)
EXPECTED["list.npy"] = {"format": "NumPy .npy", "tensors": [describe("0", ragged[0]), describe("1", ragged[1])]}

# Every numeric descr, byte orders, layouts and versions.
rng = np.random.default_rng(3)
for code in ["<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1", "|b1", "<c8", "<c16"]:
    a = (rng.standard_normal((2, 3)) * 100).astype(code) if code[1] not in "b" else rng.standard_normal((2, 3)) > 0
    if code[1] == "c":
        a = (rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))).astype(code)
    save(f"dtype_{code[1:]}.npy", a)
save("big_endian_f4.npy", (np.arange(6).reshape(2, 3) / 4).astype(">f4"))
save("big_endian_i8.npy", np.array([-3, 2 ** 40], dtype=">i8"))
save("fortran.npy", np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4)))
save("scalar.npy", np.array(2.5, dtype=np.float64))
save("empty.npy", np.zeros((0, 5), dtype=np.float32))
save("v2.npy", np.arange(5, dtype=np.int16), version=(2, 0))
save("v3.npy", np.arange(5, dtype=np.uint8), version=(3, 0))

# .npz: stored and deflated.
w = rng.standard_normal((4, 3)).astype(np.float32)
b = np.arange(3, dtype=np.int64)
np.savez(os.path.join(HERE, "stored.npz"), weight=w, bias=b)
np.savez_compressed(os.path.join(HERE, "compressed.npz"), weight=w, bias=b)
for name in ["stored.npz", "compressed.npz"]:
    EXPECTED[name] = {"format": "NumPy .npz", "tensors": [describe("weight", w), describe("bias", b)]}
np.savez(os.path.join(HERE, "positional.npz"), x, w)
EXPECTED["positional.npz"] = {"format": "NumPy .npz", "tensors": [describe("arr_0", x), describe("arr_1", w)]}

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(EXPECTED, f, indent=1)
print(len(EXPECTED), "files")
