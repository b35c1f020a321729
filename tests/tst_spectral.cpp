// Spectral metrics (issue 20) against numpy (tests/data/spectral, make_spectral_fixtures.py):
// the spectral norm as numpy.linalg.norm(W, 2), Frobenius, stable and effective rank, through
// the full SVD and through Lanczos (forced on small matrices by lowering the SVD limit); the
// power-law alpha against the same fit in numpy, itself checked against the powerlaw package.
#include "numerics/PowerLaw.h"
#include "numerics/Spectral.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
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
        // The power-law fit needs every eigenvalue, and at least 10 above 1e-5 (conv, lowrank: none).
        if (lanczos || want["alpha"].is_null()) {
            QVERIFY(std::isnan(m.alpha));
            QVERIFY(std::isnan(m.alphaKs));
        } else {
            QVERIFY2(near(m.alpha, want["alpha"], 1e-6), std::to_string(m.alpha).c_str());
            QVERIFY2(near(m.alphaKs, want["alpha_ks"], 1e-6), std::to_string(m.alphaKs).c_str());
        }
    }

    // Trained layers of a real model (karpathy's stories260K as llama.cpp converted it;
    // tests/data/real/SOURCES.md): numpy's SVD and the fixture script's powerlaw_fit, which the
    // powerlaw package matches to every digit printed here (check_against_powerlaw.py's call).
    void realTrainedLayers_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("spectralNorm");
        QTest::addColumn<double>("effectiveRank");
        QTest::addColumn<double>("alpha");
        QTest::addColumn<double>("ks");
        QTest::newRow("output") << "output.weight" << 45.71649479988652 << 46.739979098186645 << 2.347974393950656
                                << 0.05216602274086002;
        QTest::newRow("attn_q") << "blk.0.attn_q.weight" << 10.800453725879047 << 34.19587334751754
                                << 1.7331503763870453 << 0.10101600461492677;
        QTest::newRow("attn_k (grouped-query: 32 rows)")
            << "blk.0.attn_k.weight" << 8.318956570968107 << 19.00773681205637 << 1.9116441830667554
            << 0.06790077449297482;
        QTest::newRow("ffn_down") << "blk.0.ffn_down.weight" << 3.7136825503217197 << 60.01948861066429
                                  << 3.83828402290701 << 0.08368069741406195;
    }

    void realTrainedLayers()
    {
        QFETCH(QString, name);
        QFETCH(double, spectralNorm);
        QFETCH(double, effectiveRank);
        QFETCH(double, alpha);
        QFETCH(double, ks);
        static const Checkpoint c = openCheckpoint(CKPT_TEST_DATA "/real/gguf/stories260K.gguf");
        const Tensor* t = c.find(name.toStdString());
        QVERIFY(t);
        const auto m = computeSpectral(*t);
        QVERIFY(m.fullSpectrum);
        QVERIFY2(near(m.spectralNorm, spectralNorm, 1e-6), std::to_string(m.spectralNorm).c_str());
        QVERIFY2(near(m.effectiveRank, effectiveRank, 1e-6), std::to_string(m.effectiveRank).c_str());
        QVERIFY2(near(m.alpha, alpha, 1e-6), std::to_string(m.alpha).c_str());
        QVERIFY2(near(m.alphaKs, ks, 1e-6), std::to_string(m.alphaKs).c_str());
    }

    // Eigenvalues at the quantiles of a Pareto law with exponent 3 (density ~ x^-3 above 1): the
    // fit finds 3 with a small KS distance, whatever their order and scale.
    void powerLawOfAParetoSample()
    {
        std::vector<double> x;
        const int n = 2000;
        for (int i = 0; i < n; ++i)
            x.push_back(7.0 * std::pow(1 - (i + 0.5) / n, -1.0 / 2.0));
        std::reverse(x.begin(), x.end());
        const auto fit = fitPowerLaw(x);
        QVERIFY(fit);
        QVERIFY2(std::fabs(fit->alpha - 3) < 0.05, std::to_string(fit->alpha).c_str());
        QVERIFY2(fit->ks < 0.02, std::to_string(fit->ks).c_str());
        QVERIFY(fit->tail >= 10 && fit->tail <= n);
        for (double& v : x)
            v *= 1e3;
        const auto scaled = fitPowerLaw(x);
        QVERIFY(scaled);
        QVERIFY(std::fabs(scaled->alpha - fit->alpha) < 1e-9);
        QVERIFY(std::fabs(scaled->ks - fit->ks) < 1e-9);
    }

    void powerLawNeedsTenDistinctEigenvalues()
    {
        QVERIFY(!fitPowerLaw({}));
        QVERIFY(!fitPowerLaw({ 1, 2, 3, 4, 5, 6, 7, 8, 9 }));
        QVERIFY(!fitPowerLaw(std::vector<double>(50, 2.0))); // one value: no xmin below the largest
        // At or below the floor, NaN, infinite and negative values are left out.
        std::vector<double> x { 1e-5, 1e-6, 0, -4, NAN, INFINITY, -INFINITY };
        QVERIFY(!fitPowerLaw(x));
        for (int i = 1; i <= 10; ++i)
            x.push_back(i);
        const auto fit = fitPowerLaw(x);
        QVERIFY(fit);
        QCOMPARE(fitPowerLaw({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 })->alpha, fit->alpha);
        QVERIFY(fit->xmin >= 1 && fit->xmin < 10);
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
