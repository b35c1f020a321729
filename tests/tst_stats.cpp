// Statistics and histograms against values computed independently (by hand or long double).
#include "io/ByteSource.h"
#include "numerics/Convert.h"
#include "numerics/Float16.h"
#include "numerics/Stats.h"
#include "tensor/FlatTensorSource.h"
#include "tensor/StridedTensorSource.h"
#include "tensor/TensorData.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace ckpt;

namespace {
Tensor floatTensor(const std::vector<float>& v, Shape shape = {})
{
    if (shape.empty())
        shape = { static_cast<std::int64_t>(v.size()) };
    return makeMemoryTensor("t", makeTensorData(DType::Float32, shape, v));
}
// Float32 values in memory that count how many elements are read.
class CountingSource : public FlatTensorSource {
public:
    explicit CountingSource(std::vector<float> v)
        : FlatTensorSource(DType::Float32, { static_cast<std::int64_t>(v.size()) })
        , values_(std::move(v))
    {
    }
    void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const override
    {
        checkFlat(first, count);
        read += count;
        std::memcpy(out, values_.data() + first, static_cast<std::size_t>(count) * sizeof(float));
    }
    mutable std::atomic<std::int64_t> read { 0 };

private:
    std::vector<float> values_;
};
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
} // namespace

