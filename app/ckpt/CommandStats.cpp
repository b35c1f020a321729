#include "Commands.h"
#include "OpenOrFail.h"

#include "report/PrintableText.h"

#include "report/Reports.h"
#include "report/TableFilter.h"
#include "report/TensorTable.h"

#include <cstdio>
#include <iostream>

void addStatsCommand(CLI::App& app, CommandAction& run)
{
    struct Options {
        std::string file;
        std::vector<std::string> names;
        int bins = 256;
        bool json = false, csv = false;
        std::string metrics = "basic";
        std::string filter;
    };
    auto opts = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("stats", "Statistics and histograms of tensors (all when no NAME is given)");
    cmd->add_option("FILE", opts->file, "Checkpoint file")->required();
    cmd->add_option("NAME", opts->names, "Tensor names");
    cmd->add_option("--bins", opts->bins, "Histogram bins")->check(CLI::Range(1, 1 << 20));
    auto* json = cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->add_flag("--csv", opts->csv, "Print one CSV row per tensor (the tensor table, no histograms)")->excludes(json);
    cmd->add_option("--metrics", opts->metrics,
           "basic: statistics, max |x|, L2, zero, denormal and float16-overflow fractions; all: also, for "
           "matrices, spectral norm, stable rank, effective rank and the power-law alpha of the spectrum")
        ->check(CLI::IsMember({ "basic", "all" }));
    cmd->add_option("--filter", opts->filter,
           "Only the tensors that match, e.g. 'nan > 0', 'std < 1e-6 and name ~ attn', 'stable_rank < 5' (spectral "
           "columns imply --metrics all)")
        ->check(
            [](const std::string& text) {
                try {
                    (void)ckpt::TableFilter::parse(text);
                    return std::string();
                } catch (const ckpt::TableFilterError& e) {
                    return std::string(e.what());
                }
            },
            "FILTER");
    cmd->callback([opts, &run] {
        run = [opts] {
            const auto c = openOrFail(opts->file);
            std::vector<const ckpt::Tensor*> selected;
            if (opts->names.empty())
                for (const auto& t : c.tensors)
                    selected.push_back(&t);
            for (const auto& n : opts->names)
                selected.push_back(&tensorOrFail(c, n));
            const auto filter = ckpt::TableFilter::parse(opts->filter);
            const auto metrics = opts->metrics == "all" || filter.needsSpectral() ? ckpt::TableMetrics::All
                                                                                  : ckpt::TableMetrics::Basic;
            // Every tensor's statistics (each sweep on every core), then the matrices' spectral
            // metrics side by side, one matrix per core.
            std::vector<ckpt::TensorTableRow> rows;
            ckpt::StatsOptions so;
            so.bins = opts->csv ? 1 : opts->bins; // CSV rows have no histograms: one sweep each
            ckpt::sweepTensors(
                selected, so, [&](std::size_t, const ckpt::Tensor& t, const ckpt::StatsOptions& options) {
                    try {
                        rows.push_back(ckpt::tensorTableRow(t, ckpt::TableMetrics::Basic, options));
                    } catch (const ckpt::CheckpointError&) {
                        throw;
                    } catch (const std::exception& e) {
                        throw ckpt::CheckpointError(c.path, t.info.name + ": " + e.what());
                    }
                });
            if (metrics == ckpt::TableMetrics::All) {
                std::vector<ckpt::TensorTableRow*> pointers;
                for (auto& row : rows)
                    pointers.push_back(&row);
                ckpt::addSpectralMetrics(pointers, selected, 0);
            }
            nlohmann::ordered_json all = nlohmann::ordered_json::array();
            if (opts->csv)
                ckpt::writeTensorTableCsvHeader(std::cout, metrics);
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const ckpt::Tensor* t = selected[i];
                const ckpt::TensorTableRow& row = rows[i];
                if (!filter.matches(row))
                    continue;
                const ckpt::TensorStats& s = row.stats;
                if (opts->csv) {
                    ckpt::writeTensorTableCsvRow(std::cout, row, metrics);
                    continue;
                }
                if (opts->json) {
                    auto j = ckpt::statsJson(t->info, s);
                    ckpt::addTableJson(row, j);
                    all.push_back(std::move(j));
                    continue;
                }
                std::printf("%s  %s %s\n  count %lld  min %.9g  max %.9g  mean %.9g  std %.9g\n"
                            "  nan %lld  +inf %lld  -inf %lld  zeros %lld\n",
                    ckpt::printable(t->info.name).c_str(), std::string(ckpt::dtypeName(t->info.dtype)).c_str(),
                    ckpt::shapeToString(t->info.shape).c_str(), static_cast<long long>(s.count), s.min, s.max, s.mean,
                    s.std, static_cast<long long>(s.nan), static_cast<long long>(s.posInf),
                    static_cast<long long>(s.negInf), static_cast<long long>(s.zeros));
                std::printf("  max |x| %.9g  L2 %.9g  denormal %.6g  beyond float16 %.6g\n", row.maxAbs, row.l2,
                    row.denormalFraction(), row.beyondFloat16Fraction());
                if (row.spectral)
                    std::printf("  spectral norm %.9g  stable rank %.6g  effective rank %.6g  alpha %.6g (KS %.4g)\n",
                        row.spectral->spectralNorm, row.spectral->stableRank, row.spectral->effectiveRank,
                        row.spectral->alpha, row.spectral->alphaKs);
            }
            if (opts->json)
                std::cout << ckpt::jsonText(nlohmann::ordered_json { { "tensors", all } }) << "\n";
            return exitcode::ok;
        };
    });
}
