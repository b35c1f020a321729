#include "ThemedPlot.h"

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
