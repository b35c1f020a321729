#include "formats/gguf/GgufQuantizedSource.h"

#include "base/CheckpointError.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace ckpt {

namespace {
constexpr std::int64_t kBlocksPerChunk = 1024;
}

GgufQuantizedSource::GgufQuantizedSource(
    std::shared_ptr<const ByteSource> bytes, GgmlType type, Shape shape, std::uint64_t byteOffset, bool bigEndian)
    : FlatTensorSource(DType::Float32, std::move(shape))
    , bytes_(std::move(bytes))
    , type_(type)
    , byteOffset_(byteOffset)
    , bigEndian_(bigEndian)
    , dequantize_(dequantizerFor(type.name))
{
}

void GgufQuantizedSource::readFlat(std::int64_t first, std::int64_t count, std::byte* out) const
{
    checkFlat(first, count);
    if (count == 0)
        return;
    if (!dequantize_)
        throw FormatError("dequantization of " + std::string(type_.name) + " is not supported");
    if (bigEndian_)
        throw FormatError("dequantization of big-endian " + std::string(type_.name) + " data is not supported");
    const std::int64_t blockElements = type_.blockElements;
    const std::int64_t last = first + count; // exclusive
    std::int64_t block = first / blockElements;
    const std::int64_t endBlock = (last + blockElements - 1) / blockElements;
    std::vector<std::uint8_t> raw;
    std::vector<float> values;
    auto* dst = reinterpret_cast<float*>(out);
    while (block < endBlock) {
        const std::int64_t n = std::min(kBlocksPerChunk, endBlock - block);
        raw.resize(std::size_t(n * type_.blockBytes));
        values.resize(std::size_t(n * blockElements));
        bytes_->read(byteOffset_ + std::uint64_t(block * type_.blockBytes), raw.size(),
            reinterpret_cast<std::byte*>(raw.data()));
        dequantize_(raw.data(), n, values.data());
        const std::int64_t chunkFirst = block * blockElements;
        const std::int64_t from = std::max(first, chunkFirst);
        const std::int64_t to = std::min(last, chunkFirst + n * blockElements);
        std::memcpy(dst, values.data() + (from - chunkFirst), std::size_t(to - from) * sizeof(float));
        dst += to - from;
        block += n;
    }
}

} // namespace ckpt
