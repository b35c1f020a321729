#include "HistogramView.h"

#include "NumberText.h"

#include "PlotImage.h"
#include "ThemedPlot.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QSvgGenerator>
#include <QTextStream>
#include <QToolTip>
#include <QVBoxLayout>

HistogramView::HistogramView(QWidget* parent)
    : QWidget(parent)
    , plot_(new ThemedPlot(this))
    , bars_(new QCPBars(plot_->xAxis, plot_->yAxis))
    , bins_(new QSpinBox(this))
    , log_(new QCheckBox(tr("Log counts"), this))
{
    bins_->setRange(2, 4096);
    bins_->setValue(kDefaultBins);
    bins_->setPrefix(tr("Bins: "));
    bins_->setToolTip(tr("Number of equal-width bins between the smallest and the largest finite value (View ▸ "
                         "Use these histogram settings for every file keeps them for the next files)"));
    log_->setToolTip(tr("Counts on a logarithmic axis: bars start at the bottom of the axis, so rare values show"));
    auto* exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setToolTip(tr("Save the plot (PNG, SVG, PDF) or the counts (CSV)"));
    auto* fitButton = new QPushButton(tr("Fit"), this);
    fitButton->setToolTip(tr("Undo zoom and pan (drag the plot to pan, turn the wheel to zoom): show every bar"));
    auto* legend = new QLabel(tr("<span style='color:#c83c28'>━ mean &nbsp;┅ mean ± std</span>"), this);
    legend->setToolTip(tr("The solid red line marks the mean, the dashed ones the mean minus and plus one standard "
                          "deviation"));
    auto* controls = new QHBoxLayout;
    controls->addWidget(bins_);
    controls->addWidget(log_);
    controls->addWidget(legend);
    controls->addStretch();
    controls->addWidget(fitButton);
    controls->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(plot_, 1);

    bars_->setWidthType(QCPBars::wtPlotCoords);
    bars_->setPen(Qt::NoPen);
    bars_->setBrush(QColor(70, 130, 180));
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->xAxis->setLabel(tr("value"));
    plot_->yAxis->setLabel(tr("count"));
    plot_->setMinimumHeight(200);
    plot_->setMouseTracking(true);

    connect(bins_, &QSpinBox::editingFinished, this, [this] { emit binsChanged(bins_->value()); });
    connect(log_, &QCheckBox::toggled, this, [this] { applyScale(); });
    connect(plot_, &QCustomPlot::mouseMove, this, &HistogramView::showTooltip);
    connect(exportButton, &QPushButton::clicked, this, &HistogramView::exportDialog);
    connect(fitButton, &QPushButton::clicked, this, &HistogramView::fit);
}

int HistogramView::bins() const
{
    return bins_->value();
}

void HistogramView::setBins(int bins)
{
    bins_->setValue(bins);
    emit binsChanged(bins_->value());
}

namespace {
const QString kBinsKey = QStringLiteral("histogram/bins");
const QString kLogKey = QStringLiteral("histogram/logCounts");
} // namespace

void HistogramView::resetSettings()
{
    const QSignalBlocker quietBins(bins_), quietLog(log_);
    const QSettings settings;
    bins_->setValue(settings.value(kBinsKey, kDefaultBins).toInt()); // clamped to the spin box's range
    log_->setChecked(settings.value(kLogKey, false).toBool());
    applyScale();
}

void HistogramView::saveAsDefaults() const
{
    QSettings settings;
    settings.setValue(kBinsKey, bins_->value());
    settings.setValue(kLogKey, log_->isChecked());
}

void HistogramView::forgetDefaults()
{
    QSettings settings;
    settings.remove(kBinsKey);
    settings.remove(kLogKey);
}

bool HistogramView::logCounts() const
{
    return log_->isChecked();
}

void HistogramView::clear(const QString& message)
{
    stats_ = {};
    bars_->data()->clear();
    plot_->clearItems();
    plot_->plotLayout()->setRowStretchFactor(0, 1);
    plot_->xAxis->setLabel(message.isEmpty() ? tr("value") : message);
    plot_->replot();
}

