#include "timeline/Timeline.h"
#include "timeline/TimelineCache.h"

#include "base/Cancelled.h"
#include "base/CheckpointError.h"
#include "export/ExportPlan.h"
#include "open/ReaderRegistry.h"
#include "timeline/TimelineSweep.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

namespace ckpt {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void into(const ValueSums& v, StepMetrics& m)
{
    m.present = true;
    m.count = v.count;
    m.nan = v.nan;
    m.inf = v.inf;
    m.l2 = std::sqrt(v.sumSquares);
    const bool any = v.finite > 0;
    m.mean = any ? v.mean : kNaN;
    m.std = any ? std::sqrt(v.m2 / double(v.finite)) : kNaN; // population std, as numpy's std()
    m.min = any ? v.min : kNaN;
    m.max = any ? v.max : kNaN;
    m.maxAbs = any ? std::max(std::abs(v.min), std::abs(v.max)) : kNaN;
    m.zeroFraction = v.count ? double(v.zeros) / double(v.count) : 0;
}

// One open checkpoint of the run and its tensors by name.
struct OpenStep {
    std::string path;
    Checkpoint checkpoint;
    std::map<std::string, const Tensor*> tensors;
};

std::shared_ptr<OpenStep> openStep(const RunMember& m, const TimelineOptions& options)
{
    auto step = std::make_shared<OpenStep>();
    step->path = m.path;
    try {
        step->checkpoint = openCheckpoint(m.path);
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw CheckpointError(m.path, e.what());
    }
    step->tensors = tensorsByUnwrappedName(step->checkpoint, options.select);
    return step;
}

// A step taken from the cache whose file has gone since (a training run keeping only its last
// few checkpoints): null, and what is measured against it is left out (NaN).
std::shared_ptr<OpenStep> openStepOrNull(const RunMember& m, const TimelineOptions& options)
{
    try {
        return openStep(m, options);
    } catch (const CheckpointError&) {
        return nullptr;
    }
}

// Step s could not be opened when its turn came (removed or rewritten since the run was listed):
// it leaves the run, said in the plan's skipped entries, as if it had never been listed.
void dropStep(RunTimeline& run, std::size_t s, const std::string& why)
{
    run.plan.skipped.emplace_back(run.plan.members[s].path, "could not be read when its turn came: " + why);
    run.plan.members.erase(run.plan.members.begin() + static_cast<std::ptrdiff_t>(s));
    for (TensorTimeline& line : run.tensors) {
        line.steps.erase(line.steps.begin() + static_cast<std::ptrdiff_t>(s));
        line.shapes.erase(line.shapes.begin() + static_cast<std::ptrdiff_t>(s));
    }
}

const Tensor* sameShaped(const OpenStep* step, const std::string& name, const Tensor& like)
{
    if (!step)
        return nullptr;
    const auto it = step->tensors.find(name);
    return it != step->tensors.end() && it->second->info.shape == like.info.shape ? it->second : nullptr;
}

// One measurement to make at a step, and where its result goes.
struct Pending {
    std::size_t line = 0; // index into run.tensors
    SweepJob job;
    bool firstIsPrevious = false; // the previous step is the tensor's first: its sums serve both
};

// The metrics from one sweep.
void record(const SweepSums& sums, const Pending& p, StepMetrics& m)
{
    into(sums.values, m);
    if (p.job.tensors[SweepJob::Previous]) {
        m.changePrevious = sums.previous.change();
        m.cosinePrevious = sums.previous.cosine();
    }
    const PairSums* first = p.firstIsPrevious ? &sums.previous : p.job.tensors[SweepJob::First] ? &sums.first : nullptr;
    if (first) {
        m.changeFirst = first->change();
        m.cosineFirst = first->cosine();
    }
}

// What the walk over the run keeps from step to step: at most the first and previous
// checkpoints stay open. A step taken from the cache is not opened; it is opened later only if
// a step measured from the files needs it as its previous or first.
struct Walk {
    std::map<std::string, std::size_t> index; // tensor name -> position in run.tensors
    std::map<std::size_t, std::shared_ptr<OpenStep>> firsts; // steps where some tensor first appears
    std::vector<std::size_t> firstStepOf; // per line of run.tensors
    std::shared_ptr<OpenStep> previous; // null after a cached step (or before the first)
    std::set<std::size_t> gone; // cached steps whose files could not be opened: not tried again
};

// A cached step's checkpoint, opened when a measured step needs it; null when its file has gone.
std::shared_ptr<OpenStep> openCachedStep(
    Walk& walk, const RunPlan& plan, std::size_t step, const TimelineOptions& options)
{
    if (walk.gone.count(step))
        return nullptr;
    auto open = openStepOrNull(plan.members[step], options);
    if (!open)
        walk.gone.insert(step);
    return open;
}

// Opens what a measured step s needs that cached steps left closed.
void openWhatCachedStepsSkipped(Walk& walk, const RunPlan& plan, std::size_t s, const TimelineOptions& options)
{
    if (s > 0 && !walk.previous)
        walk.previous = walk.firsts.count(s - 1) && walk.firsts[s - 1] ? walk.firsts[s - 1]
                                                                       : openCachedStep(walk, plan, s - 1, options);
    for (auto& [step, open] : walk.firsts)
        if (!open)
            open = step == s - 1 ? walk.previous : openCachedStep(walk, plan, step, options);
}

// A new line for a tensor first seen at step s, or the existing one; "appears" and "changes
// shape" events as the step is lined up.
TensorTimeline& lineFor(RunTimeline& run, Walk& walk, std::size_t s, const std::string& name, const Shape& shape,
    std::size_t steps, bool& added)
{
    auto [it, isNew] = walk.index.emplace(name, run.tensors.size());
    added = isNew;
    if (isNew) {
        run.tensors.push_back({ name, std::vector<Shape>(steps), std::vector<StepMetrics>(steps) });
        walk.firstStepOf.push_back(s);
        if (s > 0)
            run.events.push_back({ s, name, "appears" });
    }
    TensorTimeline& line = run.tensors[it->second];
    line.shapes[s] = shape;
    if (s > 0 && line.steps[s - 1].present && line.shapes[s - 1] != shape)
        run.events.push_back(
            { s, name, "changes shape from " + shapeToString(line.shapes[s - 1]) + " to " + shapeToString(shape) });
    return line;
}

// Step s from the cache: lined up like a measured step, its checkpoint left closed.
void applyCached(RunTimeline& run, Walk& walk, std::size_t s, const CachedStep& cached, std::size_t steps)
{
    for (const auto& entry : cached.lines) {
        bool added = false;
        lineFor(run, walk, s, entry.name, entry.shape, steps, added).steps[s] = entry.metrics;
        if (added)
            walk.firsts.emplace(s, nullptr);
    }
    walk.previous = nullptr;
}

CachedStep toCache(const RunTimeline& run, const std::vector<Pending>& pending, std::size_t s)
{
    CachedStep step;
    for (const Pending& p : pending) {
        const TensorTimeline& line = run.tensors[p.line];
        step.lines.push_back({ line.name, line.shapes[s], line.steps[s] });
    }
    return step;
}

// Lines up step s's tensors with the run (new lines, "appears" and "changes shape" events) and
// says what to measure for each.
std::vector<Pending> lineUp(
    RunTimeline& run, Walk& walk, std::size_t s, const std::shared_ptr<OpenStep>& current, std::size_t steps)
{
    std::vector<Pending> pending;
    for (const auto& [name, tensor] : current->tensors) {
        bool added = false;
        lineFor(run, walk, s, name, tensor->info.shape, steps, added);
        if (added)
            walk.firsts[s] = current;
        const std::size_t lineIndex = walk.index[name];
        Pending p { lineIndex, { name, { tensor, sameShaped(walk.previous.get(), name, *tensor), nullptr }, {} } };
        p.job.files = { current->path, walk.previous ? walk.previous->path : "", "" };
        const std::size_t first = walk.firstStepOf[lineIndex];
        const OpenStep* atFirst = first != s ? walk.firsts[first].get() : nullptr;
        if (atFirst) {
            p.job.tensors[SweepJob::First] = sameShaped(atFirst, name, *tensor);
            p.job.files[SweepJob::First] = atFirst->path;
        }
        if (p.job.tensors[SweepJob::First] && p.job.tensors[SweepJob::First] == p.job.tensors[SweepJob::Previous]) {
            p.job.tensors[SweepJob::First] = nullptr; // read once, used twice
            p.firstIsPrevious = true;
        }
        pending.push_back(std::move(p));
    }
    return pending;
}

// The events and the first non-finite step, once step s is measured.
void noteStepEnd(RunTimeline& run, std::size_t s)
{
    for (TensorTimeline& line : run.tensors)
        if (s > 0 && line.steps[s - 1].present && !line.steps[s].present)
            run.events.push_back({ s, line.name, "disappears" });
    if (!run.firstNonFiniteStep)
        for (const TensorTimeline& line : run.tensors)
            if (line.steps[s].present && line.steps[s].nan + line.steps[s].inf > 0) {
                run.firstNonFiniteStep = s;
                run.nonFiniteTensors.push_back(line.name);
            }
}

} // namespace

