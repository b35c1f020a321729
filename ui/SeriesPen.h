#pragma once

#include <QPen>

// The pen of the i-th curve of an overlay: ten colours (Matplotlib's tab10) × three dash
// patterns, 30 distinguishable curves, so no two curves of a capped overlay look alike.
QPen seriesPen(int i);
