#!/usr/bin/python3
"""Write small checkpoint fixtures made with Debian's Python libraries, and expected.json.

Everything is written next to this script (tests/data/world/made/):

  HDF5 filters (h5py 3.7 + libhdf5 1.10.8 + Debian filter plugins):
    filter_lzf.h5, filter_lz4.h5, filter_bzip2.h5, filter_bitshuffle_lz4.h5,
    filter_blosc_lz4.h5, filter_blosc_zlib.h5, filter_blosc_zstd.h5, filter_zstd.h5,
    filter_shuffle_lzf_fletcher.h5, filter_lzf_partial_edges.h5,
    filter_unknown.h5 (filter id patched to 32099; must be refused)
  hdf5_enum.h5            enum (int8 / uint16 based) and bitfield (B8LE, B16LE, B32BE) datasets
  hdf5_open_for_write.h5  libver=latest file left by a writer that died (superblock flags set)
  hdf5_swmr_writer.h5     same, but the writer was in SWMR mode
  hdf5_types.h5           non-native atomic types: bf16, f24, f32_offset, ldouble, i12,
                          u4_offset, f64be, i16be
  hdf5_compound.h5        compound datasets: "rec" (with a (2,)-array member), "nested", and array
                          members contiguous, chunked+gzip, 2-D, big-endian, inside a nested record
  structured.npy, structured_nested_text.npy    numpy structured arrays
  npz_mixed.npz, scipy_sparse_like.npz          npz with non-numeric members
  legacy_protocol_N.pt, zip_protocol_N.pt       torch.save at pickle protocols 0..5
  sharded_torch/          transformers-style sharded pytorch_model-0000N-of-00002.bin + index
  flax_model.msgpack      mimics flax.serialization.to_bytes (flax is not in Debian)
  expected.json           computed by reading the written files back (h5py / numpy / torch.load)

Optional tools: the bitshuffle HDF5 plugin (libh5bshuf.so, Debian package "bitshuffle";
it may also be unpacked with `apt-get download bitshuffle && dpkg-deb -x ...` and named in
HDF5_PLUGIN_PATH) and the zstd command line tool (for filter_zstd.h5, since Debian 12 has
no HDF5 zstd plugin).  When one is missing, an existing file and its expected entry are kept.
filter_bitshuffle_zstd.h5 is written only by a bitshuffle plugin >= 0.4 (0.3.5 ignores cname='zstd').
legacy_protocol_0.pt / zip_protocol_0.pt: torch 1.13 saves them but its own load fails; their
expected values are the tensors saved.
All bytes are reproducible except legacy_protocol_*.pt, whose storage keys are memory addresses.
The files here were made with:
  HDF5_PLUGIN_PATH=<dir holding libh5bshuf.so from Debian's bitshuffle 0.3.5> /usr/bin/python3 ...

Run: /usr/bin/python3 tests/data/world/made/make_made_fixtures.py [SECTION ...]
With sections named (filters enums open_for_write hdf5_types structured npz_files torch_files
flax_file), only those files are written again and the other entries of expected.json are kept.
"""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SYS_PLUGINS = "/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins"


def _setup_plugin_path():
    """HDF5_PLUGIN_PATH replaces libhdf5's default directory, so keep the default in it."""
    dirs = [d for d in os.environ.get("HDF5_PLUGIN_PATH", "").split(":") if d]
    if SYS_PLUGINS not in dirs:
        dirs.append(SYS_PLUGINS)
    os.environ["HDF5_PLUGIN_PATH"] = ":".join(dirs)


_setup_plugin_path()

import numpy as np  # noqa: E402
import h5py  # noqa: E402
import hdf5plugin  # noqa: E402,F401
import msgpack  # noqa: E402

OLD_EXPECTED = {}
if os.path.exists(os.path.join(HERE, "expected.json")):
    with open(os.path.join(HERE, "expected.json")) as fh:
        OLD_EXPECTED = json.load(fh)

EXPECTED = {}
SKIPPED = []


def p(name):
    return os.path.join(HERE, name)


def rm(name):
    path = p(name)
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)


# ----------------------------------------------------------------------------
# expected.json helpers
# ----------------------------------------------------------------------------

