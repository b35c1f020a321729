#include "NumberText.h"

#include "report/Reports.h"

#include <QStringList>

#include <cmath>

QString groupedCount(qint64 n)
{
    return QString::fromStdString(ckpt::groupedNumber(n));
}

QString sizeText(qint64 bytes)
{
    return QString::fromStdString(ckpt::humanBytes(bytes));
}

QString countOf(qint64 n, const QString& one, const QString& many)
{
    return groupedCount(n) + QLatin1Char(' ') + (n == 1 ? one : many);
}

QString floatText(double v)
{
    if (std::isnan(v))
        return QStringLiteral("nan");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    return QString::number(v, 'g', 6);
}

QString shapeText(const ckpt::Shape& shape)
{
    QStringList parts;
    for (auto d : shape)
        parts << QString::number(d);
    return QStringLiteral("(") + parts.join(QStringLiteral(", ")) + QStringLiteral(")");
}
