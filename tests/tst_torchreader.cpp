// The PyTorch reader against files written by torch itself: tests/data/torch (made by
// make_torch_fixtures.py with torch 1.13, described in expected.json) and the real files in
// tests/data/real/pytorch; bad and hostile files give one clear error naming the file.
#include "base/CheckpointError.h"
#include "numerics/Convert.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <numeric>

using namespace ckpt;

namespace {
// A byte string literal with its embedded NULs.
template <std::size_t N> QByteArray bytes(const char (&literal)[N])
{
    return QByteArray(literal, N - 1);
}

const QString kTorchData = QStringLiteral(CKPT_TEST_DATA "/torch");
const QString kRealTorch = QStringLiteral(CKPT_REAL_FIXTURES "/pytorch");
const char* const kMarker = "/tmp/ckptview_pickle_marker"; // what the hostile fixtures would create

const nlohmann::json& expected()
{
    static const nlohmann::json j = [] {
        std::ifstream in(CKPT_TEST_DATA "/torch/expected.json");
        return nlohmann::json::parse(in);
    }();
    return j;
}

// Values in logical row-major order; complex numbers as re, im pairs.
std::vector<double> valuesOf(const Tensor& t)
{
    const TensorData d = readTensor(t);
    std::vector<double> out;
    if (d.dtype == DType::Complex64) {
        for (std::int64_t i = 0; i < 2 * d.numel(); ++i)
            out.push_back(d.as<float>()[i]);
    } else if (d.dtype == DType::Complex128) {
        out.assign(d.as<double>(), d.as<double>() + 2 * d.numel());
    } else {
        out.resize(static_cast<std::size_t>(d.numel()));
        convertToDouble(d.dtype, d.bytes.data(), d.numel(), out.data());
    }
    return out;
}

std::vector<double> expectedValues(const nlohmann::json& values)
{
    std::vector<double> out;
    for (const auto& v : values) {
        if (v.is_array()) { // complex [re, im]
            out.push_back(v[0].get<double>());
            out.push_back(v[1].get<double>());
        } else {
            out.push_back(v.get<double>());
        }
    }
    return out;
}

QString shapeText(const Shape& s)
{
    return QString::fromStdString(shapeToString(s));
}

// The message of the CheckpointError opening `path` raises, or "" when it opens.
QString openError(const QString& path)
{
    try {
        openCheckpoint(path.toStdString());
    } catch (const CheckpointError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A legacy torch file around an arbitrary object pickle: the magic number, protocol 1001,
// an empty sys_info, the object, and an empty storage key list.
QByteArray legacyFileAround(const QByteArray& objectPickle)
{
    QByteArray b;
    b += bytes("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.");
    b += bytes("\x80\x02M\xe9\x03.");
    b += bytes("\x80\x02}.");
    b += objectPickle;
    b += bytes("\x80\x02].");
    return b;
}

QByteArray unicodeOp(const QByteArray& text)
{
    QByteArray b("X");
    const auto n = static_cast<quint32>(text.size());
    for (int i = 0; i < 4; ++i)
        b += static_cast<char>((n >> (8 * i)) & 0xff);
    return b + text;
}

QByteArray osSystemCall(const QByteArray& command)
{
    return QByteArray("cos\nsystem\n") + unicodeOp(command) + bytes("\x85R");
}

struct CliResult {
    int code = -1;
    QByteArray out, err;
};

CliResult runCkpt(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(CKPT_BINARY_DIR "/app/ckpt"), args);
    p.waitForFinished(60000);
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
        p.readAllStandardError() };
}
} // namespace

