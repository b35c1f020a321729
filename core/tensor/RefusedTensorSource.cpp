#include "tensor/RefusedTensorSource.h"

#include "base/CheckpointError.h"

namespace ckpt {

RefusedTensorSource::RefusedTensorSource(DType dtype, Shape shape, std::string file, std::string reason)
    : TensorDataSource(dtype, std::move(shape))
    , file_(std::move(file))
    , reason_(std::move(reason))
{
}

void RefusedTensorSource::readBox(
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte*) const
{
    checkBox(start, count);
    throw CheckpointError(file_, reason_);
}

void RefusedTensorSource::readFlat(std::int64_t first, std::int64_t count, std::byte*) const
{
    checkFlat(first, count);
    throw CheckpointError(file_, reason_);
}

} // namespace ckpt
