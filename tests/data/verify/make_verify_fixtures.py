#!/usr/bin/python3
"""Fixtures for tst_verify: networks trained nowhere but built and run by real PyTorch, saved
the ways users save them, with the inputs X and the outputs Y that torch computed.

Run with Debian's python3-torch, python3-numpy, python3-h5py:  /usr/bin/python3 make_verify_fixtures.py
"""
import json
import os
import struct

import h5py
import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20261122)


class MLP(nn.Module):  # the seed chapter's network
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.output = nn.Linear(256, 10)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x)))


def path(name):
    return os.path.join(HERE, name)


def save_io(name, x, y):
    with h5py.File(path(name), "w") as f:
        f["X"] = x.detach().numpy()
        f["Y"] = y.detach().numpy()


def safetensors_bytes(tensors):
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr, dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        blobs.append(arr.tobytes())
        offset += arr.nbytes
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


# 1. The seed's 20 -> 256 -> 10 ReLU MLP: state_dict as torch writes it, X (2, 20), Y = net(X).
net = MLP()
X = torch.rand(2, 20)
with torch.no_grad():
    Y = net(X)
torch.save(net.state_dict(), path("mlp.params"))
torch.save({"X": X, "Y": Y}, path("mlp-io.pt"))
save_io("mlp-io.h5", X, Y)
sd = {k: v.numpy() for k, v in net.state_dict().items()}
np.savez(path("mlp.npz"), **sd)
with open(path("mlp.safetensors"), "wb") as f:
    f.write(safetensors_bytes(sd))

# The same weights in Keras save_weights HDF5 layout: kernels are (in, out).
with h5py.File(path("mlp-keras.h5"), "w") as f:
    f.attrs["layer_names"] = np.array([b"dense", b"dense_1"])
    f.attrs["backend"] = b"tensorflow"
    f.attrs["keras_version"] = b"2.11.0"
    for layer, torch_name in [("dense", "hidden"), ("dense_1", "output")]:
        g = f.create_group(layer)
        g.attrs["weight_names"] = np.array([f"{layer}/kernel:0".encode(), f"{layer}/bias:0".encode()])
        g[f"{layer}/kernel:0"] = sd[torch_name + ".weight"].T
        g[f"{layer}/bias:0"] = sd[torch_name + ".bias"]

# 2. A deeper tanh net as nn.Sequential (indices 0, 2, ..., 10: '10' must come after '2'),
#    saved inside a training checkpoint dict.
deep = nn.Sequential(*[m for i in range(6) for m in (nn.Linear(12 if i == 0 else 16, 16 if i < 5 else 3),
                                                      nn.Tanh())][:-1])
opt = torch.optim.Adam(deep.parameters(), lr=1e-3)
Xd = torch.randn(64, 12)
loss = deep(Xd).pow(2).mean()
loss.backward()
opt.step()
with torch.no_grad():
    Yd = deep(Xd)
torch.save({"epoch": 7, "model_state_dict": deep.state_dict(),
            "optimizer_state_dict": opt.state_dict(), "loss": float(loss)}, path("deep-train.pth"))
save_io("deep-io.h5", Xd, Yd)

# 3. Negative cases: no dense layers; a chain that does not connect.
torch.save({"embedding.weight": torch.randn(5, 3, 2), "scale": torch.ones(3)}, path("no-dense.pt"))
torch.save({"a.weight": torch.randn(8, 4), "a.bias": torch.randn(8),
            "b.weight": torch.randn(2, 6), "b.bias": torch.randn(2)}, path("broken-chain.pt"))
save_io("wrong-width-io.h5", torch.rand(2, 21), torch.rand(2, 10))
print("ok")
