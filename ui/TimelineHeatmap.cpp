#include "TimelineHeatmap.h"

#include "HeatmapColours.h"
#include "NumberText.h"
#include "ShownText.h"
#include "ThemedPlot.h"
#include "TimelineText.h"
#include "TimelineTicks.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {
constexpr int kMaxNameWidth = 220; // pixels: long names are elided in the middle, whole on hover
} // namespace

TimelineHeatmap::TimelineHeatmap(QWidget* parent)
    : QWidget(parent)
    , plot_(new ThemedPlot(this))
    , map_(new QCPColorMap(plot_->xAxis, plot_->yAxis))
    , scale_(new QCPColorScale(plot_))
    , hover_(new QLabel(this))
{
    hover_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_, 1);
    layout->addWidget(hover_);
    // A cell: one tensor at one step; sequential: a relative change is never negative. The label
    // is short: the scale is narrow and tall.
    placeSequentialScale(plot_, map_, scale_, tr("relative change"));
    plot_->yAxis->setRangeReversed(true); // the first tensor at the top, as in the list
    plot_->setMinimumHeight(160);
    plot_->setMouseTracking(true);
    plot_->setToolTip(tr("Click a column to open that step's checkpoint in the other tabs"));
    connect(plot_, &QCustomPlot::mouseMove, this, &TimelineHeatmap::onMove);
    connect(plot_, &QCustomPlot::mousePress, this, &TimelineHeatmap::onPress);
    // How many labels fit depends on the size: chosen again once the layout knows it.
    connect(plot_, &QCustomPlot::afterLayout, this, [this] {
        if (setTensorTicks())
            plot_->replot(QCustomPlot::rpQueuedReplot);
    });
    setRun(nullptr);
}

