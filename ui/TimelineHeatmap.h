#pragma once

#include "timeline/Timeline.h"

#include <QWidget>

#include <memory>
#include <vector>

class QCPColorMap;
class QCPRange;
class QCPColorScale;
class QCustomPlot;
class QLabel;
class QMouseEvent;

// The layers × steps picture of a run: one row per tensor (in the order they first appear), one
// column per step, coloured by the change from the previous step ||W_t - W_t-1|| / ||W_t-1||
// (empty where it is not defined: the first step, an absent tensor, a changed shape). Hovering
// names the tensor, the step and the value; clicking a column asks for that checkpoint.
class TimelineHeatmap : public QWidget {
    Q_OBJECT
public:
    explicit TimelineHeatmap(QWidget* parent = nullptr);

    void setRun(std::shared_ptr<const ckpt::RunTimeline> run); // null: nothing
    QCustomPlot* plot() const { return plot_; }
    QCPColorMap* colorMap() const { return map_; }
    // What hovering at that pixel of the plot says (empty outside the cells).
    QString hoverText(const QPointF& pixel) const;
    QPointF cellCentre(int tensor, int step) const; // in the plot's pixels
    // Whether the colours are logarithmic (the changes span more than two decades); then cells
    // below the scale's lower end (a frozen layer's 0) take its colour.
    bool logColours() const { return logColours_; }
    // Whether a few outlying changes (beyond ten times the 99th percentile) were left above the
    // scale, in its top colour.
    bool clamped() const { return clamped_; }

signals:
    void stepClicked(int step);

private:
    bool cellAt(const QPointF& pixel, int& tensor, int& step) const;
    QCPRange colourRange(const std::vector<double>& changes);
    bool setTensorTicks(); // whether they changed
    void onMove(QMouseEvent* event);
    void onPress(QMouseEvent* event);

    QCustomPlot* plot_;
    QCPColorMap* map_;
    QCPColorScale* scale_;
    QLabel* hover_;
    std::shared_ptr<const ckpt::RunTimeline> run_;
    bool logColours_ = false;
    bool clamped_ = false;
};
