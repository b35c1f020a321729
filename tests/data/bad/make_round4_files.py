#!/usr/bin/python3
"""Hostile files for the ONNX architecture view (the nodes OnnxReader lists, with their inputs,
outputs and attributes) and for JSON held in metadata (a safetensors __metadata__ value or a
Keras 3 config.json, which the metadata view and core/model/Architecture unfold into trees).

Only the standard library: ONNX protobuf wire bytes are written by hand, the .keras archives are
tests/data/keras3/mlp.keras with config.json replaced.

Run: /usr/bin/python3 tests/data/bad/make_round4_files.py (adds entries to expected.json).
"""
import json
import os
import struct
import zipfile

here = os.path.dirname(os.path.abspath(__file__))
expected = {}


def path(name):
    return os.path.join(here, name)


# --- protobuf wire format -------------------------------------------------------------------

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, data):
    if isinstance(data, str):
        data = data.encode()
    return varint((number << 3) | 2) + varint(len(data)) + data


def field_fixed32(number, data):
    return varint((number << 3) | 5) + data


# TensorProto: dims 1, data_type 2, name 8, raw_data 9.
def tensor(name, dims, raw, data_type=1):
    out = b"".join(field_varint(1, d) for d in dims) + field_varint(2, data_type)
    return out + field_bytes(8, name) + field_bytes(9, raw)


# NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.
def node(op_type, inputs=(), outputs=(), name=None, attributes=()):
    out = b"".join(field_bytes(1, i) for i in inputs) + b"".join(field_bytes(2, o) for o in outputs)
    if name is not None:
        out += field_bytes(3, name)
    return out + field_bytes(4, op_type) + b"".join(field_bytes(5, a) for a in attributes)


# AttributeProto: name 1, f 2, i 3, s 4, g 6, floats 7, ints 8, graphs 11, type 20.
def attribute_int(name, value):
    return field_bytes(1, name) + field_varint(3, value) + field_varint(20, 2)


# GraphProto: node 1, name 2, initializer 5. ModelProto: ir_version 1, producer_name 2, graph 7,
# opset_import 8 (OperatorSetIdProto: domain 1, version 2).
def graph(nodes, initializers=(), name="g"):
    return b"".join(field_bytes(1, n) for n in nodes) + field_bytes(2, name) + b"".join(
        field_bytes(5, t) for t in initializers)


def model(graph_bytes):
    return field_varint(1, 8) + field_bytes(2, "round4") + field_bytes(7, graph_bytes) + field_bytes(
        8, field_varint(2, 17))


W = tensor("w", [2], struct.pack("<2f", 1.0, 2.0))


def write_onnx(name, graph_bytes, entry):
    data = model(graph_bytes)
    assert len(data) < 2 << 20, (name, len(data))
    open(path(name), "wb").write(data)
    expected[name] = entry


# 100000 nodes that all read w: the architecture lists the first 4096 (core/model/Architecture
# says "4096 of 100000 nodes"); w's consumers are all 100000.
write_onnx("onnx_100000_nodes.onnx", graph([node("Relu", ["w"]) for i in range(100000)], [W]),
           {"opens": ["w"]})

# One node with 100000 inputs (the architecture lists 64 of them).
write_onnx("onnx_100000_inputs.onnx",
           graph([node("Concat", ["w"] * 100000, ["y"], name="concat", attributes=[attribute_int("axis", 0)])], [W]),
           {"opens": ["w"]})

# One node with 10000 attributes (the architecture lists 32 of them).
write_onnx("onnx_10000_attributes.onnx",
           graph([node("Relu", ["w"], ["y"], name="relu",
                       attributes=[attribute_int("a%d" % i, i) for i in range(10000)])], [W]),
           {"opens": ["w"]})

# Attributes of 1.3 MB: a string of 1 MB, 200000 packed ints, 20000 repeated floats (the architecture
# shows 80 characters of each).
long_attributes = [
    field_bytes(1, "s") + field_bytes(4, b"x" * 1000000) + field_varint(20, 3),
    field_bytes(1, "ints") + field_bytes(8, b"\x01" * 200000) + field_varint(20, 7),
    field_bytes(1, "floats") + b"".join(field_fixed32(7, struct.pack("<f", 0.5)) for _ in range(20000))
    + field_varint(20, 6),
]
write_onnx("onnx_long_attributes.onnx", graph([node("Relu", ["w"], ["y"], name="relu", attributes=long_attributes)],
                                              [W]), {"opens": ["w"]})

