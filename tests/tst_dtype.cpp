// Dtype names and exact conversions of every dtype to float64.
#include "numerics/Convert.h"
#include "numerics/Float16.h"
#include "tensor/DType.h"

#include <QtTest>

#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <vector>

using namespace ckpt;

class TestDType : public QObject {
    Q_OBJECT
private slots:
    // The vectorised float16 path (F16C where the processor has it) against the scalar decoder,
    // for every bit pattern, at every alignment of the 8-wide loop and its tail.
    void everyFloat16ConvertsExactlyToFloat32()
    {
        std::vector<std::uint16_t> halves(1 << 16);
        for (std::uint32_t h = 0; h < halves.size(); ++h)
            halves[h] = static_cast<std::uint16_t>(h);
        for (std::int64_t offset : { 0, 3 }) {
            const std::int64_t n = std::int64_t(halves.size()) - offset;
            std::vector<float> floats(static_cast<std::size_t>(n));
            QVERIFY(ckpt::convertToFloat(
                ckpt::DType::Float16, reinterpret_cast<const std::byte*>(halves.data() + offset), n, floats.data()));
            for (std::int64_t i = 0; i < n; ++i) {
                const float expected = ckpt::halfToFloat(halves[std::size_t(i + offset)]);
                const float got = floats[std::size_t(i)];
                if (std::isnan(expected))
                    QVERIFY2(std::isnan(got), qPrintable(QString::number(i + offset)));
                else
                    QVERIFY2(std::memcmp(&expected, &got, sizeof got) == 0, qPrintable(QString::number(i + offset)));
            }
        }
        float unused;
        QVERIFY(!ckpt::convertToFloat(ckpt::DType::Int32, nullptr, 0, &unused));
    }

    void namesRoundTrip()
    {
        for (DType t : kAllDTypes)
            QCOMPARE(dtypeFromName(dtypeName(t)), std::optional<DType>(t));
        QCOMPARE(dtypeName(DType::BFloat16), std::string_view("bfloat16"));
        QCOMPARE(dtypeName(DType::Float8E4M3FN), std::string_view("float8_e4m3fn"));
        QCOMPARE(dtypeName(DType::Int64), std::string_view("int64"));
        QVERIFY(!dtypeFromName("float128"));
    }

    void sizes()
    {
        QCOMPARE(dtypeSize(DType::Complex128), std::size_t(16));
        QCOMPARE(dtypeSize(DType::BFloat16), std::size_t(2));
        QCOMPARE(dtypeSize(DType::Float8E5M2), std::size_t(1));
        QCOMPARE(dtypeSize(DType::Bool), std::size_t(1));
    }

    void half_data()
    {
        QTest::addColumn<quint16>("bits");
        QTest::addColumn<double>("value");
        QTest::newRow("one") << quint16(0x3c00) << 1.0;
        QTest::newRow("minus two") << quint16(0xc000) << -2.0;
        QTest::newRow("max") << quint16(0x7bff) << 65504.0;
        QTest::newRow("smallest normal") << quint16(0x0400) << std::ldexp(1.0, -14);
        QTest::newRow("smallest subnormal") << quint16(0x0001) << std::ldexp(1.0, -24);
        QTest::newRow("largest subnormal") << quint16(0x03ff) << 1023 * std::ldexp(1.0, -24);
        QTest::newRow("one third") << quint16(0x3555) << 0.333251953125;
        QTest::newRow("negative zero") << quint16(0x8000) << -0.0;
        QTest::newRow("inf") << quint16(0x7c00) << std::numeric_limits<double>::infinity();
        QTest::newRow("-inf") << quint16(0xfc00) << -std::numeric_limits<double>::infinity();
    }
    void half()
    {
        QFETCH(quint16, bits);
        QFETCH(double, value);
        const std::uint16_t b = bits;
        const double got = elementToDouble(DType::Float16, reinterpret_cast<const std::byte*>(&b));
        QCOMPARE(got, value);
        QCOMPARE(std::signbit(got), std::signbit(value));
        if (std::isfinite(value))
            QCOMPARE(floatToHalf(static_cast<float>(value)), b);
    }
    void halfNan()
    {
        const std::uint16_t b = 0x7e00;
        QVERIFY(std::isnan(elementToDouble(DType::Float16, reinterpret_cast<const std::byte*>(&b))));
    }

    void bfloat16_data()
    {
        QTest::addColumn<quint16>("bits");
        QTest::addColumn<double>("value");
        QTest::newRow("one") << quint16(0x3f80) << 1.0;
        QTest::newRow("minus 1.5") << quint16(0xbfc0) << -1.5;
        QTest::newRow("pi") << quint16(0x4049) << 3.140625;
        QTest::newRow("max") << quint16(0x7f7f) << 3.3895313892515355e38;
        QTest::newRow("smallest subnormal") << quint16(0x0001) << std::ldexp(1.0, -133);
        QTest::newRow("inf") << quint16(0x7f80) << std::numeric_limits<double>::infinity();
    }
    void bfloat16()
    {
        QFETCH(quint16, bits);
        QFETCH(double, value);
        const std::uint16_t b = bits;
        QCOMPARE(elementToDouble(DType::BFloat16, reinterpret_cast<const std::byte*>(&b)), value);
        QCOMPARE(floatToBfloat16(static_cast<float>(value)), b);
    }

