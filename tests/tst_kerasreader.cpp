// Keras 3 files: `.weights.h5` (layers/<object>/vars/<i>) and `.keras` archives, named from the
// config as Keras names them. Real files (tests/data/real/keras-h5, values read with h5py) and
// fixtures in the Keras 3 layout (tests/data/keras3/make_keras3_fixtures.py).
#include "base/CheckpointError.h"
#include "formats/hdf5/Keras3Names.h"
#include "model/MlpBuilder.h"
#include "numerics/Convert.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"
#include "verify/Verify.h"

#include <QtTest>

using namespace ckpt;

namespace {
std::string real(const char* name)
{
    return std::string(CKPT_REAL_FIXTURES) + "/keras-h5/" + name;
}
std::string fixture(const char* name)
{
    return std::string(CKPT_TEST_DATA) + "/keras3/" + name;
}

std::vector<double> valuesOf(const Tensor& t)
{
    const TensorData d = readTensor(t);
    std::vector<double> v(std::size_t(d.numel()));
    convertToDouble(d.dtype, d.bytes.data(), d.numel(), v.data());
    return v;
}
double sumOf(const Tensor& t)
{
    double s = 0;
    for (double v : valuesOf(t))
        s += v;
    return s;
}
QStringList namesOf(const Checkpoint& c)
{
    QStringList names;
    for (const auto& t : c.tensors)
        names << QString::fromStdString(t.info.name);
    return names;
}
const Tensor& tensor(const Checkpoint& c, const char* name)
{
    const Tensor* t = c.find(name);
    if (!t)
        throw std::runtime_error(std::string("no tensor ") + name);
    return *t;
}
} // namespace

class TestKerasReader : public QObject {
    Q_OBJECT
private slots:
    void snakeCase_data()
    {
        QTest::addColumn<QString>("className");
        QTest::addColumn<QString>("object");
        QTest::newRow("Dense") << "Dense"
                               << "dense";
        QTest::newRow("Conv2D") << "Conv2D"
                                << "conv2d";
        QTest::newRow("BatchNormalization") << "BatchNormalization"
                                            << "batch_normalization";
        QTest::newRow("Conv2DTranspose") << "Conv2DTranspose"
                                         << "conv2d_transpose";
        QTest::newRow("LSTMCell") << "LSTMCell"
                                  << "lstm_cell";
        QTest::newRow("PReLU") << "PReLU"
                               << "p_re_lu";
    }
    void snakeCase()
    {
        QFETCH(QString, className);
        QFETCH(QString, object);
        QCOMPARE(QString::fromStdString(kerasSnakeCase(className.toStdString())), object);
    }

    void realWeightsH5()
    {
        // Keras 3 save_weights of Dense(12) → Dense(8) → Dense(1), Adam, 5850 steps.
        const Checkpoint c = openCheckpoint(real("model.weights.h5"));
        QCOMPARE(c.format, std::string("Keras 3 weights (HDF5)"));
        QCOMPARE(namesOf(c).mid(0, 10),
            QStringList({ "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias", "dense_2/kernel",
                "dense_2/bias", "optimizer/iterations", "optimizer/learning_rate", "optimizer/dense/kernel/momentum",
                "optimizer/dense/kernel/velocity" }));
        QCOMPARE(c.tensors.size(), std::size_t(20));
        QCOMPARE(namesOf(c).last(), QString("optimizer/dense_2/bias/velocity"));
        const Tensor& kernel = tensor(c, "dense/kernel");
        QCOMPARE(kernel.info.shape, (Shape { 8, 12 }));
        const auto v = valuesOf(kernel);
        QCOMPARE(float(v[0]), 0.10946106165647507f);
        QCOMPARE(float(v[1]), 0.2511352598667145f);
        QCOMPARE(float(v[2]), -0.36909252405166626f);
        QVERIFY(std::abs(sumOf(kernel) - 5.368934154510498) < 1e-5);
        QCOMPARE(valuesOf(tensor(c, "dense_2/bias")), std::vector<double> { double(-0.7072210311889648f) });
        QCOMPARE(tensor(c, "optimizer/iterations").info.dtype, DType::Int64);
        QCOMPARE(valuesOf(tensor(c, "optimizer/iterations")), std::vector<double> { 5850 });
        QCOMPARE(valuesOf(tensor(c, "optimizer/dense_2/bias/velocity")),
            std::vector<double> { double(0.01922881044447422f) });
        QCOMPARE(c.metadata["dense_1/class_name"], nlohmann::ordered_json("Dense"));
    }

