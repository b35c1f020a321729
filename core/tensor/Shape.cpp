#include "tensor/Shape.h"

#include "base/CheckpointError.h"

#include <limits>

namespace ckpt {

std::int64_t checkedMul(std::int64_t a, std::int64_t b)
{
    if (a < 0 || b < 0)
        throw FormatError("negative size");
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r))
        throw FormatError("size overflows 64 bits");
    return r;
}

std::int64_t saturatingAdd(std::int64_t a, std::int64_t b)
{
    std::int64_t r = 0;
    return __builtin_add_overflow(a, b, &r) ? std::numeric_limits<std::int64_t>::max() : r;
}

std::int64_t saturatingMul(std::int64_t a, std::int64_t b)
{
    std::int64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? std::numeric_limits<std::int64_t>::max() : r;
}

std::int64_t shapeNumel(const Shape& shape)
{
    std::int64_t n = 1;
    for (auto d : shape) {
        if (d < 0)
            throw FormatError("negative dimension " + std::to_string(d));
        n = checkedMul(n, d);
    }
    return n;
}

std::string shapeToString(const Shape& shape)
{
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + ")";
}

// Strides of shapes too large to address saturate; the bounds check that follows rejects them.
std::vector<std::int64_t> rowMajorStrides(const Shape& shape)
{
    std::vector<std::int64_t> strides(shape.size());
    std::int64_t s = 1;
    for (std::size_t i = shape.size(); i-- > 0;) {
        strides[i] = s;
        s = saturatingMul(s, shape[i] > 0 ? shape[i] : 1);
    }
    return strides;
}

std::vector<std::int64_t> columnMajorStrides(const Shape& shape)
{
    std::vector<std::int64_t> strides(shape.size());
    std::int64_t s = 1;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        strides[i] = s;
        s = saturatingMul(s, shape[i] > 0 ? shape[i] : 1);
    }
    return strides;
}

} // namespace ckpt