def jnum(v):
    """A JSON-safe number (NaN/Inf as strings)."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, complex) or isinstance(v, np.complexfloating):
        return [jnum(float(v.real)), jnum(float(v.imag))]
    f = float(v)
    if f != f:
        return "nan"
    if f == float("inf"):
        return "inf"
    if f == float("-inf"):
        return "-inf"
    return f


def dtype_name(dt):
    dt = np.dtype(dt)
    if dt.kind == "b":
        return "bool"
    if dt.kind == "f" and dt.itemsize > 8:
        return "float64"  # long double: given as float64 values, see h5py_dtype
    return dt.newbyteorder("=").name


def tensor_entry(arr, **extra):
    arr = np.asarray(arr)
    flat = arr.reshape(-1)
    if arr.dtype.kind == "f" and arr.dtype.itemsize > 8:
        flat = flat.astype(np.float64)
    if flat.dtype.kind == "c":
        s = complex(np.sum(flat.astype(np.complex128)))
    elif flat.dtype.kind == "b":
        s = float(np.sum(flat.astype(np.float64)))
    else:
        s = float(np.sum(flat.astype(np.float64)))
    e = {
        "dtype": dtype_name(arr.dtype),
        "shape": [int(n) for n in arr.shape],
        "first": [jnum(v) for v in flat[:8].tolist()],
        "sum": jnum(s),
        "count": int(flat.size),
    }
    e.update(extra)
    return e


def h5_tensors(path):
    """Every dataset h5py sees as a numeric array (compound fields flattened as name.field)."""
    out = {}

    def add(name, arr):
        arr = np.asarray(arr)
        if arr.dtype.names:
            for fld in arr.dtype.names:
                add(name + "." + fld, arr[fld])
        elif arr.dtype.kind in "biufc":
            out[name] = tensor_entry(arr)

    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                add(name, obj[()])
        f.visititems(visit)
    return out


def h5_pipeline(path, dname):
    with h5py.File(path, "r") as f:
        pl = f[dname].id.get_create_plist()
        res = []
        for i in range(pl.get_nfilters()):
            fid, flags, vals, _name = pl.get_filter(i)
            res.append("%d(flags=%d,cd=%s)" % (fid, flags, list(vals)))
        return " -> ".join(res)


def h5_error(path, dname=None):
    try:
        with h5py.File(path, "r") as f:
            if dname is None:
                return None
            f[dname][()]
        return None
    except Exception as exc:  # noqa: BLE001
        return "%s: %s" % (type(exc).__name__, exc)


def h5_error_no_plugins(path, dname):
    """The message h5py gives when no plugin directory has anything to offer."""
    with tempfile.TemporaryDirectory() as td:
        env = dict(os.environ, HDF5_PLUGIN_PATH=td)
        code = ("import h5py,sys\ntry:\n    h5py.File(sys.argv[1],'r')[sys.argv[2]][()]\n"
                "    print('READ OK')\nexcept Exception as e:\n    print('%s: %s' % (type(e).__name__, e))")
        return subprocess.run([sys.executable, "-c", code, path, dname], env=env, check=True,
                              stdout=subprocess.PIPE, text=True).stdout.strip()


def keep_old(name, why):
    SKIPPED.append("%s: %s" % (name, why))
    if name in OLD_EXPECTED and os.path.exists(p(name)):
        EXPECTED[name] = OLD_EXPECTED[name]
        print("kept existing", name, "-", why)
    else:
        print("SKIPPED", name, "-", why)


# ----------------------------------------------------------------------------
# 1. HDF5 filters
# ----------------------------------------------------------------------------

X = np.arange(3200, dtype=np.float32).reshape(64, 50) / 8 - 100
I16 = (np.arange(1000) * 7 % 301 - 150).astype(np.int16)


def no_times_dcpl():
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_obj_track_times(False)  # deterministic bytes
    return dcpl


def write_filter_file(name, xkw, ikw=None, x=X, xchunks=(16, 25)):
    rm(name)
    with h5py.File(p(name), "w") as f:
        f.create_dataset("x", data=x, chunks=xchunks, **xkw)
        f.create_dataset("i", data=I16, chunks=(300,), **(ikw if ikw is not None else xkw))


def blosc_header_info(path):
    with h5py.File(path, "r") as f:
        _mask, chunk = f["x"].id.read_direct_chunk((0, 0))
    flags = chunk[2]
    codes = {0: "blosclz", 1: "lz4", 2: "snappy", 3: "zlib", 4: "zstd"}
    return "first chunk blosc header: flags=0x%02x (byteshuffle=%d, memcpyed=%d, bitshuffle=%d), compressor=%s" % (
        flags, flags & 1, (flags >> 1) & 1, (flags >> 2) & 1, codes.get(flags >> 5, flags >> 5))


def filters():
    avail = lambda fid: bool(h5py.h5z.filter_avail(fid))  # noqa: E731
    specs = [
        ("filter_lzf.h5", dict(compression="lzf"), "h5py built-in lzf (filter 32000)"),
        ("filter_lz4.h5", dict(hdf5plugin.LZ4()), "hdf5plugin.LZ4() (filter 32004), Debian libh5lz4.so"),
        ("filter_bzip2.h5", dict(hdf5plugin.BZip2()), "hdf5plugin.BZip2() (filter 307), Debian libh5bz2.so"),
        ("filter_blosc_lz4.h5", dict(hdf5plugin.Blosc(cname="lz4", shuffle=hdf5plugin.Blosc.SHUFFLE)),
         "hdf5plugin.Blosc(cname='lz4', shuffle=SHUFFLE) (filter 32001), Debian libH5Zblosc.so"),
        ("filter_blosc_zlib.h5", dict(hdf5plugin.Blosc(cname="zlib", shuffle=hdf5plugin.Blosc.NOSHUFFLE)),
         "hdf5plugin.Blosc(cname='zlib', shuffle=NOSHUFFLE) (filter 32001)"),
        ("filter_blosc_zstd.h5", dict(hdf5plugin.Blosc(cname="zstd", shuffle=hdf5plugin.Blosc.BITSHUFFLE)),
         "hdf5plugin.Blosc(cname='zstd', shuffle=BITSHUFFLE) (filter 32001)"),
        ("filter_shuffle_lzf_fletcher.h5", dict(shuffle=True, compression="lzf", fletcher32=True),
         "h5py shuffle=True, compression='lzf', fletcher32=True"),
    ]
    for name, kw, what in specs:
        write_filter_file(name, kw)
        note = "HDF5 filter test, written by h5py %s/libhdf5 %s: %s; pipeline x: %s" % (
            h5py.__version__, h5py.version.hdf5_version, what, h5_pipeline(p(name), "x"))
        if "blosc" in name:
            note += "; " + blosc_header_info(p(name))
        EXPECTED[name] = {"tensors": h5_tensors(p(name)), "note": note}

    # partial edge chunks: shape not a multiple of the chunk shape
    name = "filter_lzf_partial_edges.h5"
    rm(name)
    xe = (np.arange(37 * 23, dtype=np.float32).reshape(37, 23) * 0.25 - 50)
    with h5py.File(p(name), "w") as f:
        f.create_dataset("x", data=xe, chunks=(16, 10), compression="lzf")
        f.create_dataset("i", data=I16[:997], chunks=(300,), compression="lzf")
    EXPECTED[name] = {"tensors": h5_tensors(p(name)),
                      "note": "lzf with partial edge chunks: x (37,23) chunks (16,10), i (997,) chunks (300,); h5py"}

    # bitshuffle (Debian's bitshuffle 0.3.5 plugin: lz4 only)
    name = "filter_bitshuffle_lz4.h5"
    if avail(hdf5plugin.BSHUF_ID):
        write_filter_file(name, dict(hdf5plugin.Bitshuffle(cname='lz4')))
        EXPECTED[name] = {"tensors": h5_tensors(p(name)),
                          "note": "hdf5plugin.Bitshuffle(cname='lz4') (filter 32008) via Debian bitshuffle 0.3.5 "
                                  "libh5bshuf.so; pipeline x: " + h5_pipeline(p(name), "x")}
    else:
        keep_old(name, "bitshuffle HDF5 plugin (32008) not available")

    name = "filter_bitshuffle_zstd.h5"
    ok = False
    if avail(hdf5plugin.BSHUF_ID):
        try:
            write_filter_file(name, dict(hdf5plugin.Bitshuffle(cname="zstd")))
            with h5py.File(p(name), "r") as f:
                _fid, _fl, cd, _n = f["x"].id.get_create_plist().get_filter(0)
                _m, chunk = f["x"].id.read_direct_chunk((0, 0))
            if tuple(cd[:2]) < (0, 4):
                # bitshuffle < 0.4 knows no zstd: it silently writes uncompressed bitshuffled chunks while
                # cd_values[4] still says 3 (zstd), a file no newer reader would decode
                raise RuntimeError("bitshuffle plugin %d.%d has no zstd (wrote %d-byte uncompressed chunks "
                                   "labelled cd[4]=3)" % (cd[0], cd[1], len(chunk)))
            EXPECTED[name] = {"tensors": h5_tensors(p(name)),
                              "note": "hdf5plugin.Bitshuffle(cname='zstd'); pipeline x: " + h5_pipeline(p(name), "x")}
            ok = True
        except Exception as exc:  # noqa: BLE001
            rm(name)
            why = "bitshuffle plugin refused zstd: %s: %s" % (type(exc).__name__, str(exc)[:200])
    else:
        why = "bitshuffle HDF5 plugin (32008) not available"
    if not ok:
        keep_old(name, why)

    # zstd (32015): Debian 12 ships no HDF5 zstd plugin.  The filter's chunk format is one plain
    # zstd frame (ZSTD_compress output, content size in header, no checksum); make the chunks with
    # the zstd tool and store them with write_direct_chunk.
    name = "filter_zstd.h5"
    if avail(hdf5plugin.ZSTD_ID):
        write_filter_file(name, dict(hdf5plugin.Zstd()))
        EXPECTED[name] = {"tensors": h5_tensors(p(name)),
                          "note": "hdf5plugin.Zstd() (filter 32015); pipeline x: " + h5_pipeline(p(name), "x")}
    elif shutil.which("zstd"):
        make_zstd_by_hand(name)
    else:
        keep_old(name, "no zstd HDF5 plugin and no zstd tool")

    # unknown filter: an lz4 file whose pipeline message says filter 32099
    name = "filter_unknown.h5"
    rm(name)
    with h5py.File(p(name), "w") as f:  # libver earliest: v1 object headers, no checksums
        f.create_dataset("x", data=X, chunks=(16, 25), **hdf5plugin.LZ4())
    raw = bytearray(open(p(name), "rb").read())
    # filter pipeline message version 1: version=1, nfilters=1, 6 reserved bytes, then filter id
    pat = b"\x01\x01" + b"\x00" * 6 + struct.pack("<H", 32004)
    assert raw.count(pat) == 1, raw.count(pat)
    at = raw.index(pat) + 8
    raw[at:at + 2] = struct.pack("<H", 32099)
    with open(p(name), "wb") as fh:
        fh.write(raw)
    err = h5_error(p(name), "x")
    assert err is not None, "h5py read the patched file"
    EXPECTED[name] = {"error": "filter 32099",
                      "note": "lz4-compressed dataset x whose pipeline filter id was patched 32004->32099 "
                              "(h5py+hdf5plugin.LZ4 then byte patch); h5py with the Debian plugin dir says: " + err +
                              "; with an empty HDF5_PLUGIN_PATH: " + h5_error_no_plugins(p(name), "x")}


def make_zstd_by_hand(name):
    rm(name)
    level = 3
    with h5py.File(p(name), "w") as f:
        dx = f.create_dataset("x", shape=X.shape, dtype=X.dtype, chunks=(16, 25),
                              compression=hdf5plugin.ZSTD_ID, compression_opts=(level,),
                              allow_unknown_filter=True)
        di = f.create_dataset("i", shape=I16.shape, dtype=I16.dtype, chunks=(300,),
                              compression=hdf5plugin.ZSTD_ID, compression_opts=(level,),
                              allow_unknown_filter=True)
        with tempfile.TemporaryDirectory() as td:
            def zframe(buf):
                src = os.path.join(td, "chunk")
                with open(src, "wb") as fh:
                    fh.write(buf)
                return subprocess.run(["zstd", "-q", "-%d" % level, "--no-check", "-c", src],
                                      check=True, stdout=subprocess.PIPE).stdout

            for r in range(0, 64, 16):
                for c in range(0, 50, 25):
                    dx.id.write_direct_chunk((r, c), zframe(np.ascontiguousarray(X[r:r + 16, c:c + 25]).tobytes()), 0)
            for s in range(0, 1000, 300):
                chunk = np.zeros(300, np.int16)  # edge chunk is stored full size, fill value 0
                part = I16[s:s + 300]
                chunk[:part.size] = part
                di.id.write_direct_chunk((s,), zframe(chunk.tobytes()), 0)

    # expected: raw chunks read back by h5py, frames decoded by the zstd tool
    tensors = {}
    with h5py.File(p(name), "r") as f, tempfile.TemporaryDirectory() as td:
        def unz(buf):
            src = os.path.join(td, "c.zst")
            with open(src, "wb") as fh:
                fh.write(buf)
            return subprocess.run(["zstd", "-q", "-d", "-c", src], check=True, stdout=subprocess.PIPE).stdout

        x = np.zeros((64, 50), np.float32)
        for r in range(0, 64, 16):
            for c in range(0, 50, 25):
                mask, buf = f["x"].id.read_direct_chunk((r, c))
                assert mask == 0
                x[r:r + 16, c:c + 25] = np.frombuffer(unz(buf), np.float32).reshape(16, 25)
        i = np.zeros(1200, np.int16)
        for s in range(0, 1000, 300):
            mask, buf = f["i"].id.read_direct_chunk((s,))
            i[s:s + 300] = np.frombuffer(unz(buf), np.int16)
        tensors["x"] = tensor_entry(x)
        tensors["i"] = tensor_entry(i[:1000])
        err = h5_error(p(name), "x")
    EXPECTED[name] = {
        "tensors": tensors,
        "note": "zstd filter 32015 (cd=[%d]); Debian has no HDF5 zstd plugin, so chunks are zstd frames made by "
                "the zstd CLI (--no-check, content size set) stored with h5py write_direct_chunk; expected values "
                "from h5py read_direct_chunk + zstd -d. Plain h5py here says: %s; with an empty HDF5_PLUGIN_PATH: %s" % (
                    level, err, h5_error_no_plugins(p(name), "x"))}


# ----------------------------------------------------------------------------
# 2. enum and bitfield
# ----------------------------------------------------------------------------

def enums():
    name = "hdf5_enum.h5"
    rm(name)
    with h5py.File(p(name), "w") as f:
        et = h5py.enum_dtype({"OFF": 0, "ON": 1, "ERROR": 7}, basetype="i1")
        f.create_dataset("state", data=np.array([0, 1, 7, 1, 0, 7], np.int8), dtype=et)
        bt = h5py.enum_dtype({"LOW": 0, "MID": 20000, "HIGH": 40000}, basetype="<u2")
        f.create_dataset("big", data=np.array([40000, 0, 20000, 40000], np.uint16), dtype=bt)
        for dname, t, data in [
            ("bits", h5py.h5t.STD_B8LE, np.array([0x01, 0x80, 0xff, 0x0f, 0xa5, 0x00], np.uint8)),
            ("bits16", h5py.h5t.STD_B16LE, np.array([0x0001, 0x8000, 0xffff, 0x1234], np.uint16)),
            ("bits32be", h5py.h5t.STD_B32BE, np.array([1, 0x80000000, 0xdeadbeef, 0x01020304], np.uint32)),
        ]:
            sp = h5py.h5s.create_simple(data.shape)
            d = h5py.h5d.create(f.id, dname.encode(), t, sp, dcpl=no_times_dcpl())
            mt = {1: h5py.h5t.NATIVE_B8, 2: h5py.h5t.NATIVE_B16, 4: h5py.h5t.NATIVE_B32}[data.itemsize]
            d.write(h5py.h5s.ALL, h5py.h5s.ALL, data, mtype=mt)
    info = []
    with h5py.File(p(name), "r") as f:
        for k in ("state", "big", "bits", "bits16", "bits32be"):
            dt = f[k].dtype
            info.append("%s -> %s%s" % (k, dt.str, " enum %s" % h5py.check_enum_dtype(dt)
                                        if h5py.check_enum_dtype(dt) else ""))
    EXPECTED[name] = {
        "tensors": h5_tensors(p(name)),
        "metadata": {"state": "OFF", "big": "HIGH"},
        "note": "HDF5 enum (i1 and <u2 based) and bitfield (B8LE, B16LE, B32BE via h5d.create) datasets, h5py; "
                "h5py reads: " + "; ".join(info)}


# ----------------------------------------------------------------------------
# 3. files left open for write
# ----------------------------------------------------------------------------

def lookup3(data, initval=0):
    """Bob Jenkins' hashlittle, as H5_checksum_lookup3."""
    M = 0xFFFFFFFF

    def rot(x, k):
        return ((x << k) | (x >> (32 - k))) & M

    length = len(data)
    a = b = c = (0xDEADBEEF + length + initval) & M
    k = 0
    while length > 12:
        a = (a + int.from_bytes(data[k:k + 4], "little")) & M
        b = (b + int.from_bytes(data[k + 4:k + 8], "little")) & M
        c = (c + int.from_bytes(data[k + 8:k + 12], "little")) & M
        a = (a - c) & M; a ^= rot(c, 4); c = (c + b) & M  # noqa: E702
        b = (b - a) & M; b ^= rot(a, 6); a = (a + c) & M  # noqa: E702
        c = (c - b) & M; c ^= rot(b, 8); b = (b + a) & M  # noqa: E702
        a = (a - c) & M; a ^= rot(c, 16); c = (c + b) & M  # noqa: E702
        b = (b - a) & M; b ^= rot(a, 19); a = (a + c) & M  # noqa: E702
        c = (c - b) & M; c ^= rot(b, 4); b = (b + a) & M  # noqa: E702
        length -= 12
        k += 12
    if length == 0:
        return c
    tail = bytes(data[k:k + length]) + b"\x00" * (12 - length)
    a = (a + int.from_bytes(tail[0:4], "little")) & M
    b = (b + int.from_bytes(tail[4:8], "little")) & M
    c = (c + int.from_bytes(tail[8:12], "little")) & M
    c ^= b; c = (c - rot(b, 14)) & M  # noqa: E702
    a ^= c; a = (a - rot(c, 11)) & M  # noqa: E702
    b ^= a; b = (b - rot(a, 25)) & M  # noqa: E702
    c ^= b; c = (c - rot(b, 16)) & M  # noqa: E702
    a ^= c; a = (a - rot(c, 4)) & M  # noqa: E702
    b ^= a; b = (b - rot(a, 14)) & M  # noqa: E702
    c ^= b; c = (c - rot(b, 24)) & M  # noqa: E702
    return c


