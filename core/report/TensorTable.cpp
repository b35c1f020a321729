#include "report/TensorTable.h"

#include "base/Cancelled.h"
#include "base/CheckpointError.h"
#include "base/ParallelFor.h"
#include "io/MappedReadAhead.h"
#include "output/AtomicOutput.h"
#include "report/Csv.h"
#include "report/PrintableText.h"
#include "tensor/FlatTensorSource.h"
#include "tensor/JsonNumber.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

namespace ckpt {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double fraction(std::int64_t part, std::int64_t whole)
{
    return whole > 0 ? double(part) / double(whole) : kNaN;
}

} // namespace

void addSpectralMetrics(TensorTableRow& row, const Tensor& tensor, const std::atomic<bool>* cancel)
{
    if (!matrixShape(tensor)) {
        row.noSpectrum = "not a matrix";
        return;
    }
    SpectralOptions options;
    options.cancel = cancel;
    try {
        row.spectral = computeSpectral(tensor, options);
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        row.noSpectrum = e.what();
    }
}

void addSpectralMetrics(std::vector<TensorTableRow*> rows, const std::vector<const Tensor*>& tensors, int threads,
    const std::atomic<bool>* cancel)
{
    parallelFor(
        std::min(rows.size(), tensors.size()), threads,
        [&](std::size_t i) {
            if (rows[i]->error.empty())
                addSpectralMetrics(*rows[i], *tensors[i], cancel);
        },
        cancel);
}

namespace {

// Where the tensors' elements sit in memory (mapped files): range i is tensors[i]'s, empty for a
// tensor read otherwise (decoded, decompressed).
std::vector<MappedRange> mappedRangesOf(const std::vector<const Tensor*>& tensors)
{
    std::vector<MappedRange> ranges;
    for (const Tensor* t : tensors) {
        const std::byte* mapped = t->info.unreadable.empty() && t->data ? t->data->mappedElements() : nullptr;
        ranges.push_back(mapped ? MappedRange { mapped, t->info.nbytes() } : MappedRange {});
    }
    return ranges;
}

// A tensor's elements as the read-ahead read them (host order, row-major, like the mapping
// they were read instead of), valid until the sweep moves on.
class ReadAheadSource final : public FlatTensorSource {
public:
    ReadAheadSource(DType dtype, Shape shape, const std::byte* elements)
        : FlatTensorSource(dtype, std::move(shape))
        , elements_(elements)
    {
    }
    void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const override
    {
        checkFlat(first, count);
        const auto elem = static_cast<std::int64_t>(dtypeSize(dtype()));
        std::memcpy(out, elements_ + first * elem, static_cast<std::size_t>(count * elem));
    }
    const std::byte* mappedElements() const override { return elements_; }

private:
    const std::byte* elements_;
};

} // namespace

void sweepTensors(const std::vector<const Tensor*>& tensors, StatsOptions options,
    const std::function<void(std::size_t, const Tensor&, const StatsOptions&)>& visit)
{
    MappedReadAhead ahead(mappedRangesOf(tensors));
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const std::byte* read = ahead.take(i);
        options.adviseReadAhead = !ahead.covers(i);
        if (!read) {
            visit(i, *tensors[i], options);
            continue;
        }
        Tensor inMemory = *tensors[i];
        inMemory.data = std::make_shared<ReadAheadSource>(tensors[i]->info.dtype, tensors[i]->info.shape, read);
        visit(i, inMemory, options);
    }
}

TensorTableRow unreadableTableRow(const Tensor& tensor, const std::string& why)
{
    TensorTableRow row;
    row.info = tensor.info;
    row.stats.count = tensor.info.numel();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    row.stats.min = row.stats.max = row.stats.mean = row.stats.std = nan;
    row.l2 = row.maxAbs = row.zeroFraction = nan;
    row.error = why.empty() ? std::string("cannot be read") : why;
    return row;
}

double TensorTableRow::denormalFraction() const
{
    return error.empty() ? fraction(stats.denormals, stats.count) : kNaN;
}

double TensorTableRow::beyondFloat16Fraction() const
{
    return error.empty() ? fraction(stats.beyondHalf, stats.count) : kNaN;
}

