// The MXNet reader on real files written by MXNet 0.9.4 (legacy records), 0.11 (V1), 1.x (V2)
// and 1.7 numpy mode (V3) — values as listed in tests/data/real/SOURCES.md — and on byte-level
// fixtures (tests/data/mxnet/make_mxnet_fixtures.py) for every dtype and the error cases.
#include "base/CheckpointError.h"
#include "numerics/Convert.h"
#include "open/ReaderRegistry.h"
#include "tensor/CheckpointTree.h"
#include "tensor/TensorData.h"

#include <QTest>

#include <cmath>

using namespace ckpt;

namespace {
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
std::string real(const char* name)
{
    return std::string(CKPT_REAL_FIXTURES "/mxnet/") + name;
}
std::string fixture(const char* name)
{
    return std::string(CKPT_TEST_DATA "/mxnet/") + name;
}
} // namespace

class TestMxnetReader : public QObject {
    Q_OBJECT

private slots:
    void realFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<QString>("checked"); // a tensor to check
        QTest::addColumn<QString>("shape");
        QTest::addColumn<double>("first");
        QTest::addColumn<double>("sum");
        QTest::addColumn<QString>("encoding");
        QTest::newRow("npx.save x (V3)") << "x-file" << QStringList { "0" } << "0"
                                         << "(4)" << 0.0 << 6.0 << "V3";
        QTest::newRow("npx.save [x, y]") << "x-files" << QStringList { "0", "1" } << "1"
                                         << "(4)" << 0.0 << 0.0 << "V3";
        QTest::newRow("npx.save dict") << "mydict" << QStringList { "x", "y" } << "x"
                                       << "(4)" << 0.0 << 6.0 << "V3";
        QTest::newRow("gluon save_parameters (V3)")
            << "pratapwarrohit13_mlp.params"
            << QStringList { "hidden.weight", "hidden.bias", "output.weight", "output.bias" } << "hidden.weight"
            << "(256, 20)" << 0.020112 << -2.19704 << "V3";
        QTest::newRow("gluon save_params (V2)")
            << "wk738126046_mlp.params"
            << QStringList { "dense0_weight", "dense0_bias", "dense1_weight", "dense1_bias" } << "dense1_weight"
            << "(2, 10)" << 0.020381 << 0.249334 << "V2";
        QTest::newRow("nd.save list (V2)") << "test1.param" << QStringList { "0", "1" } << "0"
                                           << "(3)" << 1.0 << 3.0 << "V2";
        QTest::newRow("gluon conv net (V2)") << "LeNet.params"
                                             << QStringList { "0.weight", "0.bias", "2.weight", "2.bias", "4.weight",
                                                    "4.bias", "5.weight", "5.bias", "6.weight", "6.bias" }
                                             << "0.weight"
                                             << "(6, 1, 5, 5)" << std::nan("") << 0.741382 << "V2";
        QTest::newRow("module checkpoint (legacy, 0.9.4)")
            << "mymodel-1000.params"
            << QStringList { "arg:fc1_bias", "arg:M", "arg:fc2_weight", "arg:fc2_bias", "arg:fc1_weight" }
            << "arg:fc1_bias"
            << "(64)" << 0.008719 << std::nan("") << "legacy";
        QTest::newRow("module checkpoint (V1, 0.11)")
            << "mx_mlp-0015.params"
            << QStringList { "arg:fc1_weight", "arg:fc3_weight", "arg:fc1_bias", "arg:fc2_weight", "arg:fc2_bias",
                   "arg:fc3_bias" }
            << "arg:fc1_weight"
            << "(128, 784)" << std::nan("") << -374.268 << "V1";
        QTest::newRow("export (V3)") << "my_mlp-0000.params"
                                     << QStringList { "arg:dense3_weight", "arg:dense3_bias", "arg:dense4_weight",
                                            "arg:dense4_bias", "arg:dense5_weight", "arg:dense5_bias" }
                                     << "arg:dense5_weight"
                                     << "(2, 128)" << std::nan("") << 1.36447 << "V3";
    }

    void realFiles()
    {
        QFETCH(QString, file);
        QFETCH(QStringList, names);
        QFETCH(QString, checked);
        QFETCH(QString, shape);
        QFETCH(double, first);
        QFETCH(double, sum);
        QFETCH(QString, encoding);
        const Checkpoint c = openCheckpoint(real(file.toUtf8().constData()));
        QCOMPARE(c.format, std::string("MXNet"));
        QStringList actual;
        for (const auto& t : c.tensors)
            actual << QString::fromStdString(t.info.name);
        QCOMPARE(actual, names);
        const Tensor* t = c.find(checked.toStdString());
        QVERIFY(t);
        QCOMPARE(QString::fromStdString(shapeToString(t->info.shape)), shape);
        QCOMPARE(dtypeName(t->info.dtype), std::string_view("float32"));
        const auto values = valuesOf(*t);
        if (!std::isnan(first))
            QVERIFY2(std::abs(values.front() - first) < 5e-7, qPrintable(QString::number(values.front(), 'g', 9)));
        if (!std::isnan(sum))
            QVERIFY2(std::abs(sumOf(*t) - sum) < 1e-4 * std::max(1.0, std::abs(sum)),
                qPrintable(QString::number(sumOf(*t), 'g', 9)));
        QCOMPARE(c.metadata.at("__mxnet_encoding__").get<std::string>(), encoding.toStdString());
    }

    void argAndAuxPrefixesAreGroups()
    {
        const Checkpoint c = openCheckpoint(real("mx_mlp-0015.params"));
        const CheckpointTree tree(c);
        QCOMPARE(tree.root().children.size(), std::size_t(1));
        QCOMPARE(tree.root().children[0]->name, std::string("arg"));
        QCOMPARE(tree.root().children[0]->children.size(), std::size_t(6));
        QVERIFY(tree.find("arg:fc1_weight"));
    }

    void everyDtype()
    {
        const Checkpoint c = openCheckpoint(fixture("dtypes.params"));
        const std::vector<std::pair<std::string, std::vector<double>>> expected
            = { { "f32", { -2.5, -1.5, -0.5, 0.5, 1.5, 2.5 } }, { "f64", { 1e300, -2.0 } },
                  { "f16", { 0.5, 65504, -0.0 } }, { "u8", { 0, 255 } }, { "i32", { -7, 7 } }, { "i8", { -128, 127 } },
                  { "i64", { -1099511627776.0 } }, { "bool", { 1, 0 } }, { "i16", { -300 } }, { "u16", { 65535 } },
                  { "u32", { 4000000000.0 } }, { "u64", { 1125899906842624.0 } }, { "empty", {} } };
        QCOMPARE(c.tensors.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(c.tensors[i].info.name, expected[i].first);
            QCOMPARE(valuesOf(c.tensors[i]), expected[i].second);
        }
        QCOMPARE(c.tensors[0].info.shape, (Shape { 2, 3 }));
        QCOMPARE(c.tensors.back().info.shape, (Shape { 0, 3 }));
        const Checkpoint s = openCheckpoint(fixture("scalar_v3.params"));
        QCOMPARE(s.tensors[0].info.shape, Shape {});
        QCOMPARE(valuesOf(s.tensors[0]), std::vector<double> { 3.5 });
        const Checkpoint n = openCheckpoint(fixture("none_v2.params"));
        QCOMPARE(n.tensors.size(), std::size_t(1));
        QCOMPARE(n.metadata.at("none").get<std::string>(), std::string("<uninitialised array>"));
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("error");
        QTest::newRow("row_sparse") << "row_sparse.params"
                                    << "unsupported storage type 1 (row_sparse): only dense arrays can be read";
        QTest::newRow("names") << "name_count_mismatch.params"
                               << "the file has 1 arrays but 2 names";
        QTest::newRow("truncated") << "truncated.params"
                                   << "(truncated?)";
    }

    void badFiles()
    {
        QFETCH(QString, file);
        QFETCH(QString, error);
        const std::string path = fixture(file.toUtf8().constData());
        try {
            openCheckpoint(path);
            QFAIL("opened");
        } catch (const CheckpointError& e) {
            QCOMPARE(e.file(), path);
            QVERIFY2(QString::fromUtf8(e.what()).contains(error), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestMxnetReader)
#include "tst_mxnetreader.moc"
