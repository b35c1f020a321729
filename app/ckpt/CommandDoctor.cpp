#include "Commands.h"
#include "OpenOrFail.h"

#include "doctor/Doctor.h"
#include "report/PrintableText.h"
#include "report/Reports.h"

#include <cstdio>
#include <iostream>
#include <optional>

namespace {

nlohmann::ordered_json doctorJson(const ckpt::DoctorReport& r, const std::string& file, const std::string& reference)
{
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (const auto& f : r.findings)
        findings.push_back({ { "kind", f.kind }, { "tensor", f.tensor }, { "evidence", f.evidence } });
    nlohmann::ordered_json j = { { "file", file } };
    if (r.againstReference) {
        j["reference"] = reference;
        j["load_state_dict_errors"] = r.againstReference->loadErrors;
    }
    j["tensors"] = r.tensorsChecked;
    j["findings"] = findings;
    return j;
}

void printHuman(const ckpt::DoctorReport& r)
{
    using ckpt::printable;
    for (const auto& f : r.findings)
        std::printf("%-17s %s  %s\n", f.kind.c_str(), printable(f.tensor).c_str(), printable(f.evidence).c_str());
    if (r.againstReference && !r.againstReference->loadErrors.empty()) {
        std::printf("PyTorch's load_state_dict(strict=True) would fail:\n");
        for (const auto& line : r.againstReference->loadErrors)
            std::printf("\t%s\n", printable(line).c_str());
    }
    if (r.findings.empty())
        std::printf("no findings in %d tensors\n", r.tensorsChecked);
    else
        std::printf(
            "%zu finding%s in %d tensors\n", r.findings.size(), r.findings.size() == 1 ? "" : "s", r.tensorsChecked);
}

} // namespace

void addDoctorCommand(CLI::App& app, CommandAction& run)
{
    struct Options {
        std::string file, against;
        ckpt::StateDictCheckOptions reference;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "doctor", "What looks wrong in a checkpoint, and against a reference (exit 0 clean, 1 findings, 3 unreadable)");
    cmd->add_option("FILE", o->file, "Checkpoint")->required();
    cmd->add_option("--against", o->against,
        "Reference with the expected layout (the model's own state dict): missing, unexpected and mis-shaped "
        "keys as PyTorch's load_state_dict(strict=True) reports them, and tensors never trained");
    cmd->add_option("--prefix", o->reference.prefix, "Check FILE's tensors under this prefix (stripped)");
    cmd->add_option(
        "--reference-prefix", o->reference.referencePrefix, "The reference's tensors under this prefix (stripped)");
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->callback([o, &run] {
        run = [o] {
            const auto checkpoint = openOrFail(o->file);
            std::optional<ckpt::Checkpoint> reference;
            ckpt::DoctorOptions options;
            if (!o->against.empty()) {
                reference = openOrFail(o->against);
                options.reference = &*reference;
                options.referenceOptions = o->reference;
            }
            const auto report = ckpt::diagnose(checkpoint, options);
            if (o->json)
                std::cout << ckpt::jsonText(doctorJson(report, o->file, o->against)) << "\n";
            else
                printHuman(report);
            return report.findings.empty() ? exitcode::ok : exitcode::different;
        };
    });
}
