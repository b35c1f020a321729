#pragma once

#include "tensor/TensorDataSource.h"

#include <memory>
#include <vector>

namespace ckpt {

// A box of a tensor: [start, start + count) along every axis.
struct TensorBox {
    std::vector<std::int64_t> start, count;
};

// Boxes of another tensor one after another, each in row-major order, as one flat tensor: the
// stored chunks of a dataset that is mostly fill value, whose statistics do not care about order.
class BoxListSource final : public TensorDataSource {
public:
    // Throws FormatError when a box lies outside the parent's shape.
    BoxListSource(std::shared_ptr<const TensorDataSource> parent, std::vector<TensorBox> boxes);

    void readBox(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const override;

private:
    static void checkBoxOf(const TensorDataSource& parent, const TensorBox& box);

    std::shared_ptr<const TensorDataSource> parent_;
    std::vector<TensorBox> boxes_;
    std::vector<std::int64_t> firstElement_; // of each box in the flat tensor, then the total
};

} // namespace ckpt
