#pragma once

#include "tensor/Shape.h"

#include <QString>

// How numbers read in the app: 1,234,567 for counts, 1.2 MiB for sizes, 6 significant digits.
QString groupedCount(qint64 n);
// "1 tensor", "1,234 tensors": Qt's %n plurals need a translation loaded, which the app has not.
QString countOf(qint64 n, const QString& one, const QString& many);
QString sizeText(qint64 bytes);
QString floatText(double v);
QString shapeText(const ckpt::Shape& shape);
