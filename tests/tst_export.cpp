// ckpt export: every output format from every kind of source, read back exactly; selection,
// renaming, dtype refusal and --cast; atomic output (no partial file, no overwrite, never onto
// the source, nothing left behind when the process is interrupted).
#include "base/CheckpointError.h"
#include "codec/ZipArchive.h"
#include "compare/Diff.h"
#include "export/Export.h"
#include "formats/hdf5/Hdf5Writer.h"
#include "io/ByteSource.h"
#include "numerics/Convert.h"
#include "numerics/Stats.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstring>
#include <fstream>

#include <sys/resource.h>

using namespace ckpt;

namespace {

std::string data(const char* relative)
{
    return std::string(CKPT_TEST_DATA "/") + relative;
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Every tensor of `expected` (after renaming) is in `actual`, with equal dtype, shape and bytes.
void compareExactly(const std::vector<Tensor>& expected, const Checkpoint& actual)
{
    QCOMPARE(actual.tensors.size(), expected.size());
    for (const auto& e : expected) {
        const Tensor* a = actual.find(e.info.name);
        QVERIFY2(a, e.info.name.c_str());
        QCOMPARE(dtypeName(a->info.dtype), dtypeName(e.info.dtype));
        QCOMPARE(a->info.shape, e.info.shape);
        QVERIFY2(readTensor(*a).bytes == readTensor(e).bytes, e.info.name.c_str());
    }
}

// Checks the safetensors rules byte by byte and returns name -> raw bytes.
std::map<std::string, std::pair<nlohmann::json, QByteArray>> parseSafetensors(const QString& path)
{
    const QByteArray bytes = readFile(path);
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.constData(), 8);
    if (n % 8 != 0 || 8 + n > std::uint64_t(bytes.size()))
        throw std::runtime_error("bad header length");
    const auto header = nlohmann::json::parse(std::string(bytes.constData() + 8, n));
    std::map<std::string, std::pair<nlohmann::json, QByteArray>> out;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__")
            continue;
        const auto begin = entry["data_offsets"][0].get<std::uint64_t>();
        const auto end = entry["data_offsets"][1].get<std::uint64_t>();
        ranges.emplace_back(begin, end);
        out[name] = { entry, bytes.mid(qsizetype(8 + n + begin), qsizetype(end - begin)) };
    }
    std::sort(ranges.begin(), ranges.end());
    std::uint64_t at = 0;
    for (const auto& [b, e] : ranges) {
        if (b != at)
            throw std::runtime_error("gap or overlap in data_offsets");
        at = e;
    }
    if (8 + n + at != std::uint64_t(bytes.size()))
        throw std::runtime_error("data does not end at the end of the file");
    return out;
}

int runCkpt(const QStringList& args, QByteArray* err = nullptr)
{
    QProcess p;
    p.start(CKPT_BINARY_DIR "/app/ckpt", args);
    p.waitForFinished(120000);
    if (err)
        *err = p.readAllStandardError();
    return p.exitCode();
}

} // namespace

class TestExport : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    QString out(const QString& name) const { return dir_.filePath(name); }

