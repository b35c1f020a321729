#!/usr/bin/python3
"""Writes small TensorFlow checkpoint bundles byte by byte (TensorFlow is not installable here),
following tensor_bundle.cc, table_builder.cc / block_builder.cc (LevelDB table format) and
tensor_bundle.proto as described in FORMATS.md section 6. Run: /usr/bin/python3 make_tf_fixtures.py

  dtypes.*      every numeric dtype, two data shards, a string tensor, a partitioned variable
  bigendian.*   a bundle whose header says BIG endian (tensor bytes big-endian)
  deep.*        a Keras-style 12-layer dense network with optimizer slots, saved in an index of
                several 512-byte data blocks (restart points every 16 keys, shared key prefixes);
                deep-io.npz holds inputs X and the outputs Y numpy computed (relu, last identity)
  mlp.params.*  the seed's network saved as `net.save_weights('mlp.params')` would: the weights of
                ../verify/mlp-keras.h5 under layer_with_weights-N/{kernel,bias}
"""
import os
import struct

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MAGIC = 0xDB4775248B80FB57


def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def crc32c(data, crc=0):
    c = crc ^ 0xFFFFFFFF
    for b in data:
        c = (c >> 8) ^ CRC_TABLE[(c ^ b) & 0xFF]
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


# --- protobuf ---------------------------------------------------------------------------------
def field_varint(num, v):
    return varint(num << 3) + varint(v) if v else b""


def field_bytes(num, payload, always=False):
    return varint((num << 3) | 2) + varint(len(payload)) + payload if (payload or always) else b""


def field_fixed32(num, v):
    return varint((num << 3) | 5) + struct.pack("<I", v)


def header_proto(num_shards, big_endian=False):
    return field_varint(1, num_shards) + field_varint(2, 1 if big_endian else 0) + field_bytes(3, field_varint(1, 1))


def shape_proto(shape):
    return b"".join(field_bytes(2, field_varint(1, d), always=True) for d in shape)


def entry_proto(dtype, shape, shard, offset, size, crc, slices=()):
    out = field_varint(1, dtype) + field_bytes(2, shape_proto(shape), always=True)
    out += field_varint(3, shard) + field_varint(4, offset) + field_varint(5, size)
    if not slices:
        out += field_fixed32(6, crc)
    for extents in slices:
        out += field_bytes(7, b"".join(field_bytes(1, field_varint(1, s) + field_varint(2, n), always=True)
                                       for s, n in extents), always=True)
    return out


