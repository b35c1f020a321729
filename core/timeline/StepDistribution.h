#pragma once

#include "numerics/Stats.h"
#include "timeline/Timeline.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ckpt {

// One tensor's values at every step of a run, counted on bins every step shares: they span the
// smallest finite minimum and the largest finite maximum the timeline measured over all steps.
// Exact counts of every element at every step, no sampling.
struct StepDistribution {
    std::string tensor;
    std::vector<double> edges; // bins + 1, numpy's edges for that range
    std::vector<std::vector<std::int64_t>> counts; // per member of the run; empty where absent
    std::vector<std::int64_t> nonFinite; // per member: NaN and ±Inf, not in any bin
};

struct StepDistributionOptions {
    int bins = 64;
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(std::size_t step, std::size_t steps)> progress;
};

// Reads the tensor (by its unwrapped name, as the timeline names it) from each checkpoint it is
// in, one checkpoint open at a time. Throws std::invalid_argument when the timeline has no such
// tensor, CheckpointError naming a checkpoint that cannot be read (or no longer holds it with the
// same shape), and Cancelled.
StepDistribution stepDistribution(
    const RunTimeline& run, const std::string& tensor, const StepDistributionOptions& options = {});

} // namespace ckpt
