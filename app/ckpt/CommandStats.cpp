#include "Commands.h"
#include "OpenOrFail.h"

#include "report/PrintableText.h"

#include "report/Reports.h"

#include <cstdio>
#include <iostream>

void addStatsCommand(CLI::App& app, CommandAction& run)
{
    struct Options {
        std::string file;
        std::vector<std::string> names;
        int bins = 256;
        bool json = false;
    };
    auto opts = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("stats", "Statistics and histograms of tensors (all when no NAME is given)");
    cmd->add_option("FILE", opts->file, "Checkpoint file")->required();
    cmd->add_option("NAME", opts->names, "Tensor names");
    cmd->add_option("--bins", opts->bins, "Histogram bins")->check(CLI::Range(1, 1 << 20));
    cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->callback([opts, &run] {
        run = [opts] {
            const auto c = openOrFail(opts->file);
            std::vector<const ckpt::Tensor*> selected;
            if (opts->names.empty())
                for (const auto& t : c.tensors)
                    selected.push_back(&t);
            for (const auto& n : opts->names)
                selected.push_back(&tensorOrFail(c, n));
            nlohmann::ordered_json all = nlohmann::ordered_json::array();
            for (const auto* t : selected) {
                ckpt::StatsOptions so;
                so.bins = opts->bins;
                ckpt::TensorStats s;
                try {
                    s = ckpt::computeStats(*t, so);
                } catch (const ckpt::CheckpointError&) {
                    throw;
                } catch (const std::exception& e) {
                    throw ckpt::CheckpointError(c.path, t->info.name + ": " + e.what());
                }
                if (opts->json) {
                    all.push_back(ckpt::statsJson(t->info, s));
                    continue;
                }
                std::printf("%s  %s %s\n  count %lld  min %.9g  max %.9g  mean %.9g  std %.9g\n"
                            "  nan %lld  +inf %lld  -inf %lld  zeros %lld\n",
                    ckpt::printable(t->info.name).c_str(), std::string(ckpt::dtypeName(t->info.dtype)).c_str(),
                    ckpt::shapeToString(t->info.shape).c_str(), static_cast<long long>(s.count), s.min, s.max, s.mean,
                    s.std, static_cast<long long>(s.nan), static_cast<long long>(s.posInf),
                    static_cast<long long>(s.negInf), static_cast<long long>(s.zeros));
            }
            if (opts->json)
                std::cout << ckpt::jsonText(nlohmann::ordered_json { { "tensors", all } }) << "\n";
            return exitcode::ok;
        };
    });
}
