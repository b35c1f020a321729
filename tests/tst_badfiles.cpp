// The bad-file corpus (tests/data/bad, made by make_bad_files.py): each file gives the exact
// error listed in expected.json, through the core and through `ckpt stats` (which reads every
// tensor's data), and no pickle inside any of them gets to create its marker file.
#include "base/CheckpointError.h"
#include "numerics/Stats.h"
#include "open/ReaderRegistry.h"
#include "report/MetadataForDisplay.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ckpt;

namespace {

const QString badDir = QStringLiteral(CKPT_TEST_DATA "/bad");

const nlohmann::json& expectations()
{
    static const nlohmann::json expected = [] {
        std::ifstream in(CKPT_TEST_DATA "/bad/expected.json");
        return nlohmann::json::parse(in);
    }();
    return expected;
}

QStringList markerFiles()
{
    return QDir("/tmp").entryList({ "ckptview-marker-*" }, QDir::Files);
}

// Opens the file and reads all of every tensor, as `ckpt stats` and the app do. Returns the
// error the user would see ("" when everything could be read).
std::string openAndReadAll(const std::string& path, Checkpoint* opened, std::map<std::string, TensorStats>* stats)
{
    Checkpoint c;
    try {
        c = openCheckpoint(path);
    } catch (const CheckpointError& e) {
        if (e.file() != path)
            return "error without the file name: " + std::string(e.what());
        return e.what();
    }
    for (const auto& t : c.tensors) {
        try {
            (*stats)[t.info.name] = computeStats(t, StatsOptions {});
        } catch (const std::exception& e) {
            return path + ": " + t.info.name + ": " + e.what();
        }
    }
    *opened = std::move(c);
    return {};
}

} // namespace

