#include "report/SliceBlock.h"

#include "numerics/Convert.h"

#include <stdexcept>

namespace ckpt {

namespace {

// The box of the tensor that holds the block, in the tensor's axis order.
void boxOf(const TensorInfo& info, const SliceBlockRequest& r, std::vector<std::int64_t>& start,
    std::vector<std::int64_t>& count)
{
    const std::size_t rank = info.shape.size();
    if (r.fixed.size() != rank || r.rows < 0 || r.columns < 0 || r.rowAxis >= int(rank) || r.colAxis >= int(rank))
        throw std::out_of_range("the slice does not fit the tensor");
    start = r.fixed;
    count.assign(rank, 1);
    if (r.rowAxis >= 0) {
        start[std::size_t(r.rowAxis)] = r.firstRow;
        count[std::size_t(r.rowAxis)] = r.rows;
    }
    if (r.colAxis >= 0) {
        start[std::size_t(r.colAxis)] = r.firstColumn;
        count[std::size_t(r.colAxis)] = r.columns;
    }
    for (std::size_t a = 0; a < rank; ++a)
        if (start[a] < 0 || count[a] < 0 || start[a] > info.shape[a] || count[a] > info.shape[a] - start[a])
            throw std::out_of_range("the slice does not fit the tensor");
}

// The raw elements of the request's box, in the tensor's axis order.
std::vector<std::byte> readBoxOf(const Tensor& tensor, const SliceBlockRequest& r, int& rows, int& columns)
{
    std::vector<std::int64_t> start, count;
    boxOf(tensor.info, r, start, count);
    rows = r.rowAxis >= 0 ? r.rows : 1;
    columns = r.colAxis >= 0 ? r.columns : 1;
    std::vector<std::byte> raw(std::size_t(rows) * std::size_t(columns) * dtypeSize(tensor.info.dtype));
    if (!raw.empty())
        tensor.data->readBox(start, count, raw.data());
    return raw;
}

// The box comes in axis order; a block is (row, column) with rows along the row axis.
bool transposed(const SliceBlockRequest& r)
{
    return r.rowAxis >= 0 && r.colAxis >= 0 && r.rowAxis > r.colAxis;
}

} // namespace

SliceBlockValues readSliceBlock(const Tensor& tensor, const SliceBlockRequest& r)
{
    SliceBlockValues block;
    const std::vector<std::byte> raw = readBoxOf(tensor, r, block.rows, block.columns);
    const std::size_t n = std::size_t(block.rows) * std::size_t(block.columns);
    const std::size_t elem = dtypeSize(tensor.info.dtype);
    const bool swap = transposed(r);
    block.values.resize(n);
    block.exact.resize(n);
    for (int row = 0; row < block.rows; ++row)
        for (int col = 0; col < block.columns; ++col) {
            const std::size_t from
                = swap ? std::size_t(col) * block.rows + row : std::size_t(row) * block.columns + col;
            const std::byte* p = raw.data() + from * elem;
            const std::size_t to = std::size_t(row) * block.columns + col;
            block.values[to] = elementToDouble(tensor.info.dtype, p);
            block.exact[to] = elementToString(tensor.info.dtype, p);
        }
    return block;
}

std::vector<double> readSliceValues(const Tensor& tensor, const SliceBlockRequest& r)
{
    int rows = 0, columns = 0;
    const std::vector<std::byte> raw = readBoxOf(tensor, r, rows, columns);
    const std::size_t n = std::size_t(rows) * std::size_t(columns);
    std::vector<double> values(n);
    convertToDouble(tensor.info.dtype, raw.data(), std::int64_t(n), values.data());
    if (!transposed(r))
        return values;
    std::vector<double> swapped(n);
    for (int row = 0; row < rows; ++row)
        for (int col = 0; col < columns; ++col)
            swapped[std::size_t(row) * columns + col] = values[std::size_t(col) * rows + row];
    return swapped;
}

} // namespace ckpt
