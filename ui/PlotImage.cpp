#include "PlotImage.h"

#include <qcustomplot.h>

#include <QFile>
#include <QSvgGenerator>

#include <cstdio>

bool savePlotImage(QCustomPlot* plot, const QString& path, const QString& title)
{
    const QString part = path + QStringLiteral(".part");
    bool ok = false;
    if (path.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive)) {
        ok = plot->savePdf(part);
    } else if (path.endsWith(QStringLiteral(".svg"), Qt::CaseInsensitive)) {
        const int w = std::max(plot->width(), 640), h = std::max(plot->height(), 400);
        QSvgGenerator svg;
        svg.setFileName(part);
        svg.setSize(QSize(w, h));
        svg.setViewBox(QRect(0, 0, w, h));
        svg.setTitle(title);
        svg.setDescription(QStringLiteral("Exported by ckptview"));
        QCPPainter painter;
        ok = painter.begin(&svg);
        if (ok) {
            plot->toPainter(&painter, w, h);
            ok = painter.end();
        }
    } else {
        ok = plot->savePng(part, 0, 0, 2.0);
    }
    if (!ok || std::rename(QFile::encodeName(part).constData(), QFile::encodeName(path).constData()) != 0) {
        QFile::remove(part);
        return false;
    }
    return true;
}
