#pragma once

#include <qcustomplot.h>

// The colour maps of heatmaps. Diverging (blue, light grey at zero, red) for values of both
// signs, so that equal magnitudes of either sign are equally strong; sequential (a viridis-like
// ramp, dark to light, readable in grey and by most colour-blind people) for non-negative values.
// NaN cells are transparent.
QCPColorGradient divergingGradient();
QCPColorGradient sequentialGradient();