class TestBadFiles : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        for (const auto& m : markerFiles())
            QFile::remove("/tmp/" + m);
    }

    void everyFileIsListed()
    {
        const auto& expected = expectations();
        const QStringList files = QDir(badDir).entryList(QDir::Files);
        for (const auto& f : files) {
            if (f.endsWith(".py") || f.endsWith(".json"))
                continue;
            QVERIFY2(expected.contains(f.toStdString()), qPrintable(f + " has no entry in expected.json"));
        }
    }

    void errorThroughCore_data()
    {
        QTest::addColumn<QString>("file");
        for (const auto& [name, _] : expectations().items())
            QTest::newRow(name.c_str()) << QString::fromStdString(name);
    }

    void errorThroughCore()
    {
        QFETCH(QString, file);
        const auto& expected = expectations().at(file.toStdString());
        const std::string path = (badDir + "/" + file).toStdString();
        Checkpoint opened;
        std::map<std::string, TensorStats> stats;
        const std::string error = openAndReadAll(path, &opened, &stats);
        if (expected.contains("opens")) {
            QVERIFY2(error.empty(), error.c_str());
            std::vector<std::string> names;
            for (const auto& t : opened.tensors)
                names.push_back(t.info.name);
            QCOMPARE(names, expected.at("opens").get<std::vector<std::string>>());
            const auto metadata = expected.value("metadata", nlohmann::json::object());
            for (const auto& [key, value] : metadata.items())
                QCOMPARE(QString::fromStdString(opened.metadata.value(key, std::string("<missing>"))),
                    QString::fromStdString(value.get<std::string>()));
            // Statistics of tensors that declare far more than they store (numpy's, on the
            // elements the file describes)
            const auto expectedStats = expected.value("stats", nlohmann::json::object());
            for (const auto& [name, want] : expectedStats.items()) {
                const TensorStats& got = stats.at(name);
                QCOMPARE(got.count, want.at("count").get<std::int64_t>());
                QCOMPARE(got.zeros, want.at("zeros").get<std::int64_t>());
                const std::map<std::string, double> fields { { "min", got.min }, { "max", got.max },
                    { "mean", got.mean }, { "std", got.std } };
                for (const auto& [field, value] : fields) {
                    const double expect = want.at(field).get<double>();
                    QVERIFY2(std::abs(value - expect) <= 1e-9 * std::max(1.0, std::abs(expect)),
                        qPrintable(QString("%1 %2: %3, expected %4")
                                       .arg(name.c_str(), field.c_str())
                                       .arg(value, 0, 'g', 17)
                                       .arg(expect, 0, 'g', 17)));
                }
            }
            return;
        }
        const std::string want = expected.at("error").get<std::string>();
        QVERIFY2(!error.empty(), "opened and read without an error");
        QVERIFY2(error.rfind(path + ": ", 0) == 0, error.c_str());
        QVERIFY2(error.find(want) != std::string::npos, (error + "\n   expected: " + want).c_str());
    }

    void errorThroughCli_data() { errorThroughCore_data(); }

    void errorThroughCli()
    {
        QFETCH(QString, file);
        const auto& expected = expectations().at(file.toStdString());
        const QString path = badDir + "/" + file;
        QProcess ckpt;
        ckpt.start(CKPT_BINARY_DIR "/app/ckpt", { "stats", path });
        QVERIFY(ckpt.waitForFinished(60000));
        QCOMPARE(ckpt.exitStatus(), QProcess::NormalExit);
        const QString err = QString::fromUtf8(ckpt.readAllStandardError()).trimmed();
        if (expected.contains("opens")) {
            QCOMPARE(ckpt.exitCode(), 0);
            return;
        }
        QCOMPARE(ckpt.exitCode(), 3);
        QVERIFY2(!err.contains('\n'), qPrintable(err));
        QVERIFY2(err.startsWith("error: " + path + ": "), qPrintable(err));
        QVERIFY2(err.contains(QString::fromStdString(expected.at("error").get<std::string>())), qPrintable(err));
    }

    // Memory is bounded by what the file holds: `ckpt stats` (and its guarded children) peak at
    // no more than 256 MiB plus twice the file on every corpus file (zip bombs, huge headers,
    // 95 000 dimensions, shared deflate streams included).
    void peakMemoryWithinBudget_data() { errorThroughCore_data(); }

    void peakMemoryWithinBudget()
    {
        QFETCH(QString, file);
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("measured in the regular build: the sanitizers' shadow memory and quarantine are not the file's doing");
#endif
        // The process's own pages (larger under the sanitizers) are not the file's doing.
        static const long long baselineKiB = peakKiBOfStats(badDir + "/empty.bin");
        const long long peakKiB = peakKiBOfStats(badDir + "/" + file);
        const long long budgetKiB = baselineKiB + (256LL << 10) + 2 * (QFileInfo(badDir + "/" + file).size() >> 10);
        QVERIFY2(peakKiB <= budgetKiB, qPrintable(QString("%1 KiB > %2 KiB").arg(peakKiB).arg(budgetKiB)));
    }

    void noPickleRanCode()
    {
        QCOMPARE(markerFiles(), QStringList {});
    }

    // JSON strings in metadata unfold for the metadata view (core/report/MetadataForDisplay) only
    // within the bounds of base/BoundedJson.h: the 100000-deep and the 120000-key configs of
    // make_round4_files.py stay strings, a config holding a 1.5 MB string unfolds, and what is
    // shown can be dumped (the view's "Copy value"; unbounded, dump() overflowed the stack).
    void hostileJsonInMetadataStaysBounded()
    {
        const auto shown
            = [](const char* file) { return metadataForDisplay(openCheckpoint((badDir + "/" + file).toStdString())); };
        const auto deep = shown("safetensors_metadata_deep_json.safetensors");
        QVERIFY(deep.at("__metadata__/config").is_string());
        QCOMPARE(deep.at("__metadata__/config").dump().size(), std::size_t(200002));
        const auto many = shown("safetensors_metadata_many_keys.safetensors");
        QVERIFY(many.at("__metadata__/config").is_string());
        const auto longString = shown("safetensors_metadata_long_string.safetensors");
        QCOMPARE(
            longString.at("__metadata__/config").at("a").get_ref<const std::string&>().size(), std::size_t(1500000));
        QCOMPARE(longString.at("__metadata__/note").get<std::string>(), std::string("ok"));

        // At the bounds a config still unfolds; one past them it stays a string.
        Checkpoint c;
        c.metadata["deep"] = std::string(256, '[') + std::string(256, ']');
        c.metadata["deeper"] = std::string(257, '[') + std::string(257, ']');
        std::string keys = "{";
        for (int i = 0; i < 1025; ++i)
            keys += (i ? ",\"" : "\"") + std::to_string(i) + "\":0";
        c.metadata["keys"] = keys + "}";
        const auto bounds = metadataForDisplay(c);
        QVERIFY(bounds.at("deep").is_array());
        QCOMPARE(bounds.at("deep").dump(), c.metadata["deep"].get<std::string>());
        QVERIFY(bounds.at("deeper").is_string());
        QVERIFY(bounds.at("keys").is_string());
    }

private:
    // Peak resident memory of `ckpt stats FILE`: the largest of the process and its children.
    static long long peakKiBOfStats(const QString& file)
    {
        const std::string path = file.toStdString();
        const pid_t child = fork();
        if (child == 0) {
            const int devNull = open("/dev/null", O_WRONLY);
            dup2(devNull, STDOUT_FILENO);
            dup2(devNull, STDERR_FILENO);
            execl(CKPT_BINARY_DIR "/app/ckpt", "ckpt", "stats", path.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        int status = 0;
        rusage usage {};
        if (child < 0 || wait4(child, &status, 0, &usage) != child || !WIFEXITED(status))
            return std::numeric_limits<long long>::max();
        return usage.ru_maxrss;
    }
};

QTEST_GUILESS_MAIN(TestBadFiles)
#include "tst_badfiles.moc"
