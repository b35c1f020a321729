// `ckpt scan` predicts what Python would do. tests/data/scan/make_scan_fixtures.py loaded every
// fixture with the real pickle / torch.load / np.load in a throwaway folder and recorded in
// expected.json which ones really ran code and which globals each pickle imports; the scan must
// agree on every file, through the core and through the command line.
#include "scan/CheckpointScan.h"
#include "scan/GlobalRisk.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

using namespace ckpt;

namespace {

const std::string kScanDir = CKPT_TEST_DATA "/scan/";

const nlohmann::json& truth()
{
    static const nlohmann::json expected = [] {
        std::ifstream in(kScanDir + "expected.json");
        return nlohmann::json::parse(in);
    }();
    return expected;
}

// A global as the scan names it after "import ": Python 2 module names are Python 3's.
std::string python3Name(std::string name)
{
    for (const auto& [from, to] :
        { std::pair<std::string, std::string> { "__builtin__.", "builtins." }, { "copy_reg.", "copyreg." } })
        if (name.rfind(from, 0) == 0)
            name = to + name.substr(from.size());
    return name;
}

// The globals a report says the pickles import, as pickled ("pickled as" names kept).
std::set<std::string> importsOf(const ScanReport& report)
{
    std::set<std::string> imports;
    for (const auto& f : report.findings) {
        if (f.what.rfind("import ", 0) != 0)
            continue;
        std::string name = f.what.substr(7);
        if (const auto as = name.find(" (pickled as "); as != std::string::npos)
            name = name.substr(as + 13, name.size() - as - 14);
        imports.insert(name);
    }
    return imports;
}

} // namespace

class TestScan : public QObject {
    Q_OBJECT

private slots:
    void verdictPredictsPython_data()
    {
        QTest::addColumn<QString>("file");
        for (const auto& [name, _] : truth().items())
            QTest::newRow(name.c_str()) << QString::fromStdString(name);
    }

    void verdictPredictsPython()
    {
        QFETCH(QString, file);
        const auto& expected = truth().at(file.toStdString());
        const ScanReport report = scanFile(kScanDir + file.toStdString());
        QCOMPARE(report.unsafe(), expected.at("runs_code").get<bool>());
        std::set<std::string> globals;
        for (const auto& g : expected.at("globals"))
            globals.insert(python3Name(g.get<std::string>()));
        QCOMPARE(importsOf(report), globals);
        // What the safe loaders accept has nothing but safe findings.
        if (expected.at("safe_loader_accepts").is_boolean() && expected.at("safe_loader_accepts").get<bool>())
            for (const auto& f : report.findings)
                QVERIFY2(f.risk == Risk::Safe, f.what.c_str());
    }

    void commandLineAgreesAndExits_data() { verdictPredictsPython_data(); }

    void commandLineAgreesAndExits()
    {
        QFETCH(QString, file);
        const bool runsCode = truth().at(file.toStdString()).at("runs_code").get<bool>();
        QProcess ckpt;
        ckpt.start(CKPT_BINARY_DIR "/app/ckpt", { "scan", "--json", QString::fromStdString(kScanDir) + file });
        QVERIFY(ckpt.waitForFinished(60000));
        const auto json = QJsonDocument::fromJson(ckpt.readAllStandardOutput()).object();
        const auto report = json.value("files").toArray().at(0).toObject();
        QCOMPARE(report.value("verdict").toString(), runsCode ? QString("unsafe") : QString("clean"));
        QCOMPARE(ckpt.exitCode(), runsCode ? 1 : 0);
    }

