#include "TimelineDistribution.h"

#include "HeatmapColours.h"
#include "NumberText.h"
#include "ShownText.h"
#include "ThemedPlot.h"
#include "TimelineText.h"
#include "TimelineTicks.h"

#include <QLabel>
#include <QVBoxLayout>

#include <cmath>

TimelineDistribution::TimelineDistribution(QWidget* parent)
    : QWidget(parent)
    , plot_(new ThemedPlot(this))
    , map_(new QCPColorMap(plot_->xAxis, plot_->yAxis))
    , scale_(new QCPColorScale(plot_))
    , caption_(new QLabel(this))
{
    caption_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    caption_->setTextFormat(Qt::PlainText);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_, 1);
    layout->addWidget(caption_);
    placeSequentialScale(plot_, map_, scale_, tr("elements")); // a cell: one bin at one step
    scale_->setDataScaleType(QCPAxis::stLogarithmic);
    scale_->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    plot_->setMinimumHeight(160);
    plot_->setMouseTracking(true);
    plot_->setToolTip(tr("Click a column to open that step's checkpoint in the other tabs"));
    plot_->yAxis->setLabel(tr("value"));
    connect(plot_, &QCustomPlot::mouseMove, this, &TimelineDistribution::onMove);
    connect(plot_, &QCustomPlot::mousePress, this, &TimelineDistribution::onPress);
    connect(plot_, &QCustomPlot::afterLayout, this, [this] { setStepTicks(); });
    setRun(nullptr);
}

void TimelineDistribution::setRun(std::shared_ptr<const ckpt::RunTimeline> run)
{
    run_ = std::move(run);
    shown_.reset();
    map_->data()->clear();
    map_->setVisible(false);
    plot_->xAxis->setLabel(QString());
    showMessage(run_ ? tr("Select one tensor to see its values at every step.") : QString());
}

void TimelineDistribution::showMessage(const QString& message)
{
    caption_->setText(message);
    plot_->replot();
}

void TimelineDistribution::showDistribution(std::shared_ptr<const ckpt::StepDistribution> d)
{
    shown_ = std::move(d);
    if (!shown_ || !run_ || shown_->counts.size() != run_->plan.members.size())
        return setRun(run_);
    const int steps = int(shown_->counts.size());
    const int bins = int(shown_->edges.size()) - 1;
    const double lo = shown_->edges.front(), hi = shown_->edges.back(), width = (hi - lo) / bins;
    map_->data()->setSize(steps, bins);
    // Cell (s, b) is centred on step s and on bin b's middle.
    map_->data()->setRange(QCPRange(0, std::max(0, steps - 1)), QCPRange(lo + width / 2, hi - width / 2));
    std::int64_t largest = 0;
    for (int s = 0; s < steps; ++s)
        for (int b = 0; b < bins; ++b) {
            const auto& counts = shown_->counts[std::size_t(s)];
            const std::int64_t n = counts.empty() ? 0 : counts[std::size_t(b)];
            map_->data()->setCell(s, b, n > 0 ? double(n) : std::nan("")); // empty bins stay blank
            largest = std::max(largest, n);
        }
    map_->setDataRange(QCPRange(1, std::max<double>(10, double(largest))));
    map_->setVisible(true);
    plot_->xAxis->setRange(-0.5, steps - 0.5);
    plot_->yAxis->setRange(lo, hi);
    plot_->xAxis->setLabel(tr("step"));
    setStepTicks();
    showMessage(tr("%1 at every step, %2 bins shared by all steps. Hover for counts; click a column to open that step.")
                    .arg(shownText(shown_->tensor))
                    .arg(bins));
}

void TimelineDistribution::setStepTicks()
{
    if (!run_)
        return;
    if (replaceTicker(plot_->xAxis, stepTicker(run_->plan, plot_->axisRect()->width(), plot_->xAxis->tickLabelFont())))
        plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool TimelineDistribution::cellAt(const QPointF& pixel, int& step, int& bin) const
{
    if (!shown_ || !map_->visible() || !plot_->axisRect()->rect().contains(pixel.toPoint()))
        return false;
    const double lo = shown_->edges.front(), hi = shown_->edges.back();
    const int bins = int(shown_->edges.size()) - 1;
    step = int(std::lround(plot_->xAxis->pixelToCoord(pixel.x())));
    const double value = plot_->yAxis->pixelToCoord(pixel.y());
    bin = int(std::floor((value - lo) / (hi - lo) * bins));
    return step >= 0 && step < int(shown_->counts.size()) && bin >= 0 && bin < bins;
}

QPointF TimelineDistribution::cellCentre(int step, int bin) const
{
    if (!shown_)
        return {};
    const double value = (shown_->edges[std::size_t(bin)] + shown_->edges[std::size_t(bin) + 1]) / 2;
    return { plot_->xAxis->coordToPixel(step), plot_->yAxis->coordToPixel(value) };
}

QString TimelineDistribution::hoverText(const QPointF& pixel) const
{
    int step = 0, bin = 0;
    if (!cellAt(pixel, step, bin))
        return {};
    const auto& counts = shown_->counts[std::size_t(step)];
    const QString where = stepDescription(run_->plan, std::size_t(step));
    if (counts.empty())
        return tr("%1 · not in this checkpoint").arg(where);
    const std::int64_t n = counts[std::size_t(bin)];
    QString text
        = tr("%1 · [%2, %3%4 · %5 %6")
              .arg(where, floatText(shown_->edges[std::size_t(bin)]), floatText(shown_->edges[std::size_t(bin) + 1]),
                  bin + 2 == int(shown_->edges.size()) ? QStringLiteral("]") : QStringLiteral(")"), groupedCount(n),
                  n == 1 ? tr("element") : tr("elements"));
    if (const std::int64_t odd = shown_->nonFinite[std::size_t(step)]; odd > 0)
        text += tr(" · %1 NaN/Inf not shown").arg(groupedCount(odd));
    return text;
}

void TimelineDistribution::onMove(QMouseEvent* event)
{
    const QString text = hoverText(event->position());
    if (!text.isEmpty())
        caption_->setText(text);
}

void TimelineDistribution::onPress(QMouseEvent* event)
{
    int step = 0, bin = 0;
    if (event->button() == Qt::LeftButton && cellAt(event->position(), step, bin))
        emit stepClicked(step);
}
