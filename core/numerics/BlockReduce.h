#pragma once

#include <cstdint>
#include <vector>

namespace ckpt {

// A 2-D array of values reduced to a grid of at most targetRows x targetColumns blocks, for a
// picture of it. No value is dropped: every element belongs to exactly one block, and each block
// keeps the mean, the smallest and the largest of its finite elements (so a lone spike still
// shows in min/max and in the colour range) and how many of its elements were NaN or infinite.
struct BlockGrid {
    std::int64_t rows = 0; // of the array reduced
    std::int64_t columns = 0;
    std::int64_t blockRows = 1; // elements per block along each axis (the last block of a row or column may be smaller)
    std::int64_t blockColumns = 1;
    int gridRows = 0;
    int gridColumns = 0;
    // Per block, row-major; NaN where a block has no finite element.
    std::vector<double> mean, min, max;
    std::vector<double> sumSquares; // of the finite elements, for the row and column norms
    std::vector<std::int64_t> nonFinite;
    // The finite extremes of the whole array (NaN when no element is finite).
    double lowest = 0;
    double highest = 0;

    // The block's element of the largest magnitude (its min or its max): colouring by it
    // keeps a lone spike visible where the mean would average it away.
    double extreme(std::size_t block) const { return -min[block] > max[block] ? min[block] : max[block]; }
    bool downsampled() const { return blockRows > 1 || blockColumns > 1; }
    std::size_t at(int gridRow, int gridColumn) const
    {
        return std::size_t(gridRow) * std::size_t(gridColumns) + std::size_t(gridColumn);
    }
};

// The colours of a picture of the values: diverging, symmetric around zero ([-m, +m] with
// m = max |x|) when some value is negative, so that zero is always the middle colour and the two
// signs compare by eye; sequential [0, max] otherwise. From the full-resolution extremes, never
// from the block means. NaN bounds when no value is finite.
struct ColourRange {
    double lower = 0;
    double upper = 0;
    bool diverging = false;
};
ColourRange colourRange(const BlockGrid& grid);

// The L2 norm of each row of the array (over its finite elements), one value per row of blocks:
// exactly the row's norm when the grid is not downsampled, else the root mean square of the norms
// of the rows in the block row (sqrt(sum of their squares / rows)), so that a band of large rows
// stands out as one large row would. columnNorms: the same for columns, per column of blocks.
std::vector<double> rowNorms(const BlockGrid& grid);
std::vector<double> columnNorms(const BlockGrid& grid);

// Builds a BlockGrid from pieces of the array, so that an array too large to hold is reduced
// as it is read. Block sizes: ceil(rows / targetRows) x ceil(columns / targetColumns).
class BlockReducer {
public:
    BlockReducer(std::int64_t rows, std::int64_t columns, int targetRows, int targetColumns);
    // A rectangle of the array at (row0, column0), row-major, `rows` x `columns`. Every element
    // must be added exactly once. Throws std::out_of_range when it lies outside the array.
    void add(std::int64_t row0, std::int64_t column0, std::int64_t rows, std::int64_t columns, const double* values);
    BlockGrid finish(); // the grid of what was added; the reducer is then spent

private:
    BlockGrid grid_;
    std::vector<double> sum_;
    std::vector<std::int64_t> finite_;
};

// The whole array at once (row-major, rows x columns).
BlockGrid reduceBlocks(
    const double* values, std::int64_t rows, std::int64_t columns, int targetRows, int targetColumns);

} // namespace ckpt
