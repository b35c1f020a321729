#!/usr/bin/python3
"""Seeds for fuzz_hdf5chunk (tests/fuzz/FuzzHdf5Chunk.cpp): chunks encoded as libhdf5 writes them.

Input layout: [pipeline byte][element size][chunk bytes, 2 bytes big-endian][filter mask][stored chunk].
The pipeline byte holds up to three 2-bit filter codes in write order (1 shuffle, 2 deflate,
3 fletcher32). Run: /usr/bin/python3 make_seeds.py
"""
import os
import struct
import zlib

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def fletcher32(data):
    # H5_checksum_fletcher32: big-endian 16-bit words, an odd last byte padded
    s1 = s2 = 0
    words = [(data[i] << 8) | data[i + 1] for i in range(0, len(data) - 1, 2)]
    if len(data) % 2:
        words.append(data[-1] << 8)
    for w in words:
        s1 = (s1 + w) % 0xFFFF
        s2 = (s2 + s1) % 0xFFFF
    return (s2 << 16) | s1


def shuffle(data, size):
    n = len(data) // size
    body = np.frombuffer(data[: n * size], dtype=np.uint8).reshape(n, size).T.tobytes()
    return body + data[n * size:]


def encode(raw, codes, size):
    out = raw
    for c in codes:
        if c == 1:
            out = shuffle(out, size)
        elif c == 2:
            out = zlib.compress(out, 6)
        elif c == 3:
            out = out + struct.pack("<I", fletcher32(out))
    order = 0
    for i, c in enumerate(codes):
        order |= c << (2 * i)
    return bytes([order, size]) + struct.pack(">H", len(raw)) + b"\0" + out


raw = (np.arange(96, dtype="<f4") / 8).tobytes()
for name, codes in {"deflate": [2], "shuffle_deflate": [1, 2], "shuffle_deflate_fletcher": [1, 2, 3],
                    "fletcher": [3], "plain": []}.items():
    with open(os.path.join(here, name + ".chunk"), "wb") as f:
        f.write(encode(raw, codes, 4))

# Chunks written by the filter plugins (tests/data/world/made, h5py + hdf5plugin): the element-size
# byte's top three bits choose the extra filter (1 lzf, 2 lz4, 3 bzip2, 4 zstd, 5 blosc,
# 6 bitshuffle + lz4, 7 bitshuffle alone); the pipeline byte is 0 (no other filter).
import h5py  # noqa: E402

made = os.path.join(here, "..", "world", "made")
for code, name in {1: "filter_lzf", 2: "filter_lz4", 3: "filter_bzip2", 4: "filter_zstd", 5: "filter_blosc_lz4",
                   6: "filter_bitshuffle_lz4"}.items():
    with h5py.File(os.path.join(made, name + ".h5"), "r") as f:
        d = f["i"]
        mask, stored = d.id.read_direct_chunk((0,))
        raw_bytes = d.chunks[0] * d.dtype.itemsize
    with open(os.path.join(here, name + ".chunk"), "wb") as out:
        out.write(bytes([0, (code << 5) | 2]) + struct.pack(">H", raw_bytes) + bytes([mask]) + stored)