def crashed_writer(name, swmr):
    rm(name)
    pid = os.fork()
    if pid == 0:
        try:
            # like h5py.File(path, "w", libver="latest"), but without timestamps in the root group
            fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
            fcpl.set_obj_track_times(False)
            fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
            fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
            f = h5py.File(h5py.h5f.create(p(name).encode(), h5py.h5f.ACC_TRUNC, fapl=fapl, fcpl=fcpl))
            w = np.arange(12, dtype=np.float32).reshape(4, 3) / 2
            if swmr:
                f.create_dataset("w", data=w, maxshape=(None, 3), chunks=(2, 3))
                f.swmr_mode = True
            else:
                f.create_dataset("w", data=w)
            f.flush()
        finally:
            os._exit(0)  # no close: the superblock keeps its 'open for write' flags
    os.waitpid(pid, 0)


def open_for_write():
    for name, swmr in (("hdf5_open_for_write.h5", False), ("hdf5_swmr_writer.h5", True)):
        crashed_writer(name, swmr)
        before = open(p(name), "rb").read()
        sb_ok = lookup3(before[:44]) == struct.unpack("<I", before[44:48])[0]
        assert before[8] == 3 and sb_ok, "expected a v3 superblock with valid checksum"
        plain = h5_error(p(name), "w")
        swmr_err = None
        tensors = None
        try:
            with h5py.File(p(name), "r", swmr=True) as f:
                tensors = {"w": tensor_entry(f["w"][()])}
            how = "h5py.File(path, 'r', swmr=True) reads it"
        except Exception as exc:  # noqa: BLE001
            swmr_err = "%s: %s" % (type(exc).__name__, exc)
        if tensors is None:
            # like h5clear: copy, clear the consistency flags, fix the superblock checksum
            with tempfile.TemporaryDirectory() as td:
                cp = os.path.join(td, "c.h5")
                fixed = bytearray(before)
                fixed[11] = 0
                fixed[44:48] = struct.pack("<I", lookup3(bytes(fixed[:44])))
                with open(cp, "wb") as fh:
                    fh.write(fixed)
                with h5py.File(cp, "r") as f:
                    tensors = {"w": tensor_entry(f["w"][()])}
            how = "swmr=True read also refused (%s); values read from a copy with superblock flags cleared " \
                  "(h5clear-like, checksum recomputed)" % swmr_err
        assert open(p(name), "rb").read() == before, "file changed by reading"
        EXPECTED[name] = {
            "tensors": tensors,
            "note": "h5py libver=latest writer (%s) flushed and died via os._exit in a forked child; superblock v3 "
                    "consistency flags=0x%02x. Plain h5py open refuses: %s. %s" % (
                        "swmr_mode=True" if swmr else "no SWMR", before[11], plain, how)}


