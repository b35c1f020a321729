#include "HeatmapColours.h"

namespace {

QCPColorGradient gradient(const QMap<double, QColor>& stops)
{
    QCPColorGradient g;
    g.setColorStops(stops);
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setNanHandling(QCPColorGradient::nhTransparent);
    return g;
}

} // namespace

QCPColorGradient divergingGradient()
{
    return gradient({ { 0.0, QColor(59, 76, 192) }, { 0.25, QColor(141, 176, 254) }, { 0.5, QColor(221, 221, 221) },
        { 0.75, QColor(244, 154, 123) }, { 1.0, QColor(180, 4, 38) } });
}

QCPColorGradient sequentialGradient()
{
    return gradient({ { 0.0, QColor(68, 1, 84) }, { 0.25, QColor(59, 82, 139) }, { 0.5, QColor(33, 145, 140) },
        { 0.75, QColor(94, 201, 98) }, { 1.0, QColor(253, 231, 37) } });
}

void placeSequentialScale(QCustomPlot* plot, QCPColorMap* map, QCPColorScale* scale, const QString& label)
{
    plot->plotLayout()->addElement(0, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->setLabel(label);
    auto* margins = new QCPMarginGroup(plot);
    plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    map->setColorScale(scale);
    map->setGradient(sequentialGradient());
    map->setInterpolate(false);
}
