#include "report/FilterGrid.h"

#include "base/Cancelled.h"
#include "numerics/Convert.h"

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>

namespace ckpt {

namespace {

bool smallPair(std::int64_t a, std::int64_t b)
{
    return a >= 1 && b >= 1 && a <= kMaxKernelSide && b <= kMaxKernelSide;
}

// Axis positions of (out, in, kh, kw) in the tensor.
std::array<std::size_t, 4> axesOf(KernelLayout layout)
{
    return layout == KernelLayout::OutInHW ? std::array<std::size_t, 4> { 0, 1, 2, 3 }
                                           : std::array<std::size_t, 4> { 3, 2, 0, 1 };
}

// The box of the chosen kernels, as doubles in the tensor's axis order, with its strides.
std::vector<double> readKernels(const Tensor& tensor, const std::array<std::size_t, 4>& axes,
    const std::array<std::int64_t, 4>& first, const std::array<std::int64_t, 4>& count,
    std::array<std::int64_t, 4>& strides)
{
    std::vector<std::int64_t> start(4), extent(4);
    for (std::size_t k = 0; k < 4; ++k) {
        start[axes[k]] = first[k];
        extent[axes[k]] = count[k];
    }
    const std::int64_t n = extent[0] * extent[1] * extent[2] * extent[3];
    std::vector<std::byte> raw(std::size_t(n) * dtypeSize(tensor.info.dtype));
    if (n > 0)
        tensor.data->readBox(start, extent, raw.data());
    std::vector<double> values(static_cast<std::size_t>(n));
    convertToDouble(tensor.info.dtype, raw.data(), n, values.data());
    std::array<std::int64_t, 4> axisStride { extent[1] * extent[2] * extent[3], extent[2] * extent[3], extent[3], 1 };
    for (std::size_t k = 0; k < 4; ++k)
        strides[k] = axisStride[axes[k]];
    return values;
}

} // namespace

KernelLayout kernelLayout(const Shape& s)
{
    if (s.size() != 4)
        return KernelLayout::None;
    if (smallPair(s[2], s[3]))
        return KernelLayout::OutInHW;
    if (smallPair(s[0], s[1]))
        return KernelLayout::HWInOut;
    return KernelLayout::None;
}

FilterGrid::Cell FilterGrid::cellAt(std::int64_t row, std::int64_t column) const
{
    Cell c;
    if (row < 0 || column < 0 || row >= image.rows || column >= image.columns)
        return c;
    c.y = row % (kernelRows + 1);
    c.x = column % (kernelColumns + 1);
    c.gap = c.y == kernelRows || c.x == kernelColumns;
    c.out = firstOut + row / (kernelRows + 1);
    c.in = firstIn + column / (kernelColumns + 1);
    return c;
}

FilterGrid readFilterGrid(const Tensor& tensor, const FilterGridRequest& r, const std::atomic<bool>* cancel)
{
    FilterGrid g;
    g.request = r;
    g.layout = kernelLayout(tensor.info.shape);
    if (g.layout == KernelLayout::None)
        throw std::invalid_argument("not a convolution weight");
    const auto axes = axesOf(g.layout);
    const Shape& s = tensor.info.shape;
    g.totalOuts = s[axes[0]];
    g.totalIns = s[axes[1]];
    g.kernelRows = s[axes[2]];
    g.kernelColumns = s[axes[3]];
    g.firstOut = std::clamp<std::int64_t>(r.firstOut, 0, std::max<std::int64_t>(0, g.totalOuts - 1));
    g.firstIn = std::clamp<std::int64_t>(r.firstIn, 0, std::max<std::int64_t>(0, g.totalIns - 1));
    g.outs = std::min<std::int64_t>(std::max(1, r.maxOuts), g.totalOuts - g.firstOut);
    g.ins = std::min<std::int64_t>(std::max(1, r.maxIns), g.totalIns - g.firstIn);
    if (cancel && cancel->load())
        throw Cancelled();
    std::array<std::int64_t, 4> strides {};
    const std::vector<double> w = readKernels(
        tensor, axes, { g.firstOut, g.firstIn, 0, 0 }, { g.outs, g.ins, g.kernelRows, g.kernelColumns }, strides);
    const std::int64_t rows = std::max<std::int64_t>(0, g.outs * (g.kernelRows + 1) - 1);
    const std::int64_t columns = std::max<std::int64_t>(0, g.ins * (g.kernelColumns + 1) - 1);
    std::vector<double> image(std::size_t(rows * columns), std::numeric_limits<double>::quiet_NaN());
    for (std::int64_t o = 0; o < g.outs; ++o)
        for (std::int64_t i = 0; i < g.ins; ++i)
            for (std::int64_t y = 0; y < g.kernelRows; ++y)
                for (std::int64_t x = 0; x < g.kernelColumns; ++x)
                    image[std::size_t((o * (g.kernelRows + 1) + y) * columns + i * (g.kernelColumns + 1) + x)]
                        = w[std::size_t(o * strides[0] + i * strides[1] + y * strides[2] + x * strides[3])];
    // One cell per value: the grid is as large as the image.
    g.image = reduceBlocks(
        image.data(), rows, columns, int(std::max<std::int64_t>(1, rows)), int(std::max<std::int64_t>(1, columns)));
    g.range = colourRange(g.image);
    return g;
}

} // namespace ckpt
