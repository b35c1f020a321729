// RunSession without any window: a training run read through the JobTracker gives the core's
// timeline (computeTimeline on the same folder), names itself in the progress, fails with one
// line "FOLDER: reason" when the folder holds no checkpoint, and a cancelled run says so and
// gives no timeline.
#include "JobTracker.h"
#include "RunSession.h"

#include <QCoreApplication>
#include <QFile>
#include <QSemaphore>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>

namespace {
const QString runDir = QStringLiteral(CKPT_TEST_DATA "/timeline/run");

bool same(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

// Waits for the run's answer; which one came.
enum class Answer { Ready, Failed, Cancelled, None };
Answer waitAnswer(RunSession& run)
{
    QSignalSpy ready(&run, &RunSession::ready);
    QSignalSpy failed(&run, &RunSession::failed);
    QSignalSpy cancelled(&run, &RunSession::cancelled);
    if (!QTest::qWaitFor([&] { return ready.count() + failed.count() + cancelled.count() > 0; }, 60000))
        return Answer::None;
    return ready.count()    ? Answer::Ready
        : failed.count()    ? Answer::Failed
        : cancelled.count() ? Answer::Cancelled
                            : Answer::None;
}
} // namespace

class TestSessionRun : public QObject {
    Q_OBJECT

private slots:
    // The cache goes to Qt's test folder, never the user's.
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // The app keeps each step's results in the XDG cache: a run opened again reads nothing,
    // with the same numbers.
    void reopenedFromTheCache()
    {
        QTemporaryDir cache;
        JobTracker jobs;
        RunSession first(&jobs, { runDir });
        QVERIFY(!first.cacheFolder().isEmpty()); // QStandardPaths::CacheLocation by default
        first.setCacheFolder(cache.path());
        first.compute();
        QCOMPARE(waitAnswer(first), Answer::Ready);
        QCOMPARE(first.timeline()->stepsFromCache, std::size_t(0));
        RunSession again(&jobs, { runDir });
        again.setCacheFolder(cache.path());
        again.compute();
        QCOMPARE(waitAnswer(again), Answer::Ready);
        QCOMPARE(again.timeline()->stepsFromCache, first.timeline()->plan.members.size());
        for (std::size_t t = 0; t < first.timeline()->tensors.size(); ++t)
            for (std::size_t s = 0; s < first.timeline()->plan.members.size(); ++s) {
                const auto& a = again.timeline()->tensors[t].steps[s];
                const auto& b = first.timeline()->tensors[t].steps[s];
                QVERIFY(
                    same(a.l2, b.l2) && same(a.changeFirst, b.changeFirst) && same(a.cosinePrevious, b.cosinePrevious));
            }
    }

    // A live run: a checkpoint still being written (half of its bytes) is skipped, not read torn;
    // once complete it joins the run, and only it is read (the earlier steps come from the cache).
    void liveRunGrowsAndSkipsTornFiles()
    {
        QTemporaryDir cache, folder;
        for (const char* name : { "epoch_1.pt", "epoch_2.pt" })
            QVERIFY(QFile::copy(runDir + "/" + name, folder.filePath(QString::fromLatin1(name))));
        JobTracker jobs;
        RunSession run(&jobs, { folder.path() });
        run.setCacheFolder(cache.path());
        run.compute();
        QCOMPARE(waitAnswer(run), Answer::Ready);
        QCOMPARE(run.timeline()->plan.members.size(), std::size_t(2));
        run.watch(true, 200);
        QVERIFY(run.watching());

        QFile source(runDir + "/epoch_10.npz");
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QByteArray bytes = source.readAll();
        QFile written(folder.filePath(QStringLiteral("epoch_10.npz")));
        QVERIFY(written.open(QIODevice::WriteOnly));
        written.write(bytes.left(bytes.size() / 2));
        written.flush();
        QCOMPARE(waitAnswer(run), Answer::Ready);
        QCOMPARE(run.timeline()->plan.members.size(), std::size_t(2));
        QCOMPARE(run.timeline()->plan.skipped.size(), std::size_t(1));
        QVERIFY(QString::fromStdString(run.timeline()->plan.skipped[0].first).endsWith(QStringLiteral("epoch_10.npz")));

        written.write(bytes.mid(bytes.size() / 2));
        written.close();
        QCOMPARE(waitAnswer(run), Answer::Ready);
        QCOMPARE(run.timeline()->plan.members.size(), std::size_t(3));
        QCOMPARE(run.timeline()->stepsFromCache, std::size_t(2));
        QVERIFY(run.timeline()->firstNonFiniteStep == std::optional<std::size_t>(2)); // its NaN is seen
    }

    void givesTheCoresTimeline()
    {
        JobTracker jobs;
        RunSession run(&jobs, { runDir });
        QSignalSpy progress(&jobs, &JobTracker::progress);
        QVERIFY(!run.timeline());
        QSignalSpy ready(&run, &RunSession::ready);
        run.compute();
        QVERIFY(run.busy());
        QVERIFY(!progress.isEmpty()); // the job is named in the progress at once
        QVERIFY2(progress.first().first().toString().contains(QStringLiteral("run")),
            qPrintable(progress.first().first().toString()));
        QVERIFY(ready.wait(60000));
        const auto timeline = run.timeline();
        QVERIFY(timeline);
        const ckpt::RunTimeline want = ckpt::computeTimeline(ckpt::planRun({ runDir.toStdString() }));
        QCOMPARE(timeline->plan.members.size(), want.plan.members.size());
        QCOMPARE(timeline->plan.orderWhy, want.plan.orderWhy);
        QCOMPARE(timeline->plan.skipped.size(), want.plan.skipped.size());
        QCOMPARE(timeline->firstNonFiniteStep, want.firstNonFiniteStep);
        QCOMPARE(timeline->tensors.size(), want.tensors.size());
        for (std::size_t t = 0; t < want.tensors.size(); ++t) {
            QCOMPARE(timeline->tensors[t].name, want.tensors[t].name);
            for (std::size_t s = 0; s < want.plan.members.size(); ++s) {
                const auto& a = timeline->tensors[t].steps[s];
                const auto& b = want.tensors[t].steps[s];
                QCOMPARE(a.present, b.present);
                QVERIFY(same(a.l2, b.l2) && same(a.changePrevious, b.changePrevious) && a.nan == b.nan);
            }
        }
    }

