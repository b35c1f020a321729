#!/usr/bin/python3
"""Writes the fixtures for `ckpt scan FILE` and expected.json, the ground truth about them.

Run with Debian's torch (python3-torch, 1.13) and numpy:  /usr/bin/python3 make_scan_fixtures.py

Each fixture is a small file that either loads harmlessly or, when loaded by the real Python
library, runs code. Every payload only ever runs `touch scan-marker-<stem>` in the current
directory (or, for importlib_import_module.pkl, imports the harmless stdlib module "this").

The ground truth is measured, not assumed: each file is loaded in a subprocess whose current
directory is a fresh temporary directory, the way a user would load it:
  .pt   torch.load(path, weights_only=False)  and  torch.load(path, weights_only=True)
  .npy  np.load(path, allow_pickle=True)      and  np.load(path)   (allow_pickle=False)
  .pkl  pickle.load(f)                            (no safe loader: safe_loader_* are null)
and the temporary directory is then checked for scan-marker-* files.

expected.json, per file:
  runs_code              the permissive load ran the payload (a scan-marker-* file appeared,
                         or the module "this" got imported)
  loads                  the permissive load finished without an exception
  load_error             exception type of the permissive load, or null
  load_message           its message (the file path replaced by <file>), or null
  safe_loader_accepts    weights_only=True / allow_pickle=False succeeded (null for .pkl)
  safe_loader_error      exception type of the safe load, or null
  safe_loader_message    its message (for torch only the part after "WeightsUnpickler error:")
                         -- torch 1.13's weights_only unpickler has no BINFLOAT opcode, so it
                         refuses even clean files holding a Python float ("Unsupported operand 71")
  safe_loader_runs_code  the safe load ran the payload (always false here)
  globals                sorted, de-duplicated "module.name" for every GLOBAL / STACK_GLOBAL /
                         INST in the pickle(s), spelled exactly as in the bytes (so protocol-2
                         files say "__builtin__.eval" and "copy_reg._reconstructor"; a dotted
                         STACK_GLOBAL name is joined as module + "." + name)
  calls                  how many REDUCE / NEWOBJ / NEWOBJ_EX / BUILD / INST / OBJ opcodes
  pickles                which pickle streams were read ("data.pkl" for torch zips, the five
                         legacy streams, the embedded .npy pickle, or the whole .pkl)
  size                   file size in bytes
"""
import collections
import functools
import gc
import glob
import importlib
import io
import json
import os
import pickle
import pickletools
import re
import runpy
import shutil
import struct
import subprocess
import sys
import tempfile
import types
import zipfile

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
PLACEHOLDER = "SCAN_PAYLOAD_PLACEHOLDER"


def cmd_for(stem):
    return "touch scan-marker-" + stem


