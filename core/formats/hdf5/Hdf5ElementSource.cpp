#include "formats/hdf5/Hdf5ElementSource.h"

#include "base/CheckpointError.h"
#include "tensor/StridedTensorSource.h"

#include <algorithm>
#include <vector>

namespace ckpt {

namespace {

// How many bytes of whole elements one step of a partial read holds (at least one row of the
// box): a column of an (N, 3) member must not read all N records at once.
constexpr std::int64_t kSlabBytes = 8 << 20;

} // namespace

Hdf5ElementSource::Hdf5ElementSource(DType dtype, Shape shape, std::size_t elementAxes)
    : TensorDataSource(dtype, shape)
    , datasetShape_(shape.begin(), shape.end() - static_cast<std::ptrdiff_t>(std::min(elementAxes, shape.size())))
    , elementValues_(shapeNumel(Shape(shape.begin() + static_cast<std::ptrdiff_t>(datasetShape_.size()), shape.end())))
    , elementBytes_(static_cast<std::size_t>(checkedMul(elementValues_, static_cast<std::int64_t>(dtypeSize(dtype)))))
{
}

TensorBox Hdf5ElementSource::withWholeElements(TensorBox datasetBox) const
{
    for (std::size_t d = datasetShape_.size(); d < shape().size(); ++d) {
        datasetBox.start.push_back(0);
        datasetBox.count.push_back(shape()[d]);
    }
    return datasetBox;
}

void Hdf5ElementSource::readBox(
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const
{
    checkBox(start, count);
    if (std::find(count.begin(), count.end(), 0) != count.end())
        return;
    const std::size_t rank = datasetShape_.size();
    bool wholeElements = true;
    for (std::size_t d = rank; d < shape().size(); ++d)
        wholeElements = wholeElements && start[d] == 0 && count[d] == shape()[d];
    if (wholeElements)
        readElements(start.first(rank), count.first(rank), out);
    else
        readPartsOfElements(start, count, out, 0);
}

// Reads whole elements, a slab of rows along one dataset axis at a time, and copies the box's
// part of each element out: libhdf5 cannot select inside an array member. Axes before `axis`
// have a count of 1; when one row of `axis` (every element of the later axes) is larger than a
// slab, the rows are taken one at a time along the next axis instead.
void Hdf5ElementSource::readPartsOfElements(
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out, std::size_t axis) const
{
    const std::size_t rank = datasetShape_.size();
    const std::int64_t partBytes = shapeNumel(Shape(count.begin() + static_cast<std::ptrdiff_t>(rank), count.end()))
        * static_cast<std::int64_t>(dtypeSize(dtype()));
    const std::int64_t rowElements = axis < rank
        ? shapeNumel(Shape(
            count.begin() + static_cast<std::ptrdiff_t>(axis) + 1, count.begin() + static_cast<std::ptrdiff_t>(rank)))
        : 1;
    const std::int64_t rowBytes = saturatingMul(rowElements, static_cast<std::int64_t>(elementBytes_));
    if (axis + 1 < rank && rowBytes > kSlabBytes) {
        std::vector<std::int64_t> rowStart(start.begin(), start.end()), rowCount(count.begin(), count.end());
        rowCount[axis] = 1;
        for (std::int64_t i = 0; i < count[axis]; ++i) {
            rowStart[axis] = start[axis] + i;
            readPartsOfElements(rowStart, rowCount, out, axis + 1);
            out += rowElements * partBytes;
        }
        return;
    }
    std::vector<std::int64_t> from(start.begin(), start.begin() + static_cast<std::ptrdiff_t>(rank));
    std::vector<std::int64_t> n(count.begin(), count.begin() + static_cast<std::ptrdiff_t>(rank));
    const std::int64_t rows = axis < rank ? n[axis] : 1;
    const std::int64_t slabRows = std::max<std::int64_t>(1, kSlabBytes / std::max<std::int64_t>(1, rowBytes));
    // The slab as a tensor (elements, ...member dims), and the box's part of it.
    Shape slabShape { 0 };
    std::vector<std::int64_t> partStart { 0 }, partCount { 0 };
    slabShape.insert(slabShape.end(), shape().begin() + static_cast<std::ptrdiff_t>(rank), shape().end());
    partStart.insert(partStart.end(), start.begin() + static_cast<std::ptrdiff_t>(rank), start.end());
    partCount.insert(partCount.end(), count.begin() + static_cast<std::ptrdiff_t>(rank), count.end());
    for (std::int64_t row = 0; row < rows; row += slabRows) {
        const std::int64_t take = std::min(slabRows, rows - row);
        if (axis < rank) {
            from[axis] = start[axis] + row;
            n[axis] = take;
        }
        std::vector<std::byte> whole(static_cast<std::size_t>(take * rowBytes));
        readElements(from, n, whole.data());
        slabShape[0] = partCount[0] = take * rowElements;
        makeMemorySource(dtype(), slabShape, std::move(whole))->readBox(partStart, partCount, out);
        out += partCount[0] * partBytes;
    }
}

} // namespace ckpt
