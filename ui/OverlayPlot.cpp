#include "OverlayPlot.h"

#include "ThemedPlot.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QVBoxLayout>

OverlayPlot::OverlayPlot(QWidget* parent)
    : QWidget(parent)
    , plot_(new ThemedPlot(this))
    , hint_(new QLabel(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(hint_);
    layout->addWidget(plot_, 1);
    plot_->legend->setVisible(true);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom | QCP::iSelectPlottables);
    plot_->xAxis->setLabel(tr("value"));
    plot_->yAxis->setLabel(tr("density"));
    clear(tr("Select several tensors or a group in the tree to overlay their distributions."));
}

void OverlayPlot::clear(const QString& message)
{
    plot_->clearGraphs();
    hint_->setText(message);
    plot_->replot();
}

int OverlayPlot::curveCount() const
{
    return plot_->graphCount();
}

void OverlayPlot::addDensity(const QString& name, const ckpt::Histogram& h)
{
    static const QColor palette[] = { QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
        QColor(214, 39, 40), QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194), QColor(127, 127, 127),
        QColor(188, 189, 34), QColor(23, 190, 207) };
    double total = 0;
    for (auto c : h.counts)
        total += double(c);
    auto* g = plot_->addGraph();
    g->setName(name);
    g->setLineStyle(QCPGraph::lsStepCenter);
    g->setPen(QPen(palette[(plot_->graphCount() - 1) % 10], 1.6));
    const double width = h.counts.empty() ? 1 : (h.edges.back() - h.edges.front()) / double(h.counts.size());
    for (std::size_t i = 0; i < h.counts.size(); ++i)
        g->addData(
            (h.edges[i] + h.edges[i + 1]) / 2, total > 0 && width > 0 ? double(h.counts[i]) / (total * width) : 0.0);
    plot_->rescaleAxes();
    plot_->yAxis->setRange(0, plot_->yAxis->range().upper * 1.05); // a density starts at 0
    hint_->setText(tr("%n distribution(s), normalised to unit area", nullptr, plot_->graphCount()));
    plot_->replot();
}
