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
