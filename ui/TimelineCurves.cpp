#include "TimelineCurves.h"

#include "SeriesPen.h"
#include "ShownText.h"
#include "StepMetricFields.h"
#include "ThemedPlot.h"
#include "TimelineText.h"

#include <QLabel>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace {
constexpr int kMaxStepTicks = 12; // more labels than this overlap in a narrow window
}

TimelineCurves::TimelineCurves(QWidget* parent)
    : QWidget(parent)
    , plot_(new ThemedPlot(this))
    , hint_(new QLabel(this))
{
    hint_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(hint_);
    layout->addWidget(plot_, 1);
    plot_->setMinimumHeight(160);
    plot_->legend->setVisible(true);
    // Only the wheel zooms: a click is a step to open, not the start of a drag.
    plot_->setInteractions(QCP::iRangeZoom);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    plot_->xAxis->setLabel(tr("step"));
    plot_->setToolTip(tr("Click a step to open its checkpoint in the other tabs; the wheel zooms"));
    connect(plot_, &QCustomPlot::mousePress, this, &TimelineCurves::onPress);
    setRun(nullptr);
}

void TimelineCurves::setRun(std::shared_ptr<const ckpt::RunTimeline> run)
{
    run_ = std::move(run);
    setStepTicks();
    showCurves({}, 0, false);
}

// Ticks at steps, labelled with their step numbers; every k-th one when there are many.
void TimelineCurves::setStepTicks()
{
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const std::size_t steps = run_ ? run_->plan.members.size() : 0;
    const std::size_t every = steps > std::size_t(kMaxStepTicks) ? (steps + kMaxStepTicks - 1) / kMaxStepTicks : 1;
    for (std::size_t s = 0; s < steps; s += every)
        ticker->addTick(double(s), stepLabel(run_->plan, s));
    plot_->xAxis->setTicker(ticker);
    plot_->xAxis->setRange(-0.5, steps == 0 ? 0.5 : double(steps) - 0.5);
    plot_->xAxis->setLabel(run_ ? tr("step (%1)").arg(QString::fromStdString(run_->plan.orderWhy)) : tr("step"));
}

void TimelineCurves::showCurves(const std::vector<int>& tensors, int metric, bool logScale)
{
    plot_->clearGraphs();
    const StepMetricField& field = stepMetricFields().at(std::size_t(metric));
    plot_->yAxis->setLabel(stepMetricLabel(field));
    plot_->yAxis->setScaleType(logScale ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (logScale)
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    int leftOut = 0;
    const int shown = std::min(int(tensors.size()), kMaxCurves);
    for (int i = 0; run_ && i < shown; ++i) {
        const ckpt::TensorTimeline& line = run_->tensors.at(std::size_t(tensors[std::size_t(i)]));
        auto* graph = plot_->addGraph();
        graph->setName(shownText(line.name));
        graph->setPen(seriesPen(i));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        for (std::size_t s = 0; s < line.steps.size(); ++s) {
            if (!line.steps[s].present)
                continue;
            double v = field.value(line.steps[s]);
            if (logScale && !(v > 0)) { // a log axis has no place for it: a gap, counted below
                v = std::numeric_limits<double>::quiet_NaN();
                ++leftOut;
            }
            graph->addData(double(s), v);
        }
    }
    QString hint;
    if (!run_)
        hint = tr("Open a run with File ▸ Open run… to see how its tensors evolved.");
    else if (tensors.empty())
        hint
            = tr("Select one or more tensors in the list to draw their %1 over the steps.").arg(stepMetricLabel(field));
    else if (int(tensors.size()) > shown)
        hint = tr("%1 of %2 selected tensors drawn.").arg(shown).arg(tensors.size());
    if (leftOut > 0)
        hint += (hint.isEmpty() ? QString() : QStringLiteral(" "))
            + tr("%n value(s) not above zero left out of the log scale.", nullptr, leftOut);
    hint_->setText(hint);
    hint_->setVisible(!hint.isEmpty());
    if (plot_->graphCount() > 0) {
        plot_->yAxis->rescale(true); // over the points drawn, left-out ones apart
        plot_->yAxis->scaleRange(1.1); // a margin, so the extreme points are not on the frame
    }
    setStepTicks();
    plot_->replot();
}

QString TimelineCurves::hintText() const
{
    return hint_->text();
}

int TimelineCurves::stepAt(double pixelX) const
{
    if (!run_)
        return -1;
    const double x = plot_->xAxis->pixelToCoord(pixelX);
    const long step = std::lround(x);
    if (step < 0 || std::size_t(step) >= run_->plan.members.size() || std::abs(x - double(step)) > 0.45)
        return -1;
    return int(step);
}

void TimelineCurves::onPress(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !plot_->axisRect()->rect().contains(event->pos()))
        return;
    if (const int step = stepAt(event->position().x()); step >= 0)
        emit stepClicked(step);
}
