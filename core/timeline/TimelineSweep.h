#pragma once

#include "tensor/Tensor.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ckpt {

// Statistics of a tensor's values over a stretch of its elements; two stretches merge with Chan
// et al.'s update, so a tensor is summed in pieces (in any grouping) without a second read.
struct ValueSums {
    std::int64_t count = 0, finite = 0, zeros = 0, nan = 0, inf = 0;
    double mean = 0, m2 = 0, sumSquares = 0; // over the finite values
    double min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity();

    void merge(const ValueSums& other);
};

// ||a - b||^2, <a, b>, ||a||^2 and ||b||^2 of two tensors of the same shape, over the elements
// finite in both (a NaN is counted in the step's metrics, not spread over its change).
struct PairSums {
    double differenceSquares = 0, dot = 0, aSquares = 0, bSquares = 0;

    void merge(const PairSums& other);
    double change() const;
    double cosine() const;
};

// One tensor at one step, beside the same tensor at the previous step and at its first step
// (null where there is none of its shape). files name the checkpoints, for errors.
struct SweepJob {
    enum Side { Current, Previous, First };
    std::string name;
    std::array<const Tensor*, 3> tensors {};
    std::array<std::string, 3> files;
};

struct SweepSums {
    ValueSums values; // of the current tensor
    PairSums previous, first; // current against previous / first (zero when that side is null)
};

struct SweepOptions {
    std::int64_t chunkElements = 1 << 16; // elements per piece of work (a test sets it small)
    int threads = 0; // 0: one per core
    const std::atomic<bool>* cancel = nullptr;
};

// Reads each job's tensors together, chunk by chunk, once, and sums everything from that one
// read; the chunks of every job go to a pool of threads. The sums are merged in chunk order, so
// they are the same whatever the number of threads. Throws Cancelled when *cancel becomes true,
// and CheckpointError naming the file and tensor when one cannot be read.
std::vector<SweepSums> sweepTensors(const std::vector<SweepJob>& jobs, const SweepOptions& options);

} // namespace ckpt
