#pragma once

#include "HeatmapNorms.h"
#include "ThemedPlot.h"
#include "report/FilterGrid.h"
#include "report/SliceHeatmap.h"

#include <QPointer>
#include <QWidget>

#include <memory>

class CheckpointSession;
class QCPColorMap;
class QCPColorScale;
class QCPMarginGroup;
class QCPRange;
class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QMouseEvent;
class QShowEvent;
class QSpinBox;

// A heatmap of a 2-D slice (QCustomPlot): one cell per value, or per block of values when the
// slice is larger than the picture (the session reduces it; a label says so). Colours are
// diverging around zero over [-max|x|, +max|x|] when the slice has negative values, sequential
// from 0 otherwise, with a colour scale. Hovering shows row, column and value (a block's rows,
// columns, mean, min and max); wheel zooms, drag pans, "Fit" shows it whole again. Strips
// beside it plot the L2 norm of every row and column (on the same axes). For a
// convolution weight it can draw the filter grid instead: every kernel as a small tile.
class HeatmapView : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapView(QWidget* parent = nullptr);

    // The slice to draw (tensor -1: none), and whether the tensor is a convolution weight (then
    // the filter grid can be chosen). It is asked for only while the view is active.
    void setSlice(
        CheckpointSession* session, int tensorIndex, const ckpt::SliceHeatmapRequest& request, bool kernels = false);
    void setActive(bool active); // whether the user can see it (its tab is current)
    void showFilterGrid(bool on); // as the "Filter grid" check box does (when the tensor has kernels)

    const ckpt::SliceHeatmap* heatmap() const { return shown_.get(); } // null until drawn
    const ckpt::FilterGrid* filterGrid() const { return filters_.get(); } // null unless drawn
    QCPRange colourRange() const;
    QString note() const; // what is drawn: its size, and whether and how it was downsampled
    QString hoverText(double column, double row) const; // for plot coordinates; empty outside
    QCustomPlot* plot() const { return plot_; }
    const HeatmapNorms& norms() const { return norms_; } // shown for slices, not for the filter grid
    void showNorms(bool on); // as the "Norms" check box does
    void fit();

signals:
    void drawn(); // a heatmap of the current slice (or its filter grid) is shown

protected:
    void showEvent(QShowEvent* event) override;

private:
    void requestIfNeeded();
    void redraw();
    void onReady(int tensor, const std::shared_ptr<const ckpt::SliceHeatmap>& map);
    void onFailed(int tensor, const ckpt::SliceHeatmapRequest& request, const QString& message);
    void onFilterGrid(int tensor, const std::shared_ptr<const ckpt::FilterGrid>& grid);
    void onFilterGridFailed(int tensor, const QString& message);
    void forget(const QString& message); // what is drawn, until the next answer
    ckpt::FilterGridRequest filterGridRequest() const;
    void showFilterGridPages(const ckpt::FilterGrid* grid);
    void connectTo(CheckpointSession* session);
    const ckpt::BlockGrid* grid() const; // of what is drawn
    void draw(const ckpt::ColourRange& range, std::int64_t firstRow, std::int64_t firstColumn);
    void setCells();
    void showHover(QMouseEvent* event);
    void showMessage(const QString& message);

    QPointer<CheckpointSession> session_;
    int tensor_ = -1;
    ckpt::SliceHeatmapRequest request_;
    bool active_ = false;
    bool asked_ = false; // the current slice was asked for
    bool kernels_ = false; // the tensor is a convolution weight
    std::shared_ptr<const ckpt::SliceHeatmap> shown_;
    std::shared_ptr<const ckpt::FilterGrid> filters_;
    ThemedPlot* plot_;
    QCPColorMap* map_;
    QCPColorScale* scale_;
    QCPMarginGroup* rowsAligned_;
    HeatmapNorms norms_;
    QComboBox* colourBy_;
    QCheckBox* filterGrid_;
    QCheckBox* showNorms_;
    QWidget* pages_; // where the filter grid starts, when it has more kernels than it draws
    QSpinBox* firstOut_;
    QSpinBox* firstIn_;
    QLabel* note_;
    QLabel* hover_;
};
