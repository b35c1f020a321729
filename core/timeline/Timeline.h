#pragma once

#include "tensor/Checkpoint.h"
#include "tensor/Shape.h"
#include "timeline/RunPlan.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
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
    std::size_t stepsNotYetRead = 0; // a partial result (firstSteps): members listed but not read yet
};

struct TimelineOptions {
    std::vector<std::string> select; // globs on the unwrapped names; empty: every tensor
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(std::size_t step, std::size_t steps)> progress;
    int threads = 0; // 0: one per core; the numbers are the same on any number
    std::int64_t chunkElements = 1 << 16; // elements per piece of work (tests set it small)
    // Where to keep each step's results (TimelineCache); empty: no cache.
    std::string cacheFolder;
    // After each step, from the calling thread: the run so far (steps not read yet are absent).
    std::function<void(const RunTimeline& run, std::size_t stepsRead)> stepRead;
};

// Reads the run checkpoint by checkpoint: at most the first, the previous and the current one
// are open at a time (memory does not grow with the number of steps). Each tensor is read once
// per step, beside its previous and first self, its chunks spread over threads. A checkpoint
// that no longer opens when its turn comes (removed or rewritten since the run was listed, as
// training runs that keep their last few checkpoints do) leaves the run and is listed in
// plan.skipped; one that fails while it is read (truncated under the sweep) throws CheckpointError
// naming it, as does a run none of whose checkpoints opens. Progress is reported per step, from
// the calling thread.
RunTimeline computeTimeline(const RunPlan& plan, const TimelineOptions& options = {});

// A checkpoint's tensors by unwrapped name (the first of two that unwrap alike keeps the short
// name, the other its full one), restricted to the selection (globs; empty: all).
std::map<std::string, const Tensor*> tensorsByUnwrappedName(
    const Checkpoint& checkpoint, const std::vector<std::string>& select);

// The run as if it ended after its first n steps (what a partial read has shown so far).
RunTimeline firstSteps(const RunTimeline& run, std::size_t n);

// The tensors ordered by their change from the first step at the last step they are in, largest
// first (the frozen ones come last); tensors with no such change are left out.
std::vector<std::pair<std::string, double>> tensorsByChange(const RunTimeline& run);

} // namespace ckpt
