#include "Commands.h"

#include "demo/SeedWorkflow.h"
#include "report/Reports.h"

#include <nlohmann/json.hpp>

#include <iostream>

void addDemoCommand(CLI::App& app, CommandAction& run)
{
    struct Options {
        std::string dir;
        bool json = false;
    };
    auto opts = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("demo", "Run the seed workflow: save tensors and an MLP, reload a clone, compare");
    cmd->add_option("DIR", opts->dir, "Directory to write into")->required();
    cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->callback([opts, &run] {
        run = [opts] {
            const auto r = ckpt::runSeedWorkflow(opts->dir);
            if (opts->json) {
                std::cout << ckpt::jsonText(nlohmann::ordered_json {
                    { "match", r.match }, { "max_abs_diff", r.maxAbsDiff }, { "files", r.files } })
                          << "\n";
            } else {
                for (const auto& f : r.files)
                    std::cout << "wrote " << f << "\n";
                std::cout << (r.match ? "Y_clone == Y: the clone gives the same outputs"
                                      : "Y_clone != Y: the clone differs")
                          << " (max abs diff " << r.maxAbsDiff << ")\n";
            }
            return r.match ? exitcode::ok : exitcode::different;
        };
    });
}
