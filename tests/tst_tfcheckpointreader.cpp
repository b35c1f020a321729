// The TensorFlow checkpoint bundle reader on real files written by tf.train.Saver (TF1),
// tf.train.Checkpoint and Keras save_weights (TF2) — values as listed in
// tests/data/real/SOURCES.md — and on byte-level fixtures (tests/data/tfcheckpoint/
// make_tf_fixtures.py): every dtype, two shards, big-endian data, a multi-block index, Keras
// dense networks that `ckpt verify` rebuilds, and corrupt data.
#include "base/CheckpointError.h"
#include "codec/Crc32c.h"
#include "formats/tfcheckpoint/BundleFiles.h"
#include "formats/tfcheckpoint/SSTable.h"
#include "model/DenseLayerFinder.h"
#include "model/MlpBuilder.h"
#include "numerics/Convert.h"
#include "open/ReaderRegistry.h"
#include "tensor/CheckpointTree.h"
#include "tensor/TensorData.h"
#include "verify/Verify.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <filesystem>
#include <fstream>

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
std::string real(const QString& name)
{
    return (QStringLiteral(CKPT_REAL_FIXTURES "/tf-checkpoint/") + name).toStdString();
}
std::string fixture(const QString& name)
{
    return (QStringLiteral(CKPT_TEST_DATA "/tfcheckpoint/") + name).toStdString();
}

QStringList namesOf(const Checkpoint& c)
{
    QStringList names;
    for (const auto& t : c.tensors)
        names << QString::fromStdString(t.info.name);
    return names;
}

std::vector<std::uint8_t> fileBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return { std::istreambuf_iterator<char>(in), {} };
}

void writeBytes(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// Copies fixture bundle `prefix` into dir; returns the copy's prefix.
std::string copyBundle(const QTemporaryDir& dir, const std::string& prefix, bool withData = true)
{
    const std::string to = dir.filePath("b").toStdString();
    std::filesystem::copy_file(fixture(QString::fromStdString(prefix + ".index")), to + ".index");
    if (withData)
        std::filesystem::copy_file(
            fixture(QString::fromStdString(prefix + ".data-00000-of-00001")), to + ".data-00000-of-00001");
    return to;
}

struct CliRun {
    int exitCode = -1;
    QString out, err;
};

CliRun ckptCli(const QStringList& args)
{
    QProcess p;
    p.setWorkingDirectory(CKPT_TEST_DATA "/tfcheckpoint");
    p.start(CKPT_BINARY_DIR "/app/ckpt", args);
    p.waitForFinished(60000);
    return { p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()) };
}
} // namespace

class TestTfCheckpointReader : public QObject {
    Q_OBJECT

private slots:
    void crc32cKnownValues()
    {
        QCOMPARE(crc32c("123456789", 9), 0xE3069283u);
        QCOMPARE(crc32c("", 0), 0u);
        const std::string zeros(32, '\0');
        QCOMPARE(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu); // RFC 3720 B.4
        QCOMPARE(crc32cExtend(crc32c("1234", 4), "56789", 5), 0xE3069283u);
        for (std::uint32_t v : { 0u, 1u, 0xE3069283u, 0xFFFFFFFFu })
            QCOMPARE(crc32cUnmask(crc32cMask(v)), v);
        QCOMPARE(crc32cMask(0), 0xa282ead8u); // what TF stores for an empty tensor
    }

