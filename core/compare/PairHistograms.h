#pragma once

#include "compare/Diff.h"
#include "numerics/Stats.h"

#include <atomic>

namespace ckpt {

// The distributions behind one row of a diff, for plotting A against B.
struct PairHistograms {
    Histogram a, b; // the same bins over the joint finite range of A and B (empty for a missing side)
    Histogram difference; // of B - A element by element; empty unless the values pair up
    // The finite range of B - A (min > max when there is none): equal when every element
    // differs by the same amount, where `difference`'s bins have a conventional width of 1.
    double differenceMin = 0, differenceMax = 0;
};

// Streams A and B (B transposed when the diff compared it so) in chunks, twice: once for the
// ranges, once to count. Throws Cancelled when *cancel becomes true.
PairHistograms pairHistograms(const TensorDiff& diff, int bins, const std::atomic<bool>* cancel = nullptr);

} // namespace ckpt