# If nodes whose then_branch (g, field 6) and else_branch graph lists (graphs, field 11) nest
# 10000 deep: the reader does not descend into subgraphs.
inner = graph([node("Identity", ["w"], ["y"])], name="leaf")
for depth in range(10000):
    branch = field_bytes(1, "then_branch") + field_bytes(6, inner) + field_varint(20, 5)
    listed = field_bytes(1, "else_branch") + field_bytes(11, inner[:64]) + field_varint(20, 10)
    inner = graph([node("If", ["w"], ["y"], attributes=[branch, listed])], name="b%d" % depth)
write_onnx("onnx_nested_subgraphs.onnx", graph([node("If", ["w"], ["y"], name="if", attributes=[
    field_bytes(1, "then_branch") + field_bytes(6, inner) + field_varint(20, 5)])], [W]), {"opens": ["w"]})

# Terminal escapes, NUL and invalid UTF-8 in the graph, node, op type, input, output and
# attribute names, and in a string attribute (the initializer keeps a plain name).
hostile = b"a\x00\x1b[2J\x1b[H\r\nOK \x9b31m\xff\xfe\xc0\xaf\xed\xa0\x80"
write_onnx("onnx_control_names.onnx",
           graph([node(hostile, ["w", hostile], [hostile], name=hostile,
                       attributes=[field_bytes(1, hostile) + field_bytes(4, hostile) + field_varint(20, 3)])], [W],
                 name=hostile), {"opens": ["w"]})

# An initializer with 100000 dims (the reader stops at 65).
write_onnx("onnx_100000_dims.onnx", graph([], [tensor("w", [1] * 100000, struct.pack("<f", 1.0))]),
           {"error": "tensor 'w' has more than 64 dims"})


# --- JSON in metadata -----------------------------------------------------------------------

def write_safetensors(name, metadata):
    header = {"__metadata__": metadata, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    data = struct.pack("<Q", len(text)) + text + struct.pack("<2f", 1.0, 2.0)
    assert len(data) < 2 << 20, (name, len(data))
    open(path(name), "wb").write(data)


def many_keys(n):
    return "{" + ",".join('"%x":0' % i for i in range(n)) + "}"


DEEP = "[" * 100000 + "]" * 100000

# A config 100000 deep: unfolded, its tree would overflow the stack when copied or dumped; it
# stays a string (base/BoundedJson.h).
write_safetensors("safetensors_metadata_deep_json.safetensors", {"config": DEEP})
expected["safetensors_metadata_deep_json.safetensors"] = {"opens": ["w"]}

# A config object of 120000 keys: an ordered_json object would take about 20 s to parse.
write_safetensors("safetensors_metadata_many_keys.safetensors", {"config": many_keys(120000)})
expected["safetensors_metadata_many_keys.safetensors"] = {"opens": ["w"]}

# A config holding one string of 1.5 MB (unfolds; the metadata view cuts the cell).
write_safetensors("safetensors_metadata_long_string.safetensors",
                  {"config": '{"a":"' + "x" * 1500000 + '"}', "note": "ok"})
expected["safetensors_metadata_long_string.safetensors"] = {"opens": ["w"], "metadata": {"__metadata__/note": "ok"}}


def write_keras(name, config_text):
    source = zipfile.ZipFile(os.path.join(here, "..", "keras3", "mlp.keras"))
    with zipfile.ZipFile(path(name), "w") as out:
        for info in source.infolist():
            if info.filename == "config.json":
                out.writestr(zipfile.ZipInfo("config.json", date_time=info.date_time), config_text,
                             compress_type=zipfile.ZIP_DEFLATED)
            else:
                out.writestr(info, source.read(info))
    assert os.path.getsize(path(name)) < 2 << 20


def keras_config(inner):
    return '{"module":"keras","class_name":"Sequential","config":' + inner + "}"


write_keras("keras_config_deep.keras", keras_config(DEEP))
expected["keras_config_deep.keras"] = {"error": "config.json is refused: JSON nests deeper than 256 levels"}
write_keras("keras_config_many_keys.keras", keras_config(many_keys(500000)))
expected["keras_config_many_keys.keras"] = {"error": "config.json is refused: a JSON object has more than 1024 keys"}
write_keras("keras_config_million_values.keras", keras_config("[" + ",".join(["0"] * 2000000) + "]"))
expected["keras_config_million_values.keras"] = {"error": "config.json is refused: JSON has more than 1048576 values"}

with open(os.path.join(here, "expected.json")) as f:
    all_expected = json.load(f)
all_expected.update(expected)
with open(os.path.join(here, "expected.json"), "w") as f:
    json.dump(all_expected, f, indent=2, ensure_ascii=False)
    f.write("\n")
