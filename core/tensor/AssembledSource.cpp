#include "tensor/AssembledSource.h"

#include "base/CheckpointError.h"

#include <algorithm>
#include <cstring>

namespace ckpt {

namespace {

constexpr std::size_t kMaxCheckedPairs = std::size_t(1) << 24;

bool overlap(const TensorPiece& a, const TensorPiece& b)
{
    for (std::size_t d = 0; d < a.offsets.size(); ++d) {
        const std::int64_t aEnd = a.offsets[d] + a.data->shape()[d], bEnd = b.offsets[d] + b.data->shape()[d];
        if (a.offsets[d] >= bEnd || b.offsets[d] >= aEnd)
            return false;
    }
    return true;
}

} // namespace

AssembledSource::AssembledSource(DType dtype, Shape shape, std::vector<TensorPiece> pieces)
    : TensorDataSource(dtype, shape)
    , pieces_(std::move(pieces))
{
    std::int64_t covered = 0;
    for (const auto& p : pieces_) {
        if (!p.data || p.data->dtype() != dtype || p.offsets.size() != shape.size()
            || p.data->shape().size() != shape.size())
            throw FormatError("a piece does not have the tensor's dtype and rank");
        for (std::size_t d = 0; d < shape.size(); ++d)
            if (p.offsets[d] < 0 || p.offsets[d] > shape[d] || p.data->shape()[d] > shape[d] - p.offsets[d])
                throw FormatError("a piece at offset " + shapeToString(p.offsets) + " of shape "
                    + shapeToString(p.data->shape()) + " lies outside the tensor " + shapeToString(shape));
        covered = saturatingAdd(covered, shapeNumel(p.data->shape()));
    }
    if (covered != shapeNumel(shape))
        throw FormatError("its pieces hold " + std::to_string(covered) + " elements, the tensor "
            + std::to_string(shapeNumel(shape)));
    if (pieces_.size() * pieces_.size() > kMaxCheckedPairs)
        throw FormatError("more than 4096 pieces");
    for (std::size_t i = 0; i < pieces_.size(); ++i)
        for (std::size_t j = i + 1; j < pieces_.size(); ++j)
            if (overlap(pieces_[i], pieces_[j]))
                throw FormatError("two of its pieces overlap (at " + shapeToString(pieces_[i].offsets) + " and "
                    + shapeToString(pieces_[j].offsets) + ")");
}

void AssembledSource::readBox(
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const
{
    checkBox(start, count);
    const std::size_t rank = start.size();
    const std::size_t elem = dtypeSize(dtype());
    if (rank == 0) {
        pieces_.front().data->readBox(start, count, out);
        return;
    }
    for (const auto& p : pieces_) {
        std::vector<std::int64_t> lo(rank), n(rank), local(rank);
        bool touches = true;
        for (std::size_t d = 0; d < rank && touches; ++d) {
            lo[d] = std::max(start[d], p.offsets[d]);
            const std::int64_t hi = std::min(start[d] + count[d], p.offsets[d] + p.data->shape()[d]);
            touches = hi > lo[d];
            n[d] = hi - lo[d];
            local[d] = lo[d] - p.offsets[d];
        }
        if (!touches)
            continue;
        std::vector<std::byte> part(static_cast<std::size_t>(shapeNumel(n)) * elem);
        p.data->readBox(local, n, part.data());
        // Rows of the part (runs along the last axis) into their places in the box.
        const std::size_t run = static_cast<std::size_t>(n[rank - 1]) * elem;
        std::vector<std::int64_t> at(rank, 0);
        const std::byte* from = part.data();
        for (;;) {
            std::int64_t to = 0;
            for (std::size_t d = 0; d < rank; ++d)
                to = to * count[d] + (lo[d] - start[d] + at[d]);
            std::memcpy(out + static_cast<std::size_t>(to) * elem, from, run);
            from += run;
            std::size_t d = rank - 1;
            while (d-- > 0) {
                if (++at[d] < n[d])
                    break;
                at[d] = 0;
            }
            if (d == std::size_t(-1))
                break;
        }
    }
}

} // namespace ckpt
