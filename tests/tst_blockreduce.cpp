// Block reduction of 2-D arrays for heatmaps: exact block means, min and max of known matrices,
// edge blocks, NaN and infinity, pieces equal to the whole, the colour range (symmetric around
// zero with negative values, from zero otherwise), and pictures of tensor slices read in pieces.
#include "base/Cancelled.h"
#include "io/ByteSource.h"
#include "numerics/BlockReduce.h"
#include "report/SliceHeatmap.h"
#include "tensor/StridedTensorSource.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

using namespace ckpt;

namespace {

// A float64 tensor of the given shape holding the given values.
Tensor doubleTensor(const Shape& shape, const std::vector<double>& values)
{
    std::vector<std::byte> bytes(values.size() * sizeof(double));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    Tensor t;
    t.info.name = "t";
    t.info.dtype = DType::Float64;
    t.info.shape = shape;
    t.data = std::make_shared<StridedTensorSource>(
        std::make_shared<MemoryByteSource>(std::move(bytes)), DType::Float64, shape, StridedLayout::rowMajor(shape));
    return t;
}

} // namespace

class TestBlockReduce : public QObject {
    Q_OBJECT
private slots:
    void exactBlockMeansOfAKnownMatrix()
    {
        // 4 x 6, x[r][c] = 6r + c, into 2 x 3 blocks of 2 x 2.
        std::vector<double> x(24);
        std::iota(x.begin(), x.end(), 0.0);
        const BlockGrid g = reduceBlocks(x.data(), 4, 6, 2, 3);
        QCOMPARE(g.blockRows, std::int64_t(2));
        QCOMPARE(g.blockColumns, std::int64_t(2));
        QCOMPARE(g.gridRows, 2);
        QCOMPARE(g.gridColumns, 3);
        QVERIFY(g.downsampled());
        // Block (0,0) holds 0, 1, 6, 7; block (1,2) holds 16, 17, 22, 23.
        const std::vector<double> means { 3.5, 5.5, 7.5, 15.5, 17.5, 19.5 };
        for (std::size_t b = 0; b < means.size(); ++b) {
            QCOMPARE(g.mean[b], means[b]);
            QCOMPARE(g.min[b], means[b] - 3.5);
            QCOMPARE(g.max[b], means[b] + 3.5);
            QCOMPARE(g.extreme(b), means[b] + 3.5);
            QCOMPARE(g.nonFinite[b], std::int64_t(0));
        }
        QCOMPARE(g.lowest, 0.0);
        QCOMPARE(g.highest, 23.0);
    }

    void edgeBlocksAreSmallerNotDropped()
    {
        // 5 x 5 into at most 2 x 2: blocks of 3 x 3; the last row and column of blocks hold 2.
        std::vector<double> x(25);
        std::iota(x.begin(), x.end(), 0.0);
        const BlockGrid g = reduceBlocks(x.data(), 5, 5, 2, 2);
        QCOMPARE(g.blockRows, std::int64_t(3));
        QCOMPARE(g.gridRows, 2);
        QCOMPARE(g.gridColumns, 2);
        QCOMPARE(g.mean[g.at(0, 0)], (0 + 1 + 2 + 5 + 6 + 7 + 10 + 11 + 12) / 9.0);
        QCOMPARE(g.mean[g.at(0, 1)], (3 + 4 + 8 + 9 + 13 + 14) / 6.0);
        QCOMPARE(g.mean[g.at(1, 0)], (15 + 16 + 17 + 20 + 21 + 22) / 6.0);
        QCOMPARE(g.mean[g.at(1, 1)], (18 + 19 + 23 + 24) / 4.0);
        QCOMPARE(g.max[g.at(1, 1)], 24.0);
    }

    void smallArraysAreNotDownsampled()
    {
        const std::vector<double> x { -1, 2, 3, -4, 5, 6 };
        const BlockGrid g = reduceBlocks(x.data(), 2, 3, 512, 512);
        QVERIFY(!g.downsampled());
        QCOMPARE(g.gridRows, 2);
        QCOMPARE(g.gridColumns, 3);
        for (std::size_t i = 0; i < x.size(); ++i)
            QCOMPARE(g.mean[i], x[i]);
    }