    // The routes of the bad-file corpus too, each named as the call it would make.
    void callsAreNamed_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("call");
        QTest::newRow("BUILD __setstate__") << "scan/build_setstate_os_system.pt"
                                            << "call os.system('touch scan-marker-build_setstate_os_system',)";
        QTest::newRow("copyreg base") << "scan/reconstructor_popen.pt"
                                      << "call subprocess.Popen(['touch', 'scan-marker-reconstructor_popen'],)";
        QTest::newRow("dotted") << "scan/dotted_torch_serialization_os_system.pt"
                                << "call os.system('touch scan-marker-dotted_torch_serialization_os_system',) (pickled "
                                   "as torch.serialization.os.system)";
        QTest::newRow("npy object") << "bad/npy_object_os_system.npy"
                                    << "call os.system('touch /tmp/ckptview-marker-npy-object',)";
        QTest::newRow("eval") << "bad/torch_eval.pt"
                              << "call builtins.eval('open(\\'/tmp/ckptview-marker-eval\\',\\'w\\')',)";
    }

    void callsAreNamed()
    {
        QFETCH(QString, file);
        QFETCH(QString, call);
        const ScanReport report = scanFile(CKPT_TEST_DATA "/" + file.toStdString());
        QStringList calls;
        for (const auto& f : report.findings)
            if (f.risk == Risk::Unsafe && f.what.rfind("call ", 0) == 0)
                calls << QString::fromStdString(f.what);
        QVERIFY2(calls.contains(call), qPrintable(calls.join(" | ")));
    }

    // Risks that are not pickles: data from outside the folder, Keras code, lying sizes.
    void otherRisks()
    {
        const ScanReport external = scanFile(CKPT_TEST_DATA "/bad/hdf5_external_absolute.h5");
        QVERIFY(external.unsafe());
        QCOMPARE(QString::fromStdString(external.findings.at(0).what),
            QString("read a file outside the checkpoint's folder for 'w'"));
        QVERIFY(scanFile(CKPT_TEST_DATA "/bad/keras_external_passwd.keras").unsafe());
        QVERIFY(scanFile(CKPT_TEST_DATA "/bad/onnx_external_absolute.onnx").unsafe());
        const ScanReport lying = scanFile(CKPT_TEST_DATA "/bad/safetensors_offsets_past_end.safetensors");
        QCOMPARE(QString::fromStdString(lying.verdict()), QString("unreadable"));
        QCOMPARE(QString::fromStdString(scanFile(CKPT_TEST_DATA "/keras3/mlp.keras").verdict()), QString("clean"));
    }

    // What scanning a pickle may cost is bounded as the readers bound it: by the file's size, not
    // by what a deflated member inflates to.
    void scanningIsBoundedByTheFile_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("memo abuse") << "torch_pickle_memo_abuse.pt"
                                    << "its values would take more than 176 MiB of memory";
        QTest::newRow("tuple chain") << "torch_pickle_tuple1_chain.pt"
                                     << "its values would take more than 176 MiB of memory";
        QTest::newRow("1.5 GiB data.pkl") << "torch_pickle_inflates_1536mib.pt"
                                          << "archive/data.pkl is larger than 49 MiB; not scanned";
    }

    void scanningIsBoundedByTheFile()
    {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        const ScanReport report = scanFile(CKPT_TEST_DATA "/bad/" + file.toStdString());
        QCOMPARE(QString::fromStdString(report.verdict()), QString("unreadable"));
        QVERIFY2(QString::fromStdString(report.unreadable).contains(reason), report.unreadable.c_str());
    }

    void kerasLambdaIsUnsafe()
    {
        const ScanReport report = scanFile(CKPT_TEST_DATA "/scan/keras/keras_lambda.keras");
        QVERIFY(report.unsafe());
        QCOMPARE(QString::fromStdString(report.unsafeSummary()),
            QString("Keras Lambda layer 'shift'; Keras serialized Python lambda"));
        bool custom = false;
        for (const auto& f : report.findings)
            custom = custom || (f.risk == Risk::Unknown && f.what == "Keras custom object my_project.layers.Scale");
        QVERIFY(custom);
    }

    void dottedNamesResolve()
    {
        const GlobalRisk r = classifyGlobal("torch.serialization", "os.system");
        QCOMPARE(r.risk, Risk::Unsafe);
        QCOMPARE(QString::fromStdString(r.resolved), QString("os.system"));
        QCOMPARE(classifyGlobal("torch._utils", "_rebuild_tensor_v2").risk, Risk::Safe);
        QCOMPARE(classifyGlobal("torch", "BFloat16Storage").risk, Risk::Safe);
        QCOMPARE(classifyGlobal("__builtin__", "getattr").risk, Risk::Unsafe);
        QCOMPARE(classifyGlobal("nt", "system").risk, Risk::Unsafe);
        QCOMPARE(classifyGlobal("mymodule", "Net").risk, Risk::Unknown);
        QCOMPARE(classifyGlobal("collections", "OrderedDict.fromkeys").risk, Risk::Unknown);
    }
};

QTEST_GUILESS_MAIN(TestScan)
#include "tst_scan.moc"
