#include "HeatmapNorms.h"

#include "NumberText.h"
#include "ThemedPlot.h"

#include <algorithm>
#include <cmath>

namespace {

constexpr int kStripSize = 110; // pixels across a strip: room for a few ticks, not more

// An axis rect with one value axis and one axis shared with the heatmap (no labels of its own:
// the heatmap's show the indices), not dragged or zoomed on its own.
QCPAxisRect* stripRect(QCustomPlot* plot, QCPAxis::AxisType valueSide, const QString& label)
{
    auto* rect = new QCPAxisRect(plot);
    rect->setRangeDrag({});
    rect->setRangeZoom({});
    QCPAxis* value = rect->axis(valueSide);
    value->setLabel(label);
    value->ticker()->setTickCount(valueSide == QCPAxis::atBottom ? 2 : 3); // a narrow strip has room for few
    QCPAxis* shared = rect->axis(valueSide == QCPAxis::atBottom ? QCPAxis::atLeft : QCPAxis::atBottom);
    shared->setTickLabels(false);
    return rect;
}

// Each block's value flat across the whole block (element i covers [i - 0.5, i + 0.5]), as the
// heatmap draws its cells: two points per block, at its edges, in order.
void setSteps(
    QCPGraph* graph, const std::vector<double>& values, std::int64_t first, std::int64_t block, std::int64_t extent)
{
    QVector<double> keys, heights;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::int64_t start = std::int64_t(i) * block, end = std::min(extent, start + block);
        keys << double(first + start) - 0.5 << double(first + end) - 0.5;
        heights << values[i] << values[i];
    }
    graph->setData(keys, heights, true); // already in order: keep each block's two points as given
}

} // namespace

HeatmapNorms::HeatmapNorms(ThemedPlot* plot, QCPAxisRect* main, QCPMarginGroup* rowsAligned)
    : plot_(plot)
    , main_(main)
    , rowRect_(stripRect(plot, QCPAxis::atBottom, QObject::tr("row L2")))
    , columnRect_(stripRect(plot, QCPAxis::atLeft, QObject::tr("column L2")))
    , rowGraph_(new QCPGraph(rowRect_->axis(QCPAxis::atLeft), rowRect_->axis(QCPAxis::atBottom)))
    , columnGraph_(new QCPGraph(columnRect_->axis(QCPAxis::atBottom), columnRect_->axis(QCPAxis::atLeft)))
{
    rowRect_->setMinimumSize(kStripSize / 2, 0);
    rowRect_->setMaximumSize(kStripSize, QWIDGETSIZE_MAX);
    columnRect_->setMinimumSize(0, kStripSize / 3);
    columnRect_->setMaximumSize(QWIDGETSIZE_MAX, kStripSize * 3 / 4);
    rowRect_->setMarginGroup(QCP::msTop | QCP::msBottom, rowsAligned);
    auto* columnsAligned = new QCPMarginGroup(plot);
    main->setMarginGroup(QCP::msLeft | QCP::msRight, columnsAligned);
    columnRect_->setMarginGroup(QCP::msLeft | QCP::msRight, columnsAligned);
    QCPAxis* rowAxis = rowRect_->axis(QCPAxis::atLeft);
    rowAxis->setRangeReversed(main->axis(QCPAxis::atLeft)->rangeReversed());
    rowAxis->setTicker(main->axis(QCPAxis::atLeft)->ticker());
    columnRect_->axis(QCPAxis::atBottom)->setTicker(main->axis(QCPAxis::atBottom)->ticker());
    // The strips follow the heatmap's panning and zooming.
    QObject::connect(main->axis(QCPAxis::atLeft), qOverload<const QCPRange&>(&QCPAxis::rangeChanged), rowAxis,
        qOverload<const QCPRange&>(&QCPAxis::setRange));
    QObject::connect(main->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
        columnRect_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::setRange));
    for (QCPGraph* graph : { rowGraph_, columnGraph_ }) {
        graph->setPen(QPen(QColor(40, 110, 200), 1.5));
    }
    place(false);
}

