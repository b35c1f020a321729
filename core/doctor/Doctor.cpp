#include "doctor/Doctor.h"

#include "base/Cancelled.h"
#include "doctor/SameBytes.h"
#include "numerics/Stats.h"
#include "tensor/DType.h"

#include <cstdio>
#include <string>

namespace ckpt {
namespace {

// A tensor of which more than this fraction of values is denormal is "mostly denormal".
constexpr double kMostlyDenormal = 0.5;

std::string number(double x)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", x);
    return text;
}

std::string count(std::int64_t n)
{
    return std::to_string(n);
}

bool endsWith(const std::string& s, std::string_view tail)
{
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// BatchNorm's running variance as PyTorch ("running_var") and Keras ("moving_variance") name it.
bool isRunningVariance(const std::string& name)
{
    return endsWith(name, "running_var") || endsWith(name, "moving_variance") || endsWith(name, "moving_variance:0");
}

// Every value the same finite number (zero included).
bool isConstant(const TensorStats& f)
{
    return f.count > 0 && f.finite == f.count && f.min == f.max;
}

void valueFindings(const Tensor& t, const TensorStats& f, std::vector<Finding>& out)
{
    const std::string& name = t.info.name;
    const std::string of = " of " + count(f.count) + " values";
    if (f.nan > 0)
        out.push_back({ "nan", name, count(f.nan) + " NaN" + of });
    if (f.posInf + f.negInf > 0)
        out.push_back({ "inf", name, count(f.posInf) + " +Inf, " + count(f.negInf) + " -Inf" + of });
    // Scalars and integer tensors (step counters, indices) are constant by nature.
    if (isFloating(t.info.dtype) && f.count >= 2 && isConstant(f)) {
        if (f.min == 0)
            out.push_back({ "all-zero", name, "all " + count(f.count) + " values are 0" });
        else
            out.push_back({ "constant", name, "all " + count(f.count) + " values are " + number(f.min) });
    }
    if (f.beyondHalf > 0)
        out.push_back({ "beyond-float16", name,
            count(f.beyondHalf) + of + " are beyond float16's range (min " + number(f.min) + ", max " + number(f.max)
                + "): cast to float16 they become infinite" });
    if (isRunningVariance(name) && f.finite > 0 && f.min <= 0) {
        out.push_back({ "running-var", name, "a variance must be > 0; min " + number(f.min) });
    }
    if (f.count > 0 && double(f.denormals) > kMostlyDenormal * double(f.count))
        out.push_back({ "denormal", name,
            count(f.denormals) + of + " are denormal (nonzero, below the smallest normal "
                + std::string(dtypeName(t.info.dtype)) + ")" });
}

// Tensors with the same bytes under two names: each is reported once, against the first name
// that holds those bytes. Constant tensors are left out (equal by nature, and reported above).
void duplicateFindings(const Checkpoint& c, const std::vector<std::optional<TensorStats>>& facts,
    const std::atomic<bool>* cancel, std::vector<Finding>& out)
{
    std::vector<bool> reported(c.tensors.size(), false);
    for (std::size_t i = 0; i < c.tensors.size(); ++i) {
        if (!facts[i] || reported[i] || facts[i]->count < 2 || isConstant(*facts[i]))
            continue;
        for (std::size_t j = i + 1; j < c.tensors.size(); ++j) {
            if (reported[j] || !facts[j] || !mayBeSame(c.tensors[i], *facts[i], c.tensors[j], *facts[j]))
                continue;
            if (!sameBytes(c.tensors[i], c.tensors[j], cancel))
                continue;
            reported[j] = true;
            const auto bytes = std::uint64_t(facts[j]->count) * dtypeSize(c.tensors[j].info.dtype);
            out.push_back({ "duplicate", c.tensors[j].info.name,
                "the same " + std::to_string(bytes) + " bytes as " + c.tensors[i].info.name + " (tied or copied)" });
        }
    }
}

} // namespace

DoctorReport diagnose(const Checkpoint& checkpoint, const DoctorOptions& options)
{
    DoctorReport report;
    std::vector<std::optional<TensorStats>> facts(checkpoint.tensors.size());
    StatsOptions statsOptions;
    statsOptions.cancel = options.cancel;
    for (std::size_t i = 0; i < checkpoint.tensors.size(); ++i) {
        const Tensor& t = checkpoint.tensors[i];
        if (options.progress)
            options.progress(double(i) / double(checkpoint.tensors.size()));
        try {
            if (!t.info.unreadable.empty())
                throw std::runtime_error(t.info.unreadable);
            facts[i] = computeStats(t, statsOptions);
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            report.findings.push_back({ "unreadable", t.info.name, e.what() });
            continue;
        }
        valueFindings(t, *facts[i], report.findings);
        ++report.tensorsChecked;
    }
    duplicateFindings(checkpoint, facts, options.cancel, report.findings);
    if (options.reference) {
        StateDictCheckOptions o = options.referenceOptions;
        o.cancel = options.cancel;
        report.againstReference = checkAgainstReference(checkpoint, *options.reference, o);
        for (const Finding& f : report.againstReference->findings)
            report.findings.push_back(f);
    }
    if (options.progress)
        options.progress(1.0);
    return report;
}

} // namespace ckpt
