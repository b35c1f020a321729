#!/usr/bin/python3
"""A small training run as training code leaves it, for `ckpt timeline` (tst_timeline).

run/ holds three checkpoints written by torch and numpy, named by epoch (epoch_2 sorts before
epoch_10 only by number), in three spellings: a training checkpoint dict ({"epoch",
"model_state_dict"}), a DataParallel state dict ("module." prefixes) and an .npz. Layer "2" is
frozen after epoch 1, "0.weight" holds a NaN at epoch 10, "extra" appears at epoch 2, and
notes.txt is not a checkpoint. expected.json holds the metrics computed here with numpy in
float64 from the same float32 values (changes over the elements finite at both steps), and
each tensor's distribution over steps: numpy.histogram of every step's finite values on 8 bins
shared by all steps (over the smallest and largest finite value of any step).
"""
import json
import os

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
run = os.path.join(here, "run")
os.makedirs(run, exist_ok=True)
torch.manual_seed(0)

model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
steps = []  # (epoch, {unwrapped name: float32 array})


def snapshot(extra=None):
    tensors = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    if extra is not None:
        tensors["extra"] = extra
    return tensors


def train(n, frozen_last):
    for p in model[2].parameters():
        p.requires_grad_(not frozen_last)
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    for _ in range(n):
        x = torch.randn(8, 4)
        loss = model(x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


train(3, False)
torch.save({"epoch": 1, "model_state_dict": model.state_dict(), "note": "epoch 1"}, os.path.join(run, "epoch_1.pt"))
steps.append((1, snapshot()))

train(5, True)
extra = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
state = torch.nn.DataParallel(model).state_dict()  # "module." before every name
state["module.extra"] = torch.from_numpy(extra)
torch.save(state, os.path.join(run, "epoch_2.pt"))
steps.append((2, snapshot(extra)))

train(5, True)
tensors = snapshot(extra * 2)
tensors["0.weight"][1, 2] = np.nan
np.savez(os.path.join(run, "epoch_10.npz"), **tensors)
steps.append((10, tensors))

with open(os.path.join(run, "notes.txt"), "w") as f:
    f.write("learning rate 0.1, three checkpoints\n")


def metrics(w, previous, first):
    v = w.astype(np.float64).ravel()
    finite = v[np.isfinite(v)]
    m = {
        "count": int(v.size),
        "l2": float(np.sqrt((finite**2).sum())),
        "mean": float(finite.mean()),
        "std": float(finite.std()),
        "min": float(finite.min()),
        "max": float(finite.max()),
        "zero_fraction": float((v == 0).sum() / v.size),
        "nan": int(np.isnan(v).sum()),
        "inf": int(np.isinf(v).sum()),
    }
    for key, ref in (("previous", previous), ("first", first)):
        if ref is None or ref.shape != w.shape:
            m["change_" + key] = None
            m["cosine_" + key] = None
            continue
        r = ref.astype(np.float64).ravel()
        both = np.isfinite(v) & np.isfinite(r)  # a NaN is counted, not spread into the change
        a, b = v[both], r[both]
        change = np.linalg.norm(a - b) / np.linalg.norm(b)
        cosine = a.dot(b) / (np.linalg.norm(a) * np.linalg.norm(b))
        m["change_" + key] = None if np.isnan(change) else float(change)
        m["cosine_" + key] = None if np.isnan(cosine) else float(cosine)
    return m


expected = {"steps": [e for e, _ in steps], "files": ["epoch_1.pt", "epoch_2.pt", "epoch_10.npz"], "tensors": {}}
for name in ["0.weight", "0.bias", "2.weight", "2.bias", "extra"]:
    rows, first = [], None
    for i, (_, tensors) in enumerate(steps):
        if name not in tensors:
            rows.append(None)
            continue
        previous = steps[i - 1][1].get(name) if i > 0 else None
        rows.append(metrics(tensors[name], previous, first))
        first = tensors[name] if first is None else first
    expected["tensors"][name] = rows

BINS = 8
expected["distributions"] = {}
for name in expected["tensors"]:
    present = [t[name].astype(np.float64).ravel() for _, t in steps if name in t]
    finite = np.concatenate([v[np.isfinite(v)] for v in present])
    lo, hi = float(finite.min()), float(finite.max())
    counts = []
    for _, tensors in steps:
        if name not in tensors:
            counts.append(None)
            continue
        v = tensors[name].astype(np.float64).ravel()
        counts.append([int(c) for c in np.histogram(v[np.isfinite(v)], bins=BINS, range=(lo, hi))[0]])
    edges = np.histogram_bin_edges(finite, bins=BINS, range=(lo, hi))
    expected["distributions"][name] = {"bins": BINS, "edges": [float(e) for e in edges], "counts": counts}
with open(os.path.join(here, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
