#pragma once

#include "tensor/Shape.h"

#include <QString>

// How numbers read in the app: 1,234,567 for counts, 1.2 MiB for sizes, 6 significant digits.
QString groupedCount(qint64 n);
QString sizeText(qint64 bytes);
QString floatText(double v);
QString shapeText(const ckpt::Shape& shape);
