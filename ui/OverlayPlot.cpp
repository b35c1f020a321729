#include "OverlayPlot.h"

#include "NumberText.h"
#include "PlotImage.h"
#include "SeriesPen.h"
#include "ThemedPlot.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace {

// One element (a scalar, a step counter) has no distribution: its density is a single bin that
// rises far above every other curve.
bool holdsOneValue(const ckpt::Histogram& h)
{
    std::int64_t total = 0;
    for (auto c : h.counts)
        total += c;
    return total < 2;
}

} // namespace

OverlayPlot::OverlayPlot(QWidget* parent, Controls controls)
    : QWidget(parent)
    , plot_(new ThemedPlot(this))
    , hint_(new QLabel(this))
{
    hint_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    if (controls == Controls::Shown)
        layout->addWidget(buildControls());
    layout->addWidget(hint_);
    layout->addWidget(plot_, 1);
    plot_->legend->setVisible(true);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom | QCP::iSelectPlottables);
    plot_->xAxis->setLabel(tr("value"));
    plot_->yAxis->setLabel(tr("density"));
    clear(tr("Select several tensors or a group in the tree to overlay their distributions."));
}

QWidget* OverlayPlot::buildControls()
{
    auto* box = new QWidget(this);
    bins_ = new QSpinBox(box);
    bins_->setRange(2, 4096);
    bins_->setValue(128);
    bins_->setPrefix(tr("Bins: "));
    bins_->setToolTip(tr("Bins of each tensor's histogram, between its own smallest and largest finite value"));
    log_ = new QCheckBox(tr("Log scale"), box);
    log_->setToolTip(tr("The vertical axis on a logarithmic scale, so that rare values show"));
    normalised_ = new QCheckBox(tr("Normalise"), box);
    normalised_->setChecked(true);
    normalised_->setToolTip(tr("Densities (each curve's area is 1), so tensors of different sizes compare; "
                               "off: counts"));
    auto* fitButton = new QPushButton(tr("Fit"), box);
    fitButton->setToolTip(tr("Undo zoom and pan (drag the plot to pan, turn the wheel to zoom): show every curve"));
    auto* exportButton = new QPushButton(tr("Export…"), box);
    exportButton->setToolTip(tr("Save the plot as PNG, SVG or PDF"));
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    for (QWidget* w : std::initializer_list<QWidget*> { bins_, log_, normalised_ })
        row->addWidget(w);
    row->addStretch();
    row->addWidget(fitButton);
    row->addWidget(exportButton);
    connect(bins_, &QSpinBox::editingFinished, this, [this] { emit binsChanged(bins_->value()); });
    connect(log_, &QCheckBox::toggled, this, &OverlayPlot::redraw);
    connect(normalised_, &QCheckBox::toggled, this, &OverlayPlot::redraw);
    connect(fitButton, &QPushButton::clicked, this, &OverlayPlot::fit);
    connect(exportButton, &QPushButton::clicked, this, &OverlayPlot::exportDialog);
    return box;
}

void OverlayPlot::clear(const QString& message)
{
    series_.clear();
    note_.clear();
    plot_->clearGraphs();
    showAxes(false); // no curves: no axes with a range made up for them
    hint_->setText(message);
    plot_->replot();
}

void OverlayPlot::setSeries(std::vector<Series> series, int selected)
{
    series_.clear();
    QStringList single;
    for (auto& s : series) {
        if (holdsOneValue(s.histogram))
            single << s.name;
        else
            series_.push_back(std::move(s));
    }
    note_.clear();
    if (selected > int(series.size()))
        note_ += tr(" Showing the first %1 of %2 selected tensors; select fewer to see the others.")
                     .arg(series.size())
                     .arg(selected);
    if (!single.isEmpty())
        note_ += tr(" Left out, holding a single element: %1.").arg(single.join(QStringLiteral(", ")));
    redraw();
}

void OverlayPlot::addDensity(const QString& name, const ckpt::Histogram& histogram)
{
    series_.push_back({ name, histogram });
    redraw();
}

void OverlayPlot::showAxes(bool shown)
{
    for (QCPAxis* axis : { plot_->xAxis, plot_->yAxis })
        axis->setVisible(shown);
    plot_->legend->setVisible(shown);
}

void OverlayPlot::redraw()
{
    plot_->clearGraphs();
    showAxes(!series_.empty());
    for (const auto& s : series_)
        addCurve(s);
    const bool density = !normalised_ || normalised_->isChecked();
    plot_->yAxis->setLabel(density ? tr("density") : tr("count"));
    const QString count = countOf(plot_->graphCount(), tr("distribution"), tr("distributions"));
    hint_->setText((density ? tr("%1, normalised to unit area.") : tr("%1, counts per bin.")).arg(count) + note_);
    fit();
}

void OverlayPlot::addCurve(const Series& s)
{
    const auto& h = s.histogram;
    const bool density = !normalised_ || normalised_->isChecked();
    const bool log = log_ && log_->isChecked();
    double total = 0;
    for (auto c : h.counts)
        total += double(c);
    const double width = h.counts.empty() ? 1 : (h.edges.back() - h.edges.front()) / double(h.counts.size());
    auto* g = plot_->addGraph();
    g->setName(s.name);
    g->setLineStyle(QCPGraph::lsStepCenter);
    g->setPen(seriesPen(plot_->graphCount() - 1));
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        double y = double(h.counts[i]);
        if (density)
            y = total > 0 && width > 0 ? y / (total * width) : 0.0;
        if (log && y <= 0)
            y = std::nan(""); // no point on a log axis: a gap
        g->addData((h.edges[i] + h.edges[i + 1]) / 2, y);
    }
}

void OverlayPlot::fit()
{
    const bool log = log_ && log_->isChecked();
    plot_->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (log)
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    plot_->rescaleAxes();
    if (!log) // densities and counts start at 0
        plot_->yAxis->setRange(0, plot_->yAxis->range().upper * 1.05);
    plot_->placeLegendAwayFromData();
    plot_->replot();
}

int OverlayPlot::curveCount() const
{
    return plot_->graphCount();
}

QString OverlayPlot::hintText() const
{
    return hint_->text();
}

int OverlayPlot::bins() const
{
    return bins_ ? bins_->value() : 128;
}

void OverlayPlot::setLogScale(bool on)
{
    if (log_)
        log_->setChecked(on);
}

void OverlayPlot::setNormalised(bool on)
{
    if (normalised_)
        normalised_->setChecked(on);
}

bool OverlayPlot::exportImage(const QString& path)
{
    return savePlotImage(plot_, path, tr("Overlay"));
}

void OverlayPlot::exportDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export overlay"), tr("overlay.png"),
        tr("PNG image (*.png);;SVG image (*.svg);;PDF document (*.pdf)"));
    if (!path.isEmpty() && !exportImage(path))
        QMessageBox::warning(this, tr("Export overlay"), tr("%1: cannot write the file.").arg(path));
}