TensorTableRow tensorTableRow(const Tensor& tensor, TableMetrics metrics, const StatsOptions& options)
{
    TensorTableRow row;
    row.info = tensor.info;
    row.stats = computeStats(tensor, options);
    const TensorStats& s = row.stats;
    // std is the population deviation of the finite values: their squares sum to n (std² + mean²).
    row.l2 = std::sqrt(double(s.finite) * (s.std * s.std + s.mean * s.mean));
    row.maxAbs = s.finite > 0 ? std::max(std::fabs(s.min), std::fabs(s.max)) : kNaN;
    row.zeroFraction = fraction(s.zeros, s.count);
    if (metrics == TableMetrics::All)
        addSpectralMetrics(row, tensor, options.cancel);
    return row;
}

void addTableJson(const TensorTableRow& row, nlohmann::ordered_json& out)
{
    out["l2"] = jsonNumber(row.l2);
    out["max_abs"] = jsonNumber(row.maxAbs);
    out["zero_fraction"] = jsonNumber(row.zeroFraction);
    out["denormal_fraction"] = jsonNumber(row.denormalFraction());
    out["beyond_float16_fraction"] = jsonNumber(row.beyondFloat16Fraction());
    if (row.spectral) {
        const SpectralMetrics& m = *row.spectral;
        out["spectral"] = { { "rows", m.rows }, { "cols", m.cols }, { "frobenius", jsonNumber(m.frobenius) },
            { "spectral_norm", jsonNumber(m.spectralNorm) }, { "stable_rank", jsonNumber(m.stableRank) },
            { "effective_rank", jsonNumber(m.effectiveRank) }, { "alpha", jsonNumber(m.alpha) },
            { "alpha_ks", jsonNumber(m.alphaKs) } };
    } else if (!row.noSpectrum.empty()) {
        out["no_spectrum"] = row.noSpectrum;
    }
}

void writeTensorTableCsvHeader(std::ostream& out, TableMetrics metrics)
{
    out << "name,dtype,shape,count,min,max,mean,std,max_abs,l2,zero_fraction,nan,posinf,neginf,denormal_fraction,"
           "beyond_float16_fraction";
    if (metrics == TableMetrics::All)
        out << ",spectral_norm,stable_rank,effective_rank,alpha,alpha_ks";
    out << "\n";
}

void writeTensorTableCsvRow(std::ostream& out, const TensorTableRow& row, TableMetrics metrics)
{
    const TensorStats& s = row.stats;
    out << csvField(printable(row.info.name)) << ',' << dtypeName(row.info.dtype) << ','
        << csvField(shapeToString(row.info.shape)) << ',' << s.count;
    for (double v : { s.min, s.max, s.mean, s.std, row.maxAbs, row.l2 })
        out << ',' << csvNumber(s.finite > 0 ? v : kNaN); // empty: no finite value
    out << ',' << csvNumber(row.zeroFraction);
    out << ',' << s.nan << ',' << s.posInf << ',' << s.negInf << ',' << csvNumber(row.denormalFraction()) << ','
        << csvNumber(row.beyondFloat16Fraction());
    if (metrics == TableMetrics::All) {
        const SpectralMetrics* m = row.spectral ? &*row.spectral : nullptr;
        for (double v : { m ? m->spectralNorm : kNaN, m ? m->stableRank : kNaN, m ? m->effectiveRank : kNaN,
                 m ? m->alpha : kNaN, m ? m->alphaKs : kNaN })
            out << ',' << csvNumber(v);
    }
    out << "\n";
}

} // namespace ckpt

namespace ckpt {

void saveTensorTableCsv(const std::string& path, const std::vector<const TensorTableRow*>& rows, TableMetrics metrics)
{
    AtomicOutput output(path, true);
    {
        std::ofstream out(output.tempPath(), std::ios::binary);
        writeTensorTableCsvHeader(out, metrics);
        for (const TensorTableRow* row : rows)
            writeTensorTableCsvRow(out, *row, metrics);
        out.flush();
        if (!out)
            throw CheckpointError(path, "cannot write the table");
    }
    output.commit();
}

} // namespace ckpt
