#pragma once

#include "base/Cancelled.h"
#include "tensor/Tensor.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace ckpt {

// N equal-width bins: edges has N+1 entries, counts N.
struct Histogram {
    std::vector<double> edges;
    std::vector<std::int64_t> counts;
};

// Bins over [lo, hi] with no counts yet, by numpy's conventions: a single value v gets
// [v - 0.5, v + 0.5], no finite values (lo > hi or NaN) [0, 1].
Histogram emptyHistogram(double lo, double hi, int bins);

// Counts the finite values into h's bins exactly as numpy.histogram does with those edges (each
// bin holds its lower edge, the last also its upper one; values outside are not counted).
void addToHistogram(Histogram& h, const double* values, std::int64_t n);

// Statistics of a tensor's values (complex tensors: of |z|; bool: 0/1).
// min, max, mean and std (population) are over the finite values; NaN when there are none.
struct TensorStats {
    std::int64_t count = 0; // all elements
    std::int64_t finite = 0;
    double min = 0, max = 0, mean = 0, std = 0;
    std::int64_t nan = 0, posInf = 0, negInf = 0, zeros = 0;
    std::int64_t denormals = 0; // nonzero finite values below the dtype's smallest normal number
    std::int64_t beyondHalf = 0; // finite values float16 makes infinite (|x| >= 65520; float32/64, bf16)
    Histogram histogram; // over [min, max] of the finite values
};

struct StatsOptions {
    int bins = 256;
    const std::atomic<bool>* cancel = nullptr; // set to true to stop; computeStats throws Cancelled
    std::function<void(double)> progress; // 0..1, called from the calling thread
    int threads = 0; // 0: one per core
    // Mapped data: ask the kernel for the bytes ahead of each chunk (madvise). False where a
    // MappedReadAhead already reads all of the tensor ahead of a sweep over many (covers()):
    // the sweep's own requests would only queue behind it, and wait there.
    bool adviseReadAhead = true;
};

// Streams the tensor's data in chunks (never the whole tensor at once).
TensorStats computeStats(const Tensor& tensor, const StatsOptions& options = {});
// The same over values already in memory.
TensorStats computeStats(const double* values, std::int64_t n, int bins = 256);

} // namespace ckpt
