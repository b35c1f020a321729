#pragma once

#include "tensor/DType.h"
#include "tensor/Shape.h"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ckpt {

// The parts of an ONNX ModelProto (onnx/onnx.proto) that describe a graph's initializers, parsed
// in place: every span points into the bytes that were parsed.

// A run of a TensorProto's typed repeated field: packed (one length-delimited payload) or a single
// unpacked element (a varint, or the fixed bytes of a float/double).
struct OnnxTypedRun {
    std::span<const std::uint8_t> packed; // packed payload, empty for an unpacked element
    std::uint64_t value = 0; // an unpacked element's varint or fixed bits
    bool isPacked = false;
};

struct OnnxTensor {
    std::string name;
    std::int32_t dataType = 0;
    Shape dims;
    std::optional<std::span<const std::uint8_t>> rawData;
    std::uint32_t typedField
        = 0; // 4 float_data, 5 int32_data, 6 string_data, 7 int64_data, 10 double_data, 11 uint64_data
    std::vector<OnnxTypedRun> typed;
    bool mixedTypedFields = false;
    bool external = false; // data_location EXTERNAL
    std::vector<std::pair<std::string, std::string>> externalData;
    bool segmented = false;
};

struct OnnxNode {
    std::string name;
    std::string opType;
    std::vector<std::string> inputs;
    std::vector<std::string> outputs;
    // Scalar and list attributes as short text ("transB" -> "1", "kernel_shape" -> "3,3"); tensor
    // and graph attributes are left out: they are not settings a reader of the list needs.
    std::vector<std::pair<std::string, std::string>> attributes;
};

constexpr std::size_t kMaxOnnxNodes = 4096;
constexpr std::size_t kMaxOnnxEdges = 64;

struct OnnxSparseInitializer {
    std::string name;
    std::int32_t dataType = 0;
    Shape dims;
};

struct OnnxModel {
    std::int64_t irVersion = 0;
    std::string producerName, producerVersion, domain, docString;
    std::int64_t modelVersion = 0;
    std::vector<std::pair<std::string, std::int64_t>> opsets; // domain ("" is ai.onnx), version
    std::vector<std::pair<std::string, std::string>> metadataProps;
    bool hasGraph = false;
    std::string graphName;
    // A hostile graph may have millions of nodes, or a node millions of inputs, in a few bytes
    // each (2 bytes for an empty one; parsed, each took 100 bytes or more: 2 GB for a 20 MB file).
    // So only the first kMaxOnnxNodes nodes are kept, each with its first kMaxOnnxEdges inputs and
    // outputs, and the initializers' consumers are found while the nodes are read.
    std::vector<OnnxNode> nodes;
    std::size_t nodeCount = 0; // all the graph's nodes
    // Initializer name -> labels of the nodes that read it (the node's name, or "<op type>#<index>"),
    // the first kMaxOnnxNodes of them.
    std::map<std::string, std::vector<std::string>> consumers;
    std::vector<OnnxTensor> initializers;
    std::vector<OnnxSparseInitializer> sparseInitializers;
};

// Throws FormatError on malformed protobuf, wrong wire types and impossible values.
OnnxModel parseOnnxModel(std::span<const std::uint8_t> bytes);

// True when `head` (the first bytes of a file of `fileSize` bytes) looks like a ModelProto:
// ir_version first (1..20), then well-formed top-level ModelProto fields including the graph.
bool looksLikeOnnxModel(std::span<const std::uint8_t> head, std::uint64_t fileSize);

// The ONNX TensorProto.DataType → our element type (nothing for STRING, FNUZ floats, 4-bit types).
std::optional<DType> dtypeFromOnnx(std::int32_t dataType);
// "FLOAT", "FLOAT16", ... or "data type 42".
std::string onnxTypeName(std::int32_t dataType);

} // namespace ckpt