    void realFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("tensorCount");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QList<double>>("first");
        QTest::addColumn<double>("sum"); // NaN: not listed in SOURCES.md
        const double none = std::nan("");
        QTest::newRow("keras save_weights, kernel-0")
            << "oubaaid_my_checkpoint.index" << 20 << "layer_with_weights-0/kernel"
            << "(8, 8)" << QList<double> { 0.259713, 0.425804, -0.269002 } << none;
        QTest::newRow("keras save_weights, bias-2")
            << "oubaaid_my_checkpoint.index" << 20 << "layer_with_weights-2/bias"
            << "(1)" << QList<double> { 0.0048 } << 0.0048;
        QTest::newRow("keras save_weights, iterations")
            << "oubaaid_my_checkpoint.index" << 20 << "optimizer/_iterations"
            << "()" << QList<double> { 4800 } << 4800.0;
        QTest::newRow("keras save_weights, learning rate")
            << "oubaaid_my_checkpoint.index" << 20 << "optimizer/_learning_rate"
            << "()" << QList<double> { 1e-6 } << 1e-6;
        QTest::newRow("tf.train.Checkpoint, identity")
            << "Bruce-Ch_my_checkpoint.index" << 2 << "model/first/w"
            << "(3, 3)" << QList<double> { 1, 0, 0, 0, 1, 0, 0, 0, 1 } << 3.0;
        QTest::newRow("tf.train.Checkpoint, vector") << "Bruce-Ch_my_checkpoint.index" << 2 << "model/second/w"
                                                     << "(3)" << QList<double> { -3.14, -2.31, 2.16 } << -3.29;
        QTest::newRow("Saver, Variable") << "MattChubb_model.ckpt.index" << 34 << "Variable"
                                         << "(8, 100)" << QList<double> { -0.702848, 0.75105, 0.993627 } << 10.6796;
        QTest::newRow("Saver, offset variable") << "MattChubb_model.ckpt.index" << 34 << "Variable_10"
                                                << "(1)" << QList<double> { 0.0 } << 0.0;
        QTest::newRow("Saver, scale variable") << "MattChubb_model.ckpt.index" << 34 << "Variable_11"
                                               << "(1)" << QList<double> { 1.0 } << 1.0;
        QTest::newRow("Saver, Adam slot") << "MattChubb_model.ckpt.index" << 34 << "Variable_9/Adam_1"
                                          << "(1)" << QList<double> {} << none;
        QTest::newRow("MNIST, Variable") << "AlZi-88_model.ckpt.index" << 4 << "Variable"
                                         << "(784, 256)" << QList<double> { 0.371887, 1.779408, -0.05606 } << -3081.66;
        QTest::newRow("MNIST, Variable_3") << "AlZi-88_model.ckpt.index" << 4 << "Variable_3"
                                           << "(10)" << QList<double> { -0.736691, -0.039369, -1.445028 } << none;
        QTest::newRow("opened by prefix") << "AlZi-88_model.ckpt" << 4 << "Variable_1"
                                          << "(256, 10)" << QList<double> {} << none;
        QTest::newRow("opened by data shard") << "Bruce-Ch_my_checkpoint.data-00000-of-00001" << 2 << "model/second/w"
                                              << "(3)" << QList<double> { -3.14, -2.31, 2.16 } << none;
    }

    void realFiles()
    {
        QFETCH(QString, file);
        QFETCH(int, tensorCount);
        QFETCH(QString, name);
        QFETCH(QString, shape);
        QFETCH(QList<double>, first);
        QFETCH(double, sum);
        const Checkpoint c = openCheckpoint(real(file));
        QCOMPARE(c.format, std::string("TensorFlow checkpoint"));
        QVERIFY2(c.path.ends_with(".index"), c.path.c_str());
        QCOMPARE(int(c.tensors.size()), tensorCount);
        const Tensor* t = c.find(name.toStdString());
        QVERIFY2(t, qPrintable(name));
        QCOMPARE(QString::fromStdString(shapeToString(t->info.shape)), shape);
        const auto v = valuesOf(*t);
        for (qsizetype i = 0; i < first.size(); ++i)
            QVERIFY2(std::abs(v[std::size_t(i)] - first[i]) <= 1e-6 * std::max(1.0, std::abs(first[i])),
                qPrintable(QString("element %1 is %2, expected %3").arg(i).arg(v[std::size_t(i)]).arg(first[i])));
        if (!std::isnan(sum))
            QVERIFY2(std::abs(sumOf(*t) - sum) <= 0.01, qPrintable(QString::number(sumOf(*t))));
    }

    void realFileNamesAndMetadata()
    {
        const Checkpoint keras = openCheckpoint(real("oubaaid_my_checkpoint.index"));
        QStringList expected { "layer_with_weights-0/bias", "layer_with_weights-0/kernel", "layer_with_weights-1/bias",
            "layer_with_weights-1/kernel", "layer_with_weights-2/bias", "layer_with_weights-2/kernel",
            "optimizer/_iterations", "optimizer/_learning_rate" };
        for (const char* n : { "1", "10", "11", "12", "2", "3", "4", "5", "6", "7", "8", "9" })
            expected << QString("optimizer/_variables/") + n;
        QCOMPARE(namesOf(keras), expected);
        QCOMPARE(keras.find("optimizer/_iterations")->info.dtype, DType::Int64);
        QCOMPARE(keras.metadata.at("_CHECKPOINTABLE_OBJECT_GRAPH").get<std::string>(),
            std::string("<string tensor (), 2537 bytes>"));
        QCOMPARE(keras.metadata.at("layer_with_weights-1/kernel/key").get<std::string>(),
            std::string("layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE"));
        QCOMPARE(keras.metadata.at("__tf_bundle__/num_shards").get<int>(), 1);
        QCOMPARE(keras.metadata.at("__tf_bundle__/endianness").get<std::string>(), std::string("little"));
        QCOMPARE(keras.find("layer_with_weights-0/kernel")->info.location,
            std::string("oubaaid_my_checkpoint.data-00000-of-00001, offset 0"));
        QCOMPARE(keras.find("layer_with_weights-1/kernel")->info.location,
            std::string("oubaaid_my_checkpoint.data-00000-of-00001, offset 288"));

        const Checkpoint saver = openCheckpoint(real("MattChubb_model.ckpt.index"));
        QCOMPARE(
            namesOf(saver).mid(0, 4), (QStringList { "Variable", "Variable/Adam", "Variable/Adam_1", "Variable_1" }));
        QCOMPARE(namesOf(saver).mid(32), (QStringList { "beta1_power", "beta2_power" }));
        QVERIFY(!saver.metadata.contains("Variable/key")); // TF1 names are shown as they are

        const Checkpoint mnist = openCheckpoint(real("AlZi-88_model.ckpt.index"));
        QCOMPARE(namesOf(mnist), (QStringList { "Variable", "Variable_1", "Variable_2", "Variable_3" }));
    }

    // Every tensor of every bundle reads in full, which checks its crc32c.
    void everyTensorMatchesItsChecksum_data()
    {
        QTest::addColumn<QString>("path");
        for (const char* f : { "oubaaid_my_checkpoint.index", "Bruce-Ch_my_checkpoint.index",
                 "MattChubb_model.ckpt.index", "AlZi-88_model.ckpt.index" })
            QTest::newRow(f) << QString::fromStdString(real(f));
        for (const char* f : { "dtypes.index", "bigendian.index", "deep.index", "mlp.params.index" })
            QTest::newRow(f) << QString::fromStdString(fixture(f));
    }

    void everyTensorMatchesItsChecksum()
    {
        QFETCH(QString, path);
        const Checkpoint c = openCheckpoint(path.toStdString());
        QVERIFY(!c.tensors.empty());
        for (const auto& t : c.tensors) {
            const TensorData d = readTensor(t);
            QCOMPARE(std::int64_t(d.bytes.size()), t.info.nbytes());
        }
    }

    void keyNamesMakeATree()
    {
        const Checkpoint c = openCheckpoint(real("oubaaid_my_checkpoint.index"));
        const CheckpointTree tree(c);
        const TreeNode* layer = tree.root().child("layer_with_weights-0");
        QVERIFY(layer);
        QCOMPARE(layer->children.size(), std::size_t(2));
        const TreeNode* kernel = layer->child("kernel");
        QVERIFY(kernel && kernel->isTensor());
        QVERIFY(kernel->children.empty());
        QCOMPARE(layer->parameterCount, 72);
        const TreeNode* optimizerSlots = tree.find("optimizer/_variables");
        QVERIFY(optimizerSlots);
        QCOMPARE(optimizerSlots->children.size(), std::size_t(12));

        const Checkpoint deep = openCheckpoint(fixture("deep.index"));
        const CheckpointTree deepTree(deep);
        const TreeNode* deepKernel = deepTree.find("layer_with_weights-3/kernel");
        QVERIFY(deepKernel && deepKernel->isTensor());
        // The slots hang under a group "kernel" beside the tensor "kernel".
        const TreeNode* slot = nullptr;
        int kernelGroups = 0;
        for (const auto& n : deepKernel->parent->children)
            if (n->name == "kernel" && !n->isTensor()) {
                slot = n->child("OPTIMIZER_SLOT");
                ++kernelGroups;
            }
        QCOMPARE(kernelGroups, 1);
        QVERIFY(slot && slot->child("optimizer"));
        QCOMPARE(slot->child("optimizer")->children.size(), std::size_t(2));
        QVERIFY(slot->child("optimizer")->child("m") && slot->child("optimizer")->child("m")->isTensor());
    }

    void dtypes_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QStringList>("values");
        QTest::newRow("float32 scalar") << "float32_scalar"
                                        << "float32"
                                        << "()" << QStringList { "-1.5" };
        QTest::newRow("float64") << "float64"
                                 << "float64"
                                 << "(2, 2)" << QStringList { "0.3333333333333333", "-2.5", "1e+300", "-1e-300" };
        QTest::newRow("float16") << "float16"
                                 << "float16"
                                 << "(2, 3)" << QStringList { "0.5", "-1.25", "2", "65504", "-0", "6.1035156e-05" };
        QTest::newRow("bfloat16") << "bfloat16"
                                  << "bfloat16"
                                  << "(4)" << QStringList { "1", "-2.5", "3.140625", "256" };
        QTest::newRow("int8") << "int8"
                              << "int8"
                              << "(3)" << QStringList { "-128", "0", "127" };
        QTest::newRow("int16") << "int16"
                               << "int16"
                               << "(3)" << QStringList { "-32768", "1", "32767" };
        QTest::newRow("int32") << "int32"
                               << "int32"
                               << "(2, 2)" << QStringList { "-2147483648", "2", "3", "2147483647" };
        QTest::newRow("int64") << "int64"
                               << "int64"
                               << "(4)" << QStringList { "-1099511627776", "0", "7", "4611686018427387904" };
        QTest::newRow("uint8") << "uint8"
                               << "uint8"
                               << "(3)" << QStringList { "0", "200", "255" };
        QTest::newRow("uint16") << "uint16"
                                << "uint16"
                                << "(2)" << QStringList { "0", "65535" };
        QTest::newRow("uint32") << "uint32"
                                << "uint32"
                                << "(2)" << QStringList { "4000000000", "1" };
        QTest::newRow("uint64") << "uint64"
                                << "uint64"
                                << "(2)" << QStringList { "18446744073709551615", "5" };
        QTest::newRow("bool") << "bool"
                              << "bool"
                              << "(3)" << QStringList { "true", "false", "true" };
        QTest::newRow("complex64") << "complex64"
                                   << "complex64"
                                   << "(2)" << QStringList { "1+2j", "-3.5-0.25j" };
        QTest::newRow("complex128") << "complex128"
                                    << "complex128"
                                    << "(1, 1)" << QStringList { "0.5-1j" };
        QTest::newRow("empty") << "empty"
                               << "float32"
                               << "(0, 3)" << QStringList {};
    }

    void dtypes()
    {
        QFETCH(QString, name);
        QFETCH(QString, dtype);
        QFETCH(QString, shape);
        QFETCH(QStringList, values);
        const Checkpoint c = openCheckpoint(fixture("dtypes"));
        const Tensor* t = c.find(name.toStdString());
        QVERIFY(t);
        QCOMPARE(QString::fromStdString(std::string(dtypeName(t->info.dtype))), dtype);
        QCOMPARE(QString::fromStdString(shapeToString(t->info.shape)), shape);
        const TensorData d = readTensor(*t);
        QStringList got;
        for (std::int64_t i = 0; i < d.numel(); ++i)
            got << QString::fromStdString(
                elementToString(d.dtype, d.bytes.data() + i * std::int64_t(dtypeSize(d.dtype))));
        QVERIFY2(got == values, qPrintable(got.join(' ')));
    }

    void dtypesFixtureLayout()
    {
        const Checkpoint c = openCheckpoint(fixture("dtypes.index"));
        QCOMPARE(namesOf(c),
            (QStringList { "bfloat16", "bool", "complex128", "complex64", "empty", "float16", "float32_scalar",
                "float64", "int16", "int32", "int64", "int8", "uint16", "uint32", "uint64", "uint8" }));
        QCOMPARE(c.metadata.at("__tf_bundle__/num_shards").get<int>(), 2);
        QCOMPARE(c.find("float64")->info.location, std::string("dtypes.data-00001-of-00002, offset 0"));
        QCOMPARE(c.find("bfloat16")->info.location, std::string("dtypes.data-00001-of-00002, offset 32"));
        QCOMPARE(c.find("bool")->info.location, std::string("dtypes.data-00000-of-00002, offset 46"));
        QCOMPARE(c.metadata.at("_CHECKPOINTABLE_OBJECT_GRAPH").get<std::string>(),
            std::string("<string tensor (), 35 bytes>"));
        QCOMPARE(c.metadata.at("partitioned/kernel").get<std::string>(),
            std::string(
                "<partitioned variable, DT_FLOAT (4, 2) in 2 slices: partitioned variables are not supported>"));
        QCOMPARE(c.metadata.at("__tf_bundle__/slice_pieces").get<int>(), 2);
    }

    void partialReads()
    {
        const Checkpoint c = openCheckpoint(fixture("dtypes.index"));
        const Tensor& t = *c.find("int32");
        const TensorData box = readBox(t, { 1, 0 }, { 1, 2 });
        QCOMPARE(box.as<std::int32_t>()[0], 3);
        QCOMPARE(box.as<std::int32_t>()[1], 2147483647);
        std::int32_t two[2];
        t.data->readFlat(1, 2, reinterpret_cast<std::byte*>(two));
        QCOMPARE(two[0], 2);
        QCOMPARE(two[1], 3);
    }

    void bigEndianBundle()
    {
        const Checkpoint c = openCheckpoint(fixture("bigendian"));
        QCOMPARE(c.metadata.at("__tf_bundle__/endianness").get<std::string>(), std::string("big"));
        QCOMPARE(c.find("w")->info.byteOrder, ByteOrder::Big);
        QCOMPARE(valuesOf(*c.find("w")), (std::vector<double> { 1.5, -2.0, 3.25 }));
        QCOMPARE(valuesOf(*c.find("d")), (std::vector<double> { std::ldexp(1.0, -20), 1e10 }));
        QCOMPARE(valuesOf(*c.find("i")), (std::vector<double> { -2, 70000 }));
        QCOMPARE(valuesOf(*c.find("h")), (std::vector<double> { 1.0, -0.5 }));
        const TensorData part = readBox(*c.find("w"), { 0, 1 }, { 1, 2 });
        QCOMPARE(part.as<float>()[0], -2.0f);
        QCOMPARE(part.as<float>()[1], 3.25f);
    }

    void multiBlockIndex()
    {
        const auto bytes = fileBytes(fixture("deep.index"));
        const auto records = readSSTable(bytes);
        QCOMPARE(records.size(), std::size_t(1 + 12 * 6 + 4)); // header, 12 layers x 6, 3 scalars, object graph
        QCOMPARE(records.front().key, std::string());
        for (std::size_t i = 1; i < records.size(); ++i)
            QVERIFY(records[i - 1].key < records[i].key);

        const Checkpoint c = openCheckpoint(fixture("deep.index"));
        QCOMPARE(c.tensors.size(), std::size_t(75));
        QCOMPARE(c.tensors[0].info.name, std::string("layer_with_weights-0/bias"));
        QCOMPARE(c.tensors[12].info.name, std::string("layer_with_weights-10/bias"));
        QCOMPARE(c.tensors.back().info.name, std::string("save_counter"));
        for (int i = 0; i < 12; ++i) {
            const std::string slot = "layer_with_weights-" + std::to_string(i) + "/kernel/.OPTIMIZER_SLOT/optimizer/v";
            const Tensor* t = c.find(slot);
            QVERIFY2(t, slot.c_str());
            for (double v : valuesOf(*t))
                QCOMPARE(float(v), 0.001f * float(i + 1));
        }
        QCOMPARE(valuesOf(*c.find("optimizer/iter")), std::vector<double> { 4800 });
        QCOMPARE(c.metadata.at("_CHECKPOINTABLE_OBJECT_GRAPH").get<std::string>(),
            std::string("<string tensor (), 774 bytes>"));
    }

    void bundleFileNames()
    {
        QCOMPARE(bundlePrefix("dir/model.ckpt.index"), std::string("dir/model.ckpt"));
        QCOMPARE(bundlePrefix("weights"), std::string("weights"));
        QCOMPARE(bundleShardPath("m", 1, 12), std::string("m.data-00001-of-00012"));
        QCOMPARE(bundleIndexFor(fixture("mlp.params")).value_or("-"), fixture("mlp.params.index"));
        QCOMPARE(bundleIndexFor(fixture("dtypes.data-00001-of-00002")).value_or("-"), fixture("dtypes.index"));
        QVERIFY(!bundleIndexFor(fixture("dtypes.index")));
        QVERIFY(!bundleIndexFor(fixture("nothing-here")));
    }

    void corruptDataNamesTensorAndShard()
    {
        QTemporaryDir dir;
        const std::string prefix = copyBundle(dir, "mlp.params");
        auto data = fileBytes(prefix + ".data-00000-of-00001");
        data[20480 + 4] ^= 0x80; // the second element of layer_with_weights-0/bias, written after kernel-0
        writeBytes(prefix + ".data-00000-of-00001", data);
        const Checkpoint c = openCheckpoint(prefix);
        const Tensor& bias = *c.find("layer_with_weights-0/bias");
        try {
            (void)readTensor(bias);
            QFAIL("a corrupt tensor read without an error");
        } catch (const std::exception& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("crc32c mismatch for tensor 'layer_with_weights-0/bias' in data shard " + prefix
                         + ".data-00000-of-00001")
                    != std::string::npos,
                what.c_str());
        }
        // Parts are served unchecked; the other tensors are intact.
        QCOMPARE(readBox(bias, { 0 }, { 1 }).as<float>()[0],
            readTensor(*openCheckpoint(fixture("mlp.params")).find("layer_with_weights-0/bias")).as<float>()[0]);
        (void)readTensor(*c.find("layer_with_weights-0/kernel"));
    }

    void brokenBundles_data()
    {
        QTest::addColumn<int>("damage");
        QTest::addColumn<QString>("error");
        QTest::newRow("missing shard")
            << 0
            << "b.data-00000-of-00001 is missing (it holds 'layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE')";
        QTest::newRow("truncated shard") << 1 << "runs past the end of the shard";
        QTest::newRow("block checksum") << 2 << "data block at offset 0 (313 bytes) is corrupt: its checksum is";
        QTest::newRow("restart count") << 3 << "claims";
        QTest::newRow("footer magic") << 4 << "the table footer has no magic number";
    }

    void brokenBundles()
    {
        QFETCH(int, damage);
        QFETCH(QString, error);
        QTemporaryDir dir;
        const std::string prefix = copyBundle(dir, "mlp.params", damage != 0);
        auto index = fileBytes(prefix + ".index");
        if (damage == 1)
            std::filesystem::resize_file(prefix + ".data-00000-of-00001", 1000);
        if (damage == 2)
            index[40] ^= 1;
        if (damage == 3) { // the data block's restart count, just before its 5-byte trailer
            index[313 - 4] = 0xff;
            const std::uint32_t crc = crc32cMask(crc32cExtend(crc32c(index.data(), 313), "\0", 1));
            for (int i = 0; i < 4; ++i)
                index[313 + 1 + std::size_t(i)] = std::uint8_t(crc >> (8 * i));
        }
        if (damage == 4)
            index.back() ^= 1;
        writeBytes(prefix + ".index", index);
        try {
            (void)openCheckpoint(prefix);
            QFAIL("opened without an error");
        } catch (const CheckpointError& e) {
            QVERIFY2(QString(e.what()).contains(error), e.what());
        }
    }

    void denseLayersOfKerasBundles_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QStringList>("layers");
        QTest::addColumn<QList<qint64>>("widths");
        QTest::newRow("seed net") << "mlp.params" << QStringList { "layer_with_weights-0", "layer_with_weights-1" }
                                  << QList<qint64> { 20, 256, 10 };
        QStringList deep;
        for (int i = 0; i < 12; ++i)
            deep << QString("layer_with_weights-%1").arg(i);
        QTest::newRow("12 layers, numeric order")
            << "deep" << deep << QList<qint64> { 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2 };
        QTest::newRow("real keras") << QString::fromStdString(real("oubaaid_my_checkpoint"))
                                    << QStringList { "layer_with_weights-0", "layer_with_weights-1",
                                           "layer_with_weights-2" }
                                    << QList<qint64> { 8, 8, 5, 1 };
    }

    void denseLayersOfKerasBundles()
    {
        QFETCH(QString, path);
        QFETCH(QStringList, layers);
        QFETCH(QList<qint64>, widths);
        const Checkpoint c = openCheckpoint(path.startsWith('/') ? path.toStdString() : fixture(path));
        const auto refs = findDenseLayers(c);
        QStringList names;
        QList<qint64> found { refs.front().inputs };
        for (const auto& r : refs) {
            names << QString::fromStdString(r.name);
            found << r.outputs;
            QVERIFY(r.kernel);
            QCOMPARE(r.weight, r.name + "/kernel");
            QCOMPARE(r.bias, r.name + "/bias");
        }
        QCOMPARE(names, layers);
        QCOMPARE(found, widths);
    }

    void verifyMatchesReferenceOutputs_data()
    {
        QTest::addColumn<QString>("params");
        QTest::addColumn<QString>("io");
        QTest::newRow("seed net saved by save_weights") << "mlp.params" << CKPT_TEST_DATA "/verify/mlp-io.h5";
        QTest::newRow("deep keras net") << "deep" << CKPT_TEST_DATA "/tfcheckpoint/deep-io.npz";
    }

    void verifyMatchesReferenceOutputs()
    {
        QFETCH(QString, params);
        QFETCH(QString, io);
        const Checkpoint p = openCheckpoint(fixture(params));
        const Checkpoint xy = openCheckpoint(io.toStdString());
        const Mlp mlp = buildMlp(p, MlpBuildOptions {});
        const auto r = verifyAgainstOutputs(mlp, readMatrix(xy, "X"), readMatrix(xy, "Y"), VerifyOptions {});
        QVERIFY(r.comparison.compared > 0);
        QVERIFY(r.comparison.match);
        // A kernel read the wrong way round would not even chain; a wrong activation must not match.
        MlpBuildOptions tanh;
        tanh.hidden = Activation::Tanh;
        QVERIFY(!verifyAgainstOutputs(buildMlp(p, tanh), readMatrix(xy, "X"), readMatrix(xy, "Y"), VerifyOptions {})
                     .comparison.match);
    }

    void cliByPrefix()
    {
        const CliRun ls = ckptCli({ "ls", "mlp.params" });
        QCOMPARE(ls.exitCode, 0);
        QVERIFY2(ls.out.startsWith("mlp.params.index: TensorFlow checkpoint, 4 tensors, 7,946 parameters"),
            qPrintable(ls.out));
        QVERIFY(ls.out.contains("layer_with_weights-0/kernel  float32        (20, 256)"));
        const CliRun verify = ckptCli({ "verify", "deep", "--io", "deep-io.npz" });
        QCOMPARE(verify.exitCode, 0);
        QVERIFY2(verify.out.contains("layer_with_weights-11      4 -> 2      identity"), qPrintable(verify.out));
        QVERIFY(verify.out.trimmed().endsWith("match"));
        const CliRun seed = ckptCli({ "verify", "mlp.params", "--io", "../verify/mlp-io.h5" });
        QCOMPARE(seed.exitCode, 0);
        const CliRun missing = ckptCli({ "ls", "no-such-bundle" });
        QCOMPARE(missing.exitCode, 3);
    }
};

QTEST_GUILESS_MAIN(TestTfCheckpointReader)
#include "tst_tfcheckpointreader.moc"
