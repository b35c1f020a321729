#pragma once

#include <CLI/CLI.hpp>

#include <functional>

// Each command adds its subcommand to the app and, when chosen, sets `run` to the action
// that returns the process exit code (0 ok, 1 a check found a difference, 2 usage, 3 a
// file could not be read).
using CommandAction = std::function<int()>;

void addLsCommand(CLI::App& app, CommandAction& run);
void addTreeCommand(CLI::App& app, CommandAction& run);
void addStatsCommand(CLI::App& app, CommandAction& run);
void addValuesCommand(CLI::App& app, CommandAction& run);
void addDemoCommand(CLI::App& app, CommandAction& run);
void addVerifyCommand(CLI::App& app, CommandAction& run);
void addExportCommand(CLI::App& app, CommandAction& run);
void addDiffCommand(CLI::App& app, CommandAction& run);
void addScanCommand(CLI::App& app, CommandAction& run);
void addTimelineCommand(CLI::App& app, CommandAction& run);
void addDoctorCommand(CLI::App& app, CommandAction& run);

namespace exitcode {
inline constexpr int ok = 0;
inline constexpr int different = 1;
inline constexpr int usage = 2;
inline constexpr int unreadable = 3;
} // namespace exitcode
