#include "HeatmapView.h"

#include "CheckpointSession.h"
#include "HeatmapColours.h"
#include "HeatmapText.h"
#include "ThemedPlot.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>
#include <cmath>
#include <tuple>
#include <utility>

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

} // namespace

HeatmapView::HeatmapView(QWidget* parent)
    : QWidget(parent)
    , plot_(new ThemedPlot(this))
    , map_(new QCPColorMap(plot_->xAxis, plot_->yAxis))
    , scale_(new QCPColorScale(plot_))
    , rowsAligned_(new QCPMarginGroup(plot_))
    , norms_(plot_, plot_->axisRect(), rowsAligned_)
    , colourBy_(new QComboBox(this))
    , filterGrid_(new QCheckBox(tr("Filter grid"), this))
    , showNorms_(new QCheckBox(tr("Norms"), this))
    , pages_(new QWidget(this))
    , firstOut_(new QSpinBox(pages_))
    , firstIn_(new QSpinBox(pages_))
    , note_(new QLabel(this))
    , hover_(new QLabel(this))
{
    colourBy_->addItem(tr("Block mean"));
    colourBy_->addItem(tr("Block max |x|"));
    colourBy_->setVisible(false); // until a downsampled slice is drawn
    colourBy_->setToolTip(tr("What colours a block of values when the slice is downsampled: their mean, or the value "
                             "of the largest magnitude (with its sign), so that a lone spike stays visible"));
    auto* fitButton = new QPushButton(tr("Fit"), this);
    fitButton->setToolTip(tr("Show the whole heatmap again (the wheel zooms, dragging pans)"));
    auto* controls = new QHBoxLayout;
    controls->addWidget(colourBy_);
    controls->addWidget(filterGrid_);
    controls->addWidget(showNorms_);
    showNorms_->setChecked(true);
    showNorms_->setToolTip(tr("The L2 norm of every row (right) and column (below) of the slice; per band of rows "
                              "or columns when downsampled"));
    filterGrid_->setToolTip(tr("Every kernel of the convolution as a small tile: outputs down, inputs across"));
    filterGrid_->setVisible(false);
    controls->addStretch();
    controls->addWidget(fitButton);
    auto* pageControls = new QHBoxLayout(pages_);
    pageControls->setContentsMargins(0, 0, 0, 0);
    const ckpt::FilterGridRequest page;
    for (auto [box, prefix, step] : { std::tuple { firstOut_, tr("From output "), page.maxOuts },
             std::tuple { firstIn_, tr("From input "), page.maxIns } }) {
        box->setPrefix(prefix);
        box->setSingleStep(step); // a page of kernels at a time; any start can be typed
        box->setKeyboardTracking(false);
        box->setToolTip(
            tr("The filter grid draws up to %1 outputs × %2 inputs: which ones").arg(page.maxOuts).arg(page.maxIns));
        pageControls->addWidget(box);
        connect(box, &QSpinBox::valueChanged, this, [this] {
            forget(tr("Reading…"));
            requestIfNeeded();
        });
    }
    pageControls->addStretch();
    pages_->setVisible(false);
    note_->setWordWrap(true);
    hover_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(pages_);
    layout->addWidget(note_);
    layout->addWidget(plot_, 1);
    layout->addWidget(hover_);

    plot_->plotLayout()->addElement(0, 1, scale_); // the norm strips go between them when shown
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
    plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, rowsAligned_);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, rowsAligned_);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setMinimumSize(200, 200);
    plot_->setMouseTracking(true);
    plot_->setToolTip(tr("Wheel to zoom, drag to pan"));

    connect(fitButton, &QPushButton::clicked, this, &HeatmapView::fit);
    connect(colourBy_, &QComboBox::currentIndexChanged, this, [this] {
        setCells();
        note_->setText(note());
        redraw();
    });
    connect(filterGrid_, &QCheckBox::toggled, this, [this](bool on) {
        if (!on)
            showFilterGridPages(nullptr);
        forget(tr("Reading…"));
        requestIfNeeded();
    });
    connect(showNorms_, &QCheckBox::toggled, this, [this] {
        if (grid())
            draw(filters_ ? filters_->range : shown_->range, shown_ ? shown_->firstRow : 0,
                shown_ ? shown_->firstColumn : 0);
    });
    connect(plot_, &QCustomPlot::mouseMove, this, &HeatmapView::showHover);
    showMessage(QString());
}

