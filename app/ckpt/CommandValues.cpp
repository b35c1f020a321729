#include "Commands.h"
#include "OpenOrFail.h"

#include "report/PrintableText.h"

#include "report/Reports.h"

#include <iostream>

void addValuesCommand(CLI::App& app, CommandAction& run)
{
    struct Options {
        std::string file, name;
        std::int64_t limit = 1000;
        bool json = false;
    };
    auto opts = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("values", "Print a tensor's values, flattened in row-major order");
    cmd->add_option("FILE", opts->file, "Checkpoint file")->required();
    cmd->add_option("NAME", opts->name, "Tensor name")->required();
    cmd->add_option("--limit", opts->limit, "At most this many values (-1: all)");
    cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->callback([opts, &run] {
        run = [opts] {
            const auto c = openOrFail(opts->file);
            const auto& t = tensorOrFail(c, opts->name);
            nlohmann::ordered_json v;
            try {
                v = ckpt::valuesJson(t, opts->limit);
            } catch (const ckpt::CheckpointError&) {
                throw;
            } catch (const std::exception& e) {
                throw ckpt::CheckpointError(c.path, t.info.name + ": " + e.what());
            }
            if (opts->json) {
                std::cout << ckpt::jsonText(v) << "\n";
                return exitcode::ok;
            }
            std::cout << ckpt::printable(t.info.name) << "  " << ckpt::dtypeName(t.info.dtype) << " "
                      << ckpt::shapeToString(t.info.shape) << "\n";
            for (const auto& x : v["values"])
                std::cout << x.dump() << "\n";
            if (v["truncated"].get<bool>())
                std::cout << "... (" << t.info.numel() - opts->limit << " more; use --limit -1 for all)\n";
            return exitcode::ok;
        };
    });
}
