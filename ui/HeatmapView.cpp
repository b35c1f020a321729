#include "HeatmapView.h"

#include "CheckpointSession.h"
#include "HeatmapColours.h"
#include "NumberText.h"
#include "ThemedPlot.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

namespace {

// Where the cells of one axis go, in slice indices (element i covers [i - 0.5, i + 0.5]): the
// centre of the first and last block. QCustomPlot draws a single cell with no width, so a
// single block is drawn as two half cells.
QCPRange cellCentres(std::int64_t first, std::int64_t block, int cells)
{
    const double centre = double(first) + double(block - 1) / 2;
    if (cells == 1)
        return QCPRange(centre - double(block) / 4, centre + double(block) / 4);
    return QCPRange(centre, centre + double(block) * (cells - 1));
}

QString rangeText(std::int64_t first, std::int64_t last)
{
    return first == last ? groupedCount(first) : groupedCount(first) + QStringLiteral("–") + groupedCount(last);
}

} // namespace

HeatmapView::HeatmapView(QWidget* parent)
    : QWidget(parent)
    , plot_(new ThemedPlot(this))
    , map_(new QCPColorMap(plot_->xAxis, plot_->yAxis))
    , scale_(new QCPColorScale(plot_))
    , colourBy_(new QComboBox(this))
    , note_(new QLabel(this))
    , hover_(new QLabel(this))
{
    colourBy_->addItem(tr("Block mean"));
    colourBy_->addItem(tr("Block extreme (largest |x|)"));
    colourBy_->setToolTip(tr("What colours a block of values when the slice is downsampled"));
    auto* fitButton = new QPushButton(tr("Fit"), this);
    fitButton->setToolTip(tr("Show the whole heatmap again"));
    auto* controls = new QHBoxLayout;
    controls->addWidget(colourBy_);
    controls->addStretch();
    controls->addWidget(new QLabel(tr("Wheel to zoom, drag to pan"), this));
    controls->addWidget(fitButton);
    note_->setWordWrap(true);
    hover_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(note_);
    layout->addWidget(plot_, 1);
    layout->addWidget(hover_);

    plot_->plotLayout()->addElement(0, 1, scale_);
    scale_->setType(QCPAxis::atRight);
    map_->setColorScale(scale_);
    map_->setInterpolate(false); // a cell is a value (or a block): never blend neighbours
    plot_->yAxis->setRangeReversed(true); // row 0 at the top, as in the table
    for (QCPAxis* axis : { plot_->xAxis, plot_->yAxis }) { // ticks on whole indices only
        auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
        ticker->setTickStep(1.0);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        axis->setTicker(ticker);
    }
    plot_->xAxis->setLabel(tr("column"));
    plot_->yAxis->setLabel(tr("row"));
    auto* margins = new QCPMarginGroup(plot_);
    plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setMinimumSize(200, 200);
    plot_->setMouseTracking(true);

    connect(fitButton, &QPushButton::clicked, this, &HeatmapView::fit);
    connect(colourBy_, &QComboBox::currentIndexChanged, this, [this] {
        setCells();
        note_->setText(note());
        redraw();
    });
    connect(plot_, &QCustomPlot::mouseMove, this, &HeatmapView::showHover);
    showMessage(QString());
}

void HeatmapView::setSlice(CheckpointSession* session, int tensorIndex, const ckpt::SliceHeatmapRequest& request)
{
    if (session_ != session) {
        if (session_)
            disconnect(session_, nullptr, this, nullptr);
        session_ = session;
        if (session) {
            connect(session, &CheckpointSession::heatmapReady, this, &HeatmapView::onReady);
            connect(session, &CheckpointSession::heatmapFailed, this, &HeatmapView::onFailed);
        }
    } else if (tensor_ == tensorIndex && request_ == request) {
        return; // the same slice: keep what is drawn
    }
    tensor_ = session ? tensorIndex : -1;
    request_ = request;
    asked_ = false;
    shown_.reset();
    showMessage(tensor_ < 0 ? QString() : tr("Reading the slice…"));
    requestIfNeeded();
}

void HeatmapView::setActive(bool active)
{
    active_ = active;
    requestIfNeeded();
}

void HeatmapView::requestIfNeeded()
{
    if (!active_ || asked_ || !session_ || tensor_ < 0)
        return;
    asked_ = true;
    session_->requestHeatmap(tensor_, request_);
}

void HeatmapView::onReady(int tensor, const std::shared_ptr<const ckpt::SliceHeatmap>& map)
{
    if (tensor != tensor_ || map->request != request_)
        return; // of a slice no longer shown
    shown_ = map;
    draw();
    emit drawn();
}

void HeatmapView::onFailed(int tensor, const ckpt::SliceHeatmapRequest& request, const QString& message)
{
    if (tensor != tensor_ || request != request_)
        return;
    asked_ = false; // asked again when the view is activated again
    showMessage(tr("No heatmap: %1").arg(message));
}

void HeatmapView::showMessage(const QString& message)
{
    map_->data()->clear();
    map_->setVisible(false);
    scale_->setVisible(false);
    note_->setText(message);
    hover_->clear();
    redraw();
}