void HeatmapView::setSlice(
    CheckpointSession* session, int tensorIndex, const ckpt::SliceHeatmapRequest& request, bool kernels)
{
    const bool sameTensor = session_ == session && tensor_ == tensorIndex && kernels_ == kernels;
    if (sameTensor && (request_ == request || filterGrid_->isChecked())) {
        request_ = request; // the same picture (the filter grid does not depend on the slice): keep it
        return;
    }
    if (session_ != session)
        connectTo(session);
    tensor_ = session ? tensorIndex : -1;
    request_ = request;
    kernels_ = kernels;
    {
        const QSignalBlocker quiet(filterGrid_); // a tensor without kernels shows its slice
        filterGrid_->setChecked(filterGrid_->isChecked() && kernels);
    }
    filterGrid_->setVisible(kernels);
    if (!sameTensor) {
        showFilterGridPages(nullptr);
        const QSignalBlocker quietOut(firstOut_), quietIn(firstIn_);
        firstOut_->setValue(0);
        firstIn_->setValue(0);
    }
    forget(tensor_ < 0 ? QString() : tr("Reading…"));
    requestIfNeeded();
}

void HeatmapView::connectTo(CheckpointSession* session)
{
    if (session_)
        disconnect(session_, nullptr, this, nullptr);
    session_ = session;
    if (!session)
        return;
    connect(session, &CheckpointSession::heatmapReady, this, &HeatmapView::onReady);
    connect(session, &CheckpointSession::heatmapFailed, this, &HeatmapView::onFailed);
    connect(session, &CheckpointSession::filterGridReady, this, &HeatmapView::onFilterGrid);
    connect(session, &CheckpointSession::filterGridFailed, this, &HeatmapView::onFilterGridFailed);
}

void HeatmapView::setActive(bool active)
{
    active_ = active;
    requestIfNeeded();
}

void HeatmapView::showFilterGrid(bool on)
{
    filterGrid_->setChecked(on && kernels_);
}

void HeatmapView::showNorms(bool on)
{
    showNorms_->setChecked(on);
}

ckpt::FilterGridRequest HeatmapView::filterGridRequest() const
{
    ckpt::FilterGridRequest r;
    r.firstOut = firstOut_->value();
    r.firstIn = firstIn_->value();
    return r;
}

// The start boxes, when the tensor has more kernels than one grid draws: their ranges from the
// grid drawn (the core clamps a start past the end).
void HeatmapView::showFilterGridPages(const ckpt::FilterGrid* grid)
{
    const bool paged = grid && (grid->totalOuts > grid->request.maxOuts || grid->totalIns > grid->request.maxIns);
    pages_->setVisible(paged);
    if (!grid)
        return;
    const QSignalBlocker quietOut(firstOut_), quietIn(firstIn_);
    firstOut_->setRange(0, int(std::clamp<std::int64_t>(grid->totalOuts - 1, 0, INT_MAX)));
    firstIn_->setRange(0, int(std::clamp<std::int64_t>(grid->totalIns - 1, 0, INT_MAX)));
    firstOut_->setValue(int(grid->firstOut));
    firstIn_->setValue(int(grid->firstIn));
}

void HeatmapView::forget(const QString& message)
{
    asked_ = false;
    shown_.reset();
    filters_.reset();
    showMessage(message);
}

void HeatmapView::requestIfNeeded()
{
    if (!active_ || asked_ || !session_ || tensor_ < 0)
        return;
    asked_ = true;
    if (filterGrid_->isChecked())
        session_->requestFilterGrid(tensor_, filterGridRequest());
    else
        session_->requestHeatmap(tensor_, request_);
}

void HeatmapView::onReady(int tensor, const std::shared_ptr<const ckpt::SliceHeatmap>& map)
{
    if (tensor != tensor_ || map->request != request_ || filterGrid_->isChecked())
        return; // of a slice no longer shown
    shown_ = map;
    draw(map->range, map->firstRow, map->firstColumn);
    emit drawn();
}

void HeatmapView::onFailed(int tensor, const ckpt::SliceHeatmapRequest& request, const QString& message)
{
    if (tensor != tensor_ || request != request_ || filterGrid_->isChecked())
        return;
    asked_ = false; // asked again when the view is activated again
    showMessage(tr("No heatmap: %1").arg(message));
}

void HeatmapView::onFilterGrid(int tensor, const std::shared_ptr<const ckpt::FilterGrid>& grid)
{
    if (tensor != tensor_ || !filterGrid_->isChecked() || grid->request != filterGridRequest())
        return; // of another tensor or another page
    filters_ = grid;
    showFilterGridPages(grid.get());
    draw(grid->range, 0, 0);
    emit drawn();
}

void HeatmapView::onFilterGridFailed(int tensor, const QString& message)
{
    if (tensor != tensor_ || !filterGrid_->isChecked())
        return;
    asked_ = false;
    showMessage(tr("No filter grid: %1").arg(message));
}

