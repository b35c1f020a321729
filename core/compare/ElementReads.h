#pragma once

#include "tensor/Tensor.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ckpt {

// Elements [first, first + n) of t in row-major order as float64 (raw: a reusable buffer).
void readDoubles(
    const Tensor& t, std::int64_t first, std::int64_t n, std::vector<std::byte>& raw, std::vector<double>& out);

// Rows [row0, row0 + rows) of B's transpose, i.e. columns of the (n, m) matrix B, as float64:
// how a Keras kernel (in, out) is read against a PyTorch weight (out, in).
void readTransposedRows(
    const Tensor& b, std::int64_t row0, std::int64_t rows, std::vector<std::byte>& raw, std::vector<double>& out);

} // namespace ckpt
