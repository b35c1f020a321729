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
