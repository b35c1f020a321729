#include "tensor/StridedTensorSource.h"

#include "base/CheckpointError.h"

#include <algorithm>
#include <cstring>

namespace ckpt {

StridedLayout StridedLayout::rowMajor(const Shape& shape, std::uint64_t byteOffset, ByteOrder order)
{
    return { byteOffset, rowMajorStrides(shape), order };
}

StridedLayout StridedLayout::columnMajor(const Shape& shape, std::uint64_t byteOffset, ByteOrder order)
{
    return { byteOffset, columnMajorStrides(shape), order };
}

void swapByteOrder(DType dtype, std::byte* data, std::int64_t count)
{
    const std::size_t unit = isComplex(dtype) ? dtypeSize(dtype) / 2 : dtypeSize(dtype);
    if (unit == 1)
        return;
    const std::int64_t units = count * static_cast<std::int64_t>(dtypeSize(dtype) / unit);
    for (std::int64_t i = 0; i < units; ++i)
        std::reverse(data + i * unit, data + (i + 1) * unit);
}

StridedTensorSource::StridedTensorSource(
    std::shared_ptr<const ByteSource> bytes, DType dtype, Shape shape, StridedLayout layout)
    : TensorDataSource(dtype, std::move(shape))
    , bytes_(std::move(bytes))
    , layout_(std::move(layout))
{
    const Shape& s = this->shape();
    if (layout_.strides.size() != s.size())
        throw FormatError("strides do not match the shape");
    const auto elem = static_cast<std::int64_t>(dtypeSize(dtype));
    const std::int64_t n = shapeNumel(s);
    if (n == 0)
        return;
    std::int64_t lastElement = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (layout_.strides[i] < 0)
            throw FormatError("negative strides are not supported");
        lastElement += checkedMul(s[i] - 1, layout_.strides[i]);
        if (lastElement < 0)
            throw FormatError("strides overflow");
    }
    const std::int64_t endByte = checkedMul(lastElement + 1, elem);
    if (layout_.byteOffset > bytes_->size()
        || static_cast<std::uint64_t>(endByte) > bytes_->size() - layout_.byteOffset)
        throw FormatError("tensor data (" + std::to_string(endByte) + " bytes at offset "
            + std::to_string(layout_.byteOffset) + ") runs past the end of its storage ("
            + std::to_string(bytes_->size()) + " bytes)");
    contiguous_ = layout_.strides == rowMajorStrides(s);
}

void StridedTensorSource::finish(std::byte* out, std::int64_t n) const
{
    if (layout_.byteOrder != hostByteOrder())
        swapByteOrder(dtype(), out, n);
}

void StridedTensorSource::readFlat(std::int64_t first, std::int64_t count, std::byte* out) const
{
    if (!contiguous_)
        return TensorDataSource::readFlat(first, count, out);
    checkFlat(first, count);
    const auto elem = dtypeSize(dtype());
    bytes_->read(
        layout_.byteOffset + static_cast<std::uint64_t>(first) * elem, static_cast<std::size_t>(count) * elem, out);
    finish(out, count);
}

const std::byte* StridedTensorSource::mappedElements() const
{
    const std::byte* base = bytes_->data();
    if (!contiguous_ || !base || (layout_.byteOrder != hostByteOrder() && dtypeSize(dtype()) > 1))
        return nullptr;
    return base + layout_.byteOffset;
}

std::vector<RepeatedPart> StridedTensorSource::repeatedParts() const
{
    if (shapeNumel(shape()) == 0)
        return {};
    Shape distinct = shape();
    std::int64_t repeat = 1;
    for (std::size_t d = 0; d < distinct.size(); ++d)
        if (layout_.strides[d] == 0 && distinct[d] > 1) {
            repeat *= distinct[d]; // cannot overflow: it divides the tensor's element count
            distinct[d] = 1;
        }
    if (repeat == 1)
        return {};
    return { RepeatedPart {
        std::make_shared<StridedTensorSource>(bytes_, dtype(), std::move(distinct), layout_), repeat } };
}

