#include "VerifyPanel.h"

#include "NumberText.h"
#include "ShownText.h"
#include "formats/ReaderRegistry.h"
#include "model/DenseLayerFinder.h"

#include "ThemedPlot.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QShowEvent>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {
QComboBox* activationBox(QWidget* parent, const char* initial)
{
    auto* box = new QComboBox(parent);
    for (const char* a : {"relu", "tanh", "sigmoid", "gelu", "identity"})
        box->addItem(QString::fromLatin1(a));
    box->setCurrentText(QString::fromLatin1(initial));
    return box;
}
} // namespace

VerifyPanel::VerifyPanel(QWidget* parent)
    : QWidget(parent)
    , prefix_(new QLineEdit(this))
    , hidden_(activationBox(this, "relu"))
    , final_(activationBox(this, "identity"))
    , layers_(new QTableWidget(0, 4, this))
    , source_(new QComboBox(this))
    , clone_(new QLineEdit(this))
    , seed_(new QSpinBox(this))
    , batch_(new QSpinBox(this))
    , run_(new QPushButton(tr("Run"), this))
    , verdict_(new QLabel(this))
    , outputs_(new QTableWidget(0, 3, this))
    , scatter_(new ThemedPlot(this))
{
    prefix_->setPlaceholderText(tr("e.g. model_state_dict"));
    source_->addItem(tr("X and Y tensors in this file"));
    source_->addItem(tr("a clone file, on random inputs"));
    source_->addItem(tr("a clone file, on X from this file"));
    clone_->setPlaceholderText(tr("clone checkpoint…"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    seed_->setRange(0, 1'000'000);
    seed_->setPrefix(tr("seed "));
    batch_->setRange(1, 100'000);
    batch_->setValue(16);
    batch_->setPrefix(tr("batch "));
    layers_->setHorizontalHeaderLabels({tr("Layer"), tr("In"), tr("Out"), tr("Activation")});
    layers_->horizontalHeader()->setStretchLastSection(true);
    layers_->verticalHeader()->setVisible(false);
    layers_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    outputs_->setHorizontalHeaderLabels({tr("Output"), tr("Reference"), tr("Difference")});
    outputs_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    outputs_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    verdict_->setTextFormat(Qt::RichText);
    scatter_->xAxis->setLabel(tr("reference"));
    scatter_->yAxis->setLabel(tr("rebuilt network"));
    scatter_->setMinimumHeight(180);

    auto* form = new QFormLayout;
    auto* acts = new QHBoxLayout;
    acts->addWidget(new QLabel(tr("hidden"), this));
    acts->addWidget(hidden_);
    acts->addWidget(new QLabel(tr("last layer"), this));
    acts->addWidget(final_);
    acts->addStretch();
    form->addRow(tr("Prefix:"), prefix_);
    form->addRow(tr("Activations:"), acts);
    auto* src = new QHBoxLayout;
    src->addWidget(source_);
    src->addWidget(clone_, 1);
    src->addWidget(browse);
    src->addWidget(seed_);
    src->addWidget(batch_);
    form->addRow(tr("Compare with:"), src);
    auto* top = new QHBoxLayout;
    top->addLayout(form, 1);
    top->addWidget(run_);

    auto* results = new QSplitter(Qt::Horizontal, this);
    results->addWidget(outputs_);
    results->addWidget(scatter_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(layers_, 1);
    layout->addWidget(verdict_);
    layout->addWidget(results, 2);

    connect(prefix_, &QLineEdit::editingFinished, this, &VerifyPanel::rebuildLayers);
    connect(hidden_, &QComboBox::currentTextChanged, this, &VerifyPanel::rebuildLayers);
    connect(final_, &QComboBox::currentTextChanged, this, &VerifyPanel::rebuildLayers);
    connect(run_, &QPushButton::clicked, this, [this] { run(); });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Clone checkpoint"));
        if (!path.isEmpty())
            setClonePath(path);
    });
}

void VerifyPanel::setClonePath(const QString& path)
{
    clone_->setText(path);
    if (source_->currentIndex() == 0)
        source_->setCurrentIndex(1);
}

void VerifyPanel::setCheckpoint(std::shared_ptr<const ckpt::Checkpoint> checkpoint)
{
    checkpoint_ = std::move(checkpoint);
    result_.reset();
    stale_ = true;
    if (isVisible())
        refresh();
}

QTableWidget* VerifyPanel::layerTable()
{
    refreshIfStale();
    return layers_;
}

void VerifyPanel::showEvent(QShowEvent* event)
{
    refreshIfStale();
    QWidget::showEvent(event);
}

void VerifyPanel::refreshIfStale()
{
    if (stale_)
        refresh();
}

void VerifyPanel::refresh()
{
    stale_ = false;
    outputs_->setRowCount(0);
    scatter_->clearGraphs();
    scatter_->replot();
    verdict_->clear();
    prefix_->clear();
    // Pre-fill what can be inferred: a training checkpoint's model lives under model_state_dict.
    if (checkpoint_ && !checkpoint_->find("hidden.weight")) {
        for (const auto& t : checkpoint_->tensors)
            if (t.info.name.rfind("model_state_dict.", 0) == 0) {
                prefix_->setText(QStringLiteral("model_state_dict"));
                break;
            }
    }
    source_->setCurrentIndex(checkpoint_ && checkpoint_->find("X") && checkpoint_->find("Y") ? 0 : 1);
    rebuildLayers();
}

ckpt::MlpBuildOptions VerifyPanel::buildOptions() const
{
    ckpt::MlpBuildOptions o;
    o.prefix = prefix_->text().trimmed().toStdString();
    if (!o.prefix.empty() && o.prefix.back() != '.' && o.prefix.back() != '/')
        o.prefix += '.';
    o.hidden = *ckpt::activationFromName(hidden_->currentText().toStdString());
    o.final = *ckpt::activationFromName(final_->currentText().toStdString());
    return o;
}

void VerifyPanel::rebuildLayers()
{
    layers_->setRowCount(0);
    mlp_.reset();
    run_->setEnabled(false);
    if (!checkpoint_)
        return;
    try {
        mlp_ = ckpt::buildMlp(*checkpoint_, buildOptions());
    } catch (const std::exception& e) {
        verdict_->setText(tr("<b>No network:</b> %1").arg(shownText(e.what()).toHtmlEscaped()));
        return;
    }
    for (const auto& l : mlp_->layers()) {
        const int row = layers_->rowCount();
        layers_->insertRow(row);
        layers_->setItem(row, 0, new QTableWidgetItem(shownText(l.name)));
        layers_->setItem(row, 1, new QTableWidgetItem(QString::number(l.inputs())));
        layers_->setItem(row, 2, new QTableWidgetItem(QString::number(l.outputs())));
        layers_->setItem(row, 3, new QTableWidgetItem(QString::fromLatin1(ckpt::activationName(l.activation).data())));
    }
    verdict_->setText(tr("%n dense layer(s) rebuilt; press Run.", nullptr, int(mlp_->layers().size())));
    run_->setEnabled(true);
}

QString VerifyPanel::verdictText() const { return verdict_->text(); }

bool VerifyPanel::run()
{
    refreshIfStale();
    if (!mlp_ || !checkpoint_)
        return false;
    ckpt::VerifyOptions options;
    try {
        const int mode = source_->currentIndex();
        if (mode == 0) {
            result_ = ckpt::verifyAgainstOutputs(*mlp_, ckpt::readMatrix(*checkpoint_, "X"),
                                                 ckpt::readMatrix(*checkpoint_, "Y"), options);
        } else {
            const auto clone = ckpt::openCheckpoint(clone_->text().toStdString());
            cloneMlp_ = ckpt::buildMlp(clone, buildOptions());
            const Eigen::MatrixXd x = mode == 2 ? ckpt::readMatrix(*checkpoint_, "X")
                                                : ckpt::randomInputs(batch_->value(), mlp_->inputs(), seed_->value());
            result_ = ckpt::verifyAgainstClone(*mlp_, *cloneMlp_, x, options);
        }
    } catch (const std::exception& e) {
        result_.reset();
        verdict_->setText(tr("<b>Cannot run:</b> %1").arg(shownText(e.what()).toHtmlEscaped()));
        return false;
    }
    const auto& c = result_->comparison;
    QString text = (c.match ? tr("<span style='color:#2a7a2a; font-size:large'><b>✓ match</b></span>")
                            : tr("<span style='color:#b22222; font-size:large'><b>✗ mismatch</b></span> (%1 of %2 outputs differ)")
                                  .arg(groupedCount(c.mismatched), groupedCount(c.compared)))
                   + tr(" — %1 outputs compared, max abs diff %2, max rel diff %3")
                         .arg(groupedCount(c.compared), floatText(c.maxAbsDiff), floatText(c.maxRelDiff));
    if (result_->parameters)
        text += result_->parameters->equal ? tr("; parameters identical")
                                           : tr("; parameters differ (max %1)").arg(floatText(result_->parameters->maxAbsDiff));
    verdict_->setText(text);

    const auto& out = result_->outputs;
    const auto& ref = result_->reference;
    const int shown = int(std::min<Eigen::Index>(out.size(), 2000));
    outputs_->setRowCount(shown);
    QVector<double> xs, ys;
    for (int i = 0; i < shown; ++i) {
        const Eigen::Index r = i / out.cols(), col = i % out.cols();
        const double a = out(r, col), b = ref(r, col), d = a - b;
        outputs_->setVerticalHeaderItem(i, new QTableWidgetItem(QStringLiteral("[%1, %2]").arg(r).arg(col)));
        outputs_->setItem(i, 0, new QTableWidgetItem(floatText(a)));
        outputs_->setItem(i, 1, new QTableWidgetItem(floatText(b)));
        auto* diff = new QTableWidgetItem(floatText(d));
        if (!(std::abs(d) <= options.atol + options.rtol * std::abs(b)))
        {
            diff->setBackground(QColor(255, 200, 200));
            diff->setForeground(QColor(110, 0, 0)); // legible on the pink in light and dark themes
        }
        outputs_->setItem(i, 2, diff);
    }
    for (Eigen::Index i = 0; i < std::min<Eigen::Index>(out.size(), 100'000); ++i) {
        xs << ref.data()[i];
        ys << out.data()[i];
    }
    scatter_->clearGraphs();
    auto* g = scatter_->addGraph();
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    g->setData(xs, ys);
    scatter_->rescaleAxes();
    const double lo = std::min(scatter_->xAxis->range().lower, scatter_->yAxis->range().lower);
    const double hi = std::max(scatter_->xAxis->range().upper, scatter_->yAxis->range().upper);
    auto* diagonal = scatter_->addGraph();
    diagonal->setData({lo, hi}, {lo, hi});
    diagonal->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    scatter_->xAxis->setRange(lo, hi);
    scatter_->yAxis->setRange(lo, hi);
    scatter_->replot();
    return true;
}
