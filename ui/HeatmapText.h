#pragma once

#include "report/FilterGrid.h"
#include "report/SliceHeatmap.h"

#include <QString>

// What the heatmap says about what it draws: the note above it and the text shown on hover
// (plot coordinates are the slice's or the image's indices; empty outside the picture).
QString sliceNote(const ckpt::SliceHeatmap& map, bool byExtreme);
QString sliceHover(const ckpt::SliceHeatmap& map, double column, double row);
QString filterNote(const ckpt::FilterGrid& grid);
QString filterHover(const ckpt::FilterGrid& grid, double column, double row);
