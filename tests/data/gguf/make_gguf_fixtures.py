#!/usr/bin/python3
"""Writes the GGUF fixtures for tst_ggufreader byte by byte from the spec (ggml docs/gguf.md;
the gguf python package is not used).  Run with Debian's python3-numpy:

    /usr/bin/python3 make_gguf_fixtures.py

Files:
  plain_v3.gguf, plain_v2.gguf  F32/F16/BF16/F64/I8/I16/I32/I64 tensors (1-4 dims) and one key
                                of every metadata value type, arrays and nested arrays included
  plain_v1.gguf                 the same tensors in version 1 (32-bit counts, lengths and dims)
  align64.gguf                  general.alignment = 64
  bigendian.gguf                a v3 file with every number big-endian (gguf-py's convert_endian)
  quantized.gguf                Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q8_1 Q2_K Q3_K Q4_K Q5_K Q6_K Q8_K and
                                IQ2_XS / TQ1_0 tensors (the last two are listed, not dequantized)
  quantized_expected.npz        the float32 values of each quantized tensor, dequantized here with
                                numpy in the same float32 operation order as ggml's
                                dequantize_row_*; "original/<name>" holds what was quantized
"""
import os
import struct

import numpy as np
from gguf_writing import (ARRAY, BOOL, F32, F64, GGML, I8, I16, I32, I64, STRING, U8, U16, U32, U64, Writer,
                          deq_q2_K, deq_q3_K, deq_q4_0, deq_q4_1, deq_q5, deq_q6_K, deq_q8, deq_q8_K, deq_q45_K,
                          f32, fp16_bytes, gguf as write_gguf, quantize_q4_0, quantize_q4_1, quantize_q5,
                          quantize_q8)

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240601)


def gguf(name, *args, **kwargs):
    write_gguf(os.path.join(HERE, name), *args, **kwargs)


# --- plain tensors and every metadata type ------------------------------------------------------
def plain_tensors(big=False):
    order = ">" if big else "<"
    f32 = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 7.5) / 4
    f16 = np.array([[1.0, -2.0, 0.5], [65504.0, -0.000061035156, 3.140625]], dtype=np.float16)
    bf16_values = np.array([1.0, -2.5, 0.15625, 3.0e38, -1.0e-30, 7.0], dtype=np.float32)
    bf16_bits = (bf16_values.view(np.uint32) >> 16).astype(np.uint16)
    f64 = np.array([np.pi, -np.e, 1e300, 5e-324], dtype=np.float64)
    i8 = np.array([-128, -1, 0, 1, 127, 42], dtype=np.int8).reshape(2, 3)
    i16 = np.array([-32768, 32767, -2, 300], dtype=np.int16)
    i32 = np.arange(-6, 6, dtype=np.int32).reshape(3, 4) * 1000003
    i64 = np.array([-(2 ** 63), 2 ** 63 - 1, 123456789012345], dtype=np.int64)
    f32_4d = np.arange(120, dtype=np.float32).reshape(1, 2, 3, 20) * 0.5
    scalar = np.array([2.75], dtype=np.float32)

    def raw(a, dtype):
        return a.astype(np.dtype(dtype).newbyteorder(order)).tobytes()

    return [
        ("blk.0.weight_f32", "F32", [2, 3, 4], raw(f32, np.float32)),
        ("blk.0.weight_f16", "F16", [2, 3], raw(f16, np.float16)),
        ("blk.0.weight_bf16", "BF16", [6], raw(bf16_bits, np.uint16)),
        ("blk.1.weight_f64", "F64", [4], raw(f64, np.float64)),
        ("blk.1.ids_i8", "I8", [2, 3], raw(i8, np.int8)),
        ("blk.1.ids_i16", "I16", [4], raw(i16, np.int16)),
        ("blk.1.ids_i32", "I32", [3, 4], raw(i32, np.int32)),
        ("blk.1.ids_i64", "I64", [3], raw(i64, np.int64)),
        ("four_d", "F32", [1, 2, 3, 20], raw(f32_4d, np.float32)),
        ("scale", "F32", [1], raw(scalar, np.float32)),
    ]


EVERY_TYPE_KVS = [
    ("general.architecture", STRING, "tiny"),
    ("general.name", STRING, "every type \u00e9\u4e2d"),
    ("test.u8", U8, 255),
    ("test.i8", I8, -128),
    ("test.u16", U16, 65535),
    ("test.i16", I16, -32768),
    ("test.u32", U32, 4294967295),
    ("test.i32", I32, -2147483648),
    ("test.f32", F32, 0.1),
    ("test.bool_true", BOOL, True),
    ("test.bool_false", BOOL, False),
    ("test.string_empty", STRING, ""),
    ("test.u64", U64, 2 ** 64 - 1),
    ("test.i64", I64, -(2 ** 63)),
    ("test.f64", F64, 2.5e-300),
    ("test.array_u8", ARRAY, (U8, [1, 2, 3])),
    ("test.array_f32", ARRAY, (F32, [0.5, -1.25])),
    ("test.array_string", ARRAY, (STRING, ["a", "bc", ""])),
    ("test.array_empty", ARRAY, (I64, [])),
    ("test.array_nested", ARRAY, (ARRAY, [(I32, [1, 2]), (I32, []), (I32, [3])])),
    ("test.array_nested_strings", ARRAY, (ARRAY, [(STRING, ["x"]), (STRING, ["y", "z"])])),
    ("test.array_bool", ARRAY, (BOOL, [True, False, True])),
    ("tokenizer.ggml.tokens", ARRAY, (STRING, [f"tok{i}" for i in range(1000)])),
    ("tokenizer.ggml.scores", ARRAY, (F32, [float(-i) for i in range(1000)])),
    ("test.array_long_nested", ARRAY, (ARRAY, [(U16, [i, i + 1]) for i in range(100)])),
    ("test.after_arrays", U32, 7),
]

