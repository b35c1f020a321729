#include "ThemedPlot.h"

#include <array>
#include <cmath>

ThemedPlot::ThemedPlot(QWidget* parent)
    : QCustomPlot(parent)
{
    applyPalette();
}

void ThemedPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        applyPalette();
        replot();
    }
    QCustomPlot::changeEvent(event);
}

void ThemedPlot::applyPalette()
{
    const QPalette p = palette();
    const QColor text = p.color(QPalette::WindowText);
    QColor grid = p.color(QPalette::Mid);
    grid.setAlpha(120);
    setBackground(p.brush(QPalette::Base));
    for (QCPAxisRect* rect : axisRects()) {
        for (QCPAxis* axis : rect->axes()) {
            axis->setBasePen(QPen(text));
            axis->setTickPen(QPen(text));
            axis->setSubTickPen(QPen(text));
            axis->setTickLabelColor(text);
            axis->setLabelColor(text);
            axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
            axis->grid()->setZeroLinePen(QPen(grid));
        }
    }
    legend->setBrush(p.brush(QPalette::Base));
    legend->setBorderPen(QPen(p.color(QPalette::Mid)));
    legend->setTextColor(text);
}

namespace {

// How many points of the graphs, and of their lines between points, fall inside `area` (pixels).
int pointsInside(QCustomPlot* plot, const QRectF& area)
{
    constexpr int kSamplesPerSegment = 8;
    int inside = 0;
    for (int g = 0; g < plot->graphCount(); ++g) {
        QCPGraph* graph = plot->graph(g);
        if (!graph->visible())
            continue;
        QPointF previous;
        bool hasPrevious = false;
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            if (!std::isfinite(it->value)) {
                hasPrevious = false; // a gap: no line through it
                continue;
            }
            const QPointF p = graph->coordsToPixels(it->key, it->value);
            for (int k = hasPrevious ? 1 : kSamplesPerSegment; k <= kSamplesPerSegment; ++k)
                inside += area.contains(previous + (p - previous) * (double(k) / kSamplesPerSegment));
            previous = p;
            hasPrevious = true;
        }
    }
    return inside;
}

} // namespace

void ThemedPlot::placeLegendAwayFromData()
{
    if (!legend || !legend->visible())
        return;
    const QRectF frame = axisRect()->rect();
    const QSizeF size = legend->minimumOuterSizeHint();
    constexpr double kMargin = 7; // QCustomPlot's inset margin around the legend
    const std::array<Qt::Alignment, 4> corners { Qt::AlignTop | Qt::AlignRight, Qt::AlignTop | Qt::AlignLeft,
        Qt::AlignBottom | Qt::AlignRight, Qt::AlignBottom | Qt::AlignLeft };
    Qt::Alignment best = corners.front();
    int fewest = -1;
    for (Qt::Alignment corner : corners) {
        const double x = corner & Qt::AlignRight ? frame.right() - kMargin - size.width() : frame.left() + kMargin;
        const double y = corner & Qt::AlignTop ? frame.top() + kMargin : frame.bottom() - kMargin - size.height();
        const int crossing = pointsInside(this, QRectF(QPointF(x, y), size));
        if (fewest < 0 || crossing < fewest) {
            fewest = crossing;
            best = corner;
        }
    }
    axisRect()->insetLayout()->setInsetAlignment(0, best);
}
