#include "report/SliceHeatmap.h"

#include "base/Cancelled.h"
#include "report/SliceBlock.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ckpt {

namespace {

constexpr std::int64_t kPieceElements = std::int64_t(1) << 20;

std::int64_t extentOf(const TensorInfo& info, int axis)
{
    if (axis >= int(info.shape.size()))
        throw std::out_of_range("the slice does not fit the tensor");
    return axis < 0 ? 1 : info.shape[std::size_t(axis)];
}

// One piece: whole rows of the region when a row is small, else part of one row.
SliceBlockRequest pieceAt(
    const SliceHeatmapRequest& r, const SliceRegion& region, std::int64_t row, std::int64_t column)
{
    SliceBlockRequest piece;
    piece.rowAxis = r.rowAxis;
    piece.colAxis = r.colAxis;
    piece.fixed = r.fixed;
    piece.firstRow = region.firstRow + row;
    piece.firstColumn = region.firstColumn + column;
    piece.columns = int(std::min(region.columns - column, kPieceElements));
    piece.rows = int(std::min(region.rows - row, std::max<std::int64_t>(1, kPieceElements / piece.columns)));
    return piece;
}

} // namespace

SliceRegion heatmapRegion(std::int64_t sliceRows, std::int64_t sliceColumns, const SliceHeatmapRequest& r)
{
    const std::int64_t cap = std::max<std::int64_t>(1, r.maxElements);
    SliceRegion region;
    if (sliceRows == 0 || sliceColumns == 0 || sliceRows <= cap / sliceColumns) {
        region.rows = sliceRows; // all of it, wherever the table's window is
        region.columns = sliceColumns;
        return region;
    }
    region.firstRow = std::clamp<std::int64_t>(r.firstRow, 0, std::max<std::int64_t>(0, sliceRows - 1));
    region.firstColumn = std::clamp<std::int64_t>(r.firstColumn, 0, std::max<std::int64_t>(0, sliceColumns - 1));
    const std::int64_t rows = sliceRows - region.firstRow, columns = sliceColumns - region.firstColumn;
    if (rows <= cap / columns) {
        region.rows = rows;
        region.columns = columns;
        return region;
    }
    const auto side = std::max<std::int64_t>(1, std::int64_t(std::sqrt(double(cap))));
    region.columns = std::min(columns, std::max(side, cap / rows));
    region.rows = std::min(rows, cap / region.columns);
    return region;
}

SliceHeatmap readSliceHeatmap(const Tensor& tensor, const SliceHeatmapRequest& r, const std::atomic<bool>* cancel,
    const std::function<void(double)>& progress)
{
    SliceHeatmap map;
    map.request = r;
    map.sliceRows = extentOf(tensor.info, r.rowAxis);
    map.sliceColumns = extentOf(tensor.info, r.colAxis);
    const SliceRegion region = heatmapRegion(map.sliceRows, map.sliceColumns, r);
    map.firstRow = region.firstRow;
    map.firstColumn = region.firstColumn;
    BlockReducer reducer(region.rows, region.columns, r.targetRows, r.targetColumns);
    const double total = std::max(1.0, double(region.rows) * double(region.columns));
    std::int64_t done = 0;
    for (std::int64_t row = 0; region.columns > 0 && row < region.rows;) {
        SliceBlockRequest piece;
        for (std::int64_t column = 0; column < region.columns; column += piece.columns) {
            if (cancel && cancel->load())
                throw Cancelled();
            piece = pieceAt(r, region, row, column);
            const std::vector<double> values = readSliceValues(tensor, piece);
            reducer.add(row, column, piece.rows, piece.columns, values.data());
            done += std::int64_t(piece.rows) * piece.columns;
            if (progress)
                progress(double(done) / total);
        }
        row += piece.rows;
    }
    map.grid = reducer.finish();
    map.range = colourRange(map.grid);
    return map;
}

} // namespace ckpt