std::map<std::string, const Tensor*> tensorsByUnwrappedName(const Checkpoint& c, const std::vector<std::string>& select)
{
    std::map<std::string, const Tensor*> byName;
    for (const Tensor& t : c.tensors) {
        std::string name = unwrappedName(t.info.name);
        if (byName.count(name))
            name = t.info.name;
        const bool chosen = select.empty()
            || std::any_of(select.begin(), select.end(), [&](const std::string& g) { return globMatch(g, name); });
        if (chosen)
            byName.emplace(std::move(name), &t);
    }
    return byName;
}

RunTimeline computeTimeline(const RunPlan& plan, const TimelineOptions& options)
{
    RunTimeline run;
    run.plan = plan;
    std::size_t steps = plan.members.size();
    const SweepOptions sweep { options.chunkElements, options.threads, options.cancel };
    Walk walk;
    const TimelineCache cache(options.cacheFolder);
    std::uint64_t key = 0;
    for (std::size_t s = 0; s < steps; ++s) {
        if (options.progress)
            options.progress(s, steps);
        if (options.cancel && options.cancel->load())
            throw Cancelled();
        const std::uint64_t keyBefore = key;
        if (!options.cacheFolder.empty()) {
            key = TimelineCache::stepKey(key, run.plan.members[s].path, options.select);
            if (const auto cached = cache.load(key)) {
                applyCached(run, walk, s, *cached, steps);
                noteStepEnd(run, s);
                ++run.stepsFromCache;
                if (options.stepRead)
                    options.stepRead(run, s + 1);
                continue;
            }
            openWhatCachedStepsSkipped(walk, run.plan, s, options);
        }
        std::shared_ptr<OpenStep> current;
        try {
            current = openStep(run.plan.members[s], options);
        } catch (const CheckpointError& e) {
            if (steps == 1)
                throw; // nothing of the run could be read
            dropStep(run, s--, e.reason()); // the next member moves to s, where the loop's ++s returns
            --steps;
            key = keyBefore;
            continue;
        }
        const std::vector<Pending> pending = lineUp(run, walk, s, current, steps);
        std::vector<SweepJob> jobs;
        for (const Pending& p : pending)
            jobs.push_back(p.job);
        const std::vector<SweepSums> sums = sweepTensors(jobs, sweep);
        for (std::size_t i = 0; i < pending.size(); ++i)
            record(sums[i], pending[i], run.tensors[pending[i].line].steps[s]);
        noteStepEnd(run, s);
        walk.previous = current;
        if (!options.cacheFolder.empty())
            cache.store(key, toCache(run, pending, s));
        if (options.stepRead)
            options.stepRead(run, s + 1);
    }
    if (options.progress)
        options.progress(steps, steps);
    return run;
}

