#include "timeline/StepDistribution.h"

#include "base/Cancelled.h"
#include "base/CheckpointError.h"
#include "compare/ElementReads.h"
#include "open/ReaderRegistry.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ckpt {

namespace {

const TensorTimeline& lineNamed(const RunTimeline& run, const std::string& name)
{
    for (const auto& t : run.tensors)
        if (t.name == name)
            return t;
    throw std::invalid_argument("no tensor '" + name + "' in this run");
}

// The bins' range: the finite values of every step (a step with none adds nothing).
std::pair<double, double> finiteRange(const TensorTimeline& line)
{
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const StepMetrics& m : line.steps)
        if (m.present && m.count > m.nan + m.inf) {
            lo = std::min(lo, m.min);
            hi = std::max(hi, m.max);
        }
    return { lo, hi };
}

Histogram countStep(const RunMember& member, const TensorTimeline& line, std::size_t s, const Histogram& empty,
    std::int64_t& nonFinite, const std::atomic<bool>* cancel)
{
    Checkpoint checkpoint;
    try {
        checkpoint = openCheckpoint(member.path);
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw CheckpointError(member.path, e.what());
    }
    const auto tensors = tensorsByUnwrappedName(checkpoint, {});
    const auto it = tensors.find(line.name);
    if (it == tensors.end() || it->second->info.shape != line.shapes[s])
        throw CheckpointError(member.path, "'" + line.name + "' changed since the run was read; read it again");
    Histogram h = empty;
    try {
        forEachValueChunk(*it->second, cancel, [&](const double* v, std::int64_t n) {
            addToHistogram(h, v, n);
            nonFinite += std::count_if(v, v + n, [](double x) { return !std::isfinite(x); });
        });
    } catch (const Cancelled&) {
        throw;
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw CheckpointError(member.path, line.name + ": " + e.what());
    }
    return h;
}

} // namespace

StepDistribution stepDistribution(
    const RunTimeline& run, const std::string& tensor, const StepDistributionOptions& options)
{
    const TensorTimeline& line = lineNamed(run, tensor);
    const auto [lo, hi] = finiteRange(line);
    const Histogram empty = emptyHistogram(lo, hi, std::max(1, options.bins));
    StepDistribution out;
    out.tensor = tensor;
    out.edges = empty.edges;
    const std::size_t steps = run.plan.members.size();
    out.counts.resize(steps);
    out.nonFinite.assign(steps, 0);
    for (std::size_t s = 0; s < steps && s < line.steps.size(); ++s) {
        if (options.cancel && options.cancel->load())
            throw Cancelled();
        if (options.progress)
            options.progress(s, steps);
        if (line.steps[s].present)
            out.counts[s] = countStep(run.plan.members[s], line, s, empty, out.nonFinite[s], options.cancel).counts;
    }
    return out;
}

} // namespace ckpt
