#include "base/CheckpointError.h"
#include "io/ByteSource.h"
#include "io/MappedAccess.h"
#include "io/MappedReadAhead.h"
#include "numerics/Stats.h"
#include "open/ReaderRegistry.h"
#include "report/TensorTable.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

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

// Bytes 0, 1, ..., 250, 0, 1, ...: every offset holds a value that says where it is (mod 251).
std::string patterned(std::size_t n)
{
    std::string bytes(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        bytes[i] = static_cast<char>(i % 251);
    return bytes;
}

// Drops the file's pages from the page cache (written back first; no root needed). False when
// some stay cached, or the filesystem cannot read the file past the cache (O_DIRECT): a test of
// direct reads then has nothing to check.
bool dropFromPageCache(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0)
        return false;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    struct stat st { };
    ::fstat(fd, &st);
    void* map = ::mmap(nullptr, std::size_t(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    bool uncached = map != MAP_FAILED;
    if (uncached) {
        std::vector<unsigned char> resident((std::size_t(st.st_size) + 4095) / 4096);
        uncached = ::mincore(map, std::size_t(st.st_size), resident.data()) == 0
            && std::none_of(resident.begin(), resident.end(), [](unsigned char r) { return r & 1; });
        ::munmap(map, std::size_t(st.st_size));
    }
    ::close(fd);
    const int direct = ::open(path.c_str(), O_RDONLY | O_DIRECT);
    if (direct >= 0)
        ::close(direct);
    return uncached && direct >= 0;
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

    // From a cold page cache, ranges that fit the window are read past it into the read-ahead's
    // ring (which wraps several times here), at odd offsets and lengths, and handed to the sweep
    // byte for byte; a range larger than the window, and a cached file, go through the mapping.
    void uncachedRangesAreReadDirectly()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("data.bin").toStdString();
        const std::string bytes = patterned(std::size_t(40) << 20);
        std::ofstream(path, std::ios::binary) << bytes;
        if (!dropFromPageCache(path))
            QSKIP("this filesystem keeps the file cached or has no direct reads");
        const ckpt::FileByteSource source(path);
        constexpr std::int64_t MiB = 1 << 20;
        std::vector<ckpt::MappedRange> ranges;
        for (std::int64_t at = 100; at + 3 * MiB + 7 < 30 * MiB; at += 3 * MiB + 7)
            ranges.push_back({ source.data() + at, 3 * MiB + 7 - (at % 5) });
        ranges.push_back({});
        ranges.push_back({ source.data() + 30 * MiB + 1, 9 * MiB }); // larger than the window
        ckpt::MappedReadAhead ahead(ranges, 8 * MiB);
        std::int64_t direct = 0;
        for (std::size_t i = 0; i < ranges.size(); ++i) {
            const std::byte* got = ahead.take(i);
            if (i + 2 < ranges.size()) {
                QVERIFY2(got, qPrintable(QStringLiteral("range %1 was not read directly").arg(i)));
                const std::size_t at = std::size_t(ranges[i].begin - source.data());
                QVERIFY(std::memcmp(got, bytes.data() + at, std::size_t(ranges[i].bytes)) == 0);
                direct += ranges[i].bytes;
            } else {
                QVERIFY(!got); // not mapped, or larger than the window: through the mapping
            }
        }
        QCOMPARE(ahead.bytesReadDirectly(), direct);
        // Read through the mapping, hence cached now: through the mapping again.
        const ckpt::FileByteSource cached(path);
        for (std::int64_t i = 0; i < 4 * MiB; i += 4096)
            (void)*static_cast<const volatile std::byte*>(cached.data() + 30 * MiB + 1 + i);
        ckpt::MappedReadAhead again({ { cached.data() + 30 * MiB + 1, 4 * MiB } }, 8 * MiB);
        QVERIFY(!again.take(0));
    }

    // A file truncated after it was opened: the direct read comes up short, and the sweep is
    // sent to the mapping, which reports the truncation (tested above); nothing faults here.
    void aTruncatedUncachedFileFallsBackToTheMapping()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("data.bin").toStdString();
        std::ofstream(path, std::ios::binary) << patterned(std::size_t(8) << 20);
        if (!dropFromPageCache(path))
            QSKIP("this filesystem keeps the file cached or has no direct reads");
        const ckpt::FileByteSource source(path);
        QCOMPARE(::truncate(path.c_str(), 4096), 0);
        ckpt::MappedReadAhead ahead({ { source.data() + 1000, 3000 }, { source.data() + (1 << 20), 1 << 20 } });
        QVERIFY(ahead.take(0)); // within what is left
        QVERIFY(!ahead.take(1));
        QCOMPARE(ahead.bytesReadDirectly(), std::int64_t(3000));
    }

    // The tensor table of an uncached checkpoint, read directly, equals the one read through the
    // mapping (one thread each: the same order of sums).
    void tableOfAnUncachedCheckpointIsTheSame()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("big.npy").toStdString();
        writeNpy(path, 3'000'001);
        ckpt::StatsOptions options;
        options.threads = 1;
        options.bins = 1;
        std::vector<ckpt::TensorTableRow> expected;
        {
            const ckpt::Checkpoint mapped = ckpt::openCheckpoint(path);
            for (const auto& t : mapped.tensors)
                expected.push_back(ckpt::tensorTableRow(t, ckpt::TableMetrics::Basic, options));
        } // unmapped, so that the page cache can let the file go
        if (!dropFromPageCache(path))
            QSKIP("this filesystem keeps the file cached or has no direct reads");
        const ckpt::Checkpoint c = ckpt::openCheckpoint(path);
        std::vector<const ckpt::Tensor*> tensors;
        for (const auto& t : c.tensors)
            tensors.push_back(&t);
        std::vector<ckpt::TensorTableRow> rows;
        int fromTheReadAhead = 0;
        ckpt::sweepTensors(tensors, options, [&](std::size_t i, const ckpt::Tensor& t, const ckpt::StatsOptions& o) {
            fromTheReadAhead += t.data != tensors[i]->data;
            rows.push_back(ckpt::tensorTableRow(t, ckpt::TableMetrics::Basic, o));
        });
        QVERIFY(fromTheReadAhead > 0);
        QCOMPARE(rows.size(), expected.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE(rows[i].info.name, expected[i].info.name);
            QCOMPARE(rows[i].stats.mean, expected[i].stats.mean);
            QCOMPARE(rows[i].stats.std, expected[i].stats.std);
            QCOMPARE(rows[i].stats.min, expected[i].stats.min);
            QCOMPARE(rows[i].stats.max, expected[i].stats.max);
            QCOMPARE(rows[i].l2, expected[i].l2);
            QCOMPARE(rows[i].stats.zeros, expected[i].stats.zeros);
        }
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