# --- LevelDB table --------------------------------------------------------------------------
class BlockBuilder:
    def __init__(self, restart_interval):
        self.interval = restart_interval
        self.buf = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.last = b""

    def add(self, key, value):
        shared = 0
        if self.counter < self.interval:
            while shared < min(len(key), len(self.last)) and key[shared] == self.last[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.counter = 0
        self.buf += varint(shared) + varint(len(key) - shared) + varint(len(value)) + key[shared:] + value
        self.last = key
        self.counter += 1

    def size_estimate(self):
        return len(self.buf) + 4 * len(self.restarts) + 4

    def empty(self):
        return not self.buf

    def finish(self):
        return bytes(self.buf) + b"".join(struct.pack("<I", r) for r in self.restarts) + struct.pack("<I", len(self.restarts))


def shortest_separator(a, b):
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if i < min(len(a), len(b)) and a[i] < 0xFF and a[i] + 1 < b[i]:
        return a[:i] + bytes([a[i] + 1])
    return a


def short_successor(a):
    for i, c in enumerate(a):
        if c != 0xFF:
            return a[:i] + bytes([c + 1])
    return a


def write_table(path, entries, block_size=262144):
    out = bytearray()
    index = BlockBuilder(1)
    block = BlockBuilder(16)
    pending = None  # (handle, last key) of a finished data block awaiting its index entry

    def emit(contents):
        handle = varint(len(out)) + varint(len(contents))
        out.extend(contents + b"\x00" + struct.pack("<I", masked(crc32c(contents + b"\x00"))))
        return handle

    for key, value in entries:
        if pending:
            index.add(shortest_separator(pending[1], key), pending[0])
            pending = None
        block.add(key, value)
        if block.size_estimate() >= block_size:
            pending = (emit(block.finish()), key)
            block = BlockBuilder(16)
    if not block.empty():
        pending = (emit(block.finish()), block.last)
    if pending:
        index.add(short_successor(pending[1]), pending[0])
    meta_handle = emit(BlockBuilder(16).finish())
    index_handle = emit(index.finish())
    footer = (meta_handle + index_handle).ljust(40, b"\x00") + struct.pack("<II", MAGIC & 0xFFFFFFFF, MAGIC >> 32)
    out.extend(footer)
    with open(path, "wb") as f:
        f.write(out)
    return len(index.restarts)  # one index entry per data block


# --- bundles ----------------------------------------------------------------------------------
DT = {np.float32: 1, np.float64: 2, np.int32: 3, np.uint8: 4, np.int16: 5, np.int8: 6, np.complex64: 8,
      np.int64: 9, np.bool_: 10, np.uint16: 17, np.complex128: 18, np.float16: 19, np.uint32: 22, np.uint64: 23}
DT_STRING, DT_BFLOAT16 = 7, 14


class Bundle:
    def __init__(self, prefix, num_shards=1, big_endian=False):
        self.prefix = os.path.join(HERE, prefix)
        self.num_shards = num_shards
        self.big_endian = big_endian
        self.shards = [bytearray() for _ in range(num_shards)]
        self.entries = {}

    def add_raw(self, key, dtype, shape, data, shard=0):
        offset = len(self.shards[shard])
        self.shards[shard] += data
        self.entries[key.encode() if isinstance(key, str) else key] = entry_proto(
            dtype, shape, shard, offset, len(data), masked(crc32c(data)))

    def add(self, key, array, shard=0):
        array = np.array(array, order="C")  # keeps 0-d arrays 0-d
        data = array.astype(array.dtype.newbyteorder(">" if self.big_endian else "<")).tobytes()
        self.add_raw(key, DT[array.dtype.type], array.shape, data, shard)

    def add_bfloat16(self, key, values, shape, shard=0):
        bits = np.asarray(values, dtype=np.float32).view(np.uint32) >> 16
        self.add_raw(key, DT_BFLOAT16, shape, bits.astype("<u2").tobytes(), shard)

    def add_string_scalar(self, key, text, shard=0):
        length = varint(len(text))
        body = length + struct.pack("<I", masked(crc32c(struct.pack("<I", len(text))))) + text
        self.add_raw(key, DT_STRING, (), body, shard)

    def add_partitioned(self, key, dtype, shape, extents):
        self.entries[key.encode()] = entry_proto(dtype, shape, 0, 0, 0, 0, slices=extents)

    def write(self, block_size=262144):
        entries = [(b"", header_proto(self.num_shards, self.big_endian))] + sorted(self.entries.items())
        blocks = write_table(self.prefix + ".index", entries, block_size)
        for i, data in enumerate(self.shards):
            with open(f"{self.prefix}.data-{i:05d}-of-{self.num_shards:05d}", "wb") as f:
                f.write(data)
        return blocks


KERAS = "/.ATTRIBUTES/VARIABLE_VALUE"

# dtypes: one tensor per numeric type over two shards, plus what is not a tensor.
b = Bundle("dtypes", num_shards=2)
b.add("float32_scalar", np.array(-1.5, dtype=np.float32))
b.add("float64", np.array([[1 / 3, -2.5], [1e300, -1e-300]], dtype=np.float64), shard=1)
b.add("float16", np.array([[0.5, -1.25, 2.0], [65504.0, -0.0, 0.000061035156]], dtype=np.float16))
b.add_bfloat16("bfloat16", [1.0, -2.5, 3.140625, 256.0], (4,), shard=1)
b.add("int8", np.array([-128, 0, 127], dtype=np.int8))
b.add("int16", np.array([-32768, 1, 32767], dtype=np.int16), shard=1)
b.add("int32", np.array([[-(2**31), 2], [3, 2**31 - 1]], dtype=np.int32))
b.add("int64", np.array([-(2**40), 0, 7, 2**62], dtype=np.int64), shard=1)
b.add("uint8", np.array([0, 200, 255], dtype=np.uint8))
b.add("uint16", np.array([0, 65535], dtype=np.uint16), shard=1)
b.add("uint32", np.array([4000000000, 1], dtype=np.uint32))
b.add("uint64", np.array([2**64 - 1, 5], dtype=np.uint64), shard=1)
b.add("bool", np.array([True, False, True]))
b.add("complex64", np.array([1 + 2j, -3.5 - 0.25j], dtype=np.complex64), shard=1)
b.add("complex128", np.array([[0.5 - 1j]], dtype=np.complex128))
b.add("empty", np.zeros((0, 3), dtype=np.float32), shard=1)
b.add_string_scalar("_CHECKPOINTABLE_OBJECT_GRAPH", b"\x0a\x04\x0a\x02\x08\x01" * 5)
b.add_partitioned("partitioned/kernel", 1, (4, 2), [[(0, 2), (0, 2)], [(2, 2), (0, 2)]])
piece = np.arange(4, dtype=np.float32)
for i in range(2):  # the pieces, under encoded slice keys (they start with a 0 byte)
    b.add_raw(b"\x00\x01partitioned/kernel\x00" + bytes([i]), 1, (2, 2), piece.tobytes())
b.write()

b = Bundle("bigendian", big_endian=True)
b.add("w", np.array([[1.5, -2.0, 3.25]], dtype=np.float32))
b.add("d", np.array([2.0**-20, 1e10], dtype=np.float64))
b.add("i", np.array([-2, 70000], dtype=np.int32))
b.add("h", np.array([1.0, -0.5], dtype=np.float16))
b.write()

# deep: 3 -> 4 x 11 -> 2, Keras naming; Adam slots in the TF 2.0-2.10 style.
rng = np.random.default_rng(20261123)
widths = [3] + [4] * 11 + [2]
b = Bundle("deep")
weights = []
for i in range(12):
    kernel = rng.normal(0, 1.1, size=(widths[i], widths[i + 1])).astype(np.float32)
    bias = rng.normal(0, 0.1, size=(widths[i + 1],)).astype(np.float32)
    weights.append((kernel, bias))
    for name, value in (("kernel", kernel), ("bias", bias)):
        path = f"layer_with_weights-{i}/{name}"
        b.add(path + KERAS, value)
        for slot in ("m", "v"):
            b.add(f"{path}/.OPTIMIZER_SLOT/optimizer/{slot}{KERAS}", np.full(value.shape, 0.001 * (i + 1), np.float32))
b.add("optimizer/iter" + KERAS, np.array(4800, dtype=np.int64))
b.add("optimizer/learning_rate" + KERAS, np.array(0.001, dtype=np.float32))
b.add("save_counter" + KERAS, np.array(1, dtype=np.int64))
b.add_string_scalar("_CHECKPOINTABLE_OBJECT_GRAPH", bytes(range(256)) * 3)
blocks = b.write(block_size=512)
assert blocks > 4, blocks
x = rng.normal(0, 1, size=(5, 3)).astype(np.float32)
y = x
for i, (kernel, bias) in enumerate(weights):
    y = y @ kernel + bias
    if i < len(weights) - 1:
        y = np.maximum(y, 0)
np.savez(os.path.join(HERE, "deep-io.npz"), X=x, Y=y.astype(np.float32))

# mlp.params: the seed network (verify/mlp-keras.h5) as the seed's TensorFlow tab saves it.
with h5py.File(os.path.join(HERE, "..", "verify", "mlp-keras.h5"), "r") as f:
    layers = [(f["dense/dense/kernel:0"][()], f["dense/dense/bias:0"][()]),
              (f["dense_1/dense_1/kernel:0"][()], f["dense_1/dense_1/bias:0"][()])]
b = Bundle("mlp.params")
for i, (kernel, bias) in enumerate(layers):
    b.add(f"layer_with_weights-{i}/kernel{KERAS}", kernel)
    b.add(f"layer_with_weights-{i}/bias{KERAS}", bias)
b.add_string_scalar("_CHECKPOINTABLE_OBJECT_GRAPH", b"\x0a\x10" + bytes(16))
b.write()
print("deep index has", blocks, "data blocks")
