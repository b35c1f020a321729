#include "numerics/PowerLaw.h"

#include <algorithm>
#include <cmath>

namespace ckpt {
namespace {

// D for the tail x[first..] (sorted) against the power law with this alpha on [x[first], x.back()].
double ksDistance(const std::vector<double>& x, std::size_t first, double alpha)
{
    const double xmin = x[first], m = static_cast<double>(x.size() - first);
    const double norm = 1 - std::pow(x.back() / xmin, 1 - alpha);
    double d = 0;
    for (std::size_t i = first; i < x.size(); ++i) {
        if (i > first && x[i] == x[i - 1])
            continue; // the empirical CDF is taken at each distinct value once
        const double empirical = static_cast<double>(i - first) / m; // the fraction strictly below
        const double theoretical = (1 - std::pow(x[i] / xmin, 1 - alpha)) / norm;
        d = std::max(d, std::fabs(theoretical - empirical));
    }
    return d;
}

} // namespace

std::optional<PowerLawFit> fitPowerLaw(std::vector<double> eigenvalues)
{
    std::erase_if(eigenvalues, [](double v) { return !(v > kPowerLawEigenvalueFloor) || !std::isfinite(v); });
    if (eigenvalues.size() < kPowerLawMinEigenvalues)
        return std::nullopt;
    std::sort(eigenvalues.begin(), eigenvalues.end());
    const std::vector<double>& x = eigenvalues;
    // sum of ln x[i] for i >= k, so that each candidate's alpha costs O(1).
    std::vector<double> logTail(x.size() + 1, 0);
    for (std::size_t i = x.size(); i-- > 0;)
        logTail[i] = logTail[i + 1] + std::log(x[i]);
    std::optional<PowerLawFit> best;
    for (std::size_t k = 0; k < x.size() && x[k] < x.back(); ++k) {
        if (k > 0 && x[k] == x[k - 1])
            continue; // one candidate per distinct value: its first occurrence
        const double n = static_cast<double>(x.size() - k);
        const double logs = logTail[k] - n * std::log(x[k]); // > 0: the tail holds a larger value
        const double alpha = 1 + n / logs;
        const double d = ksDistance(x, k, alpha);
        if (!best || d < best->ks)
            best = PowerLawFit { alpha, x[k], d, static_cast<std::int64_t>(n) };
    }
    return best;
}

} // namespace ckpt
