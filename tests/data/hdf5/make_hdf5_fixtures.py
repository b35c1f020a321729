#!/usr/bin/python3
"""Writes the HDF5 fixtures read by tests/tst_hdf5reader.cpp, with h5py (Debian's python3-h5py).

Run from anywhere: /usr/bin/python3 tests/data/hdf5/make_hdf5_fixtures.py
Expected values are simple formulas, repeated in the test.
"""
import os
import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(here, name)


# Nested groups, every numeric dtype, attributes, strings, a compound record, a scalar.
with h5py.File(path("h5py_mixed.h5"), "w") as f:
    f.attrs["title"] = "mixed fixture"
    f.attrs["epoch"] = np.int64(7)
    f.attrs["lr"] = 0.125
    f.attrs["sizes"] = np.array([1, 2, 3], dtype=np.int32)
    g = f.create_group("encoder/layer1")
    g.attrs["kind"] = b"dense"
    g["weight"] = np.arange(12, dtype=np.float32).reshape(3, 4) / 4
    g["bias"] = np.array([-1.5, 0, 2.25], dtype=np.float64)
    f["half"] = np.array([0.5, -2, 65504, 6.1035156e-05], dtype=np.float16)
    f["big_endian_f64"] = np.array([1.5, -2.25, 1e300], dtype=">f8")
    f["big_endian_i32"] = np.array([1, -2, 70000], dtype=">i4")
    f["scalar"] = np.float32(3.5)
    f["flags"] = np.array([True, False, True])
    f["complex"] = np.array([1 + 2j, -3.5j], dtype=np.complex64)
    for t in ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]:
        f["ints/" + t] = np.array([0, 1, 100], dtype=t)
    f.create_dataset("gzip_chunks", data=np.arange(10000, dtype=np.float32).reshape(100, 100),
                     chunks=(10, 30), compression="gzip", compression_opts=6, shuffle=True)
    f["text"] = "hello"
    f["names"] = np.array([b"a", b"bc"])
    f["record"] = np.array([(1, 2.0)], dtype=[("a", "<i4"), ("b", "<f8")])
    f["link_to_weight"] = h5py.SoftLink("/encoder/layer1/weight")
    f["external"] = h5py.ExternalLink("missing_file.h5", "/x")
    f["empty"] = np.zeros((0, 3), dtype=np.float32)

# Keras 2 save_weights layout: layer_names in model order (not alphabetical), weight_names per layer.
with h5py.File(path("keras_layout.h5"), "w") as f:
    f.attrs["layer_names"] = [b"dense_b", b"dropout", b"dense_a"]
    f.attrs["backend"] = b"tensorflow"
    f.attrs["keras_version"] = b"2.15.0"
    for layer, (n_in, n_out) in [("dense_b", (3, 4)), ("dense_a", (4, 2))]:
        g = f.create_group(layer)
        g.attrs["weight_names"] = [f"{layer}/kernel:0".encode(), f"{layer}/bias:0".encode()]
        g[f"{layer}/kernel:0"] = np.ones((n_in, n_out), dtype=np.float32)
        g[f"{layer}/bias:0"] = np.zeros((n_out,), dtype=np.float32)
    d = f.create_group("dropout")
    d.attrs["weight_names"] = np.array([], dtype=np.float64)  # what h5py stores for an empty list

# A truncated copy and a non-HDF5 file.
with open(path("h5py_mixed.h5"), "rb") as src:
    data = src.read()
with open(path("truncated.h5"), "wb") as dst:
    dst.write(data[: len(data) // 2])
with open(path("not_hdf5.h5"), "wb") as dst:
    dst.write(b"this is a text file, not HDF5\n" * 4)


# A 3-D tensor and numbered layers (for the app's slicing and natural-order tests).
with h5py.File(path("slices3d.h5"), "w") as f:
    f["cube"] = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    for i in [0, 1, 2, 10, 11]:
        f[f"layers/{i}/weight"] = np.full((4, 3), float(i), dtype=np.float32)
    f.attrs["note"] = "fixture for tst_ui_mainwindow: a 3-D tensor and numbered layers"

# A convolution weight with more kernels than the filter grid draws at once (32 x 32): paging.
with h5py.File(path("conv40x36.h5"), "w") as f:
    f["conv/weight"] = np.arange(40 * 36 * 3 * 3, dtype=np.float32).reshape(40, 36, 3, 3)


# Chunked datasets read chunk by chunk (Hdf5ChunkedSource): every filter decoded there, partial
# edge chunks, big-endian chunks, chunks never written (fill value), and a filter that is not
# decoded (scale-offset), which must be named in the error.
def chunked_filters():
    with h5py.File(path("chunked_filters.h5"), "w", track_order=True) as f:
        f.create_dataset("fletcher_shuffle_gzip", data=np.arange(37 * 23, dtype=np.float32).reshape(37, 23) / 4,
                         chunks=(8, 5), shuffle=True, compression="gzip", fletcher32=True)
        f.create_dataset("big_endian_chunks", data=np.arange(50, dtype=">f8") - 7, chunks=(16,), compression="gzip")
        d = f.create_dataset("partial_fill", shape=(100,), dtype=np.float32, chunks=(10,), fillvalue=-1)
        d[20:40] = np.arange(1, 21, dtype=np.float32)
        f.create_dataset("scaleoffset", data=np.arange(64, dtype=np.int32), chunks=(16,), scaleoffset=0)


chunked_filters()


# Datasets that store little of what they declare, whose statistics are taken from what is stored
# plus the fill value repeated: chunks partly written (an edge chunk, a NaN among them), a contiguous
# dataset never written, and a virtual dataset whose two mappings cover part of it.
def mostly_fill():
    rng = np.random.default_rng(5)
    with h5py.File(path("mostly_fill.h5"), "w", libver="latest", track_order=True) as f:
        d = f.create_dataset("chunked_2d", shape=(1000, 900), dtype=np.float32, chunks=(16, 16), fillvalue=1.5)
        d[0:16, 0:16] = rng.normal(size=(16, 16)).astype(np.float32)
        d[32:48, 16:32] = rng.normal(size=(16, 16)).astype(np.float32)
        d[992:1000, 896:900] = np.arange(32, dtype=np.float32).reshape(8, 4)  # the corner edge chunk
        d[40, 20] = np.nan
        # a sixteenth or more stored: read in full, nothing listed
        h = f.create_dataset("half_written", shape=(64, 64), dtype=np.float32, chunks=(8, 8), fillvalue=-1)
        h[0:40, 0:32] = rng.normal(size=(40, 32)).astype(np.float32)
        f.create_dataset("contiguous_unwritten", shape=(1000,), dtype=np.float64, fillvalue=-2)
        f.create_dataset("line", data=np.linspace(-3, 3, 40, dtype=np.float32))
        layout = h5py.VirtualLayout(shape=(50, 40), dtype=np.float32)
        layout[3:5, 10:20] = h5py.VirtualSource(".", "chunked_2d", shape=(100, 90))[0:2, 0:10]
        layout[40, 0:40] = h5py.VirtualSource(".", "line", shape=(40,))
        f.create_virtual_dataset("vds", layout, fillvalue=0.25)
        # one mapped block larger than what statistics read at once: read a part at a time
        big = h5py.VirtualLayout(shape=(1000, 1000), dtype=np.float32)
        big[100:600, 0:900] = h5py.VirtualSource(".", "chunked_2d", shape=(1000, 900))[0:500, 0:900]
        f.create_virtual_dataset("vds_big_block", big, fillvalue=-4)


mostly_fill()
