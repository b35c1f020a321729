// The heatmap of the Tensor tab, driven as a user would (offscreen): a slice with negative
// values gets colours symmetric around zero over [-max|x|, +max|x|], a non-negative one a range
// from 0 to its max (both checked against the core's statistics), hovering names the cell and
// its value as the table shows it, the heatmap follows the slice chosen for the table, and a
// huge slice is drawn downsampled by block means from the table's window, saying so, and a
// convolution weight can be drawn as a grid of its kernels.
#include "HeatmapView.h"
#include "MainWindow.h"
#include "NumberText.h"
#include "SliceTableModel.h"
#include "TensorPanel.h"
#include "UiTestSupport.h"
#include "numerics/Stats.h"

#include <qcustomplot.h>

#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

#include <cmath>

namespace {
const QString data = QStringLiteral(CKPT_TEST_DATA);

// Shows the Values tab and waits until the heatmap of the current slice is drawn.
const ckpt::SliceHeatmap* showHeatmap(MainWindow& w)
{
    HeatmapView* view = w.tensorPanel()->heatmap();
    w.tensorPanel()->showValues();
    if (!QTest::qWaitFor([&] { return view->heatmap() != nullptr; }, 60000))
        return nullptr;
    return view->heatmap();
}

ckpt::TensorStats coreStats(MainWindow& w)
{
    return ckpt::computeStats(w.opened().checkpoint->tensors[std::size_t(w.tensorPanel()->tensorIndex())], {});
}
} // namespace

class TestUiHeatmap : public QObject {
    Q_OBJECT
    QStringList errors_;

private slots:
    void init() { errors_.clear(); }