# ----------------------------------------------------------------------------
# 4. non-native atomic types
# ----------------------------------------------------------------------------

def hdf5_types():
    name = "hdf5_types.h5"
    rm(name)
    t = h5py.h5t
    made, failed = [], []
    vals = (np.arange(12, dtype=np.float32) - 4) * 0.75
    vals[10] = 300.0
    vals[11] = np.float32(1) / 3  # not exact in bf16 / f24: the stored value is libhdf5's conversion
    stored = {}

    def mk(f, dname, ftype, data, mtype, desc):
        try:
            sp = h5py.h5s.create_simple(data.shape)
            d = h5py.h5d.create(f.id, dname.encode(), ftype, sp, dcpl=no_times_dcpl())
            d.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(data), mtype=mtype)
            made.append(dname)
            stored[dname] = desc
        except Exception as exc:  # noqa: BLE001
            failed.append("%s (%s: %s)" % (dname, type(exc).__name__, exc))

    def float_type(size, prec, offset, spos, epos, esize, mpos, msize, bias):
        ft = t.IEEE_F32LE.copy()
        # order matters: libhdf5 checks fields against the precision and size
        if size > 4:
            ft.set_size(size)
            ft.set_offset(offset)
            ft.set_precision(prec)
            ft.set_fields(spos, epos, esize, mpos, msize)
        else:
            ft.set_fields(spos, epos, esize, mpos, msize)
            ft.set_offset(offset)
            ft.set_precision(prec)
            ft.set_size(size)
        ft.set_ebias(bias)
        return ft

    with h5py.File(p(name), "w") as f:
        try:
            bf = float_type(2, 16, 0, 15, 7, 8, 0, 7, 127)
            mk(f, "bf16", bf, vals, t.NATIVE_FLOAT,
               "HDF5 float size 2, sign 15, exp pos 7 size 8, mant pos 0 size 7, bias 127 (bfloat16)")
        except Exception as exc:  # noqa: BLE001
            failed.append("bf16 (%s)" % exc)
        try:
            f24 = float_type(3, 24, 0, 23, 16, 7, 0, 16, 63)
            mk(f, "f24", f24, vals, t.NATIVE_FLOAT,
               "HDF5 float size 3, sign 23, exp pos 16 size 7, mant pos 0 size 16, bias 63")
        except Exception as exc:  # noqa: BLE001
            failed.append("f24 (%s)" % exc)
        try:
            fo = float_type(8, 32, 16, 31, 23, 8, 0, 23, 127)
            mk(f, "f32_offset", fo, vals, t.NATIVE_FLOAT,
               "HDF5 float size 8, precision 32, bit offset 16, sign 31, exp pos 23 size 8, mant 0/23, bias 127 "
               "(field positions are relative to the offset: an IEEE float32 in bytes 2..5)")
        except Exception as exc:  # noqa: BLE001
            failed.append("f32_offset (%s)" % exc)
        # long double: write numpy longdouble values with padding bytes zeroed
        ld = np.array([1, 1e300, -2.5, 0.1, 7, -1e-300], dtype=np.longdouble)
        ld[0] = np.longdouble(1) / np.longdouble(3)
        ld[3] = np.longdouble(1) / np.longdouble(10)
        ldb = ld.view(np.uint8).reshape(ld.size, ld.itemsize).copy()
        ldb[:, 10:] = 0
        ld = ldb.view(np.longdouble).reshape(-1)
        lt = t.NATIVE_LDOUBLE
        mk(f, "ldouble", lt, ld, t.NATIVE_LDOUBLE,
           "NATIVE_LDOUBLE: size %d, precision %d, fields %s, bias %d (x87 80-bit extended in 16 bytes)" % (
               lt.get_size(), lt.get_precision(), lt.get_fields(), lt.get_ebias()))
        i12 = t.STD_I32LE.copy()
        i12.set_precision(12)
        i12.set_offset(0)
        mk(f, "i12", i12, (np.arange(16, dtype=np.int32) * 273 - 2048), t.NATIVE_INT32,
           "STD_I32LE with precision 12, offset 0, signed (stored NOT sign-extended: -2048 is 00 08 00 00)")
        u4 = t.STD_U16LE.copy()
        u4.set_precision(4)
        u4.set_offset(4)
        mk(f, "u4_offset", u4, np.arange(16, dtype=np.uint16), t.NATIVE_UINT16,
           "STD_U16LE with precision 4 at bit offset 4 (value 1 stored as 0x0010)")
        mk(f, "f64be", t.IEEE_F64BE, np.arange(6, dtype=np.float64) / 3 - 1, t.NATIVE_DOUBLE, "IEEE_F64BE")
        mk(f, "i16be", t.STD_I16BE, np.arange(6, dtype=np.int16) * 1000 - 2000, t.NATIVE_INT16, "STD_I16BE")

    tensors = {}
    raw = open(p(name), "rb").read()
    with h5py.File(p(name), "r") as f:
        for dname in made:
            ds = f[dname]
            n = ds.id.get_type().get_size()
            off = ds.id.get_offset()
            first_raw = raw[off:off + n].hex() if off is not None else None
            try:
                v = ds[()]
                tensors[dname] = tensor_entry(v, h5py_dtype=v.dtype.str, stored_as=stored[dname],
                                              first_element_file_bytes_hex=first_raw)
            except Exception as exc:  # noqa: BLE001
                tensors[dname] = {"unreadable_by_h5py": "%s: %s" % (type(exc).__name__, exc),
                                  "stored_as": stored[dname]}
    note = ("non-native atomic types made with h5py.h5t/h5d low level and written through a native memory type "
            "(libhdf5 converts); values/dtypes are what h5py returns (h5py_dtype)")
    if failed:
        note += "; not created: " + "; ".join(failed)
    EXPECTED[name] = {"tensors": tensors, "note": note}


