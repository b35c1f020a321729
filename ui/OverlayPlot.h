#pragma once

#include "numerics/Stats.h"

#include <QWidget>

class QCustomPlot;
class QLabel;

// Several tensors' histograms overlaid as normalised densities (area 1) with a legend, to
// compare distributions across layers or between two checkpoints.
class OverlayPlot : public QWidget {
    Q_OBJECT
public:
    explicit OverlayPlot(QWidget* parent = nullptr);
    void clear(const QString& message);
    void addDensity(const QString& name, const ckpt::Histogram& histogram);
    int curveCount() const;
    QCustomPlot* plot() const { return plot_; }

private:
    QCustomPlot* plot_;
    QLabel* hint_;
};