    void realKerasArchive()
    {
        // Keras 2.15 model.save('my_model.keras'): Functional Input(32) → Dense(1) named dense_6.
        const Checkpoint c = openCheckpoint(real("my_model.keras"));
        QCOMPARE(c.format, std::string("Keras archive (.keras)"));
        QCOMPARE(namesOf(c),
            QStringList({ "dense_6/kernel", "dense_6/bias", "metrics/mean/vars/0", "metrics/mean/vars/1",
                "optimizer/iterations", "optimizer/dense_6/kernel/momentum", "optimizer/dense_6/kernel/velocity",
                "optimizer/dense_6/bias/momentum", "optimizer/dense_6/bias/velocity" }));
        const auto v = valuesOf(tensor(c, "dense_6/kernel"));
        QCOMPARE(v.size(), std::size_t(32));
        QCOMPARE(float(v[0]), -0.18601103127002716f);
        QCOMPARE(float(v[2]), -0.17553073167800903f);
        QVERIFY(std::abs(sumOf(tensor(c, "dense_6/kernel")) + 0.22349897027015686) < 1e-5);
        QCOMPARE(valuesOf(tensor(c, "optimizer/iterations")), std::vector<double> { 4 });
        QCOMPARE(c.metadata["metadata.json/keras_version"], nlohmann::ordered_json("2.15.0"));
        QCOMPARE(c.metadata["config.json/class_name"], nlohmann::ordered_json("Functional"));
        QCOMPARE(c.path, real("my_model.keras"));
    }

    void keras2FilesKeepTheirLayout()
    {
        QCOMPARE(openCheckpoint(real("iris_weights.h5")).format, std::string("Keras HDF5"));
        QCOMPARE(openCheckpoint(real("xor_model.h5")).format, std::string("Keras HDF5"));
    }

    void archiveNamesFromConfig()
    {
        const Checkpoint c = openCheckpoint(fixture("convnet.keras"));
        QCOMPARE(namesOf(c).mid(0, 11),
            QStringList({ "conv/kernel", "conv/bias", "bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance",
                "features/kernel", "logits/kernel", "logits/bias", "optimizer/iterations",
                "optimizer/learning_rate" }));
        QCOMPARE(tensor(c, "conv/kernel").info.shape, (Shape { 3, 3, 1, 2 }));
        QCOMPARE(valuesOf(tensor(c, "conv/kernel"))[5], double(5 * 0.01f));
        QCOMPARE(valuesOf(tensor(c, "bn/moving_variance")), (std::vector<double> { 1.0, double(0.3f + 1.0f) }));
        // slots: per trainable variable (moving statistics are not trainable) momentum then velocity
        QCOMPARE(valuesOf(tensor(c, "optimizer/bn/beta/velocity")),
            (std::vector<double> { double(0.004f), double(0.004f) }));
        QCOMPARE(valuesOf(tensor(c, "optimizer/logits/bias/momentum"))[0], double(0.07f));
        QVERIFY(!c.find("features/bias"));
    }

    void weightsWithoutConfigNameWhatTheyCan()
    {
        // No config: classes from object names, layer names from the `name` attributes; the
        // optimizer slots cannot be matched to variables without the model order, so keep indices.
        const Checkpoint c = openCheckpoint(fixture("convnet.weights.h5"));
        const QStringList names = namesOf(c);
        for (const char* n : { "bn/gamma", "bn/moving_variance", "conv/kernel", "conv/bias", "features/kernel",
                 "logits/bias", "optimizer/vars/0", "optimizer/vars/15" })
            QVERIFY2(names.contains(n), n);
        QCOMPARE(names.indexOf("optimizer/vars/2") + 8, names.indexOf("optimizer/vars/10")); // natural order
    }

    void rebuildsAndVerifiesDenseNetwork()
    {
        const Checkpoint c = openCheckpoint(fixture("mlp.keras"));
        const Mlp mlp = buildMlp(c);
        QCOMPARE(mlp.layers().size(), std::size_t(2));
        QCOMPARE(mlp.layers()[0].weight.rows(), Eigen::Index(8)); // (out, in): the (in, out) kernel transposed
        const Checkpoint io = openCheckpoint(fixture("mlp_io.npz"));
        const VerifyResult r = verifyAgainstOutputs(mlp, readMatrix(io, "X"), readMatrix(io, "Y"), VerifyOptions {});
        QVERIFY(r.comparison.match);
        QCOMPARE(r.comparison.compared, std::int64_t(15));
    }

    void brokenArchives_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("error");
        QTest::newRow("no weights") << "no_weights.keras"
                                    << "zip archive has no model.weights.h5 (not a .keras file)";
        QTest::newRow("truncated weights") << "truncated_weights.keras"
                                           << "model.weights.h5: not a readable HDF5 file (truncated or corrupt)";
    }
    void brokenArchives()
    {
        QFETCH(QString, file);
        QFETCH(QString, error);
        const std::string path = fixture(file.toUtf8().constData());
        try {
            openCheckpoint(path);
            QFAIL("opened");
        } catch (const CheckpointError& e) {
            QVERIFY2(QString::fromStdString(e.what()).startsWith(QString::fromStdString(path) + ": "), e.what());
            QVERIFY2(QString::fromStdString(e.reason()).contains(error), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestKerasReader)
#include "tst_kerasreader.moc"
