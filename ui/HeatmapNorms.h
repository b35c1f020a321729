#pragma once

#include "numerics/BlockReduce.h"

#include <QString>

#include <cstdint>
#include <vector>

class QCPAxisRect;
class QCPGraph;
class QCPMarginGroup;
class ThemedPlot;
class QPointF;

// The L2 norm of every row of a heatmap, as a strip to its right, and of every column, as a strip
// below it, on the heatmap's own row and column axes (they pan and zoom with it). Downsampled
// heatmaps show one value per band of rows or columns (see ckpt::rowNorms). The strips live in
// the heatmap's plot: `main` is its axis rect at (0, 0) of the plot layout, the colour scale is
// at (0, 1); shown, the row strip goes between them and the column strip below the heatmap.
// `rowsAligned` is the margin group that lines up the tops and bottoms of `main` and the scale.
class HeatmapNorms {
public:
    HeatmapNorms(ThemedPlot* plot, QCPAxisRect* main, QCPMarginGroup* rowsAligned);

    // The norms of `grid`, whose first row and column are at (firstRow, firstColumn) of the
    // slice; or none (hides the strips).
    void show(const ckpt::BlockGrid& grid, std::int64_t firstRow, std::int64_t firstColumn);
    void hide();
    bool shown() const { return shown_; }

    const std::vector<double>& rows() const { return rowNorms_; }
    const std::vector<double>& columns() const { return columnNorms_; }
    // What the strips show at a pixel of the plot: "rows 4–7: L2 norm 1.25" (RMS of the band's
    // row norms when downsampled); empty outside the strips.
    QString hoverText(const QPointF& pixel) const;

private:
    void place(bool on);
    QString bandText(const std::vector<double>& norms, std::int64_t first, std::int64_t block, std::int64_t extent,
        double at, const QString& one, const QString& many) const;

    ThemedPlot* plot_;
    QCPAxisRect* main_;
    QCPAxisRect* rowRect_;
    QCPAxisRect* columnRect_;
    QCPGraph* rowGraph_;
    QCPGraph* columnGraph_;
    bool shown_ = false;
    std::vector<double> rowNorms_, columnNorms_;
    std::int64_t firstRow_ = 0, firstColumn_ = 0, blockRows_ = 1, blockColumns_ = 1, sliceRows_ = 0, sliceColumns_ = 0;
};
