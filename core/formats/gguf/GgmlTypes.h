#pragma once

#include "tensor/DType.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace ckpt {

// One ggml tensor type as GGUF stores it: elements per block and bytes per block. Plain types
// (F32, F16, BF16, F64, I8..I64) have blocks of one element and a DType; block-quantized ones
// (Q4_0, Q8_0, Q4_K, IQ2_XS, ...) have none and are served dequantized to float32.
struct GgmlType {
    std::uint32_t code = 0;
    std::string_view name; // "Q8_0", as ggml spells it
    std::int64_t blockElements = 1;
    std::int64_t blockBytes = 0;
    std::optional<DType> plain; // the element type of an unquantized type
};

// The type with this code, or nothing for codes ggml never used or removed (4, 5, 31-33, 36-38).
std::optional<GgmlType> ggmlType(std::uint32_t code);

} // namespace ckpt
