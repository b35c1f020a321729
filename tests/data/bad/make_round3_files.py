#!/usr/bin/python3
"""Hostile files for the readers added for issue 17 (filter plugins, snappy TF tables, msgpack,
structured .npy, checkpoint indexes). Each is a real file written by the library (h5py with
hdf5plugin, numpy) and then changed in the one place an attacker would change it.

Run: /usr/bin/python3 tests/data/bad/make_round3_files.py (adds entries to expected.json).

keras_compact_stores_nothing.keras is not written here: fuzz_keras found it (a Keras 3 archive
whose model.weights.h5 has a compact dataset storing 0 bytes, on which libhdf5's read copies from
a null buffer); it is kept byte for byte as the fuzzer left it.
"""
import bz2
import json
import os
import shutil
import struct

import h5py
import hdf5plugin  # registers the LZ4 and bzip2 filters with h5py's libhdf5
import msgpack
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
made = os.path.join(here, "..", "world", "made")
expected = {}


def path(name):
    return os.path.join(here, name)


def patch(name, offset, data):
    with open(path(name), "r+b") as f:
        f.seek(offset)
        f.write(data)


# An LZ4 chunk whose header declares 1 TiB: the plugin would allocate it before decoding.
shutil.copy(os.path.join(made, "filter_lz4.h5"), path("hdf5_lz4_declares_1tib.h5"))
with h5py.File(path("hdf5_lz4_declares_1tib.h5"), "r") as f:
    chunk = f["i"].id.get_chunk_info(0)
patch("hdf5_lz4_declares_1tib.h5", chunk.byte_offset, struct.pack(">Q", 1 << 40))
expected["hdf5_lz4_declares_1tib.h5"] = {
    "error": "dataset /i: the chunk at (0): a chunk decoded by filter 32004 (lz4) would be larger than the 604 bytes"}

# A bzip2 bomb in a 40-byte chunk: 64 MiB of zeros, for a chunk of 400 bytes.
with h5py.File(path("hdf5_bzip2_bomb.h5"), "w") as f:
    d = f.create_dataset("w", shape=(100,), dtype="<f4", chunks=(100,), **hdf5plugin.BZip2())
    d.id.write_direct_chunk((0,), bz2.compress(bytes(64 << 20)), 0)
expected["hdf5_bzip2_bomb.h5"] = {
    "error": "dataset /w: the chunk at (0): a chunk decoded by filter 307 (bzip2) would be larger than the 404 bytes"}

# A structured .npy whose records need more bytes than follow the header.
header = "{'descr': [('x', '<f4'), ('y', '<i8')], 'fortran_order': False, 'shape': (1000,), }"
header += " " * (63 - (10 + len(header)) % 64) + "\n"
data = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + bytes(24)
open(path("npy_structured_short.npy"), "wb").write(data)
expected["npy_structured_short.npy"] = {
    "error": "the .npy header claims shape (1000) of records of 12 bytes (12000 bytes), but only 24 bytes of data follow"}

# Structured dtypes nested without end.
nested = "('a', '<f4')"
for _ in range(20):
    nested = "('n', [" + nested + "])"
header = "{'descr': [" + nested + "], 'fortran_order': False, 'shape': (1,), }"
header += " " * (63 - (10 + len(header)) % 64) + "\n"
open(path("npy_structured_deep.npy"), "wb").write(
    b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + bytes(4))
expected["npy_structured_deep.npy"] = {"error": "structured dtype nested more than 8 deep"}


def msgpack_ext1(shape, dtype, raw):
    return msgpack.ExtType(1, msgpack.packb((tuple(shape), dtype, raw), use_bin_type=True))


# A Flax array extension whose shape needs 4000 bytes, holding 8.
open(path("flax_shape_lies.msgpack"), "wb").write(
    msgpack.packb({"params": {"w": msgpack_ext1((1000,), "float32", bytes(8))}}, use_bin_type=True))
expected["flax_shape_lies.msgpack"] = {"error": "params/w: shape (1000) of float32 needs 4000 bytes, the file holds 8"}

# Maps nested 100 deep (msgpack's own parser would follow them all).
deep = {"x": 1}
for _ in range(100):
    deep = {"k": deep}
open(path("flax_nested_deep.msgpack"), "wb").write(msgpack.packb(deep, use_bin_type=True))
expected["flax_nested_deep.msgpack"] = {"error": "nested more than 64 deep"}

# A checkpoint index that names itself as its shard.
json.dump({"metadata": {}, "weight_map": {"w": "index_names_itself.index.json"}},
          open(path("index_names_itself.index.json"), "w"))
expected["index_names_itself.index.json"] = {"error": "shard index_names_itself.index.json is itself an index"}

