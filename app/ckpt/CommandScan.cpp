#include "Commands.h"

#include "report/PrintableText.h"
#include "report/Reports.h"
#include "scan/CheckpointScan.h"

#include <filesystem>
#include <iostream>

namespace {

namespace fs = std::filesystem;

// The files to scan: each FILE, and every regular file under each DIR (links not followed).
std::vector<std::string> filesToScan(const std::vector<std::string>& paths)
{
    constexpr std::size_t kMaxFiles = 100000;
    std::vector<std::string> files;
    for (const auto& path : paths) {
        std::error_code ec;
        if (!fs::is_directory(fs::symlink_status(path, ec))) {
            files.push_back(path);
            continue;
        }
        for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator() && files.size() < kMaxFiles; it.increment(ec))
            if (it->is_regular_file(ec) && !it->is_symlink(ec))
                files.push_back(it->path().string());
    }
    return files;
}

nlohmann::ordered_json reportJson(const ckpt::ScanReport& r)
{
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (const auto& f : r.findings) {
        nlohmann::ordered_json j = { { "risk", std::string(ckpt::riskName(f.risk)) }, { "what", f.what } };
        if (!f.why.empty())
            j["why"] = f.why;
        if (!f.where.empty())
            j["where"] = f.where;
        if (f.count > 1)
            j["count"] = f.count;
        findings.push_back(std::move(j));
    }
    nlohmann::ordered_json j = { { "file", r.file }, { "verdict", r.verdict() }, { "findings", findings } };
    if (!r.unreadable.empty())
        j["unreadable"] = r.unreadable;
    return j;
}

void printReport(const ckpt::ScanReport& r)
{
    using ckpt::printable;
    std::cout << printable(r.file) << ": " << r.verdict();
    if (!r.unreadable.empty())
        std::cout << " (" << printable(r.unreadable) << ")";
    std::cout << "\n";
    std::size_t safe = 0;
    for (const auto& f : r.findings) {
        if (f.risk == ckpt::Risk::Safe) {
            ++safe;
            continue;
        }
        std::cout << "  " << (f.risk == ckpt::Risk::Unsafe ? "unsafe " : "unknown") << "  " << printable(f.what);
        if (f.count > 1)
            std::cout << " (" << f.count << " times)";
        if (!f.where.empty())
            std::cout << "  [" << printable(f.where) << "]";
        if (!f.why.empty())
            std::cout << ": " << printable(f.why);
        std::cout << "\n";
    }
    if (safe > 0)
        std::cout << "  " << safe << " safe import" << (safe == 1 ? "" : "s") << " and call" << (safe == 1 ? "" : "s")
                  << " (tensor rebuilders, containers, dtypes)\n";
}

} // namespace

void addScanCommand(CLI::App& app, CommandAction& run)
{
    struct Options {
        std::vector<std::string> paths;
        bool json = false;
    };
    auto opts = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "scan", "Would loading these files in Python run code? (exit 0 clean, 1 unsafe, 3 unreadable)");
    cmd->add_option("FILE", opts->paths, "Files or folders to scan")->required();
    cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->callback([opts, &run] {
        run = [opts] {
            bool unsafe = false, unreadable = false;
            nlohmann::ordered_json all = nlohmann::ordered_json::array();
            for (const auto& file : filesToScan(opts->paths)) {
                const ckpt::ScanReport report = ckpt::scanFile(file);
                unsafe = unsafe || report.unsafe();
                unreadable = unreadable || !report.unreadable.empty();
                if (opts->json)
                    all.push_back(reportJson(report));
                else
                    printReport(report);
            }
            if (opts->json)
                std::cout << ckpt::jsonText(nlohmann::ordered_json { { "files", all } }) << "\n";
            return unsafe ? exitcode::different : unreadable ? exitcode::unreadable : exitcode::ok;
        };
    });
}
