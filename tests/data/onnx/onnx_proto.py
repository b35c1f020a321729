"""Hand-written protobuf encoding of the ONNX messages our fixtures need (onnx/onnx.proto), so the
fixture scripts run without the onnx package. Imported by make_onnx_fixtures.py and
../bad/make_bad_files.py."""
import struct

FLOAT, UINT8, INT8, UINT16, INT16, INT32, INT64, STRING, BOOL, FLOAT16, DOUBLE, UINT32, UINT64, \
    COMPLEX64, COMPLEX128, BFLOAT16, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ = range(1, 21)


def varint(n):
    n &= (1 << 64) - 1  # negative int32/int64 values take ten bytes, as protobuf writes them
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def key(number, wire):
    return varint(number << 3 | wire)


def vfield(number, value):
    return key(number, 0) + varint(value)


def bfield(number, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return key(number, 2) + varint(len(payload)) + payload


def packed_varints(number, values):
    return bfield(number, b"".join(varint(v) for v in values))


def tensor(name, data_type, dims, raw=None, typed=b"", external=None, packed_dims=True):
    """A TensorProto: raw_data bytes, or `typed` (pre-encoded typed fields), or external
    [(key, value)] with data_location EXTERNAL."""
    out = packed_varints(1, dims) if packed_dims and dims else b"".join(vfield(1, d) for d in dims)
    out += vfield(2, data_type) + typed + bfield(8, name)
    if raw is not None:
        out += bfield(9, raw)
    if external is not None:
        for k, v in external:
            out += bfield(13, bfield(1, k) + bfield(2, v))
        out += vfield(14, 1)
    return out


def attribute_int(name, value):
    return bfield(1, name) + vfield(3, value) + vfield(20, 2)  # type INT


def attribute_float(name, value):
    return bfield(1, name) + key(2, 5) + struct.pack("<f", value) + vfield(20, 1)  # type FLOAT


def node(inputs, outputs, name, op_type, attributes=()):
    out = b"".join(bfield(1, i) for i in inputs) + b"".join(bfield(2, o) for o in outputs)
    out += bfield(3, name) + bfield(4, op_type)
    return out + b"".join(bfield(5, a) for a in attributes)


def value_info(name, elem_type, dims):
    shape = b"".join(bfield(1, vfield(1, d)) for d in dims)  # TensorShapeProto.Dimension dim_value
    tensor_type = vfield(1, elem_type) + bfield(2, shape)
    return bfield(1, name) + bfield(2, bfield(1, tensor_type))  # TypeProto.tensor_type


def graph(name, nodes=(), initializers=(), inputs=(), outputs=(), sparse=()):
    out = b"".join(bfield(1, n) for n in nodes) + bfield(2, name)
    out += b"".join(bfield(5, t) for t in initializers)
    out += b"".join(bfield(11, i) for i in inputs) + b"".join(bfield(12, o) for o in outputs)
    return out + b"".join(bfield(15, s) for s in sparse)


def model(graph_bytes, ir_version=8, producer=("make_onnx_fixtures", "1.0"), opsets=(("", 13),), doc="",
          props=()):
    out = vfield(1, ir_version) + bfield(2, producer[0]) + bfield(3, producer[1])
    if doc:
        out += bfield(6, doc)
    out += bfield(7, graph_bytes)
    for domain, version in opsets:
        out += bfield(8, (bfield(1, domain) if domain else b"") + vfield(2, version))
    for k, v in props:
        out += bfield(14, bfield(1, k) + bfield(2, v))
    return out
