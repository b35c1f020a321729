// The ckpt command line's JSON contract: keys, values and exit codes.
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

namespace {
struct Run {
    int exitCode = -1;
    QByteArray out, err;
};

Run ckpt(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(CKPT_BINARY_DIR "/app/ckpt"), args);
    p.waitForFinished(60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
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
        const Run r = ckpt({QStringLiteral("demo"), QStringLiteral("--json"), dir_.path()});
        QCOMPARE(r.exitCode, 0);
        const auto o = json(r);
        QCOMPARE(o.value(QStringLiteral("match")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("max_abs_diff")).toDouble(), 0.0);
        QCOMPARE(o.value(QStringLiteral("files")).toArray().size(), 6);
        demo_ = dir_.filePath(QStringLiteral("mlp-demo.h5"));
    }

    void ls()
    {
        const Run r = ckpt({QStringLiteral("ls"), QStringLiteral("--json"), demo_});
        QCOMPARE(r.exitCode, 0);
        const auto o = json(r);
        QCOMPARE(o.keys(), (QStringList{QStringLiteral("format"), QStringLiteral("metadata"), QStringLiteral("tensors")}));
        const auto tensors = o.value(QStringLiteral("tensors")).toArray();
        QCOMPARE(tensors.size(), 6);
        const auto first = tensors.at(0).toObject();
        QCOMPARE(first.keys(), (QStringList{QStringLiteral("dtype"), QStringLiteral("name"), QStringLiteral("nbytes"), QStringLiteral("shape")}));
        QCOMPARE(first.value(QStringLiteral("name")).toString(), QStringLiteral("hidden.weight"));
        QCOMPARE(first.value(QStringLiteral("dtype")).toString(), QStringLiteral("float32"));
        QCOMPARE(first.value(QStringLiteral("shape")).toArray(), (QJsonArray{256, 20}));
        QCOMPARE(first.value(QStringLiteral("nbytes")).toInt(), 256 * 20 * 4);
        QVERIFY(o.value(QStringLiteral("metadata")).toObject().contains(QStringLiteral("architecture")));
    }

    void stats()
    {
        const Run r = ckpt({QStringLiteral("stats"), QStringLiteral("--json"), QStringLiteral("--bins"), QStringLiteral("8"),
                            dir_.filePath(QStringLiteral("x-file.h5")), QStringLiteral("x")});
        QCOMPARE(r.exitCode, 0);
        const auto t = json(r).value(QStringLiteral("tensors")).toArray().at(0).toObject();
        for (const char* key : {"name", "dtype", "shape", "count", "min", "max", "mean", "std", "nan", "inf", "zeros", "histogram"})
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
    }

    void statsOfAllTensors()
    {
        const Run r = ckpt({QStringLiteral("stats"), QStringLiteral("--json"), demo_});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(json(r).value(QStringLiteral("tensors")).toArray().size(), 6);
    }

    void values()
    {
        const Run r = ckpt({QStringLiteral("values"), QStringLiteral("--json"), dir_.filePath(QStringLiteral("x-file.h5")), QStringLiteral("x")});
        QCOMPARE(r.exitCode, 0);
        const auto o = json(r);
        QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("x"));
        QCOMPARE(o.value(QStringLiteral("dtype")).toString(), QStringLiteral("int64"));
        QCOMPARE(o.value(QStringLiteral("shape")).toArray(), (QJsonArray{4}));
        QCOMPARE(o.value(QStringLiteral("values")).toArray(), (QJsonArray{0, 1, 2, 3}));
    }

    void valuesLimit()
    {
        const Run r = ckpt({QStringLiteral("values"), QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("5"), demo_,
                            QStringLiteral("hidden.weight")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(json(r).value(QStringLiteral("values")).toArray().size(), 5);
    }

    void tree()
    {
        const Run r = ckpt({QStringLiteral("tree"), demo_});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("hidden  [2 tensors]  5,376 params"));
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("stderrStart");
        const QString bad = QStringLiteral(CKPT_TEST_DATA "/hdf5/not_hdf5.h5");
        QTest::newRow("no command") << QStringList{} << 2 << QString();
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << 2 << QString();
        QTest::newRow("missing file argument") << QStringList{QStringLiteral("ls")} << 2 << QString();
        QTest::newRow("bad bins") << QStringList{QStringLiteral("stats"), QStringLiteral("--bins"), QStringLiteral("0"), bad} << 2 << QString();
        QTest::newRow("unreadable") << QStringList{QStringLiteral("ls"), bad} << 3 << QStringLiteral("error: ") + bad + QStringLiteral(": ");
        QTest::newRow("missing") << QStringList{QStringLiteral("ls"), QStringLiteral("/nonexistent/x.h5")} << 3
                                 << QStringLiteral("error: /nonexistent/x.h5: No such file or directory");
        QTest::newRow("truncated") << QStringList{QStringLiteral("stats"), QStringLiteral(CKPT_TEST_DATA "/hdf5/truncated.h5")} << 3
                                   << QStringLiteral("error: " CKPT_TEST_DATA "/hdf5/truncated.h5: ");
    }
    void exitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, stderrStart);
        const Run r = ckpt(args);
        QCOMPARE(r.exitCode, code);
        if (!stderrStart.isEmpty()) {
            QVERIFY2(QString::fromUtf8(r.err).startsWith(stderrStart), r.err.constData());
            QCOMPARE(r.err.count('\n'), 1); // one line
        }
    }

    void unknownTensorIsAnError()
    {
        const Run r = ckpt({QStringLiteral("values"), demo_, QStringLiteral("nope")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY(r.err.contains("no tensor named 'nope'"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
