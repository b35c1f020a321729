// The one rule for files a checkpoint names besides itself (io/ContainedPath.h), through every
// reader that follows it, and the refusal of inputs that are not regular files. Layouts are
// built in a temporary folder: symlinks, FIFOs and a Hugging Face hub cache.
#include "base/CheckpointError.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

#include <sys/stat.h>

using namespace ckpt;
namespace fs = std::filesystem;

namespace {

const fs::path kData = CKPT_TEST_DATA;

// The reason openCheckpoint or a full read gives, or "" when everything could be read.
std::string openAndReadError(const std::string& path)
{
    try {
        const Checkpoint c = openCheckpoint(path);
        for (const auto& t : c.tensors)
            (void)readTensor(t);
    } catch (const CheckpointError& e) {
        return e.reason();
    }
    return {};
}

// `ckpt ls FILE` in a child process, so that a regression that blocks (a FIFO opened for
// reading waits for a writer) fails the test instead of hanging it.
QString lsError(const QString& path)
{
    QProcess ckpt;
    ckpt.start(CKPT_BINARY_DIR "/app/ckpt", { "stats", path });
    if (!ckpt.waitForFinished(20000)) {
        ckpt.kill();
        ckpt.waitForFinished();
        return "did not finish";
    }
    return QString::fromUtf8(ckpt.readAllStandardError()).trimmed();
}

void makeFifo(const fs::path& path)
{
    QVERIFY(mkfifo(path.c_str(), 0600) == 0);
}

// The sharded safetensors fixture laid out as huggingface_hub caches it: files in blobs/ named
// by hash, the snapshot's names symlinks into ../../blobs.
fs::path huggingFaceCache(const fs::path& root)
{
    const fs::path model = root / "hub" / "models--org--name";
    fs::create_directories(model / "blobs");
    fs::create_directories(model / "snapshots" / "0123abcd");
    int n = 0;
    for (const char* name :
        { "model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors" }) {
        const std::string blob = "b10b" + std::to_string(n++);
        fs::copy_file(kData / "safetensors" / name, model / "blobs" / blob);
        fs::create_symlink(fs::path("../../blobs") / blob, model / "snapshots" / "0123abcd" / name);
    }
    return model / "snapshots" / "0123abcd";
}

} // namespace

class TestContainedPath : public QObject {
    Q_OBJECT

private slots:
    void huggingFaceCacheLayoutOpens()
    {
        QTemporaryDir dir;
        const fs::path snapshot = huggingFaceCache(dir.path().toStdString());
        const std::string index = (snapshot / "model.safetensors.index.json").string();
        QCOMPARE(QString::fromStdString(openAndReadError(index)), QString());
        QCOMPARE(openCheckpoint(index).tensors.size(), std::size_t(6));
    }

    void shardLinkedOutOfTheFolderIsRefused()
    {
        QTemporaryDir dir;
        const fs::path d = dir.path().toStdString();
        fs::create_directories(d / "model");
        fs::copy_file(
            kData / "safetensors" / "model.safetensors.index.json", d / "model" / "model.safetensors.index.json");
        fs::copy_file(kData / "safetensors" / "model-00001-of-00002.safetensors",
            d / "model" / "model-00001-of-00002.safetensors");
        fs::copy_file(kData / "safetensors" / "model-00002-of-00002.safetensors", d / "elsewhere.safetensors");
        fs::create_symlink("../elsewhere.safetensors", d / "model" / "model-00002-of-00002.safetensors");
        QCOMPARE(QString::fromStdString(openAndReadError((d / "model" / "model.safetensors.index.json").string())),
            QString("shard 'model-00002-of-00002.safetensors' leaves the checkpoint's folder through a link"));
    }

    void fifoAsShardIsRefused()
    {
        QTemporaryDir dir;
        const fs::path d = dir.path().toStdString();
        fs::copy_file(kData / "safetensors" / "model.safetensors.index.json", d / "model.safetensors.index.json");
        fs::copy_file(
            kData / "safetensors" / "model-00001-of-00002.safetensors", d / "model-00001-of-00002.safetensors");
        makeFifo(d / "model-00002-of-00002.safetensors");
        const QString path = QString::fromStdString((d / "model.safetensors.index.json").string());
        QCOMPARE(lsError(path), "error: " + path + ": shard 'model-00002-of-00002.safetensors' is not a regular file");
    }

    void inputsThatAreNotRegularFiles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("fifo") << "fifo";
        QTest::newRow("device") << "device";
        QTest::newRow("directory") << "directory";
    }

    void inputsThatAreNotRegularFiles()
    {
        QFETCH(QString, kind);
        QTemporaryDir dir;
        QString path = dir.path() + "/input.pt";
        QString reason = "not a regular file";
        if (kind == "fifo")
            makeFifo(path.toStdString());
        else if (kind == "device")
            path = "/dev/zero";
        else {
            QVERIFY(QDir(dir.path()).mkdir("input.pt")); // a folder is opened as a model folder
            reason = "a folder with no checkpoint file in it (nor a model folder's model.safetensors, "
                     "pytorch_model.bin, saved_model.pb + variables/, ...)";
        }
        QCOMPARE(lsError(path), "error: " + path + ": " + reason);
    }

    // HDF5 external storage: resolved from the file's folder whatever the current directory,
    // and under the same rule as shards.
    void hdf5ExternalFileFromTheFilesFolder()
    {
        QTemporaryDir dir;
        const fs::path d = dir.path().toStdString();
        fs::copy_file(kData / "bad" / "hdf5_external_inside.h5", d / "x.h5");
        fs::copy_file(kData / "bad" / "hdf5_external_inside.bin", d / "hdf5_external_inside.bin");
        const QString before = QDir::currentPath();
        QDir::setCurrent("/");
        const Checkpoint c = openCheckpoint((d / "x.h5").string());
        const TensorData data = readTensor(c.tensors.at(0));
        QDir::setCurrent(before);
        QCOMPARE(data.as<float>()[7], 7.0f);
    }

    void hdf5ExternalFileThroughALinkOrAFifo_data()
    {
        QTest::addColumn<bool>("fifo");
        QTest::newRow("link to /etc/passwd") << false;
        QTest::newRow("fifo") << true;
    }

    void hdf5ExternalFileThroughALinkOrAFifo()
    {
        QFETCH(bool, fifo);
        QTemporaryDir dir;
        const fs::path d = dir.path().toStdString();
        fs::copy_file(kData / "bad" / "hdf5_external_inside.h5", d / "x.h5");
        if (fifo)
            makeFifo(d / "hdf5_external_inside.bin");
        else
            fs::create_symlink("/etc/passwd", d / "hdf5_external_inside.bin");
        const Checkpoint c = openCheckpoint((d / "x.h5").string());
        const std::string why = fifo ? "is not a regular file" : "leaves the checkpoint's folder through a link";
        QCOMPARE(QString::fromStdString(c.tensors.at(0).info.unreadable),
            QString::fromStdString("dataset /w: external file 'hdf5_external_inside.bin' " + why));
        QCOMPARE(QString::fromStdString(openAndReadError((d / "x.h5").string())),
            QString::fromStdString(c.tensors.at(0).info.unreadable));
    }
};

QTEST_GUILESS_MAIN(TestContainedPath)
#include "tst_containedpath.moc"
