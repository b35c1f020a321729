#include "tensor/FlatTensorSource.h"

namespace ckpt {

void FlatTensorSource::readBox(
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const
{
    checkBox(start, count);
    const Shape& s = shape();
    if (s.empty()) {
        readFlat(0, 1, out);
        return;
    }
    for (auto c : count)
        if (c == 0)
            return;
    const std::size_t rank = s.size();
    const auto strides = rowMajorStrides(s);
    const std::int64_t run = count[rank - 1];
    const std::size_t runBytes = std::size_t(run) * dtypeSize(dtype());
    std::vector<std::int64_t> index(start.begin(), start.end());
    for (;;) {
        std::int64_t flat = 0;
        for (std::size_t d = 0; d < rank; ++d)
            flat += index[d] * strides[d];
        readFlat(flat, run, out);
        out += runBytes;
        // Advance the outer axes like an odometer.
        std::size_t d = rank - 1;
        while (d > 0) {
            --d;
            if (++index[d] < start[d] + count[d])
                break;
            index[d] = start[d];
            if (d == 0)
                return;
        }
        if (rank == 1)
            return;
    }
}

} // namespace ckpt
