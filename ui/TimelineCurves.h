#pragma once

#include "timeline/Timeline.h"

#include "ThemedPlot.h"

#include <QWidget>

#include <memory>
#include <vector>

class QCustomPlot;
class QLabel;
class QMouseEvent;

// One metric of a run over its steps, a curve per chosen tensor (overlaid, each its own pen,
// with a legend). x is the step's position in the run, labelled with its step number; a step
// where the tensor is absent has no point, an undefined value (the change at the first step)
// leaves a gap. Clicking near a step asks for that checkpoint. A second run (B) can be drawn on
// the same axes: each chosen tensor's curve in B, dashed in the same colour, its steps placed by
// their step numbers among this run's (between two steps in proportion), or by position when
// the two runs were ordered by different rules.
class TimelineCurves : public QWidget {
    Q_OBJECT
public:
    explicit TimelineCurves(QWidget* parent = nullptr);

    void setRun(std::shared_ptr<const ckpt::RunTimeline> run); // null: nothing
    void setComparison(std::shared_ptr<const ckpt::RunTimeline> other); // null: none; call showCurves after
    // Draws `tensors` (indices into run->tensors, at most kMaxCurves) for the metric of
    // stepMetricFields() at `metric`; a log scale leaves out values that are not positive.
    void showCurves(const std::vector<int>& tensors, int metric, bool logScale);
    QCustomPlot* plot() const { return plot_; }
    QString hintText() const;
    int stepAt(double pixelX) const; // the step under a pixel column, or -1

    static constexpr int kMaxCurves = 24;
    // Where B's member `step` goes on this run's axis (see above).
    double comparisonPosition(std::size_t step) const;

signals:
    void stepClicked(int step);

private:
    void setStepTicks();
    void fitValues();
    int axisWidth() const;
    void onPress(QMouseEvent* event);
    void addComparisonCurve(const ckpt::TensorTimeline& line, int pen, int metric, bool logScale, int& leftOut);

    ThemedPlot* plot_;
    QLabel* hint_;
    std::shared_ptr<const ckpt::RunTimeline> run_;
    std::shared_ptr<const ckpt::RunTimeline> comparison_;
};
