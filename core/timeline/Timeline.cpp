#include "timeline/Timeline.h"

#include "base/CheckpointError.h"
#include "compare/ElementReads.h"
#include "export/ExportPlan.h"
#include "open/ReaderRegistry.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

namespace ckpt {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Statistics of one tensor's values, streamed chunk by chunk: each chunk's mean and sum of
// squared deviations in two passes over the chunk (no division per element), merged across
// chunks with Chan et al.'s update, which keeps the variance accurate without a second read.
struct ValueSums {
    std::int64_t count = 0, finite = 0, zeros = 0, nan = 0, inf = 0;
    double mean = 0, m2 = 0, sumSquares = 0;
    double min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity();

    void add(const double* v, std::int64_t n)
    {
        count += n;
        std::int64_t k = 0;
        double sum = 0, squares = 0, lo = min, hi = max;
        for (std::int64_t i = 0; i < n; ++i) {
            const double x = v[i];
            if (!std::isfinite(x)) {
                nan += std::isnan(x);
                inf += std::isinf(x);
                continue;
            }
            ++k;
            zeros += x == 0;
            sum += x;
            squares += x * x;
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
        if (k == 0)
            return;
        const double chunkMean = sum / double(k);
        double chunkM2 = 0;
        for (std::int64_t i = 0; i < n; ++i)
            if (std::isfinite(v[i]))
                chunkM2 += (v[i] - chunkMean) * (v[i] - chunkMean);
        const double total = double(finite + k), delta = chunkMean - mean;
        m2 += chunkM2 + delta * delta * double(finite) * double(k) / total;
        mean += delta * double(k) / total;
        finite += k;
        sumSquares += squares;
        min = lo;
        max = hi;
    }

    void into(StepMetrics& m) const
    {
        m.present = true;
        m.count = count;
        m.nan = nan;
        m.inf = inf;
        m.l2 = std::sqrt(sumSquares);
        m.mean = finite ? mean : kNaN;
        m.std = finite ? std::sqrt(m2 / double(finite)) : kNaN; // population std, as numpy's std()
        m.min = finite ? min : kNaN;
        m.max = finite ? max : kNaN;
        m.maxAbs = finite ? std::max(std::abs(min), std::abs(max)) : kNaN;
        m.zeroFraction = count ? double(zeros) / double(count) : 0;
    }
};

// ||a - b||^2, <a, b>, ||a||^2 and ||b||^2 of two tensors of the same shape, over the elements
// finite in both (a NaN is counted in the step's metrics, not spread over its change).
struct PairSums {
    double differenceSquares = 0, dot = 0, aSquares = 0, bSquares = 0;

