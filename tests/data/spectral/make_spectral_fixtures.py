#!/usr/bin/python3
"""Writes matrices.npz and expected.json for the spectral metrics (issue 20), with numpy:
the spectral norm as numpy.linalg.norm(W, 2), the Frobenius norm, the stable rank
||W||_F^2 / ||W||_2^2 and the effective rank exp(H(s / sum s)) of the singular values s
(Roy & Vetterli 2007). A convolution weight is read as out x (in * kh * kw), PyTorch's layout.
alpha and alpha_ks: the power-law fit of the eigenvalues s^2 as WeightWatcher makes it (see
powerlaw_fit below; null when fewer than 10 eigenvalues exceed 1e-5).
Run from anywhere: /usr/bin/python3 make_spectral_fixtures.py

Cross-checked once (2026-12-04) against the powerlaw package itself (Alstott et al., the
version before its 2.0 rewrite, jeffalstott/powerlaw commit fdb83a7^, with Debian's scipy), called
as weightwatcher calls it, powerlaw.Fit(evals[evals > 1e-5], xmax=evals.max()): see
check_against_powerlaw.py beside this script for the numbers.
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
    # Heavy-tailed entries (Student's t, 3 degrees of freedom): a spectrum with a power-law tail.
    "heavy": (rng.standard_t(3, (300, 200)) * 0.05).astype(np.float32),
}


def powerlaw_fit(s):
    """Clauset, Shalizi & Newman's fit of the eigenvalues s^2 above 1e-5, each distinct
    eigenvalue but the largest tried as xmin: alpha by maximum likelihood over the tail, D the
    largest gap between the tail's empirical CDF (fraction strictly below each distinct value)
    and the power law's CDF on [xmin, max]; the smallest D wins (the first on a tie)."""
    ev = np.sort(s.astype(np.float64) ** 2)
    ev = ev[ev > 1e-5]
    if len(ev) < 10:
        return None, None
    best = None
    for xmin in np.unique(ev)[:-1]:
        tail = ev[ev >= xmin]
        alpha = 1 + len(tail) / np.log(tail / xmin).sum()
        values = np.unique(tail)
        empirical = np.searchsorted(tail, values, side="left") / len(tail)
        model = (1 - (values / xmin) ** (1 - alpha)) / (1 - (tail[-1] / xmin) ** (1 - alpha))
        d = np.abs(model - empirical).max()
        if best is None or d < best[1]:
            best = (float(alpha), float(d))
    return best


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
    expected[name]["alpha"], expected[name]["alpha_ks"] = powerlaw_fit(s)
with open(os.path.join(here, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
