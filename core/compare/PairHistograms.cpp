#include "compare/PairHistograms.h"
#include "compare/ElementReads.h"

#include "numerics/Convert.h"
#include "tensor/StoredElements.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

namespace ckpt {

namespace {

struct Range {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    void add(const double* v, std::int64_t n)
    {
        for (std::int64_t i = 0; i < n; ++i)
            if (std::isfinite(v[i])) {
                lo = std::min(lo, v[i]);
                hi = std::max(hi, v[i]);
            }
    }
};

} // namespace

PairHistograms pairHistograms(const TensorDiff& d, int bins, const std::atomic<bool>* cancel)
{
    bins = std::max(bins, 1);
    PairHistograms out;
    const bool paired = d.a && d.b && d.a->info.numel() == d.b->info.numel() && d.status != DiffStatus::ShapeChanged;
    std::vector<double> difference;
    Range joint, ofDifference;
    auto differences = [&](const double* a, const double* b, std::int64_t n) -> const double* {
        difference.resize(std::size_t(n));
        for (std::int64_t i = 0; i < n; ++i)
            difference[std::size_t(i)] = b[i] - a[i];
        return difference.data();
    };
    if (paired) {
        forEachPairedChunk(*d.a, *d.b, d.layout, cancel, [&](const PairedChunk& c) {
            joint.add(c.a, c.n);
            joint.add(c.b, c.n);
            ofDifference.add(differences(c.a, c.b, c.n), c.n);
        });
        out.a = out.b = emptyHistogram(joint.lo, joint.hi, bins);
        out.difference = emptyHistogram(ofDifference.lo, ofDifference.hi, bins);
        out.differenceMin = ofDifference.lo;
        out.differenceMax = ofDifference.hi;
        forEachPairedChunk(*d.a, *d.b, d.layout, cancel, [&](const PairedChunk& c) {
            addToHistogram(out.a, c.a, c.n);
            addToHistogram(out.b, c.b, c.n);
            addToHistogram(out.difference, differences(c.a, c.b, c.n), c.n);
        });
        return out;
    }
    for (const Tensor* t : { d.a, d.b })
        if (t)
            forEachValueChunk(*t, cancel, [&](const double* v, std::int64_t n) { joint.add(v, n); });
    if (d.a) {
        out.a = emptyHistogram(joint.lo, joint.hi, bins);
        forEachValueChunk(*d.a, cancel, [&](const double* v, std::int64_t n) { addToHistogram(out.a, v, n); });
    }
    if (d.b) {
        out.b = emptyHistogram(joint.lo, joint.hi, bins);
        forEachValueChunk(*d.b, cancel, [&](const double* v, std::int64_t n) { addToHistogram(out.b, v, n); });
    }
    return out;
}

} // namespace ckpt
