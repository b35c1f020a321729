#pragma once

#include "tensor/Tensor.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace ckpt {

// Elements [first, first + n) of t in row-major order as float64 (raw: a reusable buffer).
void readDoubles(
    const Tensor& t, std::int64_t first, std::int64_t n, std::vector<std::byte>& raw, std::vector<double>& out);

// Rows [row0, row0 + rows) of B's transpose, i.e. columns of the (n, m) matrix B, as float64:
// how a Keras kernel (in, out) is read against a PyTorch weight (out, in).
void readTransposedRows(
    const Tensor& b, std::int64_t row0, std::int64_t rows, std::vector<std::byte>& raw, std::vector<double>& out);

// Walks t's elements as float64 in chunks of about a million. Throws Cancelled when *cancel
// becomes true and FormatError when t cannot be read element by element.
void forEachValueChunk(const Tensor& t, const std::atomic<bool>* cancel,
    const std::function<void(const double* values, std::int64_t n)>& fn);

// How B's elements line up with A's: in the same order, or B transposed (B is A's shape reversed),
// or B's rows in another order (llama.cpp's Q/K rows against Hugging Face's: LlamaCppNames.h).
struct PairLayout {
    bool transposed = false;
    std::int64_t ropeHeads = 0; // rows permuted per head as llama.cpp does for LLaMA; 0: not permuted
    bool ggufIsA = false; // paired by llama.cpp name: which side is the GGUF file
};

// The same elements of A and B side by side: a[i] against b[i] as the layout pairs them. raw holds
// the chunk's bytes as stored (for a bitwise check), B's in A's order.
struct PairedChunk {
    const double* a = nullptr;
    const double* b = nullptr;
    std::int64_t n = 0;
    std::span<const std::byte> rawA, rawB;
};

// Walks A and B in paired chunks (whole rows of A unless B is in A's order). A failure names the
// side and the tensor: FormatError("A: NAME: reason").
void forEachPairedChunk(const Tensor& a, const Tensor& b, const PairLayout& layout, const std::atomic<bool>* cancel,
    const std::function<void(const PairedChunk&)>& fn);

} // namespace ckpt
