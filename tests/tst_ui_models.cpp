// Every item model of the app under QAbstractItemModelTester from its construction, without a
// window: the layer tree and its filter, the slice table fed by a session, and the comparison
// table and its filter. The tester checks every signal and index the models emit and hand out.
#include "CheckpointSession.h"
#include "CheckpointTreeModel.h"
#include "DiffFilterProxy.h"
#include "DiffTableModel.h"
#include "SliceTableModel.h"
#include "TreeFilterProxy.h"

#include "compare/Diff.h"
#include "open/ReaderRegistry.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {
const QString data = QStringLiteral(CKPT_TEST_DATA);

std::unique_ptr<CheckpointSession> openSession(JobTracker& jobs, const QString& path)
{
    auto s = std::make_unique<CheckpointSession>(&jobs, path, path);
    QSignalSpy opened(s.get(), &CheckpointSession::opened);
    s->open();
    if (!QTest::qWaitFor([&] { return opened.count() == 1; }, 30000))
        return nullptr;
    return s;
}

int tensorNamed(const CheckpointSession& s, const std::string& name)
{
    for (std::size_t i = 0; i < s.checkpoint()->tensors.size(); ++i)
        if (s.checkpoint()->tensors[i].info.name == name)
            return int(i);
    return -1;
}

// Reads every cell, as a view scrolling over the whole table would.
void readAllCells(const QAbstractItemModel& m)
{
    for (int r = 0; r < m.rowCount(); ++r)
        for (int c = 0; c < m.columnCount(); ++c) {
            m.data(m.index(r, c));
            m.data(m.index(r, c), Qt::ToolTipRole);
        }
}

constexpr auto kFatal = QAbstractItemModelTester::FailureReportingMode::Fatal;
} // namespace

class TestUiModels : public QObject {
    Q_OBJECT

private slots:
    void treeModelAndItsFilter()
    {
        JobTracker jobs;
        CheckpointTreeModel tree;
        QAbstractItemModelTester treeTester(&tree, kFatal);
        TreeFilterProxy proxy;
        QAbstractItemModelTester proxyTester(&proxy, kFatal);
        proxy.setSourceModel(&tree);
        auto s = openSession(jobs, data + "/hdf5/slices3d.h5");
        QVERIFY(s);
        tree.setCheckpoint(s->openedCheckpoint());
        QCOMPARE(tree.rowCount(), 2);
        proxy.setNameFilter(QStringLiteral("10/WEI"));
        QCOMPARE(proxy.rowCount(), 1);
        tree.setAllChecked(true);
        proxy.setNameFilter(QString());
        proxy.sort(CheckpointTreeModel::Size, Qt::DescendingOrder);
        tree.setCheckpoint({});
        QCOMPARE(proxy.rowCount(), 0);
    }

    // Cells show "…" until the session's block arrives, then the values; a new slice drops the
    // old blocks; 64-bit integers keep every digit.
    void sliceModelFedByTheSession()
    {
        JobTracker jobs;
        SliceTableModel slice;
        QAbstractItemModelTester tester(&slice, kFatal);
        auto s = openSession(jobs, data + "/hdf5/slices3d.h5");
        QVERIFY(s);
        const int cube = tensorNamed(*s, "cube");
        slice.setTensor(s.get(), s->tensor(cube), cube);
        QCOMPARE(slice.rowCount(), 3);
        QCOMPARE(slice.columnCount(), 4);
        QCOMPARE(slice.data(slice.index(2, 3)).toString(), QStringLiteral("…"));
        QTRY_COMPARE(slice.data(slice.index(2, 3)).toString(), QStringLiteral("11"));
        readAllCells(slice);
        slice.setSlice(2, 0, { 0, 2, 0 });
        QTRY_COMPARE(slice.value(3, 1), double(1 * 12 + 2 * 4 + 3));
        slice.setTensor(nullptr, nullptr, -1);
        QCOMPARE(slice.rowCount(), 0);
    }

    // uint64 values near 2^64 (written by numpy) keep every digit: through float64 they would not.
    void slicesShow64BitIntegersExactly()
    {
        JobTracker jobs;
        SliceTableModel slice;
        QAbstractItemModelTester tester(&slice, kFatal);
        auto s = openSession(jobs, data + "/numpy/dtype_u8.npy");
        QVERIFY(s);
        slice.setTensor(s.get(), s->tensor(0), 0);
        QTRY_COMPARE(slice.data(slice.index(0, 0)).toString(), QStringLiteral("18446744073709551572"));
        QCOMPARE(slice.data(slice.index(0, 1)).toString(), QStringLiteral("18446744073709551509"));
        QCOMPARE(slice.data(slice.index(1, 0)).toString(), QStringLiteral("18446744073709551611"));
        readAllCells(slice);
    }

    void diffTableAndItsFilter()
    {
        JobTracker jobs;
        DiffTableModel table;
        QAbstractItemModelTester tableTester(&table, kFatal);
        DiffFilterProxy proxy;
        QAbstractItemModelTester proxyTester(&proxy, kFatal);
        proxy.setSourceModel(&table);
        auto s = openSession(jobs, data + "/verify/mlp.params");
        QVERIFY(s);
        QSignalSpy compared(s.get(), &CheckpointSession::compared);
        s->compare(data + "/verify/mlp-keras.h5", {}, true);
        QTRY_COMPARE(compared.count(), 1);
        table.setReport(s->checkpoint(), s->checkpointB(), compared.first().first().value<ckpt::DiffReport>());
        QVERIFY(table.rowCount() > 0);
        readAllCells(table);
        proxy.setDifferencesOnly(true);
        proxy.setNameFilter(QStringLiteral("hidden"));
        proxy.sort(1, Qt::AscendingOrder);
        readAllCells(proxy);
        table.clear();
        QCOMPARE(proxy.rowCount(), 0);
    }
};

QTEST_MAIN(TestUiModels)
#include "tst_ui_models.moc"
