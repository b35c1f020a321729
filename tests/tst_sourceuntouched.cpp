// Source files are only ever read: after every `ckpt` command on every fixture, the file's
// bytes and modification time are what they were before.
#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

namespace {

struct Fingerprint {
    QByteArray sha256;
    qint64 mtimeNs = 0;
    bool operator==(const Fingerprint&) const = default;
};

Fingerprint fingerprint(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&f);
    struct stat st { };
    ::stat(QFile::encodeName(path).constData(), &st);
    return { hash.result(), qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec };
}

// Runs ckpt; returns its exit code (the code itself does not matter here, only the file).
int ckpt(const QStringList& args, QByteArray* out = nullptr)
{
    QProcess p;
    p.start(CKPT_BINARY_DIR "/app/ckpt", args);
    if (!p.waitForFinished(120000))
        return -1;
    if (out)
        *out = p.readAllStandardOutput();
    return p.exitCode();
}

} // namespace

class TestSourceUntouched : public QObject {
    Q_OBJECT
    QTemporaryDir out_;

private slots:
    void everyCommandLeavesTheFileAlone_data()
    {
        QTest::addColumn<QString>("path");
        QDirIterator it(CKPT_TEST_DATA, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (path.endsWith(".py") || path.endsWith(".md") || path.endsWith(".json") || path.contains("/bad/")
                || QFileInfo(path).size() > (8 << 20))
                continue;
            QTest::newRow(qPrintable(path.mid(int(qstrlen(CKPT_TEST_DATA)) + 1))) << path;
        }
    }

    void everyCommandLeavesTheFileAlone()
    {
        QFETCH(QString, path);
        const Fingerprint before = fingerprint(path);
        QVERIFY(!before.sha256.isEmpty());

        QByteArray listing;
        ckpt({ "ls", "--json", path }, &listing);
        ckpt({ "tree", path });
        ckpt({ "stats", "--bins", "16", path });
        // The first tensor's values, if the file opened.
        const int nameAt = listing.indexOf("\"name\": \"");
        if (nameAt >= 0) {
            const int start = nameAt + 9;
            const QString name = QString::fromUtf8(listing.mid(start, listing.indexOf('"', start) - start));
            ckpt({ "values", "--limit", "10", path, name });
        }
        ckpt({ "diff", path, path });
        ckpt({ "verify", path, "--against", path });
        for (const char* ext : { ".h5", ".safetensors", ".npz" })
            ckpt({ "export", path, "-o", out_.filePath(QString("out") + ext), "--force", "--cast", "float32" });
        QVERIFY2(fingerprint(path) == before, qPrintable(path + " changed"));
    }
};

QTEST_GUILESS_MAIN(TestSourceUntouched)
#include "tst_sourceuntouched.moc"
