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

// The same elements of A and B side by side: a[i] against b[i], or against B's transpose when
// `transposed` (B is A's shape reversed). raw holds the chunk's bytes as stored (for a bitwise check).
struct PairedChunk {
    const double* a = nullptr;
    const double* b = nullptr;
    std::int64_t n = 0;
    std::span<const std::byte> rawA, rawB;
};

// Walks A and B in paired chunks (whole rows of A when transposed). A failure names the side
// and the tensor: FormatError("A: NAME: reason").
void forEachPairedChunk(const Tensor& a, const Tensor& b, bool transposed, const std::atomic<bool>* cancel,
    const std::function<void(const PairedChunk&)>& fn);

} // namespace ckpt
