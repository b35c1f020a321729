#pragma once

#include "tensor/TensorDataSource.h"

#include <memory>
#include <vector>

namespace ckpt {

// One piece of a tensor stored in parts: its elements form the box at `offsets` of the whole.
struct TensorPiece {
    std::vector<std::int64_t> offsets;
    std::shared_ptr<const TensorDataSource> data; // shape: the piece's sizes
};

// A tensor put together from pieces that tile it (the chunks of a sharded tensor written by
// several ranks), each read when a box touches it. The constructor checks that the pieces have
// the tensor's dtype and rank, lie inside it, do not overlap and cover every element.
class AssembledSource final : public TensorDataSource {
public:
    AssembledSource(DType dtype, Shape shape, std::vector<TensorPiece> pieces); // throws FormatError

    void readBox(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const override;

private:
    std::vector<TensorPiece> pieces_;
};

} // namespace ckpt