class TestTorchReader : public QObject {
    Q_OBJECT
private slots:
    void fixturesMatchTorch_data()
    {
        QTest::addColumn<QString>("file");
        for (const auto& [file, spec] : expected().items())
            QTest::newRow(file.c_str()) << QString::fromStdString(file);
    }
    void fixturesMatchTorch()
    {
        QFETCH(QString, file);
        const auto& spec = expected().at(file.toStdString());
        const Checkpoint c = openCheckpoint((kTorchData + "/" + file).toStdString());
        QCOMPARE(QString::fromStdString(c.format), QString::fromStdString(spec.at("format")));
        const auto& tensors = spec.at("tensors");
        QStringList names, expectedNames;
        for (const auto& t : c.tensors)
            names << QString::fromStdString(t.info.name);
        for (const auto& t : tensors)
            expectedNames << QString::fromStdString(t.at("name"));
        QCOMPARE(names, expectedNames);
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const Tensor& t = c.tensors[i];
            const auto& e = tensors[i];
            QCOMPARE(
                QString::fromStdString(std::string(dtypeName(t.info.dtype))), QString::fromStdString(e.at("dtype")));
            QCOMPARE(shapeText(t.info.shape), shapeText(e.at("shape").get<Shape>()));
            QCOMPARE(valuesOf(t), expectedValues(e.at("values")));
        }
        for (const auto& [key, value] : spec.at("metadata").items()) {
            QVERIFY2(c.metadata.contains(key), key.c_str());
            const auto& got = c.metadata.at(key);
            if (value.is_number())
                QCOMPARE(got.get<double>(), value.get<double>());
            else
                QCOMPARE(QString::fromStdString(got.get<std::string>()), QString::fromStdString(value));
        }
        QVERIFY(!c.metadata.contains("__refused_calls__"));
    }

    void trainingCheckpointMetadata()
    {
        const Checkpoint c = openCheckpoint((kTorchData + "/train_checkpoint.pt").toStdString());
        QCOMPARE(c.metadata.at("epoch").get<int>(), 5);
        QCOMPARE(c.metadata.at("loss").get<double>(), 0.25);
        QCOMPARE(c.metadata.at("optimizer_state_dict.param_groups.0.eps").get<double>(), 1e-08);
        QCOMPARE(c.metadata.at("optimizer_state_dict.param_groups.0.amsgrad").get<bool>(), false);
        QVERIFY(c.metadata.at("optimizer_state_dict.param_groups.0.foreach").is_null());
        // Nothing of the OrderedDict internals (_metadata) leaks into names.
        for (const auto& [key, value] : c.metadata.items())
            QVERIFY2(key.find("_metadata") == std::string::npos, key.c_str());
    }

    void wholeModuleNamesAreStateDictNames()
    {
        for (const char* file : { "whole_module.pt", "legacy_whole_module.pt" }) {
            const Checkpoint c = openCheckpoint((kTorchData + "/" + file).toStdString());
            QCOMPARE(c.metadata.at("__class__").get<std::string>(), std::string("__main__.MLP"));
            QCOMPARE(c.tensors.size(), std::size_t(4));
            for (const auto& t : c.tensors)
                QVERIFY2(t.info.name.find('_') == std::string::npos, t.info.name.c_str());
        }
    }

    void viewsShareOneStorage()
    {
        const Checkpoint c = openCheckpoint((kTorchData + "/views.pt").toStdString());
        for (const auto& t : c.tensors)
            QVERIFY2(t.info.location.rfind("data/0 (cpu)", 0) == 0, t.info.location.c_str());
        QCOMPARE(QString::fromStdString(c.find("element")->info.location), QString("data/0 (cpu), byte 44"));
    }

    void numpyValuesInsideACheckpoint()
    {
        const Checkpoint c = openCheckpoint((kTorchData + "/shared_numpy.pt").toStdString());
        QVERIFY(c.find("np_t")->info.columnMajor); // a transposed array is pickled in Fortran order
        QCOMPARE(c.find("a")->info.location, c.find("b")->info.location);
        QCOMPARE(c.metadata.at("labels").get<std::string>(), std::string("numpy array of dtype dtype('<U1')"));
    }

    void torchScriptArchive()
    {
        const Checkpoint c = openCheckpoint((kTorchData + "/torchscript.pt").toStdString());
        QCOMPARE(c.format, std::string("TorchScript"));
        QStringList names;
        for (const auto& t : c.tensors)
            names << QString::fromStdString(t.info.name);
        QCOMPARE(names, (QStringList { "hidden.weight", "hidden.bias", "output.weight", "output.bias" }));
    }

    // Files written by other people's torch (see tests/data/real/SOURCES.md); values from torch.load.
    void realFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<QString>("shape");
        QTest::addColumn<double>("sum");
        QTest::addColumn<QList<double>>("first");
        auto row = [](const char* file, const char* format, const char* name, const char* dtype, const char* shape,
                       double sum, QList<double> first) {
            QTest::addRow("%s %s", file, name) << file << format << name << dtype << shape << sum << first;
        };
        const char* legacy = "PyTorch legacy";
        const char* zip = "PyTorch zip";
        row("x.pt", legacy, "tensor", "float32", "(3)", 3.0, { 1, 1, 1 });
        row("xy.pt", legacy, "0", "float32", "(3)", 3.0, { 1, 1, 1 });
        row("xy.pt", legacy, "1", "float32", "(4)", 0.0, { 0, 0, 0 });
        row("xy_dict.pt", legacy, "x", "float32", "(3)", 3.0, { 1, 1, 1 });
        row("xy_dict.pt", legacy, "y", "float32", "(4)", 0.0, { 0, 0, 0 });
        row("xy_net.pt", legacy, "hidden.weight", "float32", "(2, 3)", 0.2197973132133484,
            { -0.41355305910110474, 0.44016122817993164, 0.04628610610961914 });
        row("xy_net.pt", legacy, "hidden.bias", "float32", "(2)", 0.859781801700592,
            { 0.36441510915756226, 0.4953666925430298 });
        row("xy_net.pt", legacy, "output.weight", "float32", "(1, 2)", -0.0003260970115661621,
            { 0.5148282647132874, -0.5151543617248535 });
        row("xy_net.pt", legacy, "output.bias", "float32", "(1)", 0.4568154215812683, { 0.4568154215812683 });
        row("x-file", zip, "tensor", "int64", "(4)", 6.0, { 0, 1, 2 });
        row("x-files", zip, "0", "int64", "(4)", 6.0, { 0, 1, 2 });
        row("x-files", zip, "1", "float32", "(4)", 0.0, { 0, 0, 0 });
        row("mydict", zip, "x", "int64", "(4)", 6.0, { 0, 1, 2 });
        row("mydict", zip, "y", "float32", "(4)", 0.0, { 0, 0, 0 });
        row("mlp.params", zip, "hidden.weight", "float32", "(256, 20)", -7.962253287434578,
            { -0.08192785084247589, -0.10219228267669678, 0.006222471594810486 });
        row("mlp.params", zip, "hidden.bias", "float32", "(256)", 0.894587978720665,
            { 0.09980428218841553, -0.012372657656669617, -0.04411830008029938 });
        row("mlp.params", zip, "output.weight", "float32", "(10, 256)", -1.3401844799518585,
            { -0.027149811387062073, -0.018850460648536682, 0.021679535508155823 });
        row("mlp.params", zip, "output.bias", "float32", "(10)", 0.11209622770547867,
            { -0.04018988460302353, 0.061997488141059875, 0.012956298887729645 });
        row("gnet.pth", zip, "conv1.weight", "float32", "(16, 3, 3, 3)", -4.312420830770861,
            { -0.06311517208814621, -0.0037124683149158955, 0.032488953322172165 });
        row("gnet.pth", zip, "conv1.bias", "float32", "(16)", -1.1064390409737825,
            { 0.011185413226485252, -0.23864981532096863, 0.10292339324951172 });
        row("gnet.pth", zip, "conv2.weight", "float32", "(8, 16, 3, 3)", 2.932655170443468,
            { -0.02746153622865677, 0.10230880975723267, 0.09168284386396408 });
        row("gnet.pth", zip, "conv2.bias", "float32", "(8)", -0.8615275197662413,
            { -0.10771465301513672, -0.19506396353244781, -0.09132323414087296 });
        row("gnet.pth", zip, "lin1.weight", "float32", "(32, 512)", -0.7418117798235926,
            { 0.028370847925543785, 0.057597566395998, -0.039462633430957794 });
        row("gnet.pth", zip, "lin1.bias", "float32", "(32)", -0.17660903619253077,
            { -0.018135670572519302, 0.06308019906282425, -0.026355398818850517 });
        row("gnet.pth", zip, "lin2.weight", "float32", "(2, 32)", -1.057545423071133,
            { -0.28699466586112976, 0.33792805671691895, -0.2570251524448395 });
        row("gnet.pth", zip, "lin2.bias", "float32", "(2)", 0.112767044454813,
            { 0.08682536333799362, 0.02594168111681938 });
    }
    void realFiles()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        QFETCH(QString, name);
        QFETCH(QString, dtype);
        QFETCH(QString, shape);
        QFETCH(double, sum);
        QFETCH(QList<double>, first);
        const Checkpoint c = openCheckpoint((kRealTorch + "/" + file).toStdString());
        QCOMPARE(QString::fromStdString(c.format), format);
        const Tensor* t = c.find(name.toStdString());
        QVERIFY(t);
        QCOMPARE(QString::fromStdString(std::string(dtypeName(t->info.dtype))), dtype);
        QCOMPARE(shapeText(t->info.shape), shape);
        const auto values = valuesOf(*t);
        for (int i = 0; i < first.size(); ++i)
            QCOMPARE(values.at(static_cast<std::size_t>(i)), first[i]);
        const double total = std::accumulate(values.begin(), values.end(), 0.0);
        QVERIFY2(
            std::abs(total - sum) <= 1e-9 * std::max(1.0, std::abs(sum)), qPrintable(QString::number(total, 'g', 17)));
    }

    void realFileNamesInOrder()
    {
        const Checkpoint g = openCheckpoint((kRealTorch + "/gnet.pth").toStdString());
        QStringList names;
        for (const auto& t : g.tensors)
            names << QString::fromStdString(t.info.name);
        QCOMPARE(names,
            (QStringList { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "lin1.weight", "lin1.bias",
                "lin2.weight", "lin2.bias" }));
        QVERIFY(g.tensors.front().info.location.find("cuda:0") != std::string::npos);
        QCOMPARE(openCheckpoint((kRealTorch + "/xy_net.pt").toStdString()).tensors.size(), std::size_t(4));
    }

    void badFixtures_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("truncated zip") << "truncated_zip.pt"
                                       << "end of central directory not found";
        QTest::newRow("truncated legacy") << "truncated_legacy.pt"
                                          << "file ends before the record of storage";
        QTest::newRow("truncated legacy pickle") << "truncated_legacy_pickle.pt"
                                                 << "runs past the end of the data";
        QTest::newRow("random bytes") << "random.pt"
                                      << "not a recognised checkpoint format";
        QTest::newRow("missing storage") << "missing_storage.pt"
                                         << "storage record data/0 is missing";
        QTest::newRow("short storage") << "short_storage.pt"
                                       << "holds 4 bytes, its torch.FloatStorage of 2 elements needs 8";
        QTest::newRow("storage past the end") << "storage_past_end.pt"
                                              << "runs past the end of the file";
        QTest::newRow("os.system") << "os_system.pt"
                                   << "refuses to call os.system";
        QTest::newRow("subprocess.Popen") << "subprocess_popen.pt"
                                          << "refuses to call subprocess.Popen";
        QTest::newRow("builtins.eval") << "builtins_eval.pt"
                                       << "refuses to call builtins.eval";
    }
    void badFixtures()
    {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        QFile::remove(kMarker);
        const QString path = kTorchData + "/bad/" + file;
        const QString message = openError(path);
        QVERIFY2(message.startsWith(path + ": "), qPrintable(message));
        QVERIFY2(message.contains(reason), qPrintable(message));
        QVERIFY(!QFile::exists(kMarker));
    }

    // Cut good files at several points, and other broken files made on the fly.
    void brokenFiles_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<double>("keep"); // fraction of the file kept (< 0: bytes dropped at the end)
        for (const char* source : { "mlp_state_dict.pt", "legacy_state_dict.pt", "train_checkpoint.pt",
                 "legacy_checkpoint.pt", "deflated.pt" })
            for (double keep : { 0.0, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, -30.0, -1.0 })
                QTest::addRow("%s keep %g", source, keep) << QString(source) << keep;
    }
    void brokenFiles()
    {
        QFETCH(QString, source);
        QFETCH(double, keep);
        QTemporaryDir dir;
        const QByteArray good = readFile(kTorchData + "/" + source);
        const qsizetype n
            = keep < 0 ? good.size() + static_cast<qsizetype>(keep) : static_cast<qsizetype>(good.size() * keep);
        const QString path = dir.filePath(source);
        writeFile(path, good.left(n));
        const QString message = openError(path);
        QVERIFY2(message.startsWith(path + ": "), qPrintable(message));
        QVERIFY2(message.size() > path.size() + 10, qPrintable(message));
    }

    void randomBytesWithATorchStart()
    {
        // A legacy magic number followed by garbage, and a zip header followed by garbage.
        QTemporaryDir dir;
        QByteArray noise;
        for (int i = 0; i < 4096; ++i)
            noise += static_cast<char>((i * 7919 + 13) % 251);
        const QByteArray starts[] = { legacyFileAround({}).left(15), bytes("PK\3\4") };
        for (const auto& start : starts) {
            const QString path = dir.filePath("noise.pt");
            writeFile(path, start + noise);
            const QString message = openError(path);
            QVERIFY2(message.startsWith(path + ": "), qPrintable(message));
        }
    }

    void emptyFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("empty.pt");
        writeFile(path, {});
        QCOMPARE(openError(path), path + ": file is empty");
    }

    void hostilePickleCreatesNoMarker()
    {
        QTemporaryDir dir;
        const QString marker = dir.filePath("marker");
        const QString path = dir.filePath("evil.pt");
        writeFile(path, legacyFileAround(bytes("\x80\x02") + osSystemCall("touch " + marker.toUtf8()) + "."));
        const QString message = openError(path);
        QVERIFY2(message.startsWith(path + ": refuses to call os.system"), qPrintable(message));
        QVERIFY(!QFile::exists(marker));
    }

    void refusedCallInsideAGoodFileIsMetadata()
    {
        QTemporaryDir dir;
        const QString marker = dir.filePath("marker");
        const QString path = dir.filePath("mixed.pt");
        writeFile(path,
            legacyFileAround(bytes("\x80\x02}(") + unicodeOp("epoch") + "K\x03" + unicodeOp("hook")
                + osSystemCall("touch " + marker.toUtf8()) + "u."));
        const Checkpoint c = openCheckpoint(path.toStdString());
        QCOMPARE(c.format, std::string("PyTorch legacy"));
        QCOMPARE(c.metadata.at("epoch").get<int>(), 3);
        QVERIFY(c.metadata.at("hook").get<std::string>().find("[refused call]") != std::string::npos);
        QCOMPARE(c.metadata.at("__refused_calls__").get<std::string>(), std::string("not run: os.system"));
        QVERIFY(!QFile::exists(marker));
    }

    void cyclesAndDepthAreBounded()
    {
        QTemporaryDir dir;
        // d = {}; d['self'] = d
        const QString cyclic = dir.filePath("cyclic.pt");
        writeFile(cyclic, legacyFileAround(bytes("\x80\x02}q\x00") + unicodeOp("self") + bytes("h\x00s.")));
        const Checkpoint c = openCheckpoint(cyclic.toStdString());
        QCOMPARE(c.metadata.at("self").get<std::string>(), std::string("<cycle>"));
        // 100000 dicts nested through the memo: {'a': {'a': ...}}
        QByteArray deep = bytes("\x80\x02}q\x00"
                                "0");
        for (int i = 0; i < 100'000; ++i)
            deep += bytes("}") + unicodeOp("a")
                + bytes("h\x00sq\x00"
                        "0");
        deep += bytes("h\x00.");
        const QString deepPath = dir.filePath("deep.pt");
        writeFile(deepPath, legacyFileAround(deep));
        const Checkpoint d = openCheckpoint(deepPath.toStdString());
        QCOMPARE(d.metadata.size(), std::size_t(1));
        QVERIFY(d.metadata.begin().value().get<std::string>().find("nested deeper") != std::string::npos);
        // 2^40 paths through a shared DAG: d_{k+1} = {'a': d_k, 'b': d_k}
        QByteArray dag = bytes("\x80\x02}q\x00"
                               "0");
        for (int i = 0; i < 40; ++i)
            dag += bytes("}(") + unicodeOp("a") + bytes("h\x00") + unicodeOp("b")
                + bytes("h\x00uq\x00"
                        "0");
        dag += bytes("h\x00.");
        const QString dagPath = dir.filePath("dag.pt");
        writeFile(dagPath, legacyFileAround(dag));
        const Checkpoint g = openCheckpoint(dagPath.toStdString());
        QVERIFY(g.metadata.contains("__walk__"));
        QVERIFY(g.metadata.size() <= 20'001);
    }

    // A 1.6 GB tensor in a sparse legacy file: opening reads only the pickles and the 8-byte
    // record header, so it is fast and takes no memory; one element is read by its offset.
    void openingIsLazy()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("big.pt");
        const qint32 rows = 24576, cols = 16384, numel = rows * cols;
        auto i32 = [](qint32 v) { return QByteArray(reinterpret_cast<const char*>(&v), 4); };
        const QByteArray object = bytes("\x80\x02"
                                        "ctorch._utils\n_rebuild_tensor_v2\n((")
            + unicodeOp("storage") + bytes("ctorch\nFloatStorage\n") + unicodeOp("0") + unicodeOp("cpu") + "J"
            + i32(numel) + bytes("tQK\x00J") + i32(rows) + "J" + i32(cols) + bytes("\x86J") + i32(cols)
            + bytes("K\x01\x86\x89"
                    "ccollections\nOrderedDict\n)RtR.");
        QByteArray head = legacyFileAround(object);
        head.chop(4); // the empty key list: this file has one storage
        head += bytes("\x80\x02]") + unicodeOp("0") + bytes("a.");
        const qint64 count = numel;
        head += QByteArray(reinterpret_cast<const char*>(&count), 8);
        writeFile(path, head);
        QFile f(path);
        QVERIFY(f.resize(head.size() + qint64(numel) * 4)); // a hole: no disk space, reads as zeros
        f.close();

        QElapsedTimer timer;
        timer.start();
        const Checkpoint c = openCheckpoint(path.toStdString());
        const qint64 ms = timer.elapsed();
        QVERIFY2(ms < 500, qPrintable(QString::number(ms) + " ms"));
        QCOMPARE(c.tensors.size(), std::size_t(1));
        QCOMPARE(shapeText(c.tensors[0].info.shape), QString("(24576, 16384)"));
        const TensorData last = readBox(c.tensors[0], { rows - 1, cols - 1 }, { 1, 1 });
        QCOMPARE(last.as<float>()[0], 0.0f);
    }

    void cliListsMetadata()
    {
        const CliResult r = runCkpt({ "ls", "--json", kTorchData + "/train_checkpoint.pt" });
        QCOMPARE(r.code, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j.at("format").get<std::string>(), std::string("PyTorch zip"));
        QCOMPARE(j.at("metadata").at("epoch").get<int>(), 5);
        QCOMPARE(j.at("metadata").at("loss").get<double>(), 0.25);
        QCOMPARE(j.at("tensors").size(), std::size_t(16));
        QCOMPARE(j.at("tensors")[5].at("name").get<std::string>(), std::string("optimizer_state_dict.state.0.exp_avg"));

        const CliResult text = runCkpt({ "ls", kTorchData + "/train_checkpoint.pt" });
        QVERIFY(text.out.contains("epoch = 5"));
        QVERIFY(text.out.contains("loss = 0.25"));

        QFile::remove(kMarker);
        const QString evil = kTorchData + "/bad/os_system.pt";
        const CliResult refused = runCkpt({ "ls", evil });
        QCOMPARE(refused.code, 3);
        QVERIFY2(refused.err.startsWith(("error: " + evil + ": refuses to call os.system").toUtf8()),
            refused.err.constData());
        QVERIFY(!QFile::exists(kMarker));
    }
};

QTEST_GUILESS_MAIN(TestTorchReader)
#include "tst_torchreader.moc"
