// The seed chapter's workflow (`ckpt demo`) end to end, and the MLP it builds.
#include "demo/SeedWorkflow.h"
#include "model/MlpBuilder.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"
#include "verify/Verify.h"

#include <QtTest>

#include <QTemporaryDir>

using namespace ckpt;

class TestSeedWorkflow : public QObject {
    Q_OBJECT
private slots:
    void cloneMatches()
    {
        QTemporaryDir dir;
        const auto r = runSeedWorkflow(dir.path().toStdString());
        QVERIFY(r.match);
        QCOMPARE(r.maxAbsDiff, 0.0);
        QCOMPARE(r.files.size(), std::size_t(6));
        for (const auto& f : r.files)
            QVERIFY(QFileInfo::exists(QString::fromStdString(f)));
    }

    void filesHoldTheSeedTensors()
    {
        QTemporaryDir dir;
        runSeedWorkflow(dir.path().toStdString());
        auto open = [&](const char* name) { return openCheckpoint(dir.filePath(QLatin1String(name)).toStdString()); };
        const Checkpoint x = open("x-file.h5");
        QCOMPARE(x.tensors.size(), std::size_t(1));
        const TensorData xv = readTensor(x.tensors[0]);
        QCOMPARE(xv.dtype, DType::Int64);
        QCOMPARE(std::vector<std::int64_t>(xv.as<std::int64_t>(), xv.as<std::int64_t>() + 4),
            (std::vector<std::int64_t> { 0, 1, 2, 3 }));
        const Checkpoint list = open("x-files.h5");
        QCOMPARE(list.tensors[0].info.name, std::string("0"));
        QCOMPARE(list.tensors[1].info.name, std::string("1"));
        const Checkpoint dict = open("mydict.h5");
        QVERIFY(dict.find("x") && dict.find("y"));
        const Checkpoint params = open("mlp.params.h5");
        std::vector<std::string> names;
        for (const auto& t : params.tensors)
            names.push_back(t.info.name);
        QCOMPARE(names, (std::vector<std::string> { "hidden.weight", "hidden.bias", "output.weight", "output.bias" }));
        QCOMPARE(params.find("hidden.weight")->info.shape, (Shape { 256, 20 })); // PyTorch (out, in)
        QCOMPARE(params.find("output.weight")->info.shape, (Shape { 10, 256 }));
        const Checkpoint io = open("mlp-io.h5");
        QCOMPARE(io.find("X")->info.shape, (Shape { 2, 20 }));
        QCOMPARE(io.find("Y")->info.shape, (Shape { 2, 10 }));
    }

    void demoCheckpointDescribesItsArchitecture()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("demo.h5")).toStdString();
        writeDemoCheckpoint(path);
        const Checkpoint c = openCheckpoint(path);
        const Mlp net = buildMlp(c);
        QCOMPARE(net.layers().size(), std::size_t(2));
        QCOMPARE(net.layers()[0].activation, Activation::ReLU);
        QCOMPARE(net.layers()[1].activation, Activation::Identity);
        QCOMPARE(net.inputs(), Eigen::Index(20));
        QCOMPARE(net.outputs(), Eigen::Index(10));
        const Eigen::MatrixXd y = runNetwork(net, toMatrix(readTensor(*c.find("X"))), /*float64=*/false);
        QVERIFY((y.array() == toMatrix(readTensor(*c.find("Y"))).array()).all());
    }

    void aChangedParameterIsDetected()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("demo.h5")).toStdString();
        writeDemoCheckpoint(path);
        const Checkpoint c = openCheckpoint(path);
        Mlp net = buildMlp(c);
        auto layers = net.layers();
        layers[0].bias[3] += 1.0; // a unit that is active for some input changes the output
        layers[0].weight.array() += 0.01;
        const Mlp changed(layers);
        const Eigen::MatrixXd x = toMatrix(readTensor(*c.find("X")));
        QVERIFY((changed.forward(x) - net.forward(x)).cwiseAbs().maxCoeff() > 1e-6);
    }

    void mlpForwardByHand()
    {
        DenseLayer l1 { "a", Eigen::MatrixXd { { 1, -1 }, { 2, 0 } }, Eigen::VectorXd { { 0.5, -10 } },
            Activation::ReLU };
        DenseLayer l2 { "b", Eigen::MatrixXd { { 1, 1 } }, Eigen::VectorXd { { 1 } }, Activation::Identity };
        const Mlp net({ l1, l2 });
        const Eigen::MatrixXd x { { 3, 1 } };
        // layer a: [3-1+0.5, 6-10] = [2.5, -4] -> relu [2.5, 0]; layer b: 2.5 + 0 + 1
        QCOMPARE(net.forward(x)(0, 0), 3.5);
    }

    void mismatchedChainIsRejected()
    {
        DenseLayer l1 { "a", Eigen::MatrixXd::Zero(3, 2), Eigen::VectorXd::Zero(3), Activation::ReLU };
        DenseLayer l2 { "b", Eigen::MatrixXd::Zero(1, 4), Eigen::VectorXd::Zero(1), Activation::Identity };
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Mlp({ l1, l2 }));
    }

    void activations_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("input");
        QTest::addColumn<double>("output");
        QTest::newRow("relu") << "relu" << -2.0 << 0.0;
        QTest::newRow("tanh") << "tanh" << 0.5 << std::tanh(0.5);
        QTest::newRow("sigmoid") << "sigmoid" << 0.0 << 0.5;
        QTest::newRow("gelu") << "gelu" << 1.0 << 0.8413447460685429;
        QTest::newRow("identity") << "identity" << -7.0 << -7.0;
    }
    void activations()
    {
        QFETCH(QString, name);
        QFETCH(double, input);
        QFETCH(double, output);
        const auto a = activationFromName(name.toStdString());
        QVERIFY(a);
        Eigen::MatrixXd m { { input } };
        applyActivation(*a, m);
        QVERIFY(std::abs(m(0, 0) - output) < 1e-12);
    }
};

QTEST_GUILESS_MAIN(TestSeedWorkflow)
#include "tst_seedworkflow.moc"
