// Raw tensors in byte sources: row-major, column-major, strided views, byte order, bounds.
#include "base/CheckpointError.h"
#include "tensor/StridedTensorSource.h"
#include "tensor/TensorData.h"

#include <QtTest>

#include <numeric>

using namespace ckpt;

namespace {
std::shared_ptr<ByteSource> iotaBytes(int n)
{
    std::vector<float> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0.0f);
    std::vector<std::byte> b(v.size() * 4);
    if (!b.empty())
        std::memcpy(b.data(), v.data(), b.size());
    return std::make_shared<MemoryByteSource>(std::move(b));
}

std::vector<float> readAllFlat(const TensorDataSource& s)
{
    std::vector<float> out(static_cast<std::size_t>(shapeNumel(s.shape())));
    s.readFlat(0, static_cast<std::int64_t>(out.size()), reinterpret_cast<std::byte*>(out.data()));
    return out;
}
} // namespace

class TestStridedSource : public QObject {
    Q_OBJECT
private slots:
    void rowMajorBox()
    {
        StridedTensorSource s(iotaBytes(24), DType::Float32, { 2, 3, 4 }, StridedLayout::rowMajor({ 2, 3, 4 }));
        QVERIFY(s.isContiguousRowMajor());
        std::vector<float> out(4);
        const std::int64_t start[] = { 1, 1, 1 }, count[] = { 1, 2, 2 };
        s.readBox(start, count, reinterpret_cast<std::byte*>(out.data()));
        QCOMPARE(out, (std::vector<float> { 17, 18, 21, 22 }));
    }

    void transposedView()
    {
        // A (3, 2) view of a row-major (2, 3) storage: strides (1, 3), as torch saves x.t().
        StridedTensorSource s(iotaBytes(6), DType::Float32, { 3, 2 }, { 0, { 1, 3 }, ByteOrder::Little });
        QVERIFY(!s.isContiguousRowMajor());
        QCOMPARE(readAllFlat(s), (std::vector<float> { 0, 3, 1, 4, 2, 5 }));
    }

    void slicedRowsWithOffset()
    {
        // Rows 1..2 of a (4, 3) matrix: offset 3 elements.
        StridedTensorSource s(iotaBytes(12), DType::Float32, { 2, 3 }, StridedLayout::rowMajor({ 2, 3 }, 12));
        QCOMPARE(readAllFlat(s), (std::vector<float> { 3, 4, 5, 6, 7, 8 }));
    }

    void columnMajor()
    {
        StridedTensorSource s(iotaBytes(6), DType::Float32, { 2, 3 }, StridedLayout::columnMajor({ 2, 3 }));
        QCOMPARE(readAllFlat(s), (std::vector<float> { 0, 2, 4, 1, 3, 5 }));
    }

    // Flat ranges that start and end inside rows go through the box splitting.
    void flatRangesOfAView_data()
    {
        QTest::addColumn<int>("first");
        QTest::addColumn<int>("count");
        for (int first : { 0, 1, 5, 7 })
            for (int count : { 0, 1, 3, 9 })
                if (first + count <= 24)
                    QTest::addRow("%d+%d", first, count) << first << count;
    }
    void flatRangesOfAView()
    {
        QFETCH(int, first);
        QFETCH(int, count);
        // (4, 3, 2) view with column-major strides; the expected values come from index math.
        const Shape shape { 4, 3, 2 };
        StridedTensorSource s(iotaBytes(24), DType::Float32, shape, StridedLayout::columnMajor(shape));
        std::vector<float> out(static_cast<std::size_t>(count));
        s.readFlat(first, count, reinterpret_cast<std::byte*>(out.data()));
        for (int k = 0; k < count; ++k) {
            const int f = first + k, i = f / 6, j = (f / 2) % 3, l = f % 2;
            QCOMPARE(out[static_cast<std::size_t>(k)], float(i + 4 * j + 12 * l));
        }
    }

    void bigEndian()
    {
        std::vector<std::byte> b = { std::byte { 0x3f }, std::byte { 0x80 }, std::byte { 0 }, std::byte { 0 } };
        StridedTensorSource s(std::make_shared<MemoryByteSource>(b), DType::Float32, { 1 },
            StridedLayout::rowMajor({ 1 }, 0, ByteOrder::Big));
        QCOMPARE(readAllFlat(s), (std::vector<float> { 1.0f }));
    }

    void scalarAndEmpty()
    {
        StridedTensorSource scalar(iotaBytes(3), DType::Float32, {}, StridedLayout::rowMajor({}, 8));
        QCOMPARE(readAllFlat(scalar), (std::vector<float> { 2 }));
        StridedTensorSource empty(iotaBytes(0), DType::Float32, { 0, 5 }, StridedLayout::rowMajor({ 0, 5 }));
        QVERIFY(readAllFlat(empty).empty());
    }

    void outOfBoundsIsRejected_data()
    {
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<qint64>("rows");
        QTest::newRow("past the end") << qint64(4) << qint64(3);
        QTest::newRow("huge shape") << qint64(0) << qint64(1);
        QTest::newRow("overflowing shape") << qint64(0) << qint64(std::numeric_limits<std::int64_t>::max() / 2);
    }
    void outOfBoundsIsRejected()
    {
        QFETCH(qint64, offset);
        QFETCH(qint64, rows);
        const Shape shape { rows == 1 ? (std::int64_t(1) << 40) : rows, 4 };
        QVERIFY_THROWS_EXCEPTION(FormatError,
            StridedTensorSource(
                iotaBytes(12), DType::Float32, shape, StridedLayout::rowMajor(shape, std::uint64_t(offset))));
    }

    void boxOutsideShapeIsRejected()
    {
        StridedTensorSource s(iotaBytes(6), DType::Float32, { 2, 3 }, StridedLayout::rowMajor({ 2, 3 }));
        float out[4];
        const std::int64_t start[] = { 1, 2 }, count[] = { 2, 2 };
        QVERIFY_THROWS_EXCEPTION(FormatError, s.readBox(start, count, reinterpret_cast<std::byte*>(out)));
    }
};

QTEST_APPLESS_MAIN(TestStridedSource)
#include "tst_stridedsource.moc"
