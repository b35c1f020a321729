#include "HeatmapText.h"

#include "NumberText.h"

#include <QObject>

#include <cmath>

namespace {

QString rangeText(std::int64_t first, std::int64_t last)
{
    return first == last ? groupedCount(first) : groupedCount(first) + QStringLiteral("–") + groupedCount(last);
}

// The index of the element at a plot coordinate (element i covers [i - 0.5, i + 0.5]).
std::int64_t indexAt(double coordinate)
{
    return std::int64_t(std::floor(coordinate + 0.5));
}

QString valueText(const ckpt::BlockGrid& g, std::size_t b)
{
    return g.nonFinite[b] ? QObject::tr("not finite (NaN or ±inf)") : floatText(g.mean[b]);
}

} // namespace

QString sliceNote(const ckpt::SliceHeatmap& map, bool byExtreme)
{
    const ckpt::BlockGrid& g = map.grid;
    QString text = g.downsampled()
        ? QObject::tr("Downsampled %1×%2 → %3×%4, %5 of blocks of %6×%7 values (min and max on hover).")
              .arg(groupedCount(g.rows), groupedCount(g.columns), groupedCount(g.gridRows), groupedCount(g.gridColumns),
                  byExtreme ? QObject::tr("largest |x|") : QObject::tr("mean"), groupedCount(g.blockRows),
                  groupedCount(g.blockColumns))
        : QObject::tr("%1×%2, one cell per value.").arg(groupedCount(g.rows), groupedCount(g.columns));
    if (map.partial())
        text += QLatin1Char(' ')
            + QObject::tr("Only rows %1 of %2 and columns %3 of %4 are drawn (at most %5 values are read).")
                  .arg(rangeText(map.firstRow, map.firstRow + g.rows - 1), groupedCount(map.sliceRows),
                      rangeText(map.firstColumn, map.firstColumn + g.columns - 1), groupedCount(map.sliceColumns),
                      groupedCount(map.request.maxElements));
    return text;
}

QString sliceHover(const ckpt::SliceHeatmap& map, double column, double row)
{
    const ckpt::BlockGrid& g = map.grid;
    const auto c = indexAt(column) - map.firstColumn;
    const auto r = indexAt(row) - map.firstRow;
    if (c < 0 || r < 0 || c >= g.columns || r >= g.rows)
        return {};
    const int blockRow = int(r / g.blockRows), blockCol = int(c / g.blockColumns);
    const std::size_t b = g.at(blockRow, blockCol);
    if (!g.downsampled())
        return QObject::tr("row %1, column %2: %3")
            .arg(groupedCount(map.firstRow + r), groupedCount(map.firstColumn + c), valueText(g, b));
    const std::int64_t row0 = map.firstRow + blockRow * g.blockRows;
    const std::int64_t col0 = map.firstColumn + blockCol * g.blockColumns;
    QString text = QObject::tr("rows %1, columns %2: mean %3, min %4, max %5")
                       .arg(rangeText(row0, std::min(row0 + g.blockRows, map.firstRow + g.rows) - 1),
                           rangeText(col0, std::min(col0 + g.blockColumns, map.firstColumn + g.columns) - 1),
                           floatText(g.mean[b]), floatText(g.min[b]), floatText(g.max[b]));
    if (g.nonFinite[b])
        text += QObject::tr(", %1 not finite").arg(groupedCount(g.nonFinite[b]));
    return text;
}

QString filterNote(const ckpt::FilterGrid& g)
{
    return QObject::tr("Kernels %1×%2 of outputs %3 of %4 (down) and inputs %5 of %6 (across), one cell per weight.")
        .arg(groupedCount(g.kernelRows), groupedCount(g.kernelColumns), rangeText(g.firstOut, g.firstOut + g.outs - 1),
            groupedCount(g.totalOuts), rangeText(g.firstIn, g.firstIn + g.ins - 1), groupedCount(g.totalIns));
}

QString filterHover(const ckpt::FilterGrid& g, double column, double row)
{
    const ckpt::FilterGrid::Cell c = g.cellAt(indexAt(row), indexAt(column));
    if (c.gap)
        return {};
    const std::size_t b = g.image.at(int(indexAt(row)), int(indexAt(column)));
    return QObject::tr("output %1, input %2, kernel row %3, column %4: %5")
        .arg(groupedCount(c.out), groupedCount(c.in), groupedCount(c.y), groupedCount(c.x), valueText(g.image, b));
}
