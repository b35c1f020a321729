// Small multiples of convolution kernels: the layout told from the shape (PyTorch OIHW,
// TensorFlow HWIO), every weight in its tile at the right place, gaps between tiles, the
// kernels drawn capped and offset, and the colour range of the tiles drawn.
#include "io/ByteSource.h"
#include "report/FilterGrid.h"
#include "tensor/StridedTensorSource.h"

#include <QtTest>

#include <cmath>
#include <cstring>

using namespace ckpt;

namespace {

// A float64 tensor whose element at flat index k is value(k).
Tensor tensorOf(const Shape& shape, double (*value)(std::int64_t))
{
    std::vector<double> v(std::size_t(shapeNumel(shape)));
    for (std::size_t k = 0; k < v.size(); ++k)
        v[k] = value(std::int64_t(k));
    std::vector<std::byte> bytes(v.size() * sizeof(double));
    std::memcpy(bytes.data(), v.data(), bytes.size());
    Tensor t;
    t.info.dtype = DType::Float64;
    t.info.shape = shape;
    t.data = std::make_shared<StridedTensorSource>(
        std::make_shared<MemoryByteSource>(std::move(bytes)), DType::Float64, shape, StridedLayout::rowMajor(shape));
    return t;
}

double centred(std::int64_t k)
{
    return double(k) - 10;
}

// The image cell showing weight (o, i, y, x).
double shown(const FilterGrid& g, std::int64_t o, std::int64_t i, std::int64_t y, std::int64_t x)
{
    const std::int64_t row = (o - g.firstOut) * (g.kernelRows + 1) + y;
    const std::int64_t column = (i - g.firstIn) * (g.kernelColumns + 1) + x;
    return g.image.mean[std::size_t(row * g.image.columns + column)];
}

} // namespace

class TestFilterGrid : public QObject {
    Q_OBJECT
private slots:
    void layoutFromTheShape()
    {
        QCOMPARE(kernelLayout({ 64, 3, 7, 7 }), KernelLayout::OutInHW);
        QCOMPARE(kernelLayout({ 3, 3, 64, 128 }), KernelLayout::HWInOut);
        QCOMPARE(kernelLayout({ 1, 1, 1, 1 }), KernelLayout::OutInHW);
        QCOMPARE(kernelLayout({ 100, 200, 30, 40 }), KernelLayout::None);
        QCOMPARE(kernelLayout({ 3, 3, 3 }), KernelLayout::None);
    }

    void pytorchKernelsInTheirTiles()
    {
        const Tensor t = tensorOf({ 3, 2, 2, 3 }, centred); // (out, in, kh, kw), w = flat index - 10
        const FilterGrid g = readFilterGrid(t, {});
        QCOMPARE(g.layout, KernelLayout::OutInHW);
        QCOMPARE(g.outs, std::int64_t(3));
        QCOMPARE(g.ins, std::int64_t(2));
        QCOMPARE(g.image.rows, std::int64_t(3 * 3 - 1));
        QCOMPARE(g.image.columns, std::int64_t(2 * 4 - 1));
        QVERIFY(!g.image.downsampled());
        for (std::int64_t o = 0; o < 3; ++o)
            for (std::int64_t i = 0; i < 2; ++i)
                for (std::int64_t y = 0; y < 2; ++y)
                    for (std::int64_t x = 0; x < 3; ++x)
                        QCOMPARE(shown(g, o, i, y, x), double(((o * 2 + i) * 2 + y) * 3 + x - 10));
        QVERIFY(std::isnan(g.image.mean[std::size_t(2 * g.image.columns)])); // the gap below out 0
        QVERIFY(g.cellAt(2, 0).gap);
        const auto c = g.cellAt(4, 5); // out 1, in 1, y 1, x 1
        QVERIFY(!c.gap);
        QCOMPARE(c.out, std::int64_t(1));
        QCOMPARE(c.in, std::int64_t(1));
        QCOMPARE(c.y, std::int64_t(1));
        QCOMPARE(c.x, std::int64_t(1));
        QVERIFY(g.range.diverging);
        QCOMPARE(g.range.upper, 25.0); // 35 - 10 against -10
        QCOMPARE(g.range.lower, -25.0);
    }

    void tensorflowKernelsAreTransposedIntoTiles()
    {
        const Tensor t = tensorOf({ 2, 3, 20, 16 }, centred); // (kh, kw, in, out)
        const FilterGrid g = readFilterGrid(t, {});
        QCOMPARE(g.layout, KernelLayout::HWInOut);
        QCOMPARE(g.outs, std::int64_t(16));
        QCOMPARE(g.ins, std::int64_t(20));
        QCOMPARE(g.kernelRows, std::int64_t(2));
        QCOMPARE(g.kernelColumns, std::int64_t(3));
        for (std::int64_t o = 0; o < 16; ++o)
            for (std::int64_t i = 0; i < 20; ++i)
                for (std::int64_t y = 0; y < 2; ++y)
                    for (std::int64_t x = 0; x < 3; ++x)
                        QCOMPARE(shown(g, o, i, y, x), double(((y * 3 + x) * 20 + i) * 16 + o - 10));
    }

    void kernelsDrawnAreCappedAndOffset()
    {
        const Tensor t = tensorOf({ 10, 6, 1, 2 }, centred);
        FilterGridRequest r;
        r.firstOut = 7;
        r.firstIn = 1;
        r.maxOuts = 2;
        r.maxIns = 100;
        const FilterGrid g = readFilterGrid(t, r);
        QCOMPARE(g.totalOuts, std::int64_t(10));
        QCOMPARE(g.outs, std::int64_t(2));
        QCOMPARE(g.ins, std::int64_t(5));
        QCOMPARE(shown(g, 8, 5, 0, 1), double((8 * 6 + 5) * 2 + 1 - 10));
        QCOMPARE(g.cellAt(2, 3).out, std::int64_t(8));
        QCOMPARE(g.cellAt(2, 3).in, std::int64_t(2));
        QCOMPARE(g.range.lower, 0.0); // every weight drawn is >= (7*6+1)*2-10 > 0
        QCOMPARE(g.range.upper, double((8 * 6 + 5) * 2 + 1 - 10));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, readFilterGrid(tensorOf({ 20, 30, 40, 40 }, centred), {}));
    }
};

QTEST_APPLESS_MAIN(TestFilterGrid)
#include "tst_filtergrid.moc"
