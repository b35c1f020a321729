#include "tensor/DType.h"

#include <bit>

namespace ckpt {

namespace {
struct DTypeDesc {
    DType type;
    std::string_view name;
    std::size_t size;
};

constexpr DTypeDesc kDescs[] = {
    { DType::Float64, "float64", 8 },
    { DType::Float32, "float32", 4 },
    { DType::Float16, "float16", 2 },
    { DType::BFloat16, "bfloat16", 2 },
    { DType::Float8E4M3FN, "float8_e4m3fn", 1 },
    { DType::Float8E5M2, "float8_e5m2", 1 },
    { DType::Int64, "int64", 8 },
    { DType::Int32, "int32", 4 },
    { DType::Int16, "int16", 2 },
    { DType::Int8, "int8", 1 },
    { DType::UInt64, "uint64", 8 },
    { DType::UInt32, "uint32", 4 },
    { DType::UInt16, "uint16", 2 },
    { DType::UInt8, "uint8", 1 },
    { DType::Bool, "bool", 1 },
    { DType::Complex64, "complex64", 8 },
    { DType::Complex128, "complex128", 16 },
};

const DTypeDesc& desc(DType t)
{
    return kDescs[static_cast<int>(t)];
}
} // namespace

std::string_view dtypeName(DType t)
{
    return desc(t).name;
}

std::optional<DType> dtypeFromName(std::string_view name)
{
    for (const auto& d : kDescs) {
        if (d.name == name)
            return d.type;
    }
    return std::nullopt;
}

std::size_t dtypeSize(DType t)
{
    return desc(t).size;
}

bool isFloating(DType t)
{
    switch (t) {
    case DType::Float64:
    case DType::Float32:
    case DType::Float16:
    case DType::BFloat16:
    case DType::Float8E4M3FN:
    case DType::Float8E5M2:
        return true;
    default:
        return false;
    }
}

bool isComplex(DType t)
{
    return t == DType::Complex64 || t == DType::Complex128;
}

bool isInteger(DType t)
{
    return !isFloating(t) && !isComplex(t) && t != DType::Bool;
}

bool isSigned(DType t)
{
    switch (t) {
    case DType::Int64:
    case DType::Int32:
    case DType::Int16:
    case DType::Int8:
        return true;
    default:
        return isFloating(t) || isComplex(t);
    }
}

ByteOrder hostByteOrder()
{
    return std::endian::native == std::endian::little ? ByteOrder::Little : ByteOrder::Big;
}

} // namespace ckpt
