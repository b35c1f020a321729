#!/usr/bin/python3
"""Writes the bad-file corpus for tst_badfiles: files a stranger could send, each of which must
give a clear error naming the file (never a crash, hang, huge allocation, or code execution).

Run with Debian's python3-numpy and python3-h5py:  /usr/bin/python3 make_bad_files.py
The expected error of each file is in expected.json (kept by hand: the text the user sees).
Pickles that would call os.system & co. try to create /tmp/ckptview-marker-*; the test checks
that no such file ever appears.
"""
import io
import os
import pickle
import random
import shutil
import struct
import sys
import zipfile
import zlib

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
REAL = os.path.join(DATA, "real")
rng = random.Random(1234)


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def truncations(prefix, data, points, ext):
    for p in points:
        n = p if isinstance(p, int) else int(len(data) * p)
        write(f"{prefix}_truncated_{n}{ext}", data[:n])


# --- anything ---------------------------------------------------------------------------------
write("empty.bin", b"")
write("random.bin", bytes(rng.randrange(256) for _ in range(4096)))
write("text.txt", b"these are not the weights you are looking for\n")

# --- HDF5 -------------------------------------------------------------------------------------
buf = io.BytesIO()
with h5py.File(buf, "w") as f:
    f["dense/kernel"] = np.arange(64, dtype=np.float32).reshape(8, 8)
h5 = buf.getvalue()
truncations("hdf5", h5, [8, 100, 0.5], ".h5")
write("hdf5_wrong_magic.h5", b"\x89HDF\r\n\x1b\x0b" + h5[8:])

with h5py.File(os.path.join(HERE, "hdf5_cyclic_softlink.h5"), "w") as f:
    f["w"] = np.ones(3, dtype=np.float32)
    f["a"] = h5py.SoftLink("/b")
    f["b"] = h5py.SoftLink("/a")
    f.create_group("g")
    f["g/loop"] = h5py.SoftLink("/g")

with h5py.File(os.path.join(HERE, "hdf5_external_missing.h5"), "w") as f:
    f["w"] = np.ones(3, dtype=np.float32)
    f["ext"] = h5py.ExternalLink("does-not-exist.h5", "/weights")

# A contiguous dataset whose data lies past the end of the (truncated) file.
buf = io.BytesIO()
with h5py.File(buf, "w", libver="earliest") as f:
    f.create_dataset("big", shape=(256, 1024), dtype=np.float32, fillvalue=0)  # metadata first
    f["big"][...] = 1.0
full = buf.getvalue()
with h5py.File(io.BytesIO(full), "r") as f:
    offset = f["big"].id.get_offset()
write("hdf5_dataset_past_end.h5", full[: offset + 4096])

# --- NumPy .npy -------------------------------------------------------------------------------
def npy_bytes(arr):
    b = io.BytesIO()
    np.save(b, arr)
    return b.getvalue()


def npy_with_header(header, data=b""):
    header = header.encode("latin1")
    pad = 64 - (10 + len(header) + 1) % 64
    header += b" " * (pad % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + data


npy = npy_bytes(np.arange(100, dtype=np.float32))
truncations("npy", npy, [6, 20, 100], ".npy")
write("npy_wrong_magic.npy", b"\x93NUMPX" + npy[6:])
write("npy_impossible_shape.npy",
      npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }"))
write("npy_data_short.npy",
      npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000,), }", b"\0" * 64))
