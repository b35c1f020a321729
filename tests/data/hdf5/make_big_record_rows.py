#!/usr/bin/python3
"""big_record_rows.h5: records whose rows are larger than a read step (8 MiB).

Dataset "rec" of shape (2, 2100), chunked and gzip-compressed, with records
{id: int32, v: float32[1000]}: one row of axis 0 holds 2100 x 4004 bytes, so reading a corner
of "rec.v" (a slice table's block) must not read whole rows of records at a time. Mostly zeros
(the file stays small): v[i, j, j % 1000] = i * 10000 + j + 1, id[i, j] = i * 10000 + j.
Written by h5py (Debian's python3-h5py).
"""
import os

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
record = np.dtype([("id", "<i4"), ("v", "<f4", (1000,))])
data = np.zeros((2, 2100), dtype=record)
for i in range(2):
    for j in range(2100):
        data[i, j]["id"] = i * 10000 + j
        data[i, j]["v"][j % 1000] = i * 10000 + j + 1
with h5py.File(os.path.join(here, "big_record_rows.h5"), "w") as f:
    f.create_dataset("rec", data=data, chunks=(1, 300), compression="gzip", compression_opts=9)
