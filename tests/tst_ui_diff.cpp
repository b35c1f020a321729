// Compare in the app, driven as a user would (offscreen): a checkpoint against its perturbed
// copy lists what changed with the core's numbers, sorts by them, filters, tints the rows that
// differ in light and dark palettes, follows prefixes and tolerances, and plots the selected
// row (A and B on shared bins, and B − A).
#include "DiffFilterProxy.h"
#include "DiffPanel.h"
#include "DiffTableModel.h"
#include "MainWindow.h"
#include "NumberText.h"
#include "OverlayPlot.h"
#include "UiTestSupport.h"
#include "formats/hdf5/Hdf5Writer.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <qcustomplot.h>

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

namespace {
const QString data = QStringLiteral(CKPT_TEST_DATA);

// mlp.params with hidden.weight[3][4] += 1e-3, output.bias nudged by one ulp, output.weight
// dropped and one tensor added.
QString writePerturbedCopy(const QString& path)
{
    const auto src = ckpt::openCheckpoint((data + "/verify/mlp.params").toStdString());
    ckpt::Hdf5Writer w(path.toStdString());
    for (const auto& t : src.tensors) {
        if (t.info.name == "output.weight")
            continue;
        ckpt::TensorData d = ckpt::readTensor(t);
        auto* f = reinterpret_cast<float*>(d.bytes.data());
        if (t.info.name == "hidden.weight")
            f[3 * 20 + 4] += 1e-3f;
        if (t.info.name == "output.bias")
            for (std::int64_t i = 0; i < d.numel(); ++i)
                f[i] = std::nextafter(f[i], 1e9f);
        w.addTensor(ckpt::makeMemoryTensor(t.info.name, std::move(d)));
    }
    w.addTensor(ckpt::makeMemoryTensor(
        "extra", ckpt::makeTensorData(ckpt::DType::Float32, { 2 }, std::vector<float> { 1, 2 })));
    w.commit();
    return path;
}

QString cell(const QAbstractItemModel* m, int row, int column)
{
    return m->index(row, column).data().toString();
}

int rowNamed(const QAbstractItemModel* m, const QString& name)
{
    for (int r = 0; r < m->rowCount(); ++r)
        if (cell(m, r, DiffTableModel::Name) == name)
            return r;
    return -1;
}

QStringList column(const QAbstractItemModel* m, int c)
{
    QStringList out;
    for (int r = 0; r < m->rowCount(); ++r)
        out << cell(m, r, c);
    return out;
}
} // namespace

class TestUiDiff : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString copy_;
    QStringList errors_;

    bool compare(MainWindow& w, const QString& b)
    {
        QSignalSpy compared(w.diffPanel(), &DiffPanel::compared);
        w.compareWith(b);
        return compared.wait(30000);
    }