void HeatmapView::draw()
{
    const ckpt::BlockGrid& g = shown_->grid;
    if (g.gridRows == 0 || g.gridColumns == 0) {
        showMessage(tr("The slice has no values."));
        return;
    }
    map_->data()->setSize(std::max(2, g.gridColumns), std::max(2, g.gridRows));
    map_->data()->setRange(cellCentres(shown_->firstColumn, g.blockColumns, g.gridColumns),
        cellCentres(shown_->firstRow, g.blockRows, g.gridRows));
    setCells();
    const ckpt::ColourRange& r = shown_->range;
    map_->setGradient(r.diverging ? divergingGradient() : sequentialGradient());
    // A constant non-negative slice (or one with nothing finite) still needs a range to draw.
    const bool degenerate = !(r.upper > r.lower);
    map_->setDataRange(
        degenerate ? QCPRange(0, std::isfinite(r.upper) && r.upper > 0 ? r.upper : 1) : QCPRange(r.lower, r.upper));
    scale_->axis()->setLabel(r.diverging ? tr("value (0 in the middle)") : tr("value"));
    map_->setVisible(true);
    scale_->setVisible(true);
    colourBy_->setEnabled(g.downsampled()); // one value per cell: nothing to choose
    note_->setText(note());
    hover_->clear();
    fit();
}

// The cell values: the block mean or the block's extreme, as chosen. A single row or column of
// blocks is drawn twice (see cellCentres).
void HeatmapView::setCells()
{
    if (!shown_ || shown_->grid.gridRows == 0 || shown_->grid.gridColumns == 0)
        return;
    const ckpt::BlockGrid& g = shown_->grid;
    const bool extreme = colourBy_->currentIndex() == 1;
    for (int row = 0; row < map_->data()->valueSize(); ++row)
        for (int col = 0; col < map_->data()->keySize(); ++col) {
            const std::size_t b = g.at(std::min(row, g.gridRows - 1), std::min(col, g.gridColumns - 1));
            map_->data()->setCell(col, row, extreme ? g.extreme(b) : g.mean[b]);
        }
}

void HeatmapView::fit()
{
    if (shown_) {
        plot_->xAxis->setRange(
            double(shown_->firstColumn) - 0.5, double(shown_->firstColumn + shown_->grid.columns) - 0.5);
        plot_->yAxis->setRange(double(shown_->firstRow) - 0.5, double(shown_->firstRow + shown_->grid.rows) - 0.5);
    }
    redraw();
}

QCPRange HeatmapView::colourRange() const
{
    return map_->dataRange();
}

QString HeatmapView::note() const
{
    if (!shown_)
        return note_->text();
    const ckpt::BlockGrid& g = shown_->grid;
    QString text = g.downsampled()
        ? tr("Downsampled %1×%2 → %3×%4, %5 of blocks of %6×%7 values (min and max on hover).")
              .arg(groupedCount(g.rows), groupedCount(g.columns), groupedCount(g.gridRows), groupedCount(g.gridColumns),
                  colourBy_->currentIndex() == 1 ? tr("largest |x|") : tr("mean"), groupedCount(g.blockRows),
                  groupedCount(g.blockColumns))
        : tr("%1×%2, one cell per value.").arg(groupedCount(g.rows), groupedCount(g.columns));
    if (shown_->partial())
        text += QLatin1Char(' ')
            + tr("Only rows %1 of %2 and columns %3 of %4 are drawn (at most %5 values are read).")
                  .arg(rangeText(shown_->firstRow, shown_->firstRow + g.rows - 1), groupedCount(shown_->sliceRows),
                      rangeText(shown_->firstColumn, shown_->firstColumn + g.columns - 1),
                      groupedCount(shown_->sliceColumns), groupedCount(shown_->request.maxElements));
    return text;
}

QString HeatmapView::hoverText(double column, double row) const
{
    if (!shown_)
        return {};
    const ckpt::BlockGrid& g = shown_->grid;
    const auto c = std::int64_t(std::floor(column + 0.5)) - shown_->firstColumn;
    const auto r = std::int64_t(std::floor(row + 0.5)) - shown_->firstRow;
    if (c < 0 || r < 0 || c >= g.columns || r >= g.rows)
        return {};
    const int blockRow = int(r / g.blockRows), blockCol = int(c / g.blockColumns);
    const std::size_t b = g.at(blockRow, blockCol);
    if (!g.downsampled())
        return tr("row %1, column %2: %3")
            .arg(groupedCount(shown_->firstRow + r), groupedCount(shown_->firstColumn + c),
                g.nonFinite[b] ? tr("not finite (NaN or ±inf)") : floatText(g.mean[b]));
    const std::int64_t row0 = shown_->firstRow + blockRow * g.blockRows;
    const std::int64_t col0 = shown_->firstColumn + blockCol * g.blockColumns;
    QString text = tr("rows %1, columns %2: mean %3, min %4, max %5")
                       .arg(rangeText(row0, std::min(row0 + g.blockRows, shown_->firstRow + g.rows) - 1),
                           rangeText(col0, std::min(col0 + g.blockColumns, shown_->firstColumn + g.columns) - 1),
                           floatText(g.mean[b]), floatText(g.min[b]), floatText(g.max[b]));
    if (g.nonFinite[b])
        text += tr(", %1 not finite").arg(groupedCount(g.nonFinite[b]));
    return text;
}

// A plot that is hidden or has no size cannot be drawn (QPainter refuses its empty buffer); it is
// drawn when shown.
void HeatmapView::redraw()
{
    if (plot_->isVisible() && !plot_->size().isEmpty())
        plot_->replot();
}

void HeatmapView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    redraw();
}

void HeatmapView::showHover(QMouseEvent* event)
{
    const QString text
        = hoverText(plot_->xAxis->pixelToCoord(event->pos().x()), plot_->yAxis->pixelToCoord(event->pos().y()));
    hover_->setText(text);
    plot_->setToolTip(text);
}
