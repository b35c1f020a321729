#!/usr/bin/python3
"""Writes the PyTorch fixtures for tst_torchreader and expected.json describing them.

Run with Debian's torch (python3-torch, 1.13):  /usr/bin/python3 make_torch_fixtures.py
Every file is small. expected.json lists, per file, the format, every tensor (name, dtype,
shape, values flattened in logical row-major order; complex values as [re, im] pairs) and
selected metadata values, all taken from the objects that were saved.
"""
import io
import json
import os
import pickle
import struct
import zipfile

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = {}

DTYPE_NAMES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16",
    torch.bfloat16: "bfloat16", torch.int64: "int64", torch.int32: "int32",
    torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8", torch.bool: "bool",
    torch.complex64: "complex64", torch.complex128: "complex128",
}


def values_of(t):
    t = t.detach()
    if t.is_complex():
        return [[float(z.real), float(z.imag)] for z in t.reshape(-1).tolist()]
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    return [float(v) if not isinstance(v, bool) else (1.0 if v else 0.0)
            for v in t.reshape(-1).tolist()]


def describe(name, t):
    return {"name": name, "dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
            "values": values_of(t)}


def save(filename, obj, tensors, metadata=None, fmt="PyTorch zip", **kwargs):
    torch.save(obj, os.path.join(HERE, filename), **kwargs)
    EXPECTED[filename] = {"format": fmt, "tensors": [describe(n, t) for n, t in tensors],
                          "metadata": metadata or {}}


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.output = nn.Linear(4, 2)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x)))


def main():
    torch.manual_seed(0)
    x = torch.arange(4)
    y = torch.zeros(4)
    t = torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4

    # The seed chapter's own calls.
    save("tensor.pt", t, [("tensor", t)])
    save("list.pt", [x, y], [("0", x), ("1", y)])
    save("dict.pt", {"x": x, "y": y}, [("x", x), ("y", y)])

    net = MLP()
    sd = net.state_dict()
    save("mlp_state_dict.pt", sd, list(sd.items()))

    # A training checkpoint: Sequential names, Adam state after one step, scalars.
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = torch.optim.Adam(seq.parameters(), lr=0.01)
    seq(torch.ones(5, 3)).sum().backward()
    opt.step()
    ckpt = {"epoch": 5, "model_state_dict": seq.state_dict(),
            "optimizer_state_dict": opt.state_dict(), "loss": 0.25, "note": "run 1"}
    tensors = [("model_state_dict." + k, v) for k, v in seq.state_dict().items()]
    for pid, st in opt.state_dict()["state"].items():
        for k, v in st.items():
            tensors.append((f"optimizer_state_dict.state.{pid}.{k}", v))
    save("train_checkpoint.pt", ckpt, tensors,
         {"epoch": 5, "loss": 0.25, "note": "run 1",
          "optimizer_state_dict.param_groups.0.lr": 0.01,
          "optimizer_state_dict.param_groups.0.betas": "(0.9, 0.999)",
          "optimizer_state_dict.param_groups.0.params": "[0, 1, 2, 3]"})

    # A whole pickled module (__main__.MLP): names as in its state_dict.
    save("whole_module.pt", net, list(net.state_dict().items()))

    # Every storage dtype.
    dt = {
        "f32": torch.tensor([1.5, -2.0, 3.25], dtype=torch.float32),
        "f64": torch.tensor([1e300, -0.5, 2.0], dtype=torch.float64),
        "f16": torch.tensor([0.5, -2.0, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.5, 1e30], dtype=torch.bfloat16),
        "i64": torch.tensor([-(2**40), 0, 7], dtype=torch.int64),
        "i32": torch.tensor([-70000, 0, 7], dtype=torch.int32),
        "i16": torch.tensor([-300, 0, 7], dtype=torch.int16),
        "i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "c64": torch.tensor([1 + 2j, -3.5j], dtype=torch.complex64),
        "c128": torch.tensor([0.25 - 1j], dtype=torch.complex128),
    }
    save("dtypes.pt", dt, list(dt.items()))

    # Views sharing one storage: transposed, sliced rows, a column, an offset scalar.
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    views = {"base": base, "transposed": base.t(), "rows": base[1:3], "column": base[:, 1],
             "element": base[2, 3]}
    save("views.pt", views, list(views.items()))

    shapes = {"empty": torch.zeros(0, 3), "scalar": torch.tensor(3.5),
              "int_scalar": torch.tensor(7), "empty1d": torch.zeros(0, dtype=torch.int64)}
    save("shapes.pt", shapes, list(shapes.items()))

    param = nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    save("parameter.pt", {"weight": param, "lr": 0.1}, [("weight", param)], {"lr": 0.1})

    # Protocol 4 pickles (STACK_GLOBAL, FRAME, MEMOIZE, SHORT_BINUNICODE).
    save("protocol4.pt", {"a": t, "b": [x, {"c": y}], "name": "p4"},
         [("a", t), ("b.0", x), ("b.1.c", y)], {"name": "p4"}, pickle_protocol=4)

    # Legacy (pre-1.6) format.
    legacy = dict(fmt="PyTorch legacy", _use_new_zipfile_serialization=False)
    save("legacy_tensor.pt", torch.ones(3), [("tensor", torch.ones(3))], **legacy)
    save("legacy_state_dict.pt", sd, list(sd.items()), **legacy)
    save("legacy_views.pt", views, list(views.items()), **legacy)
    save("legacy_dtypes.pt", dt, list(dt.items()), **legacy)
    save("legacy_checkpoint.pt", ckpt, tensors, {"epoch": 5, "loss": 0.25}, **legacy)
    save("legacy_whole_module.pt", net, list(net.state_dict().items()), **legacy)

    # Third-party rewrites sometimes deflate the records: same content, compressed.
    src = os.path.join(HERE, "mlp_state_dict.pt")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(os.path.join(HERE, "deflated.pt"), "w",
                                                     zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename.replace("mlp_state_dict/", "renamed_root/"),
                          zin.read(info.filename))
    EXPECTED["deflated.pt"] = dict(EXPECTED["mlp_state_dict.pt"])

    # TorchScript archives are a different format.
    torch.jit.save(torch.jit.script(MLP()), os.path.join(HERE, "torchscript.pt"))

    write_big_endian()
    write_v3_dtypes()
    write_shared_and_numpy()
    write_bad_files()
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(EXPECTED, f, indent=1)
        f.write("\n")


