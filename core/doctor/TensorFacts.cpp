#include "doctor/TensorFacts.h"

#include "base/Cancelled.h"
#include "numerics/Convert.h"
#include "tensor/TensorChunks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace ckpt {
namespace {

// The smallest positive normal number of each floating dtype; below it (and above zero) a value
// is denormal. Other dtypes have none.
double smallestNormal(DType dtype)
{
    switch (dtype) {
    case DType::Float64:
    case DType::Complex128:
        return std::numeric_limits<double>::min();
    case DType::Float32:
    case DType::BFloat16: // float32's exponent
    case DType::Complex64:
        return std::numeric_limits<float>::min();
    case DType::Float16:
        return 0x1p-14;
    case DType::Float8E4M3FN:
        return 0x1p-6;
    case DType::Float8E5M2:
        return 0x1p-14;
    default:
        return 0;
    }
}

// Only dtypes wider than float16 can hold what float16 cannot.
bool widerThanHalf(DType dtype)
{
    return dtype == DType::Float64 || dtype == DType::Float32 || dtype == DType::BFloat16;
}

// float16's largest value is 65504; round-to-nearest sends |x| >= 65520 to infinity.
constexpr double kHalfOverflow = 65520.0;

void addValues(TensorFacts& f, const double* v, std::int64_t n, double normal, bool checkHalf)
{
    for (std::int64_t i = 0; i < n; ++i) {
        const double x = v[i];
        if (std::isnan(x)) {
            ++f.nan;
            continue;
        }
        if (std::isinf(x)) {
            ++(x > 0 ? f.posInf : f.negInf);
            continue;
        }
        const double a = std::fabs(x);
        f.zeros += x == 0;
        f.denormals += x != 0 && a < normal;
        f.beyondHalf += checkHalf && a >= kHalfOverflow;
        f.min = std::min(f.min, x);
        f.max = std::max(f.max, x);
        f.sum += x;
        f.squares += x * x;
    }
}

} // namespace

TensorFacts scanTensor(const Tensor& tensor, const std::atomic<bool>* cancel)
{
    TensorFacts f;
    f.min = std::numeric_limits<double>::infinity();
    f.max = -std::numeric_limits<double>::infinity();
    const DType dtype = tensor.info.dtype;
    const double normal = smallestNormal(dtype);
    const bool checkHalf = widerThanHalf(dtype);
    std::vector<double> values;
    forEachChunk(
        tensor,
        [&](const TensorChunk& chunk) {
            values.resize(std::size_t(chunk.count));
            convertToDouble(dtype, chunk.data, chunk.count, values.data());
            addValues(f, values.data(), chunk.count, normal, checkHalf);
            f.count += chunk.count;
        },
        cancel, std::size_t(8) << 20);
    if (f.finite() == 0)
        f.min = f.max = 0;
    return f;
}

bool mayBeSame(const Tensor& a, const TensorFacts& fa, const Tensor& b, const TensorFacts& fb)
{
    return a.info.dtype == b.info.dtype && a.info.shape == b.info.shape && fa.count == fb.count && fa.nan == fb.nan
        && fa.posInf == fb.posInf && fa.negInf == fb.negInf && fa.zeros == fb.zeros && fa.min == fb.min
        && fa.max == fb.max && fa.sum == fb.sum && fa.squares == fb.squares;
}

bool sameBytes(const Tensor& a, const Tensor& b, const std::atomic<bool>* cancel)
{
    if (a.info.dtype != b.info.dtype || a.info.shape != b.info.shape)
        return false;
    const std::int64_t numel = a.info.numel();
    const std::int64_t step
        = std::max<std::int64_t>(1, (std::int64_t(4) << 20) / std::int64_t(dtypeSize(a.info.dtype)));
    std::vector<std::byte> bufA, bufB;
    for (std::int64_t first = 0; first < numel; first += step) {
        if (cancel && cancel->load())
            throw Cancelled();
        const std::int64_t n = std::min(step, numel - first);
        const std::size_t bytes = std::size_t(n) * dtypeSize(a.info.dtype);
        bufA.resize(bytes);
        bufB.resize(bytes);
        a.data->readFlat(first, n, bufA.data());
        b.data->readFlat(first, n, bufB.data());
        if (std::memcmp(bufA.data(), bufB.data(), bytes) != 0)
            return false;
    }
    return true;
}

} // namespace ckpt
