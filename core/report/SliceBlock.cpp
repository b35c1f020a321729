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

} // namespace

SliceBlockValues readSliceBlock(const Tensor& tensor, const SliceBlockRequest& r)
{
    std::vector<std::int64_t> start, count;
    boxOf(tensor.info, r, start, count);
    SliceBlockValues block;
    block.rows = r.rowAxis >= 0 ? r.rows : 1;
    block.columns = r.colAxis >= 0 ? r.columns : 1;
    const std::size_t n = std::size_t(block.rows) * std::size_t(block.columns);
    const std::size_t elem = dtypeSize(tensor.info.dtype);
    std::vector<std::byte> raw(n * elem);
    if (n > 0)
        tensor.data->readBox(start, count, raw.data());
    // The box comes in axis order; the block is (row, column) with rows along the row axis.
    const bool transposed = r.rowAxis >= 0 && r.colAxis >= 0 && r.rowAxis > r.colAxis;
    block.values.resize(n);
    block.exact.resize(n);
    for (int row = 0; row < block.rows; ++row)
        for (int col = 0; col < block.columns; ++col) {
            const std::size_t from
                = transposed ? std::size_t(col) * block.rows + row : std::size_t(row) * block.columns + col;
            const std::byte* p = raw.data() + from * elem;
            const std::size_t to = std::size_t(row) * block.columns + col;
            block.values[to] = elementToDouble(tensor.info.dtype, p);
            block.exact[to] = elementToString(tensor.info.dtype, p);
        }
    return block;
}

} // namespace ckpt
