#pragma once

#include "numerics/BlockReduce.h"
#include "tensor/Tensor.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

namespace ckpt {

// Which picture of a 2-D slice to make: the slice (as for SliceBlockRequest: two axes are rows
// and columns, -1 when the tensor has fewer; every other axis fixed at an index), the corner of
// the region drawn (the table's window) and the largest grid drawn.
struct SliceHeatmapRequest {
    int rowAxis = -1;
    int colAxis = -1;
    std::vector<std::int64_t> fixed;
    std::int64_t firstRow = 0;
    std::int64_t firstColumn = 0;
    int targetRows = 512;
    int targetColumns = 512;
    // At most this many elements are read: slices up to 8192 x 8192 are drawn whole, larger
    // ones from (firstRow, firstColumn) on, and the picture says so.
    std::int64_t maxElements = std::int64_t(64) << 20;
    bool operator==(const SliceHeatmapRequest&) const = default;
};

// The region of the slice that is drawn, and its values reduced to blocks.
struct SliceHeatmap {
    SliceHeatmapRequest request;
    std::int64_t sliceRows = 0; // of the whole slice
    std::int64_t sliceColumns = 0;
    std::int64_t firstRow = 0; // the region: grid.rows x grid.columns from here
    std::int64_t firstColumn = 0;
    BlockGrid grid;
    ColourRange range;
    bool partial() const { return grid.rows < sliceRows || grid.columns < sliceColumns; }
};

// The region of a slice that is drawn: the whole slice when it has at most maxElements
// elements; else from (firstRow, firstColumn), clamped to the slice, at most maxElements
// elements: as wide as the slice when that leaves at least sqrt(maxElements) rows, else about
// square.
struct SliceRegion {
    std::int64_t firstRow = 0, firstColumn = 0, rows = 0, columns = 0;
};
SliceRegion heatmapRegion(std::int64_t sliceRows, std::int64_t sliceColumns, const SliceHeatmapRequest& request);

// Reads the region in pieces of about a million elements (memory stays small whatever the
// slice) and reduces them to blocks. Throws what the tensor's source throws, Cancelled when
// `cancel` is set, std::out_of_range when the slice does not fit the tensor.
SliceHeatmap readSliceHeatmap(const Tensor& tensor, const SliceHeatmapRequest& request,
    const std::atomic<bool>* cancel = nullptr, const std::function<void(double)>& progress = {});

} // namespace ckpt
