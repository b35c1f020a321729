#include "base/CheckpointError.h"
#include "io/ByteSource.h"
#include "io/MappedAccess.h"
#include "io/MappedReadAhead.h"
#include "numerics/Stats.h"
#include "open/ReaderRegistry.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <unistd.h>

namespace {

// A version 1.0 .npy of n float32 values i * 0.5.
void writeNpy(const std::string& path, int n)
{
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(n) + ",), }";
    header.resize(128 - 10 - 1, ' ');
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const std::uint16_t length = static_cast<std::uint16_t>(header.size());
    out.write(reinterpret_cast<const char*>(&length), 2);
    out << header;
    for (int i = 0; i < n; ++i) {
        const float v = static_cast<float>(i) * 0.5f;
        out.write(reinterpret_cast<const char*>(&v), 4);
    }
}

} // namespace

class TestMappedAccess : public QObject {
    Q_OBJECT

private slots:
    void accessThatDoesNotFaultRuns()
    {
        int calls = 0;
        QVERIFY(ckpt::runMappedAccess([&] { ++calls; }));
        QCOMPARE(calls, 1);
    }

    void aFileTruncatedUnderItsMappingIsAFailureNotACrash()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("data.bin").toStdString();
        std::ofstream(path, std::ios::binary) << std::string(1 << 20, 'x');
        const ckpt::FileByteSource source(path);
        QVERIFY(source.data());
        QCOMPARE(::truncate(path.c_str(), 0), 0);
        volatile char seen = 0;
        QVERIFY(!ckpt::runMappedAccess([&] { seen = static_cast<char>(source.data()[1 << 19]); }));
        // The guard is reusable afterwards, on this thread and on others.
        QVERIFY(!ckpt::runMappedAccess([&] { seen = static_cast<char>(source.data()[1000]); }));
        QVERIFY(ckpt::runMappedAccess([&] { seen = 1; }));
        QCOMPARE(int(seen), 1);
    }

    void statsReadMappedData()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("a.npy").toStdString();
        writeNpy(path, 300000);
        const auto ckpt = ckpt::openCheckpoint(path);
        QVERIFY(ckpt.tensors.front().data->mappedElements());
        const auto stats = ckpt::computeStats(ckpt.tensors.front());
        QCOMPARE(stats.count, std::int64_t(300000));
        QCOMPARE(stats.min, 0.0);
        QCOMPARE(stats.max, 149999.5);
        QCOMPARE(stats.mean, 74999.75);
        QCOMPARE(stats.zeros, std::int64_t(1));
    }

    void statsOfAFileTruncatedWhileOpenAreAnError()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("a.npy").toStdString();
        writeNpy(path, 1 << 20);
        const auto ckpt = ckpt::openCheckpoint(path);
        QCOMPARE(::truncate(path.c_str(), 4096), 0); // a training run starts saving over it
        try {
            ckpt::computeStats(ckpt.tensors.front());
            QFAIL("no error");
        } catch (const std::exception& e) {
            QCOMPARE(QString(e.what()), QStringLiteral("the file was truncated while it was being read"));
        }
    }

    // Ten 4 MiB ranges of a mapped file, and an empty one (a tensor not mapped) among them.
    static std::vector<ckpt::MappedRange> piecesOf(const ckpt::FileByteSource& source)
    {
        std::vector<ckpt::MappedRange> ranges;
        for (int i = 0; i < 10; ++i)
            ranges.push_back({ source.data() + (std::int64_t(i) << 22), std::int64_t(1) << 22 });
        ranges.insert(ranges.begin() + 3, ckpt::MappedRange {});
        return ranges;
    }

    void readAheadStaysWithinItsWindowOfTheSweep()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("data.bin").toStdString();
        std::ofstream(path, std::ios::binary) << std::string(40 << 20, 'x');
        const ckpt::FileByteSource source(path);
        constexpr std::int64_t MiB = 1 << 20;
        ckpt::MappedReadAhead ahead(piecesOf(source), 8 * MiB);
        QVERIFY(ahead.covers(0) && ahead.covers(3) && !ahead.covers(11));
        {
            const ckpt::MappedReadAhead big({ { source.data(), 16 * MiB } }, 8 * MiB);
            QVERIFY(!big.covers(0)); // larger than the window: the sweep advises the rest itself
        }
        QTRY_COMPARE_WITH_TIMEOUT(ahead.bytesRead(), 8 * MiB, 30000);
        QTest::qWait(100);
        QCOMPARE(ahead.bytesRead(), 8 * MiB); // waits for the sweep
        ahead.reached(6); // the sixth piece of the file (the empty range is index 3)
        QTRY_COMPARE_WITH_TIMEOUT(ahead.bytesRead(), 5 * 4 * MiB + 8 * MiB, 30000);
        ahead.reached(10);
        QTRY_COMPARE_WITH_TIMEOUT(ahead.bytesRead(), 40 * MiB, 30000);
        ahead.reached(99); // past the end: ignored
    }

    void readAheadSkipsWhatTheSweepHasPassed()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("data.bin").toStdString();
        std::ofstream(path, std::ios::binary) << std::string(40 << 20, 'x');
        const ckpt::FileByteSource source(path);
        ckpt::MappedReadAhead ahead(piecesOf(source), 4 << 20);
        ahead.reached(9); // the ninth piece of the file, at 32 MiB
        QTRY_COMPARE_WITH_TIMEOUT(ahead.bytesRead(), std::int64_t(36) << 20, 30000);
        QTest::qWait(100);
        QCOMPARE(ahead.bytesRead(), std::int64_t(36) << 20);
    }

    void readAheadOfATruncatedFileStopsWithoutFaulting()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("data.bin").toStdString();
        std::ofstream(path, std::ios::binary) << std::string(40 << 20, 'x');
        const ckpt::FileByteSource source(path);
        QCOMPARE(::truncate(path.c_str(), 4096), 0);
        {
            ckpt::MappedReadAhead ahead(piecesOf(source), std::int64_t(64) << 20);
            QTest::qWait(200);
            QVERIFY(ahead.bytesRead() < std::int64_t(4) << 20);
        } // and stopping it does not wait for anything
        QVERIFY(!ckpt::runMappedAccess([&] { (void)*static_cast<const volatile std::byte*>(source.data() + 8192); }));
    }

    void stopsPromptlyWhenTheSweepEndsEarly()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("data.bin").toStdString();
        std::ofstream(path, std::ios::binary) << std::string(40 << 20, 'x');
        const ckpt::FileByteSource source(path);
        {
            ckpt::MappedReadAhead ahead(piecesOf(source));
        } // a cancelled table: joined, no crash
        {
            ckpt::MappedReadAhead nothing({});
        }
        {
            ckpt::MappedReadAhead empty({ ckpt::MappedRange {} });
        }
    }
};

QTEST_GUILESS_MAIN(TestMappedAccess)
#include "tst_mappedaccess.moc"
