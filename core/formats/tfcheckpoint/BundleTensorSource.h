#pragma once

#include "io/ByteSource.h"
#include "tensor/StridedTensorSource.h"

#include <memory>
#include <string>

namespace ckpt {

// One tensor of a TensorFlow bundle: its bytes at an offset in a data shard. Reads of the whole
// tensor (readTensor, statistics of tensors up to a chunk) check the entry's masked CRC32C and
// throw FormatError naming the tensor and the shard when it does not match; partial reads
// (previews, slices) cannot be checked and are served directly.
class BundleTensorSource final : public TensorDataSource {
public:
    BundleTensorSource(std::shared_ptr<const FileByteSource> shard, std::string tensorName, DType dtype, Shape shape,
        std::uint64_t offset, ByteOrder order, std::uint32_t maskedCrc32c);

    void readBox(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const override;
    void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const override;

private:
    void readWhole(std::byte* out) const;

    std::shared_ptr<const FileByteSource> shard_;
    std::string tensorName_;
    StridedTensorSource elements_;
    std::uint32_t maskedCrc32c_;
};

} // namespace ckpt
