#!/usr/bin/python3
"""Tiny files that declare astronomic tensors: a valid HDF5 dataset of 2**31 x 2**31 uint8 with
nothing written (h5py allocates no chunk); and huge_many.h5, three such datasets beside one of
2**33 x (2**28 + 1) float32 (more than 2**63 bytes): listed, totals saturating instead of
overflowing. The app must list and browse it without allocating per
row; computing its statistics does not finish yet, so tst_sourceuntouched and the bad-file corpus
leave this folder out. Run: /usr/bin/python3 make_unbounded.py
"""
import os

import h5py

here = os.path.dirname(os.path.abspath(__file__))
with h5py.File(os.path.join(here, "huge_declared.h5"), "w", libver="earliest", track_order=False) as f:
    f.create_dataset("w", shape=(2**31, 2**31), dtype="u1", chunks=(1024, 1024), fillvalue=7, track_times=False)
with h5py.File(os.path.join(here, "huge_many.h5"), "w", libver="earliest", track_order=False) as f:
    for name in "abc":
        f.create_dataset(name, shape=(2**31, 2**31), dtype="u1", chunks=(1024, 1024), track_times=False)
    f.create_dataset("d", shape=(2**33, 2**28 + 1), dtype="f4", chunks=(1024, 1024), fillvalue=0.5, track_times=False)
