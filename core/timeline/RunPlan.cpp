#include "timeline/RunPlan.h"

#include "base/CheckpointError.h"
#include "open/ReaderRegistry.h"
#include "tensor/NameOrder.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <regex>
#include <set>
#include <stdexcept>

namespace ckpt {

namespace fs = std::filesystem;

namespace {

// A TensorFlow data shard ("model.ckpt-1000.data-00000-of-00001") belongs to its index.
bool isDataShard(const std::string& name)
{
    static const std::regex shard(R"(.*\.data-\d+-of-\d+$)");
    return std::regex_match(name, shard);
}

struct Candidate {
    std::string path, label;
    bool explicitlyGiven = false;
    bool opened = false; // already opened as a checkpoint, metaStep read from it then
    std::optional<double> metaStep = std::nullopt;
};

// Each path as given, or a folder's entries when it is a folder of checkpoints (a folder that
// opens as one checkpoint, like a Hugging Face save, is one member).
std::vector<Candidate> candidatesOf(const std::vector<std::string>& paths, RunPlan& plan)
{
    std::vector<Candidate> found;
    for (const std::string& path : paths) {
        std::error_code ec;
        const bool folder = fs::is_directory(path, ec);
        const std::string label = fs::path(path).filename().string();
        if (!folder) {
            found.push_back({ path, label, true });
            continue;
        }
        try { // a checkpoint folder (config.json and weights): one member
            found.push_back({ path, label, true, true, stepInMetadata(openCheckpoint(path)) });
            continue;
        } catch (const std::exception&) {
        }
        std::vector<std::string> entries;
        for (const auto& e : fs::directory_iterator(path, fs::directory_options::skip_permission_denied, ec))
            entries.push_back(e.path().filename().string());
        if (ec)
            throw CheckpointError(path, "cannot list the folder: " + ec.message());
        std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return naturalLess(a, b); });
        for (const std::string& name : entries) {
            if (name.empty() || name[0] == '.')
                continue;
            if (isDataShard(name)) {
                plan.skipped.emplace_back((fs::path(path) / name).string(), "data shard of a TensorFlow checkpoint");
                continue;
            }
            found.push_back({ (fs::path(path) / name).string(), name, false });
        }
    }
    return found;
}

bool distinct(const std::vector<double>& steps)
{
    std::set<double> seen(steps.begin(), steps.end());
    return seen.size() == steps.size();
}

// The numbers of one rule for every member; none when the rule does not give every member one.
// metaSteps: each member's stepInMetadata, read when it was opened to see that it is a checkpoint.
std::optional<std::vector<double>> stepsBy(
    StepOrder order, const std::vector<RunMember>& members, const std::vector<std::optional<double>>& metaSteps)
{
    std::vector<double> steps;
    for (std::size_t i = 0; i < members.size(); ++i) {
        const RunMember& m = members[i];
        std::optional<double> step;
        if (order == StepOrder::Name)
            step = stepInName(m.label);
        else if (order == StepOrder::Meta)
            step = metaSteps[i];
        else {
            std::error_code ec;
            const auto time = fs::last_write_time(m.path, ec);
            if (!ec)
                step = double(std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::file_clock::to_sys(time).time_since_epoch())
                                  .count());
        }
        if (!step)
            return std::nullopt;
        steps.push_back(*step);
    }
    return steps;
}

const char* ruleText(StepOrder order)
{
    switch (order) {
    case StepOrder::Name:
        return "by the number in each file or folder name";
    case StepOrder::Meta:
        return "by the epoch or step recorded in each checkpoint";
    default:
        return "by modification time";
    }
}

} // namespace

std::optional<double> stepInName(const std::string& name)
{
    static const std::regex number(R"((\d+))");
    std::optional<double> last;
    for (auto it = std::sregex_iterator(name.begin(), name.end(), number); it != std::sregex_iterator(); ++it)
        if (it->str().size() <= 15) // exact in a double
            last = std::stod(it->str());
    return last;
}

std::optional<double> stepInMetadata(const std::string& path)
{
    return stepInMetadata(openCheckpoint(path));
}

std::optional<double> stepInMetadata(const Checkpoint& c)
{
    for (const char* wanted : { "global_step", "step", "epoch" })
        for (const auto& [key, value] : c.metadata.items()) {
            const std::size_t cut = key.find_last_of("/.");
            const std::string last = cut == std::string::npos ? key : key.substr(cut + 1);
            if (last == wanted && value.is_number())
                return value.get<double>();
        }
    return std::nullopt;
}

std::string unwrappedName(std::string name)
{
    static const std::array<std::string_view, 5> wrappers { "module.", "_orig_mod.", "model_state_dict.", "state_dict.",
        "model." };
    for (bool again = true; again;) {
        again = false;
        for (std::string_view w : wrappers)
            if (name.size() > w.size() && name.compare(0, w.size(), w) == 0) {
                name.erase(0, w.size());
                again = true;
            }
    }
    return name;
}

RunPlan planRun(const std::vector<std::string>& paths, StepOrder order)
{
    RunPlan plan;
    std::vector<std::optional<double>> metaSteps; // per member: opened once here, not again to order
    for (const Candidate& c : candidatesOf(paths, plan)) {
        std::optional<double> metaStep = c.metaStep;
        try { // a folder's entry may be anything: said why it is not a member
            if (!c.opened)
                metaStep = stepInMetadata(openCheckpoint(c.path));
        } catch (const CheckpointError& e) {
            if (c.explicitlyGiven)
                throw;
            plan.skipped.emplace_back(c.path, e.reason());
            continue;
        } catch (const std::exception& e) {
            if (c.explicitlyGiven)
                throw CheckpointError(c.path, e.what());
            plan.skipped.emplace_back(c.path, e.what());
            continue;
        }
        plan.members.push_back({ c.path, c.label, 0 });
        metaSteps.push_back(metaStep);
    }
    if (plan.members.empty())
        throw std::invalid_argument("no checkpoint in the run");
    std::optional<std::vector<double>> steps;
    for (StepOrder rule : { StepOrder::Name, StepOrder::Meta, StepOrder::Mtime }) {
        if (order != StepOrder::Auto && order != rule)
            continue;
        steps = stepsBy(rule, plan.members, metaSteps);
        if (steps && (order == rule || distinct(*steps))) {
            plan.order = rule;
            break;
        }
        steps.reset();
    }
    if (!steps)
        throw std::invalid_argument(std::string("cannot order the run ") + ruleText(order));
    for (std::size_t i = 0; i < plan.members.size(); ++i)
        plan.members[i].step = (*steps)[i];
    std::stable_sort(plan.members.begin(), plan.members.end(),
        [](const RunMember& a, const RunMember& b) { return a.step < b.step; });
    plan.orderWhy = ruleText(plan.order);
    return plan;
}

} // namespace ckpt
