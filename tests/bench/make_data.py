#!/usr/bin/python3
"""Benchmark data (not committed): a transformer-shaped PyTorch checkpoint of ~1.5 GB with 200
tensors, a 1e8-element float32 tensor as .npy, .safetensors and HDF5 (+ float16/bfloat16 .npy
... as safetensors), and a 50 000 x 4096 float32 matrix as .npy.

Run:  /usr/bin/python3 make_data.py [DIR]   (default /tmp/ckpt-bench)
"""
import json
import os
import struct
import sys

import h5py
import numpy as np
import torch

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ckpt-bench"
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


def safetensors(name, tensors):
    header, offset = {}, 0
    for n, (code, a) in tensors.items():
        header[n] = {"dtype": code, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path(name), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for _, a in tensors.values():
            f.write(a.tobytes())


if not os.path.exists(path("transformer.pt")):
    torch.manual_seed(0)
    sd = {}
    d, layers = 1024, 20  # 20 layers x 10 tensors = 200 tensors, ~1.5 GB of float32
    for i in range(layers):
        p = f"layers.{i}."
        for n, shape in [("attn.q.weight", (d, d)), ("attn.k.weight", (d, d)), ("attn.v.weight", (d, d)),
                         ("attn.o.weight", (d, d)), ("mlp.up.weight", (4 * d, d)), ("mlp.down.weight", (d, 4 * d)),
                         ("mlp.gate.weight", (4 * d, d)), ("norm1.weight", (d,)), ("norm2.weight", (d,)),
                         ("attn.q.bias", (d,))]:
            sd[p + n] = torch.randn(shape)
    torch.save(sd, path("transformer.pt"))

n = 100_000_000
if not os.path.exists(path("big_f32.npy")):
    a = np.random.default_rng(1).standard_normal(n, dtype=np.float32)
    np.save(path("big_f32.npy"), a)
    np.save(path("big_f16.npy"), a.astype(np.float16))
    safetensors("big_f32.safetensors", {"w": ("F32", a)})
    safetensors("big_bf16.safetensors", {"w": ("BF16", (a.view(np.uint32) >> 16).astype(np.uint16))})
    with h5py.File(path("big_f32.h5"), "w") as f:
        f["w"] = a
if not os.path.exists(path("big_f32_gzip.h5")):
    # chunked, shuffled and deflated: read chunk by chunk by our own decoder (Hdf5ChunkedSource)
    a = np.load(path("big_f32.npy"), mmap_mode="r")
    with h5py.File(path("big_f32_gzip.h5"), "w") as f:
        d = f.create_dataset("w", shape=a.shape, dtype=np.float32, chunks=(1 << 18,), shuffle=True,
                             compression="gzip", compression_opts=1)
        for s in range(0, a.shape[0], 1 << 24):
            d[s:s + (1 << 24)] = a[s:s + (1 << 24)]
if not os.path.exists(path("big_u8_2p31_gzip.h5")):
    # 2^31 gzip-compressed bytes in a 4 MB file: once quadratic in our chunk lookups
    with h5py.File(path("big_u8_2p31_gzip.h5"), "w") as f:
        d = f.create_dataset("x", shape=(2**31,), dtype=np.uint8, compression="gzip")
        z = np.zeros(2**26, dtype=np.uint8)
        z[::4097] = 7
        for s in range(0, 2**31, 2**26):
            d[s:s + 2**26] = z
if not os.path.exists(path("wide.npy")):
    m = np.lib.format.open_memmap(path("wide.npy"), mode="w+", dtype=np.float32, shape=(50_000, 4096))
    for r in range(0, 50_000, 5000):
        m[r:r + 5000] = np.random.default_rng(r).standard_normal((5000, 4096), dtype=np.float32)
    m.flush()
if not os.path.exists(path("wide.h5")):
    m = np.load(path("wide.npy"), mmap_mode="r")
    with h5py.File(path("wide.h5"), "w") as f:
        d = f.create_dataset("w", shape=m.shape, dtype=np.float32)
        for r in range(0, m.shape[0], 5000):
            d[r:r + 5000] = m[r:r + 5000]
if not os.path.exists(path("many.pt")):
    # 1000 tensors, the size of a mid-sized model's state_dict listing
    torch.save({f"blocks.{i // 10}.part{i % 10}.weight": torch.full((16, 16), float(i)) for i in range(1000)},
               path("many.pt"))
shards = os.path.join(out, "sharded")
if not os.path.exists(os.path.join(shards, "model.safetensors.index.json")):
    # 30 GB in 4 sparse shards: headers written, data left as holes (reads return zeros)
    os.makedirs(shards, exist_ok=True)
    weight_map, per_shard, rows = {}, 100, 18_750  # 100 tensors x 18750 x 1024 x 4 B = 7.5 GB per shard
    for s_ in range(4):
        name = f"model-{s_ + 1:05d}-of-00004.safetensors"
        header, offset = {}, 0
        for t in range(per_shard):
            key = f"layers.{s_ * per_shard + t}.weight"
            nbytes = rows * 1024 * 4
            header[key] = {"dtype": "F32", "shape": [rows, 1024], "data_offsets": [offset, offset + nbytes]}
            offset += nbytes
            weight_map[key] = name
        h = json.dumps(header).encode()
        h += b" " * ((8 - len(h) % 8) % 8)
        with open(os.path.join(shards, name), "wb") as f:
            f.write(struct.pack("<Q", len(h)) + h)
            f.truncate(8 + len(h) + offset)
    with open(os.path.join(shards, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 4 * per_shard * rows * 1024 * 4}, "weight_map": weight_map}, f)
print("data in", out)
