// The session's tensor table (the All tensors tab's source): basic metrics of every tensor at
// once, spectral metrics batch by batch with numpy's numbers, and a spectral pass that stops
// when asked (the rows keep what arrived; nothing arrives afterwards).
#include "CheckpointSession.h"
#include "JobTracker.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <nlohmann/json.hpp>

#include <cmath>

namespace {
const QString data = QStringLiteral(CKPT_TEST_DATA);

bool waitOpened(CheckpointSession& s)
{
    QSignalSpy opened(&s, &CheckpointSession::opened);
    s.open();
    return opened.wait(30000);
}

nlohmann::json expectedSpectra()
{
    QFile f(data + "/spectral/expected.json");
    return f.open(QIODevice::ReadOnly) ? nlohmann::json::parse(f.readAll().toStdString()) : nlohmann::json();
}

const ckpt::TensorTableRow* rowNamed(const CheckpointSession& s, const std::string& name)
{
    for (const auto& r : *s.table())
        if (r.info.name == name)
            return &r;
    return nullptr;
}
} // namespace

class TestSessionTable : public QObject {
    Q_OBJECT

private slots:
    void spectralMetricsArriveAsNumpyHasThem()
    {
        JobTracker jobs;
        CheckpointSession s(&jobs, data + "/spectral/matrices.npz", "matrices.npz");
        QVERIFY(waitOpened(s));
        QSignalSpy ready(&s, &CheckpointSession::tableReady);
        QSignalSpy rows(&s, &CheckpointSession::tableRowsChanged);
        QSignalSpy finished(&s, &CheckpointSession::tableFinished);
        s.computeTable(true);
        QVERIFY(finished.wait(60000));
        QCOMPARE(ready.count(), 1);
        QVERIFY(rows.count() >= 1);
        const auto want = expectedSpectra();
        QVERIFY(!want.empty());
        for (const auto& [name, e] : want.items()) {
            const ckpt::TensorTableRow* row = rowNamed(s, name);
            QVERIFY2(row && row->spectral, name.c_str());
            const double norm = e["spectral_norm"].get<double>();
            QVERIFY2(std::abs(row->spectral->spectralNorm - norm) <= 1e-4 * norm, name.c_str());
        }
    }

    void stoppingTheSpectralPassKeepsTheRows()
    {
        JobTracker jobs;
        CheckpointSession s(&jobs, data + "/spectral/matrices.npz", "matrices.npz");
        QVERIFY(waitOpened(s));
        QSignalSpy ready(&s, &CheckpointSession::tableReady);
        QSignalSpy rows(&s, &CheckpointSession::tableRowsChanged);
        QSignalSpy finished(&s, &CheckpointSession::tableFinished);
        QSignalSpy failed(&s, &CheckpointSession::tableFailed);
        s.computeTable(true);
        QVERIFY(ready.wait(60000));
        // The first batch is running (or done and waiting to be delivered): stopping drops it.
        s.stopSpectral();
        QCOMPARE(finished.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!s.busy(QStringLiteral("table")), 30000);
        QTest::qWait(100);
        QCOMPARE(rows.count(), 0);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(finished.count(), 1);
        for (const auto& r : *s.table())
            QVERIFY(!r.spectral);
        s.stopSpectral(); // nothing running: nothing said
        QCOMPARE(finished.count(), 1);
    }

    void stopDuringTheBasicPassLeavesOutSpectra()
    {
        JobTracker jobs;
        CheckpointSession s(&jobs, data + "/spectral/matrices.npz", "matrices.npz");
        QVERIFY(waitOpened(s));
        QSignalSpy finished(&s, &CheckpointSession::tableFinished);
        QSignalSpy rows(&s, &CheckpointSession::tableRowsChanged);
        s.computeTable(true);
        s.stopSpectral(); // before the basic metrics are in: they still arrive, without spectra
        QVERIFY(finished.wait(60000));
        QVERIFY(s.table() && !s.table()->empty());
        QCOMPARE(rows.count(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSessionTable)
#include "tst_session_table.moc"
