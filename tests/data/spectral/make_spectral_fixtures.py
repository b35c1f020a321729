#!/usr/bin/python3
"""Writes matrices.npz and expected.json for the spectral metrics (issue 20), with numpy:
the spectral norm as numpy.linalg.norm(W, 2), the Frobenius norm, the stable rank
||W||_F^2 / ||W||_2^2 and the effective rank exp(H(s / sum s)) of the singular values s
(Roy & Vetterli 2007). A convolution weight is read as out x (in * kh * kw), PyTorch's layout.
Run from anywhere: /usr/bin/python3 make_spectral_fixtures.py
"""
import json
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
matrices = {
    "small": rng.standard_normal((64, 48)).astype(np.float32),
    "tall": rng.standard_normal((200, 150)).astype(np.float32),
    "wide": (rng.standard_normal((120, 300)) * 0.02).astype(np.float32),
    "conv": rng.standard_normal((8, 3, 3, 3)).astype(np.float32),
    "lowrank": (rng.standard_normal((100, 3)) @ rng.standard_normal((3, 80))).astype(np.float32),
    "float64": rng.standard_normal((30, 40)),
}
np.savez(os.path.join(here, "matrices.npz"), **matrices)
expected = {}
for name, w in matrices.items():
    m = w.reshape(w.shape[0], -1).astype(np.float64)
    s = np.linalg.svd(m, compute_uv=False)
    p = s / s.sum()
    p = p[p > 0]
    expected[name] = {
        "spectral_norm": float(np.linalg.norm(m, 2)),
        "frobenius": float(np.linalg.norm(m)),
        "stable_rank": float(np.linalg.norm(m) ** 2 / np.linalg.norm(m, 2) ** 2),
        "effective_rank": float(np.exp(-(p * np.log(p)).sum())),
    }
with open(os.path.join(here, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
