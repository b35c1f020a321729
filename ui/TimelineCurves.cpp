#include "TimelineCurves.h"

#include "NumberText.h"
#include "SeriesPen.h"
#include "ShownText.h"
#include "StepMetricFields.h"
#include "ThemedPlot.h"
#include "TimelineTicks.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

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
    // Only the wheel zooms: a click is a step to open, not the start of a drag.
    plot_->setInteractions(QCP::iRangeZoom);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    plot_->xAxis->setLabel(tr("step"));
    plot_->setToolTip(tr("Click a step to open its checkpoint in the other tabs; the wheel zooms"));
    connect(plot_, &QCustomPlot::mousePress, this, &TimelineCurves::onPress);
    connect(plot_, &QCustomPlot::beforeReplot, this, [this] { // the labels that fit depend on the width
        if (run_)
            plot_->xAxis->setTicker(stepTicker(run_->plan, plot_->axisRect()->width(), plot_->xAxis->tickLabelFont()));
    });
    setRun(nullptr);
}

void TimelineCurves::setRun(std::shared_ptr<const ckpt::RunTimeline> run)
{
    run_ = std::move(run);
    setStepTicks();
    showCurves({}, 0, false);
}

void TimelineCurves::setComparison(std::shared_ptr<const ckpt::RunTimeline> other)
{
    comparison_ = std::move(other);
}

double TimelineCurves::comparisonPosition(std::size_t step) const
{
    const auto& mine = run_->plan.members;
    const double number = comparison_->plan.members.at(step).step;
    if (comparison_->plan.order != run_->plan.order || mine.empty())
        return double(step);
    if (mine.size() == 1)
        return number == mine[0].step ? 0.0 : double(step);
    // Between (or beyond) two of this run's steps, in proportion to the step numbers.
    std::size_t i = 0;
    while (i + 2 < mine.size() && number > mine[i + 1].step)
        ++i;
    const double span = mine[i + 1].step - mine[i].step;
    return span > 0 ? double(i) + (number - mine[i].step) / span : double(step);
}

void TimelineCurves::addComparisonCurve(
    const ckpt::TensorTimeline& line, int pen, int metric, bool logScale, int& leftOut)
{
    const auto other = std::find_if(comparison_->tensors.begin(), comparison_->tensors.end(),
        [&](const ckpt::TensorTimeline& t) { return t.name == line.name; });
    if (other == comparison_->tensors.end())
        return;
    const StepMetricField& field = stepMetricFields().at(std::size_t(metric));
    auto* graph = plot_->addGraph();
    graph->setName(QStringLiteral("B: ") + shownText(line.name));
    QPen dashed = seriesPen(pen);
    dashed.setStyle(Qt::DashLine);
    graph->setPen(dashed);
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, 5));
    for (std::size_t s = 0; s < other->steps.size(); ++s) {
        if (!other->steps[s].present)
            continue;
        double v = field.value(other->steps[s]);
        if (logScale && !(v > 0)) {
            v = std::numeric_limits<double>::quiet_NaN();
            ++leftOut;
        }
        graph->addData(comparisonPosition(s), v);
    }
}

int TimelineCurves::axisWidth() const
{
    return plot_->axisRect()->width();
}

// Ticks at steps, labelled with their step numbers, as many as the width allows.
void TimelineCurves::setStepTicks()
{
    const std::size_t steps = run_ ? run_->plan.members.size() : 0;
    plot_->xAxis->setTicker(run_ ? stepTicker(run_->plan, axisWidth(), plot_->xAxis->tickLabelFont())
                                 : QSharedPointer<QCPAxisTickerText>::create());
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
        if (comparison_)
            addComparisonCurve(line, i, metric, logScale, leftOut);
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
            + tr("%1 not above zero left out of the log scale.").arg(countOf(leftOut, tr("value"), tr("values")));
    hint_->setText(hint);
    hint_->setVisible(!hint.isEmpty());
    if (plot_->graphCount() > 0)
        fitValues();
    setStepTicks();
    // B's steps may reach beyond this run's.
    for (int g = 0; g < plot_->graphCount(); ++g) {
        bool found = false;
        const QCPRange keys = plot_->graph(g)->getKeyRange(found);
        if (found)
            plot_->xAxis->setRange(std::min(plot_->xAxis->range().lower, keys.lower - 0.5),
                std::max(plot_->xAxis->range().upper, keys.upper + 0.5));
    }
    plot_->legend->setVisible(plot_->graphCount() > 0); // else an empty box in a corner
    plot_->placeLegendAwayFromData();
    plot_->replot();
}

// Over the points drawn (left-out ones apart), with a margin so that the extreme points are not
// on the frame; a flat curve (a frozen layer) gets a narrow range around its value, not ±2.
void TimelineCurves::fitValues()
{
    QCPRange r;
    bool any = false;
    for (int g = 0; g < plot_->graphCount(); ++g) {
        bool found = false;
        const QCPRange range = plot_->graph(g)->getValueRange(found, QCP::sdBoth);
        if (found)
            r = any ? QCPRange(std::min(r.lower, range.lower), std::max(r.upper, range.upper)) : range;
        any = any || found;
    }
    if (!any)
        return;
    if (plot_->yAxis->scaleType() == QCPAxis::stLogarithmic) {
        plot_->yAxis->setRange(r.lower / 1.2, r.upper * 1.2);
        return;
    }
    const double pad = std::max({ (r.upper - r.lower) * 0.05, std::abs(r.center()) * 0.05, 1e-12 });
    plot_->yAxis->setRange(r.lower - pad, r.upper + pad);
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
