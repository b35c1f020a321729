#pragma once

#include "tensor/TensorDataSource.h"

#include <string>

namespace ckpt {

// The data of a tensor that is listed but never read: every read throws
// CheckpointError(file, reason). Used where reading would leave the checkpoint's folder or
// walk a structure known to crash the library that reads it.
class RefusedTensorSource final : public TensorDataSource {
public:
    RefusedTensorSource(DType dtype, Shape shape, std::string file, std::string reason);

    void readBox(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const override;
    void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const override;

private:
    std::string file_;
    std::string reason_;
};

} // namespace ckpt
