#pragma once

#include <qcustomplot.h>

// The colour maps of heatmaps. Diverging (blue, light grey at zero, red) for values of both
// signs, so that equal magnitudes of either sign are equally strong; sequential (a viridis-like
// ramp, dark to light, readable in grey and by most colour-blind people) for non-negative values.
// NaN cells are transparent.
QCPColorGradient divergingGradient();
QCPColorGradient sequentialGradient();

// Puts `scale` at the right of the plot's axis rect, the same height as it, and colours `map` by
// it with the sequential gradient, each cell flat (a cell is one measurement: never blend
// neighbours). The colour maps of the timeline (steps across) share this.
void placeSequentialScale(QCustomPlot* plot, QCPColorMap* map, QCPColorScale* scale, const QString& label);
