// Spectral metrics (issue 20) against numpy (tests/data/spectral, make_spectral_fixtures.py):
// the spectral norm as numpy.linalg.norm(W, 2), Frobenius, stable and effective rank, through
// the full SVD and through Lanczos (forced on small matrices by lowering the SVD limit).
#include "numerics/Spectral.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace ckpt;

namespace {

const nlohmann::json& expected()
{
    static const nlohmann::json j = [] {
        std::ifstream in(CKPT_TEST_DATA "/spectral/expected.json");
        return nlohmann::json::parse(in);
    }();
    return j;
}

const Checkpoint& matrices()
{
    static const Checkpoint c = openCheckpoint(CKPT_TEST_DATA "/spectral/matrices.npz");
    return c;
}

bool near(double actual, double want, double rtol)
{
    return std::fabs(actual - want) <= rtol * std::fabs(want);
}

} // namespace

class TestSpectral : public QObject {
    Q_OBJECT
private slots:
    void matchesNumpy_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("lanczos");
        for (const auto& [name, _] : expected().items()) {
            QTest::addRow("%s svd", name.c_str()) << QString::fromStdString(name) << false;
            QTest::addRow("%s lanczos", name.c_str()) << QString::fromStdString(name) << true;
        }
    }

    void matchesNumpy()
    {
        QFETCH(QString, name);
        QFETCH(bool, lanczos);
        const Tensor* t = matrices().find(name.toStdString());
        QVERIFY(t);
        SpectralOptions options;
        if (lanczos)
            options.maxFullSvdSide = 2;
        const auto m = computeSpectral(*t, options);
        const auto& want = expected()[name.toStdString()];
        QCOMPARE(m.fullSpectrum, !lanczos);
        QVERIFY2(near(m.spectralNorm, want["spectral_norm"], 1e-5), std::to_string(m.spectralNorm).c_str());
        QVERIFY2(near(m.frobenius, want["frobenius"], 1e-6), std::to_string(m.frobenius).c_str());
        QVERIFY2(near(m.stableRank, want["stable_rank"], 1e-5), std::to_string(m.stableRank).c_str());
        if (lanczos)
            QVERIFY(std::isnan(m.effectiveRank));
        else
            QVERIFY2(near(m.effectiveRank, want["effective_rank"], 1e-5), std::to_string(m.effectiveRank).c_str());
    }

    void convolutionIsOutByRest()
    {
        const auto shape = matrixShape(*matrices().find("conv"));
        QVERIFY(shape);
        QCOMPARE(shape->first, std::int64_t(8));
        QCOMPARE(shape->second, std::int64_t(27));
    }

    void refusesWhatHasNoSpectrum()
    {
        const auto vector
            = makeMemoryTensor("v", makeTensorData(DType::Float32, { 3 }, std::vector<float> { 1, 2, 3 }));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeSpectral(vector));
        const auto withNan
            = makeMemoryTensor("n", makeTensorData(DType::Float32, { 2, 2 }, std::vector<float> { 1, NAN, 3, 4 }));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeSpectral(withNan));
        SpectralOptions small;
        small.maxElements = 10;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeSpectral(*matrices().find("small"), small));
    }

    void zeroMatrix()
    {
        const auto zeros = makeMemoryTensor("z", makeTensorData(DType::Float32, { 2, 3 }, std::vector<float>(6, 0.0f)));
        const auto m = computeSpectral(zeros);
        QCOMPARE(m.spectralNorm, 0.0);
        QCOMPARE(m.stableRank, 0.0);
        QCOMPARE(m.effectiveRank, 0.0);
    }
};

QTEST_GUILESS_MAIN(TestSpectral)
#include "tst_spectral.moc"
