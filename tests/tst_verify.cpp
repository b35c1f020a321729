// Rebuilding MLPs from saved parameters and checking them against the outputs real PyTorch
// computed (fixtures: tests/data/verify/make_verify_fixtures.py), in every layout users save.
#include "base/CheckpointError.h"
#include "model/DenseLayerFinder.h"
#include "open/ReaderRegistry.h"
#include "verify/Verify.h"

#include <QProcess>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace ckpt;

namespace {
std::string fixture(const QString& name)
{
    return (QStringLiteral(CKPT_TEST_DATA "/verify/") + name).toStdString();
}

struct CliRun {
    int exitCode = -1;
    QByteArray out, err;
};

CliRun ckptCli(const QStringList& args)
{
    QProcess p;
    p.setWorkingDirectory(CKPT_TEST_DATA "/verify");
    p.start(CKPT_BINARY_DIR "/app/ckpt", args);
    p.waitForFinished(60000);
    return { p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError() };
}
} // namespace

class TestVerify : public QObject {
    Q_OBJECT

private slots:
    void matchesTorchOutputs_data()
    {
        QTest::addColumn<QString>("params");
        QTest::addColumn<QString>("io");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("activation");
        QTest::addColumn<QStringList>("layers");
        QTest::addColumn<bool>("match");
        const QStringList seed { "hidden", "output" };
        QTest::newRow("state_dict") << "mlp.params"
                                    << "mlp-io.h5"
                                    << ""
                                    << "relu" << seed << true;
        QTest::newRow("state_dict, io from torch") << "mlp.params"
                                                   << "mlp-io.pt"
                                                   << ""
                                                   << "relu" << seed << true;
        QTest::newRow("npz") << "mlp.npz"
                             << "mlp-io.h5"
                             << ""
                             << "relu" << seed << true;
        QTest::newRow("tf checkpoint (save_weights('mlp.params'))")
            << "../tfcheckpoint/mlp.params"
            << "mlp-io.h5"
            << ""
            << "relu" << QStringList { "layer_with_weights-0", "layer_with_weights-1" } << true;
        QTest::newRow("keras hdf5 (kernels transposed)") << "mlp-keras.h5"
                                                         << "mlp-io.h5"
                                                         << ""
                                                         << "relu" << QStringList { "dense", "dense_1" } << true;
        const QStringList deep { "0", "2", "4", "6", "8", "10" };
        QTest::newRow("training checkpoint, tanh") << "deep-train.pth"
                                                   << "deep-io.h5"
                                                   << "model_state_dict."
                                                   << "tanh" << deep << true;
        QTest::newRow("wrong activation") << "deep-train.pth"
                                          << "deep-io.h5"
                                          << "model_state_dict."
                                          << "relu" << deep << false;
        QTest::newRow("seed net with tanh") << "mlp.params"
                                            << "mlp-io.h5"
                                            << ""
                                            << "tanh" << seed << false;
    }

    void matchesTorchOutputs()
    {
        QFETCH(QString, params);
        QFETCH(QString, io);
        QFETCH(QString, prefix);
        QFETCH(QString, activation);
        QFETCH(QStringList, layers);
        QFETCH(bool, match);
        const Checkpoint p = openCheckpoint(fixture(params));
        const Checkpoint xy = openCheckpoint(fixture(io));
        MlpBuildOptions b;
        b.prefix = prefix.toStdString();
        b.hidden = *activationFromName(activation.toStdString());
        const Mlp mlp = buildMlp(p, b);
        QStringList names;
        for (const auto& l : mlp.layers())
            names << QString::fromStdString(l.name);
        QCOMPARE(names, layers);
        const auto r = verifyAgainstOutputs(mlp, readMatrix(xy, "X"), readMatrix(xy, "Y"), VerifyOptions {});
        QCOMPARE(r.comparison.match, match);
        QCOMPARE(r.comparison.compared, readMatrix(xy, "Y").size());
        if (match)
            QVERIFY(r.comparison.maxAbsDiff < 1e-6);
        else
            QVERIFY(r.comparison.maxAbsDiff > 1e-3);
    }

    void sequentialIndicesAreOrderedNumerically()
    {
        // Tensors listed 10 before 2 must still chain 0 -> 2 -> 10.
        Checkpoint c;
        auto add = [&](const std::string& name, Shape shape) {
            std::vector<float> zeros(std::size_t(shapeNumel(shape)));
            c.tensors.push_back(makeMemoryTensor(name, makeTensorData(DType::Float32, shape, zeros)));
        };
        add("10.weight", { 2, 5 });
        add("0.weight", { 4, 3 });
        add("2.weight", { 5, 4 });
        const auto refs = findDenseLayers(c);
        QCOMPARE(refs.size(), std::size_t(3));
        QCOMPARE(refs[0].name, std::string("0"));
        QCOMPARE(refs[1].name, std::string("2"));
        QCOMPARE(refs[2].name, std::string("10"));
    }