class Payload:
    """Pickles as func(*args): the usual way a malicious pickle is made."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


# ---------------------------------------------------------------- pickle opcode helpers (protocol 2)

def binunicode(s):
    b = s.encode("utf-8")
    return b"X" + struct.pack("<I", len(b)) + b


def short_binunicode(s):
    b = s.encode("utf-8")
    assert len(b) < 256
    return b"\x8c" + bytes([len(b)]) + b


GLOBAL = lambda module, name: b"c" + module.encode() + b"\n" + name.encode() + b"\n"
EMPTY_TUPLE, EMPTY_LIST, EMPTY_DICT, NONE, MARK = b")", b"]", b"}", b"N", b"("
TUPLE1, TUPLE2, TUPLE3 = b"\x85", b"\x86", b"\x87"
REDUCE, NEWOBJ, BUILD, SETITEM, APPENDS, STACK_GLOBAL = b"R", b"\x81", b"b", b"s", b"e", b"\x93"


# ---------------------------------------------------------------- writers

def torch_save(filename, obj, **kwargs):
    torch.save(obj, os.path.join(HERE, filename), **kwargs)


def torch_zip_with_payload(filename, payload, protocol_byte=2):
    """A real torch.save of {"weight": tensor, "payload": PLACEHOLDER} whose placeholder string is
    replaced by hand-built pickle bytes that leave exactly one object on the stack. The archive
    is rewritten with torch's own PyTorchFileWriter, so the layout is exactly torch.save's
    (<stem>/data.pkl, <stem>/data/0, <stem>/version, stored, 64-byte aligned)."""
    buf = io.BytesIO()
    torch.save({"weight": torch.arange(4, dtype=torch.float32) / 2, "payload": PLACEHOLDER}, buf)
    records = {}
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        for name in z.namelist():
            records[name.split("/", 1)[1]] = z.read(name)
    assert sorted(records) == ["data.pkl", "data/0", "version"], sorted(records)
    pkl = records["data.pkl"]
    # The placeholder is the last value of the dict: BINUNICODE, BINPUT n, then SETITEMS, STOP.
    m = re.search(re.escape(binunicode(PLACEHOLDER)) + rb"(q.|r....)", pkl, re.S)
    assert m and pkl[m.end():] == b"u.", pkl[m.start():]
    pkl = pkl[:m.start()] + payload + pkl[m.end():]
    assert pkl[:2] == b"\x80\x02"
    pkl = b"\x80" + bytes([protocol_byte]) + pkl[2:]
    path = os.path.join(HERE, filename)
    if os.path.exists(path):
        os.remove(path)
    writer = torch._C.PyTorchFileWriter(path)
    writer.write_record("data.pkl", pkl, len(pkl))
    writer.write_record("data/0", records["data/0"], len(records["data/0"]))
    writer.write_end_of_file()
    del writer
    gc.collect()
    with zipfile.ZipFile(path) as z:
        stem = os.path.splitext(filename)[0]
        assert z.namelist() == [stem + "/data.pkl", stem + "/data/0", stem + "/version"]
        assert z.read(stem + "/version") == records["version"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())


def renumber_legacy_keys(data):
    """Legacy torch.save names storages by their memory address; rename them "0", "1", ... so
    the file is the same on every run. The keys only occur as BINUNICODE in the pickles."""
    offset = 0
    for _ in range(5):   # magic, protocol, sys_info, object, storage keys
        start = offset
        offset = analyse_pickle(data, offset)[2]
    keys = pickle.loads(data[start:offset])
    head, tail = data[:offset], data[offset:]
    for i, key in enumerate(keys):
        assert head.count(binunicode(key)) == 2, key
        head = head.replace(binunicode(key), binunicode(str(i)))
    return head + tail


def write_bytes(filename, data):
    with open(os.path.join(HERE, filename), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- the fixtures

def make_fixtures():
    torch.manual_seed(0)

    # 1. A plain state dict.
    sd = collections.OrderedDict()
    sd["weight"] = torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4
    sd["bias"] = torch.tensor([0.5, -0.25])
    torch_save("clean_state_dict.pt", sd)

    # 2. A training checkpoint with a real optimizer state after one step.
    lin = nn.Linear(3, 2)
    opt = torch.optim.Adam(lin.parameters(), lr=0.01)
    lin(torch.ones(4, 3)).sum().backward()
    opt.step()
    torch_save("clean_training_checkpoint.pt", {
        "epoch": 3, "model_state_dict": lin.state_dict(),
        "optimizer_state_dict": opt.state_dict(), "loss": 0.5})

    # 3. os.system through REDUCE: hand-built GLOBAL "os system", and as pickle writes it.
    stem = "reduce_os_system"
    torch_zip_with_payload(stem + ".pt",
                           GLOBAL("os", "system") + binunicode(cmd_for(stem)) + TUPLE1 + REDUCE)
    stem = "reduce_posix_system"
    torch_save(stem + ".pt", {"weight": torch.zeros(2),
                              "payload": Payload(os.system, (cmd_for(stem),))})

    # 4. The BUILD trick: Namespace.__new__, BUILD (None, {"__setstate__": os.system}) puts
    #    os.system in the instance dict, the second BUILD then calls it with the string.
    stem = "build_setstate_os_system"
    build_payload = (GLOBAL("argparse", "Namespace") + EMPTY_TUPLE + NEWOBJ
                     + NONE + EMPTY_DICT + binunicode("__setstate__") + GLOBAL("os", "system")
                     + SETITEM + TUPLE2 + BUILD
                     + binunicode(cmd_for(stem)) + BUILD)
    torch_zip_with_payload(stem + ".pt", build_payload)

    # 5. copy_reg._reconstructor(Popen, Popen, argv): base.__new__(cls), then, because base is
    #    not object, base.__init__(obj, argv) -- i.e. Popen(argv). Protocol 2 spells copyreg
    #    "copy_reg" (Python 3 maps it back on load).
    stem = "reconstructor_popen"
    torch_zip_with_payload(stem + ".pt",
                           GLOBAL("copy_reg", "_reconstructor")
                           + GLOBAL("subprocess", "Popen") + GLOBAL("subprocess", "Popen")
                           + EMPTY_LIST + MARK + binunicode("touch")
                           + binunicode("scan-marker-" + stem) + APPENDS
                           + TUPLE3 + REDUCE)

    # 6. Protocol 4 STACK_GLOBAL with a dotted name: torch.serialization has "os" as an
    #    attribute, and protocol >= 4 resolves "os.system" by getattr chain.
    stem = "dotted_torch_serialization_os_system"
    torch_zip_with_payload(stem + ".pt",
                           short_binunicode("torch.serialization") + short_binunicode("os.system")
                           + STACK_GLOBAL + binunicode(cmd_for(stem)) + TUPLE1 + REDUCE,
                           protocol_byte=4)

    # 7. eval through a real torch.save (protocol 2: pickle writes "__builtin__ eval").
    stem = "builtins_eval"
    torch_save(stem + ".pt", {"weight": torch.zeros(2), "payload": Payload(
        eval, ("__import__('os').system('%s')" % cmd_for(stem),))})

    # 8, 9. Plain pickles (protocol 4: STACK_GLOBAL, MEMOIZE, FRAME).
    def plain(filename, payload):
        write_bytes(filename, pickle.dumps({"config": {"lr": 0.01, "layers": [3, 2]},
                                            "payload": payload}, protocol=4))

    stem = "builtins_exec"
    plain(stem + ".pkl", Payload(exec, ("import os; os.system('%s')" % cmd_for(stem),)))
    stem = "runpy_run_code"
    plain(stem + ".pkl", Payload(runpy._run_code,
                                 ("import os; os.system('%s')" % cmd_for(stem), {})))
    plain("importlib_import_module.pkl", Payload(importlib.import_module, ("this",)))
    stem = "functools_partial_os_system"
    plain(stem + ".pkl", Payload(functools.partial(os.system, cmd_for(stem)), ()))

    # 10. Whole-model save of a class from a module nobody can import.
    modname = "mymodule_that_does_not_exist"
    mod = types.ModuleType(modname)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)

        def forward(self, x):
            return self.fc(x)

    Net.__module__, Net.__qualname__ = modname, "Net"
    mod.Net = Net
    sys.modules[modname] = mod
    try:
        torch_save("unknown_class.pt", Net())
    finally:
        del sys.modules[modname]

    # 11. numpy: an object array whose element is os.system(...), a clean object array, floats.
    stem = "numpy_object_os_system"
    arr = np.empty(3, dtype=object)
    arr[0], arr[1], arr[2] = 1, "two", Payload(os.system, (cmd_for(stem),))
    np.save(os.path.join(HERE, stem + ".npy"), arr)
    clean = np.empty(4, dtype=object)
    clean[:] = [1, "two", 3, "four"]
    np.save(os.path.join(HERE, "numpy_object_clean.npy"), clean)
    np.save(os.path.join(HERE, "numpy_plain.npy"), np.arange(6, dtype=np.float32).reshape(2, 3))

    # 12. Legacy (non-zip) torch format.
    stem = "torch_legacy_os_system"
    buf = io.BytesIO()
    torch.save({"weight": torch.zeros(2), "payload": Payload(os.system, (cmd_for(stem),))},
               buf, _use_new_zipfile_serialization=False)
    write_bytes(stem + ".pt", renumber_legacy_keys(buf.getvalue()))

    return build_payload


# ---------------------------------------------------------------- static pickle analysis

STRING_OPS = {"STRING", "BINSTRING", "SHORT_BINSTRING", "UNICODE", "BINUNICODE",
              "SHORT_BINUNICODE", "BINUNICODE8"}
CALL_OPS = ("REDUCE", "NEWOBJ", "NEWOBJ_EX", "BUILD", "INST", "OBJ")


def analyse_pickle(data, start=0):
    """Returns (globals, call counts, end offset) of the pickle starting at data[start]."""
    f = io.BytesIO(data)
    f.seek(start)
    found, calls = [], collections.Counter()
    memo, recent, last = {}, [], None   # recent: values of the last pushes we can name
    end = start
    for op, arg, pos in pickletools.genops(f):
        name = op.name
        pushed = None
        if name in STRING_OPS:
            pushed = arg if isinstance(arg, str) else arg.decode("latin-1")
        elif name in ("GLOBAL", "INST"):
            module, _, attr = arg.partition(" ")
            found.append(module + "." + attr)
        elif name == "STACK_GLOBAL":
            assert len(recent) >= 2 and None not in recent[-2:], "STACK_GLOBAL operands unknown"
            found.append(recent[-2] + "." + recent[-1])
            recent = recent[:-2]
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            memo[int(arg)] = last
        elif name == "MEMOIZE":
            memo[len(memo)] = last
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            pushed = memo.get(int(arg))
        if name in CALL_OPS:
            calls[name] += 1
        if name not in ("PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE", "FRAME", "PROTO"):
            recent.append(pushed)
            last = pushed
        if name == "STOP":
            end = f.tell()
    return found, calls, end


def pickles_of(path):
    """Yields (label, bytes, start offset) for each pickle stream a loader would read."""
    with open(path, "rb") as fh:
        data = fh.read()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith("/data.pkl")]
            assert len(names) == 1
            yield "data.pkl", z.read(names[0]), 0
    elif path.endswith(".npy"):
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            _, _, dtype = np.lib.format._read_array_header(fh, version)
            if dtype.hasobject:
                yield "npy pickle", data, fh.tell()
    elif path.endswith(".pt"):   # legacy: magic, protocol, sys_info, object, storage keys
        offset = 0
        for label in ("magic", "protocol", "sys_info", "object", "storage_keys"):
            yield "legacy " + label, data, offset
            offset = analyse_pickle(data, offset)[2]
    else:
        yield "pickle", data, 0


def static_facts(path):
    found, calls, labels = set(), collections.Counter(), []
    for label, data, start in pickles_of(path):
        g, c, _ = analyse_pickle(data, start)
        found.update(g)
        calls.update(c)
        labels.append(label)
    return {"globals": sorted(found), "calls": {k: calls.get(k, 0) for k in CALL_OPS},
            "pickles": labels}


# ---------------------------------------------------------------- dynamic ground truth

CHILD = r'''
import json, os, sys
mode, path = sys.argv[1], sys.argv[2]
had_this = "this" in sys.modules
res = {"ok": False, "error": None, "message": None}
try:
    if mode.startswith("torch"):
        import torch
        torch.load(path, weights_only=(mode == "torch_weights_only"))
    elif mode.startswith("numpy"):
        import numpy as np
        if mode == "numpy_allow_pickle":
            np.load(path, allow_pickle=True)
        else:
            np.load(path)
    else:
        import pickle
        with open(path, "rb") as f:
            pickle.load(f)
    res["ok"] = True
except BaseException as e:
    res["error"] = type(e).__name__
    msg = str(e).split("WeightsUnpickler error: ")[-1].strip()
    res["message"] = msg.replace(path, "<file>")[:200]
while True:   # reap anything the payload started (Popen), so its marker exists before we report
    try:
        os.wait()
    except ChildProcessError:
        break
res["imported_this"] = (not had_this) and "this" in sys.modules
sys.stdout.flush()
print("\n@@RESULT@@" + json.dumps(res))
'''


def load_in_subprocess(path, mode):
    tmp = tempfile.mkdtemp(prefix="ckpt-scan-truth-")
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, mode, path], cwd=tmp,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=300)
        lines = [l for l in proc.stdout.splitlines() if l.startswith("@@RESULT@@")]
        if lines:
            res = json.loads(lines[-1][len("@@RESULT@@"):])
        else:
            res = {"ok": False, "error": "child exited %d without a result" % proc.returncode,
                   "message": None, "imported_this": False}
        markers = sorted(os.path.basename(p) for p in glob.glob(os.path.join(tmp, "scan-marker-*")))
        leftovers = sorted(set(os.listdir(tmp)) - set(markers))
        assert not leftovers, (path, mode, leftovers)
        res["markers"] = markers
        res["runs_code"] = bool(markers) or res["imported_this"]
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ground_truth(filename):
    path = os.path.join(HERE, filename)
    if filename.endswith(".pt"):
        permissive, safe = "torch_permissive", "torch_weights_only"
    elif filename.endswith(".npy"):
        permissive, safe = "numpy_allow_pickle", "numpy_default"
    else:
        permissive, safe = "pickle", None
    p = load_in_subprocess(path, permissive)
    stem = os.path.splitext(filename)[0]
    assert p["markers"] in ([], ["scan-marker-" + stem]), (filename, p["markers"])
    entry = {"runs_code": p["runs_code"], "loads": p["ok"], "load_error": p["error"],
             "load_message": p["message"],
             "safe_loader_accepts": None, "safe_loader_error": None, "safe_loader_message": None,
             "safe_loader_runs_code": None, "size": os.path.getsize(path)}
    if safe:
        s = load_in_subprocess(path, safe)
        entry.update(safe_loader_accepts=s["ok"], safe_loader_error=s["error"],
                     safe_loader_message=s["message"],
                     safe_loader_runs_code=s["runs_code"])
    entry.update(static_facts(path))
    return entry


def check_standalone_build_trick(build_payload):
    """The BUILD trick on its own, through plain pickle.loads (no torch involved)."""
    tmp = tempfile.mkdtemp(prefix="ckpt-scan-build-")
    try:
        pkl = os.path.join(tmp, "build.pkl")
        with open(pkl, "wb") as f:
            f.write(b"\x80\x02" + build_payload + b".")
        res = load_in_subprocess(pkl, "pickle")
        return res["ok"] and res["markers"] == ["scan-marker-build_setstate_os_system"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


FILES = [
    "clean_state_dict.pt", "clean_training_checkpoint.pt",
    "reduce_os_system.pt", "reduce_posix_system.pt", "build_setstate_os_system.pt",
    "reconstructor_popen.pt", "dotted_torch_serialization_os_system.pt", "builtins_eval.pt",
    "builtins_exec.pkl", "runpy_run_code.pkl", "importlib_import_module.pkl",
    "functools_partial_os_system.pkl", "unknown_class.pt",
    "numpy_object_os_system.npy", "numpy_object_clean.npy", "numpy_plain.npy",
    "torch_legacy_os_system.pt",
]


def main():
    build_payload = make_fixtures()
    written = sorted(f for f in os.listdir(HERE) if f != os.path.basename(__file__)
                     and f != "expected.json")
    assert written == sorted(FILES), written
    for f in FILES:
        assert os.path.getsize(os.path.join(HERE, f)) < 20 * 1024, f

    assert check_standalone_build_trick(build_payload), "BUILD trick did not run via pickle.loads"

    expected = {}
    for f in FILES:
        expected[f] = ground_truth(f)
        e = expected[f]
        print("%-42s runs_code=%-5s loads=%-5s safe=%-5s %s" % (
            f, e["runs_code"], e["loads"], e["safe_loader_accepts"], e["load_error"] or ""))
        assert not e["safe_loader_runs_code"], f
    with open(os.path.join(HERE, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=2, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main()