    void add(const double* a, const double* b, std::int64_t n)
    {
        for (std::int64_t i = 0; i < n; ++i) {
            if (!std::isfinite(a[i]) || !std::isfinite(b[i]))
                continue;
            const double d = a[i] - b[i];
            differenceSquares += d * d;
            dot += a[i] * b[i];
            aSquares += a[i] * a[i];
            bSquares += b[i] * b[i];
        }
    }
    double change() const { return std::sqrt(differenceSquares) / std::sqrt(bSquares); }
    double cosine() const { return dot / (std::sqrt(aSquares) * std::sqrt(bSquares)); }
};

// A checkpoint's tensors by unwrapped name (the first of two that unwrap alike keeps the short
// name, the other its full one), restricted to the selection.
std::map<std::string, const Tensor*> tensorsByName(const Checkpoint& c, const std::vector<std::string>& select)
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

// One open checkpoint of the run and its tensors by name.
struct OpenStep {
    Checkpoint checkpoint;
    std::map<std::string, const Tensor*> tensors;
};

std::shared_ptr<OpenStep> openStep(const RunMember& m, const TimelineOptions& options)
{
    auto step = std::make_shared<OpenStep>();
    try {
        step->checkpoint = openCheckpoint(m.path);
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw CheckpointError(m.path, e.what());
    }
    step->tensors = tensorsByName(step->checkpoint, options.select);
    return step;
}

const Tensor* sameShaped(const OpenStep* step, const std::string& name, const Tensor& like)
{
    if (!step)
        return nullptr;
    const auto it = step->tensors.find(name);
    return it != step->tensors.end() && it->second->info.shape == like.info.shape ? it->second : nullptr;
}

// Reads `t` once, with `previous` beside it when there is one.
void measure(const Tensor& t, const Tensor* previous, const TimelineOptions& options, StepMetrics& m)
{
    ValueSums values;
    PairSums pair;
    if (previous) {
        forEachPairedChunk(t, *previous, false, options.cancel, [&](const PairedChunk& c) {
            values.add(c.a, c.n);
            pair.add(c.a, c.b, c.n);
        });
        m.changePrevious = pair.change();
        m.cosinePrevious = pair.cosine();
    } else {
        forEachValueChunk(t, options.cancel, [&](const double* v, std::int64_t n) { values.add(v, n); });
    }
    values.into(m);
}

void compareWithFirst(const Tensor& t, const Tensor& first, const TimelineOptions& options, StepMetrics& m)
{
    PairSums pair;
    forEachPairedChunk(t, first, false, options.cancel, [&](const PairedChunk& c) { pair.add(c.a, c.b, c.n); });
    m.changeFirst = pair.change();
    m.cosineFirst = pair.cosine();
}

} // namespace

RunTimeline computeTimeline(const RunPlan& plan, const TimelineOptions& options)
{
    RunTimeline run;
    run.plan = plan;
    const std::size_t steps = plan.members.size();
    std::map<std::string, std::size_t> index; // tensor name -> position in run.tensors
    std::map<std::size_t, std::shared_ptr<OpenStep>> firsts; // steps where some tensor first appears
    std::vector<std::size_t> firstStepOf;
    std::shared_ptr<OpenStep> previous;
    for (std::size_t s = 0; s < steps; ++s) {
        if (options.progress)
            options.progress(s, steps);
        const auto current = openStep(plan.members[s], options);
        for (const auto& [name, tensor] : current->tensors) {
            auto [it, added] = index.emplace(name, run.tensors.size());
            if (added) {
                run.tensors.push_back({ name, std::vector<Shape>(steps), std::vector<StepMetrics>(steps) });
                firstStepOf.push_back(s);
                firsts[s] = current;
                if (s > 0)
                    run.events.push_back({ s, name, "appears" });
            }
            TensorTimeline& line = run.tensors[it->second];
            line.shapes[s] = tensor->info.shape;
            if (s > 0 && line.steps[s - 1].present && line.shapes[s - 1] != tensor->info.shape)
                run.events.push_back({ s, name,
                    "changes shape from " + shapeToString(line.shapes[s - 1]) + " to "
                        + shapeToString(tensor->info.shape) });
            StepMetrics& m = line.steps[s];
            const Tensor* before = sameShaped(previous.get(), name, *tensor);
            measure(*tensor, before, options, m);
            const std::size_t first = firstStepOf[it->second];
            if (first == s)
                continue;
            const Tensor* atFirst = sameShaped(firsts[first].get(), name, *tensor);
            if (atFirst && first + 1 == s && before == atFirst) {
                m.changeFirst = m.changePrevious; // the previous step is the first: the same sums
                m.cosineFirst = m.cosinePrevious;
            } else if (atFirst) {
                compareWithFirst(*tensor, *atFirst, options, m);
            }
        }
        for (TensorTimeline& line : run.tensors)
            if (s > 0 && line.steps[s - 1].present && !line.steps[s].present)
                run.events.push_back({ s, line.name, "disappears" });
        if (!run.firstNonFiniteStep)
            for (const TensorTimeline& line : run.tensors)
                if (line.steps[s].present && line.steps[s].nan + line.steps[s].inf > 0) {
                    run.firstNonFiniteStep = s;
                    run.nonFiniteTensors.push_back(line.name);
                }
        previous = current;
    }
    if (options.progress)
        options.progress(steps, steps);
    return run;
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
