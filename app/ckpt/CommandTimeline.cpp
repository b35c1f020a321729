#include "Commands.h"

#include "base/CheckpointError.h"
#include "report/Reports.h"
#include "timeline/TimelineCache.h"
#include "timeline/TimelineReport.h"

#include <iostream>
#include <map>

namespace {

struct Options {
    std::vector<std::string> paths;
    std::vector<std::string> select;
    std::string order = "auto";
    bool json = false;
    bool csv = false;
    bool noCache = false;
    std::string distribution;
    int bins = 64;
};

// --distribution NAME: the tensor at every step on shared bins, as CSV (or JSON).
int printDistribution(const ckpt::RunTimeline& timeline, const Options& o)
{
    ckpt::StepDistributionOptions options;
    options.bins = o.bins;
    ckpt::StepDistribution d;
    try {
        d = ckpt::stepDistribution(timeline, o.distribution, options);
    } catch (const std::invalid_argument& e) { // no such tensor: named with the run, as `values` does
        throw ckpt::CheckpointError(o.paths.front(), e.what());
    }
    if (o.json)
        std::cout << ckpt::jsonText(ckpt::distributionJson(timeline, d)) << "\n";
    else
        ckpt::writeDistributionCsv(timeline, d, std::cout);
    return exitcode::ok;
}

} // namespace

void addTimelineCommand(CLI::App& app, CommandAction& run)
{
    auto opts = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("timeline",
        "How every tensor evolved over a training run: a folder of checkpoints, or several files, in step order");
    cmd->add_option("PATH", opts->paths, "A folder of checkpoints, or checkpoint files and folders")->required();
    cmd->add_option("--select", opts->select, "Glob on tensor names, after removing module. and the like (repeatable)");
    cmd->add_option("--order", opts->order,
           "name: the number in each file name; meta: epoch/step in each checkpoint; mtime; auto: the first that works")
        ->check(CLI::IsMember({ "auto", "name", "meta", "mtime" }));
    auto* json = cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->add_flag("--csv", opts->csv, "Print one CSV row per tensor per step")->excludes(json);
    cmd->add_option("--distribution", opts->distribution,
        "Instead of the metrics: this tensor's values at every step on bins shared by all steps (exact counts)");
    cmd->add_option("--bins", opts->bins, "Bins of --distribution (default 64)")->check(CLI::Range(1, 1 << 20));
    cmd->add_flag("--no-cache", opts->noCache,
        "Read every checkpoint again instead of using the results kept in $XDG_CACHE_HOME/ckptview");
    cmd->callback([opts, &run] {
        run = [opts] {
            static const std::map<std::string, ckpt::StepOrder> orders { { "auto", ckpt::StepOrder::Auto },
                { "name", ckpt::StepOrder::Name }, { "meta", ckpt::StepOrder::Meta },
                { "mtime", ckpt::StepOrder::Mtime } };
            ckpt::RunPlan plan;
            try {
                plan = ckpt::planRun(opts->paths, orders.at(opts->order));
            } catch (const std::invalid_argument& e) { // about the run as a whole: named by its first path
                throw ckpt::CheckpointError(opts->paths.front(), e.what());
            }
            ckpt::TimelineOptions options;
            options.select = opts->select;
            if (!opts->noCache)
                options.cacheFolder = ckpt::defaultCacheFolder();
            const ckpt::RunTimeline timeline = ckpt::computeTimeline(plan, options);
            if (!opts->distribution.empty())
                return printDistribution(timeline, *opts);
            if (opts->json)
                std::cout << ckpt::jsonText(ckpt::timelineJson(timeline)) << "\n";
            else if (opts->csv)
                ckpt::writeTimelineCsv(timeline, std::cout);
            else
                ckpt::writeTimelineSummary(timeline, std::cout);
            return exitcode::ok;
        };
    });
}
