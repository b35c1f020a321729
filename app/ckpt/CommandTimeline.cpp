#include "Commands.h"

#include "base/CheckpointError.h"
#include "report/Reports.h"
#include "timeline/TimelineCache.h"
#include "timeline/TimelineReport.h"

#include <iostream>
#include <map>

void addTimelineCommand(CLI::App& app, CommandAction& run)
{
    struct Options {
        std::vector<std::string> paths;
        std::vector<std::string> select;
        std::string order = "auto";
        bool json = false;
        bool csv = false;
        bool noCache = false;
    };
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
