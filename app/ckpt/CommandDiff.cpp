#include "Commands.h"
#include "OpenOrFail.h"

#include "report/Reports.h"

#include "report/PrintableText.h"

#include "compare/Diff.h"

#include <cmath>
#include <cstdio>
#include <iostream>

namespace {

nlohmann::ordered_json diffJson(const ckpt::DiffReport& r, const ckpt::DiffOptions& o)
{
    nlohmann::ordered_json tensors = nlohmann::ordered_json::array();
    for (const auto& d : r.tensors) {
        nlohmann::ordered_json j;
        j["name"] = d.name;
        j["status"] = ckpt::diffStatusName(d.status);
        if (d.a && d.b && d.b->info.name != d.a->info.name)
            j["name_b"] = d.b->info.name;
        if (d.a && d.b)
            j["paired_by"] = ckpt::diffPairingName(d.pairedBy);
        if (d.a)
            j["a"] = { { "dtype", ckpt::dtypeName(d.a->info.dtype) }, { "shape", d.a->info.shape } };
        if (d.b)
            j["b"] = { { "dtype", ckpt::dtypeName(d.b->info.dtype) }, { "shape", d.b->info.shape } };
        if (d.a && d.b && d.status != ckpt::DiffStatus::ShapeChanged) {
            j["bitwise_equal"] = d.bitwiseEqual;
            j["max_abs_diff"] = ckpt::jsonNumber(d.maxAbsDiff);
            j["mean_abs_diff"] = ckpt::jsonNumber(d.meanAbsDiff);
            j["rel_l2"] = ckpt::jsonNumber(d.relativeL2);
            j["sqnr_db"] = ckpt::jsonNumber(d.sqnrDb);
            j["sqnr_reference"] = d.referenceIsA ? "a" : "b";
            j["cosine"] = ckpt::jsonNumber(d.cosine);
            j["mismatched"] = d.mismatched;
            if (d.layout.transposed)
                j["transposed"] = true;
            if (d.layout.ropeHeads > 0)
                j["unpermuted_heads"] = d.layout.ropeHeads;
        }
        tensors.push_back(std::move(j));
    }
    std::map<std::string, int> counts;
    for (const auto& d : r.tensors)
        ++counts[std::string(ckpt::diffStatusName(d.status))];
    return { { "equal", r.allEqual() }, { "rtol", o.rtol }, { "atol", o.atol }, { "counts", counts },
        { "tensors", tensors } };
}

// "  <- blk.0.attn_q.weight (rows un-permuted, 32 heads)" for a pair not made by the same name.
std::string pairedText(const ckpt::TensorDiff& d)
{
    if (d.pairedBy != ckpt::DiffPairing::LlamaCppName)
        return "";
    std::string text = "  <- " + ckpt::printable(d.b->info.name);
    if (d.layout.ropeHeads > 0)
        text += " (rows un-permuted, " + std::to_string(d.layout.ropeHeads) + " heads)";
    return text;
}

// SQNR and cosine similarity where values differ: how much a cast or a quantization lost.
std::string qualityText(const ckpt::TensorDiff& d)
{
    if (d.bitwiseEqual || !std::isfinite(d.sqnrDb))
        return "";
    char text[64];
    std::snprintf(text, sizeof text, "  SQNR %.2f dB  cos %.6f", d.sqnrDb, d.cosine);
    return text;
}

void printHuman(const ckpt::DiffReport& r)
{
    for (const auto& d : r.tensors) {
        const std::string status(ckpt::diffStatusName(d.status));
        if (!d.a || !d.b || d.status == ckpt::DiffStatus::ShapeChanged) {
            std::string detail;
            if (d.status == ckpt::DiffStatus::ShapeChanged)
                detail = "  " + ckpt::shapeToString(d.a->info.shape) + " -> " + ckpt::shapeToString(d.b->info.shape);
            std::printf("%-16s %s%s\n", status.c_str(), ckpt::printable(d.name).c_str(), detail.c_str());
            continue;
        }
        std::printf("%-16s %s%s  max abs %.6g  mean abs %.6g  rel L2 %.6g%s%s\n", status.c_str(),
            ckpt::printable(d.name).c_str(), pairedText(d).c_str(), d.maxAbsDiff, d.meanAbsDiff, d.relativeL2,
            qualityText(d).c_str(), d.layout.transposed ? "  (B transposed)" : "");
    }
    std::printf("%s\n", r.allEqual() ? "equal" : "DIFFERENT");
}

} // namespace

void addDiffCommand(CLI::App& app, CommandAction& run)
{
    struct Options {
        std::string a, b;
        ckpt::DiffOptions diff;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("diff", "Compare two checkpoints tensor by tensor");
    cmd->add_option("A", o->a, "First checkpoint")->required();
    cmd->add_option("B", o->b, "Second checkpoint")->required();
    cmd->add_option("--prefix-a", o->diff.prefixA, "Compare A's tensors under this prefix (stripped)");
    cmd->add_option("--prefix-b", o->diff.prefixB, "Compare B's tensors under this prefix (stripped)");
    cmd->add_option("--rtol", o->diff.rtol, "Relative tolerance (default 1e-5)");
    cmd->add_option("--atol", o->diff.atol, "Absolute tolerance (default 1e-8)");
    cmd->add_flag("--transpose-kernels", o->diff.transposeKernels,
        "Compare B's matrices transposed (Keras kernels against PyTorch weights)");
    cmd->add_flag(
        "--by-layer", o->diff.byLayer, "Pair dense layers by position (automatic when the files share no names)");
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->callback([o, &run] {
        run = [o] {
            const auto a = openOrFail(o->a);
            const auto b = openOrFail(o->b);
            const auto report = ckpt::diffCheckpoints(a, b, o->diff);
            if (o->json)
                std::cout << ckpt::jsonText(diffJson(report, o->diff)) << "\n";
            else
                printHuman(report);
            return report.allEqual() ? exitcode::ok : exitcode::different;
        };
    });
}
