#pragma once

#include "timeline/StepDistribution.h"

#include <QWidget>

#include <memory>

class QCPColorMap;
class QCPColorScale;
class QCustomPlot;
class QLabel;
class QMouseEvent;

// The distribution over steps of one tensor: a step × value picture, one column per step, the
// rows the bins every step shares, coloured by how many elements fall in each (logarithmic
// colours: the tails stay visible beside the bulk; empty bins are left blank). Hovering names
// the step, the bin and its count; clicking a column asks for that checkpoint.
class TimelineDistribution : public QWidget {
    Q_OBJECT
public:
    explicit TimelineDistribution(QWidget* parent = nullptr);

    void setRun(std::shared_ptr<const ckpt::RunTimeline> run); // clears the picture
    void showMessage(const QString& message); // instead of a picture: what to do, reading, an error
    void showDistribution(std::shared_ptr<const ckpt::StepDistribution> distribution);
    std::shared_ptr<const ckpt::StepDistribution> distribution() const { return shown_; }

    QCustomPlot* plot() const { return plot_; }
    QCPColorMap* colorMap() const { return map_; }
    QLabel* caption() const { return caption_; }
    QString hoverText(const QPointF& pixel) const; // empty outside the cells
    QPointF cellCentre(int step, int bin) const; // in the plot's pixels

signals:
    void stepClicked(int step);

private:
    bool cellAt(const QPointF& pixel, int& step, int& bin) const;
    void setStepTicks();
    void onMove(QMouseEvent* event);
    void onPress(QMouseEvent* event);

    QCustomPlot* plot_;
    QCPColorMap* map_;
    QCPColorScale* scale_;
    QLabel* caption_;
    std::shared_ptr<const ckpt::RunTimeline> run_;
    std::shared_ptr<const ckpt::StepDistribution> shown_;
};
