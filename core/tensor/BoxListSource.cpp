#include "tensor/BoxListSource.h"

#include "base/CheckpointError.h"

#include <algorithm>
#include <limits>

namespace ckpt {

namespace {

std::int64_t totalElements(const std::vector<TensorBox>& boxes)
{
    std::int64_t total = 0;
    for (const auto& b : boxes) {
        const std::int64_t n = shapeNumel(b.count);
        if (n > std::numeric_limits<std::int64_t>::max() - total)
            throw FormatError("the boxes hold more than 2^63 elements");
        total += n;
    }
    return total;
}

// One box of the parent as a tensor of its own, so that part of it can be read as a flat range
// (TensorDataSource::readFlat splits that into whole rows) instead of reading all of it.
class BoxView final : public TensorDataSource {
public:
    BoxView(const TensorDataSource& parent, const TensorBox& box)
        : TensorDataSource(parent.dtype(), box.count)
        , parent_(parent)
        , box_(box)
    {
    }

    void readBox(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const override
    {
        std::vector<std::int64_t> at(start.begin(), start.end());
        for (std::size_t d = 0; d < at.size(); ++d)
            at[d] += box_.start[d];
        parent_.readBox(at, count, out);
    }

private:
    const TensorDataSource& parent_;
    const TensorBox& box_;
};

} // namespace

BoxListSource::BoxListSource(std::shared_ptr<const TensorDataSource> parent, std::vector<TensorBox> boxes)
    : TensorDataSource(parent->dtype(), Shape { totalElements(boxes) })
    , parent_(std::move(parent))
    , boxes_(std::move(boxes))
{
    std::int64_t at = 0;
    for (const auto& b : boxes_) {
        checkBoxOf(*parent_, b);
        firstElement_.push_back(at);
        at += shapeNumel(b.count);
    }
    firstElement_.push_back(at);
}

void BoxListSource::checkBoxOf(const TensorDataSource& parent, const TensorBox& box)
{
    const Shape& shape = parent.shape();
    if (box.start.size() != shape.size() || box.count.size() != shape.size())
        throw FormatError("box rank does not match the tensor's rank");
    for (std::size_t d = 0; d < shape.size(); ++d)
        if (box.start[d] < 0 || box.count[d] < 0 || box.start[d] > shape[d] || box.count[d] > shape[d] - box.start[d])
            throw FormatError("box is outside the tensor's shape");
}

void BoxListSource::readBox(
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const
{
    checkBox(start, count);
    const auto elem = static_cast<std::int64_t>(dtypeSize(dtype()));
    std::int64_t first = start[0];
    const std::int64_t end = first + count[0];
    // The box holding `first`, then each following one until `end`.
    auto i = static_cast<std::size_t>(
                 std::upper_bound(firstElement_.begin(), firstElement_.end(), first) - firstElement_.begin())
        - 1;
    for (; first < end; ++i) {
        const TensorBox& box = boxes_[i];
        const std::int64_t boxElements = firstElement_[i + 1] - firstElement_[i];
        const std::int64_t from = first - firstElement_[i];
        const std::int64_t n = std::min(end, firstElement_[i + 1]) - first;
        if (from == 0 && n == boxElements)
            parent_->readBox(box.start, box.count, out);
        else
            BoxView(*parent_, box).readFlat(from, n, out);
        out += n * elem;
        first += n;
    }
}

} // namespace ckpt
