#pragma once

#include "numerics/BlockReduce.h"
#include "tensor/Tensor.h"

#include <atomic>
#include <cstdint>

namespace ckpt {

// How a 4-D convolution weight orders its axes: PyTorch (out, in, kh, kw) or TensorFlow/Keras
// (kh, kw, in, out). Told apart by where the small spatial pair is (both at most kMaxKernelSide).
enum class KernelLayout { None, OutInHW, HWInOut };
constexpr std::int64_t kMaxKernelSide = 11;
KernelLayout kernelLayout(const Shape& shape);

// Which kernels to draw: up to maxOuts x maxIns of them from (firstOut, firstIn).
struct FilterGridRequest {
    std::int64_t firstOut = 0;
    std::int64_t firstIn = 0;
    int maxOuts = 32;
    int maxIns = 32;
    bool operator==(const FilterGridRequest&) const = default;
};

// Small multiples of a convolution's kernels: one kh x kw tile per (output, input) channel,
// outputs down and inputs across, one NaN row and column between tiles (drawn as a gap). Every
// tile has one cell per weight (no downsampling); the colour range is of the tiles drawn.
struct FilterGrid {
    FilterGridRequest request;
    KernelLayout layout = KernelLayout::None;
    std::int64_t totalOuts = 0, totalIns = 0;
    std::int64_t firstOut = 0, firstIn = 0, outs = 0, ins = 0; // the tiles drawn
    std::int64_t kernelRows = 0, kernelColumns = 0;
    BlockGrid image; // (outs * (kh + 1) - 1) x (ins * (kw + 1) - 1)
    ColourRange range;

    // The weight a cell of the image shows; gap: between tiles.
    struct Cell {
        std::int64_t out = 0, in = 0, y = 0, x = 0;
        bool gap = true;
    };
    Cell cellAt(std::int64_t row, std::int64_t column) const;
};

// Reads the kernels (a few thousand weights at most). Throws std::invalid_argument when the
// tensor is not a convolution weight, and what the tensor's source throws.
FilterGrid readFilterGrid(
    const Tensor& tensor, const FilterGridRequest& request, const std::atomic<bool>* cancel = nullptr);

} // namespace ckpt
