#include "formats/gguf/GgufReader.h"

#include "base/CheckpointError.h"
#include "formats/gguf/GgufHeader.h"
#include "formats/gguf/GgufQuantizedSource.h"
#include "tensor/StridedTensorSource.h"

namespace ckpt {

bool GgufReader::matches(const FileProbe& probe) const
{
    return probe.startsWith("GGUF");
}

void GgufReader::read(const FileProbe& probe, Checkpoint& ckpt) const
{
    auto file = std::make_shared<FileByteSource>(probe.path);
    GgufHeader header = parseGgufHeader(*file);
    for (const auto& info : header.tensors) {
        const std::uint64_t at = header.dataStart + info.offset;
        const ByteOrder order = header.bigEndian ? ByteOrder::Big : ByteOrder::Little;
        Tensor t;
        t.info.name = info.name;
        t.info.shape = info.shape;
        t.info.byteOrder = order;
        t.info.location = std::string(info.type.name) + ", " + std::to_string(info.byteSize) + " bytes at offset "
            + std::to_string(at) + " (data offset " + std::to_string(info.offset) + ")";
        if (info.type.plain) {
            t.info.dtype = *info.type.plain;
            t.data = std::make_shared<StridedTensorSource>(
                file, t.info.dtype, t.info.shape, StridedLayout::rowMajor(t.info.shape, at, order));
        } else {
            t.info.dtype = DType::Float32;
            t.info.encoding = std::string(info.type.name);
            t.data = std::make_shared<GgufQuantizedSource>(file, info.type, t.info.shape, at, header.bigEndian);
        }
        ckpt.tensors.push_back(std::move(t));
    }
    ckpt.metadata = std::move(header.metadata);
    auto& object = ckpt.metadata.get_ref<nlohmann::ordered_json::object_t&>();
    object.emplace_back("__gguf__/version", header.version);
    object.emplace_back("__gguf__/alignment", header.alignment);
    object.emplace_back("__gguf__/data_offset", header.dataStart);
    if (header.bigEndian)
        object.emplace_back("__gguf__/byte_order", "big-endian");
}

} // namespace ckpt
