#include "formats/tfcheckpoint/BundleProto.h"

#include "base/CheckpointError.h"
#include "codec/ProtoWire.h"

#include <array>
#include <span>

namespace ckpt {

namespace {

constexpr std::size_t kMaxDims = 64;

std::span<const std::uint8_t> asBytes(std::string_view s)
{
    return { reinterpret_cast<const std::uint8_t*>(s.data()), s.size() };
}

std::int32_t int32Field(const ProtoWire::Field& f, const char* what)
{
    const auto v = f.asInt64();
    if (f.type != ProtoWire::WireType::Varint || v < INT32_MIN || v > INT32_MAX)
        throw FormatError(std::string("bad ") + what + " field");
    return std::int32_t(v);
}

std::int64_t varintField(const ProtoWire::Field& f, const char* what)
{
    if (f.type != ProtoWire::WireType::Varint)
        throw FormatError(std::string("bad ") + what + " field (wire type " + std::to_string(int(f.type)) + ")");
    return f.asInt64();
}

std::int64_t dimSize(std::span<const std::uint8_t> dim)
{
    std::int64_t size = 0;
    ProtoWire w(dim);
    while (auto f = w.next())
        if (f->number == 1)
            size = varintField(*f, "dimension size");
    return size;
}

void parseShape(std::span<const std::uint8_t> bytes, BundleEntry& e)
{
    ProtoWire w(bytes);
    while (auto f = w.next()) {
        if (f->number == 2 && f->type == ProtoWire::WireType::Bytes) {
            if (e.shape.size() == kMaxDims)
                throw FormatError("shape has more than " + std::to_string(kMaxDims) + " dimensions");
            const std::int64_t d = dimSize(f->bytes);
            if (d < 0)
                throw FormatError("shape has dimension " + std::to_string(d));
            e.shape.push_back(d);
        } else if (f->number == 3) {
            e.unknownRank = varintField(*f, "unknown_rank") != 0;
        }
    }
}

} // namespace

BundleHeader parseBundleHeader(std::string_view bytes)
{
    BundleHeader h;
    ProtoWire w(asBytes(bytes));
    while (auto f = w.next()) {
        if (f->number == 1) {
            h.numShards = int32Field(*f, "num_shards");
        } else if (f->number == 2) {
            h.bigEndian = varintField(*f, "endianness") == 1;
        } else if (f->number == 3 && f->type == ProtoWire::WireType::Bytes) {
            ProtoWire version(f->bytes);
            while (auto v = version.next()) {
                if (v->number == 1)
                    h.producer = int32Field(*v, "version producer");
                else if (v->number == 2)
                    h.minConsumer = int32Field(*v, "version min_consumer");
            }
        }
    }
    return h;
}

BundleEntry parseBundleEntry(std::string_view bytes)
{
    BundleEntry e;
    ProtoWire w(asBytes(bytes));
    while (auto f = w.next()) {
        switch (f->number) {
        case 1:
            e.dtype = int32Field(*f, "dtype");
            break;
        case 2:
            if (f->type != ProtoWire::WireType::Bytes)
                throw FormatError("bad shape field");
            parseShape(f->bytes, e);
            break;
        case 3:
            e.shardId = int32Field(*f, "shard_id");
            break;
        case 4:
            e.offset = varintField(*f, "offset");
            break;
        case 5:
            e.size = varintField(*f, "size");
            break;
        case 6:
            if (f->type != ProtoWire::WireType::Fixed32)
                throw FormatError("bad crc32c field (wire type " + std::to_string(int(f->type)) + ")");
            e.maskedCrc32c = std::uint32_t(f->value);
            break;
        case 7:
            ++e.sliceCount;
            break;
        default:
            break;
        }
    }
    if (e.shardId < 0 || e.offset < 0 || e.size < 0)
        throw FormatError("negative shard, offset or size (" + std::to_string(e.shardId) + ", "
            + std::to_string(e.offset) + ", " + std::to_string(e.size) + ")");
    return e;
}

std::optional<DType> dtypeFromTensorFlow(std::int32_t code)
{
    switch (code > 100 ? code - 100 : code) {
    case 1:
        return DType::Float32;
    case 2:
        return DType::Float64;
    case 3:
        return DType::Int32;
    case 4:
        return DType::UInt8;
    case 5:
        return DType::Int16;
    case 6:
        return DType::Int8;
    case 8:
        return DType::Complex64;
    case 9:
        return DType::Int64;
    case 10:
        return DType::Bool;
    case 14:
        return DType::BFloat16;
    case 17:
        return DType::UInt16;
    case 18:
        return DType::Complex128;
    case 19:
        return DType::Float16;
    case 22:
        return DType::UInt32;
    case 23:
        return DType::UInt64;
    default:
        return std::nullopt;
    }
}

std::string tensorFlowTypeName(std::int32_t code)
{
    static constexpr std::array<const char*, 24> names = {
        "DT_INVALID",
        "DT_FLOAT",
        "DT_DOUBLE",
        "DT_INT32",
        "DT_UINT8",
        "DT_INT16",
        "DT_INT8",
        "DT_STRING",
        "DT_COMPLEX64",
        "DT_INT64",
        "DT_BOOL",
        "DT_QINT8",
        "DT_QUINT8",
        "DT_QINT32",
        "DT_BFLOAT16",
        "DT_QINT16",
        "DT_QUINT16",
        "DT_UINT16",
        "DT_COMPLEX128",
        "DT_HALF",
        "DT_RESOURCE",
        "DT_VARIANT",
        "DT_UINT32",
        "DT_UINT64",
    };
    if (code >= 0 && code < std::int32_t(names.size()))
        return names[std::size_t(code)];
    if (code > 100 && code - 100 < std::int32_t(names.size()))
        return std::string(names[std::size_t(code - 100)]) + "_REF";
    return "DataType " + std::to_string(code);
}

} // namespace ckpt
