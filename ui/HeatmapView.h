#pragma once

#include "report/SliceHeatmap.h"

#include <QPointer>
#include <QWidget>

#include <memory>

class CheckpointSession;
class QCPColorMap;
class QCPColorScale;
class QCPRange;
class QComboBox;
class QCustomPlot;
class QLabel;
class QMouseEvent;
class QShowEvent;

// A heatmap of a 2-D slice (QCustomPlot): one cell per value, or per block of values when the
// slice is larger than the picture (the session reduces it; a label says so). Colours are
// diverging around zero over [-max|x|, +max|x|] when the slice has negative values, sequential
// from 0 otherwise, with a colour scale. Hovering shows row, column and value (a block's rows,
// columns, mean, min and max); wheel zooms, drag pans, "Fit" shows it whole again.
class HeatmapView : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapView(QWidget* parent = nullptr);

    // The slice to draw (tensor -1: none). It is asked for only while the view is active.
    void setSlice(CheckpointSession* session, int tensorIndex, const ckpt::SliceHeatmapRequest& request);
    void setActive(bool active); // whether the user can see it (its tab is current)

    const ckpt::SliceHeatmap* heatmap() const { return shown_.get(); } // null until drawn
    QCPRange colourRange() const;
    QString note() const; // what is drawn: its size, and whether and how it was downsampled
    QString hoverText(double column, double row) const; // for plot coordinates; empty outside
    QCustomPlot* plot() const { return plot_; }
    void fit();

signals:
    void drawn(); // a heatmap of the current slice is shown

protected:
    void showEvent(QShowEvent* event) override;

private:
    void requestIfNeeded();
    void redraw();
    void onReady(int tensor, const std::shared_ptr<const ckpt::SliceHeatmap>& map);
    void onFailed(int tensor, const ckpt::SliceHeatmapRequest& request, const QString& message);
    void draw();
    void setCells();
    void showHover(QMouseEvent* event);
    void showMessage(const QString& message);

    QPointer<CheckpointSession> session_;
    int tensor_ = -1;
    ckpt::SliceHeatmapRequest request_;
    bool active_ = false;
    bool asked_ = false; // the current slice was asked for
    std::shared_ptr<const ckpt::SliceHeatmap> shown_;
    QCustomPlot* plot_;
    QCPColorMap* map_;
    QCPColorScale* scale_;
    QComboBox* colourBy_;
    QLabel* note_;
    QLabel* hover_;
};
