#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ckpt {

// A reader of the protobuf wire format (varints, fixed32/64, length-delimited fields), enough to
// walk TensorFlow's BundleEntryProto or ONNX's TensorProto without generated code. Every length is
// checked against the bytes that remain; malformed input throws FormatError.
class ProtoWire {
public:
    enum class WireType : std::uint8_t {
        Varint = 0,
        Fixed64 = 1,
        Bytes = 2,
        StartGroup = 3,
        EndGroup = 4,
        Fixed32 = 5
    };

    struct Field {
        std::uint32_t number = 0;
        WireType type = WireType::Varint;
        std::uint64_t value = 0; // Varint, Fixed64, Fixed32
        std::span<const std::uint8_t> bytes; // Bytes: the field's payload (points into the input)
        std::uint64_t offset = 0; // Bytes: the payload's offset within this message
        std::string_view text() const { return { reinterpret_cast<const char*>(bytes.data()), bytes.size() }; }
        std::int64_t asInt64() const { return static_cast<std::int64_t>(value); }
    };

    explicit ProtoWire(std::span<const std::uint8_t> message)
        : data_(message)
    {
    }

    // The next field, or nothing at the end of the message. Groups are skipped whole.
    std::optional<Field> next();
    bool atEnd() const { return pos_ >= data_.size(); }

    // Decodes a packed repeated varint / fixed field's payload element by element.
    static std::uint64_t readVarint(std::span<const std::uint8_t> data, std::size_t& pos);

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

} // namespace ckpt
