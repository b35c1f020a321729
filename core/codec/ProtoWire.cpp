#include "codec/ProtoWire.h"

#include "base/CheckpointError.h"

#include <cstring>
#include <string>

namespace ckpt {

std::uint64_t ProtoWire::readVarint(std::span<const std::uint8_t> data, std::size_t& pos)
{
    std::uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= data.size())
            throw FormatError("protobuf: varint runs past the end of the message");
        const std::uint8_t byte = data[pos++];
        result |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return result;
    }
    throw FormatError("protobuf: varint longer than 10 bytes");
}

std::optional<ProtoWire::Field> ProtoWire::next()
{
    if (atEnd())
        return std::nullopt;
    const std::uint64_t key = readVarint(data_, pos_);
    Field field;
    field.number = static_cast<std::uint32_t>(key >> 3);
    if (field.number == 0 || (key >> 3) > 0x1fffffff)
        throw FormatError("protobuf: invalid field number " + std::to_string(key >> 3));
    const auto type = static_cast<unsigned>(key & 7);
    auto fixed = [&](std::size_t n) {
        if (data_.size() - pos_ < n)
            throw FormatError("protobuf: fixed field " + std::to_string(field.number) + " runs past the end");
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i)
            v |= static_cast<std::uint64_t>(data_[pos_ + i]) << (8 * i);
        pos_ += n;
        return v;
    };
    switch (type) {
    case 0:
        field.type = WireType::Varint;
        field.value = readVarint(data_, pos_);
        return field;
    case 1:
        field.type = WireType::Fixed64;
        field.value = fixed(8);
        return field;
    case 5:
        field.type = WireType::Fixed32;
        field.value = fixed(4);
        return field;
    case 2: {
        field.type = WireType::Bytes;
        const std::uint64_t length = readVarint(data_, pos_);
        if (length > data_.size() - pos_)
            throw FormatError("protobuf: field " + std::to_string(field.number) + " claims " + std::to_string(length)
                + " bytes, only " + std::to_string(data_.size() - pos_) + " remain");
        field.offset = pos_;
        field.bytes = data_.subspan(pos_, static_cast<std::size_t>(length));
        pos_ += static_cast<std::size_t>(length);
        return field;
    }
    case 3: {
        // Deprecated groups: skip nested fields up to the matching end-group.
        field.type = WireType::StartGroup;
        int depth = 1;
        while (depth > 0) {
            if (atEnd())
                throw FormatError("protobuf: unterminated group");
            const std::uint64_t inner = readVarint(data_, pos_);
            switch (inner & 7) {
            case 0:
                readVarint(data_, pos_);
                break;
            case 1:
                fixed(8);
                break;
            case 5:
                fixed(4);
                break;
            case 2: {
                const std::uint64_t length = readVarint(data_, pos_);
                if (length > data_.size() - pos_)
                    throw FormatError("protobuf: field inside a group runs past the end");
                pos_ += static_cast<std::size_t>(length);
                break;
            }
            case 3:
                ++depth;
                break;
            case 4:
                --depth;
                break;
            default:
                throw FormatError("protobuf: invalid wire type inside a group");
            }
        }
        return field;
    }
    default:
        throw FormatError(
            "protobuf: invalid wire type " + std::to_string(type) + " for field " + std::to_string(field.number));
    }
}

} // namespace ckpt
