#!/usr/bin/python3
"""Write small, deterministic hostile checkpoint files for ckptview (round 2).

Usage: /usr/bin/python3 make_round2_files.py [OUTDIR]     (default: this script's folder)
       add --million to write safetensors_million_dims.safetensors with the full
       1,000,000 dimensions (a 2 MB header) instead of the size-capped default.

Needs only Debian's python3-h5py, python3-numpy, python3-torch and the stdlib:
    apt-get install -y python3-h5py python3-numpy python3-torch

Files written (all < 200 KB unless --million):
  hdf5_external_absolute.h5      "w" f4 (8,), external storage /etc/passwd [0, 32)
  hdf5_external_escape.h5        "w" f4 (8,), external storage ../../../../../../etc/passwd
  hdf5_external_inside.h5 +.bin  "w" f4 (8,) = 0..7 in the relative external file beside it (legit)
  hdf5_virtual_outside.h5        VDS "v" f4 (8,) <- /tmp/ckptview-vds-source.h5:/x (not created)
  hdf5_virtual_escape.h5         VDS "v" f4 (8,) <- ../outside.h5:/x (not created)
  hdf5_virtual_same_file.h5      VDS "v" f4 (8,) <- .:/x, "/x" = 10..17 (legit)
  hdf5_chunk_btree_cycle.h5      "w" f4 (200,) chunks (2,); child 0 of the level-1 v1 B-tree root
                                 patched to point at the root itself
  hdf5_chunk_mask_lies.h5        "w" f4 (1024,) chunk (1024,) gzip; chunk key filter mask 0 -> 1
  hdf5_virtual_corrupt_source.h5 VDS "v" f4 (200,) <- hdf5_chunk_btree_cycle.h5:/w (the cyclic index)
  hdf5_huge_dataset.h5           "w" u1 (2**31, 2**31) chunks (1024, 1024), nothing written
  hdf5_fill_only.h5              "w" f4 (2**20, 2**20) chunks (256, 256) fillvalue 1.5, nothing written
  hdf5_contiguous_unwritten.h5   "w" f4 (2**20, 2**20) contiguous, fillvalue 1.5, nothing written
  hdf5_virtual_1tib.h5           VDS "v" f4 (2**20, 2**18) fillvalue -1, [5, 0:8] <- .:/x = 10..17
  torch_stride_zero_2p60.pt      bare tensor, size (2**30, 2**30), stride (0, 0), storage [2.5] (2**62 bytes)
  safetensors_million_dims.safetensors  "t" F32 shape [1]*N, data_offsets [0, 4], 4 data bytes
  torch_stride_zero.pt           bare tensor, size (2**32, 2**32), stride (0, 0), 1-element storage
  torch_huge_numel.pt            bare tensor, size (2**30,), stride (1,), storage numel 2**30,
                                 data/0 holds 16 bytes
  torch_pickle_memo_abuse.pt     deflated data.pkl: 2.8 million (EMPTY_DICT MEMOIZE POP), 8 MB
  torch_pickle_tuple1_chain.pt   deflated data.pkl: None in 3,990,000 nested TUPLE1s, 4 MB
  npz_object_memo_abuse.npz      deflated x.npy, an object array whose pickle is the memo abuse above
  keras_external_passwd.keras    tests/data/keras3/mlp.keras with layers/dense/vars/1 kept in the
                                 external file /etc/passwd (from inside the archive)

Nothing is ever written to an external/virtual source path: external datasets are created
without data (HDF5 allocates contiguous/external storage late and writes no fill values),
and the legit .bin is written by this script as raw bytes.
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import tempfile
import zipfile
import zlib

import h5py
import numpy as np
import torch

F4 = np.dtype("<f4")

# The safetensors JSON header costs 2 bytes per dimension ("1,"), so [1]*1000000 is a
# 2 MB file. To honour the < 200 KB rule the default rank is capped; --million writes the
# literal 1,000,000 (any rank this large is far above every sane rank limit anyway).
ST_DIMS_SMALL = 95_000
ST_DIMS_MILLION = 1_000_000


# --------------------------------------------------------------------------- HDF5 helpers

def h5_external(path, ext_name, dataset="w"):
    with h5py.File(path, "w", libver="earliest") as f:
        # No data argument: writing would write *into* ext_name.
        f.create_dataset(dataset, shape=(8,), dtype=F4, external=[(ext_name, 0, 32)])


def h5_add_vds(f, src_file, src_name="/x", name="v"):
    """VDS f[name] f4 (8,) <- src_file:src_name (8,). The same mapping h5py's
    VirtualLayout/VirtualSource would build, done through the low-level API so that the
    object modification time (which VirtualLayout.make_dataset always records) is off and
    the file stays byte-for-byte deterministic. The source file is never opened or created."""
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_obj_track_times(False)
    dcpl.set_fill_value(np.array([-1.0], dtype=F4))
    vspace = h5py.h5s.create_simple((8,))
    dcpl.set_virtual(vspace, src_file.encode(), src_name.encode(), h5py.h5s.create_simple((8,)))
    h5py.h5d.create(f.id, name.encode(), h5py.h5t.IEEE_F32LE, vspace, dcpl=dcpl)


def h5_virtual(path, src_file, src_name="/x"):
    with h5py.File(path, "w") as f:
        h5_add_vds(f, src_file, src_name)


# v1 B-tree node ("TREE"), as laid out on disk (HDF5 spec III.A.1, offsets/lengths 8 bytes):
#   0  signature  4 bytes  b"TREE"
#   4  node type  1 byte   0 = group nodes, 1 = raw data chunk nodes
#   5  node level 1 byte   0 = leaf (children are chunks), >= 1 = children are TREE nodes
#   6  entries    2 bytes  number of children in use (LE)
#   8  left sibling  8 bytes (UNDEF = 0xff..ff)
#  16  right sibling 8 bytes
#  24  key[0] child[0] key[1] child[1] ... child[n-1] key[n]   (keys and children interleaved)
# For node type 1 a key is: chunk size 4 bytes (LE, bytes stored on disk, after filters),
# filter mask 4 bytes (bit i set = filter i of the pipeline was NOT applied), then
# (rank + 1) 8-byte offsets (the chunk's element offset in each dimension, then 0 for the
# element-size dimension). A child is an 8-byte file address.
BT_HDR = 24


def bt_key_size(rank):
    return 4 + 4 + 8 * (rank + 1)


def bt_nodes(buf):
    """Every (address, type, level, entries) of a v1 B-tree node in buf."""
    out, pos = [], buf.find(b"TREE")
    while pos >= 0:
        ntype, level, used = struct.unpack_from("<BBH", buf, pos + 4)
        if ntype in (0, 1):
            out.append((pos, ntype, level, used))
        pos = buf.find(b"TREE", pos + 1)
    return out


def bt_child_field(node, rank, i):
    """File offset of the 8-byte child[i] field of a chunk (type 1) node."""
    ks = bt_key_size(rank)
    return node + BT_HDR + ks + i * (ks + 8)


def bt_key_field(node, rank, i):
    ks = bt_key_size(rank)
    return node + BT_HDR + i * (ks + 8)


def h5_btree_cycle(path):
    with h5py.File(path, "w", libver="earliest") as f:
        f.create_dataset("w", data=np.arange(200, dtype=F4), chunks=(2,))  # 100 chunks > 64
    buf = bytearray(open(path, "rb").read())
    roots = [n for n in bt_nodes(buf) if n[1] == 1 and n[2] >= 1]
    assert len(roots) == 1, roots
    root, _, level, used = roots[0]
    assert used >= 2
    field = bt_child_field(root, 1, 0)
    (child,) = struct.unpack_from("<Q", buf, field)
    assert buf[child:child + 4] == b"TREE", "root child 0 is not a node"
    struct.pack_into("<Q", buf, field, root)  # child[0] of the root -> the root itself
    open(path, "wb").write(bytes(buf))


def h5_mask_lies(path):
    data = (np.arange(1024) % 8).astype(F4)  # very compressible
    with h5py.File(path, "w", libver="earliest") as f:
        f.create_dataset("w", data=data, chunks=(1024,), compression="gzip", compression_opts=9)
    buf = bytearray(open(path, "rb").read())
    leaves = [n for n in bt_nodes(buf) if n[1] == 1]
    assert len(leaves) == 1 and leaves[0][2] == 0 and leaves[0][3] == 1, leaves
    key0 = bt_key_field(leaves[0][0], 1, 0)
    size, mask = struct.unpack_from("<II", buf, key0)
    assert mask == 0 and 0 < size < 4096, (size, mask)
    struct.pack_into("<I", buf, key0 + 4, 1)  # "filter 0 (deflate) was skipped"
    open(path, "wb").write(bytes(buf))


# --------------------------------------------------------------------------- torch helpers

class _StorageRef:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class _TensorRef:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def __reduce__(self):
        # exactly what torch.Tensor.__reduce_ex__ emits for a plain CPU tensor (torch 1.13)
        return (torch._utils._rebuild_tensor_v2,
                (self.storage, self.offset, tuple(self.size), tuple(self.stride), False,
                 collections.OrderedDict()))


class _TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return ("storage", torch.FloatStorage, obj.key, "cpu", obj.numel)
        return None


def torch_pickle(size, stride, numel, offset=0):
    b = io.BytesIO()
    _TorchPickler(b, protocol=2).dump(_TensorRef(_StorageRef("0", numel), offset, size, stride))
    return b.getvalue()


def torch_template(path):
    """torch.save a stride-0 expanded tensor at path; return [(member, bytes)] in order."""
    torch.save(torch.zeros(1).expand(4, 4), path)
    with zipfile.ZipFile(path) as z:
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    pkl = [m for m in members if m[0].endswith("/data.pkl")][0][1]
    # our hand-built pickle must be byte-identical to torch's for the template tensor
    assert torch_pickle((4, 4), (0, 0), 1) == pkl, "pickle builder does not match torch.save"
    return members


def write_torch_zip(path, members):
    """Stored (uncompressed) zip, each member's data aligned to 64 bytes as torch does
    (padding in a 'FB' extra field, like PyTorchFileWriter)."""
    with open(path, "wb") as fh:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as z:
            for name, data in members:
                zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_STORED
                start = fh.tell() + 30 + len(name.encode()) + 4
                pad = (-start) % 64
                zi.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
                z.writestr(zi, data)


def torch_file(path, size, stride, numel, data0=None):
    members = torch_template(path)
    out = []
    for name, data in members:
        if name.endswith("/data.pkl"):
            data = torch_pickle(size, stride, numel)
        elif name.endswith("/data/0") and data0 is not None:
            data = data0
        out.append((name, data))
    write_torch_zip(path, out)


def torch_shared_stream(path, copies=6, numel=64 * 2**20):
    """A torch zip whose storage records data/0..data/5 are six central-directory entries
    pointing at ONE local header and deflate stream of 256 MiB of zeros (about 250 KiB)."""
    stem = "archive"
    pkl = io.BytesIO()
    refs = {str(i): _TensorRef(_StorageRef(str(i), numel), 0, (numel,), (1,)) for i in range(copies)}
    _TorchPickler(pkl, protocol=2).dump(refs)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    blob = comp.compress(bytes(numel * 4)) + comp.flush()
    crc = zlib.crc32(bytes(numel * 4))
    out = io.BytesIO()
    central = []

    def local(name, data, method, size, crc32):
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc32, len(data), size,
                              len(name), 0) + name + data)
        return offset

    for name, data in [(stem + "/data.pkl", pkl.getvalue()), (stem + "/version", b"3\n")]:
        name = name.encode()
        off = local(name, data, 0, len(data), zlib.crc32(data))
        central.append((name, 0, len(data), len(data), zlib.crc32(data), off))
    shared = local((stem + "/data/0").encode(), blob, 8, numel * 4, crc)
    for i in range(copies):
        central.append(((stem + "/data/%d" % i).encode(), 8, len(blob), numel * 4, crc, shared))
    start = out.tell()
    for name, method, csize, size, crc32, off in central:
        out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc32, csize, size,
                              len(name), 0, 0, 0, 0, 0, off) + name)
    end = out.tell()
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), end - start, start, 0))
    with open(path, "wb") as fh:
        fh.write(out.getvalue())


def torch_pickle_bomb(path, size=1536 * 2**20):
    """A torch zip whose data.pkl is deflated: a pickle of one 1.5 GiB bytes object (zeros)."""
    stem = "archive"
    body = b"\x80\x02" + b"\x8e" + struct.pack("<Q", size)  # BINBYTES8 (protocol 4 opcode; refused or huge)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(2**20)
    blob = comp.compress(body)
    crc = zlib.crc32(body)
    for _ in range(size // len(chunk)):
        blob += comp.compress(chunk)
        crc = zlib.crc32(chunk, crc)
    tail = b"."
    blob += comp.compress(tail) + comp.flush()
    crc = zlib.crc32(tail, crc)
    total = len(body) + size + 1
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo(stem + "/version", date_time=(1980, 1, 1, 0, 0, 0)), b"3\n")
    # rewrite with the raw deflate member appended by hand
    out = io.BytesIO()
    name = (stem + "/data.pkl").encode()
    out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(blob), total, len(name), 0) + name + blob)
    start = out.tell()
    out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(blob), total,
                          len(name), 0, 0, 0, 0, 0, 0) + name)
    end = out.tell()
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, end - start, start, 0))
    with open(path, "wb") as fh:
        fh.write(out.getvalue())


def torch_deflated_pickle(path, pkl):
    """A torch zip (version record, data.pkl) whose data.pkl is deflated: a few KB on disk."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("archive/version", date_time=(1980, 1, 1, 0, 0, 0)), b"3\n")
        info = zipfile.ZipInfo("archive/data.pkl", date_time=(1980, 1, 1, 0, 0, 0))
        z.writestr(info, pkl, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


# Values that cost a few hundred bytes each in a graph but one to three bytes of pickle each.
MEMO_ABUSE_PICKLE = b"\x80\x04" + b"}\x940" * 2_800_000 + b"N."  # EMPTY_DICT MEMOIZE POP
TUPLE1_CHAIN_PICKLE = b"\x80\x02N" + b"\x85" * 3_990_000 + b"."  # ((((None,),),),)...


# --------------------------------------------------------------------------- main

def keras_external(path):
    """The seed-like Keras 3 MLP archive, one variable's storage moved to /etc/passwd."""
    here = os.path.dirname(os.path.abspath(__file__))
    src = zipfile.ZipFile(os.path.join(here, "..", "keras3", "mlp.keras"))
    weights = io.BytesIO()
    with h5py.File(io.BytesIO(src.read("model.weights.h5")), "r") as old, \
            h5py.File(weights, "w", libver="earliest") as new:
        def copy(name, obj):
            if isinstance(obj, h5py.Group):
                new.require_group(name)
            elif name == "layers/dense/vars/1":
                new.create_dataset(name, shape=obj.shape, dtype=obj.dtype, external=[("/etc/passwd", 0, 32)])
            else:
                new.create_dataset(name, data=obj[()])
        old.visititems(copy)
        for g in ("vars",):
            new.require_group(g)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name in ("metadata.json", "config.json"):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            z.writestr(info, src.read(name))
        info = zipfile.ZipInfo("model.weights.h5", date_time=(2026, 1, 1, 0, 0, 0))
        z.writestr(info, weights.getvalue())


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    million = "--million" in argv
    out = os.path.abspath(args[0] if args else os.path.dirname(os.path.abspath(__file__)))
    os.makedirs(out, exist_ok=True)
    p = lambda n: os.path.join(out, n)

    # 1-3 external storage
    h5_external(p("hdf5_external_absolute.h5"), "/etc/passwd")
    h5_external(p("hdf5_external_escape.h5"), "../../../../../../etc/passwd")
    with open(p("hdf5_external_inside.bin"), "wb") as fh:
        fh.write(np.arange(8, dtype=F4).tobytes())
    h5_external(p("hdf5_external_inside.h5"), "hdf5_external_inside.bin")

    # 4-5 virtual datasets (sources are never created)
    h5_virtual(p("hdf5_virtual_outside.h5"), "/tmp/ckptview-vds-source.h5")
    h5_virtual(p("hdf5_virtual_escape.h5"), "../outside.h5")
    with h5py.File(p("hdf5_virtual_same_file.h5"), "w") as f:
        f.create_dataset("x", data=np.arange(10, 18, dtype=F4))
        h5_add_vds(f, ".", "/x")  # "." = this same file

    # 6-7 patched chunk B-trees
    h5_btree_cycle(p("hdf5_chunk_btree_cycle.h5"))
    h5_mask_lies(p("hdf5_chunk_mask_lies.h5"))
    # a virtual dataset whose source (a sibling file, inside the folder) has that cyclic chunk index:
    # libhdf5 reads the source itself
    with h5py.File(p("hdf5_virtual_corrupt_source.h5"), "w", libver="latest") as f:
        layout = h5py.VirtualLayout(shape=(200,), dtype=F4)
        layout[:] = h5py.VirtualSource("hdf5_chunk_btree_cycle.h5", "w", shape=(200,))
        f.create_virtual_dataset("v", layout, fillvalue=0)

    # 8-9 huge declared shapes, (almost) nothing stored: statistics cost what is stored
    with h5py.File(p("hdf5_huge_dataset.h5"), "w", libver="earliest") as f:
        f.create_dataset("w", shape=(2**31, 2**31), dtype="u1", chunks=(1024, 1024), track_times=False)
    with h5py.File(p("hdf5_fill_only.h5"), "w", libver="earliest") as f:
        f.create_dataset("w", shape=(2**20, 2**20), dtype=F4, chunks=(256, 256), fillvalue=1.5, track_times=False)
    with h5py.File(p("hdf5_contiguous_unwritten.h5"), "w", libver="earliest") as f:
        f.create_dataset("w", shape=(2**20, 2**20), dtype=F4, fillvalue=1.5, track_times=False)
    with h5py.File(p("hdf5_virtual_1tib.h5"), "w", libver="latest") as f:
        f.create_dataset("x", data=np.arange(10, 18, dtype=F4), track_times=False)
        layout = h5py.VirtualLayout(shape=(2**20, 2**18), dtype=F4)
        layout[5, 0:8] = h5py.VirtualSource(".", "x", shape=(8,))  # "." = this same file
        f.create_virtual_dataset("v", layout, fillvalue=-1.0)
    torch_file(p("torch_stride_zero_2p60.pt"), (2**30, 2**30), (0, 0), 1, data0=np.array([2.5], F4).tobytes())

    # 10 safetensors with an enormous rank
    dims = ST_DIMS_MILLION if million else ST_DIMS_SMALL
    hdr = json.dumps({"t": {"dtype": "F32", "shape": [1] * dims, "data_offsets": [0, 4]}},
                     separators=(",", ":")).encode()
    with open(p("safetensors_million_dims.safetensors"), "wb") as fh:
        fh.write(struct.pack("<Q", len(hdr)) + hdr + struct.pack("<f", 1.0))

    # 11-12 torch zips
    torch_file(p("torch_stride_zero.pt"), (2**32, 2**32), (0, 0), 1)
    torch_file(p("torch_huge_numel.pt"), (2**30,), (1,), 2**30,
               data0=np.arange(4, dtype=F4).tobytes())

    # 12b names and metadata that would drive a terminal: clear the screen, fake a line
    evil = "w\x1b[2J\x1b[H\r\nverified OK \x9b31m\xff"
    hdr = json.dumps({"__metadata__": {"note\x07": "line1\nline2\x1b]0;title\x07"},
                      evil: {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}},
                     separators=(",", ":")).encode()
    with open(p("safetensors_control_names.safetensors"), "wb") as fh:
        fh.write(struct.pack("<Q", len(hdr)) + hdr + struct.pack("<f", 2.0))

    # 12c a group whose symbol-table node signature is destroyed: an error, never an empty listing
    buf = io.BytesIO()
    with h5py.File(buf, "w", libver="earliest") as f:
        g = f.create_group("layer")
        for i in range(6):
            g.create_dataset("w%d" % i, data=np.arange(4, dtype=F4) + i, track_times=False)
    data = bytearray(buf.getvalue())
    last = data.rfind(b"SNOD")  # the group's own symbol node (the root's comes first)
    data[last:last + 4] = b"XNOD"
    with open(p("hdf5_corrupt_group_index.h5"), "wb") as fh:
        fh.write(bytes(data))

    # 12e a header of deeply nested JSON arrays (80 MB of it took 3 GB as a JSON tree)
    hdr = b'{"t":' + b"[" * 100000 + b"]" * 100000 + b"}"
    with open(p("safetensors_nested_json.safetensors"), "wb") as fh:
        fh.write(struct.pack("<Q", len(hdr)) + hdr)

    # 12d memory bounded by what the file holds: six storages sharing one deflate stream, and a
    # data.pkl that inflates to 1.5 GiB
    torch_shared_stream(p("torch_shared_deflate_stream.pt"))
    torch_pickle_bomb(p("torch_pickle_inflates_1536mib.pt"))
    # 12f 8 MB of memo abuse and a 4-million-deep TUPLE1 chain, deflated to a few KB
    torch_deflated_pickle(p("torch_pickle_memo_abuse.pt"), MEMO_ABUSE_PICKLE)
    torch_deflated_pickle(p("torch_pickle_tuple1_chain.pt"), TUPLE1_CHAIN_PICKLE)
    # the same memo abuse as the pickle of an object array inside a deflated .npz
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += " " * ((-(10 + len(header) + 1)) % 64) + "\n"
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + MEMO_ABUSE_PICKLE
    with zipfile.ZipFile(p("npz_object_memo_abuse.npz"), "w") as z:
        z.writestr(zipfile.ZipInfo("x.npy", date_time=(1980, 1, 1, 0, 0, 0)), npy,
                   compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)

    # 13 external storage from inside a .keras archive
    keras_external(p("keras_external_passwd.keras"))
    print("wrote hostile files into", out)


if __name__ == "__main__":
    main(sys.argv)
