#pragma once

#include "tensor/TensorDataSource.h"

namespace ckpt {

// A tensor whose natural access is a run of consecutive elements (block-quantized data, values
// decoded from a packed field). Subclasses implement readFlat; boxes are served as runs along
// the last axis.
class FlatTensorSource : public TensorDataSource {
public:
    using TensorDataSource::TensorDataSource;

    void readBox(std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const final;
    void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const override = 0;
};

} // namespace ckpt
