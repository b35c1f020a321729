#include "timeline/TimelineReport.h"

#include "report/Csv.h"
#include "report/PrintableText.h"

#include <cmath>
#include <cstdio>

namespace ckpt {

namespace {

nlohmann::ordered_json number(double v)
{
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

const char* orderName(StepOrder order)
{
    return order == StepOrder::Name ? "name" : order == StepOrder::Meta ? "meta" : "mtime";
}

} // namespace

nlohmann::ordered_json timelineJson(const RunTimeline& run)
{
    nlohmann::ordered_json j;
    j["order"] = orderName(run.plan.order);
    j["order_rule"] = run.plan.orderWhy;
    j["steps_from_cache"] = run.stepsFromCache;
    for (const RunMember& m : run.plan.members)
        j["steps"].push_back({ { "step", m.step }, { "file", printable(m.path) } });
    j["skipped"] = nlohmann::ordered_json::array();
    for (const auto& [path, why] : run.plan.skipped)
        j["skipped"].push_back({ { "file", printable(path) }, { "reason", printable(why) } });
    j["tensors"] = nlohmann::ordered_json::array();
    for (const TensorTimeline& line : run.tensors) {
        nlohmann::ordered_json steps = nlohmann::ordered_json::array();
        for (std::size_t s = 0; s < line.steps.size(); ++s) {
            const StepMetrics& m = line.steps[s];
            if (!m.present) {
                steps.push_back(nullptr);
                continue;
            }
            steps.push_back({ { "shape", line.shapes[s] }, { "count", m.count }, { "l2", number(m.l2) },
                { "mean", number(m.mean) }, { "std", number(m.std) }, { "min", number(m.min) },
                { "max", number(m.max) }, { "max_abs", number(m.maxAbs) }, { "zero_fraction", number(m.zeroFraction) },
                { "nan", m.nan }, { "inf", m.inf }, { "change_previous", number(m.changePrevious) },
                { "change_first", number(m.changeFirst) }, { "cosine_previous", number(m.cosinePrevious) },
                { "cosine_first", number(m.cosineFirst) } });
        }
        j["tensors"].push_back({ { "name", printable(line.name) }, { "steps", steps } });
    }
    j["events"] = nlohmann::ordered_json::array();
    for (const TimelineEvent& e : run.events)
        j["events"].push_back({ { "step_index", e.step }, { "tensor", printable(e.tensor) }, { "what", e.what } });
    auto& summary = j["summary"];
    summary["first_nonfinite_step_index"]
        = run.firstNonFiniteStep ? nlohmann::ordered_json(*run.firstNonFiniteStep) : nlohmann::ordered_json(nullptr);
    summary["nonfinite_tensors"] = nlohmann::ordered_json::array();
    for (const std::string& name : run.nonFiniteTensors)
        summary["nonfinite_tensors"].push_back(printable(name));
    summary["change_from_first"] = nlohmann::ordered_json::array();
    for (const auto& [name, change] : tensorsByChange(run))
        summary["change_from_first"].push_back({ { "tensor", printable(name) }, { "change", number(change) } });
    return j;
}

void writeTimelineCsv(const RunTimeline& run, std::ostream& out)
{
    out << "step_index,step,file,tensor,shape,count,l2,mean,std,min,max,max_abs,zero_fraction,nan,inf,"
           "change_previous,change_first,cosine_previous,cosine_first\n";
    for (std::size_t s = 0; s < run.plan.members.size(); ++s)
        for (const TensorTimeline& line : run.tensors) {
            const StepMetrics& m = line.steps[s];
            if (!m.present)
                continue;
            out << s << ',' << csvNumber(run.plan.members[s].step) << ','
                << csvField(printable(run.plan.members[s].path)) << ',' << csvField(printable(line.name)) << ','
                << csvField(shapeToString(line.shapes[s])) << ',' << m.count;
            for (double v : { m.l2, m.mean, m.std, m.min, m.max, m.maxAbs, m.zeroFraction })
                out << ',' << csvNumber(v);
            out << ',' << m.nan << ',' << m.inf;
            for (double v : { m.changePrevious, m.changeFirst, m.cosinePrevious, m.cosineFirst })
                out << ',' << csvNumber(v);
            out << '\n';
        }
}

void writeDistributionCsv(const RunTimeline& run, const StepDistribution& d, std::ostream& out)
{
    out << "step_index,step,file,bin_low,bin_high,count,nonfinite\n";
    for (std::size_t s = 0; s < d.counts.size(); ++s)
        for (std::size_t b = 0; b < d.counts[s].size(); ++b)
            out << s << ',' << csvNumber(run.plan.members[s].step) << ','
                << csvField(printable(run.plan.members[s].path)) << ',' << csvNumber(d.edges[b]) << ','
                << csvNumber(d.edges[b + 1]) << ',' << d.counts[s][b] << ',' << d.nonFinite[s] << '\n';
}

nlohmann::ordered_json distributionJson(const RunTimeline& run, const StepDistribution& d)
{
    nlohmann::ordered_json j;
    j["tensor"] = printable(d.tensor);
    j["edges"] = nlohmann::ordered_json::array();
    for (double e : d.edges)
        j["edges"].push_back(number(e));
    j["steps"] = nlohmann::ordered_json::array();
    for (std::size_t s = 0; s < d.counts.size(); ++s) {
        nlohmann::ordered_json step;
        step["step"] = number(run.plan.members[s].step);
        step["file"] = printable(run.plan.members[s].path);
        step["counts"] = d.counts[s].empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(d.counts[s]);
        step["nonfinite"] = d.nonFinite[s];
        j["steps"].push_back(std::move(step));
    }
    return j;
}

void writeTimelineSummary(const RunTimeline& run, std::ostream& out)
{
    const auto& members = run.plan.members;
    out << members.size() << (members.size() == 1 ? " checkpoint" : " checkpoints") << ", ordered " << run.plan.orderWhy
        << ":\n";
    for (std::size_t s = 0; s < members.size(); ++s)
        out << "  " << s << "  step " << csvNumber(members[s].step) << "  " << printable(members[s].path) << "\n";
    for (const auto& [path, why] : run.plan.skipped)
        out << "skipped " << printable(path) << ": " << printable(why) << "\n";
    out << run.tensors.size() << (run.tensors.size() == 1 ? " tensor\n" : " tensors\n");
    if (run.stepsFromCache > 0)
        out << run.stepsFromCache << " of " << members.size() << " steps from the cache\n";
    if (run.firstNonFiniteStep) {
        out << "first NaN or Inf at step " << csvNumber(members[*run.firstNonFiniteStep].step) << " (index "
            << *run.firstNonFiniteStep << ") in:";
        for (const std::string& name : run.nonFiniteTensors)
            out << " " << printable(name);
        out << "\n";
    } else {
        out << "no NaN or Inf at any step\n";
    }
    // All of them when few; else the five that changed most and the five that changed least.
    const auto changes = tensorsByChange(run);
    const auto list = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i)
            out << "  " << printable(changes[i].first) << "  " << csvNumber(changes[i].second) << "\n";
    };
    if (!changes.empty())
        out << "change since the first step (||W - W0|| / ||W0||), largest first:\n";
    if (changes.size() <= 10) {
        list(0, changes.size());
    } else {
        list(0, 5);
        out << "  …\n";
        list(changes.size() - 5, changes.size());
    }
    for (const TimelineEvent& e : run.events)
        out << "step " << csvNumber(members[e.step].step) << ": " << printable(e.tensor) << " " << e.what << "\n";
}

} // namespace ckpt
