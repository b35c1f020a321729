#pragma once

#include "numerics/Stats.h"

#include <QWidget>

class QCheckBox;
class QCPBars;
class QCustomPlot;
class QSpinBox;

// One tensor's histogram (QCustomPlot): adjustable bins, linear or log counts, zoom and pan,
// a tooltip with each bar's range and count, the mean and ±1 std marked, and export of the
// plot (PNG, SVG, PDF) and of the counts (CSV), each written whole or not at all.
class HistogramView : public QWidget {
    Q_OBJECT
public:
    explicit HistogramView(QWidget* parent = nullptr);
    void setHistogram(const QString& title, const ckpt::TensorStats& stats);
    void clear(const QString& message = {});
    int bins() const;
    void setBins(int bins); // as if the user changed the spin box
    // Each file starts from the user's defaults (no signal): the bins and log scale saved by
    // saveAsDefaults, else 128 bins and linear counts; what was chosen for one file never carries
    // over silently to the next.
    void resetSettings();
    void saveAsDefaults() const; // the current bins and log scale, for every file from now on (QSettings)
    static void forgetDefaults(); // back to the built-in ones
    static constexpr int kDefaultBins = 128;
    bool logCounts() const;
    QCustomPlot* plot() const { return plot_; }
    QCPBars* bars() const { return bars_; }
    double barTop(int bin) const; // where bar `bin` ends on the count axis (its count, linear or log)
    void fit(); // every bar in view: undoes zoom and pan

    bool exportImage(const QString& path); // by extension: .png, .svg or .pdf
    bool exportCsv(const QString& path) const;

signals:
    void binsChanged(int bins);

private:
    static constexpr double kLogBase = 0.5; // the bottom of the log count axis
    void showTooltip(QMouseEvent* event);
    void applyScale();
    void exportDialog();

    QCustomPlot* plot_;
    QCPBars* bars_;
    QSpinBox* bins_;
    QCheckBox* log_;
    ckpt::TensorStats stats_;
    QString title_;
};
