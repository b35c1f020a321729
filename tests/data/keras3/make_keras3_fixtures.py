#!/usr/bin/python3
"""Writes Keras 3 files in the layout keras/src/saving/saving_lib.py produces (Keras cannot be
installed here): `<object>/vars/<i>` datasets written with h5py, the .keras zip with
metadata.json + config.json + model.weights.h5. Values are arange-based so tests can check them.

    /usr/bin/python3 tests/data/keras3/make_keras3_fixtures.py
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def ramp(shape, scale, offset=0.0):
    n = int(np.prod(shape)) if shape else 1
    return (np.arange(n, dtype=np.float32) * np.float32(scale) + np.float32(offset)).reshape(shape)


def write_weights(f, layers, optimizer_name, optimizer_vars):
    """layers: [(object, name, [arrays])]; optimizer_vars: list of arrays (iterations first)."""
    f.create_group("vars").attrs["name"] = "sequential"
    for obj, name, arrays in layers:
        g = f.create_group(f"layers/{obj}/vars")
        g.attrs["name"] = name
        for i, a in enumerate(arrays):
            g.create_dataset(str(i), data=a)
    g = f.create_group("optimizer/vars")
    g.attrs["name"] = optimizer_name
    for i, a in enumerate(optimizer_vars):
        g.create_dataset(str(i), data=a)


def dense_cfg(name, units, activation, use_bias=True):
    return {"module": "keras.layers", "class_name": "Dense",
            "config": {"name": name, "trainable": True, "dtype": "float32", "units": units,
                       "activation": activation, "use_bias": use_bias},
            "registered_name": None}


def keras_zip(path, config, weights_bytes):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.3.3", "date_saved": "2026-11-23@05:00:00"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", weights_bytes)


def h5_bytes(writer):
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        writer(f)
    return buf.getvalue()


# 1. A conv net: Conv2D → BatchNormalization → Flatten → Dense(no bias) → Dense, Adam.
conv = [
    ("conv2d", "conv", [ramp((3, 3, 1, 2), 0.01), ramp((2,), 0.5)]),
    ("batch_normalization", "bn", [ramp((2,), 1.0, 1.0), ramp((2,), 0.1), ramp((2,), 0.2), ramp((2,), 0.3, 1.0)]),
    ("dense", "features", [ramp((8, 4), 0.001)]),
    ("dense_1", "logits", [ramp((4, 3), -0.25), ramp((3,), 0.125)]),
]
trainable = [conv[0][2][0], conv[0][2][1], conv[1][2][0], conv[1][2][1], conv[2][2][0], conv[3][2][0], conv[3][2][1]]
adam = [np.int64(42), np.float32(0.001)]
for k, v in enumerate(trainable):
    adam += [np.full(v.shape, 0.01 * (k + 1), np.float32), np.full(v.shape, 0.001 * (k + 1), np.float32)]
conv_writer = lambda f: write_weights(f, conv, "adam", adam)
with h5py.File(os.path.join(HERE, "convnet.weights.h5"), "w") as f:
    conv_writer(f)
conv_config = {
    "module": "keras", "class_name": "Sequential",
    "config": {"name": "sequential", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 4, 4, 1], "name": "input"}},
        {"module": "keras.layers", "class_name": "Conv2D", "config": {"name": "conv", "filters": 2, "kernel_size": [3, 3], "use_bias": True}},
        {"module": "keras.layers", "class_name": "BatchNormalization", "config": {"name": "bn", "center": True, "scale": True}},
        {"module": "keras.layers", "class_name": "Flatten", "config": {"name": "flatten"}},
        dense_cfg("features", 4, "relu", use_bias=False),
        dense_cfg("logits", 3, "linear"),
    ]},
    "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "Adam", "config": {"name": "adam"}}},
}
keras_zip(os.path.join(HERE, "convnet.keras"), conv_config, h5_bytes(conv_writer))

# 2. A dense MLP 4 → 8 (relu) → 3 saved as .keras, with inputs X and its float32 outputs Y.
rng = np.random.default_rng(7)
w0 = rng.standard_normal((4, 8)).astype(np.float32)
b0 = rng.standard_normal(8).astype(np.float32)
w1 = rng.standard_normal((8, 3)).astype(np.float32)
b1 = rng.standard_normal(3).astype(np.float32)
mlp = [("dense", "hidden", [w0, b0]), ("dense_1", "output", [w1, b1])]
mlp_writer = lambda f: write_weights(f, mlp, "sgd", [np.int64(0)])
mlp_config = {"module": "keras", "class_name": "Sequential",
              "config": {"name": "mlp", "layers": [dense_cfg("hidden", 8, "relu"), dense_cfg("output", 3, "linear")]}}
keras_zip(os.path.join(HERE, "mlp.keras"), mlp_config, h5_bytes(mlp_writer))
X = rng.standard_normal((5, 4)).astype(np.float32)
Y = (np.maximum(X @ w0 + b0, np.float32(0)) @ w1 + b1).astype(np.float32)
np.savez(os.path.join(HERE, "mlp_io.npz"), X=X, Y=Y)

# 3. Broken archives.
with zipfile.ZipFile(os.path.join(HERE, "no_weights.keras"), "w") as z:
    z.writestr("metadata.json", "{}")
    z.writestr("config.json", json.dumps(mlp_config))
keras_zip(os.path.join(HERE, "truncated_weights.keras"), mlp_config, h5_bytes(mlp_writer)[:1500])