    void nanAndInfinityAreCountedNotAveraged()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
        const std::vector<double> x { 1, 3, nan, nan, nan, inf, nan, -inf };
        const BlockGrid g = reduceBlocks(x.data(), 2, 4, 1, 2); // blocks of 2 x 2
        QCOMPARE(g.mean[0], 2.0); // 1 and 3; the NaN and +inf are counted
        QCOMPARE(g.nonFinite[0], std::int64_t(2));
        QVERIFY(std::isnan(g.mean[1])); // nothing finite
        QCOMPARE(g.nonFinite[1], std::int64_t(4));
        QCOMPARE(g.lowest, 1.0);
        QCOMPARE(g.highest, 3.0);
    }

    void piecesGiveTheSameGridAsTheWhole()
    {
        std::vector<double> x(7 * 9);
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] = std::sin(double(i)) * 10;
        const BlockGrid whole = reduceBlocks(x.data(), 7, 9, 3, 4);
        BlockReducer reducer(7, 9, 3, 4);
        for (int r = 0; r < 7; ++r) { // each row in two pieces
            reducer.add(r, 0, 1, 5, x.data() + r * 9);
            reducer.add(r, 5, 1, 4, x.data() + r * 9 + 5);
        }
        const BlockGrid pieces = reducer.finish();
        QCOMPARE(pieces.mean.size(), whole.mean.size());
        for (std::size_t b = 0; b < whole.mean.size(); ++b) {
            QVERIFY(std::abs(pieces.mean[b] - whole.mean[b]) < 1e-12);
            QCOMPARE(pieces.min[b], whole.min[b]);
            QCOMPARE(pieces.max[b], whole.max[b]);
        }
        BlockReducer outside(7, 9, 3, 4);
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, outside.add(6, 0, 2, 9, x.data()));
    }

    void rowAndColumnNormsExactAndPerBand()
    {
        // 3 x 4, not downsampled: each norm is the row's (column's) own L2 norm.
        const std::vector<double> x { 3, 4, 0, 0, 1, 1, 1, 1, 0, -2, 0, 0 };
        const BlockGrid g = reduceBlocks(x.data(), 3, 4, 8, 8);
        QCOMPARE(rowNorms(g), (std::vector<double> { 5, 2, 2 }));
        QCOMPARE(columnNorms(g), (std::vector<double> { std::sqrt(10.0), std::sqrt(21.0), 1, 1 }));
        // Blocks of 2 rows x 4 columns: the first band holds rows of norm 5 and 2, so its value is
        // sqrt((25 + 4) / 2); the last band is the single row of norm 2 (a smaller edge block).
        const BlockGrid banded = reduceBlocks(x.data(), 3, 4, 2, 1);
        QCOMPARE(banded.gridRows, 2);
        const std::vector<double> rows = rowNorms(banded);
        QCOMPARE(rows[0], std::sqrt(29.0 / 2));
        QCOMPARE(rows[1], 2.0);
        // One column of blocks: the root mean square of the four column norms.
        QCOMPARE(columnNorms(banded), (std::vector<double> { std::sqrt((10.0 + 21 + 1 + 1) / 4) }));
        // Non-finite elements are left out, as in the means.
        const std::vector<double> y { 3, std::numeric_limits<double>::quiet_NaN(), 4, 0 };
        QCOMPARE(rowNorms(reduceBlocks(y.data(), 1, 4, 1, 4)), (std::vector<double> { 5 }));
    }

    void colourRangeIsSymmetricWithNegativeValues()
    {
        const std::vector<double> x { 0.5, -3, 2, 1 };
        const ColourRange r = colourRange(reduceBlocks(x.data(), 2, 2, 1, 1));
        QVERIFY(r.diverging);
        QCOMPARE(r.lower, -3.0);
        QCOMPARE(r.upper, 3.0);
        QCOMPARE(reduceBlocks(x.data(), 2, 2, 1, 1).extreme(0), -3.0); // the largest magnitude, with its sign
        const std::vector<double> y { -0.5, 7, 2, 1 }; // m from the positive side
        const ColourRange s = colourRange(reduceBlocks(y.data(), 2, 2, 1, 1));
        QCOMPARE(s.lower, -7.0);
        QCOMPARE(s.upper, 7.0);
        // The range is from the elements, not from the block means (here one block of mean 2.375).
        QCOMPARE(reduceBlocks(y.data(), 2, 2, 1, 1).mean[0], 2.375);
    }

    void colourRangeStartsAtZeroWithoutNegativeValues()
    {
        const std::vector<double> x { 2, 5, 0, 1 };
        const ColourRange r = colourRange(reduceBlocks(x.data(), 2, 2, 2, 2));
        QVERIFY(!r.diverging);
        QCOMPARE(r.lower, 0.0);
        QCOMPARE(r.upper, 5.0);
        const std::vector<double> nan(4, std::numeric_limits<double>::quiet_NaN());
        QVERIFY(std::isnan(colourRange(reduceBlocks(nan.data(), 2, 2, 2, 2)).upper));
    }

    void regionIsCappedAndStartsAtTheWindow()
    {
        SliceHeatmapRequest r;
        r.maxElements = 100;
        r.firstRow = 5; // a slice that fits is drawn whole, wherever the window is
        SliceRegion whole = heatmapRegion(10, 10, r);
        QCOMPARE(whole.firstRow, std::int64_t(0));
        QCOMPARE(whole.rows, std::int64_t(10));
        QCOMPARE(whole.columns, std::int64_t(10));
        r.firstRow = 0;
        SliceRegion square = heatmapRegion(1000, 1000, r);
        QCOMPARE(square.rows, std::int64_t(10));
        QCOMPARE(square.columns, std::int64_t(10));
        SliceRegion wide = heatmapRegion(4, 1000, r); // few rows: all of them, and the columns that fit
        QCOMPARE(wide.rows, std::int64_t(4));
        QCOMPARE(wide.columns, std::int64_t(25));
        r.firstRow = 995;
        r.firstColumn = 2000; // clamped to the last column
        SliceRegion corner = heatmapRegion(1000, 1000, r);
        QCOMPARE(corner.firstRow, std::int64_t(995));
        QCOMPARE(corner.firstColumn, std::int64_t(999));
        QCOMPARE(corner.rows, std::int64_t(5));
        QCOMPARE(corner.columns, std::int64_t(1));
    }

    void sliceOfATensorReadInPieces()
    {
        // 3 x 40 x 50 with x = (a*2000 + b*50 + c) - 2500: the slice (axis 2 as rows, axis 1 as
        // columns) at a = 1 is transposed against the storage order.
        std::vector<double> x(3 * 40 * 50);
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] = double(i) - 2500;
        const Tensor t = doubleTensor({ 3, 40, 50 }, x);
        SliceHeatmapRequest r;
        r.rowAxis = 2;
        r.colAxis = 1;
        r.fixed = { 1, 0, 0 };
        r.targetRows = 10;
        r.targetColumns = 10; // blocks of 5 x 4
        const SliceHeatmap map = readSliceHeatmap(t, r);
        QCOMPARE(map.sliceRows, std::int64_t(50));
        QCOMPARE(map.sliceColumns, std::int64_t(40));
        QVERIFY(!map.partial());
        QCOMPARE(map.grid.blockRows, std::int64_t(5));
        QCOMPARE(map.grid.blockColumns, std::int64_t(4));
        // Block (i, j): rows c = 5i..5i+4, columns b = 4j..4j+3; its mean is at their middles.
        for (int i = 0; i < map.grid.gridRows; ++i)
            for (int j = 0; j < map.grid.gridColumns; ++j)
                QCOMPARE(map.grid.mean[map.grid.at(i, j)], 2000 + (4 * j + 1.5) * 50 + (5 * i + 2) - 2500);
        QCOMPARE(map.range.lower, -(2000 + 39 * 50 + 49 - 2500.0));
        QCOMPARE(map.range.upper, 2000 + 39 * 50 + 49 - 2500.0);
        QVERIFY(map.range.diverging);
        // Capped: a corner of the window only, and it says so.
        r.maxElements = 100;
        r.firstRow = 10;
        const SliceHeatmap corner = readSliceHeatmap(t, r);
        QVERIFY(corner.partial());
        QCOMPARE(corner.firstRow, std::int64_t(10));
        QCOMPARE(corner.grid.rows * corner.grid.columns, std::int64_t(100));
        QCOMPARE(corner.grid.lowest, 2000 + 10 - 2500.0);
    }

    void readingStopsWhenCancelled()
    {
        const Tensor t = doubleTensor({ 4, 4 }, std::vector<double>(16, 1.0));
        SliceHeatmapRequest r;
        r.rowAxis = 0;
        r.colAxis = 1;
        r.fixed = { 0, 0 };
        const std::atomic<bool> cancel { true };
        QVERIFY_THROWS_EXCEPTION(Cancelled, readSliceHeatmap(t, r, &cancel));
        r.colAxis = 2;
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, readSliceHeatmap(t, r));
    }
};

QTEST_APPLESS_MAIN(TestBlockReduce)
#include "tst_blockreduce.moc"
