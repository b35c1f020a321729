#include "doctor/SameBytes.h"

#include "base/Cancelled.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace ckpt {
namespace {

bool nearlyEqual(double a, double b)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b)) + 1e-300;
}

bool isRepeatingView(const Tensor& t)
{
    return !t.data || !t.data->repeatedParts().empty();
}

} // namespace

bool mayBeSame(const Tensor& a, const TensorStats& sa, const Tensor& b, const TensorStats& sb)
{
    return a.info.dtype == b.info.dtype && a.info.shape == b.info.shape && sa.count == sb.count && sa.nan == sb.nan
        && sa.posInf == sb.posInf && sa.negInf == sb.negInf && sa.zeros == sb.zeros && sa.denormals == sb.denormals
        && sa.histogram.counts == sb.histogram.counts && (sa.finite == 0 || (sa.min == sb.min && sa.max == sb.max))
        && nearlyEqual(sa.mean, sb.mean) && nearlyEqual(sa.std, sb.std);
}

bool sameBytes(const Tensor& a, const Tensor& b, const std::atomic<bool>* cancel)
{
    if (a.info.dtype != b.info.dtype || a.info.shape != b.info.shape || isRepeatingView(a) || isRepeatingView(b))
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
