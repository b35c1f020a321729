#include "tensor/StoredElements.h"

#include "base/CheckpointError.h"

namespace ckpt {

std::int64_t storedElements(const Tensor& tensor)
{
    const auto parts = tensor.data->repeatedParts();
    if (parts.empty())
        return tensor.info.numel();
    std::int64_t stored = 0;
    for (const auto& p : parts)
        stored += shapeNumel(p.elements->shape()); // parts are within the tensor: no overflow
    return stored;
}

void requireElementwiseReadable(const Tensor& tensor)
{
    constexpr std::int64_t kLarge = std::int64_t(1) << 32;
    const std::int64_t numel = tensor.info.numel();
    if (numel <= kLarge)
        return;
    const std::int64_t stored = storedElements(tensor);
    if (stored < numel / 16)
        throw FormatError("declares " + std::to_string(numel) + " elements but stores only " + std::to_string(stored)
            + " (the rest repeat them); it is not compared element by element");
}

} // namespace ckpt