void HeatmapView::showMessage(const QString& message)
{
    map_->data()->clear();
    map_->setVisible(false);
    scale_->setVisible(false);
    norms_.hide();
    note_->setText(message);
    hover_->clear();
    redraw();
}

const ckpt::BlockGrid* HeatmapView::grid() const
{
    return filters_ ? &filters_->image : shown_ ? &shown_->grid : nullptr;
}

// Cells at slice (or image) indices from (firstRow, firstColumn), in the colours of `range`.
void HeatmapView::draw(const ckpt::ColourRange& r, std::int64_t firstRow, std::int64_t firstColumn)
{
    const ckpt::BlockGrid& g = *grid();
    if (g.gridRows == 0 || g.gridColumns == 0) {
        showMessage(tr("The slice has no values."));
        return;
    }
    map_->data()->setSize(std::max(2, g.gridColumns), std::max(2, g.gridRows));
    map_->data()->setRange(
        cellCentres(firstColumn, g.blockColumns, g.gridColumns), cellCentres(firstRow, g.blockRows, g.gridRows));
    setCells();
    map_->setGradient(r.diverging ? divergingGradient() : sequentialGradient());
    // A constant non-negative slice (or one with nothing finite) still needs a range to draw.
    const bool degenerate = !(r.upper > r.lower);
    map_->setDataRange(
        degenerate ? QCPRange(0, std::isfinite(r.upper) && r.upper > 0 ? r.upper : 1) : QCPRange(r.lower, r.upper));
    scale_->axis()->setLabel(tr("value")); // short: the scale can be short; its ticks show where 0 is
    if (filters_) { // the ticks count cells of the grid; the labels say which channels they are
        const ckpt::FilterGrid& f = *filters_;
        plot_->xAxis->setLabel(tr("inputs %1–%2, a tile each").arg(f.firstIn).arg(f.firstIn + f.ins - 1));
        plot_->yAxis->setLabel(tr("outputs %1–%2, a tile each").arg(f.firstOut).arg(f.firstOut + f.outs - 1));
    } else {
        plot_->xAxis->setLabel(tr("column"));
        plot_->yAxis->setLabel(tr("row"));
    }
    map_->setVisible(true);
    scale_->setVisible(true);
    if (showNorms_->isChecked() && !filters_)
        norms_.show(g, firstRow, firstColumn);
    else
        norms_.hide();
    colourBy_->setVisible(g.downsampled()); // one value per cell: nothing to choose (and room for the rest)
    note_->setText(note());
    hover_->clear();
    fit();
}

// The cell values: the block mean or the block's extreme, as chosen. A single row or column of
// blocks is drawn twice (see cellCentres).
void HeatmapView::setCells()
{
    const ckpt::BlockGrid* g = grid();
    if (!g || g->gridRows == 0 || g->gridColumns == 0)
        return;
    const bool extreme = colourBy_->currentIndex() == 1;
    for (int row = 0; row < map_->data()->valueSize(); ++row)
        for (int col = 0; col < map_->data()->keySize(); ++col) {
            const std::size_t b = g->at(std::min(row, g->gridRows - 1), std::min(col, g->gridColumns - 1));
            map_->data()->setCell(col, row, extreme ? g->extreme(b) : g->mean[b]);
        }
}

void HeatmapView::fit()
{
    if (const ckpt::BlockGrid* g = grid()) {
        const std::int64_t row0 = shown_ ? shown_->firstRow : 0, col0 = shown_ ? shown_->firstColumn : 0;
        plot_->xAxis->setRange(double(col0) - 0.5, double(col0 + g->columns) - 0.5);
        plot_->yAxis->setRange(double(row0) - 0.5, double(row0 + g->rows) - 0.5);
    }
    redraw();
}

QCPRange HeatmapView::colourRange() const
{
    return map_->dataRange();
}

QString HeatmapView::note() const
{
    if (filters_)
        return filterNote(*filters_);
    if (shown_)
        return sliceNote(*shown_, colourBy_->currentIndex() == 1);
    return note_->text();
}

QString HeatmapView::hoverText(double column, double row) const
{
    if (filters_)
        return filterHover(*filters_, column, row);
    if (shown_)
        return sliceHover(*shown_, column, row);
    return {};
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
    QString text = norms_.hoverText(event->position());
    if (text.isEmpty())
        text = hoverText(plot_->xAxis->pixelToCoord(event->pos().x()), plot_->yAxis->pixelToCoord(event->pos().y()));
    hover_->setText(text);
    plot_->setToolTip(text.isEmpty() ? tr("Wheel to zoom, drag to pan") : text);
}
