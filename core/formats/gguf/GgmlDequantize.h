#pragma once

#include <cstdint>
#include <string_view>

namespace ckpt {

// Block dequantizers ported from ggml's reference dequantize_row_* (ggml-quants.c), with the
// same float operations in the same order, so the values equal what llama.cpp computes.
// `blocks` points at `n` little-endian blocks; `out` receives n * blockElements floats.
using DequantizeBlocks = void (*)(const std::uint8_t* blocks, std::int64_t n, float* out);

// The dequantizer of a ggml type name ("Q4_0", "Q6_K"), or nullptr for types we do not decode.
DequantizeBlocks dequantizerFor(std::string_view ggmlTypeName);

} // namespace ckpt
