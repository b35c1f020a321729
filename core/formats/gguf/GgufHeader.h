#pragma once

#include "formats/gguf/GgmlTypes.h"
#include "io/ByteSource.h"
#include "tensor/Shape.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ckpt {

// What a GGUF file's header says (docs/gguf.md in ggml): version, key/value metadata, tensor
// infos and where the tensor data starts. Every count, length, dimension and offset is checked
// against the file size before anything is allocated; problems throw FormatError.
struct GgufTensorInfo {
    std::string name;
    Shape ggmlDims; // as stored: innermost (contiguous) axis first
    Shape shape; // numpy/torch order: ggmlDims reversed
    GgmlType type;
    std::uint64_t offset = 0; // relative to the data section
    std::uint64_t byteSize = 0;
};

struct GgufHeader {
    std::uint32_t version = 0;
    bool bigEndian = false;
    std::uint64_t alignment = 32;
    std::uint64_t dataStart = 0; // absolute offset of the tensor data section
    nlohmann::ordered_json metadata = nlohmann::ordered_json::object(); // key -> value
    std::vector<GgufTensorInfo> tensors;
};

// Arrays longer than this are summarised in the metadata: count plus the first elements.
inline constexpr std::uint64_t kGgufArrayListedInFull = 64;
inline constexpr std::uint64_t kGgufArrayHead = 8;

GgufHeader parseGgufHeader(const ByteSource& file);

} // namespace ckpt