void HistogramView::setHistogram(const QString& title, const ckpt::TensorStats& stats)
{
    stats_ = stats;
    title_ = title;
    const auto& h = stats.histogram;
    if (int(h.counts.size()) != bins_->value() && !h.counts.empty())
        bins_->setValue(int(h.counts.size()));
    const double width = h.counts.empty() ? 1.0 : (h.edges.back() - h.edges.front()) / double(h.counts.size());
    bars_->setWidth(width > 0 ? width : 1.0);
    plot_->clearItems();
    plot_->xAxis->setLabel(title);
    if (std::isfinite(stats.mean)) {
        auto line = [this](double x, Qt::PenStyle style, const QString& tip) {
            auto* l = new QCPItemStraightLine(plot_);
            l->point1->setCoords(x, 0);
            l->point2->setCoords(x, 1);
            l->setPen(QPen(QColor(200, 60, 40), 1.5, style));
            l->setObjectName(tip);
        };
        line(stats.mean, Qt::SolidLine, QStringLiteral("mean"));
        line(stats.mean - stats.std, Qt::DashLine, QStringLiteral("-std"));
        line(stats.mean + stats.std, Qt::DashLine, QStringLiteral("+std"));
    }
    applyScale();
}

// A log axis has no 0, so there the bars start at the axis' bottom (0.5) and QCPBars, which
// draws a bar from its base to base + value, gets count − 0.5: a bar's top is its count.
void HistogramView::applyScale()
{
    const bool log = log_->isChecked();
    plot_->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (log)
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    const double base = log ? kLogBase : 0.0;
    const auto& h = stats_.histogram;
    QVector<double> keys, values;
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        keys << (h.edges[i] + h.edges[i + 1]) / 2;
        values << std::max(0.0, double(h.counts[i]) - base);
    }
    bars_->setBaseValue(base);
    bars_->setData(keys, values, true);
    fit();
}

void HistogramView::fit()
{
    const bool log = log_->isChecked();
    const auto& h = stats_.histogram;
    double top = 1;
    for (auto c : h.counts)
        top = std::max(top, double(c));
    plot_->yAxis->setRange(log ? kLogBase : 0.0, log ? top * 2 : top * 1.05);
    if (!h.edges.empty()) {
        const double lo = h.edges.front(), hi = h.edges.back();
        const double pad = hi > lo ? (hi - lo) * 0.02 : 0.5;
        plot_->xAxis->setRange(lo - pad, hi + pad);
    }
    plot_->replot();
}

double HistogramView::barTop(int bin) const
{
    const auto it = bars_->data()->at(bin);
    return bars_->baseValue() + it->value;
}

void HistogramView::showTooltip(QMouseEvent* event)
{
    const auto& h = stats_.histogram;
    if (h.counts.empty())
        return;
    const double x = plot_->xAxis->pixelToCoord(event->pos().x());
    const double width = (h.edges.back() - h.edges.front()) / double(h.counts.size());
    if (x < h.edges.front() || x > h.edges.back() || width <= 0) {
        QToolTip::hideText();
        return;
    }
    const auto i = std::min(h.counts.size() - 1, std::size_t((x - h.edges.front()) / width));
    QToolTip::showText(event->globalPosition().toPoint(),
        tr("[%1, %2)\n%3 values").arg(floatText(h.edges[i]), floatText(h.edges[i + 1]), groupedCount(h.counts[i])),
        plot_);
}

bool HistogramView::exportImage(const QString& path)
{
    return savePlotImage(plot_, path, title_);
}

bool HistogramView::exportCsv(const QString& path) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    QTextStream out(&f);
    out << "bin_start,bin_end,count\n";
    const auto& h = stats_.histogram;
    for (std::size_t i = 0; i < h.counts.size(); ++i)
        out << QString::number(h.edges[i], 'g', 17) << ',' << QString::number(h.edges[i + 1], 'g', 17) << ','
            << h.counts[i] << '\n';
    out.flush();
    return f.commit();
}

void HistogramView::exportDialog()
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export histogram"), title_,
        tr("PNG image (*.png);;SVG image (*.svg);;PDF document (*.pdf);;Counts as CSV (*.csv)"), &selected);
    if (path.isEmpty())
        return;
    const bool ok = path.endsWith(QStringLiteral(".csv"), Qt::CaseInsensitive) ? exportCsv(path) : exportImage(path);
    if (!ok)
        QMessageBox::warning(this, tr("Export histogram"), tr("%1: cannot write the file.").arg(path));
}