private slots:
    void initTestCase() { copy_ = writePerturbedCopy(dir_.filePath("perturbed.h5")); }
    void init() { errors_.clear(); }

    void perturbedCopyListsWhatChanged()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/verify/mlp.params"));
        auto* panel = w.diffPanel();
        auto* m = panel->model();
        QAbstractItemModelTester tester(m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(compare(w, copy_));
        QCOMPARE(w.tabs()->currentWidget(), panel);
        QVERIFY(errors_.isEmpty());
        QCOMPARE(column(m, DiffTableModel::Name),
            (QStringList { "hidden.weight", "hidden.bias", "output.weight", "output.bias", "extra" }));
        QCOMPARE(column(m, DiffTableModel::Status),
            (QStringList { "changed", "identical", "only in A", "within tolerance", "only in B" }));
        // The numbers are the core's, shown as the app shows numbers.
        const auto core = ckpt::diffCheckpoints(ckpt::openCheckpoint((data + "/verify/mlp.params").toStdString()),
            ckpt::openCheckpoint(copy_.toStdString()));
        const auto& changed = core.tensors[0];
        QVERIFY(std::abs(changed.maxAbsDiff - 1e-3) < 1e-6);
        QCOMPARE(cell(m, 0, DiffTableModel::MaxAbsDiff), floatText(changed.maxAbsDiff));
        QCOMPARE(cell(m, 0, DiffTableModel::MeanAbsDiff), floatText(changed.meanAbsDiff));
        QCOMPARE(cell(m, 0, DiffTableModel::RelativeL2), floatText(changed.relativeL2));
        QCOMPARE(m->index(0, DiffTableModel::MaxAbsDiff).data(DiffTableModel::SortRole).toDouble(), changed.maxAbsDiff);
        QCOMPARE(cell(m, 1, DiffTableModel::MaxAbsDiff), floatText(0));
        QCOMPARE(cell(m, 2, DiffTableModel::MaxAbsDiff), QStringLiteral("—"));
        // Rows that differ are tinted; equal rows are not.
        QVERIFY(m->index(0, 0).data(Qt::BackgroundRole).isValid());
        QVERIFY(m->index(2, 3).data(Qt::BackgroundRole).isValid());
        QVERIFY(!m->index(1, 0).data(Qt::BackgroundRole).isValid());
        QVERIFY(!m->index(3, 0).data(Qt::BackgroundRole).isValid());
        QVERIFY2(panel->summaryText().contains("Different"), qPrintable(panel->summaryText()));
        QVERIFY2(panel->summaryText().contains("1 changed"), qPrintable(panel->summaryText()));
        // The first difference is selected and plotted.
        QTRY_COMPARE_WITH_TIMEOUT(panel->plottedName(), QStringLiteral("hidden.weight"), 30000);
    }

    void sortingAndFiltering()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/verify/mlp.params"));
        QVERIFY(compare(w, copy_));
        auto* panel = w.diffPanel();
        auto* view = panel->proxy();
        panel->table()->sortByColumn(DiffTableModel::MaxAbsDiff, Qt::DescendingOrder);
        QCOMPARE(column(view, DiffTableModel::Name),
            (QStringList { "hidden.weight", "output.bias", "hidden.bias", "output.weight", "extra" }));
        panel->table()->sortByColumn(DiffTableModel::MaxAbsDiff, Qt::AscendingOrder);
        QCOMPARE(cell(view, 4, DiffTableModel::Name), QStringLiteral("hidden.weight"));
        panel->table()->sortByColumn(DiffTableModel::Name, Qt::AscendingOrder);
        QCOMPARE(column(view, DiffTableModel::Name),
            (QStringList { "extra", "hidden.bias", "hidden.weight", "output.bias", "output.weight" }));
        panel->setNameFilter("BIAS");
        QCOMPARE(column(view, DiffTableModel::Name), (QStringList { "hidden.bias", "output.bias" }));
        panel->setNameFilter(QString());
        panel->setDifferencesOnly(true);
        QCOMPARE(column(view, DiffTableModel::Name), (QStringList { "extra", "hidden.weight", "output.weight" }));
    }

    void selectingARowPlotsBothDistributionsAndTheDifference()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/verify/mlp.params"));
        QVERIFY(compare(w, copy_));
        auto* panel = w.diffPanel();
        QSignalSpy shown(panel, &DiffPanel::histogramsShown);
        QVERIFY(panel->selectName("hidden.bias"));
        QTRY_COMPARE_WITH_TIMEOUT(panel->plottedName(), QStringLiteral("hidden.bias"), 30000);
        QVERIFY(panel->selectName("hidden.weight"));
        QTRY_COMPARE_WITH_TIMEOUT(panel->plottedName(), QStringLiteral("hidden.weight"), 30000);
        QCOMPARE(panel->overlay()->curveCount(), 2);
        auto* plot = panel->overlay()->plot();
        QCOMPARE(plot->graph(0)->name(), QStringLiteral("A: hidden.weight"));
        QCOMPARE(plot->graph(1)->name(), QStringLiteral("B: hidden.weight"));
        // Shared bins: both curves have their points at the same places.
        QCOMPARE(plot->graph(0)->data()->size(), plot->graph(1)->data()->size());
        QCOMPARE(plot->graph(0)->data()->at(0)->key, plot->graph(1)->data()->at(0)->key);
        // B − A: 5119 zeros and one 1e-3, in the first and last bins.
        const auto bars = panel->differenceBars()->data();
        QCOMPARE(bars->size(), 100);
        double total = 0;
        for (int i = 0; i < bars->size(); ++i)
            total += bars->at(i)->value;
        QCOMPARE(total, 256.0 * 20);
        QCOMPARE(bars->at(0)->value, 256.0 * 20 - 1);
        QCOMPARE(bars->at(99)->value, 1.0);
        QVERIFY(bars->at(99)->key > bars->at(0)->key);

        // Only in A: A's distribution alone and no difference.
        QVERIFY(panel->selectName("output.weight"));
        QTRY_COMPARE_WITH_TIMEOUT(panel->plottedName(), QStringLiteral("output.weight"), 30000);
        QCOMPARE(panel->overlay()->curveCount(), 1);
        QCOMPARE(panel->differenceBars()->data()->size(), 0);
    }

    void prefixesAndTolerances()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/verify/mlp.params"));
        QVERIFY(compare(w, copy_));
        auto* panel = w.diffPanel();
        QSignalSpy compared(panel, &DiffPanel::compared);
        panel->setTolerances(1e-5, 2e-3);
        panel->rerun();
        QVERIFY(compared.wait(30000));
        QCOMPARE(cell(panel->model(), 0, DiffTableModel::Status), QStringLiteral("within tolerance"));
        panel->setTolerances(1e-5, 1e-8);
        panel->setPrefixes("hidden.", "hidden.");
        panel->rerun();
        QVERIFY(compared.wait(30000));
        QCOMPARE(column(panel->model(), DiffTableModel::Name), (QStringList { "weight", "bias" }));
        QCOMPARE(column(panel->model(), DiffTableModel::Status), (QStringList { "changed", "identical" }));
        // A file that cannot be opened is reported with its name.
        w.setErrorReporter([this](const QString&, const QString& m) { errors_ << m; });
        QSignalSpy failed(panel, &DiffPanel::failed);
        w.compareWith(data + "/bad/random.bin");
        QVERIFY(failed.wait(30000));
        QCOMPARE(errors_.size(), 1);
        QVERIFY2(errors_.first().startsWith(data + "/bad/random.bin: "), qPrintable(errors_.first()));
    }

    void acrossFormatsTransposedKernels()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/verify/mlp.params"));
        QVERIFY(compare(w, data + "/verify/mlp-keras.h5"));
        const auto* m = w.diffPanel()->model();
        QCOMPARE(m->rowCount(), 4);
        for (int r = 0; r < 4; ++r)
            QCOMPARE(cell(m, r, DiffTableModel::Status), QStringLiteral("identical"));
        QVERIFY(w.diffPanel()->summaryText().contains("Equal"));
        // What was paired with what is in the table, not only in a tooltip.
        const int weight = rowNamed(m, QStringLiteral("hidden.weight"));
        QVERIFY(weight >= 0);
        const QString nameB = cell(m, weight, DiffTableModel::NameB);
        QVERIFY2(nameB.contains(QStringLiteral("kernel")), qPrintable(nameB));
        QCOMPARE(cell(m, weight, DiffTableModel::Pairing), QStringLiteral("by position, transposed"));
        QCOMPARE(cell(m, rowNamed(m, QStringLiteral("hidden.bias")), DiffTableModel::Pairing),
            QStringLiteral("by position"));
        // The overlay's legend names B's tensor as B names it.
        QSignalSpy shown(w.diffPanel(), &DiffPanel::histogramsShown);
        QVERIFY(w.diffPanel()->selectName(QStringLiteral("hidden.weight")));
        QVERIFY(shown.wait(30000));
        const auto* plot = w.diffPanel()->overlay()->plot();
        QCOMPARE(plot->graphCount(), 2);
        QCOMPARE(plot->graph(1)->name(), QStringLiteral("B: ") + nameB);
        QCOMPARE(plot->yAxis->range().lower, 0.0); // densities from 0
        // Identical tensors: B − A is 0 everywhere, said in words, with no axes made up around it.
        QVERIFY(!w.diffPanel()->differencePlot()->xAxis->visible());
        QCOMPARE(w.diffPanel()->differenceBars()->data()->size(), 0);
    }

    void pairingByNameIsSaid()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/verify/mlp.params"));
        QVERIFY(compare(w, copy_));
        const auto* m = w.diffPanel()->model();
        QCOMPARE(cell(m, 0, DiffTableModel::Pairing), QStringLiteral("by name"));
        QCOMPARE(cell(m, 0, DiffTableModel::NameB), cell(m, 0, DiffTableModel::Name));
    }

    // A GGUF file against the Hugging Face checkpoint it was made from: llama.cpp's names paired,
    // Q/K rows un-permuted, and how much the quantization lost in the SQNR and cosine columns.
    void quantizedAgainstOriginal()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/quantpair/model-q8.gguf"));
        QVERIFY(compare(w, data + "/quantpair/pytorch_model.bin"));
        const auto* m = w.diffPanel()->model();
        const int q = rowNamed(m, QStringLiteral("blk.0.attn_q.weight"));
        QVERIFY(q >= 0);
        QCOMPARE(cell(m, q, DiffTableModel::NameB), QStringLiteral("model.layers.0.self_attn.q_proj.weight"));
        QCOMPARE(cell(m, q, DiffTableModel::Pairing), QStringLiteral("by llama.cpp name, un-permuted"));
        const auto* d = w.diffPanel()->model()->diff(q);
        QCOMPARE(cell(m, q, DiffTableModel::Sqnr), QStringLiteral("%1 dB").arg(d->sqnrDb, 0, 'f', 2));
        QVERIFY(d->sqnrDb > 40);
        QCOMPARE(cell(m, q, DiffTableModel::Cosine), floatText(d->cosine));
        const int v = rowNamed(m, QStringLiteral("blk.0.attn_v.weight"));
        QCOMPARE(cell(m, v, DiffTableModel::Pairing), QStringLiteral("by llama.cpp name"));
        const QString tip = m->index(q, 0).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("SQNR against B")) && tip.contains(QStringLiteral("(4 heads)")),
            qPrintable(tip));
        // Sorting by SQNR puts the most damaged tensors (Q4_0) first.
        w.diffPanel()->table()->sortByColumn(DiffTableModel::Sqnr, Qt::AscendingOrder);
        const auto* shown = w.diffPanel()->table()->model();
        QVERIFY(shown->index(0, DiffTableModel::Sqnr).data(DiffTableModel::SortRole).toDouble() < 25);
        QVERIFY(errors_.isEmpty());
    }

    void tintsFollowThePalette()
    {
        DiffTableModel m;
        auto a = std::make_shared<ckpt::Checkpoint>(ckpt::openCheckpoint((data + "/verify/mlp.params").toStdString()));
        auto b = std::make_shared<ckpt::Checkpoint>(ckpt::openCheckpoint(copy_.toStdString()));
        m.setReport(a, b, ckpt::diffCheckpoints(*a, *b));
        const QPalette original = QApplication::palette();
        QPalette dark = original;
        dark.setColor(QPalette::Base, QColor(30, 30, 30));
        dark.setColor(QPalette::Text, QColor(230, 230, 230));
        QApplication::setPalette(dark);
        const QColor onDark = m.index(0, 0).data(Qt::BackgroundRole).value<QColor>();
        QPalette light = original;
        light.setColor(QPalette::Base, QColor(255, 255, 255));
        light.setColor(QPalette::Text, QColor(0, 0, 0));
        QApplication::setPalette(light);
        const QColor onLight = m.index(0, 0).data(Qt::BackgroundRole).value<QColor>();
        QApplication::setPalette(original);
        // Dark stays dark behind light text and light stays light behind dark text; both are reddish.
        QVERIFY2(onDark.lightness() < 100, qPrintable(onDark.name()));
        QVERIFY2(onLight.lightness() > 180, qPrintable(onLight.name()));
        QVERIFY(onDark.red() > onDark.green() && onLight.red() > onLight.green());
    }
};

QTEST_MAIN(TestUiDiff)
#include "tst_ui_diff.moc"