for version in (3, 2, 1):
    gguf(f"plain_v{version}.gguf", EVERY_TYPE_KVS, plain_tensors(), version=version)
gguf("align64.gguf", [("general.alignment", U32, 64), ("general.architecture", STRING, "aligned")],
     plain_tensors(), alignment=64)


def random_k_blocks(n, size, half_offsets):
    """Random quant and scale bytes with small, finite fp16 scales at the given offsets."""
    out = bytearray()
    for _ in range(n):
        b = bytearray(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
        for off in half_offsets:
            b[off:off + 2] = fp16_bytes(f32(rng.uniform(0.001, 0.01)))
        out += b
    return bytes(out)


def random_q8_k_blocks(n):
    out = bytearray()
    for _ in range(n):
        out += struct.pack("<f", rng.uniform(0.001, 0.01))
        out += rng.integers(-128, 128, 256, dtype=np.int8).tobytes()
        out += rng.integers(-3000, 3000, 16, dtype=np.int16).astype("<i2").tobytes()
    return bytes(out)

def ramp(shape, seed):
    r = np.random.default_rng(seed)
    return (r.standard_normal(shape) * 0.05).astype(f32)


expected, tensors = {}, []
simple = [("Q4_0", quantize_q4_0, deq_q4_0), ("Q4_1", quantize_q4_1, deq_q4_1),
          ("Q5_0", lambda x: quantize_q5(x, False), lambda b: deq_q5(b, False)),
          ("Q5_1", lambda x: quantize_q5(x, True), lambda b: deq_q5(b, True)),
          ("Q8_0", lambda x: quantize_q8(x, False), lambda b: deq_q8(b, False)),
          ("Q8_1", lambda x: quantize_q8(x, True), lambda b: deq_q8(b, True))]
for i, (gtype, quantize, dequantize) in enumerate(simple):
    shape = [3, 64]  # ggml dims [64, 3]: two blocks per row
    original = ramp(shape, i)
    raw = quantize(original.ravel())
    name = f"blk.{i}.{gtype.lower()}.weight"
    tensors.append((name, gtype, shape, raw))
    expected[name] = dequantize(raw).reshape(shape)
    expected["original/" + name] = original
k_types = [("Q2_K", 84, [80, 82], deq_q2_K), ("Q3_K", 110, [108], deq_q3_K),
           ("Q4_K", 144, [0, 2], lambda b: deq_q45_K(b, False)), ("Q5_K", 176, [0, 2], lambda b: deq_q45_K(b, True)),
           ("Q6_K", 210, [208], deq_q6_K)]
for i, (gtype, size, halves, dequantize) in enumerate(k_types):
    shape = [2, 512]  # two super-blocks per row
    raw = random_k_blocks(4, size, halves)
    name = f"k.{i}.{gtype.lower()}.weight"
    tensors.append((name, gtype, shape, raw))
    expected[name] = dequantize(raw).reshape(shape)
raw = random_q8_k_blocks(2)
tensors.append(("k.5.q8_k.weight", "Q8_K", [2, 256], raw))
expected["k.5.q8_k.weight"] = deq_q8_K(raw).reshape(2, 256)
tensors.append(("unsupported.iq2_xs.weight", "IQ2_XS", [1, 256], rng.integers(0, 256, 74, dtype=np.uint8).tobytes()))
tensors.append(("unsupported.tq1_0.weight", "TQ1_0", [2, 256], rng.integers(0, 256, 108, dtype=np.uint8).tobytes()))
gguf("quantized.gguf", [("general.architecture", STRING, "quantized"), ("general.file_type", U32, 7)], tensors)
np.savez(os.path.join(HERE, "quantized_expected.npz"), **{k: v.astype(f32) for k, v in expected.items()})

# Big-endian v3 (as gguf-py's convert_endian leaves it): header numbers and plain data swapped.
big = plain_tensors(big=True)[:3] + [("q8", "Q8_0", [1, 32], quantize_q8(ramp([32], 9), False))]
gguf("bigendian.gguf", [("general.architecture", STRING, "big"), ("test.u32", U32, 0x01020304),
                        ("test.array_i16", ARRAY, (I16, [-2, 258]))], big, big=True)
print("wrote", sorted(f for f in os.listdir(HERE) if not f.endswith(".py")))