// Reads `len` elements `step` elements apart starting at byteOffset.
void StridedTensorSource::readRun(std::uint64_t byteOffset, std::int64_t step, std::int64_t len, std::byte* dst,
    std::vector<std::byte>& scratch) const
{
    const auto elem = static_cast<std::int64_t>(dtypeSize(dtype()));
    if (step == 1) {
        bytes_->read(byteOffset, static_cast<std::size_t>(len * elem), dst);
        return;
    }
    const std::int64_t span = ((len - 1) * step + 1) * elem;
    if (span > (1 << 20) && span > 8 * len * elem) { // sparse: one read per element
        for (std::int64_t j = 0; j < len; ++j)
            bytes_->read(byteOffset + static_cast<std::uint64_t>(j * step * elem), static_cast<std::size_t>(elem),
                dst + j * elem);
        return;
    }
    // Dense enough: read the covering span once, then pick the elements.
    scratch.resize(static_cast<std::size_t>(span));
    bytes_->read(byteOffset, scratch.size(), scratch.data());
    for (std::int64_t j = 0; j < len; ++j)
        std::memcpy(dst + j * elem, scratch.data() + j * step * elem, static_cast<std::size_t>(elem));
}

void StridedTensorSource::readBox(
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const
{
    checkBox(start, count);
    const auto elem = static_cast<std::int64_t>(dtypeSize(dtype()));
    const std::size_t rank = start.size();
    std::int64_t total = 1;
    for (auto c : count)
        total *= c;
    if (total == 0)
        return;
    if (rank == 0) {
        bytes_->read(layout_.byteOffset, static_cast<std::size_t>(elem), out);
        finish(out, 1);
        return;
    }
    // Merge the trailing axes that are read whole and stored contiguously into one run.
    const auto& strides = layout_.strides;
    std::size_t runAxis = rank - 1;
    std::int64_t runLen = count[runAxis];
    bool runContiguous = strides[runAxis] == 1;
    if (runContiguous) {
        std::int64_t expected = shape()[runAxis];
        while (runAxis > 0 && count[runAxis] == shape()[runAxis] && strides[runAxis - 1] == expected) {
            --runAxis;
            runLen *= count[runAxis];
            expected *= shape()[runAxis];
        }
    }
    std::vector<std::int64_t> index(start.begin(), start.begin() + static_cast<std::ptrdiff_t>(runAxis));
    std::vector<std::byte> gather;
    std::byte* dst = out;
    while (true) {
        std::int64_t elementOffset = 0;
        for (std::size_t i = 0; i < runAxis; ++i)
            elementOffset += index[i] * strides[i];
        elementOffset += start[runAxis] * strides[runAxis];
        const std::uint64_t byteOffset = layout_.byteOffset + static_cast<std::uint64_t>(elementOffset * elem);
        readRun(byteOffset, runContiguous ? 1 : strides[runAxis], runLen, dst, gather);
        dst += runLen * elem;
        // Advance the odometer over the axes before runAxis.
        std::size_t axis = runAxis;
        while (axis > 0) {
            --axis;
            if (++index[axis] < start[axis] + count[axis])
                break;
            index[axis] = start[axis];
            if (axis == 0) {
                axis = rank; // done
                break;
            }
        }
        if (axis == rank || runAxis == 0)
            break;
    }
    finish(out, total);
}

std::shared_ptr<TensorDataSource> makeMemorySource(DType dtype, Shape shape, std::vector<std::byte> bytes)
{
    auto src = std::make_shared<MemoryByteSource>(std::move(bytes));
    auto layout = StridedLayout::rowMajor(shape, 0, hostByteOrder());
    return std::make_shared<StridedTensorSource>(std::move(src), dtype, std::move(shape), std::move(layout));
}

} // namespace ckpt