# ----------------------------------------------------------------------------
# 5. structured dtypes
# ----------------------------------------------------------------------------

def add_struct(out, prefix, arr, meta):
    if arr.dtype.names:
        for fld in arr.dtype.names:
            add_struct(out, prefix + "." + fld, arr[fld], meta)
    elif arr.dtype.kind in "biufc":
        out[prefix] = tensor_entry(arr)
    elif arr.dtype.kind in "US":
        v = arr.reshape(-1)[0]
        meta[prefix] = v.decode() if isinstance(v, bytes) else str(v)


def structured():
    n = np.arange(5)
    name = "structured.npy"
    a = np.zeros(5, dtype=[("x", "<f4"), ("y", "<i8"), ("z", "<f8", (2,))])
    a["x"] = n * 1.5 - 2
    a["y"] = n * 1000 - 1
    a["z"] = np.stack([n / 4, -n * 2.0], axis=1)
    np.save(p(name), a)
    out, meta = {}, {}
    add_struct(out, "array", np.load(p(name)), meta)
    EXPECTED[name] = {"tensors": out, "note": "numpy structured array [x <f4, y <i8, z <f8 (2,)] shape (5,), np.save"}

    name = "structured_nested_text.npy"
    b = np.zeros(4, dtype=[("name", "U4"), ("pos", [("u", "<f4"), ("v", "<f4")]), ("k", "<i2")])
    b["name"] = ["alfa", "beta", "gam", "d"]
    b["pos"]["u"] = np.arange(4) * 0.5
    b["pos"]["v"] = -np.arange(4) * 2.0
    b["k"] = np.arange(4) * 11 - 7
    np.save(p(name), b)
    out, meta = {}, {}
    add_struct(out, "array", np.load(p(name)), meta)
    EXPECTED[name] = {"tensors": out, "metadata": meta,
                      "note": "numpy structured array with text field name U4 and nested struct pos{u,v} plus k <i2; "
                              "nested fields named array.pos.u; np.save"}

    name = "hdf5_compound.h5"
    rm(name)
    nested = np.zeros(3, dtype=[("id", "<i4"), ("pos", [("u", "<f4"), ("v", "<f8")])])
    nested["id"] = [10, 20, 30]
    nested["pos"]["u"] = [0.5, 1.5, 2.5]
    nested["pos"]["v"] = [-1.0, -2.0, -3.0]
    # Array members, as h5py writes numpy subarray fields: each is a tensor of shape
    # (dataset shape..., member dims).
    k = np.arange(10)
    chunked = np.zeros(10, dtype=[("x", "<f4"), ("m", "<f8", (2, 3)), ("k", "<i2", (4,))])
    chunked["x"] = k * 0.5
    chunked["m"] = (np.arange(60).reshape(10, 2, 3) - 17) / 4
    chunked["k"] = (np.arange(40).reshape(10, 4) * 37 % 101) - 50
    nested_array = np.zeros(3, dtype=[("id", "<i4"), ("pos", [("u", "<f4"), ("w", "<i2", (3,))])])
    nested_array["id"] = [7, 8, 9]
    nested_array["pos"]["u"] = [0.25, -0.5, 4.0]
    nested_array["pos"]["w"] = [[1, -2, 3], [400, 500, -600], [7, 8, 9]]
    grid = np.zeros((3, 5), dtype=[("a", ">f4", (2,)), ("b", "u1")])
    grid["a"] = np.arange(30).reshape(3, 5, 2) * 1.25 - 9
    grid["b"] = np.arange(15).reshape(3, 5)
    only_array = np.zeros(4, dtype=[("v", "<f4", (3,))])
    only_array["v"] = np.arange(12).reshape(4, 3) - 5.25
    with h5py.File(p(name), "w") as f:
        f.create_dataset("rec", data=a)
        f.create_dataset("nested", data=nested)
        f.create_dataset("rec_chunked", data=chunked, chunks=(4,), compression="gzip", compression_opts=4)
        f.create_dataset("nested_array", data=nested_array)
        f.create_dataset("grid_chunked", data=grid, chunks=(2, 2), compression="gzip", shuffle=True)
        f.create_dataset("only_array", data=only_array)
    EXPECTED[name] = {"tensors": h5_tensors(p(name)),
                      "note": "HDF5 compound rec {x f4, y i8, z f8[2] array member} (5,) and nested compound "
                              "nested {id i4, pos {u f4, v f8}} (3,); array members: rec_chunked {x f4, m f8[2][3], "
                              "k i2[4]} (10,) chunks (4,) gzip, nested_array {id i4, pos {u f4, w i2[3]}} (3,), "
                              "grid_chunked {a >f4[2], b u1} (3, 5) chunks (2, 2) shuffle+gzip, only_array {v f4[3]} "
                              "(4,) (its bytes are the tensor's); h5py"}


