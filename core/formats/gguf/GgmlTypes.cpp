#include "formats/gguf/GgmlTypes.h"

#include <array>

namespace ckpt {

namespace {

constexpr std::int64_t kQK = 256; // super-block size of the K and IQ families

// Codes and sizes from ggml.h / ggml-common.h (block layouts' static_asserts).
const std::array kTypes = {
    GgmlType { 0, "F32", 1, 4, DType::Float32 },
    GgmlType { 1, "F16", 1, 2, DType::Float16 },
    GgmlType { 2, "Q4_0", 32, 18, std::nullopt },
    GgmlType { 3, "Q4_1", 32, 20, std::nullopt },
    GgmlType { 6, "Q5_0", 32, 22, std::nullopt },
    GgmlType { 7, "Q5_1", 32, 24, std::nullopt },
    GgmlType { 8, "Q8_0", 32, 34, std::nullopt },
    GgmlType { 9, "Q8_1", 32, 36, std::nullopt },
    GgmlType { 10, "Q2_K", kQK, 84, std::nullopt },
    GgmlType { 11, "Q3_K", kQK, 110, std::nullopt },
    GgmlType { 12, "Q4_K", kQK, 144, std::nullopt },
    GgmlType { 13, "Q5_K", kQK, 176, std::nullopt },
    GgmlType { 14, "Q6_K", kQK, 210, std::nullopt },
    GgmlType { 15, "Q8_K", kQK, 292, std::nullopt },
    GgmlType { 16, "IQ2_XXS", kQK, 66, std::nullopt },
    GgmlType { 17, "IQ2_XS", kQK, 74, std::nullopt },
    GgmlType { 18, "IQ3_XXS", kQK, 98, std::nullopt },
    GgmlType { 19, "IQ1_S", kQK, 50, std::nullopt },
    GgmlType { 20, "IQ4_NL", 32, 18, std::nullopt },
    GgmlType { 21, "IQ3_S", kQK, 110, std::nullopt },
    GgmlType { 22, "IQ2_S", kQK, 82, std::nullopt },
    GgmlType { 23, "IQ4_XS", kQK, 136, std::nullopt },
    GgmlType { 24, "I8", 1, 1, DType::Int8 },
    GgmlType { 25, "I16", 1, 2, DType::Int16 },
    GgmlType { 26, "I32", 1, 4, DType::Int32 },
    GgmlType { 27, "I64", 1, 8, DType::Int64 },
    GgmlType { 28, "F64", 1, 8, DType::Float64 },
    GgmlType { 29, "IQ1_M", kQK, 56, std::nullopt },
    GgmlType { 30, "BF16", 1, 2, DType::BFloat16 },
    GgmlType { 34, "TQ1_0", kQK, 54, std::nullopt },
    GgmlType { 35, "TQ2_0", kQK, 66, std::nullopt },
    GgmlType { 39, "MXFP4", 32, 17, std::nullopt },
};

} // namespace

std::optional<GgmlType> ggmlType(std::uint32_t code)
{
    for (const auto& t : kTypes)
        if (t.code == code)
            return t;
    return std::nullopt;
}

} // namespace ckpt
