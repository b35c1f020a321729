#!/usr/bin/python3
"""Writes a PyTorch Distributed Checkpoint folder (torch.distributed.checkpoint, DCP) as
FileSystemWriter lays it out, for tests/tst_worldfiles.cpp.

No public repository holds DCP test data, and Debian's torch 1.13 is built without
torch.distributed, so the layout is rebuilt from torch's own sources (torch 2.x,
torch/distributed/checkpoint/metadata.py and filesystem.py):

- `.metadata`: pickle.dump of Metadata(state_dict_metadata={fqn: TensorStorageMetadata(
  properties=TensorProperties(...), size=torch.Size, chunks=[ChunkStorageMetadata(offsets, sizes)])
  or BytesStorageMetadata()}, planner_data=..., storage_data={MetadataIndex(fqn, offset, index):
  _StorageInfo(relative_path, offset, length)}). The classes are dataclasses; TensorProperties
  pickles as the tuple (dtype, layout, requires_grad, memory-format code, pin_memory).
- `__<rank>_<n>.distcp`: each write item one after another; a tensor item is torch.save of the
  (compact) chunk, a bytes item the raw bytes of torch.save of the object.

The classes below stand in for torch's under the same module and class names, so the pickle
names exactly what torch's does; tensors, sizes, dtypes and layouts are real torch objects.
Here two ranks each saved half of the rows of "model.w" (a row-sharded tensor, as FSDP/TP
write), rank 0 saved "model.b" whole, and "step" is a bytes item.

Run: /usr/bin/python3 tests/data/world/dcp/make_dcp_fixture.py
"""
import dataclasses
import enum
import io
import json
import os
import pickle
import shutil
import sys
import types
from typing import Any, Optional

import torch

here = os.path.dirname(os.path.abspath(__file__))
folder = os.path.join(here, "dcp_two_ranks")


def module(name):
    m = types.ModuleType(name)
    sys.modules[name] = m
    return m


meta = module("torch.distributed.checkpoint.metadata")
fs = module("torch.distributed.checkpoint.filesystem")


class _MEM_FORMAT_ENCODING(enum.Enum):
    TORCH_CONTIGUOUS_FORMAT = 0
    TORCH_CHANNELS_LAST = 1
    TORCH_PRESERVE_FORMAT = 2


@dataclasses.dataclass
class ChunkStorageMetadata:
    offsets: torch.Size
    sizes: torch.Size


@dataclasses.dataclass
class TensorProperties:
    dtype: torch.dtype
    layout: torch.layout = torch.strided
    requires_grad: bool = False
    memory_format: Any = torch.contiguous_format
    pin_memory: bool = False

    def __getstate__(self):  # as torch's: torch.memory_format cannot be pickled
        return (self.dtype, self.layout, self.requires_grad, _MEM_FORMAT_ENCODING.TORCH_CONTIGUOUS_FORMAT,
                self.pin_memory)


@dataclasses.dataclass
class TensorStorageMetadata:
    properties: TensorProperties
    size: torch.Size
    chunks: list


@dataclasses.dataclass
class BytesStorageMetadata:
    pass


@dataclasses.dataclass(frozen=True)
class MetadataIndex:
    fqn: str
    offset: Optional[torch.Size] = None
    index: Optional[int] = dataclasses.field(hash=False, compare=False, default=None)


@dataclasses.dataclass
class Metadata:
    state_dict_metadata: dict
    planner_data: Any = None
    storage_data: Any = None


@dataclasses.dataclass
class _StorageInfo:
    relative_path: str
    offset: int
    length: int


for cls in (_MEM_FORMAT_ENCODING, ChunkStorageMetadata, TensorProperties, TensorStorageMetadata,
            BytesStorageMetadata, MetadataIndex, Metadata):
    cls.__module__ = meta.__name__
    setattr(meta, cls.__name__, cls)
_StorageInfo.__module__ = fs.__name__
fs._StorageInfo = _StorageInfo

w = (torch.arange(24, dtype=torch.float32).reshape(4, 6) - 10) / 4
b = torch.tensor([0.5, -1.5, 2.0, 0.0, 3.25, -0.125], dtype=torch.float64)
step = 1234

shutil.rmtree(folder, ignore_errors=True)
os.makedirs(folder)
state, storage, files = {}, {}, {0: io.BytesIO(), 1: io.BytesIO()}


def write(rank, fqn, obj, offsets=None, index=None):
    stream = files[rank]
    start = stream.tell()
    if isinstance(obj, torch.Tensor):
        torch.save(obj.clone(), stream)
    else:
        buf = io.BytesIO()
        torch.save(obj, buf)
        stream.write(buf.getbuffer())
    key = MetadataIndex(fqn, torch.Size(offsets) if offsets is not None else None, index)
    storage[key] = _StorageInfo("__%d_0.distcp" % rank, start, stream.tell() - start)


