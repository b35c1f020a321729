#include "Commands.h"
#include "OpenOrFail.h"

#include "export/Export.h"
#include "report/Reports.h"

#include <cstdio>
#include <iostream>

void addExportCommand(CLI::App& app, CommandAction& run)
{
    struct Options {
        std::string file, out, cast;
        ckpt::ExportOptions exportOptions;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("export", "Write a subset of a checkpoint's tensors to .h5, .safetensors or .npz");
    cmd->add_option("FILE", o->file, "Checkpoint to read")->required();
    cmd->add_option("-o,--output", o->out, "Output file; its extension chooses the format")->required();
    auto& sel = o->exportOptions.selection;
    cmd->add_option("--select", sel.select, "Glob on full names to include (repeatable; default all)");
    cmd->add_option("--exclude", sel.exclude, "Glob on full names to leave out (repeatable)");
    cmd->add_option("--strip-prefix", sel.stripPrefix, "Remove this prefix from names");
    cmd->add_option("--add-prefix", sel.addPrefix, "Prepend this prefix to names");
    cmd->add_flag("--compress", o->exportOptions.compress, "Compress (HDF5 gzip+shuffle, npz deflate)");
    cmd->add_flag("--with-architecture", o->exportOptions.withArchitecture,
        "Store the MLP architecture beside the parameters (HDF5)");
    cmd->add_option("--cast", o->cast, "float32: write dtypes the format cannot hold as float32")
        ->check(CLI::IsMember({ "float32" }));
    cmd->add_flag("--force", o->exportOptions.overwrite, "Replace an existing output file");
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->callback([o, &run] {
        o->exportOptions.castToFloat32 = o->cast == "float32";
        run = [o] {
            const auto source = openOrFail(o->file);
            const auto summary = ckpt::exportCheckpoint(source, o->out, o->exportOptions);
            if (o->json) {
                std::cout << ckpt::jsonText(nlohmann::ordered_json { { "output", summary.path },
                    { "format", summary.format }, { "tensors", summary.names }, { "nbytes", summary.bytes } })
                          << "\n";
            } else {
                std::printf("wrote %s (%s): %zu tensors, %s\n", summary.path.c_str(), summary.format.c_str(),
                    summary.names.size(), ckpt::humanBytes(summary.bytes).c_str());
            }
            return exitcode::ok;
        };
    });
}