// Changes span decades in most runs (large at first, small later): beyond two decades the colours
// are logarithmic, down to a millionth of the top, so the later steps are not all one colour. A
// blow-up (a change of 1e13 at one step) would take the whole scale: the top is the 99th
// percentile of the changes (of 100 or more), and the few beyond it take the top colour (said below the plot).
QCPRange TimelineHeatmap::colourRange(const std::vector<double>& changes)
{
    std::vector<double> positive;
    for (double v : changes)
        if (std::isfinite(v) && v > 0)
            positive.push_back(v);
    std::sort(positive.begin(), positive.end());
    const double smallest = positive.empty() ? 0 : positive.front();
    const double highest = positive.empty() ? 0 : positive.back();
    const double percentile = positive.empty() ? 0 : positive[(positive.size() - 1) * 99 / 100];
    clamped_ = positive.size() >= 100 && highest > 10 * percentile; // among a few, nothing is an outlier
    const double largest = clamped_ ? percentile : highest;
    logColours_ = largest > 0 && largest / smallest > 100;
    scale_->setDataScaleType(logColours_ ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    scale_->axis()->setTicker(logColours_ ? QSharedPointer<QCPAxisTicker>(QSharedPointer<QCPAxisTickerLog>::create())
                                          : QSharedPointer<QCPAxisTicker>::create());
    // Short: the scale is narrow and only as tall as the plot (about 110 pixels in a small window).
    scale_->setLabel(logColours_ ? tr("change (log)") : tr("relative change"));
    if (logColours_)
        return QCPRange(std::max(smallest, largest * 1e-6), largest);
    return QCPRange(0, largest > 0 ? largest : 1);
}

void TimelineHeatmap::setRun(std::shared_ptr<const ckpt::RunTimeline> run)
{
    run_ = std::move(run);
    const int steps = run_ ? int(run_->plan.members.size()) : 0;
    const int tensors = run_ ? int(run_->tensors.size()) : 0;
    map_->data()->setSize(steps, tensors);
    map_->data()->setRange(QCPRange(0, std::max(0, steps - 1)), QCPRange(0, std::max(0, tensors - 1)));
    std::vector<double> changes;
    for (int t = 0; t < tensors; ++t)
        for (int s = 0; s < steps; ++s) {
            const ckpt::StepMetrics& m = run_->tensors[std::size_t(t)].steps[std::size_t(s)];
            changes.push_back(m.present ? m.changePrevious : std::nan(""));
        }
    const QCPRange range = colourRange(changes);
    for (int t = 0; t < tensors; ++t)
        for (int s = 0; s < steps; ++s) {
            const double v = changes[std::size_t(t * steps + s)];
            // NaN cells are left transparent; on log colours a frozen layer (0) gets the lowest colour.
            map_->data()->setCell(s, t, logColours_ && v < range.lower ? range.lower : v);
        }
    map_->setDataRange(range);
    setTensorTicks();
    plot_->xAxis->setRange(-0.5, steps == 0 ? 0.5 : steps - 0.5);
    plot_->yAxis->setRange(-0.5, tensors == 0 ? 0.5 : tensors - 0.5);
    plot_->xAxis->setLabel(run_ ? tr("step") : QString());
    // One line: a wrapped label takes height from the plot in a small window.
    hover_->setText(run_ ? tr("Hover for values; click a column to open that step.")
                + (clamped_ ? QLatin1Char(' ') + tr("Top colour: beyond the scale.") : QString())
                         : QString());
    hover_->setToolTip(tr("Colour: the change of each tensor from the previous step, ‖W(t) − W(t−1)‖ / ‖W(t−1)‖"));
    plot_->replot();
}

// Tensor names down the left, step numbers along the bottom: as many as the size allows, the
// names at most a third of the width.
bool TimelineHeatmap::setTensorTicks()
{
    std::vector<QString> names;
    for (std::size_t t = 0; run_ && t < run_->tensors.size(); ++t)
        names.push_back(shownText(run_->tensors[t].name));
    const int nameWidth = std::min(kMaxNameWidth, plot_->width() / 3);
    const QCPAxisRect* rect = plot_->axisRect();
    const bool rows
        = replaceTicker(plot_->yAxis, nameTicker(names, rect->height(), nameWidth, plot_->yAxis->tickLabelFont()));
    const bool columns = replaceTicker(plot_->xAxis,
        run_ ? stepTicker(run_->plan, rect->width(), plot_->xAxis->tickLabelFont())
             : QSharedPointer<QCPAxisTickerText>::create());
    return rows || columns;
}

bool TimelineHeatmap::cellAt(const QPointF& pixel, int& tensor, int& step) const
{
    if (!run_ || !plot_->axisRect()->rect().contains(pixel.toPoint()))
        return false;
    step = int(std::lround(plot_->xAxis->pixelToCoord(pixel.x())));
    tensor = int(std::lround(plot_->yAxis->pixelToCoord(pixel.y())));
    return step >= 0 && std::size_t(step) < run_->plan.members.size() && tensor >= 0
        && std::size_t(tensor) < run_->tensors.size();
}

QPointF TimelineHeatmap::cellCentre(int tensor, int step) const
{
    return { plot_->xAxis->coordToPixel(step), plot_->yAxis->coordToPixel(tensor) };
}

QString TimelineHeatmap::hoverText(const QPointF& pixel) const
{
    int tensor = 0, step = 0;
    if (!cellAt(pixel, tensor, step))
        return {};
    const ckpt::TensorTimeline& line = run_->tensors[std::size_t(tensor)];
    const ckpt::StepMetrics& m = line.steps[std::size_t(step)];
    QString value;
    if (!m.present)
        value = tr("not in this checkpoint");
    else if (std::isnan(m.changePrevious))
        value = step == 0 ? tr("first step: no change yet") : tr("change not defined (new or reshaped)");
    else
        value = tr("change %1").arg(floatText(m.changePrevious));
    return tr("%1 · %2 · %3").arg(shownText(line.name), stepDescription(run_->plan, std::size_t(step)), value);
}

void TimelineHeatmap::onMove(QMouseEvent* event)
{
    const QString text = hoverText(event->position());
    if (!text.isEmpty())
        hover_->setText(text);
}

void TimelineHeatmap::onPress(QMouseEvent* event)
{
    int tensor = 0, step = 0;
    if (event->button() == Qt::LeftButton && cellAt(event->position(), tensor, step))
        emit stepClicked(step);
}
