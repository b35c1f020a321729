#include "compare/ElementReads.h"
#include "compare/LlamaCppNames.h"

#include "base/Cancelled.h"
#include "base/CheckpointError.h"
#include "numerics/Convert.h"
#include "tensor/StoredElements.h"
#include "tensor/TensorChunks.h"

#include <string>

namespace ckpt {

namespace {

constexpr std::int64_t kChunkElements = 1 << 20;

void checkCancel(const std::atomic<bool>* cancel)
{
    if (cancel && cancel->load())
        throw Cancelled();
}

// Runs fn, naming the side and tensor in what it throws (CheckpointErrors pass unchanged).
template <typename Fn> void onSide(const char* side, const Tensor& t, Fn fn)
{
    try {
        fn();
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw FormatError(side + t.info.name + ": " + e.what());
    }
}

} // namespace

void readDoubles(
    const Tensor& t, std::int64_t first, std::int64_t n, std::vector<std::byte>& raw, std::vector<double>& out)
{
    raw.resize(std::size_t(n) * dtypeSize(t.info.dtype));
    t.data->readFlat(first, n, raw.data());
    out.resize(std::size_t(n));
    convertToDouble(t.info.dtype, raw.data(), n, out.data());
}

void readTransposedRows(
    const Tensor& b, std::int64_t row0, std::int64_t rows, std::vector<std::byte>& raw, std::vector<double>& out)
{
    const std::int64_t n = b.info.shape[0];
    raw.resize(std::size_t(n * rows) * dtypeSize(b.info.dtype));
    const std::int64_t start[2] = { 0, row0 };
    const std::int64_t count[2] = { n, rows };
    b.data->readBox(start, count, raw.data());
    std::vector<double> box(std::size_t(n * rows));
    convertToDouble(b.info.dtype, raw.data(), n * rows, box.data());
    out.resize(box.size());
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < rows; ++j)
            out[std::size_t(j * n + i)] = box[std::size_t(i * rows + j)];
}

void forEachValueChunk(const Tensor& t, const std::atomic<bool>* cancel,
    const std::function<void(const double* values, std::int64_t n)>& fn)
{
    requireElementwiseReadable(t);
    const ChunkPlan plan = planChunks(t, ChunkShape { .targetElements = kChunkElements });
    std::vector<std::byte> raw;
    std::vector<double> values;
    for (std::int64_t i = 0; i < plan.chunks(); ++i) {
        checkCancel(cancel);
        readDoubles(t, plan.first(i), plan.count(i), raw, values);
        fn(values.data(), plan.count(i));
    }
}

namespace {

// Rows [row0, row0 + rows) of A's order taken from B, whose rows llama.cpp permuted (or A's).
void readPermutedRows(const Tensor& b, std::int64_t row0, std::int64_t rows, std::int64_t rowLength,
    const PairLayout& layout, std::vector<std::byte>& raw, std::vector<double>& out)
{
    const std::int64_t total = b.info.shape[0];
    const std::size_t rowBytes = std::size_t(rowLength) * dtypeSize(b.info.dtype);
    raw.resize(std::size_t(rows) * rowBytes);
    for (std::int64_t r = 0; r < rows; ++r) {
        const std::int64_t row = row0 + r;
        const std::int64_t fromB = layout.ggufIsA ? hfRowOfGgufRow(row, total, layout.ropeHeads)
                                                  : ggufRowOfHfRow(row, total, layout.ropeHeads);
        b.data->readFlat(fromB * rowLength, rowLength, raw.data() + std::size_t(r) * rowBytes);
    }
    out.resize(std::size_t(rows * rowLength));
    convertToDouble(b.info.dtype, raw.data(), rows * rowLength, out.data());
}

std::int64_t rowLengthOf(const Tensor& a, const PairLayout& layout)
{
    if (layout.transposed)
        return std::max<std::int64_t>(1, a.info.shape[1]);
    if (layout.ropeHeads > 0)
        return std::max<std::int64_t>(1, a.info.numel() / std::max<std::int64_t>(1, a.info.shape[0]));
    return 1;
}

} // namespace

void forEachPairedChunk(const Tensor& a, const Tensor& b, const PairLayout& layout, const std::atomic<bool>* cancel,
    const std::function<void(const PairedChunk&)>& fn)
{
    onSide("A: ", a, [&] { requireElementwiseReadable(a); });
    onSide("B: ", b, [&] { requireElementwiseReadable(b); });
    const std::int64_t rowLength = rowLengthOf(a, layout);
    const ChunkPlan plan = planChunks(a, ChunkShape { .targetElements = kChunkElements, .rowElements = rowLength });
    std::vector<std::byte> rawA, rawB;
    std::vector<double> va, vb;
    for (std::int64_t i = 0; i < plan.chunks(); ++i) {
        checkCancel(cancel);
        const std::int64_t first = plan.first(i), n = plan.count(i);
        onSide("A: ", a, [&] { readDoubles(a, first, n, rawA, va); });
        onSide("B: ", b, [&] {
            if (layout.transposed)
                readTransposedRows(b, first / rowLength, n / rowLength, rawB, vb);
            else if (layout.ropeHeads > 0)
                readPermutedRows(b, first / rowLength, n / rowLength, rowLength, layout, rawB, vb);
            else
                readDoubles(b, first, n, rawB, vb);
        });
        fn(PairedChunk { va.data(), vb.data(), n, rawA, rawB });
    }
}

} // namespace ckpt