private slots:
    void everyFormatFromEverySource_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("extension");
        QTest::addColumn<bool>("cast");
        const char* sources[]
            = { "torch/dtypes.pt", "torch/train_checkpoint.pt", "torch/legacy_views.pt", "verify/mlp.npz",
                  "verify/mlp-keras.h5", "hdf5/h5py_mixed.h5", "real/mxnet/x-files", "real/pytorch/mlp.params" };
        for (const char* s : sources)
            for (const char* ext : { ".h5", ".safetensors", ".npz" })
                QTest::newRow((std::string(s) + " -> " + ext).c_str()) << QString(s) << QString(ext) << true;
    }

    void everyFormatFromEverySource()
    {
        QFETCH(QString, source);
        QFETCH(QString, extension);
        QFETCH(bool, cast);
        Checkpoint src;
        try {
            src = openCheckpoint(data(source.toUtf8().constData()));
        } catch (const CheckpointError& e) {
            QSKIP(qPrintable(QString("no reader for this source yet: ") + e.what()));
        }
        const QString target = out(QString(source).replace('/', '_') + extension);
        ExportOptions o;
        o.castToFloat32 = cast;
        o.overwrite = true;
        const std::string format(writerFor(target.toStdString()).name());
        // What the format can hold goes through unchanged; complex cannot go to safetensors.
        std::vector<Tensor> expected;
        for (const auto& t : src.tensors) {
            if (format == "safetensors" && isComplex(t.info.dtype))
                o.selection.exclude.push_back(t.info.name);
            else
                expected.push_back(t);
        }
        if (expected.empty())
            QSKIP("nothing this format can hold");
        exportCheckpoint(src, target.toStdString(), o);
        for (auto& t : expected) {
            const bool castHere = (format == "npz"
                && (t.info.dtype == DType::BFloat16 || t.info.dtype == DType::Float8E4M3FN
                    || t.info.dtype == DType::Float8E5M2));
            if (castHere)
                t = makeMemoryTensor(t.info.name, [&] {
                    const TensorData d = readTensor(t);
                    std::vector<double> v(std::size_t(d.numel()));
                    convertToDouble(d.dtype, d.bytes.data(), d.numel(), v.data());
                    std::vector<float> f(v.begin(), v.end());
                    return makeTensorData(DType::Float32, d.shape, f);
                }());
        }
        if (format == "safetensors") {
            const auto parsed = parseSafetensors(target);
            QCOMPARE(parsed.size(), expected.size());
            for (const auto& e : expected) {
                const auto it = parsed.find(e.info.name);
                QVERIFY2(it != parsed.end(), e.info.name.c_str());
                QCOMPARE(it->second.first["shape"].get<Shape>(), e.info.shape);
                const TensorData d = readTensor(e);
                QVERIFY2(it->second.second
                        == QByteArray(reinterpret_cast<const char*>(d.bytes.data()), qsizetype(d.bytes.size())),
                    e.info.name.c_str());
            }
            try {
                compareExactly(expected, openCheckpoint(target.toStdString())); // once the reader exists
            } catch (const CheckpointError& e) {
                QVERIFY2(std::string(e.what()).find("not a recognised") != std::string::npos, e.what());
            }
            return;
        }
        compareExactly(expected, openCheckpoint(target.toStdString()));
    }

    void selectStripAndRename()
    {
        const QString target = out("first_two.h5");
        QCOMPARE(
            runCkpt({ "export", QString::fromStdString(data("verify/deep-train.pth")), "-o", target, "--select",
                "model_state_dict.0.*", "--select", "model_state_dict.2.*", "--strip-prefix", "model_state_dict." }),
            0);
        const auto c = openCheckpoint(target.toStdString());
        std::vector<std::string> names;
        for (const auto& t : c.tensors)
            names.push_back(t.info.name);
        QCOMPARE(names, (std::vector<std::string> { "0.weight", "0.bias", "2.weight", "2.bias" }));

        ExportOptions o;
        o.selection.select = { "model_state_dict.*" };
        o.selection.exclude = { "*.bias" };
        o.selection.stripPrefix = "model_state_dict.";
        o.selection.addPrefix = "encoder/";
        const auto s
            = exportCheckpoint(openCheckpoint(data("verify/deep-train.pth")), out("renamed.npz").toStdString(), o);
        QCOMPARE(s.names,
            (std::vector<std::string> { "encoder/0.weight", "encoder/2.weight", "encoder/4.weight", "encoder/6.weight",
                "encoder/8.weight", "encoder/10.weight" }));
        QCOMPARE(openCheckpoint(out("renamed.npz").toStdString()).tensors.size(), std::size_t(6));
    }

    void exactNamesBesideGlobs()
    {
        // The app's checked tensors arrive as exact names; a glob character in a name is literal.
        Checkpoint c;
        c.path = "memory";
        c.tensors.push_back(
            makeMemoryTensor("w[0]", makeTensorData(DType::Float32, { 2 }, std::vector<float> { 1, 2 })));
        c.tensors.push_back(makeMemoryTensor("w0", makeTensorData(DType::Float32, { 1 }, std::vector<float> { 3 })));
        c.tensors.push_back(
            makeMemoryTensor("b", makeTensorData(DType::Int64, { 1 }, std::vector<std::int64_t> { 4 })));
        ExportSelection s;
        s.names = { "w[0]" };
        auto picked = selectTensors(c, s);
        QCOMPARE(picked.size(), std::size_t(1));
        QCOMPARE(picked[0].info.name, std::string("w[0]"));
        s.select = { "b" };
        picked = selectTensors(c, s);
        QCOMPARE(picked.size(), std::size_t(2));
        QCOMPARE(picked[0].info.name, std::string("w[0]"));
        QCOMPARE(picked[1].info.name, std::string("b"));
        s.exclude = { "w*" };
        QCOMPARE(selectTensors(c, s).size(), std::size_t(1));
    }

    void cancelLeavesNothingBehind_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("HDF5") << "cancelled.h5";
        QTest::newRow("safetensors") << "cancelled.safetensors";
        QTest::newRow("npz") << "cancelled.npz";
    }

    void cancelLeavesNothingBehind()
    {
        QFETCH(QString, file);
        QDir d(dir_.path());
        const auto before = d.entryList(QDir::Files | QDir::Hidden);
        // Four tensors of 24 MiB each; the flag is raised once the first progress report arrives.
        Checkpoint c;
        c.path = "memory";
        for (int i = 0; i < 4; ++i)
            c.tensors.push_back(makeMemoryTensor("t" + std::to_string(i),
                makeTensorData(DType::Float32, { 3 << 20, 2 }, std::vector<float>(6 << 20, float(i)))));
        std::atomic<bool> cancel { false };
        double lastProgress = 0;
        ExportOptions o;
        o.cancel = &cancel;
        o.progress = [&](double f) {
            lastProgress = f;
            cancel = true;
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, exportCheckpoint(c, out(file).toStdString(), o));
        QVERIFY(lastProgress > 0 && lastProgress < 1);
        QCOMPARE(d.entryList(QDir::Files | QDir::Hidden), before);
        // Not cancelled: the same export completes.
        cancel = false;
        o.progress = {};
        QCOMPARE(exportCheckpoint(c, out(file).toStdString(), o).names.size(), std::size_t(4));
        QVERIFY(QFile::remove(out(file)));
    }

    void architectureTravelsWithTheParameters()
    {
        const QString target = out("with-arch.h5");
        QCOMPARE(runCkpt({ "export", QString::fromStdString(data("verify/deep-train.pth")), "-o", target, "--select",
                     "model_state_dict.*", "--strip-prefix", "model_state_dict.", "--with-architecture" }),
            0);
        const auto c = openCheckpoint(target.toStdString());
        QVERIFY(c.metadata.contains("architecture"));
        QCOMPARE(runCkpt({ "verify", target, "--io", QString::fromStdString(data("verify/deep-io.h5")) }), 1); // relu
    }

    void dtypeRefusalNamesTheTensor()
    {
        QByteArray err;
        QCOMPARE(
            runCkpt({ "export", QString::fromStdString(data("torch/dtypes.pt")), "-o", out("dtypes.npz") }, &err), 3);
        QVERIFY2(err.contains("which npz cannot hold (use --cast float32)"), err.constData());
        QVERIFY2(err.contains("bfloat16"), err.constData());
        QVERIFY(!QFile::exists(out("dtypes.npz")));
        QCOMPARE(runCkpt({ "export", QString::fromStdString(data("torch/dtypes.pt")), "-o", out("dtypes.npz"), "--cast",
                     "float32" }),
            0);
        QCOMPARE(runCkpt({ "export", QString::fromStdString(data("torch/dtypes.pt")), "-o", out("x.txt") }, &err), 3);
        QVERIFY2(err.contains("cannot tell the output format"), err.constData());
    }

    void failureLeavesNoPartialFile()
    {
        QDir d(dir_.path());
        const auto before = d.entryList(QDir::Files | QDir::Hidden);
        QByteArray err;
        // The archive opens but one member's deflate stream is corrupt: reading it fails mid-export.
        QCOMPARE(
            runCkpt(
                { "export", QString::fromStdString(data("bad/npz_deflate_error.npz")), "-o", out("broken.h5") }, &err),
            3);
        QVERIFY2(err.contains("cannot inflate"), err.constData());
        QCOMPARE(runCkpt({ "export", QString::fromStdString(data("bad/npz_deflate_error.npz")), "-o",
                     out("broken.safetensors") }),
            3);
        QCOMPARE(
            runCkpt({ "export", QString::fromStdString(data("bad/npz_deflate_error.npz")), "-o", out("broken.npz") }),
            3);
        QCOMPARE(d.entryList(QDir::Files | QDir::Hidden), before);
    }

    // Past the file size limit (EFBIG, as on a full disk) every writer fails with the system's
    // reason, exit 3, no temporary file; libhdf5 used to crash in its exit handler after it.
    void fileSizeLimitIsAnErrorNotACrash_data()
    {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<QString>("reason");
        QTest::newRow("h5") << ".h5"
                            << "File too large";
        QTest::newRow("safetensors") << ".safetensors"
                                     << "File too large";
        QTest::newRow("npz") << ".npz"
                             << "File too large";
    }

    void fileSizeLimitIsAnErrorNotACrash()
    {
        QFETCH(QString, ext);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        QProcess p;
        p.setChildProcessModifier([] {
            const rlimit limit { 1024, 1024 };
            setrlimit(RLIMIT_FSIZE, &limit);
        });
        p.start(CKPT_BINARY_DIR "/app/ckpt",
            { "export", QString::fromStdString(data("hdf5/h5py_mixed.h5")), "-o", dir.filePath("big" + ext),
                "--exclude", "complex" });
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 3);
        QVERIFY2(
            err.startsWith("error: " + dir.filePath("big" + ext) + ": ") && err.endsWith(reason) && !err.contains('\n'),
            qPrintable(err));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());
    }

    // Tensor names from a file become npz member names that stay inside the folder they are
    // extracted to and carry no control characters.
    void npzMemberNamesAreSafe()
    {
        nlohmann::json entries;
        int at = 0;
        for (const char* name : { "../../etc/evil", "/abs/x", "a\x1b[2Jb/./c", "abs/x" }) {
            entries[name] = { { "dtype", "F32" }, { "shape", { 1 } }, { "data_offsets", { at, at + 4 } } };
            at += 4;
        }
        const std::string header = entries.dump();
        QByteArray bytes(8, 0);
        const quint64 n = quint64(header.size());
        for (int i = 0; i < 8; ++i)
            bytes[i] = char((n >> (8 * i)) & 0xff);
        bytes += QByteArray::fromStdString(header) + QByteArray(16, 0);
        const QString source = out("names.safetensors");
        QFile f(source);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        QCOMPARE(runCkpt({ "export", source, "-o", out("names.npz"), "--force" }), 0);
        auto file = std::make_shared<FileByteSource>(out("names.npz").toStdString());
        QStringList names;
        const auto archive
            = ZipArchive::open(out("names.npz").toStdString(), file, ZipOpenOptions { .checkConsistency = true });
        for (const auto& m : archive->members())
            names << QString::fromStdString(m.name);
        names.sort();
        QCOMPARE(names, (QStringList { "__/__/etc/evil.npy", "a_[2Jb/c.npy", "abs/x.npy", "abs/x~1.npy" }));
    }

    // A tiny file declaring 4 EiB of data: refused against the disk's free space before a byte
    // is written (it used to write until the disk was full).
    void outputLargerThanTheDiskIsRefused()
    {
        QByteArray err;
        QCOMPARE(runCkpt({ "export", QString::fromStdString(data("unbounded/huge_declared.h5")), "-o", out("huge.h5") },
                     &err),
            3);
        QVERIFY2(err.contains("needs 4398046511104 MiB of tensor data but its disk has"), err.constData());
        QVERIFY(!QDir(dir_.path()).entryList(QDir::Files | QDir::Hidden).join(' ').contains("huge"));
    }

    void refusesToOverwriteOrWriteOntoTheSource()
    {
        const QString target = out("existing.h5");
        {
            QFile f(target);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("precious");
        }
        QByteArray err;
        QCOMPARE(runCkpt({ "export", QString::fromStdString(data("verify/mlp.params")), "-o", target }, &err), 3);
        QVERIFY2(err.contains("already exists (use --force to replace it)"), err.constData());
        QCOMPARE(readFile(target), QByteArray("precious"));
        QCOMPARE(runCkpt({ "export", QString::fromStdString(data("verify/mlp.params")), "-o", target, "--force" }), 0);
        QCOMPARE(openCheckpoint(target.toStdString()).tensors.size(), std::size_t(4));
        QCOMPARE(runCkpt({ "export", target, "-o", target, "--force" }, &err), 3);
        QVERIFY2(err.contains("refusing to write over the source file"), err.constData());
        QCOMPARE(openCheckpoint(target.toStdString()).tensors.size(), std::size_t(4));
    }

    void interruptedExportLeavesNothingBehind()
    {
        // A 512 MiB source takes long enough to export that the process can be stopped mid-way.
        const QString big = out("big.npy");
        {
            std::ofstream f(big.toStdString(), std::ios::binary);
            std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (8192, 16384), }";
            header.append(64 - (10 + header.size() + 1) % 64, ' ');
            header += '\n';
            const std::uint16_t len = std::uint16_t(header.size());
            f.write("\x93NUMPY\x01\x00", 8);
            f.write(reinterpret_cast<const char*>(&len), 2);
            f << header;
            f.seekp(std::streamoff(8192) * 16384 * 4 - 1, std::ios::cur);
            f.put('\1');
        }
        const QString target = out("kept.h5");
        {
            QFile f(target);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("the earlier file");
        }
        QDir d(dir_.path());
        const auto before = d.entryList(QDir::Files | QDir::Hidden);
        QProcess p;
        p.start(CKPT_BINARY_DIR "/app/ckpt", { "export", big, "-o", target, "--force" });
        QVERIFY(p.waitForStarted());
        // Wait until the temporary output exists and has data in it, then interrupt.
        QElapsedTimer t;
        t.start();
        bool writing = false;
        while (!writing && t.elapsed() < 20000 && p.state() == QProcess::Running) {
            for (const auto& f : d.entryList({ ".kept.h5.tmp.*" }, QDir::Files | QDir::Hidden))
                writing = writing || QFileInfo(d.filePath(f)).size() > (1 << 20);
            QTest::qWait(5);
        }
        QVERIFY2(writing, "the export finished before it could be interrupted");
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        QCOMPARE(readFile(target), QByteArray("the earlier file"));
        QCOMPARE(d.entryList(QDir::Files | QDir::Hidden), before);
        QFile::remove(big);
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
