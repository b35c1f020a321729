#pragma once

#include <QString>

class QCustomPlot;

// Saves a plot as an image by the path's extension: .svg, .pdf, else PNG (at twice the screen
// resolution). Written beside the target and renamed into place, so a failed export leaves no
// partial file. False when it cannot be written.
bool savePlotImage(QCustomPlot* plot, const QString& path, const QString& title);
