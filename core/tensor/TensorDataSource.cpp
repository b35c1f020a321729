#include "tensor/TensorDataSource.h"

#include "base/CheckpointError.h"

namespace ckpt {

void TensorDataSource::checkBox(std::span<const std::int64_t> start, std::span<const std::int64_t> count) const
{
    if (start.size() != shape_.size() || count.size() != shape_.size())
        throw FormatError("box rank does not match the tensor's rank");
    for (std::size_t i = 0; i < shape_.size(); ++i) {
        if (start[i] < 0 || count[i] < 0 || start[i] > shape_[i] || count[i] > shape_[i] - start[i])
            throw FormatError("box is outside the tensor's shape");
    }
}

void TensorDataSource::checkFlat(std::int64_t first, std::int64_t count) const
{
    const auto n = shapeNumel(shape_);
    if (first < 0 || count < 0 || first > n || count > n - first)
        throw FormatError("element range is outside the tensor");
}

void TensorDataSource::readFlat(std::int64_t first, std::int64_t count, std::byte* out) const
{
    checkFlat(first, count);
    if (count == 0)
        return;
    if (shape_.empty()) {
        readBox({}, {}, out);
        return;
    }
    std::vector<std::int64_t> prefix;
    readFlatFrom(prefix, first, count, out);
}

// Splits [first, first+count) of the sub-tensor below `prefix` into a partial leading row,
// a box of whole rows, and a partial trailing row.
void TensorDataSource::readFlatFrom(
    std::vector<std::int64_t>& prefix, std::int64_t first, std::int64_t count, std::byte*& out) const
{
    const std::size_t k = prefix.size();
    const std::size_t rank = shape_.size();
    const auto elem = static_cast<std::int64_t>(dtypeSize(dtype_));
    auto readRows = [&](std::int64_t row, std::int64_t rows, std::int64_t firstInner, std::int64_t nInner) {
        std::vector<std::int64_t> start(prefix), cnt(k, 1);
        start.push_back(row);
        cnt.push_back(rows);
        for (std::size_t d = k + 1; d < rank; ++d) {
            start.push_back(0);
            cnt.push_back(shape_[d]);
        }
        if (k + 1 == rank) { // last axis: a run of single elements
            start[k] = firstInner;
            cnt[k] = nInner;
        }
        readBox(start, cnt, out);
        std::int64_t n = 1;
        for (auto c : cnt)
            n *= c;
        out += n * elem;
    };
    if (k + 1 == rank) {
        readRows(0, 0, first, count);
        return;
    }
    std::int64_t inner = 1;
    for (std::size_t d = k + 1; d < rank; ++d)
        inner *= shape_[d];
    std::int64_t row = first / inner;
    const std::int64_t offset = first % inner;
    if (offset != 0) {
        const std::int64_t n = std::min(count, inner - offset);
        prefix.push_back(row);
        readFlatFrom(prefix, offset, n, out);
        prefix.pop_back();
        count -= n;
        ++row;
    }
    const std::int64_t rows = count / inner;
    if (rows > 0) {
        readRows(row, rows, 0, 0);
        row += rows;
        count -= rows * inner;
    }
    if (count > 0) {
        prefix.push_back(row);
        readFlatFrom(prefix, 0, count, out);
        prefix.pop_back();
    }
}

} // namespace ckpt
