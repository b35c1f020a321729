#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ckpt {

using Shape = std::vector<std::int64_t>;

// Number of elements; 1 for a 0-d shape. Throws FormatError on negative dims or overflow.
std::int64_t shapeNumel(const Shape& shape);
// "(256, 20)", "()" for a scalar.
std::string shapeToString(const Shape& shape);
// Row-major (C order) strides in elements.
std::vector<std::int64_t> rowMajorStrides(const Shape& shape);
// Column-major (Fortran order) strides in elements.
std::vector<std::int64_t> columnMajorStrides(const Shape& shape);
// a * b, throwing FormatError when the product overflows int64 or either is negative.
std::int64_t checkedMul(std::int64_t a, std::int64_t b);
// a + b and a * b of sizes (non-negative) that stop at INT64_MAX instead of overflowing: totals
// shown to people and compared against limits, where a file may declare several 2^62-byte tensors.
std::int64_t saturatingAdd(std::int64_t a, std::int64_t b);
std::int64_t saturatingMul(std::int64_t a, std::int64_t b);

} // namespace ckpt
