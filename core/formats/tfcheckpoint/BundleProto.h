#pragma once

#include "tensor/DType.h"
#include "tensor/Shape.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ckpt {

// BundleHeaderProto, the value of the table's empty key.
struct BundleHeader {
    std::int32_t numShards = 0;
    bool bigEndian = false;
    std::int32_t producer = 0;
    std::int32_t minConsumer = 0;
};

// BundleEntryProto: where one tensor's bytes are. Absent fields are 0 (proto3).
struct BundleEntry {
    std::int32_t dtype = 0; // tensorflow DataType code
    Shape shape;
    bool unknownRank = false;
    std::int32_t shardId = 0;
    std::int64_t offset = 0;
    std::int64_t size = 0;
    std::uint32_t maskedCrc32c = 0;
    std::int32_t sliceCount = 0; // > 0: a partitioned variable whose pieces are stored under slice keys
};

// Both throw FormatError on malformed protobuf or impossible values (negative sizes, > 64 dims).
BundleHeader parseBundleHeader(std::string_view bytes);
BundleEntry parseBundleEntry(std::string_view bytes);

// DT_FLOAT, DT_HALF, ... (the _REF variants too) → our element type; nothing for strings,
// resources, variants and quantized types.
std::optional<DType> dtypeFromTensorFlow(std::int32_t code);
// "DT_FLOAT", "DT_STRING", ... or "DataType 42".
std::string tensorFlowTypeName(std::int32_t code);

inline constexpr std::int32_t kTfString = 7;

} // namespace ckpt
