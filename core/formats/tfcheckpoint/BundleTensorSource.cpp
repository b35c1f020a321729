#include "formats/tfcheckpoint/BundleTensorSource.h"

#include "base/CheckpointError.h"
#include "codec/Crc32c.h"

#include <cstdio>

namespace ckpt {

namespace {
std::string hex32(std::uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}
} // namespace

BundleTensorSource::BundleTensorSource(std::shared_ptr<const FileByteSource> shard, std::string tensorName, DType dtype,
    Shape shape, std::uint64_t offset, ByteOrder order, std::uint32_t maskedCrc32c)
    : TensorDataSource(dtype, shape)
    , shard_(std::move(shard))
    , tensorName_(std::move(tensorName))
    , elements_(shard_, dtype, shape, StridedLayout::rowMajor(shape, offset, order))
    , maskedCrc32c_(maskedCrc32c)
{
}

void BundleTensorSource::readWhole(std::byte* out) const
{
    const std::int64_t n = shapeNumel(shape());
    const std::size_t bytes = std::size_t(n) * dtypeSize(dtype());
    shard_->read(elements_.layout().byteOffset, bytes, out);
    const std::uint32_t actual = crc32c(out, bytes);
    if (crc32cMask(actual) != maskedCrc32c_)
        throw FormatError("crc32c mismatch for tensor '" + tensorName_ + "' in data shard " + shard_->path()
            + ": its bytes have checksum " + hex32(actual) + " but the index records "
            + hex32(crc32cUnmask(maskedCrc32c_)) + " (corrupt data file?)");
    if (elements_.layout().byteOrder != hostByteOrder())
        swapByteOrder(dtype(), out, n);
}

void BundleTensorSource::readFlat(std::int64_t first, std::int64_t count, std::byte* out) const
{
    checkFlat(first, count);
    if (first == 0 && count == shapeNumel(shape()))
        return readWhole(out);
    elements_.readFlat(first, count, out);
}

void BundleTensorSource::readBox(
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const
{
    checkBox(start, count);
    bool whole = true;
    for (std::size_t i = 0; i < start.size(); ++i)
        whole = whole && start[i] == 0 && count[i] == shape()[i];
    if (whole)
        return readWhole(out);
    elements_.readBox(start, count, out);
}

} // namespace ckpt