RunTimeline firstSteps(const RunTimeline& run, std::size_t n)
{
    RunTimeline out;
    n = std::min(n, run.plan.members.size());
    out.plan = run.plan;
    out.plan.members.resize(n);
    for (const TensorTimeline& line : run.tensors) {
        const bool seen
            = std::any_of(line.steps.begin(), line.steps.begin() + std::ptrdiff_t(std::min(n, line.steps.size())),
                [](const StepMetrics& m) { return m.present; });
        if (!seen)
            continue;
        TensorTimeline& copy = out.tensors.emplace_back(line);
        copy.shapes.resize(n);
        copy.steps.resize(n);
    }
    for (const TimelineEvent& e : run.events)
        if (e.step < n)
            out.events.push_back(e);
    if (run.firstNonFiniteStep && *run.firstNonFiniteStep < n) {
        out.firstNonFiniteStep = run.firstNonFiniteStep;
        out.nonFiniteTensors = run.nonFiniteTensors;
    }
    out.stepsFromCache = std::min(run.stepsFromCache, n);
    out.stepsNotYetRead = run.plan.members.size() - n;
    return out;
}

std::vector<std::pair<std::string, double>> tensorsByChange(const RunTimeline& run)
{
    std::vector<std::pair<std::string, double>> changes;
    for (const TensorTimeline& line : run.tensors)
        for (std::size_t s = line.steps.size(); s-- > 0;)
            if (line.steps[s].present) {
                if (!std::isnan(line.steps[s].changeFirst))
                    changes.emplace_back(line.name, line.steps[s].changeFirst);
                break;
            }
    std::stable_sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return changes;
}

} // namespace ckpt
