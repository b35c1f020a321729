#!/usr/bin/python3
"""Fixtures for tst_onnxreader, encoded byte by byte (no onnx package): every way a TensorProto
holds its values, external data beside the model, and the seed MLP exported the way
torch.onnx.export writes a Linear stack (Gemm with transB=1, weights (out, in) named fc1.weight).

Run with Debian's python3-numpy:  /usr/bin/python3 make_onnx_fixtures.py
"""
import os
import struct
import sys

sys.dont_write_bytecode = True

import numpy as np

from onnx_proto import *  # noqa: F401,F403

HERE = os.path.dirname(os.path.abspath(__file__))
VERIFY = os.path.join(os.path.dirname(HERE), "verify")


def write(name, data):
    path = os.path.join(HERE, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def packed(fmt, number, values):
    return bfield(number, b"".join(struct.pack("<" + fmt, v) for v in values))


def int32_data(values):
    return packed_varints(5, values)


# --- dtypes.onnx: raw_data, packed and unpacked typed fields, every int32_data type ------------
inits = [
    tensor("raw.float32", FLOAT, [2, 3], raw=np.arange(6, dtype="<f4").__mul__(0.5).__sub__(1).astype("<f4").tobytes()),
    tensor("typed.float_packed", FLOAT, [4], typed=packed("f", 4, [1.5, -2.25, 3.0, 1e-3])),
    tensor("typed.float_unpacked", FLOAT, [2], typed=key(4, 5) + struct.pack("<f", 7.0) + key(4, 5) + struct.pack("<f", -0.5)),
    tensor("typed.int64", INT64, [2, 2], typed=packed_varints(7, [-3, 0, 1 << 40, 7])),
    tensor("typed.int64_unpacked", INT64, [3], typed=b"".join(vfield(7, v) for v in [-1, 2, -9]), packed_dims=False),
    tensor("typed.float16", FLOAT16, [2, 2], typed=int32_data([0x3C00, 0xC100, 0x2E66, 0x7BFF])),
    tensor("typed.bfloat16", BFLOAT16, [2], typed=int32_data([0x3F80, 0xC040])),
    tensor("typed.int8", INT8, [3], typed=int32_data([-128, -1, 127])),
    tensor("typed.uint8", UINT8, [2], typed=int32_data([0, 255])),
    tensor("typed.int16", INT16, [2], typed=int32_data([-32768, 1234])),
    tensor("typed.uint16", UINT16, [1], typed=int32_data([65535])),
    tensor("typed.bool", BOOL, [3], typed=int32_data([1, 0, 1])),
    tensor("typed.int32", INT32, [2], typed=int32_data([-70000, 70000])),
    tensor("typed.float8e4m3fn", FLOAT8E4M3FN, [2], typed=int32_data([0x38, 0xC0])),
    tensor("typed.double", DOUBLE, [2], typed=packed("d", 10, [3.141592653589793, -1e300])),
    tensor("typed.uint32", UINT32, [2], typed=packed_varints(11, [4294967295, 1])),
    tensor("typed.uint64", UINT64, [1], typed=packed_varints(11, [(1 << 64) - 1])),
    tensor("typed.complex64", COMPLEX64, [2], typed=packed("f", 4, [1.0, -2.0, 0.5, 4.0])),
    tensor("raw.int16", INT16, [2], raw=struct.pack("<hh", -2, 300)),
    tensor("raw.bool", BOOL, [2], raw=b"\x01\x00"),
    tensor("raw.bfloat16", BFLOAT16, [2], raw=struct.pack("<HH", 0x4049, 0xBF80)),  # 3.140625, -1
    tensor("raw.float16", FLOAT16, [1, 2], raw=np.array([0.25, -1024], dtype="<f2").tobytes()),
    tensor("raw.complex128", COMPLEX128, [1], raw=struct.pack("<dd", 2.5, -0.125)),
    tensor("empty", FLOAT, [0, 3]),
    tensor("text", STRING, [2], typed=bfield(6, "a") + bfield(6, "bc")),
    tensor("fnuz", FLOAT8E4M3FNUZ, [1], raw=b"\x40"),
]
nodes = [node(["x", "raw.float32"], ["y"], "Add_0", "Add"),
         node(["typed.int64", "typed.int64"], ["z"], "", "Identity"),
         node(["y", "raw.float32"], ["w"], "Mul_2", "Mul")]
sparse = bfield(1, tensor("sparse.w", FLOAT, [2], raw=struct.pack("<ff", 1, 2))) \
    + bfield(2, tensor("sparse.w.indices", INT64, [2], raw=struct.pack("<qq", 0, 4))) + packed_varints(3, [3, 3])
write("dtypes.onnx", model(graph("dtypes", nodes, inits, sparse=[sparse]), ir_version=8,
                           opsets=(("", 13), ("com.microsoft", 1)), doc="every way to store an initializer",
                           props=(("author", "ckptview"),)))

# --- external.onnx: data in files beside the model -------------------------------------------
ext_a = np.array([[1, 2], [3, 4]], dtype="<f4")
ext_b = np.array([-5, 6, 1 << 50], dtype="<i8")
ext_c = np.array([0.5, -0.75], dtype="<f4")
write("external.bin", ext_a.tobytes() + ext_b.tobytes())
write("weights/more.bin", b"\xAA" * 8 + ext_c.tobytes())
inits = [
    tensor("ext.a", FLOAT, [2, 2], external=[("location", "external.bin"), ("offset", "0"), ("length", "16")]),
    tensor("ext.b", INT64, [3], external=[("location", "external.bin"), ("offset", "16")]),
    tensor("ext.c", FLOAT, [2], external=[("location", "weights/more.bin"), ("offset", "8"), ("length", "8")]),
    tensor("inline", FLOAT, [1], raw=struct.pack("<f", 42.0)),
]
write("external.onnx", model(graph("external", [node(["x", "ext.a"], ["y"], "MatMul_0", "MatMul")], inits)))

# --- mlp.onnx: the seed network (tests/data/verify/mlp.npz) as torch.onnx.export writes it ------
seed = np.load(os.path.join(VERIFY, "mlp.npz"))
weights = {"fc1.weight": seed["hidden.weight"], "fc1.bias": seed["hidden.bias"],
           "fc2.weight": seed["output.weight"], "fc2.bias": seed["output.bias"]}
inits = [tensor(name, FLOAT, list(w.shape), raw=w.astype("<f4").tobytes()) for name, w in weights.items()]
gemm = [attribute_float("alpha", 1.0), attribute_float("beta", 1.0), attribute_int("transB", 1)]
nodes = [node(["input", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"], "/fc1/Gemm", "Gemm", gemm),
         node(["/fc1/Gemm_output_0"], ["/Relu_output_0"], "/Relu", "Relu"),
         node(["/Relu_output_0", "fc2.weight", "fc2.bias"], ["output"], "/fc2/Gemm", "Gemm", gemm)]
write("mlp.onnx", model(graph("main_graph", nodes, inits, inputs=[value_info("input", FLOAT, [1, 20])],
                              outputs=[value_info("output", FLOAT, [1, 10])]),
                        ir_version=8, producer=("pytorch", "2.1.0"), opsets=(("", 17),)))
print("wrote dtypes.onnx, external.onnx (+ external.bin, weights/more.bin), mlp.onnx")
