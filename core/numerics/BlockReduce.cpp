#include "numerics/BlockReduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ckpt {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::int64_t blockSize(std::int64_t extent, int target)
{
    const std::int64_t t = std::max(1, target);
    return std::max<std::int64_t>(1, (extent + t - 1) / t);
}

int blockCount(std::int64_t extent, std::int64_t block)
{
    return int((extent + block - 1) / block);
}

} // namespace

ColourRange colourRange(const BlockGrid& grid)
{
    ColourRange r;
    if (std::isnan(grid.lowest)) {
        r.lower = r.upper = kNaN;
        return r;
    }
    r.diverging = grid.lowest < 0;
    if (r.diverging) {
        const double m = std::max(std::abs(grid.lowest), std::abs(grid.highest));
        r.lower = -m;
        r.upper = m;
    } else {
        r.lower = 0;
        r.upper = grid.highest;
    }
    return r;
}

BlockReducer::BlockReducer(std::int64_t rows, std::int64_t columns, int targetRows, int targetColumns)
{
    if (rows < 0 || columns < 0)
        throw std::invalid_argument("negative array size");
    grid_.rows = rows;
    grid_.columns = columns;
    grid_.blockRows = blockSize(rows, targetRows);
    grid_.blockColumns = blockSize(columns, targetColumns);
    grid_.gridRows = blockCount(rows, grid_.blockRows);
    grid_.gridColumns = blockCount(columns, grid_.blockColumns);
    const std::size_t n = std::size_t(grid_.gridRows) * std::size_t(grid_.gridColumns);
    sum_.assign(n, 0.0);
    finite_.assign(n, 0);
    grid_.min.assign(n, std::numeric_limits<double>::infinity());
    grid_.max.assign(n, -std::numeric_limits<double>::infinity());
    grid_.nonFinite.assign(n, 0);
    grid_.sumSquares.assign(n, 0.0);
}

void BlockReducer::add(
    std::int64_t row0, std::int64_t column0, std::int64_t rows, std::int64_t columns, const double* values)
{
    if (row0 < 0 || column0 < 0 || rows < 0 || columns < 0 || row0 > grid_.rows - rows
        || column0 > grid_.columns - columns)
        throw std::out_of_range("the piece lies outside the array");
    for (std::int64_t r = 0; r < rows; ++r) {
        const std::size_t blockRow = std::size_t((row0 + r) / grid_.blockRows);
        const double* row = values + r * columns;
        for (std::int64_t c = 0; c < columns; ++c) {
            const std::size_t b
                = blockRow * std::size_t(grid_.gridColumns) + std::size_t((column0 + c) / grid_.blockColumns);
            const double v = row[c];
            if (!std::isfinite(v)) {
                ++grid_.nonFinite[b];
                continue;
            }
            sum_[b] += v;
            grid_.sumSquares[b] += v * v;
            ++finite_[b];
            grid_.min[b] = std::min(grid_.min[b], v);
            grid_.max[b] = std::max(grid_.max[b], v);
        }
    }
}

BlockGrid BlockReducer::finish()
{
    BlockGrid g = std::move(grid_);
    g.mean.resize(sum_.size());
    g.lowest = std::numeric_limits<double>::infinity();
    g.highest = -std::numeric_limits<double>::infinity();
    for (std::size_t b = 0; b < sum_.size(); ++b) {
        if (finite_[b] == 0) {
            g.mean[b] = g.min[b] = g.max[b] = kNaN;
            continue;
        }
        g.mean[b] = sum_[b] / double(finite_[b]);
        g.lowest = std::min(g.lowest, g.min[b]);
        g.highest = std::max(g.highest, g.max[b]);
    }
    if (g.lowest > g.highest) // no finite element at all
        g.lowest = g.highest = kNaN;
    sum_.clear();
    finite_.clear();
    return g;
}

namespace {

// Elements of the array along one axis in block `i` (the last block may be smaller).
double extentOfBlock(std::int64_t extent, std::int64_t block, int i)
{
    return double(std::min(block, extent - std::int64_t(i) * block));
}

} // namespace

namespace {

// Per band of blocks along one axis (rows: a row of blocks), sqrt(sum of squares / elements
// across the band's extent on that axis).
std::vector<double> bandNorms(const BlockGrid& g, bool rows)
{
    const int bands = rows ? g.gridRows : g.gridColumns, across = rows ? g.gridColumns : g.gridRows;
    std::vector<double> norms(std::size_t(bands), 0.0);
    for (int band = 0; band < bands; ++band) {
        double sum = 0;
        for (int k = 0; k < across; ++k)
            sum += g.sumSquares[rows ? g.at(band, k) : g.at(k, band)];
        norms[std::size_t(band)]
            = std::sqrt(sum / extentOfBlock(rows ? g.rows : g.columns, rows ? g.blockRows : g.blockColumns, band));
    }
    return norms;
}

} // namespace

std::vector<double> rowNorms(const BlockGrid& g)
{
    return bandNorms(g, true);
}

std::vector<double> columnNorms(const BlockGrid& g)
{
    return bandNorms(g, false);
}

BlockGrid reduceBlocks(const double* values, std::int64_t rows, std::int64_t columns, int targetRows, int targetColumns)
{
    BlockReducer reducer(rows, columns, targetRows, targetColumns);
    reducer.add(0, 0, rows, columns, values);
    return reducer.finish();
}

} // namespace ckpt