    // While reading, the steps read so far come out as a run of their own (the first one, then the
    // first two); the whole run only as the result.
    void partialResultsArriveStepByStep()
    {
        QTemporaryDir cache;
        JobTracker jobs;
        RunSession run(&jobs, { runDir });
        run.setCacheFolder(cache.path());
        run.setPartialInterval(0);
        QSignalSpy partial(&run, &RunSession::partial);
        run.compute();
        QCOMPARE(waitAnswer(run), Answer::Ready);
        const ckpt::RunTimeline want = ckpt::computeTimeline(ckpt::planRun({ runDir.toStdString() }));
        const std::size_t steps = want.plan.members.size();
        QCOMPARE(std::size_t(partial.count()), steps - 1);
        for (std::size_t n = 1; n < steps; ++n) {
            const auto soFar = partial.at(int(n - 1)).first().value<std::shared_ptr<const ckpt::RunTimeline>>();
            QVERIFY(soFar);
            QCOMPARE(soFar->plan.members.size(), n);
            QCOMPARE(soFar->stepsNotYetRead, steps - n);
            for (const auto& line : soFar->tensors) {
                QCOMPARE(line.steps.size(), n);
                const auto& full = *std::find_if(want.tensors.begin(), want.tensors.end(),
                    [&](const ckpt::TensorTimeline& t) { return t.name == line.name; });
                for (std::size_t s = 0; s < n; ++s)
                    QVERIFY(line.steps[s].present == full.steps[s].present && same(line.steps[s].l2, full.steps[s].l2));
            }
        }
        // "extra" first appears at the second step: the first partial run has no such tensor.
        const auto first = partial.at(0).first().value<std::shared_ptr<const ckpt::RunTimeline>>();
        QVERIFY(std::none_of(first->tensors.begin(), first->tensors.end(),
            [](const ckpt::TensorTimeline& t) { return t.name == "extra"; }));
        // Read again: every step from the cache, partial results all the same.
        partial.clear();
        run.compute();
        QCOMPARE(waitAnswer(run), Answer::Ready);
        QCOMPARE(std::size_t(partial.count()), steps - 1);
    }

    // A run cancelled while it reads gives nothing more, partial results included.
    void nothingAfterCancel()
    {
        JobTracker jobs;
        RunSession run(&jobs, { runDir });
        run.setCacheFolder({});
        run.setPartialInterval(0);
        QSignalSpy partial(&run, &RunSession::partial);
        run.compute();
        run.cancel();
        QCOMPARE(waitAnswer(run), Answer::Cancelled);
        QTest::qWait(100);
        QCOMPARE(partial.count(), 0);
    }

    void aFolderWithoutCheckpointsIsOneLine()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        JobTracker jobs;
        RunSession run(&jobs, { dir.path() });
        QSignalSpy failed(&run, &RunSession::failed);
        run.compute();
        QCOMPARE(waitAnswer(run), Answer::Failed);
        const QString message = failed.first().first().toString();
        QCOMPARE(message, dir.path() + QStringLiteral(": no checkpoint in the run"));
        QVERIFY(!run.timeline());
    }

    // Cancelled while it waits for a worker (every worker is held busy until then): it never
    // starts, says it was cancelled, and gives no timeline.
    void cancelledBeforeItStarts()
    {
        JobTracker jobs;
        QObject holder;
        QSemaphore release;
        const int workers = QThread::idealThreadCount();
        for (int i = 0; i < workers; ++i)
            jobs.run(
                &holder, QString::number(i), QString(),
                [&release](JobTracker::Job&) {
                    release.acquire();
                    return 0;
                },
                [](int) {});
        RunSession run(&jobs, { runDir });
        run.compute();
        run.cancel();
        release.release(workers);
        QCOMPARE(waitAnswer(run), Answer::Cancelled);
        QVERIFY(!run.timeline());
    }

    // A newer request supersedes the older: one answer, in the order asked for last.
    void aNewerOrderSupersedes()
    {
        JobTracker jobs;
        RunSession run(&jobs, { runDir });
        QSignalSpy ready(&run, &RunSession::ready);
        run.compute(ckpt::StepOrder::Auto);
        run.compute(ckpt::StepOrder::Name);
        QCOMPARE(run.requestedOrder(), ckpt::StepOrder::Name);
        QVERIFY(ready.wait(60000));
        QVERIFY(jobs.waitForIdle());
        QCoreApplication::processEvents(); // a superseded answer would come queued by now: none does
        QCOMPARE(ready.count(), 1);
        QCOMPARE(run.timeline()->plan.order, ckpt::StepOrder::Name);
    }
};

QTEST_MAIN(TestSessionRun)
#include "tst_session_run.moc"