def write_big_endian():
    """dtypes.pt as a big-endian machine would write it (torch >= 2.1 records "byteorder"):
    every storage's elements byte-swapped, plus a byteorder record saying "big"."""
    sizes = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2, "int64": 8, "int32": 4,
             "int16": 2, "int8": 1, "uint8": 1, "bool": 1, "complex64": 4, "complex128": 8}
    names = [t["name"] for t in EXPECTED["dtypes.pt"]["tensors"]]
    unit = {str(i): sizes[t["dtype"]] for i, t in enumerate(EXPECTED["dtypes.pt"]["tensors"])}
    assert len(names) == len(unit)
    with zipfile.ZipFile(os.path.join(HERE, "dtypes.pt")) as zin, \
            zipfile.ZipFile(os.path.join(HERE, "big_endian.pt"), "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            root, _, rest = info.filename.partition("/")
            if rest.startswith("data/"):
                n = unit[rest[5:]]  # keys are 0.. in order of first use, as the tensors
                data = b"".join(data[i:i + n][::-1] for i in range(0, len(data), n))
            zout.writestr("big_endian/" + rest, data)
            if rest == "data.pkl":
                zout.writestr("big_endian/byteorder", "big")
    EXPECTED["big_endian.pt"] = dict(EXPECTED["dtypes.pt"])


def write_v3_dtypes():
    """What torch >= 2.1 writes for the dtypes without a legacy storage class (float8, uint16):
    _rebuild_tensor_v3 over a torch.UntypedStorage (numel in bytes) with the dtype as 7th
    argument. torch 1.13 cannot write these, so the pickle is assembled opcode by opcode."""
    def text(s):
        b = s.encode()
        return b"X" + struct.pack("<I", len(b)) + b

    def tensor(key, nbytes, n, dtype):
        return (b"ctorch._utils\n_rebuild_tensor_v3\n("
                + b"(" + text("storage") + b"ctorch\nUntypedStorage\n" + text(key) + text("cpu")
                + b"K" + bytes([nbytes]) + b"tQ"
                + b"K\x00" + b"K" + bytes([n]) + b"\x85" + b"K\x01\x85" + b"\x89"
                + b"ccollections\nOrderedDict\n)R" + b"ctorch\n" + dtype.encode() + b"\n" + b"tR")

    pkl = (b"\x80\x02}(" + text("e4m3") + tensor("0", 4, 4, "float8_e4m3fn")
           + text("e5m2") + tensor("1", 3, 3, "float8_e5m2")
           + text("u16") + tensor("2", 4, 2, "uint16") + b"u.")
    with zipfile.ZipFile(os.path.join(HERE, "v3_dtypes.pt"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("v3_dtypes/data.pkl", pkl)
        z.writestr("v3_dtypes/byteorder", "little")
        z.writestr("v3_dtypes/data/0", bytes([0x38, 0x40, 0xC0, 0x7E]))  # 1, 2, -2, 448
        z.writestr("v3_dtypes/data/1", bytes([0x3C, 0xBC, 0x7B]))        # 1, -1, 57344
        z.writestr("v3_dtypes/data/2", struct.pack("<HH", 1, 65535))
        z.writestr("v3_dtypes/version", "3\n")
    EXPECTED["v3_dtypes.pt"] = {"format": "PyTorch zip", "metadata": {}, "tensors": [
        {"name": "e4m3", "dtype": "float8_e4m3fn", "shape": [4], "values": [1.0, 2.0, -2.0, 448.0]},
        {"name": "e5m2", "dtype": "float8_e5m2", "shape": [3], "values": [1.0, -1.0, 57344.0]},
        {"name": "u16", "dtype": "uint16", "shape": [2], "values": [1.0, 65535.0]}]}


def write_shared_and_numpy():
    """One tensor under two names (tied weights), and NumPy values pickled inside a checkpoint."""
    import numpy as np
    t = torch.tensor([1.0, 2.0])
    obj = {"a": t, "b": t, "np": np.arange(3.0), "np_t": np.array([[1, 2], [3, 4]], dtype=np.int32).T,
           "best": np.float64(0.5), "labels": np.array(["x", "y"])}
    torch.save(obj, os.path.join(HERE, "shared_numpy.pt"))
    EXPECTED["shared_numpy.pt"] = {"format": "PyTorch zip", "metadata": {"best": 0.5}, "tensors": [
        describe("a", t), describe("b", t),
        {"name": "np", "dtype": "float64", "shape": [3], "values": [0.0, 1.0, 2.0]},
        {"name": "np_t", "dtype": "int32", "shape": [2, 2], "values": [1.0, 3.0, 2.0, 4.0]}]}


MARKER = "/tmp/ckptview_pickle_marker"


def write_bad_files():
    bad = os.path.join(HERE, "bad")
    os.makedirs(bad, exist_ok=True)
    good = open(os.path.join(HERE, "mlp_state_dict.pt"), "rb").read()
    open(os.path.join(bad, "truncated_zip.pt"), "wb").write(good[: len(good) // 2])
    legacy = open(os.path.join(HERE, "legacy_state_dict.pt"), "rb").read()
    open(os.path.join(bad, "truncated_legacy.pt"), "wb").write(legacy[: len(legacy) - 40])
    open(os.path.join(bad, "truncated_legacy_pickle.pt"), "wb").write(legacy[:60])

    def zip_with(name, pkl, extra=()):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("archive/data.pkl", pkl)
            for n, data in extra:
                z.writestr(n, data)
            z.writestr("archive/version", "3\n")
        open(os.path.join(bad, name), "wb").write(buf.getvalue())

    # Hostile pickles: each would run a command creating MARKER if executed.
    os_system = b"\x80\x02cos\nsystem\nq\x00X" + struct.pack("<I", len("touch " + MARKER)) + \
        ("touch " + MARKER).encode() + b"\x85R."
    zip_with("os_system.pt", os_system)
    popen = (b"csubprocess\nPopen\n((S'touch'\nS'" + MARKER.encode() + b"'\nltR.")
    zip_with("subprocess_popen.pt", popen)
    evil_eval = (b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x8c\x04eval\x93"
                 b"\x8c\x29__import__('os').system('touch " + MARKER.encode() + b"')\x85R.")
    evil_eval = evil_eval.replace(b"\x29", bytes([len("__import__('os').system('touch " + MARKER + "')")]), 1)
    zip_with("builtins_eval.pt", evil_eval)
    # A storage key pointing at a record that does not exist.
    missing = pickle.dumps(None)
    buf = io.BytesIO()
    torch.save(torch.ones(2), buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        pkl = z.read("archive/data.pkl")
    zip_with("missing_storage.pt", pkl)
    # A storage smaller than the tensor claims.
    zip_with("short_storage.pt", pkl, [("archive/data/0", b"\0\0\0\0")])
    del missing
    open(os.path.join(bad, "random.pt"), "wb").write(bytes((i * 37 + 11) % 256 for i in range(500)))
    write_storage_past_end(bad, buf.getvalue())


def write_storage_past_end(bad, good_zip):
    """A real torch.save(torch.ones(2)) whose central directory says data/0 is 1 MB long."""
    data = bytearray(good_zip)
    at = data.index(b"PK\x01\x02")  # the first central directory entry
    while True:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        name = bytes(data[at + 46:at + 46 + name_len])
        if name == b"archive/data/0":
            struct.pack_into("<II", data, at + 20, 1 << 20, 1 << 20)
            break
        extra, comment = struct.unpack_from("<HH", data, at + 30)
        at += 46 + name_len + extra + comment
    open(os.path.join(bad, "storage_past_end.pt"), "wb").write(bytes(data))


if __name__ == "__main__":
    main()