# A subarray field of 2^61 + 1 float64: 8 * (2^61 + 1) wraps to 8 bytes in 64 bits.
header = "{'descr': [('a', '<f8', (2305843009213693953,))], 'fortran_order': False, 'shape': (1,), }"
header += " " * (63 - (10 + len(header)) % 64) + "\n"
open(path("npy_structured_wraps.npy"), "wb").write(
    b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + bytes(8))
expected["npy_structured_wraps.npy"] = {"error": "a structured dtype of more than 1 GiB per record"}

# Scale-offset, which only libhdf5 decodes, followed by LZ4: libhdf5 would run Debian's LZ4 plugin.
with h5py.File(path("hdf5_scaleoffset_lz4.h5"), "w") as f:
    f.create_dataset("w", data=np.arange(1000, dtype="<i4"), chunks=(100,), scaleoffset=0, **hdf5plugin.LZ4())
expected["hdf5_scaleoffset_lz4.h5"] = {
    "error": "dataset /w: filter 32004 together with n-bit, scale-offset, szip or variable-length data is not supported"}

# A million plain values in one list (1 MB): listed up to 65536, counted beyond.
open(path("flax_million_values.msgpack"), "wb").write(msgpack.packb({"a": [None] * (1 << 20)}, use_bin_type=True))
expected["flax_million_values.msgpack"] = {"opens": [], "metadata": {"flax.unlisted_values": "983040 more plain values, not listed"}}


def record_with_array(name, dims):
    """A dataset /r of 4 records {x: float32, v: float32[dims]} made through h5py's low-level API, never written."""
    member = h5py.h5t.array_create(h5py.h5t.IEEE_F32LE, dims)
    record = h5py.h5t.create(h5py.h5t.COMPOUND, 4 + member.get_size())
    record.insert(b"x", 0, h5py.h5t.IEEE_F32LE)
    record.insert(b"v", 4, member)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_obj_track_times(False)  # the same bytes each time
    fid = h5py.h5f.create(path(name).encode(), h5py.h5f.ACC_TRUNC)
    h5py.h5d.create(fid, b"r", record, h5py.h5s.create_simple((4,)), dcpl=dcpl)
    fid.close()


# An array member of 2^30 + 3 float32 needs 2^32 + 12 bytes, which the datatype message keeps in
# 32 bits (as 12); libhdf5 takes the size from the dims again, and would allocate and convert 4 GiB
# for each record.
record_with_array("hdf5_array_member_wraps.h5", (2**30 + 3,))
expected["hdf5_array_member_wraps.h5"] = {
    "error": "dataset /r: an array of (1073741827) float32 values (4294967308 bytes) per element, more than 64 MiB"}
# (2^20, 2^20) float32, 4 TiB, stored as 0 bytes: libhdf5 divides by it when it opens the dataset.
record_with_array("hdf5_array_member_4tib.h5", (2**20, 2**20))
expected["hdf5_array_member_4tib.h5"] = {"error": "the file is corrupt: libhdf5 crashed"}


def patch_array_dim(name, dim):
    """Changes the one dim of the file's array member {v: float32[3]}."""
    data = open(path(name), "rb").read()
    array_type = bytes.fromhex("2a000000" "0c000000" "01000000" "03000000")  # class 10 v2, 12 bytes, rank 1, dim 3
    assert data.count(array_type) == 1
    patch(name, data.index(array_type) + 12, struct.pack("<I", dim))


# Records of 16 bytes whose member {v: float32[3]} at offset 4 was made float32[1000]: libhdf5
# takes the member's size (4000 bytes) from its dims and widens the records to fit it, which the
# 64 bytes stored then do not hold.
with h5py.File(path("hdf5_array_member_past_record.h5"), "w") as f:
    records = np.zeros(4, dtype=[("x", "<f4"), ("v", "<f4", (3,))])
    records["x"] = [1, 2, 3, 4]
    f.create_dataset("r", data=records)
patch_array_dim("hdf5_array_member_past_record.h5", 1000)
expected["hdf5_array_member_past_record.h5"] = {
    "error": "dataset /r stores 64 bytes but its shape needs 16016"}
# Records never written whose member {v: float32[3]} was made float32[0]: an empty tensor (4, 0).
record_with_array("hdf5_array_member_zero_dim.h5", (3,))
patch_array_dim("hdf5_array_member_zero_dim.h5", 0)
expected["hdf5_array_member_zero_dim.h5"] = {"opens": ["r.x", "r.v"]}

with open(os.path.join(here, "expected.json")) as f:
    all_expected = json.load(f)
all_expected.update(expected)
with open(os.path.join(here, "expected.json"), "w") as f:
    json.dump(all_expected, f, indent=2, ensure_ascii=False)
    f.write("\n")
