// Our native HDF5 writer and reader: every dtype, names with dots and slashes, compression,
// atomic writes.
#include "base/CheckpointError.h"
#include "formats/hdf5/Hdf5Writer.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <QtTest>

#include <QTemporaryDir>

#include <random>

using namespace ckpt;

namespace {
// Deterministic bytes for any dtype; bool gets 0/1.
TensorData patterned(DType dtype, Shape shape, unsigned seed)
{
    TensorData d { dtype, shape, {} };
    d.bytes.resize(static_cast<std::size_t>(d.numel()) * dtypeSize(dtype));
    std::mt19937 rng(seed);
    for (auto& b : d.bytes)
        b = std::byte(rng() & 0xff);
    if (dtype == DType::Bool)
        for (auto& b : d.bytes)
            b = std::byte(static_cast<unsigned>(b) & 1);
    return d;
}
} // namespace

class TestHdf5RoundTrip : public QObject {
    Q_OBJECT
private slots:
    void everyDtype_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<bool>("compress");
        for (DType t : kAllDTypes) {
            QTest::addRow("%s", std::string(dtypeName(t)).c_str()) << int(t) << false;
            QTest::addRow("%s gzip", std::string(dtypeName(t)).c_str()) << int(t) << true;
        }
    }
    void everyDtype()
    {
        QFETCH(int, dtype);
        QFETCH(bool, compress);
        const DType t = static_cast<DType>(dtype);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("rt.h5")).toStdString();
        const TensorData matrix = patterned(t, { 7, 5 }, 1);
        const TensorData scalar = patterned(t, {}, 2);
        const TensorData empty = patterned(t, { 0, 3 }, 3);
        {
            Hdf5Writer w(path, { .compress = compress });
            w.addTensor(makeMemoryTensor("layer.weight", matrix));
            w.addTensor(makeMemoryTensor("scalar", scalar));
            w.addTensor(makeMemoryTensor("empty", empty));
            w.commit();
        }
        const Checkpoint c = openCheckpoint(path);
        QCOMPARE(c.tensors.size(), std::size_t(3));
        QCOMPARE(c.tensors[0].info.name, std::string("layer.weight"));
        QCOMPARE(c.tensors[0].info.dtype, t);
        QCOMPARE(c.tensors[0].info.shape, (Shape { 7, 5 }));
        QVERIFY(readTensor(c.tensors[0]).bytes == matrix.bytes); // bit-exact, NaN payloads included
        QCOMPARE(c.tensors[1].info.shape, Shape {});
        QVERIFY(readTensor(c.tensors[1]).bytes == scalar.bytes);
        QCOMPARE(c.tensors[2].info.shape, (Shape { 0, 3 }));
    }

    void namesRoundTrip_data()
    {
        QTest::addColumn<QStringList>("names");
        QTest::newRow("torch") << QStringList { QStringLiteral("hidden.weight"), QStringLiteral("hidden.bias"),
            QStringLiteral("output.weight") };
        QTest::newRow("keras") << QStringList { QStringLiteral("dense/dense/kernel:0"),
            QStringLiteral("dense/dense/bias:0") };
        QTest::newRow("mixed separators")
            << QStringList { QStringLiteral("a.b/c"), QStringLiteral("a/b.c"), QStringLiteral("a..b") };
        QTest::newRow("tensor and group of same name")
            << QStringList { QStringLiteral("a"), QStringLiteral("a.b"), QStringLiteral("a.b.c") };
        QTest::newRow("odd") << QStringList { QStringLiteral("."), QStringLiteral("/lead"), QStringLiteral("trail/"),
            QStringLiteral("x y") };
    }
    void namesRoundTrip()
    {
        QFETCH(QStringList, names);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("names.h5")).toStdString();
        {
            Hdf5Writer w(path);
            int i = 0;
            for (const auto& n : names)
                w.addTensor(
                    makeMemoryTensor(n.toStdString(), makeTensorData<float>(DType::Float32, { 1 }, { float(i++) })));
            w.commit();
        }
        const Checkpoint c = openCheckpoint(path);
        QCOMPARE(int(c.tensors.size()), names.size());
        for (int i = 0; i < names.size(); ++i) {
            QCOMPARE(QString::fromStdString(c.tensors[std::size_t(i)].info.name), names[i]); // written order kept
            QCOMPARE(readTensor(c.tensors[std::size_t(i)]).as<float>()[0], float(i));
        }
    }

    void rootAttributes()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("attrs.h5")).toStdString();
        Hdf5Writer w(path);
        w.setAttribute("note", "hello");
        w.setAttribute("epoch", 3);
        w.commit();
        const Checkpoint c = openCheckpoint(path);
        QCOMPARE(c.format, std::string("HDF5 (ckptview)"));
        QCOMPARE(c.metadata["ckpt_format"].get<std::string>(), std::string("ckptview"));
        QCOMPARE(c.metadata["ckpt_format_version"].get<int>(), 1);
        QVERIFY(c.metadata["writer"].get<std::string>().rfind("ckptview", 0) == 0);
        QCOMPARE(c.metadata["note"].get<std::string>(), std::string("hello"));
        QCOMPARE(c.metadata["epoch"].get<int>(), 3);
    }

    void largeTensorIsStreamedInBlocks()
    {
        // 3 x 4M float32 = 48 MiB, more than one 32 MiB block.
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("big.h5")).toStdString();
        std::vector<float> v(3 * (1 << 22));
        for (std::size_t i = 0; i < v.size(); ++i)
            v[i] = float(i % 1000);
        {
            Hdf5Writer w(path, { .compress = true });
            w.addTensor(makeMemoryTensor("big", makeTensorData(DType::Float32, { 3, 1 << 22 }, v)));
            w.commit();
        }
        const Checkpoint c = openCheckpoint(path);
        const auto box = readBox(c.tensors[0], { 2, 4000000 }, { 1, 3 });
        QCOMPARE(box.as<float>()[0], float((2 * (1 << 22) + 4000000) % 1000));
        QCOMPARE(box.as<float>()[2], float((2 * (1 << 22) + 4000002) % 1000));
    }

    void existingFileNeedsOverwrite()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("keep.h5"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("precious");
        f.close();
        QVERIFY_THROWS_EXCEPTION(CheckpointError, Hdf5Writer(path.toStdString()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("precious"));
        f.close();
        Hdf5Writer w(path.toStdString(), { .overwrite = true });
        w.addTensor(makeMemoryTensor("x", makeTensorData<float>(DType::Float32, { 1 }, { 1 })));
        w.commit();
        QCOMPARE(openCheckpoint(path.toStdString()).tensors.size(), std::size_t(1));
    }

    void uncommittedWriteLeavesNothing()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("never.h5")).toStdString();
        {
            Hdf5Writer w(path);
            w.addTensor(makeMemoryTensor("x", makeTensorData<float>(DType::Float32, { 1 }, { 1 })));
        } // destroyed without commit, as on an error
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
    }

    void refusesToWriteOverItsSource()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("src.h5")).toStdString();
        {
            Hdf5Writer w(path);
            w.commit();
        }
        QVERIFY_THROWS_EXCEPTION(CheckpointError, Hdf5Writer(path, { .overwrite = true, .sources = { path } }));
    }
};

QTEST_GUILESS_MAIN(TestHdf5RoundTrip)
#include "tst_hdf5roundtrip.moc"
