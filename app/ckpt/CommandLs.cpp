#include "Commands.h"
#include "OpenOrFail.h"

#include "report/PrintableText.h"
#include "report/Reports.h"

#include <iomanip>
#include <iostream>

void addLsCommand(CLI::App& app, CommandAction& run)
{
    struct Options {
        std::string file;
        bool json = false;
    };
    auto opts = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("ls", "List the tensors of a checkpoint (name, dtype, shape, bytes)");
    cmd->add_option("FILE", opts->file, "Checkpoint file")->required();
    cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->callback([opts, &run] {
        run = [opts] {
            const auto c = openOrFail(opts->file);
            if (opts->json) {
                std::cout << ckpt::jsonText(ckpt::listingJson(c)) << "\n";
                return exitcode::ok;
            }
            std::size_t width = 4;
            for (const auto& t : c.tensors)
                width = std::max(width, ckpt::printable(t.info.name).size());
            std::cout << ckpt::printable(c.path) << ": " << c.format << ", " << c.tensors.size() << " tensors, "
                      << ckpt::groupedNumber(c.parameterCount()) << " parameters\n";
            for (const auto& t : c.tensors) {
                std::cout << std::left << std::setw(static_cast<int>(width) + 2) << ckpt::printable(t.info.name)
                          << std::setw(t.info.encoding.empty() ? 15 : 17)
                          << t.info.dtypeLabel() // the arrow: 3 bytes, 1 column
                          << std::setw(20) << ckpt::shapeToString(t.info.shape) + " "
                          << ckpt::humanBytes(t.info.nbytes());
                if (!t.info.unreadable.empty())
                    std::cout << "  (unreadable: " << ckpt::printable(t.info.unreadable) << ")";
                std::cout << "\n";
            }
            if (!c.metadata.empty()) {
                std::cout << "metadata:\n";
                for (const auto& [key, value] : c.metadata.items()) {
                    std::string text
                        = ckpt::printable(value.is_string() ? value.get<std::string>() : ckpt::jsonText(value, -1));
                    if (text.size() > 120)
                        text = text.substr(0, 117) + "...";
                    std::cout << "  " << ckpt::printable(key) << " = " << text << "\n";
                }
            }
            return exitcode::ok;
        };
    });
}
