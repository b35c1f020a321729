#include "compare/ElementReads.h"

#include "numerics/Convert.h"

namespace ckpt {

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

} // namespace ckpt
