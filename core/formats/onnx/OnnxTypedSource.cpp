#include "formats/onnx/OnnxTypedSource.h"

#include "base/CheckpointError.h"
#include "codec/ProtoWire.h"

#include <cstring>

namespace ckpt {

namespace {

bool fixed32Field(std::uint32_t field)
{
    return field == 4;
}
bool fixed64Field(std::uint32_t field)
{
    return field == 10;
}

// Values in the runs, checking that packed payloads hold whole elements.
std::int64_t countValues(const std::vector<OnnxTypedRun>& runs, std::uint32_t field)
{
    std::int64_t n = 0;
    for (const auto& run : runs) {
        if (!run.isPacked) {
            ++n;
        } else if (fixed32Field(field) || fixed64Field(field)) {
            const std::size_t width = fixed32Field(field) ? 4 : 8;
            if (run.packed.size() % width)
                throw FormatError(std::string("packed ") + onnxTypedFieldName(field) + " of "
                    + std::to_string(run.packed.size()) + " bytes is not a whole number of values");
            n += std::int64_t(run.packed.size() / width);
        } else {
            for (auto b : run.packed)
                n += (b & 0x80) == 0;
            if (!run.packed.empty() && (run.packed.back() & 0x80))
                throw FormatError(std::string("packed ") + onnxTypedFieldName(field) + " ends inside a varint");
        }
    }
    return n;
}

template <typename T> void put(std::byte*& out, std::uint64_t bits)
{
    const T v = static_cast<T>(bits);
    std::memcpy(out, &v, sizeof(T));
    out += sizeof(T);
}

} // namespace

std::uint32_t onnxTypedFieldFor(std::int32_t dataType)
{
    switch (dataType) {
    case 1:
    case 14:
        return 4; // FLOAT, COMPLEX64
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 9:
    case 10:
    case 16:
    case 17:
    case 18:
    case 19:
    case 20:
        return 5; // int32_data
    case 8:
        return 6; // STRING
    case 7:
        return 7; // INT64
    case 11:
    case 15:
        return 10; // DOUBLE, COMPLEX128
    case 12:
    case 13:
        return 11; // UINT32, UINT64
    default:
        return 0;
    }
}

const char* onnxTypedFieldName(std::uint32_t field)
{
    switch (field) {
    case 4:
        return "float_data";
    case 5:
        return "int32_data";
    case 6:
        return "string_data";
    case 7:
        return "int64_data";
    case 10:
        return "double_data";
    case 11:
        return "uint64_data";
    default:
        return "typed data";
    }
}

OnnxTypedSource::OnnxTypedSource(std::shared_ptr<const ByteSource> bytes, const OnnxTensor& tensor, DType dtype)
    : FlatTensorSource(dtype, tensor.dims)
    , bytes_(std::move(bytes))
    , field_(tensor.typedField)
    , runs_(tensor.typed)
{
    const std::string what = "initializer '" + tensor.name + "' (" + onnxTypeName(tensor.dataType) + " "
        + shapeToString(tensor.dims) + ")";
    if (tensor.mixedTypedFields)
        throw FormatError(what + " has values in more than one typed field");
    if (field_ != onnxTypedFieldFor(tensor.dataType))
        throw FormatError(what + " has its values in " + onnxTypedFieldName(field_) + "; ONNX keeps "
            + onnxTypeName(tensor.dataType) + " in " + onnxTypedFieldName(onnxTypedFieldFor(tensor.dataType)));
    const std::int64_t expected = checkedMul(shapeNumel(tensor.dims), isComplex(dtype) ? 2 : 1);
    const std::int64_t found = countValues(runs_, field_);
    if (found != expected)
        throw FormatError(what + " needs " + std::to_string(expected) + " values but " + onnxTypedFieldName(field_)
            + " holds " + std::to_string(found));
}

void OnnxTypedSource::decode() const
{
    const DType t = dtype();
    values_.resize(std::size_t(shapeNumel(shape())) * dtypeSize(t));
    std::byte* out = values_.data();
    auto emit = [&](std::uint64_t bits) {
        switch (field_) {
        case 4:
            put<std::uint32_t>(out, bits);
            return;
        case 10:
            put<std::uint64_t>(out, bits);
            return;
        case 7:
            put<std::uint64_t>(out, bits);
            return;
        case 11:
            t == DType::UInt32 ? put<std::uint32_t>(out, bits) : put<std::uint64_t>(out, bits);
            return;
        default:
            break;
        }
        switch (dtypeSize(t)) { // int32_data: keep the low bits the type needs
        case 1:
            t == DType::Bool ? put<std::uint8_t>(out, std::uint32_t(bits) != 0) : put<std::uint8_t>(out, bits);
            return;
        case 2:
            put<std::uint16_t>(out, bits);
            return;
        default:
            put<std::uint32_t>(out, bits);
            return;
        }
    };
    for (const auto& run : runs_) {
        if (!run.isPacked) {
            emit(run.value);
            continue;
        }
        const auto& p = run.packed;
        if (fixed32Field(field_) || fixed64Field(field_)) {
            const std::size_t width = fixed32Field(field_) ? 4 : 8;
            for (std::size_t i = 0; i + width <= p.size(); i += width) {
                std::uint64_t v = 0;
                for (std::size_t k = 0; k < width; ++k)
                    v |= std::uint64_t(p[i + k]) << (8 * k);
                emit(v);
            }
        } else {
            std::size_t pos = 0;
            while (pos < p.size())
                emit(ProtoWire::readVarint(p, pos));
        }
    }
}

void OnnxTypedSource::readFlat(std::int64_t first, std::int64_t count, std::byte* out) const
{
    checkFlat(first, count);
    std::call_once(decoded_, [this] { decode(); });
    const std::size_t size = dtypeSize(dtype());
    std::memcpy(out, values_.data() + std::size_t(first) * size, std::size_t(count) * size);
}

} // namespace ckpt
