#pragma once

#include <cstdint>

namespace ckpt::kernels {

// The two sweeps of computeStats over one block of float32 values, written with AVX2 and FMA
// for processors that have them (cpuHasAvx2Fma()); Stats.cpp keeps the portable SSE2 sweeps.

// min, max, the zero and denormal counts, and the sum and squared sum of x - shift, over a block
// whose values are all finite.
struct FloatBlockMoments {
    double min, max, sum, squares;
    std::int64_t zeros, denormals;
};

// Returns false, with `out` unspecified, when a value is NaN or inf. Denormal: 0 < |x| < normal.
bool momentsOfFiniteFloats(const float* v, std::int64_t n, double shift, float normal, FloatBlockMoments& out);

// Counts each value in bin floor((x - lo) * scale), clamped to [0, bins - 1], in
// counts[bin * 4 + lane] (four interleaved histograms). With routeNonFinite, NaN and inf go to
// bin `bins` instead; without it they land, harmlessly, in the first or the last bin.
void binFloats(
    const float* v, std::int64_t n, double lo, double scale, int bins, bool routeNonFinite, std::int64_t* counts);

} // namespace ckpt::kernels