write("npy_bad_header.npy", npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3,"))
write("npy_header_code.npy",
      npy_with_header("{'descr': __import__('os').system('touch /tmp/ckptview-marker-npy-header'), "
                      "'fortran_order': False, 'shape': (1,), }", b"\0" * 4))
write("npy_negative_shape.npy",
      npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }"))


def pickle_calling(module, name, args):
    """A protocol-2 pickle of module.name(*args) (a REDUCE of a GLOBAL)."""
    out = b"\x80\x02" + b"c" + module.encode() + b"\n" + name.encode() + b"\n"
    out += b"("
    for a in args:
        out += pickle.dumps(a, protocol=2)[2:-1]
    out += b"tR."
    return out


# An object array whose pickle calls os.system (np.load(allow_pickle=True) would run it).
write("npy_object_os_system.npy",
      npy_with_header("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
                      pickle_calling("os", "system", ["touch /tmp/ckptview-marker-npy-object"])))

# --- NumPy .npz -------------------------------------------------------------------------------
b = io.BytesIO()
np.savez(b, w=np.arange(16, dtype=np.float32), b=np.zeros(4, dtype=np.float32))
npz = b.getvalue()
truncations("npz", npz, [30, 0.5, len(npz) - 10], ".npz")
cd = npz.rfind(b"PK\x01\x02")
write("npz_corrupt_directory.npz", npz[:cd] + bytes(rng.randrange(256) for _ in range(len(npz) - cd)))

b = io.BytesIO()
np.savez_compressed(b, w=np.arange(4096, dtype=np.float32))
npzc = bytearray(b.getvalue())
start = 30 + struct.unpack("<H", npzc[26:28])[0] + struct.unpack("<H", npzc[28:30])[0]
for i in range(start + 200, start + 260):
    npzc[i] ^= 0x5A
write("npz_deflate_error.npz", bytes(npzc))


def zip_bomb_npz():
    """One deflated member whose headers claim 4 GiB of float32s; the stream holds 1 MiB of zeros."""
    header = npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1073741823,), }")
    body = header + b"\0" * (1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = comp.compress(body) + comp.flush()
    claimed = len(header) + 4 * 1073741823  # > 4 GiB: needs ZIP64 fields
    name = b"w.npy"
    crc = zlib.crc32(body)
    zip64_local = struct.pack("<HHQQ", 1, 16, claimed, len(stream))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                        len(name), len(zip64_local)) + name + zip64_local
    zip64_central = struct.pack("<HHQQ", 1, 16, claimed, len(stream))
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0, crc, 0xFFFFFFFF,
                          0xFFFFFFFF, len(name), len(zip64_central), 0, 0, 0, 0, 0) + name + zip64_central
    cd_offset = len(local) + len(stream)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), cd_offset, 0)
    return local + stream + central + eocd


write("npz_zip_bomb.npz", zip_bomb_npz())

# --- PyTorch ----------------------------------------------------------------------------------
def torch_zip(pkl, extra=()):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/byteorder", "little")
        for name, data in extra:
            z.writestr(name, data)
        z.writestr("archive/version", "3\n")
    return b.getvalue()


write("torch_os_system.pt", torch_zip(pickle_calling("os", "system", ["touch /tmp/ckptview-marker-os-system"])))
write("torch_eval.pt", torch_zip(pickle_calling("builtins", "eval",
                                                ["open('/tmp/ckptview-marker-eval','w')"])))
write("torch_popen.pt", torch_zip(pickle_calling("subprocess", "Popen",
                                                 [["touch", "/tmp/ckptview-marker-popen"]])))
write("torch_import.pt", torch_zip(pickle_calling("builtins", "__import__", ["os"])))
write("torch_deep_nesting.pt", torch_zip(b"\x80\x02" + b"]" * 200000 + b"a" * 199999 + b"."))
write("torch_deep_marks.pt", torch_zip(b"\x80\x02" + b"(" * 200000 + b"l" * 200000 + b"."))
write("torch_memo_4gb.pt", torch_zip(b"\x80\x02]r\x00\x00\x00\x00" + b"j\xff\xff\xff\xff" + b"."))
write("torch_huge_binunicode.pt", torch_zip(b"\x80\x02X\xff\xff\xff\x7fabc."))
mlp = read(os.path.join(REAL, "pytorch", "mlp.params"))
truncations("torch", mlp, [100, 0.5, len(mlp) - 30], ".pt")
cd = mlp.rfind(b"PK\x01\x02")
write("torch_corrupt_directory.pt", mlp[:cd] + b"\xff" * (len(mlp) - cd))

# --- safetensors ------------------------------------------------------------------------------
import json


def safetensors(header, data):
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


write("safetensors_header_1tb.safetensors", struct.pack("<Q", 1 << 40) + b'{"a":1}')
write("safetensors_offsets_past_end.safetensors",
      safetensors({"w": {"dtype": "F32", "shape": [4000], "data_offsets": [0, 16000]}}, b"\0" * 16))