chunks = []
for rank, rows in ((0, slice(0, 2)), (1, slice(2, 4))):
    offsets = (rows.start, 0)
    chunks.append(ChunkStorageMetadata(torch.Size(offsets), torch.Size((2, 6))))
    write(rank, "model.w", w[rows], offsets, rank)
state["model.w"] = TensorStorageMetadata(TensorProperties(torch.float32), w.shape, chunks)
write(0, "model.b", b, (0,), 0)
state["model.b"] = TensorStorageMetadata(TensorProperties(torch.float64), b.shape,
                                         [ChunkStorageMetadata(torch.Size((0,)), b.shape)])
write(0, "step", step)
state["step"] = BytesStorageMetadata()

for rank, stream in files.items():
    with open(os.path.join(folder, "__%d_0.distcp" % rank), "wb") as fh:
        fh.write(stream.getbuffer())
with open(os.path.join(folder, ".metadata"), "wb") as fh:
    pickle.dump(Metadata(state, None, storage), fh)


def entry(t):
    a = t.numpy()
    return {"dtype": str(a.dtype), "shape": list(a.shape), "count": int(a.size),
            "first": [float(x) for x in a.reshape(-1)[:8]], "sum": float(a.astype("float64").sum())}


expected = {"dcp_two_ranks": {
    "tensors": {"model.w": entry(w), "model.b": entry(b)},
    "metadata": {"opened_from_folder": ".metadata"},
    "note": "a torch.distributed.checkpoint folder rebuilt from torch's documented layout (no public test data "
            "exists; Debian's torch has no torch.distributed): model.w row-sharded over two ranks' files, "
            "model.b whole, step a bytes item; expected values are the tensors saved"}}
with open(os.path.join(here, "expected.json"), "w") as fh:
    json.dump(expected, fh, indent=1)
    fh.write("\n")


# Hostile variants for tests/data/bad (tst_badfiles): each changes the one thing an attacker
# would, in a .metadata beside its own .distcp files.
bad = os.path.join(here, "..", "..", "bad")


def write_bad(name, chunk_specs, place=lambda info: info):
    """chunk_specs: (rows start, rows count) of model.w per chunk, all saved in one data file."""
    data_name = "__%s_0.distcp" % name
    stream = io.BytesIO()
    chunks, store = [], {}
    for i, (start, count) in enumerate(chunk_specs):
        at = stream.tell()
        torch.save(w[start:start + count].clone(), stream)
        offsets = torch.Size((start, 0))
        chunks.append(ChunkStorageMetadata(offsets, torch.Size((count, 6))))
        store[MetadataIndex("model.w", offsets, i)] = place(_StorageInfo(data_name, at, stream.tell() - at))
    with open(os.path.join(bad, data_name), "wb") as fh:
        fh.write(stream.getbuffer())
    with open(os.path.join(bad, name + ".metadata"), "wb") as fh:
        pickle.dump(Metadata({"model.w": TensorStorageMetadata(TensorProperties(torch.float32), w.shape, chunks)},
                             None, store), fh)


bad_expected = {
    "dcp_escape.metadata": "data file '../../../../etc/passwd' leaves the checkpoint's folder",
    "dcp_overlap.metadata": "two of its pieces overlap (at (0, 0) and (1, 0))",
    "dcp_short.metadata": "its pieces hold 18 elements, the tensor 24",
    "dcp_past_end.metadata": "the chunk at (2, 0) lies past the end of __dcp_past_end_0.distcp",
}
write_bad("dcp_escape", [(0, 4)], lambda info: _StorageInfo("../../../../etc/passwd", 0, 100))
write_bad("dcp_overlap", [(0, 2), (1, 2)])
write_bad("dcp_short", [(0, 2), (2, 1)])
write_bad("dcp_past_end", [(0, 2), (2, 2)],
          lambda info: _StorageInfo(info.relative_path, info.offset, info.length + 1000) if info.offset else info)
with open(os.path.join(bad, "expected.json")) as fh:
    all_bad = json.load(fh)
all_bad.update({k: {"error": v} for k, v in bad_expected.items()})
# The data files themselves are torch.save zips one after another: read as the last one.
all_bad.update({"__%s_0.distcp" % k[:-len(".metadata")]: {"opens": ["tensor"]} for k in bad_expected})
with open(os.path.join(bad, "expected.json"), "w") as fh:
    json.dump(all_bad, fh, indent=2, ensure_ascii=False)
    fh.write("\n")
