// ckpt: inspect, check and convert deep-learning checkpoints from the command line.
#include "Commands.h"

#include "base/CheckpointError.h"
#include "output/PendingOutputs.h"
#include "report/About.h"
#include "report/PrintableText.h"

#include <iostream>

int main(int argc, char** argv)
{
    ckpt::removePendingOutputsOnSignals();
    CLI::App app { "ckpt: inspect, check and convert deep-learning checkpoints" };
    app.require_subcommand(1);
    app.set_version_flag("--version", [] {
        std::string text = ckpt::versionText("ckpt");
        text.pop_back(); // CLI11 ends the line
        return text;
    });
    CommandAction run;
    addLsCommand(app, run);
    addTreeCommand(app, run);
    addStatsCommand(app, run);
    addValuesCommand(app, run);
    addDemoCommand(app, run);
    addVerifyCommand(app, run);
    addExportCommand(app, run);
    addDiffCommand(app, run);
    addScanCommand(app, run);
    addTimelineCommand(app, run);
    addDoctorCommand(app, run);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exitcode::usage;
    }
    try {
        return run ? run() : exitcode::usage;
    } catch (const ckpt::CheckpointError& e) {
        const std::string reason = e.reason().empty() ? "failed without a reason" : e.reason();
        std::cerr << "error: " << ckpt::printable(e.file().empty() ? reason : e.file() + ": " + reason) << "\n";
        return exitcode::unreadable;
    } catch (const std::exception& e) {
        std::cerr << "error: " << ckpt::printable(*e.what() ? e.what() : "failed without a reason") << "\n";
        return exitcode::unreadable;
    }
}
