// The desktop app, driven as a user would (offscreen): the demo on start, the layer tree with
// totals and natural order, the filter, statistics and histogram equal to the core's, slicing
// a 3-D tensor, an overlay, a bad file that leaves the previous checkpoint open, and an event
// loop that keeps running while a large histogram is computed.
#include "AllTensorsPanel.h"
#include "CheckpointTreeModel.h"
#include "FindingsPanel.h"
#include "HistogramView.h"
#include "MainWindow.h"
#include "MetadataView.h"
#include "NumberText.h"
#include "OverlayPlot.h"
#include "SliceTableModel.h"
#include "TensorPanel.h"
#include "TensorTableModel.h"
#include "TreeFilterProxy.h"
#include "UiTestSupport.h"
#include "VerifyPanel.h"
#include "doctor/Doctor.h"
#include "numerics/Stats.h"
#include "open/ReaderRegistry.h"
#include "report/TensorTable.h"

#include <qcustomplot.h>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <fstream>

namespace {
const QString data = QStringLiteral(CKPT_TEST_DATA);

QStringList childNames(const QAbstractItemModel* m, const QModelIndex& parent = {})
{
    QStringList names;
    for (int r = 0; r < m->rowCount(parent); ++r)
        names << m->index(r, 0, parent).data().toString();
    return names;
}

QModelIndex childNamed(const QAbstractItemModel* m, const QString& name, const QModelIndex& parent = {})
{
    for (int r = 0; r < m->rowCount(parent); ++r)
        if (m->index(r, 0, parent).data().toString() == name)
            return m->index(r, 0, parent);
    return {};
}

// Runs the Verify tab and waits for its verdict.
bool runVerify(VerifyPanel& v)
{
    QSignalSpy done(&v, &VerifyPanel::verified);
    QSignalSpy failed(&v, &VerifyPanel::failed);
    if (!QTest::qWaitFor([&] { return v.run(); }, 30000)) // once the network is rebuilt
        return false;
    if (!QTest::qWaitFor([&] { return done.count() + failed.count() > 0; }, 30000))
        return false;
    if (!failed.isEmpty())
        qWarning("verify failed: %s", qPrintable(failed.first().first().toString()));
    return done.count() == 1;
}

// A cell of the Verify tab's layer table ("" while the table is being rebuilt).
QString layerCell(const VerifyPanel& v, int row, int column)
{
    const auto* item = v.layerTable()->item(row, column);
    return item ? item->text() : QString();
}

// `ckpt verify --json ARGS` as a user would run it.
QJsonObject cliVerify(const QStringList& arguments)
{
    QProcess p;
    p.start(QStringLiteral(CKPT_BINARY_DIR "/app/ckpt"), QStringList { "verify", "--json" } + arguments);
    if (!p.waitForFinished(60000))
        return {};
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

bool waitForStats(MainWindow& w, int tensorIndex, int bins)
{
    return QTest::qWaitFor(
        [&] { return w.session() && w.session()->cachedStats(tensorIndex, bins) != nullptr; }, 30000);
}
} // namespace

class TestUiMainWindow : public QObject {
    Q_OBJECT
    QStringList errors_;

private slots:
    void init() { errors_.clear(); }

