#!/usr/bin/python3
"""One-off cross-check of make_spectral_fixtures.py's alpha against the powerlaw package
(Alstott, Bullmore & Plenz 2014), called as weightwatcher's fit_powerlaw calls it:
powerlaw.Fit(evals[evals > 1e-5], xmax=max(evals)). Not run by the tests (they need no Python,
and Debian has no powerlaw package): give it the path of powerlaw.py, e.g. from
jeffalstott/powerlaw at the commit before its 2.0 rewrite, and Debian's python3-scipy.
Usage: /usr/bin/python3 check_against_powerlaw.py /path/to/powerlaw.py
"""
import importlib.util
import json
import os
import sys

import numpy as np

spec = importlib.util.spec_from_file_location("powerlaw", sys.argv[1])
powerlaw = importlib.util.module_from_spec(spec)
spec.loader.exec_module(powerlaw)
here = os.path.dirname(os.path.abspath(__file__))
expected = json.load(open(os.path.join(here, "expected.json")))
matrices = np.load(os.path.join(here, "matrices.npz"))
for name in matrices.files:
    w = matrices[name].reshape(matrices[name].shape[0], -1).astype(np.float64)
    evals = np.linalg.svd(w, compute_uv=False) ** 2
    evals = evals[evals > 1e-5]
    if len(evals) < 10:
        print(f"{name}: {len(evals)} eigenvalues, no fit (expected {expected[name]['alpha']})")
        continue
    fit = powerlaw.Fit(evals, xmax=evals.max(), verbose=False)
    want = expected[name]
    print(f"{name}: powerlaw alpha {fit.alpha:.6f} D {fit.D:.6f} xmin {fit.xmin:.6g}   "
          f"fixture alpha {want['alpha']:.6f} D {want['alpha_ks']:.6f}")
