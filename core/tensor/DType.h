#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ckpt {

// Element types, named as numpy/torch spell them.
enum class DType {
    Float64,
    Float32,
    Float16,
    BFloat16,
    Float8E4M3FN,
    Float8E5M2,
    Int64,
    Int32,
    Int16,
    Int8,
    UInt64,
    UInt32,
    UInt16,
    UInt8,
    Bool,
    Complex64,
    Complex128,
};

inline constexpr DType kAllDTypes[] = {
    DType::Float64,
    DType::Float32,
    DType::Float16,
    DType::BFloat16,
    DType::Float8E4M3FN,
    DType::Float8E5M2,
    DType::Int64,
    DType::Int32,
    DType::Int16,
    DType::Int8,
    DType::UInt64,
    DType::UInt32,
    DType::UInt16,
    DType::UInt8,
    DType::Bool,
    DType::Complex64,
    DType::Complex128,
};

std::string_view dtypeName(DType t); // "float32", "bfloat16", ...
std::optional<DType> dtypeFromName(std::string_view name); // inverse of dtypeName
std::size_t dtypeSize(DType t); // bytes per element
bool isFloating(DType t); // real floating types
bool isComplex(DType t);
bool isInteger(DType t); // signed or unsigned, not bool
bool isSigned(DType t);

enum class ByteOrder { Little, Big };
ByteOrder hostByteOrder();

} // namespace ckpt