class TestStats : public QObject {
    Q_OBJECT
private slots:
    // Large enough for every code path (vector lanes, tails, several chunks, both threads), with
    // NaN and inf in some blocks only, against a plain element-by-element reference.
    void matchesPlainReference_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("specialEvery");
        QTest::newRow("all finite, odd size") << 600'001 << 0;
        QTest::newRow("a NaN or inf every 99991") << 700'003 << 99'991;
        QTest::newRow("a NaN or inf every 7") << 10'007 << 7;
        QTest::newRow("tiny") << 3 << 0;
    }

    void matchesPlainReference()
    {
        QFETCH(int, n);
        QFETCH(int, specialEvery);
        std::mt19937 rng(7);
        std::normal_distribution<float> normal(0.5f, 2.0f);
        std::vector<float> v(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            v[std::size_t(i)] = i % 1000 == 3 ? 0.0f : normal(rng);
            if (specialEvery && i % specialEvery == specialEvery - 1)
                v[std::size_t(i)]
                    = (i / specialEvery) % 3 == 0 ? std::nanf("") : ((i / specialEvery) % 3 == 1 ? kInf : -kInf);
        }
        std::int64_t finite = 0, nan = 0, pos = 0, neg = 0, zeros = 0;
        long double sum = 0;
        double lo = kInf, hi = -kInf;
        for (float x : v) {
            if (std::isnan(x)) {
                ++nan;
                continue;
            }
            if (std::isinf(x)) {
                ++(x > 0 ? pos : neg);
                continue;
            }
            ++finite;
            sum += x;
            lo = std::min(lo, double(x));
            hi = std::max(hi, double(x));
            zeros += x == 0;
        }
        const long double mean = sum / finite;
        long double m2 = 0;
        std::vector<std::int64_t> counts(64, 0);
        for (float x : v) {
            if (!std::isfinite(x))
                continue;
            m2 += (x - mean) * (x - mean);
            const auto b = std::min<std::int64_t>(63, std::int64_t((double(x) - lo) * (64 / (hi - lo))));
            ++counts[std::size_t(b)];
        }
        const auto s = computeStats(floatTensor(v), { .bins = 64, .threads = 2 });
        QCOMPARE(s.count, std::int64_t(n));
        QCOMPARE(s.finite, finite);
        QCOMPARE(s.nan, nan);
        QCOMPARE(s.posInf, pos);
        QCOMPARE(s.negInf, neg);
        QCOMPARE(s.zeros, zeros);
        QCOMPARE(s.min, lo);
        QCOMPARE(s.max, hi);
        QVERIFY(std::abs(s.mean - double(mean)) <= 1e-12 * std::max(1.0L, std::abs(mean)));
        QVERIFY(std::abs(s.std - double(std::sqrt(m2 / finite))) <= 1e-12);
        QCOMPARE(s.histogram.counts, counts);
        const auto inMemory = computeStats(std::vector<double>(v.begin(), v.end()).data(), n, 64);
        QCOMPARE(inMemory.histogram.counts, counts);
        QCOMPARE(inMemory.nan, nan);
    }

    void handComputed()
    {
        // 1, 2, 3, 4: mean 2.5, population variance 1.25
        const auto s = computeStats(floatTensor({ 1, 2, 3, 4 }), { .bins = 3 });
        QCOMPARE(s.count, 4);
        QCOMPARE(s.min, 1.0);
        QCOMPARE(s.max, 4.0);
        QCOMPARE(s.mean, 2.5);
        QCOMPARE(s.std, std::sqrt(1.25));
        QCOMPARE(s.zeros, 0);
        QCOMPARE(s.histogram.edges, (std::vector<double> { 1, 2, 3, 4 }));
        QCOMPARE(s.histogram.counts, (std::vector<std::int64_t> { 1, 1, 2 })); // last bin is closed
    }

    void nanInfZero()
    {
        const auto s
            = computeStats(floatTensor({ 0.0f, -0.0f, std::nanf(""), kInf, -kInf, kInf, 2.0f }), { .bins = 2 });
        QCOMPARE(s.count, 7);
        QCOMPARE(s.finite, 3);
        QCOMPARE(s.nan, 1);
        QCOMPARE(s.posInf, 2);
        QCOMPARE(s.negInf, 1);
        QCOMPARE(s.zeros, 2);
        QCOMPARE(s.min, -0.0);
        QCOMPARE(s.max, 2.0);
        QCOMPARE(s.mean, 2.0 / 3.0);
        std::int64_t total = 0;
        for (auto c : s.histogram.counts)
            total += c;
        QCOMPARE(total, 3); // only finite values are binned
    }

    void empty()
    {
        const auto s = computeStats(floatTensor({}, { 0, 5 }), { .bins = 4 });
        QCOMPARE(s.count, 0);
        QVERIFY(std::isnan(s.min) && std::isnan(s.max) && std::isnan(s.mean) && std::isnan(s.std));
        QCOMPARE(s.histogram.counts.size(), std::size_t(4));
    }

    void allNan()
    {
        const auto s = computeStats(floatTensor({ std::nanf(""), std::nanf("") }));
        QCOMPARE(s.nan, 2);
        QCOMPARE(s.finite, 0);
        QVERIFY(std::isnan(s.mean));
    }

    void singleValueUsesNumpyRange()
    {
        const auto s = computeStats(floatTensor({ 5, 5, 5 }), { .bins = 2 });
        QCOMPARE(s.histogram.edges, (std::vector<double> { 4.5, 5.0, 5.5 }));
        QCOMPARE(s.histogram.counts, (std::vector<std::int64_t> { 0, 3 }));
        QCOMPARE(s.std, 0.0);
    }

    // Several chunks and threads against a long double reference; also checks that a large
    // offset does not ruin the variance (catastrophic cancellation of naive sum of squares).
    void largeAgainstReference_data()
    {
        QTest::addColumn<int>("threads");
        QTest::newRow("1 thread") << 1;
        QTest::newRow("4 threads") << 4;
    }
    void largeAgainstReference()
    {
        QFETCH(int, threads);
        std::mt19937 rng(7);
        std::normal_distribution<float> dist(1000.0f, 0.5f);
        std::vector<float> v(3'000'000);
        for (auto& x : v)
            x = dist(rng);
        long double sum = 0;
        float lo = v[0], hi = v[0];
        for (float x : v) {
            sum += x;
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
        const long double mean = sum / v.size();
        long double m2 = 0;
        for (float x : v)
            m2 += (x - mean) * (x - mean);
        const double stddev = std::sqrt(static_cast<double>(m2 / v.size()));
        std::vector<std::int64_t> counts(10, 0);
        const double width = (double(hi) - double(lo)) / 10;
        for (float x : v)
            counts[std::min<std::size_t>(9, static_cast<std::size_t>((double(x) - lo) / width))]++;

        int progressCalls = 0;
        StatsOptions o;
        o.bins = 10;
        o.threads = threads;
        o.progress = [&](double) { ++progressCalls; };
        const auto s = computeStats(floatTensor(v), o);
        QCOMPARE(s.min, double(lo));
        QCOMPARE(s.max, double(hi));
        QVERIFY(std::abs(s.mean - double(mean)) < 1e-10);
        QVERIFY(std::abs(s.std - stddev) / stddev < 1e-9);
        std::int64_t diff = 0;
        for (int i = 0; i < 10; ++i)
            diff += std::abs(s.histogram.counts[i] - counts[i]);
        QVERIFY(diff <= 2); // at most a value on a bin edge may land differently
        QVERIFY(progressCalls > 0);
    }

    // The tensor table asks for one bin: it holds every finite value, so the values are read
    // once (the histogram's second pass would only count them again).
    void oneBinReadsTheValuesOnce()
    {
        std::vector<float> v(1'000'003);
        for (std::size_t i = 0; i < v.size(); ++i)
            v[i] = static_cast<float>(i % 1000) - 500.0f;
        v[17] = std::nanf("");
        v[99'999] = kInf;
        auto source = std::make_shared<CountingSource>(v);
        Tensor t;
        t.info.name = "t";
        t.info.dtype = DType::Float32;
        t.info.shape = source->shape();
        t.data = source;
        double lastProgress = 0;
        StatsOptions o;
        o.bins = 1;
        o.threads = 2;
        o.progress = [&](double p) { lastProgress = p; };
        const auto s = computeStats(t, o);
        QCOMPARE(source->read.load(), std::int64_t(v.size()));
        QCOMPARE(s.finite, std::int64_t(v.size()) - 2);
        QCOMPARE(s.histogram.counts, std::vector<std::int64_t> { s.finite });
        QCOMPARE(s.histogram.edges, (std::vector<double> { -500.0, 499.0 }));
        QCOMPARE(lastProgress, 1.0);
        // Two bins still read everything twice, and count like numpy.
        source->read = 0;
        o.bins = 2;
        const auto two = computeStats(t, o);
        QCOMPARE(source->read.load(), 2 * std::int64_t(v.size()));
        QCOMPARE(two.histogram.counts, (std::vector<std::int64_t> { 500 * 1000 + 3 - 1, 500 * 1000 - 1 }));
        QCOMPARE(lastProgress, 1.0);
    }

    void inMemoryMatchesStreaming()
    {
        std::vector<double> d = { 3, -1, 7.5, 0, 2 };
        const auto a = computeStats(d.data(), static_cast<std::int64_t>(d.size()), 4);
        const auto b = computeStats(makeMemoryTensor("d", makeTensorData(DType::Float64, { 5 }, d)), { .bins = 4 });
        QCOMPARE(a.mean, b.mean);
        QCOMPARE(a.std, b.std);
        QCOMPARE(a.histogram.counts, b.histogram.counts);
    }

    // float32 data at an odd offset in its file (a hand-made safetensors, a packed zip member)
    // is read in place without a misaligned load (UBSan in the sanitizer run checks).
    void float32AtAnOddOffset()
    {
        std::vector<float> values(1000);
        for (std::size_t i = 0; i < values.size(); ++i)
            values[i] = float(i) - 250.5f;
        std::vector<std::byte> bytes(1 + values.size() * sizeof(float));
        std::memcpy(bytes.data() + 1, values.data(), values.size() * sizeof(float));
        auto file = std::make_shared<MemoryByteSource>(std::move(bytes));
        Tensor t;
        t.info.name = "odd";
        t.info.shape = { 1000 };
        t.data = std::make_shared<StridedTensorSource>(
            file, DType::Float32, t.info.shape, StridedLayout::rowMajor(t.info.shape, 1));
        QVERIFY(t.data->mappedElements());
        QVERIFY(reinterpret_cast<std::uintptr_t>(t.data->mappedElements()) % alignof(float) != 0);
        const auto s = computeStats(t, { .bins = 10 });
        QCOMPARE(s.min, -250.5);
        QCOMPARE(s.max, 748.5);
        QCOMPARE(s.mean, 249.0);
    }

    // A stride-0 (broadcast) view is read as its distinct elements, each counted as often as it
    // repeats: the same statistics and histogram as the view written out element by element.
    void broadcastViewMatchesItsElements()
    {
        std::vector<float> stored = { 0.0f, -2.5f, 7.0f, 1.0f, std::nanf(""), 3.25f, kInf, 0.5f };
        auto bytes = std::make_shared<MemoryByteSource>(std::vector<std::byte>(
            reinterpret_cast<const std::byte*>(stored.data()), reinterpret_cast<const std::byte*>(stored.data() + 8)));
        const Shape shape { 2, 5, 4, 3 }; // stride 0 along axes 1 and 3
        StridedLayout layout;
        layout.strides = { 4, 0, 1, 0 };
        Tensor view;
        view.info.name = "view";
        view.info.shape = shape;
        view.data = std::make_shared<StridedTensorSource>(bytes, DType::Float32, shape, layout);
        QCOMPARE(view.data->repeatedParts().size(), std::size_t(1));
        QCOMPARE(view.data->repeatedParts()[0].repeat, std::int64_t(15));

        std::vector<double> written(120);
        std::vector<float> flat(120);
        view.data->readFlat(0, 120, reinterpret_cast<std::byte*>(flat.data()));
        std::copy(flat.begin(), flat.end(), written.begin());
        const auto want = computeStats(written.data(), 120, 16);
        const auto got = computeStats(view, { .bins = 16 });
        QCOMPARE(got.count, std::int64_t(120));
        QCOMPARE(got.finite, want.finite);
        QCOMPARE(got.nan, want.nan);
        QCOMPARE(got.posInf, want.posInf);
        QCOMPARE(got.zeros, want.zeros);
        QCOMPARE(got.min, want.min);
        QCOMPARE(got.max, want.max);
        QVERIFY(std::abs(got.mean - want.mean) < 1e-12);
        QVERIFY(std::abs(got.std - want.std) < 1e-12);
        QCOMPARE(got.histogram.counts, want.histogram.counts);
    }

    // 2^62 elements declared by one stored value: done at once, not after 2^62 reads.
    void astronomicBroadcastIsImmediate()
    {
        const float one = 2.5f;
        auto bytes = std::make_shared<MemoryByteSource>(std::vector<std::byte>(
            reinterpret_cast<const std::byte*>(&one), reinterpret_cast<const std::byte*>(&one + 1)));
        Tensor view;
        view.info.name = "huge";
        view.info.shape = { std::int64_t(1) << 31, std::int64_t(1) << 31 };
        StridedLayout layout;
        layout.strides = { 0, 0 };
        view.data = std::make_shared<StridedTensorSource>(bytes, DType::Float32, view.info.shape, layout);
        std::vector<double> progress;
        StatsOptions o;
        o.bins = 4;
        o.progress = [&](double p) { progress.push_back(p); };
        const auto s = computeStats(view, o);
        QCOMPARE(s.count, std::int64_t(1) << 62);
        QCOMPARE(s.mean, 2.5);
        QCOMPARE(s.std, 0.0);
        QCOMPARE(s.histogram.counts[2], std::int64_t(1) << 62);
        QVERIFY(!progress.empty());
        QCOMPARE(progress.back(), 1.0);
    }

    void cancel()
    {
        std::vector<float> v(4'000'000, 1.0f);
        std::atomic<bool> stop { true };
        StatsOptions o;
        o.cancel = &stop;
        QVERIFY_THROWS_EXCEPTION(Cancelled, computeStats(floatTensor(v), o));
    }

    void integerAndBoolTensors()
    {
        auto t = makeMemoryTensor("i", makeTensorData<std::int16_t>(DType::Int16, { 4 }, { -3, 0, 0, 9 }));
        const auto s = computeStats(t);
        QCOMPARE(s.min, -3.0);
        QCOMPARE(s.max, 9.0);
        QCOMPARE(s.zeros, 2);
        auto b = makeMemoryTensor("b", makeTensorData<std::uint8_t>(DType::Bool, { 3 }, { 1, 0, 1 }));
        QCOMPARE(computeStats(b).mean, 2.0 / 3.0);
    }

    // Types of at most 16 bits are counted by bit pattern in one pass: every statistic and bin must
    // equal those of the same values widened to float64 (computed the two-pass way).
    // The denormal and float16-overflow counts come from the same sweep, on every path: the AVX2
    // and portable float32 kernels (this suite runs again with CKPT_CPU_BASELINE=1), blocks with
    // NaN, float64, the counted 16-bit types and a broadcast view; against a per-element count.
    void denormalsAndFloat16Overflow_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<bool>("withNan");
        QTest::newRow("float32") << int(DType::Float32) << false;
        QTest::newRow("float32, some NaN") << int(DType::Float32) << true;
        QTest::newRow("float64") << int(DType::Float64) << false;
        QTest::newRow("float64, some NaN") << int(DType::Float64) << true;
        QTest::newRow("bfloat16") << int(DType::BFloat16) << true;
        QTest::newRow("float16") << int(DType::Float16) << true;
    }

    void denormalsAndFloat16Overflow()
    {
        QFETCH(int, dtype);
        QFETCH(bool, withNan);
        const DType d = static_cast<DType>(dtype);
        // float32 values of every kind: denormal, zero, ±65504 / ±65520 (float16's edge), large, NaN.
        std::vector<float> values(200'003);
        std::uint32_t x = 777;
        for (float& v : values) {
            x = x * 1103515245u + 12345u;
            const float sign = (x >> 31) ? -1.0f : 1.0f;
            switch ((x >> 8) % 9) {
            case 0: {
                const std::uint32_t bits = (x >> 9) & 0x7fffffu; // a float32 denormal (or zero)
                std::memcpy(&v, &bits, 4);
                v *= sign;
                break;
            }
            case 1:
                v = sign * 65504.0f;
                break;
            case 2:
                v = sign * 65520.0f;
                break;
            case 3:
                v = sign * 1e30f;
                break;
            case 4:
                v = 0;
                break;
            case 5:
                v = sign * 0x1p-20f;
                break; // denormal in float16 only
            default:
                v = sign * float((x >> 12) % 1000) / 7.0f;
            }
        }
        if (withNan)
            for (std::size_t i = 5; i < values.size(); i += 4099)
                values[i] = std::nanf("");
        std::vector<std::byte> bytes(values.size() * dtypeSize(d));
        const auto n = static_cast<std::int64_t>(values.size());
        for (std::size_t i = 0; i < values.size(); ++i) {
            const float v = values[i];
            std::byte* out = bytes.data() + i * dtypeSize(d);
            if (d == DType::Float32) {
                std::memcpy(out, &v, 4);
            } else if (d == DType::Float64) { // float32's denormals, as float64 denormals
                const double w = std::fpclassify(v) == FP_SUBNORMAL ? double(v) * 0x1p-900 : double(v);
                std::memcpy(out, &w, 8);
            } else {
                const std::uint16_t h = d == DType::Float16 ? floatToHalf(v) : floatToBfloat16(v);
                std::memcpy(out, &h, 2);
            }
        }
        std::vector<double> wide(values.size());
        convertToDouble(d, bytes.data(), n, wide.data());
        const double normal = d == DType::Float64 ? std::numeric_limits<double>::min()
            : d == DType::Float16                 ? 0x1p-14
                                                  : std::numeric_limits<float>::min();
        std::int64_t denormals = 0, beyond = 0;
        for (double w : wide) {
            denormals += std::isfinite(w) && w != 0 && std::fabs(w) < normal;
            beyond += d != DType::Float16 && std::isfinite(w) && std::fabs(w) >= 65520.0;
        }
        QVERIFY(denormals > 1000);
        QVERIFY(d == DType::Float16 || beyond > 1000);
        const auto got = computeStats(makeMemoryTensor("t", makeTensorData(d, { n }, bytes)), { .bins = 8 });
        QCOMPARE(got.denormals, denormals);
        QCOMPARE(got.beyondHalf, beyond);

        // The same values repeated three times by a broadcast view count three times.
        auto stored = std::make_shared<MemoryByteSource>(bytes);
        Tensor view;
        view.info.name = "view";
        view.info.dtype = d;
        view.info.shape = { 3, n };
        StridedLayout layout;
        layout.strides = { 0, 1 };
        view.data = std::make_shared<StridedTensorSource>(stored, d, view.info.shape, layout);
        const auto repeated = computeStats(view, { .bins = 8 });
        QCOMPARE(repeated.count, 3 * n);
        QCOMPARE(repeated.zeros, 3 * got.zeros);
        QCOMPARE(repeated.nan, 3 * got.nan);
        QCOMPARE(repeated.denormals, 3 * denormals);
        QCOMPARE(repeated.beyondHalf, 3 * beyond);
    }

    void countedTypesMatchTheirFloat64Values_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::newRow("float16") << int(DType::Float16);
        QTest::newRow("bfloat16") << int(DType::BFloat16);
        QTest::newRow("int16") << int(DType::Int16);
        QTest::newRow("uint8") << int(DType::UInt8);
        QTest::newRow("int8") << int(DType::Int8);
        QTest::newRow("float8_e4m3fn") << int(DType::Float8E4M3FN);
    }

    void countedTypesMatchTheirFloat64Values()
    {
        QFETCH(int, dtype);
        const DType d = static_cast<DType>(dtype);
        const std::size_t size = dtypeSize(d);
        std::vector<std::uint8_t> bytes(size * 300'001);
        std::uint32_t x = 12345; // every bit pattern shows up, NaN and infinities included
        for (auto& b : bytes) {
            x = x * 1103515245u + 12345u;
            b = static_cast<std::uint8_t>(x >> 16);
        }
        const std::int64_t n = static_cast<std::int64_t>(bytes.size() / size);
        std::vector<double> wide(static_cast<std::size_t>(n));
        convertToDouble(d, reinterpret_cast<const std::byte*>(bytes.data()), n, wide.data());
        const auto counted = computeStats(makeMemoryTensor("c", makeTensorData(d, { n }, bytes)), { .bins = 37 });
        const auto reference
            = computeStats(makeMemoryTensor("w", makeTensorData(DType::Float64, { n }, wide)), { .bins = 37 });
        QCOMPARE(counted.count, reference.count);
        QCOMPARE(counted.nan, reference.nan);
        QCOMPARE(counted.posInf, reference.posInf);
        QCOMPARE(counted.negInf, reference.negInf);
        QCOMPARE(counted.zeros, reference.zeros);
        QCOMPARE(counted.min, reference.min);
        QCOMPARE(counted.max, reference.max);
        QVERIFY(std::abs(counted.mean - reference.mean) <= 1e-12 * std::max(1.0, std::abs(reference.std)));
        QVERIFY(std::abs(counted.std - reference.std) <= 1e-12 * std::max(1.0, reference.std));
        QCOMPARE(counted.histogram.edges, reference.histogram.edges);
        QCOMPARE(counted.histogram.counts, reference.histogram.counts);
    }
};

QTEST_APPLESS_MAIN(TestStats)
#include "tst_stats.moc"