    void negativeValuesGetASymmetricRange()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openDemoAndWait(w));
        QVERIFY(w.selectTensor(QStringLiteral("hidden.weight")));
        const auto* map = showHeatmap(w);
        QVERIFY(map);
        const auto stats = coreStats(w);
        QVERIFY2(stats.min < 0, "the fixture must hold negative values");
        const double m = std::max(std::abs(stats.min), std::abs(stats.max));
        const QCPRange range = w.tensorPanel()->heatmap()->colourRange();
        QCOMPARE(range.lower, -m);
        QCOMPARE(range.upper, m);
        QVERIFY(!map->grid.downsampled());
        QCOMPARE(map->grid.rows * map->grid.columns, stats.count);
        // Hovering over a cell names it and shows the value the table shows.
        SliceTableModel* slice = w.tensorPanel()->slice();
        QTRY_VERIFY(!std::isnan(slice->value(2, 3))); // asks for the cell and waits for it
        const QString hover = w.tensorPanel()->heatmap()->hoverText(3.2, 1.8);
        QCOMPARE(hover, QStringLiteral("row 2, column 3: %1").arg(floatText(slice->value(2, 3))));
        QVERIFY(w.tensorPanel()->heatmap()->hoverText(-3, 0).isEmpty());
        QVERIFY(errors_.isEmpty());
    }

    void rowAndColumnNormsBesideTheHeatmap()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/hdf5/slices3d.h5"));
        QVERIFY(w.selectTensor(QStringLiteral("cube"))); // 2 x 3 x 4, values 0..23; cube[0] first
        HeatmapView* view = w.tensorPanel()->heatmap();
        QVERIFY(showHeatmap(w));
        QVERIFY(view->norms().shown());
        // cube[0] is rows (0 1 2 3), (4 5 6 7), (8 9 10 11): norms computed here by hand.
        const std::vector<double> rows { std::sqrt(14.0), std::sqrt(126.0), std::sqrt(366.0) };
        const std::vector<double> columns { std::sqrt(80.0), std::sqrt(107.0), std::sqrt(140.0), std::sqrt(179.0) };
        QCOMPARE(view->norms().rows().size(), rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
            QVERIFY(std::abs(view->norms().rows()[i] - rows[i]) < 1e-12);
        QCOMPARE(view->norms().columns().size(), columns.size());
        for (std::size_t i = 0; i < columns.size(); ++i)
            QVERIFY(std::abs(view->norms().columns()[i] - columns[i]) < 1e-12);
        // The strips share the heatmap's axes: zooming the heatmap zooms them.
        QCPAxisRect* rowStrip = view->plot()->axisRectCount() > 1 ? view->plot()->axisRect(1) : nullptr;
        QVERIFY(rowStrip);
        view->plot()->yAxis->setRange(0.5, 1.5);
        QCOMPARE(rowStrip->axis(QCPAxis::atLeft)->range(), QCPRange(0.5, 1.5));
        // Off, and never for the filter grid.
        view->showNorms(false);
        QVERIFY(!view->norms().shown());
        QCOMPARE(view->plot()->axisRectCount(), 1);
        view->showNorms(true);
        QVERIFY(view->norms().shown());
        QVERIFY(openAndWait(w, data + "/real/pytorch/gnet.pth"));
        QVERIFY(w.selectTensor(QStringLiteral("conv1.weight")));
        QVERIFY(showHeatmap(w));
        view->showFilterGrid(true);
        QTRY_VERIFY(view->filterGrid());
        QVERIFY(!view->norms().shown());
        QCOMPARE(view->plot()->axisRectCount(), 1);
        QVERIFY(errors_.isEmpty());
    }

    void nonNegativeValuesStartAtZeroAndFollowTheSlice()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/hdf5/slices3d.h5"));
        QVERIFY(w.selectTensor(QStringLiteral("cube"))); // 2 x 3 x 4, values 0..23
        const auto* map = showHeatmap(w);
        QVERIFY(map);
        QVERIFY(!map->range.diverging);
        QCOMPARE(w.tensorPanel()->heatmap()->colourRange().lower, 0.0);
        QCOMPARE(w.tensorPanel()->heatmap()->colourRange().upper, 11.0); // the first slice: cube[0]
        // Another slice of the table is another heatmap: rows along axis 2, columns along axis 0.
        w.tensorPanel()->setSlice(2, 0, { 0, 2, 0 });
        const std::vector<std::int64_t> fixed { 0, 2, 0 };
        QTRY_VERIFY(
            w.tensorPanel()->heatmap()->heatmap() && w.tensorPanel()->heatmap()->heatmap()->request.fixed == fixed);
        map = w.tensorPanel()->heatmap()->heatmap();
        QCOMPARE(map->grid.rows, std::int64_t(4));
        QCOMPARE(map->grid.columns, std::int64_t(2));
        QCOMPARE(map->grid.mean[map->grid.at(3, 1)], double(1 * 12 + 2 * 4 + 3));
        QCOMPARE(w.tensorPanel()->heatmap()->colourRange().upper, double(1 * 12 + 2 * 4 + 3));
        QCOMPARE(w.tensorPanel()->heatmap()->colourRange().lower, 0.0);
        QVERIFY(errors_.isEmpty());
    }

    void hugeSliceIsDownsampledAndSaysSo()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/unbounded/huge_declared.h5"));
        QVERIFY(w.selectTensor(QStringLiteral("w"))); // 2^31 x 2^31, every value the fill value 7
        const auto* map = showHeatmap(w);
        QVERIFY(map);
        QVERIFY(map->grid.downsampled());
        QVERIFY(map->partial());
        QVERIFY(map->grid.gridRows <= 512 && map->grid.gridColumns <= 512);
        QVERIFY(map->grid.rows * map->grid.columns <= map->request.maxElements);
        QCOMPARE(map->grid.mean[0], 7.0);
        QCOMPARE(map->grid.nonFinite[0], std::int64_t(0));
        QCOMPARE(w.tensorPanel()->heatmap()->colourRange().lower, 0.0);
        QCOMPARE(w.tensorPanel()->heatmap()->colourRange().upper, 7.0);
        const QString note = w.tensorPanel()->heatmap()->note();
        QVERIFY2(note.startsWith(QStringLiteral("Downsampled 8,192×8,192 → 512×512, mean of blocks of 16×16")),
            qPrintable(note));
        QVERIFY2(note.contains(QStringLiteral("Only rows 0–8,191 of 2,147,483,648")), qPrintable(note));
        QVERIFY(w.tensorPanel()->heatmap()->hoverText(20, 40).startsWith(
            QStringLiteral("rows 32–47, columns 16–31: mean 7")));
        QVERIFY(errors_.isEmpty());
    }

    void convolutionKernelsAsAFilterGrid()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/real/pytorch/gnet.pth"));
        QVERIFY(w.selectTensor(QStringLiteral("conv1.weight"))); // (16, 3, 3, 3): out, in, kh, kw
        HeatmapView* view = w.tensorPanel()->heatmap();
        QVERIFY(showHeatmap(w));
        view->showFilterGrid(true);
        QTRY_VERIFY(view->filterGrid());
        const ckpt::FilterGrid& g = *view->filterGrid();
        QCOMPARE(g.outs, std::int64_t(16));
        QCOMPARE(g.ins, std::int64_t(3));
        QCOMPARE(g.image.rows, std::int64_t(16 * 4 - 1));
        QCOMPARE(g.image.columns, std::int64_t(3 * 4 - 1));
        // Every kernel is drawn: the colours span the whole tensor, symmetric around zero.
        const auto stats = coreStats(w);
        const double m = std::max(std::abs(stats.min), std::abs(stats.max));
        QCOMPARE(view->colourRange().lower, -m);
        QCOMPARE(view->colourRange().upper, m);
        // Kernel (output 2, input 1) as the table shows it when slicing there (the grid stays).
        w.tensorPanel()->setSlice(2, 3, { 2, 1, 0, 0 });
        QVERIFY(view->filterGrid());
        SliceTableModel* slice = w.tensorPanel()->slice();
        QTRY_VERIFY(!std::isnan(slice->value(1, 2)));
        QCOMPARE(view->hoverText(1 * 4 + 2, 2 * 4 + 1),
            QStringLiteral("output 2, input 1, kernel row 1, column 2: %1").arg(floatText(slice->value(1, 2))));
        QVERIFY(view->hoverText(3, 0).isEmpty()); // the gap between tiles
        // A tensor without kernels shows its slice, whatever was chosen before.
        QVERIFY(w.selectTensor(QStringLiteral("lin1.weight")));
        QTRY_VERIFY(view->heatmap());
        QVERIFY(!view->filterGrid());
        QVERIFY(errors_.isEmpty());
    }

    // More kernels than one grid draws (32 x 32): the start boxes appear and page through them.
    void filterGridPagesThroughManyKernels()
    {
        MainWindow w;
        collectErrors(w, errors_);
        QVERIFY(openAndWait(w, data + "/hdf5/conv40x36.h5"));
        QVERIFY(w.selectTensor(QStringLiteral("conv/weight"))); // (40, 36, 3, 3), values 0, 1, 2, ...
        HeatmapView* view = w.tensorPanel()->heatmap();
        QVERIFY(showHeatmap(w));
        view->showFilterGrid(true);
        QTRY_VERIFY(view->filterGrid());
        QCOMPARE(view->filterGrid()->outs, std::int64_t(32));
        QCOMPARE(view->filterGrid()->ins, std::int64_t(32));
        QSpinBox* firstOut = nullptr;
        QSpinBox* firstIn = nullptr;
        for (auto* box : view->findChildren<QSpinBox*>()) {
            if (box->prefix().startsWith(QStringLiteral("From output")))
                firstOut = box;
            if (box->prefix().startsWith(QStringLiteral("From input")))
                firstIn = box;
        }
        QVERIFY(firstOut && firstIn);
        QVERIFY(firstOut->isVisibleTo(view));
        QCOMPARE(firstOut->maximum(), 39);
        QCOMPARE(firstIn->maximum(), 35);
        firstOut->stepUp(); // a page on: outputs 32-39
        QTRY_VERIFY(view->filterGrid() && view->filterGrid()->firstOut == 32);
        firstIn->setValue(32);
        QTRY_VERIFY(view->filterGrid() && view->filterGrid()->firstIn == 32);
        const ckpt::FilterGrid& g = *view->filterGrid();
        QCOMPARE(g.outs, std::int64_t(8));
        QCOMPARE(g.ins, std::int64_t(4));
        QVERIFY2(view->note().contains(QStringLiteral("outputs 32–39 of 40")), qPrintable(view->note()));
        // Output 35, input 33, kernel row 1, column 2 holds (35 * 36 + 33) * 9 + 1 * 3 + 2.
        QCOMPARE(view->hoverText((33 - 32) * 4 + 2, (35 - 32) * 4 + 1),
            QStringLiteral("output 35, input 33, kernel row 1, column 2: %1").arg(floatText(11642)));
        // Off, the boxes go; a tensor with few kernels never shows them.
        view->showFilterGrid(false);
        QVERIFY(!firstOut->isVisibleTo(view));
        QVERIFY(errors_.isEmpty());
    }
};

QTEST_MAIN(TestUiHeatmap)
#include "tst_ui_heatmap.moc"
