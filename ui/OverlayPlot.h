#pragma once

#include "numerics/Stats.h"

#include "ThemedPlot.h"

#include <QWidget>

#include <vector>

class QCheckBox;
class QCustomPlot;
class QLabel;
class QSpinBox;

// Several tensors' histograms on shared axes with a legend, to compare distributions across
// layers or between two checkpoints. With controls (the Overlay tab): bins, log scale, densities
// (area 1) or counts, Fit and export; series of a single element are left out and named (a
// density of one value is a spike that flattens every other curve), and a cap is said.
class OverlayPlot : public QWidget {
    Q_OBJECT
public:
    enum class Controls { Shown, Hidden };
    struct Series {
        QString name;
        ckpt::Histogram histogram;
    };

    explicit OverlayPlot(QWidget* parent = nullptr, Controls controls = Controls::Shown);
    void clear(const QString& message);
    // Shows `series` in order; `selected` tensors were chosen (more than the series when capped).
    void setSeries(std::vector<Series> series, int selected);
    void addDensity(const QString& name, const ckpt::Histogram& histogram); // one more curve, area 1
    int curveCount() const;
    QString hintText() const;
    QCustomPlot* plot() const { return plot_; }
    int bins() const;
    void setLogScale(bool on);
    void setNormalised(bool on); // densities (area 1) or counts
    bool exportImage(const QString& path);
    void fit();

    static constexpr int kMaxSeries = 24;

signals:
    void binsChanged(int bins);

private:
    QWidget* buildControls();
    void redraw();
    void showAxes(bool shown);
    void addCurve(const Series& series);
    void exportDialog();

    ThemedPlot* plot_;
    QLabel* hint_;
    QSpinBox* bins_ = nullptr;
    QCheckBox* log_ = nullptr;
    QCheckBox* normalised_ = nullptr;
    std::vector<Series> series_;
    QString note_; // what the hint adds to the count: the cap, the series left out
};
