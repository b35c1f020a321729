// The session library without any window: the job tracker's rules (a newer job of a lane
// supersedes the older, whose result is dropped; cancel is one flag; a dead owner gets nothing;
// errors come back as one line) and a CheckpointSession driven through its signals.
#include "CheckpointSession.h"
#include "JobTracker.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <thread>

namespace {
const QString data = QStringLiteral(CKPT_TEST_DATA);

// Work that runs until it is cancelled (or a second has passed), then returns `value`.
auto slowWork(int value)
{
    return [value](JobTracker::Job& job) {
        for (int i = 0; i < 1000 && !job.cancelled(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return value;
    };
}

bool waitOpened(CheckpointSession& s)
{
    QSignalSpy opened(&s, &CheckpointSession::opened);
    QSignalSpy failed(&s, &CheckpointSession::openFailed);
    s.open();
    return QTest::qWaitFor([&] { return opened.count() + failed.count() > 0; }, 30000) && opened.count() == 1;
}
} // namespace

class TestSession : public QObject {
    Q_OBJECT

private slots:
    void newerJobOfALaneDropsTheOlderResult()
    {
        JobTracker jobs;
        QObject owner;
        QList<int> delivered;
        jobs.run(&owner, "lane", "first", slowWork(1), [&](int v) { delivered << v; });
        const quint64 second = jobs.run(&owner, "lane", "second", slowWork(2), [&](int v) { delivered << v; });
        QVERIFY(second > 1);
        // The first job was cancelled by the second (it returned early): only the newest result
        // arrives, once the second has run to its end.
        QTRY_COMPARE_WITH_TIMEOUT(delivered, QList<int> { 2 }, 10000);
        QVERIFY(!jobs.busy());
        QTest::qWait(50);
        QCOMPARE(delivered, QList<int> { 2 });
    }

    void jobsOfOtherLanesOrOwnersRunSideBySide()
    {
        JobTracker jobs;
        QObject a, b;
        QList<int> delivered;
        auto quick = [](int v) { return [v](JobTracker::Job&) { return v; }; };
        jobs.run(&a, "lane", "a", quick(1), [&](int v) { delivered << v; });
        jobs.run(&b, "lane", "b", quick(2), [&](int v) { delivered << v; });
        jobs.run(&a, "other", "a2", quick(3), [&](int v) { delivered << v; });
        QTRY_COMPARE(delivered.size(), 3);
        std::sort(delivered.begin(), delivered.end());
        QCOMPARE(delivered, (QList<int> { 1, 2, 3 }));
    }

    void cancelIsOneFlagAndSaysSo()
    {
        JobTracker jobs;
        QObject owner;
        bool done = false;
        std::optional<JobFailure> failure;
        jobs.run(
            &owner, "lane", "slow",
            [](JobTracker::Job& job) {
                while (!job.cancelled())
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                throw ckpt::Cancelled();
                return 0;
            },
            [&](int) { done = true; }, [&](const JobFailure& f) { failure = f; });
        QVERIFY(jobs.busy(&owner, "lane"));
        jobs.cancel(&owner, "lane");
        QTRY_VERIFY(failure.has_value());
        QVERIFY(failure->cancelled);
        QVERIFY(!done);
    }

    // The Cancel button (cancelAll without an owner) stops what the progress names, not the
    // quiet reads of a table's cells.
    void cancelAllSparesQuietJobs()
    {
        JobTracker jobs;
        QObject owner;
        QList<int> delivered;
        std::optional<JobFailure> failure;
        jobs.run(&owner, QString(), QString(), slowWork(1), [&](int v) { delivered << v; });
        jobs.run(
            &owner, "lane", "named",
            [](JobTracker::Job& job) {
                for (int i = 0; i < 1000; ++i) {
                    if (job.cancelled())
                        throw ckpt::Cancelled();
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
                return 2;
            },
            [&](int v) { delivered << v; }, [&](const JobFailure& f) { failure = f; });
        jobs.cancelAll();
        QTRY_VERIFY_WITH_TIMEOUT(!jobs.busy(), 10000);
        QTRY_COMPARE(delivered, QList<int> { 1 }); // the quiet job ran to its end
        QVERIFY(failure && failure->cancelled);
    }

    void errorsComeBackAsOneLine()
    {
        JobTracker jobs;
        QObject owner;
        QString message;
        jobs.run(
            &owner, QString(), "fails",
            [](JobTracker::Job&) -> int { throw std::runtime_error("file.pt: bad\nthing\x1b[2J"); }, [](int) {},
            [&](const JobFailure& f) { message = f.message; });
        QTRY_VERIFY(!message.isEmpty());
        QVERIFY2(!message.contains(QLatin1Char('\n')) && !message.contains(QChar(0x1b)), qPrintable(message));
    }

    void aDestroyedOwnerGetsNothing()
    {
        JobTracker jobs;
        bool delivered = false;
        {
            QObject owner;
            jobs.run(&owner, "lane", "work", slowWork(1), [&](int) { delivered = true; });
            jobs.cancelAll(&owner);
        }
        QVERIFY(jobs.waitForIdle());
        QTest::qWait(50);
        QVERIFY(!delivered);
    }

    void progressIsOneSignal()
    {
        JobTracker jobs;
        QObject owner;
        QSignalSpy progress(&jobs, &JobTracker::progress);
        jobs.run(
            &owner, "lane", "counting",
            [](JobTracker::Job& job) {
                for (int i = 0; i <= 30; ++i) {
                    job.progressCallback()(i / 30.0);
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
                return 0;
            },
            [](int) {});
        QTRY_VERIFY(!jobs.busy());
        QTRY_VERIFY(!progress.isEmpty() && progress.last().at(1).toDouble() < 0); // idle at the end
        QCOMPARE(progress.first().at(0).toString(), QStringLiteral("counting"));
        bool sawMiddle = false;
        for (const auto& p : progress)
            sawMiddle = sawMiddle || (p.at(1).toDouble() > 0 && p.at(1).toDouble() < 1);
        QVERIFY(sawMiddle);
    }

    void sessionOpensAndComputesStatistics()
    {
        JobTracker jobs;
        CheckpointSession s(&jobs, data + "/verify/mlp.params", "mlp.params");
        QVERIFY(waitOpened(s));
        QVERIFY(s.isOpen());
        QCOMPARE(s.checkpoint()->tensors.size(), std::size_t(4));
        QSignalSpy ready(&s, &CheckpointSession::statsReady);
        s.requestStats(0, 32);
        QTRY_COMPARE(ready.count(), 1);
        QCOMPARE(ready.first().at(0).toInt(), 0);
        const auto* stats = s.cachedStats(0, 32);
        QVERIFY(stats);
        QCOMPARE(stats->count, s.checkpoint()->tensors[0].info.numel());
        // Asked again: answered from the cache, and still as a signal.
        s.requestStats(0, 32);
        QCOMPARE(ready.count(), 1);
        QTRY_COMPARE(ready.count(), 2);
    }

    void sessionOpenFailsWithOneLine()
    {
        JobTracker jobs;
        CheckpointSession s(&jobs, data + "/bad/random.bin", "random.bin");
        QSignalSpy failed(&s, &CheckpointSession::openFailed);
        s.open();
        QTRY_COMPARE(failed.count(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.startsWith(data + "/bad/random.bin: "), qPrintable(message));
        QVERIFY(!s.isOpen());
    }

    // Slice blocks carry the view that asked; exact 64-bit integers come as text.
    void sliceBlocksAreReadInTheBackground()
    {
        JobTracker jobs;
        CheckpointSession s(&jobs, data + "/hdf5/slices3d.h5", "slices3d.h5");
        QVERIFY(waitOpened(s));
        int cube = -1;
        for (std::size_t i = 0; i < s.checkpoint()->tensors.size(); ++i)
            if (s.checkpoint()->tensors[i].info.name == "cube")
                cube = int(i);
        QVERIFY(cube >= 0);
        QList<std::shared_ptr<const SliceBlock>> blocks;
        connect(
            &s, &CheckpointSession::sliceBlockReady, this, [&](std::shared_ptr<const SliceBlock> b) { blocks << b; });
        ckpt::SliceBlockRequest r;
        r.rowAxis = 1;
        r.colAxis = 2;
        r.fixed = { 1, 0, 0 };
        r.rows = 3;
        r.columns = 4;
        s.requestSliceBlock(cube, 7, 0, 0, r);
        QTRY_COMPARE(blocks.size(), 1);
        QCOMPARE(blocks[0]->view, quint64(7));
        QVERIFY(blocks[0]->error.isEmpty());
        QCOMPARE(blocks[0]->cells.values[11], 23.0); // cube[1, 2, 3] = 1*12 + 2*4 + 3
        // Two views asking for the same cells while they are read: both are answered.
        r.fixed = { 0, 0, 0 };
        s.requestSliceBlock(cube, 20, 0, 0, r);
        s.requestSliceBlock(cube, 21, 0, 0, r);
        QTRY_COMPARE(blocks.size(), 3);
        QCOMPARE(blocks[1]->view, quint64(20));
        QCOMPARE(blocks[2]->view, quint64(21));
        QCOMPARE(blocks[2]->cells.values[11], 11.0);
        blocks.removeLast();
        blocks.removeLast();
        r.fixed = { 1, 0, 0 };
        // Outside the tensor: an error for the block, not a crash.
        r.fixed = { 5, 0, 0 };
        s.requestSliceBlock(cube, 8, 0, 0, r);
        QTRY_COMPARE(blocks.size(), 2);
        QVERIFY(!blocks[1]->error.isEmpty());
    }

    // A newer comparison supersedes the older; a failure names the file.
    void compareThroughTheSession()
    {
        JobTracker jobs;
        CheckpointSession s(&jobs, data + "/verify/mlp.params", "mlp.params");
        QVERIFY(waitOpened(s));
        QSignalSpy compared(&s, &CheckpointSession::compared);
        QSignalSpy failed(&s, &CheckpointSession::compareFailed);
        s.compare(data + "/bad/random.bin", {}, true);
        s.compare(data + "/verify/mlp.safetensors", {}, true);
        QTRY_COMPARE(compared.count(), 1);
        QTest::qWait(50);
        QCOMPARE(failed.count(), 0); // the first comparison was superseded: its error is dropped
        QVERIFY(s.checkpointB());
        s.compare(data + "/bad/random.bin", {}, true);
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("random.bin: ")));
    }

    void exportAndItsCancel()
    {
        JobTracker jobs;
        CheckpointSession s(&jobs, data + "/verify/mlp.params", "mlp.params");
        QVERIFY(waitOpened(s));
        QTemporaryDir dir;
        QSignalSpy exported(&s, &CheckpointSession::exported);
        const QString out = dir.filePath("out.safetensors");
        s.exportTo(out, {});
        QTRY_COMPARE(exported.count(), 1);
        QCOMPARE(exported.first().at(0).toString(), out);
        QCOMPARE(exported.first().at(1).toInt(), 4);
        QVERIFY(QFileInfo::exists(out));
    }

    void verifyThroughTheSession()
    {
        JobTracker jobs;
        CheckpointSession s(&jobs, data + "/verify/mlp.params", "mlp.params");
        QVERIFY(waitOpened(s));
        QSignalSpy verified(&s, &CheckpointSession::verified);
        QSignalSpy failed(&s, &CheckpointSession::verifyFailed);
        ckpt::VerifyRequest r;
        r.reference = ckpt::VerifyReference::OutputsInOtherFile;
        s.verify(r, data + "/verify/mlp-io.pt");
        QTRY_COMPARE(verified.count(), 1);
        const auto v = verified.first().first().value<std::shared_ptr<const ckpt::Verification>>();
        QVERIFY(v->result.comparison.match);
        // The clone is missing: the error names it.
        r.reference = ckpt::VerifyReference::Clone;
        s.verify(r, data + "/verify/does-not-exist.h5");
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("does-not-exist.h5")));
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
