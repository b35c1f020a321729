// The ckpt command line's JSON contract: keys, values and exit codes.
#include "report/PrintableText.h"

#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <QTemporaryDir>
#include <nlohmann/json.hpp>

namespace {
struct Run {
    int exitCode = -1;
    QByteArray out, err;
};

Run runCkpt(const QStringList& args)
{
    // The timeline's cache goes to a folder of this run, never the user's.
    static QTemporaryDir cache;
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CACHE_HOME"), cache.path());
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(CKPT_BINARY_DIR "/app/ckpt"), args);
    p.waitForFinished(60000);
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
        p.readAllStandardError() };
}

// Whether text could drive a terminal: control characters other than the line ends the
// command writes itself (C0, DEL, and C1 as UTF-8).
bool hasControlBytes(const QByteArray& text)
{
    for (int i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            return true;
        if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xa0)
            return true;
    }
    return false;
}

QJsonObject json(const Run& r)
{
    return QJsonDocument::fromJson(r.out).object();
}
} // namespace

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString demo_;

private slots:
    void initTestCase()
    {
        const Run r = runCkpt({ QStringLiteral("demo"), QStringLiteral("--json"), dir_.path() });
        QCOMPARE(r.exitCode, 0);
        const auto o = json(r);
        QCOMPARE(o.value(QStringLiteral("match")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("max_abs_diff")).toDouble(), 0.0);
        QCOMPARE(o.value(QStringLiteral("files")).toArray().size(), 6);
        demo_ = dir_.filePath(QStringLiteral("mlp-demo.h5"));
    }

    // ckpt timeline: the run summary, CSV with a header and one row per tensor per step, and one
    // error line for a run that cannot be read.
    void timeline()
    {
        const QString run = QStringLiteral(CKPT_TEST_DATA "/timeline/run");
        Run r = runCkpt({ QStringLiteral("timeline"), run });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("3 checkpoints, ordered by the number in each file or folder name"), r.out.constData());
        QVERIFY2(r.out.contains("first NaN or Inf at step 10 (index 2) in: 0.weight"), r.out.constData());
        QVERIFY2(r.out.contains("skipped "), r.out.constData());
        r = runCkpt({ QStringLiteral("timeline"), QStringLiteral("--csv"), QStringLiteral("--select"),
            QStringLiteral("2.*"), run });
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 1 + 2 * 3);
        QVERIFY(lines[0].startsWith("step_index,step,file,tensor,shape,count,l2,"));
        r = runCkpt({ QStringLiteral("timeline"), QStringLiteral("--order"), QStringLiteral("meta"), run });
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.startsWith("error: " + run.toUtf8() + ": cannot order the run"), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
    }

    // ckpt timeline --distribution: numpy.histogram's counts at every step (expected.json), as
    // CSV rows of step and bin, or JSON with null where the tensor is absent.
    void timelineDistribution()
    {
        const QString run = QStringLiteral(CKPT_TEST_DATA "/timeline/run");
        QFile f(QStringLiteral(CKPT_TEST_DATA "/timeline/expected.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto want = QJsonDocument::fromJson(f.readAll()).object()["distributions"].toObject()["extra"].toObject();
        Run r = runCkpt({ QStringLiteral("timeline"), QStringLiteral("--distribution"), QStringLiteral("extra"),
            QStringLiteral("--bins"), QStringLiteral("8"), run });
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines[0], QByteArray("step_index,step,file,bin_low,bin_high,count,nonfinite"));
        QCOMPARE(lines.size(), 1 + 2 * 8); // "extra" is in two of the three steps
        for (int i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> cells = lines[i].split(',');
            const int step = cells[0].toInt(), bin = (i - 1) % 8;
            QCOMPARE(cells[5].toLongLong(), qint64(want["counts"].toArray()[step].toArray()[bin].toInteger()));
        }
        r = runCkpt({ QStringLiteral("timeline"), QStringLiteral("--json"), QStringLiteral("--distribution"),
            QStringLiteral("extra"), QStringLiteral("--bins"), QStringLiteral("8"), run });
        QCOMPARE(r.exitCode, 0);
        const auto o = json(r);
        QVERIFY(o["steps"].toArray()[0].toObject()["counts"].isNull());
        QCOMPARE(o["edges"].toArray().size(), 9);
        r = runCkpt({ QStringLiteral("timeline"), QStringLiteral("--distribution"), QStringLiteral("nope"), run });
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.startsWith("error: " + run.toUtf8() + ": no tensor 'nope'"), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
    }

    // Names from a run folder reach the terminal escaped, never as raw control bytes.
    void timelineEscapesNamesOfSkippedEntries()
    {
        QTemporaryDir dir;
        for (const char* name : { "epoch_1.pt", "epoch_2.pt" }) // two: a folder of one opens as that checkpoint
            QVERIFY(QFile::copy(QStringLiteral(CKPT_TEST_DATA "/timeline/run/") + name, dir.filePath(name)));
        QFile hostile(dir.filePath(QString::fromUtf8("x\x1b]0;pwned\x07\rname_2.pt")));
        QVERIFY(hostile.open(QIODevice::WriteOnly));
        hostile.close();
        const Run r = runCkpt({ QStringLiteral("timeline"), dir.path() });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("x\\x1b]0;pwned\\x07\\rname_2.pt: file is empty"), r.out.constData());
        for (char c : r.out + r.err)
            QVERIFY(c == '\n' || static_cast<unsigned char>(c) >= 0x20);
    }

    // Exit 0 clean, 1 findings, 3 unreadable; the JSON names each finding and PyTorch's errors.
    void doctor()
    {
        const QString data = QStringLiteral(CKPT_TEST_DATA "/doctor/");
        Run r = runCkpt({ QStringLiteral("doctor"), data + "clean.pt" });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith("no findings in 9 tensors"), r.out.constData());
        r = runCkpt({ QStringLiteral("doctor"), QStringLiteral("--json"), data + "target.pt",
            QStringLiteral("--against"), data + "reference.pt" });
        QCOMPARE(r.exitCode, 1);
        const auto o = json(r);
        QCOMPARE(o.value(QStringLiteral("load_state_dict_errors")).toArray().size(), 3);
        const auto first = o.value(QStringLiteral("findings")).toArray().at(0).toObject();
        QCOMPARE(first.keys(),
            (QStringList { QStringLiteral("evidence"), QStringLiteral("kind"), QStringLiteral("tensor") }));
        r = runCkpt({ QStringLiteral("doctor"), data + "make_doctor_fixtures.py" });
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.startsWith("error: " + data.toUtf8() + "make_doctor_fixtures.py: "), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
    }

    void ls()
    {
        const Run r = runCkpt({ QStringLiteral("ls"), QStringLiteral("--json"), demo_ });
        QCOMPARE(r.exitCode, 0);
        const auto o = json(r);
        QCOMPARE(o.keys(),
            (QStringList { QStringLiteral("format"), QStringLiteral("metadata"), QStringLiteral("tensors") }));
        const auto tensors = o.value(QStringLiteral("tensors")).toArray();
        QCOMPARE(tensors.size(), 6);
        const auto first = tensors.at(0).toObject();
        QCOMPARE(first.keys(),
            (QStringList {
                QStringLiteral("dtype"), QStringLiteral("name"), QStringLiteral("nbytes"), QStringLiteral("shape") }));
        QCOMPARE(first.value(QStringLiteral("name")).toString(), QStringLiteral("hidden.weight"));
        QCOMPARE(first.value(QStringLiteral("dtype")).toString(), QStringLiteral("float32"));
        QCOMPARE(first.value(QStringLiteral("shape")).toArray(), (QJsonArray { 256, 20 }));
        QCOMPARE(first.value(QStringLiteral("nbytes")).toInt(), 256 * 20 * 4);
        QVERIFY(o.value(QStringLiteral("metadata")).toObject().contains(QStringLiteral("architecture")));
    }

    void stats()
    {
        const Run r = runCkpt({ QStringLiteral("stats"), QStringLiteral("--json"), QStringLiteral("--bins"),
            QStringLiteral("8"), dir_.filePath(QStringLiteral("x-file.h5")), QStringLiteral("x") });
        QCOMPARE(r.exitCode, 0);
        const auto t = json(r).value(QStringLiteral("tensors")).toArray().at(0).toObject();
        for (const char* key :
            { "name", "dtype", "shape", "count", "min", "max", "mean", "std", "nan", "inf", "zeros", "histogram" })
            QVERIFY2(t.contains(QLatin1String(key)), key);
        QCOMPARE(t.value(QStringLiteral("count")).toInt(), 4);
        QCOMPARE(t.value(QStringLiteral("min")).toDouble(), 0.0);
        QCOMPARE(t.value(QStringLiteral("max")).toDouble(), 3.0);
        QCOMPARE(t.value(QStringLiteral("mean")).toDouble(), 1.5);
        QCOMPARE(t.value(QStringLiteral("std")).toDouble(), std::sqrt(1.25));
        QCOMPARE(t.value(QStringLiteral("zeros")).toInt(), 1);
        const auto h = t.value(QStringLiteral("histogram")).toObject();
        QCOMPARE(h.value(QStringLiteral("edges")).toArray().size(), 9);
        QCOMPARE(h.value(QStringLiteral("counts")).toArray().size(), 8);
        QCOMPARE(t.value(QStringLiteral("l2")).toDouble(), std::sqrt(14.0));
        QCOMPARE(t.value(QStringLiteral("max_abs")).toDouble(), 3.0);
        QCOMPARE(t.value(QStringLiteral("zero_fraction")).toDouble(), 0.25);
    }

    // The tensor table as CSV: one row per tensor; spectral metrics as numpy computed them
    // (tests/data/spectral/expected.json), empty cells where a tensor has none.
    void statsTableCsv()
    {
        const Run r = runCkpt({ QStringLiteral("stats"), QStringLiteral("--csv"), QStringLiteral("--metrics"),
            QStringLiteral("all"), QStringLiteral(CKPT_TEST_DATA "/spectral/matrices.npz") });
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 1 + 7);
        const QList<QByteArray> header = lines[0].split(',');
        QCOMPARE(header.last(), QByteArray("alpha_ks"));
        QCOMPARE(header.at(header.size() - 2), QByteArray("alpha"));
        QCOMPARE(header.at(header.size() - 5), QByteArray("spectral_norm"));
        for (const QByteArray& line : lines.mid(1)) {
            const QList<QByteArray> fields = line.split(','); // the quoted shape holds a comma: count from the end
            if (line.startsWith("conv,")) // 8 eigenvalues: too few for a power-law fit
                QCOMPARE(fields.last(), QByteArray());
            if (!line.startsWith("small,"))
                continue;
            const double got = fields.at(fields.size() - 5).toDouble();
            QVERIFY2(std::fabs(got - 14.486578387602913) < 1e-5 * 14.49, line.constData());
            QVERIFY2(
                std::fabs(fields.at(fields.size() - 2).toDouble() - 4.034902453976432) < 1e-6 * 4.03, line.constData());
            return;
        }
        QFAIL("no row for the tensor 'small'");
    }

    // --filter keeps the rows that match (the same parser as the app's All tensors tab); a
    // spectral column implies --metrics all; a bad filter is a usage error saying where.
    void statsFilter()
    {
        const QString file = QStringLiteral(CKPT_TEST_DATA "/doctor/findings.pt");
        Run r = runCkpt({ QStringLiteral("stats"), QStringLiteral("--csv"), QStringLiteral("--filter"),
            QStringLiteral("nan > 0 or (denormal_fraction > 0.5 and name ~ TINY)"), file });
        QCOMPARE(r.exitCode, 0);
        QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[1].startsWith("bad.nan,"));
        QVERIFY(lines[2].startsWith("tiny.weight,"));
        r = runCkpt({ QStringLiteral("stats"), QStringLiteral("--csv"), QStringLiteral("--filter"),
            QStringLiteral("stable_rank < 1.2"), file });
        QCOMPARE(r.exitCode, 0);
        lines = r.out.trimmed().split('\n');
        QVERIFY(lines[0].endsWith(",effective_rank,alpha,alpha_ks"));
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines[1].startsWith("const.weight,"));
        r = runCkpt({ QStringLiteral("stats"), QStringLiteral("--filter"), QStringLiteral("nan >"), file });
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("'nan' is a number: expected a number at 6"), r.err.constData());
    }

    void statsOfAllTensors()
    {
        const Run r = runCkpt({ QStringLiteral("stats"), QStringLiteral("--json"), demo_ });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(json(r).value(QStringLiteral("tensors")).toArray().size(), 6);
    }

    void values()
    {
        const Run r = runCkpt({ QStringLiteral("values"), QStringLiteral("--json"),
            dir_.filePath(QStringLiteral("x-file.h5")), QStringLiteral("x") });
        QCOMPARE(r.exitCode, 0);
        const auto o = json(r);
        QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("x"));
        QCOMPARE(o.value(QStringLiteral("dtype")).toString(), QStringLiteral("int64"));
        QCOMPARE(o.value(QStringLiteral("shape")).toArray(), (QJsonArray { 4 }));
        QCOMPARE(o.value(QStringLiteral("values")).toArray(), (QJsonArray { 0, 1, 2, 3 }));
    }

    // JSON has no NaN or infinity: they are the strings "nan", "inf" and "-inf" in values and in
    // statistics (jhdf's float_special_values file holds each of them).
    void nonFiniteNumbersAreNamedInJson()
    {
        const QString file = QStringLiteral(CKPT_TEST_DATA "/world/fetched/hdf5/float_special_values_latest.hdf5");
        const Run values
            = runCkpt({ QStringLiteral("values"), QStringLiteral("--json"), file, QStringLiteral("float32") });
        QCOMPARE(values.exitCode, 0);
        const auto v = nlohmann::json::parse(values.out.toStdString());
        QCOMPARE(v["values"].dump(), std::string(R"(["inf","-inf","nan",0.0,-0.0])"));
        const Run stats
            = runCkpt({ QStringLiteral("stats"), QStringLiteral("--json"), file, QStringLiteral("float32") });
        QCOMPARE(stats.exitCode, 0);
        const auto s = nlohmann::json::parse(stats.out.toStdString())["tensors"][0];
        QCOMPARE(s["nan"].get<int>(), 1);
        QCOMPARE(s["posinf"].get<int>(), 1);
        QVERIFY(!stats.out.contains("null"));
    }

    void valuesLimit()
    {
        const Run r = runCkpt({ QStringLiteral("values"), QStringLiteral("--json"), QStringLiteral("--limit"),
            QStringLiteral("5"), demo_, QStringLiteral("hidden.weight") });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(json(r).value(QStringLiteral("values")).toArray().size(), 5);
    }

    void tree()
    {
        const Run r = runCkpt({ QStringLiteral("tree"), demo_ });
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("hidden  [2 tensors]  5,376 params"));
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("stderrStart");
        const QString bad = QStringLiteral(CKPT_TEST_DATA "/hdf5/not_hdf5.h5");
        QTest::newRow("no command") << QStringList {} << 2 << QString();
        QTest::newRow("unknown command") << QStringList { QStringLiteral("frobnicate") } << 2 << QString();
        QTest::newRow("missing file argument") << QStringList { QStringLiteral("ls") } << 2 << QString();
        QTest::newRow("bad bins") << QStringList { QStringLiteral("stats"), QStringLiteral("--bins"),
            QStringLiteral("0"), bad }
                                  << 2 << QString();
        QTest::newRow("unreadable") << QStringList { QStringLiteral("ls"), bad } << 3
                                    << QStringLiteral("error: ") + bad + QStringLiteral(": ");
        QTest::newRow("missing") << QStringList { QStringLiteral("ls"), QStringLiteral("/nonexistent/x.h5") } << 3
                                 << QStringLiteral("error: /nonexistent/x.h5: No such file or directory");
        QTest::newRow("truncated") << QStringList { QStringLiteral("stats"),
            QStringLiteral(CKPT_TEST_DATA "/hdf5/truncated.h5") }
                                   << 3 << QStringLiteral("error: " CKPT_TEST_DATA "/hdf5/truncated.h5: ");
    }
    void exitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, stderrStart);
        const Run r = runCkpt(args);
        QCOMPARE(r.exitCode, code);
        if (!stderrStart.isEmpty()) {
            QVERIFY2(QString::fromUtf8(r.err).startsWith(stderrStart), r.err.constData());
            QCOMPARE(r.err.count('\n'), 1); // one line
        }
    }

    void printableEscapesWhatATerminalWouldObey()
    {
        QCOMPARE(QString::fromStdString(ckpt::printable("a\x1b[2J\r\nb\x7f\xc2\x9b\xff\xe2\x86\x92")),
            QString::fromUtf8("a\\x1b[2J\\r\\nb\\x7f\\u009b\\xff\xe2\x86\x92"));
        QCOMPARE(QString::fromStdString(ckpt::printable(std::string("nul\0cut", 7))), QString("nul\\x00cut"));
        // a line separator (a new line in Qt), a right-to-left override ("txt.exe" shown as
        // "exe.txt"), an isolate; other text of three bytes is kept
        QCOMPARE(QString::fromStdString(ckpt::printable("a\xe2\x80\xa8"
                                                        "b\xe2\x80\xaetxt.exe\xe2\x81\xa6"
                                                        "c\xe2\x82\xac")),
            QString::fromUtf8("a\\u2028b\\u202etxt.exe\\u2066c\xe2\x82\xac"));
    }

    // A file whose tensor name clears the screen and starts a fake "verified OK" line, and whose
    // metadata sets the terminal title: every text output shows the escapes, one line each.
    void controlCharactersInNamesAreEscaped()
    {
        const QString file = QStringLiteral(CKPT_TEST_DATA "/bad/safetensors_control_names.safetensors");
        const QString name = QString::fromUtf8("w\x1b[2J\x1b[H\r\nverified OK \xc2\x9b"
                                               "31m\xc3\xbf");
        for (const QStringList& args : { QStringList { "ls", file }, QStringList { "tree", file },
                 QStringList { "stats", file }, QStringList { "values", file, name },
                 QStringList { "diff", file, file }, QStringList { "values", file, name + "\x1b[31m" } }) {
            const Run r = runCkpt(args);
            QVERIFY2(!hasControlBytes(r.out), r.out.constData());
            QVERIFY2(!hasControlBytes(r.err), r.err.constData());
            QVERIFY2(!r.out.contains("\nverified OK"), r.out.constData());
        }
        const Run ls = runCkpt({ "ls", file });
        QVERIFY2(ls.out.contains("w\\x1b[2J\\x1b[H\\r\\nverified OK \\u009b31m"), ls.out.constData());
        QVERIFY2(ls.out.contains("note\\x07 = line1\\nline2\\x1b]0;title\\x07"), ls.out.constData());
        const Run missing = runCkpt({ "values", file, "x\x1b[31m" });
        QCOMPARE(missing.exitCode, 3);
        QCOMPARE(QString::fromUtf8(missing.err), "error: " + file + ": no tensor named 'x\\x1b[31m'\n");
    }

    void unknownTensorIsAnError()
    {
        const Run r = runCkpt({ QStringLiteral("values"), demo_, QStringLiteral("nope") });
        QCOMPARE(r.exitCode, 3);
        QVERIFY(r.err.contains("no tensor named 'nope'"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