# ----------------------------------------------------------------------------
# 6. npz with non-numeric members
# ----------------------------------------------------------------------------

def npz_files():
    name = "npz_mixed.npz"
    np.savez(p(name), a=np.arange(6, dtype=np.float32).reshape(2, 3), s=np.array(["abc", "de", "f"]),
             b=np.array([b"abc", b"x"]), n=np.int64(5))
    out, meta = {}, {}
    with np.load(p(name)) as z:
        for k in z.files:
            v = z[k]
            if v.dtype.kind in "biufc":
                out[k] = tensor_entry(v)
            else:
                meta[k] = v.reshape(-1)[0].decode() if v.dtype.kind == "S" else str(v.reshape(-1)[0])
        kinds = ", ".join("%s %s%s" % (k, z[k].dtype.str, list(z[k].shape)) for k in z.files)
    EXPECTED[name] = {"tensors": out, "metadata": meta,
                      "note": "np.savez with numeric and text members (%s)" % kinds}

    name = "scipy_sparse_like.npz"
    # the CSR matrix [[1,0,2,0],[0,0,3,0],[4,5,0,6]] as scipy.sparse.save_npz writes it
    arrays = dict(indices=np.array([0, 2, 2, 0, 1, 3], np.int32), indptr=np.array([0, 2, 3, 6], np.int32),
                  format=np.array("csr".encode("ascii")), shape=np.array((3, 4)),
                  data=np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    np.savez_compressed(p(name), **arrays)
    out, meta = {}, {}
    with np.load(p(name)) as z:
        for k in z.files:
            v = z[k]
            if v.dtype.kind in "biufc":
                out[k] = tensor_entry(v)
            else:
                meta[k] = v.reshape(-1)[0].decode()
        kinds = ", ".join("%s %s%s" % (k, z[k].dtype.str, list(z[k].shape)) for k in z.files)
    EXPECTED[name] = {"tensors": out, "metadata": meta,
                      "note": "scipy.sparse.save_npz layout of a 3x4 CSR matrix via np.savez_compressed (%s)" % kinds}


# ----------------------------------------------------------------------------
# 7. / 8. PyTorch
# ----------------------------------------------------------------------------

def torch_files():
    import warnings
    import torch
    warnings.simplefilter("ignore")
    torch.set_num_threads(1)

    def state():
        return {"w": torch.arange(12, dtype=torch.float32).reshape(3, 4) / 4,
                "b": torch.tensor([1, -2, 3], dtype=torch.int64), "epoch": 3}

    for zipped, stem in ((False, "legacy_protocol_%d.pt"), (True, "zip_protocol_%d.pt")):
        for proto in range(6):
            name = stem % proto
            rm(name)
            stage = "save"
            try:
                torch.save(state(), p(name), pickle_protocol=proto, _use_new_zipfile_serialization=zipped)
                stage = "load"
                d = torch.load(p(name))
            except Exception as exc:  # noqa: BLE001
                if stage == "load" and proto == 0:
                    # Protocol 0 writes torch's storage ids as str(tuple); torch.load then fails
                    # (AssertionError), but the numbers are in the file: expected are the tensors saved.
                    d = state()
                    EXPECTED[name] = {
                        "tensors": {k: tensor_entry(v.numpy()) for k, v in d.items() if isinstance(v, torch.Tensor)},
                        "metadata": {"epoch": "3"},
                        "note": "torch %s torch.save(pickle_protocol=0, _use_new_zipfile_serialization=%s); torch.load "
                                "fails on it (%s), so the expected values are the tensors given to torch.save" % (
                                    torch.__version__, zipped, type(exc).__name__)}
                    continue
                rm(name)
                SKIPPED.append("%s: torch %s %s fails: %s %r" % (name, torch.__version__, stage,
                                                                type(exc).__name__, str(exc)))
                print("SKIPPED", name, type(exc).__name__, exc)
                continue
            EXPECTED[name] = {
                "tensors": {k: tensor_entry(v.numpy()) for k, v in d.items() if isinstance(v, torch.Tensor)},
                "metadata": {"epoch": str(d["epoch"])},
                "note": "torch %s torch.save(pickle_protocol=%d, _use_new_zipfile_serialization=%s)" % (
                    torch.__version__, proto, zipped)}

    # sharded checkpoint, transformers layout
    dname = "sharded_torch"
    rm(dname)
    os.makedirs(p(dname))

    def param(shape, k):
        n = int(np.prod(shape))
        return torch.from_numpy(((np.arange(n) * k % 17 - 8) / 16).astype(np.float32).reshape(shape))

    sd = {"mlp.fc1.weight": param((16, 8), 3), "mlp.fc1.bias": param((16,), 5),
          "mlp.fc2.weight": param((4, 16), 7), "mlp.fc2.bias": param((4,), 11)}
    shards = [["mlp.fc1.weight", "mlp.fc1.bias"], ["mlp.fc2.weight", "mlp.fc2.bias"]]
    weight_map, total = {}, 0
    for i, keys in enumerate(shards):
        fname = "pytorch_model-%05d-of-%05d.bin" % (i + 1, len(shards))
        torch.save({k: sd[k] for k in keys}, os.path.join(p(dname), fname))
        for k in keys:
            weight_map[k] = fname
            total += sd[k].numel() * sd[k].element_size()
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    with open(os.path.join(p(dname), "pytorch_model.bin.index.json"), "w", encoding="utf-8") as fh:
        fh.write(json.dumps(index, indent=2, sort_keys=True) + "\n")
    config = {"architectures": ["TinyMLPModel"], "hidden_act": "relu", "hidden_size": 16, "input_size": 8,
              "model_type": "tiny-mlp", "num_labels": 4, "torch_dtype": "float32",
              "transformers_version": "4.30.2"}
    with open(os.path.join(p(dname), "config.json"), "w", encoding="utf-8") as fh:
        fh.write(json.dumps(config, indent=2, sort_keys=True) + "\n")
    out = {}
    with open(os.path.join(p(dname), "pytorch_model.bin.index.json")) as fh:
        idx = json.load(fh)
    for fname in sorted(set(idx["weight_map"].values())):
        for k, v in torch.load(os.path.join(p(dname), fname)).items():
            out[k] = tensor_entry(v.numpy())
    EXPECTED[dname] = {"tensors": out, "metadata": {"model_type": "tiny-mlp"},
                       "note": "transformers-style sharded checkpoint: 2 torch.save (zip) shards + "
                               "pytorch_model.bin.index.json (total_size %d) + config.json; torch %s" % (
                                   total, torch.__version__)}


# ----------------------------------------------------------------------------
# 9. flax msgpack (mimics flax.serialization.to_bytes)
# ----------------------------------------------------------------------------

EXT_NDARRAY, EXT_COMPLEX, EXT_NPSCALAR = 1, 2, 3


def _ndarray_to_bytes(arr):
    return msgpack.packb((arr.shape, arr.dtype.name, arr.tobytes("C")), use_bin_type=True)


def _ext_pack(x):
    if isinstance(x, np.ndarray):
        return msgpack.ExtType(EXT_NDARRAY, _ndarray_to_bytes(x))
    if isinstance(x, np.generic):
        return msgpack.ExtType(EXT_NPSCALAR, _ndarray_to_bytes(np.asarray(x)))
    if isinstance(x, complex):
        return msgpack.ExtType(EXT_COMPLEX, msgpack.packb((x.real, x.imag)))
    return x


def _ext_hook(code, data):
    if code in (EXT_NDARRAY, EXT_NPSCALAR):
        shape, dtype_name, buf = msgpack.unpackb(data, raw=True)
        arr = np.frombuffer(buf, dtype=np.dtype(dtype_name.decode())).reshape(shape, order="C")
        return arr if code == EXT_NDARRAY else arr[()]
    if code == EXT_COMPLEX:
        re, im = msgpack.unpackb(data)
        return complex(re, im)
    return msgpack.ExtType(code, data)


def flax_file():
    name = "flax_model.msgpack"

    def w(shape, k):
        n = int(np.prod(shape))
        return ((np.arange(n) * k % 13 - 6) / 8).astype(np.float32).reshape(shape)

    state = {
        "params": {
            "Dense_0": {"kernel": w((3, 4), 5), "bias": w((4,), 3)},
            "Dense_1": {"kernel": w((4, 2), 7), "bias": w((2,), 11)},
        },
        "step": np.asarray(np.int32(3)),          # a jnp scalar becomes a 0-d ndarray: ext 1, shape ()
        "opt_state": {"count": np.int32(7),       # a numpy scalar: ext 3
                      "0": {"mu": w((2,), 2)}},   # list entries become keys '0', '1', ...
    }
    with open(p(name), "wb") as fh:
        fh.write(msgpack.packb(state, default=_ext_pack, strict_types=True))
    with open(p(name), "rb") as fh:
        back = msgpack.unpackb(fh.read(), ext_hook=_ext_hook, raw=False)
    out = {}

    def walk(prefix, v):
        if isinstance(v, dict):
            for k, vv in v.items():
                walk(prefix + "/" + k if prefix else k, vv)
        elif isinstance(v, (np.ndarray, np.generic)):
            out[prefix] = tensor_entry(np.asarray(v))
    walk("", back)
    EXPECTED[name] = {"tensors": out,
                      "note": "mimics flax.serialization.to_bytes (flax not in Debian): msgpack nested str-key dicts, "
                              "ndarrays as ExtType 1 = msgpack([shape, dtype name, raw C bytes]), numpy scalar "
                              "opt_state/count as ExtType 3; read back with msgpack + numpy"}


def ckptview_additions(fresh):
    """What ckptview shows beyond the reference library's reading (checked by tst_worldfiles):
    its own metadata, and the few places where its dtype rightly differs from numpy's. Only
    entries written in this run (`fresh`) are changed: kept ones have them already."""
    if "hdf5_types.h5" in fresh:
        types = EXPECTED["hdf5_types.h5"]
        types["dtype_ours"] = {"bf16": "bfloat16", "f32_offset": "float32"}  # h5py widens both
        types.setdefault("metadata", {}).update(
            {"ldouble": "an 80-bit x87 long double", "i12": "a 12-bit integer", "f32_offset": "converted by libhdf5"})
    for name in ("hdf5_open_for_write.h5", "hdf5_swmr_writer.h5"):
        if name in fresh:
            EXPECTED[name].setdefault("metadata", {})["hdf5.not_closed_cleanly"] = "open for writing"
    if "hdf5_enum.h5" in fresh:
        EXPECTED["hdf5_enum.h5"]["metadata"] = {"state": "OFF = 0", "big": "HIGH = 40000", "bits": "a bitfield"}
    if "sharded_torch" in fresh:
        sharded = EXPECTED["sharded_torch"]["metadata"]
        sharded["config/model_type"] = sharded.pop("model_type")
        sharded["opened_from_folder"] = "pytorch_model.bin.index.json"


SECTIONS = {"filters": filters, "enums": enums, "open_for_write": open_for_write, "hdf5_types": hdf5_types,
            "structured": structured, "npz_files": npz_files, "torch_files": torch_files, "flax_file": flax_file}


def main():
    os.makedirs(HERE, exist_ok=True)
    only = sys.argv[1:]
    unknown = [s for s in only if s not in SECTIONS]
    if unknown:
        sys.exit("unknown sections %s; known: %s" % (unknown, " ".join(SECTIONS)))
    for section, make in SECTIONS.items():
        if not only or section in only:
            make()
    fresh = set(EXPECTED)
    ckptview_additions(fresh)
    if only:  # the files of other sections are as they were
        for name, entry in OLD_EXPECTED.items():
            EXPECTED.setdefault(name, entry)
    with open(p("expected.json"), "w", encoding="utf-8") as fh:
        json.dump(EXPECTED, fh, indent=1, sort_keys=True)
        fh.write("\n")
    for s in SKIPPED:
        print("skipped:", s)
    print("wrote", len(EXPECTED), "entries")


if __name__ == "__main__":
    sys.exit(main())