    void float8_data()
    {
        QTest::addColumn<bool>("e4m3");
        QTest::addColumn<quint8>("bits");
        QTest::addColumn<double>("value");
        // float8_e4m3fn: bias 7, no infinities, 0x7f is NaN, max 448.
        QTest::newRow("e4m3 one") << true << quint8(0x38) << 1.0;
        QTest::newRow("e4m3 max") << true << quint8(0x7e) << 448.0;
        QTest::newRow("e4m3 -max") << true << quint8(0xfe) << -448.0;
        QTest::newRow("e4m3 smallest subnormal") << true << quint8(0x01) << std::ldexp(1.0, -9);
        QTest::newRow("e4m3 smallest normal") << true << quint8(0x08) << std::ldexp(1.0, -6);
        QTest::newRow("e4m3 1.875") << true << quint8(0x3f) << 1.875;
        QTest::newRow("e4m3 0x78 is 256") << true << quint8(0x78) << 256.0;
        // float8_e5m2: bias 15, IEEE-like, 0x7c is inf.
        QTest::newRow("e5m2 one") << false << quint8(0x3c) << 1.0;
        QTest::newRow("e5m2 max") << false << quint8(0x7b) << 57344.0;
        QTest::newRow("e5m2 smallest subnormal") << false << quint8(0x01) << std::ldexp(1.0, -16);
        QTest::newRow("e5m2 -1.5") << false << quint8(0xbe) << -1.5;
        QTest::newRow("e5m2 inf") << false << quint8(0x7c) << std::numeric_limits<double>::infinity();
    }
    void float8()
    {
        QFETCH(bool, e4m3);
        QFETCH(quint8, bits);
        QFETCH(double, value);
        const std::uint8_t b = bits;
        QCOMPARE(
            elementToDouble(e4m3 ? DType::Float8E4M3FN : DType::Float8E5M2, reinterpret_cast<const std::byte*>(&b)),
            value);
    }
    void float8Nan()
    {
        const std::uint8_t e4 = 0x7f, e5 = 0x7e;
        QVERIFY(std::isnan(elementToDouble(DType::Float8E4M3FN, reinterpret_cast<const std::byte*>(&e4))));
        QVERIFY(std::isnan(elementToDouble(DType::Float8E5M2, reinterpret_cast<const std::byte*>(&e5))));
    }

    // Every one of the 256 e4m3fn patterns round-trips through float exactly (monotone, finite except NaN).
    void float8AllPatternsExact()
    {
        for (int i = 0; i < 256; ++i) {
            const std::uint8_t b = static_cast<std::uint8_t>(i);
            const double v = elementToDouble(DType::Float8E4M3FN, reinterpret_cast<const std::byte*>(&b));
            if ((i & 0x7f) == 0x7f) {
                QVERIFY(std::isnan(v));
                continue;
            }
            const int exp = (i >> 3) & 15, mant = i & 7;
            const double expected = (i & 0x80 ? -1 : 1) * (exp ? std::ldexp(8 + mant, exp - 10) : std::ldexp(mant, -9));
            QCOMPARE(v, expected);
        }
    }

    void integersAndBool()
    {
        const std::int64_t big = (std::int64_t(1) << 53) + 0; // exactly representable
        QCOMPARE(elementToDouble(DType::Int64, reinterpret_cast<const std::byte*>(&big)), 9007199254740992.0);
        const std::int8_t m = -128;
        QCOMPARE(elementToDouble(DType::Int8, reinterpret_cast<const std::byte*>(&m)), -128.0);
        const std::uint32_t u = 4294967295u;
        QCOMPARE(elementToDouble(DType::UInt32, reinterpret_cast<const std::byte*>(&u)), 4294967295.0);
        const std::uint8_t t = 1;
        QCOMPARE(elementToDouble(DType::Bool, reinterpret_cast<const std::byte*>(&t)), 1.0);
        QCOMPARE(elementToString(DType::Bool, reinterpret_cast<const std::byte*>(&t)), std::string("true"));
    }

    void complexMagnitude()
    {
        const std::complex<float> c(3, -4);
        QCOMPARE(elementToDouble(DType::Complex64, reinterpret_cast<const std::byte*>(&c)), 5.0);
        QCOMPARE(elementToString(DType::Complex64, reinterpret_cast<const std::byte*>(&c)), std::string("3-4j"));
    }

    void shortestText()
    {
        const float f = 0.1f;
        QCOMPARE(elementToString(DType::Float32, reinterpret_cast<const std::byte*>(&f)), std::string("0.1"));
        const double d = 0.1;
        QCOMPARE(elementToString(DType::Float64, reinterpret_cast<const std::byte*>(&d)), std::string("0.1"));
    }
};

QTEST_APPLESS_MAIN(TestDType)
#include "tst_dtype.moc"