    void cloneOfItselfIsBitwiseEqual()
    {
        const Checkpoint a = openCheckpoint(fixture("mlp.params"));
        const Checkpoint b = openCheckpoint(fixture("mlp-keras.h5"));
        VerifyOptions exact;
        exact.exact = true;
        const Mlp ma = buildMlp(a), mb = buildMlp(b);
        const auto r = verifyAgainstClone(ma, mb, randomInputs(32, 20, 7), exact);
        QVERIFY(r.comparison.match);
        QCOMPARE(r.comparison.maxAbsDiff, 0.0);
        QVERIFY(r.parameters && r.parameters->equal);
    }

    void perturbedCloneDiffers()
    {
        const Checkpoint a = openCheckpoint(fixture("mlp.params"));
        Mlp ma = buildMlp(a);
        std::vector<DenseLayer> layers = ma.layers();
        layers[1].bias[3] += 1e-3;
        const Mlp mb(std::move(layers));
        const auto r = verifyAgainstClone(ma, mb, randomInputs(4, 20, 1), VerifyOptions {});
        QVERIFY(!r.comparison.match);
        QCOMPARE(r.comparison.mismatched, std::int64_t(4)); // output 3 of each row
        QVERIFY(r.parameters && !r.parameters->equal);
        QVERIFY(std::abs(r.parameters->maxAbsDiff - 1e-3) < 1e-9);
    }

    void embeddedDemoReproducesItsOutputsExactly()
    {
        const auto r = ckptCli({ "verify", "--exact", CKPT_TEST_DATA "/../../resources/demo/mlp-demo.h5", "--io",
            CKPT_TEST_DATA "/../../resources/demo/mlp-demo.h5" });
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("20 outputs compared"));
    }

    void errorsSayWhere_data()
    {
        QTest::addColumn<QString>("params");
        QTest::addColumn<QString>("io");
        QTest::addColumn<QString>("message");
        QTest::newRow("no dense layers") << "no-dense.pt"
                                         << "mlp-io.h5"
                                         << "no-dense.pt: cannot rebuild the network: no dense layers";
        QTest::newRow("broken chain")
            << "broken-chain.pt"
            << "mlp-io.h5"
            << "the layers do not chain: 'b' (b.weight) takes 6 inputs but 'a' gives 8 outputs";
        QTest::newRow("X of the wrong width") << "mlp.params"
                                              << "wrong-width-io.h5"
                                              << "wrong-width-io.h5: input has 21 features but the network takes 20";
    }

    void errorsSayWhere()
    {
        QFETCH(QString, params);
        QFETCH(QString, io);
        QFETCH(QString, message);
        const auto r = ckptCli({ "verify", params, "--io", io });
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.startsWith("error: "), r.err.constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    void cliContract()
    {
        auto r = ckptCli({ "verify", "--json", "mlp.params", "--io", "mlp-io.h5" });
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        for (const char* key : { "layers", "max_abs_diff", "max_rel_diff", "tolerance", "match", "outputs_compared" })
            QVERIFY2(j.contains(key), key);
        QCOMPARE(j["layers"].size(), std::size_t(2));
        QCOMPARE(j["layers"][0]["in"].get<int>(), 20);
        QCOMPARE(j["layers"][0]["out"].get<int>(), 256);
        QCOMPARE(j["layers"][0]["activation"].get<std::string>(), std::string("relu"));
        QCOMPARE(j["outputs_compared"].get<int>(), 20);
        QVERIFY(j["match"].get<bool>());

        r = ckptCli({ "verify", "--json", "deep-train.pth", "--io", "deep-io.h5", "--prefix", "model_state_dict" });
        QCOMPARE(r.exitCode, 1); // relu is the wrong activation for this tanh net
        QVERIFY(!nlohmann::json::parse(r.out.toStdString())["match"].get<bool>());

        r = ckptCli({ "verify", "mlp.params", "--against", "mlp-keras.h5", "--exact", "--seed", "3", "--batch", "50" });
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("500 outputs compared"));

        // Neither --io nor --against: X and Y are looked for in the parameters' file.
        r = ckptCli({ "verify", "mlp.params" });
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("mlp.params: no tensor named 'X'"), r.err.constData());
        QCOMPARE(ckptCli({ "verify", "mlp.params", "--io", "mlp-io.h5", "--activation", "swish" }).exitCode, 2);
        QCOMPARE(ckptCli({ "verify", "missing.pt", "--io", "mlp-io.h5" }).exitCode, 3);
    }
};

QTEST_GUILESS_MAIN(TestVerify)
#include "tst_verify.moc"