void HeatmapNorms::show(const ckpt::BlockGrid& grid, std::int64_t firstRow, std::int64_t firstColumn)
{
    rowNorms_ = ckpt::rowNorms(grid);
    columnNorms_ = ckpt::columnNorms(grid);
    firstRow_ = firstRow;
    firstColumn_ = firstColumn;
    blockRows_ = grid.blockRows;
    blockColumns_ = grid.blockColumns;
    sliceRows_ = grid.rows;
    sliceColumns_ = grid.columns;
    setSteps(rowGraph_, rowNorms_, firstRow, grid.blockRows, grid.rows);
    setSteps(columnGraph_, columnNorms_, firstColumn, grid.blockColumns, grid.columns);
    const auto upTo = [](const std::vector<double>& v) {
        const double top = v.empty() ? 0 : *std::max_element(v.begin(), v.end());
        return QCPRange(0, top > 0 && std::isfinite(top) ? top * 1.05 : 1); // norms from 0, as densities
    };
    rowRect_->axis(QCPAxis::atBottom)->setRange(upTo(rowNorms_));
    columnRect_->axis(QCPAxis::atLeft)->setRange(upTo(columnNorms_));
    place(true);
}

void HeatmapNorms::hide()
{
    rowNorms_.clear();
    columnNorms_.clear();
    place(false);
}

// Puts the strips into the plot's layout or takes them out (a hidden element would still hold
// its room in a QCPLayoutGrid).
void HeatmapNorms::place(bool on)
{
    QCPLayoutGrid* layout = plot_->plotLayout();
    const bool inLayout = rowRect_->layout() != nullptr;
    if (on && !inLayout) {
        layout->insertColumn(1);
        layout->addElement(0, 1, rowRect_);
        layout->addElement(1, 0, columnRect_);
        layout->setRowStretchFactor(1, 0.25); // the heatmap keeps most of the room in a small window
        layout->setColumnStretchFactor(1, 0.25);
        plot_->applyPalette();
    } else if (!on && inLayout) {
        layout->take(rowRect_);
        layout->take(columnRect_);
        layout->simplify();
    }
    rowRect_->setVisible(on);
    columnRect_->setVisible(on);
    shown_ = on;
}

QString HeatmapNorms::bandText(const std::vector<double>& norms, std::int64_t first, std::int64_t block,
    std::int64_t extent, double at, const QString& one, const QString& many) const
{
    const double index = std::floor(at + 0.5) - double(first);
    if (!(index >= 0 && index < double(extent)))
        return {};
    const std::size_t band = std::size_t(std::int64_t(index) / block);
    if (band >= norms.size())
        return {};
    const std::int64_t start = first + std::int64_t(band) * block;
    const std::int64_t end = first + std::min(extent, std::int64_t(band + 1) * block) - 1;
    if (start == end)
        return one.arg(groupedCount(start), floatText(norms[band]));
    return many.arg(groupedCount(start), groupedCount(end), floatText(norms[band]));
}

QString HeatmapNorms::hoverText(const QPointF& pixel) const
{
    if (!shown_)
        return {};
    if (rowRect_->rect().contains(pixel.toPoint()))
        return bandText(rowNorms_, firstRow_, blockRows_, sliceRows_,
            rowRect_->axis(QCPAxis::atLeft)->pixelToCoord(pixel.y()), QObject::tr("row %1: L2 norm %2"),
            QObject::tr("rows %1–%2: L2 norm %3 (root mean square of the rows' norms)"));
    if (columnRect_->rect().contains(pixel.toPoint()))
        return bandText(columnNorms_, firstColumn_, blockColumns_, sliceColumns_,
            columnRect_->axis(QCPAxis::atBottom)->pixelToCoord(pixel.x()), QObject::tr("column %1: L2 norm %2"),
            QObject::tr("columns %1–%2: L2 norm %3 (root mean square of the columns' norms)"));
    return {};
}