    void demoOpensWithSomethingReal()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openDemoAndWait(w));
        QVERIFY(errors_.isEmpty());
        QCOMPARE(w.opened().checkpoint->tensors.size(), std::size_t(6));
        QVERIFY2(w.statusText().contains(QStringLiteral("6 tensors")), qPrintable(w.statusText()));
        QVERIFY2(w.statusText().contains(QStringLiteral("8,006 parameters")), qPrintable(w.statusText()));
        QCOMPARE(childNames(w.treeModel()), (QStringList { "hidden", "output", "X", "Y" }));
        // The first tensor is selected and its statistics arrive.
        QCOMPARE(w.tensorPanel()->tensorIndex(), 0);
        QVERIFY(waitForStats(w, 0, w.tensorPanel()->histogram()->bins()));
    }

    void treeRowsTotalsAndNaturalOrder()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/hdf5/slices3d.h5"));
        const auto* m = w.treeModel();
        const QModelIndex layers = childNamed(m, "layers");
        QVERIFY(layers.isValid());
        QCOMPARE(m->index(layers.row(), CheckpointTreeModel::Parameters).data().toString(), QStringLiteral("60"));
        QCOMPARE(m->index(layers.row(), CheckpointTreeModel::Size).data().toString(), QStringLiteral("240 B"));
        QCOMPARE(m->rowCount(layers), 5);
        const QModelIndex cube = childNamed(m, "cube");
        QCOMPARE(m->index(cube.row(), CheckpointTreeModel::Shape).data().toString(), QStringLiteral("(2, 3, 4)"));
        QCOMPARE(m->index(cube.row(), CheckpointTreeModel::DType).data().toString(), QStringLiteral("float32"));
        // Sorting by name puts numbered layers in numeric order.
        w.treeView()->sortByColumn(CheckpointTreeModel::Name, Qt::AscendingOrder);
        const auto* proxy = w.treeProxy();
        QCOMPARE(childNames(proxy, childNamed(proxy, "layers")), (QStringList { "0", "1", "2", "10", "11" }));
        // Sorting by size puts the larger group first when descending.
        w.treeView()->sortByColumn(CheckpointTreeModel::Size, Qt::DescendingOrder);
        QCOMPARE(childNames(proxy), (QStringList { "layers", "cube" }));
    }

    void filterKeepsMatchesAndTheirParents()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/hdf5/slices3d.h5"));
        auto* proxy = w.treeProxy();
        proxy->setNameFilter(QStringLiteral("10/WEI"));
        QCOMPARE(childNames(proxy), QStringList { "layers" });
        const QModelIndex layers = childNamed(proxy, "layers");
        QCOMPARE(childNames(proxy, layers), QStringList { "10" });
        QCOMPARE(childNames(proxy, childNamed(proxy, "10", layers)), QStringList { "weight" });
        proxy->setNameFilter(QString());
        QCOMPARE(childNames(proxy).size(), 2);
    }

    void statisticsAndHistogramEqualTheCore()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/verify/mlp.params"));
        QVERIFY(w.selectTensor(QStringLiteral("hidden.weight")));
        const int index = w.tensorPanel()->tensorIndex();
        const int bins = w.tensorPanel()->histogram()->bins();
        QVERIFY(waitForStats(w, index, bins));
        QTest::qWait(20);
        const auto core = ckpt::computeStats(w.opened().checkpoint->tensors[std::size_t(index)], { bins });
        auto* panel = w.tensorPanel();
        QCOMPARE(panel->statText("count"), groupedCount(core.count));
        QCOMPARE(panel->statText("min"), floatText(core.min));
        QCOMPARE(panel->statText("max"), floatText(core.max));
        QCOMPARE(panel->statText("mean"), floatText(core.mean));
        QCOMPARE(panel->statText("std"), floatText(core.std));
        QCOMPARE(panel->statText("nan"), QStringLiteral("0"));
        const auto bars = panel->histogram()->bars()->data();
        QCOMPARE(bars->size(), int(core.histogram.counts.size()));
        for (int i = 0; i < bars->size(); ++i)
            QCOMPARE(bars->at(i)->value, double(core.histogram.counts[std::size_t(i)]));
        // Another bin count is computed and shown too.
        panel->histogram()->setBins(16);
        QVERIFY(waitForStats(w, index, 16));
        QTRY_COMPARE(panel->histogram()->bars()->data()->size(), 16);
    }

    void slicingA3dTensor()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/hdf5/slices3d.h5"));
        QVERIFY(w.selectTensor(QStringLiteral("cube")));
        auto* slice = w.tensorPanel()->slice();
        // Default: the last two axes, axis 0 at index 0.
        QCOMPARE(slice->rowCount(), 3);
        QCOMPARE(slice->columnCount(), 4);
        // Cells are read by the session: "…" until their block arrives.
        QTRY_COMPARE(slice->data(slice->index(2, 3)).toString(), QStringLiteral("11"));
        // Rows along axis 0, columns along axis 2, axis 1 fixed at 1: value = r*12 + 1*4 + c.
        w.tensorPanel()->setSlice(0, 2, { 0, 1, 0 });
        QCOMPARE(slice->rowCount(), 2);
        QCOMPARE(slice->columnCount(), 4);
        for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 4; ++c)
                QTRY_COMPARE(slice->value(r, c), double(r * 12 + 4 + c));
        // Transposed: rows along axis 2, columns along axis 0.
        w.tensorPanel()->setSlice(2, 0, { 0, 2, 0 });
        QCOMPARE(slice->rowCount(), 4);
        QCOMPARE(slice->columnCount(), 2);
        QTRY_COMPARE(slice->value(3, 1), double(1 * 12 + 2 * 4 + 3));
        // A 1-D tensor is one column; copying a selection gives tab-separated text.
        QVERIFY(openAndWait(w, data + "/verify/mlp.params"));
        QVERIFY(w.selectTensor(QStringLiteral("output.bias")));
        QCOMPARE(slice->columnCount(), 1);
        QCOMPARE(slice->rowCount(), 10);
    }

    void overlayOfAGroup()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/hdf5/slices3d.h5"));
        const QModelIndex layers = childNamed(w.treeProxy(), "layers");
        w.treeView()->selectionModel()->select(layers, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QTRY_COMPARE_WITH_TIMEOUT(w.overlay()->curveCount(), 5, 30000);
        QCOMPARE(w.overlay()->plot()->graph(0)->name(), QStringLiteral("layers/0/weight"));
    }

    void metadataOfTheFile()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/hdf5/slices3d.h5"));
        QCOMPARE(w.metadata()->rowCount(), 1);
        QCOMPARE(w.metadata()->text(0, 0), QStringLiteral("note"));
    }

    // The Findings tab lists what `ckpt doctor --against` finds (the same core function), with
    // PyTorch's message; double-clicking a finding shows its tensor.
    void findingsAgainstAReference()
    {
        const QString dir = QStringLiteral(CKPT_TEST_DATA "/doctor/");
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, dir + "target.pt"));
        auto* f = w.findingsPanel();
        QSignalSpy checked(f, &FindingsPanel::checked);
        f->check(dir + "reference.pt");
        QVERIFY(checked.wait(30000));
        const auto target = ckpt::openCheckpoint((dir + "target.pt").toStdString());
        const auto reference = ckpt::openCheckpoint((dir + "reference.pt").toStdString());
        ckpt::DoctorOptions options;
        options.reference = &reference;
        const auto report = ckpt::diagnose(target, options);
        QCOMPARE(f->table()->rowCount(), int(report.findings.size()));
        QVERIFY2(f->summaryText().contains(QStringLiteral("Missing key(s) in state_dict: \"fc2.bias\".")),
            qPrintable(f->summaryText()));
        int row = 0;
        while (row < f->table()->rowCount() && f->table()->item(row, 1)->text() != QLatin1String("fc1.weight"))
            ++row;
        QVERIFY(row < f->table()->rowCount());
        QCOMPARE(f->table()->item(row, 0)->text(), QStringLiteral("same-as-reference"));
        emit const_cast<QTableWidget*>(f->table())->cellDoubleClicked(row, 0);
        const int shown = w.tensorPanel()->tensorIndex();
        QVERIFY(shown >= 0);
        QCOMPARE(target.tensors[std::size_t(shown)].info.name, std::string("fc1.weight"));
        QVERIFY(errors_.isEmpty());
    }

    // The All tensors tab (issue 20): every tensor's metrics as the core computes them (spectral
    // ones arriving after the rest), the filter expressions of ckpt stats --filter, sorting with
    // missing values last, CSV export of the rows shown, and double-click to show a tensor.
    void allTensorsTable()
    {
        const QString file = QStringLiteral(CKPT_TEST_DATA "/doctor/findings.pt");
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, file));
        auto* a = w.allTensorsPanel();
        a->compute();
        QTRY_VERIFY_WITH_TIMEOUT(a->summaryText() == QStringLiteral("12 tensors."), 30000);
        const QAbstractItemModel* shown = a->view()->model();
        QCOMPARE(shown->rowCount(), 12);
        auto cell = [&](int row, int column) { return shown->index(row, column).data().toString(); };
        auto rowOf = [&](const QString& name) {
            for (int r = 0; r < shown->rowCount(); ++r)
                if (cell(r, TensorTableModel::Name) == name)
                    return r;
            return -1;
        };
        // Against the core's own row (the CLI prints the same).
        const auto c = ckpt::openCheckpoint(file.toStdString());
        const auto big = ckpt::tensorTableRow(*c.find("big.weight"), ckpt::TableMetrics::All);
        const int bigRow = rowOf(QStringLiteral("big.weight"));
        QCOMPARE(cell(bigRow, TensorTableModel::Max), floatText(big.stats.max));
        QCOMPARE(cell(bigRow, TensorTableModel::BeyondFloat16Fraction), floatText(big.beyondFloat16Fraction()));
        QCOMPARE(cell(bigRow, TensorTableModel::SpectralNorm), floatText(big.spectral->spectralNorm));
        QCOMPARE(cell(rowOf(QStringLiteral("tiny.weight")), TensorTableModel::DenormalFraction), QStringLiteral("0.9"));
        QCOMPARE(cell(rowOf(QStringLiteral("bad.nan")), TensorTableModel::SpectralNorm), QString()); // NaN: none

        a->setFilterText(QStringLiteral("nan > 0 or inf > 0"));
        QCOMPARE(shown->rowCount(), 2);
        QCOMPARE(a->summaryText(), QStringLiteral("2 of 12 tensors match the filter."));
        a->setFilterText(QStringLiteral("stable_rank < 1.2 and name ~ \"CONST\""));
        QCOMPARE(shown->rowCount(), 1);
        QCOMPARE(cell(0, TensorTableModel::Name), QStringLiteral("const.weight"));
        a->setFilterText(QStringLiteral("stable_rank <")); // while typing: the last good filter stays
        QVERIFY2(a->filterError().contains(QStringLiteral("expected a number")), qPrintable(a->filterError()));
        QCOMPARE(shown->rowCount(), 1);
        a->setFilterText(QString());
        QVERIFY(a->filterError().isEmpty());
        QCOMPARE(shown->rowCount(), 12);

        // Largest spectral norm first; tensors without one last.
        const_cast<QTableView*>(a->view())->sortByColumn(TensorTableModel::SpectralNorm, Qt::DescendingOrder);
        QCOMPARE(cell(0, TensorTableModel::Name), QStringLiteral("big.weight"));
        QCOMPARE(cell(11, TensorTableModel::SpectralNorm), QString());

        a->setFilterText(QStringLiteral("denormal_fraction > 0.5 or zero_fraction == 1"));
        QSignalSpy exported(a, &AllTensorsPanel::exported);
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("table.csv"));
        a->exportCsv(csv);
        QVERIFY(exported.wait(30000));
        QFile saved(csv);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(saved.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY2(lines.size() == 1 + shown->rowCount(), qPrintable(lines.join(QLatin1Char('|'))));
        QVERIFY(lines[0].startsWith(QStringLiteral("name,dtype,shape,count,")));
        QVERIFY(lines[0].endsWith(QStringLiteral(",spectral_norm,stable_rank,effective_rank,alpha,alpha_ks")));
        QVERIFY(lines.join(QLatin1Char('|')).contains(QStringLiteral("tiny.weight,float32,(10),10,")));

        emit const_cast<QTableView*>(a->view())->doubleClicked(shown->index(0, 0));
        const int showing = w.tensorPanel()->tensorIndex();
        QVERIFY(showing >= 0);
        QCOMPARE(QString::fromStdString(c.tensors[std::size_t(showing)].info.name), cell(0, TensorTableModel::Name));
        QVERIFY(errors_.isEmpty());
    }

    // Spectral metrics arrive after the table was sized: their columns grow to show them whole
    // (alpha's header is one letter; its values were elided to "2....").
    void spectralColumnsFitTheirValues()
    {
        MainWindow w;
        collectErrors(w, errors_);
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(openAndWait(w, QStringLiteral(CKPT_TEST_DATA "/real/gguf/stories260K.gguf")));
        auto* a = w.allTensorsPanel();
        a->compute();
        const QAbstractItemModel* shown = a->view()->model();
        QTRY_VERIFY_WITH_TIMEOUT(
            shown->rowCount() == 48 && !shown->index(0, TensorTableModel::AlphaKs).data().toString().isEmpty(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(a->summaryText() == QStringLiteral("48 tensors."), 60000);
        auto* view = const_cast<QTableView*>(a->view());
        for (int c :
            { int(TensorTableModel::Alpha), int(TensorTableModel::AlphaKs), int(TensorTableModel::EffectiveRank) }) {
            const QString text = shown->index(0, c).data().toString();
            QVERIFY2(!text.isEmpty(), qPrintable(QString::number(c)));
            QVERIFY2(view->columnWidth(c) >= view->fontMetrics().horizontalAdvance(text),
                qPrintable(QStringLiteral("column %1: %2 px for %3").arg(c).arg(view->columnWidth(c)).arg(text)));
        }
        QVERIFY(errors_.isEmpty());
    }

    void verifyPanelReproducesTheDemo()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openDemoAndWait(w));
        auto* v = w.verifyPanel();
        QTRY_COMPARE(v->layerTable()->rowCount(), 2);
        QCOMPARE(layerCell(*v, 0, 0), QStringLiteral("hidden"));
        QCOMPARE(layerCell(*v, 0, 3), QStringLiteral("relu"));
        QVERIFY(runVerify(*v));
        QVERIFY(v->verification()->result.comparison.match);
        QCOMPARE(v->verification()->result.comparison.maxAbsDiff, 0.0); // Y_clone == Y, element by element
        QVERIFY2(v->verdictText().contains(QStringLiteral("match")), qPrintable(v->verdictText()));
        QVERIFY2(
            v->verdictText().contains(QStringLiteral("reproduces the saved outputs")), qPrintable(v->verdictText()));
        QVERIFY(errors_.isEmpty());
    }

    // The three references of Verify, each giving the verdict `ckpt verify` gives on the same files.
    void verifyHasThreeReferencesAndAgreesWithTheCli_data()
    {
        QTest::addColumn<QString>("params");
        QTest::addColumn<int>("reference");
        QTest::addColumn<QString>("other");
        QTest::addColumn<QStringList>("cliArguments");
        QTest::newRow("X and Y in this file (the demo)")
            << "/../../resources/demo/mlp-demo.h5" << int(ckpt::VerifyReference::OutputsInFile) << QString()
            << QStringList();
        QTest::newRow("X and Y in another file (the seed's --io)")
            << "/verify/mlp.params" << int(ckpt::VerifyReference::OutputsInOtherFile) << "/verify/mlp-io.pt"
            << QStringList { "--io", data + "/verify/mlp-io.pt" };
        QTest::newRow("a clone") << "/verify/mlp.params" << int(ckpt::VerifyReference::Clone) << "/verify/mlp-keras.h5"
                                 << QStringList { "--against", data + "/verify/mlp-keras.h5" };
    }

    void verifyHasThreeReferencesAndAgreesWithTheCli()
    {
        QFETCH(QString, params);
        QFETCH(int, reference);
        QFETCH(QString, other);
        QFETCH(QStringList, cliArguments);
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + params));
        auto* v = w.verifyPanel();
        v->setReference(ckpt::VerifyReference(reference), other.isEmpty() ? QString() : data + other);
        QVERIFY(runVerify(*v));
        QVERIFY(errors_.isEmpty());
        const QJsonObject cli = cliVerify(QStringList { data + params } + cliArguments);
        const auto& r = v->verification()->result;
        QCOMPARE(r.comparison.match, cli.value("match").toBool());
        QCOMPARE(r.comparison.maxAbsDiff, cli.value("max_abs_diff").toDouble());
        QCOMPARE(double(r.comparison.compared), cli.value("outputs_compared").toDouble());
        QCOMPARE(QString::fromStdString(v->verification()->proves), cli.value("proves").toString());
        QVERIFY(r.comparison.match);
        if (reference == int(ckpt::VerifyReference::Clone)) {
            QVERIFY(r.parameters && r.parameters->equal);
            QVERIFY2(v->verdictText().contains(QStringLiteral("same function")), qPrintable(v->verdictText()));
        }
    }

    // The activation chosen is the one run, over the architecture the demo stores; the layer
    // table shows it, the override is visible, and a setting changed clears the verdict.
    void verifyRunsTheChosenActivation()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openDemoAndWait(w));
        auto* v = w.verifyPanel();
        QVERIFY(runVerify(*v));
        QVERIFY(v->verification()->result.comparison.match);
        v->setActivations(ckpt::Activation::Sigmoid, std::nullopt);
        QVERIFY(!v->verification()); // the old verdict is gone
        QTRY_COMPARE(layerCell(*v, 0, 3), QStringLiteral("sigmoid"));
        QVERIFY2(v->activationNote().contains(QStringLiteral("Overriding")), qPrintable(v->activationNote()));
        QVERIFY(runVerify(*v));
        QCOMPARE(layerCell(*v, 0, 3), QStringLiteral("sigmoid"));
        QCOMPARE(layerCell(*v, 1, 3), QStringLiteral("identity")); // the last layer as stored
        QVERIFY(!v->verification()->result.comparison.match);
        QVERIFY2(v->verdictText().contains(QStringLiteral("mismatch")), qPrintable(v->verdictText()));
        QCOMPARE(v->verification()->activations, std::string("chosen"));
        // The CLI runs the same override to the same verdict.
        const QJsonObject cli = cliVerify({ w.opened().path, "--activation", "sigmoid" });
        QCOMPARE(cli.value("match").toBool(), false);
        QCOMPARE(v->verification()->result.comparison.maxAbsDiff, cli.value("max_abs_diff").toDouble());
    }

    // A conv net: the dense layers are verified and the tensors left out are named.
    void verifyNamesTheTensorsItDidNotUse()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/keras3/convnet.keras"));
        auto* v = w.verifyPanel();
        QTRY_VERIFY(v->layerTable()->rowCount() > 0);
        v->setReference(ckpt::VerifyReference::Clone, data + "/keras3/convnet.weights.h5");
        QVERIFY(runVerify(*v));
        QVERIFY(!v->verification()->unusedTensors.empty());
        QVERIFY2(v->verdictText().contains(QStringLiteral("verify rebuilds dense MLPs")), qPrintable(v->verdictText()));
        QVERIFY2(v->verdictText().contains(QStringLiteral("conv")), qPrintable(v->verdictText()));
    }

    // A file that would run code in Python opens with a banner naming the call (the verdict of
    // `ckpt scan`); the next clean file takes the banner away.
    void unsafeFileShowsABanner()
    {
        MainWindow w;
        collectErrors(w, errors_);
        w.show();
        auto* banner = w.findChild<QLabel*>(QStringLiteral("unsafeBanner"));
        QVERIFY(banner);
        QVERIFY(openAndWait(w, data + "/scan/build_setstate_os_system.pt"));
        QVERIFY(errors_.isEmpty());
        QVERIFY(banner->isVisible());
        QVERIFY2(
            banner->text().contains(QStringLiteral("call os.system('touch scan-marker-build_setstate_os_system',)")),
            qPrintable(banner->text()));
        QVERIFY(openAndWait(w, data + "/scan/clean_state_dict.pt"));
        QVERIFY(!banner->isVisible());
        QVERIFY(openAndWait(w, data + "/bad/hdf5_external_absolute.h5")); // listed, its data refused
        QVERIFY2(banner->isVisible() && banner->text().contains(QStringLiteral("outside the checkpoint's folder")),
            qPrintable(banner->text()));
    }

    // A tiny file declaring 2^31 x 2^31 elements: the table lists a window of it (QHeaderView
    // keeps one item per section; 2^31 of them crashed it) and the window moves anywhere.
    void hugeTensorIsBrowsedThroughAWindow()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/unbounded/huge_declared.h5"));
        QVERIFY(w.selectTensor(QStringLiteral("w")));
        SliceTableModel* slice = w.tensorPanel()->slice();
        QCOMPARE(slice->totalRows(), std::int64_t(1) << 31);
        QCOMPARE(slice->rowCount(), int(SliceTableModel::kMaxRows));
        QCOMPARE(slice->columnCount(), int(SliceTableModel::kMaxColumns));
        slice->setWindowStart((std::int64_t(1) << 31) - 48, (std::int64_t(1) << 31) - 5);
        QCOMPARE(slice->rowCount(), 48);
        QCOMPARE(slice->columnCount(), 5);
        QCOMPARE(slice->headerData(47, Qt::Vertical).toString(), QString("2147483647"));
        QTRY_COMPARE(slice->data(slice->index(47, 4)).toString(), QString("7")); // the fill value, never written
        // Its statistics come from the fill value, not from 2^62 reads.
        QVERIFY(waitForStats(w, w.tensorPanel()->tensorIndex(), w.tensorPanel()->histogram()->bins()));
        QTRY_COMPARE(w.tensorPanel()->statText("count"), groupedCount(std::int64_t(1) << 62));
        QCOMPARE(w.tensorPanel()->statText("mean"), floatText(7.0));
        QVERIFY(errors_.isEmpty());
    }

    // A name or metadata value with a newline, escape sequences or bytes that are not UTF-8 is
    // shown with them made visible: one row per tensor, no text hidden.
    void controlCharactersAreShownVisibly()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/bad/safetensors_control_names.safetensors"));
        const QStringList names = childNames(w.treeModel());
        QCOMPARE(names.size(), 1);
        QCOMPARE(names[0], QString(R"(w\x1b[2J\x1b[H\r\nverified OK \u009b31m)") + QChar(0xff));
        for (int r = 0; r < w.metadata()->rowCount(); ++r)
            for (int c = 0; c < w.metadata()->columnCount(); ++c)
                for (QChar ch : w.metadata()->text(r, c))
                    QVERIFY2(ch.unicode() >= 0x20 && !(ch.unicode() >= 0x7f && ch.unicode() < 0xa0),
                        qPrintable(w.metadata()->text(r, c)));
        QVERIFY(errors_.isEmpty());
    }

    void badFileKeepsWhatWasOpen_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("truncated HDF5") << data + "/bad/hdf5_truncated_100.h5";
        QTest::newRow("pickle calling os.system") << data + "/bad/torch_os_system.pt";
        QTest::newRow("random bytes") << data + "/bad/random.bin";
        QTest::newRow("missing") << data + "/bad/does-not-exist.pt";
    }

    void badFileKeepsWhatWasOpen()
    {
        QFETCH(QString, file);
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openDemoAndWait(w));
        const auto before = w.opened().checkpoint;
        QVERIFY(!openAndWait(w, file));
        QCOMPARE(errors_.size(), 1);
        QVERIFY2(errors_.first().startsWith(file + ": "), qPrintable(errors_.first()));
        QCOMPARE(w.opened().checkpoint, before);
        QVERIFY(w.selectTensor(QStringLiteral("output.bias"))); // still usable
    }

    void eventLoopKeepsRunningDuringALargeHistogram()
    {
        // 3e7 float32 values in an .npy file; statistics take a noticeable time.
        QTemporaryDir dir;
        const QString path = dir.filePath("big.npy");
        {
            std::ofstream f(path.toStdString(), std::ios::binary);
            std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (30000000,), }";
            header.append(64 - (10 + header.size() + 1) % 64, ' ');
            header += '\n';
            const std::uint16_t len = std::uint16_t(header.size());
            f.write("\x93NUMPY\x01\x00", 8);
            f.write(reinterpret_cast<const char*>(&len), 2);
            f << header;
            std::vector<float> chunk(1 << 20);
            for (int block = 0; block < 30000000 / (1 << 20) + 1; ++block) {
                for (std::size_t i = 0; i < chunk.size(); ++i)
                    chunk[i] = float((block * chunk.size() + i) % 1000) * 0.001f;
                const std::size_t n = std::min<std::size_t>(chunk.size(), 30000000 - std::size_t(block) * chunk.size());
                f.write(reinterpret_cast<const char*>(chunk.data()), std::streamsize(n * 4));
            }
        }
        MainWindow w;
        collectErrors(w, errors_);
        w.show();
        QVERIFY(openAndWait(w, path));
        QElapsedTimer clock;
        clock.start();
        qint64 last = 0, worstGap = 0;
        QTimer ticker;
        QObject::connect(&ticker, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            worstGap = std::max(worstGap, now - last);
            last = now;
        });
        ticker.start(5);
        QVERIFY(waitForStats(w, 0, w.tensorPanel()->histogram()->bins()));
        ticker.stop();
        qInfo("computed in %lld ms; longest event-loop gap %lld ms", qlonglong(clock.elapsed()), qlonglong(worstGap));
        // Generous bound: CI runs this suite in parallel and under sanitizers on 2 cores.
        QVERIFY2(worstGap < 250, qPrintable(QStringLiteral("the event loop stalled %1 ms").arg(worstGap)));
    }
};

QTEST_MAIN(TestUiMainWindow)
#include "tst_ui_mainwindow.moc"
