#pragma once

#include "tensor/Shape.h"
#include "timeline/RunPlan.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

// One tensor at one step of a run. Change and cosine are against the same tensor at the
// previous step and at the first step it appeared in, when it has the same shape there (else NaN):
// change = ||W_t - W_ref|| / ||W_ref||, cosine = <W_t, W_ref> / (||W_t|| ||W_ref||), over the
// elements finite at both steps.
struct StepMetrics {
    bool present = false; // the tensor is in this checkpoint
    std::int64_t count = 0;
    double l2 = 0, mean = 0, std = 0, min = 0, max = 0, maxAbs = 0, zeroFraction = 0; // over finite values
    std::int64_t nan = 0, inf = 0;
    double changePrevious = std::numeric_limits<double>::quiet_NaN();
    double changeFirst = std::numeric_limits<double>::quiet_NaN();
    double cosinePrevious = std::numeric_limits<double>::quiet_NaN();
    double cosineFirst = std::numeric_limits<double>::quiet_NaN();
};

struct TensorTimeline {
    std::string name; // after unwrappedName
    std::vector<Shape> shapes; // per step (empty where absent)
    std::vector<StepMetrics> steps; // one per member of the run
};

// What happened to tensors across the run: "appears", "disappears", "changes shape".
struct TimelineEvent {
    std::size_t step = 0; // index into the run's members
    std::string tensor;
    std::string what;
};

struct RunTimeline {
    RunPlan plan;
    std::vector<TensorTimeline> tensors; // in the order they first appear
    std::vector<TimelineEvent> events;
    // The first step where some tensor holds a NaN or an infinity, and those tensors.
    std::optional<std::size_t> firstNonFiniteStep;
    std::vector<std::string> nonFiniteTensors;
    std::size_t stepsFromCache = 0; // steps whose results came from the cache, not the files
};

struct TimelineOptions {
    std::vector<std::string> select; // globs on the unwrapped names; empty: every tensor
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(std::size_t step, std::size_t steps)> progress;
    int threads = 0; // 0: one per core; the numbers are the same on any number
    std::int64_t chunkElements = 1 << 16; // elements per piece of work (tests set it small)
    // Where to keep each step's results (TimelineCache); empty: no cache.
    std::string cacheFolder;
};

// Reads the run checkpoint by checkpoint: at most the first, the previous and the current one
// are open at a time (memory does not grow with the number of steps). Each tensor is read once
// per step, beside its previous and first self, its chunks spread over threads. A checkpoint
// that cannot be read throws CheckpointError naming it; progress is reported per step, from the
// calling thread.
RunTimeline computeTimeline(const RunPlan& plan, const TimelineOptions& options = {});

// The tensors ordered by their change from the first step at the last step they are in, largest
// first (the frozen ones come last); tensors with no such change are left out.
std::vector<std::pair<std::string, double>> tensorsByChange(const RunTimeline& run);

} // namespace ckpt