write("safetensors_overlap.safetensors",
      safetensors({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                   "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}}, b"\0" * 24))
write("safetensors_gap.safetensors",
      safetensors({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                   "b": {"dtype": "F32", "shape": [2], "data_offsets": [16, 24]}}, b"\0" * 24))
write("safetensors_shape_mismatch.safetensors",
      safetensors({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}}, b"\0" * 16))
write("safetensors_bad_json.safetensors", struct.pack("<Q", 10) + b'{"a": [1, ')
write("safetensors_impossible_shape.safetensors",
      safetensors({"a": {"dtype": "F32", "shape": [1 << 40, 1 << 40], "data_offsets": [0, 16]}}, b"\0" * 16))
good = safetensors({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 16)
truncations("safetensors", good, [4, 20, len(good) - 4], ".safetensors")

# --- other libraries: truncated real files, wrong magic ----------------------------------------
for prefix, path, points in [
        ("mxnet", os.path.join(REAL, "mxnet", "mx_mlp-0015.params"), [10, 40, 0.5]),
        ("gguf", os.path.join(REAL, "gguf", "llama-2-tiny-random.gguf"), [6, 200, 4096]),
        ("onnx", os.path.join(REAL, "onnx", "xor.onnx"), [20, 0.5]),
        ("tfindex", os.path.join(REAL, "tf-checkpoint", "oubaaid_my_checkpoint.index"), [30, 0.5])]:
    data = read(path)
    ext = os.path.splitext(path)[1] or ".bin"
    truncations(prefix, data, points, ext)
write("gguf_wrong_magic.gguf", b"GGUX" + read(os.path.join(REAL, "gguf", "llama-2-tiny-random.gguf"))[4:4096])
g = bytearray(read(os.path.join(REAL, "gguf", "llama-2-tiny-random.gguf"))[:4096])
g[8:16] = struct.pack("<Q", 1 << 60)  # tensor count
write("gguf_absurd_tensor_count.gguf", bytes(g))

# --- TensorFlow bundles (the good bundle is ../tfcheckpoint/mlp.params.*) -----------------------
def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    return c ^ 0xFFFFFFFF


def masked_crc(data):
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def uvarint(data, pos):
    v = shift = 0
    while True:
        b = data[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, pos


def uvarint_bytes(n):
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


TF = os.path.join(DATA, "tfcheckpoint")
tf_index = read(os.path.join(TF, "mlp.params.index"))
tf_data = read(os.path.join(TF, "mlp.params.data-00000-of-00001"))
write("tfindex_wrong_magic.index", tf_index[:-8] + b"\x57\xfb\x80\x8b\x24\x75\x47\xdc")
write("tfindex_missing_shard.index", tf_index)  # no data file beside it
footer = tf_index[-48:]
meta_offset, p = uvarint(footer, 0)
meta_size, p = uvarint(footer, p)
index_offset, p = uvarint(footer, p)
index_size, p = uvarint(footer, p)
handles = (uvarint_bytes(meta_offset) + uvarint_bytes(meta_size) + uvarint_bytes(index_offset + 100000)
           + uvarint_bytes(index_size))
write("tfindex_handle_out_of_range.index", tf_index[:-48] + handles.ljust(40, b"\0") + footer[40:])
# The only data block runs from 0 to the metaindex block: mark it snappy-compressed, with a valid crc
# (its bytes are not snappy's, so it must be refused as corrupt).
block = tf_index[:meta_offset - 5]
snappy = block + b"\x01" + struct.pack("<I", masked_crc(block + b"\x01")) + tf_index[meta_offset:]
write("tfindex_snappy_block.index", snappy)
os.makedirs(os.path.join(HERE, "tfindex_bad_crc"), exist_ok=True)
write("tfindex_bad_crc/mlp.params.index", tf_index)
corrupt = bytearray(tf_data)
corrupt[100] ^= 0x01  # inside layer_with_weights-0/kernel, the first tensor written
write("tfindex_bad_crc/mlp.params.data-00000-of-00001", bytes(corrupt))


# --- GGUF: hostile headers written field by field (ggml docs/gguf.md) --------------------------
def gguf_file(kvs=b"", n_kv=0, infos=b"", n_tensors=0, data=b"", version=3, align=32):
    head = b"GGUF" + struct.pack("<IQQ", version, n_tensors, n_kv) + kvs + infos
    return head + b"\0" * (-len(head) % align) + data


def gguf_str(s):
    return struct.pack("<Q", len(s)) + s


def gguf_info(name, dims, gtype, offset):
    return gguf_str(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims) \
        + struct.pack("<IQ", gtype, offset)


F32_INFO = gguf_info(b"w", [4], 0, 0)
write("gguf_version_4.gguf", gguf_file(version=4))
write("gguf_bad_alignment.gguf", gguf_file(gguf_str(b"general.alignment") + struct.pack("<II", 4, 3), 1,
                                           F32_INFO, 1, b"\0" * 16))
write("gguf_tensor_past_end.gguf", gguf_file(infos=gguf_info(b"w", [1000], 0, 0), n_tensors=1, data=b"\0" * 16))
write("gguf_unaligned_offset.gguf", gguf_file(infos=gguf_info(b"w", [4], 0, 4), n_tensors=1, data=b"\0" * 64))
write("gguf_huge_string.gguf", gguf_file(struct.pack("<Q", 1 << 62) + b"general.name", 1))
write("gguf_huge_array.gguf", gguf_file(gguf_str(b"tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 1 << 60), 1))
nested = struct.pack("<I", 9)
for _ in range(20):
    nested += struct.pack("<IQ", 9, 1)
write("gguf_deep_arrays.gguf", gguf_file(gguf_str(b"deep") + nested + struct.pack("<IQ", 4, 0), 1))
write("gguf_five_dims.gguf", gguf_file(infos=gguf_info(b"w", [1, 1, 1, 1, 1], 0, 0), n_tensors=1, data=b"\0" * 4))
write("gguf_unknown_type.gguf", gguf_file(infos=gguf_info(b"w", [4], 99, 0), n_tensors=1, data=b"\0" * 16))
write("gguf_numel_overflow.gguf", gguf_file(infos=gguf_info(b"w", [1 << 40, 1 << 40], 0, 0), n_tensors=1))
write("gguf_block_size.gguf", gguf_file(infos=gguf_info(b"w", [33], 8, 0), n_tensors=1, data=b"\0" * 64))
write("gguf_duplicate_key.gguf", gguf_file((gguf_str(b"a.b") + struct.pack("<IB", 0, 1)) * 2, 2))
write("gguf_duplicate_tensor.gguf", gguf_file(infos=F32_INFO + gguf_info(b"w", [4], 0, 32), n_tensors=2,
                                              data=b"\0" * 48))
write("gguf_unsupported_quant.gguf", gguf_file(infos=gguf_info(b"iq", [256], 17, 0), n_tensors=1, data=b"\0" * 74))
# --- ONNX: hostile models encoded field by field (../onnx/onnx_proto.py) ------------------------
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(DATA, "onnx"))
import onnx_proto as ox  # noqa: E402


def onnx_file(*initializers):
    return ox.model(ox.graph("g", [], list(initializers)))


# data_type written as a length-delimited field (wire type 2) instead of a varint
write("onnx_wrong_tag.onnx", onnx_file(ox.packed_varints(1, [2]) + ox.bfield(2, b"\x01") + ox.bfield(8, "w")))
# raw_data claims 1000 bytes; the tensor message holds 4
write("onnx_length_past_end.onnx", onnx_file(ox.vfield(2, ox.FLOAT) + ox.bfield(8, "w") + ox.key(9, 2) + ox.varint(1000)
                                             + b"\0" * 4))
write("onnx_dims_exceed_data.onnx", onnx_file(ox.tensor("w", ox.FLOAT, [1000], raw=b"\0" * 16)))
write("onnx_typed_count.onnx", onnx_file(ox.tensor("w", ox.FLOAT, [5], typed=ox.bfield(4, struct.pack("<2f", 1, 2)))))
write("onnx_external_escape.onnx", onnx_file(ox.tensor("w", ox.FLOAT, [4], external=[("location", "../onnx/external.bin")])))
write("onnx_external_absolute.onnx", onnx_file(ox.tensor("w", ox.FLOAT, [4], external=[("location", "/etc/passwd")])))
write("onnx_external_missing.onnx", onnx_file(ox.tensor("w", ox.FLOAT, [4], external=[("location", "no-such.bin")])))
write("onnx_external_past_end.onnx", onnx_file(ox.tensor("w", ox.FLOAT, [4], external=[
    ("location", "onnx_external_past_end.onnx"), ("offset", "1000")])))
write("onnx_numel_overflow.onnx", onnx_file(ox.tensor("w", ox.FLOAT, [1 << 40, 1 << 40], raw=b"\0" * 16)))
write("onnx_wrong_typed_field.onnx", onnx_file(ox.tensor("w", ox.INT64, [2], typed=ox.bfield(4, struct.pack("<2f", 1, 2)))))
write("onnx_negative_dim.onnx", onnx_file(ox.tensor("w", ox.FLOAT, [-4], raw=b"\0" * 16)))
print("wrote", len(os.listdir(HERE)) - 1, "files")
