#include "VerifyPanel.h"

#include "NumberText.h"
#include "ThemedPlot.h"
#include "ToleranceEdit.h"

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
#include <QTableWidget>
#include <QVBoxLayout>

namespace {

constexpr const char* kActivations[] = { "relu", "tanh", "sigmoid", "gelu", "identity" };

// The first item leaves the choice to the file (its stored architecture, else the default).
QComboBox* activationBox(QWidget* parent)
{
    auto* box = new QComboBox(parent);
    box->addItem(QString());
    for (const char* a : kActivations)
        box->addItem(QString::fromLatin1(a), QString::fromLatin1(a));
    box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    return box;
}

std::optional<ckpt::Activation> chosenActivation(const QComboBox* box)
{
    const QString name = box->currentData().toString();
    return name.isEmpty() ? std::nullopt : ckpt::activationFromName(name.toStdString());
}

void selectActivation(QComboBox* box, std::optional<ckpt::Activation> a)
{
    box->setCurrentIndex(a ? box->findData(QString::fromLatin1(ckpt::activationName(*a).data())) : 0);
}

QTableWidgetItem* cell(const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setToolTip(text);
    return item;
}

} // namespace

VerifyPanel::VerifyPanel(QWidget* parent)
    : QWidget(parent)
    , prefix_(new QLineEdit(this))
    , hidden_(activationBox(this))
    , final_(activationBox(this))
    , activationNote_(new QLabel(this))
    , layers_(new QTableWidget(0, 4, this))
    , reference_(new QComboBox(this))
    , otherPath_(new QLineEdit(this))
    , browse_(new QPushButton(tr("Browse…"), this))
    , seed_(new QSpinBox(this))
    , batch_(new QSpinBox(this))
    , rtol_(new ToleranceEdit(ckpt::VerifyOptions {}.rtol, this))
    , atol_(new ToleranceEdit(ckpt::VerifyOptions {}.atol, this))
    , run_(new QPushButton(tr("Run"), this))
    , verdict_(new QLabel(this))
    , outputs_(new QTableWidget(0, 3, this))
    , scatter_(new ThemedPlot(this))
{
    layers_->setHorizontalHeaderLabels({ tr("Layer"), tr("In"), tr("Out"), tr("Activation run") });
    layers_->horizontalHeader()->setStretchLastSection(true);
    layers_->verticalHeader()->setVisible(false);
    layers_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    outputs_->setHorizontalHeaderLabels({ tr("Output"), tr("Reference"), tr("Difference") });
    outputs_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    outputs_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    verdict_->setTextFormat(Qt::RichText);
    verdict_->setWordWrap(true);
    verdict_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    scatter_->xAxis->setLabel(tr("reference"));
    scatter_->yAxis->setLabel(tr("rebuilt network"));
    scatter_->setMinimumHeight(180);

    auto* results = new QSplitter(Qt::Horizontal, this);
    results->addWidget(outputs_);
    results->addWidget(scatter_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildSettings());
    layout->addWidget(layers_, 1);
    layout->addWidget(verdict_);
    layout->addWidget(results, 2);
    setSession(nullptr);
}

QWidget* VerifyPanel::buildSettings()
{
    auto* box = new QWidget(this);
    prefix_->setPlaceholderText(tr("e.g. model_state_dict"));
    prefix_->setToolTip(tr("Take the network's parameters from under this name prefix"));
    for (auto* b : { hidden_, final_ })
        b->setToolTip(tr("The activation run after each layer. The first entry keeps the architecture stored "
                         "in the file, or relu between layers and identity after the last."));
    activationNote_->setWordWrap(true);
    reference_->addItem(tr("X and Y in this file"));
    reference_->addItem(tr("X and Y in another file"));
    reference_->addItem(tr("a clone checkpoint, on random inputs"));
    reference_->setToolTip(tr("What the rebuilt network's outputs are compared with"));
    otherPath_->setPlaceholderText(tr("file with X and Y, or the clone…"));
    otherPath_->setToolTip(tr("The file with the inputs X and outputs Y, or the clone checkpoint"));
    browse_->setToolTip(tr("Choose the file with X and Y, or the clone checkpoint"));
    run_->setToolTip(
        tr("Rebuild the network from these parameters, run it and compare its outputs with the reference"));
    seed_->setRange(0, 1'000'000);
    seed_->setPrefix(tr("seed "));
    seed_->setToolTip(tr("Seed of the random inputs of a clone check"));
    batch_->setRange(1, 100'000);
    batch_->setValue(16);
    batch_->setPrefix(tr("batch "));
    batch_->setToolTip(tr("Rows of random inputs of a clone check"));

    auto* acts = new QHBoxLayout;
    acts->addWidget(new QLabel(tr("hidden"), box));
    acts->addWidget(hidden_);
    acts->addWidget(new QLabel(tr("last layer"), box));
    acts->addWidget(final_);
    acts->addStretch();
    auto* src = new QHBoxLayout;
    src->addWidget(reference_);
    src->addStretch();
    auto* random = new QHBoxLayout; // a row of its own: beside the choice they squeezed the labels at 800 px
    random->addWidget(seed_);
    random->addWidget(batch_);
    random->addStretch();
    auto* tolerance = new QHBoxLayout;
    tolerance->addWidget(new QLabel(tr("rtol"), box));
    tolerance->addWidget(rtol_);
    tolerance->addWidget(new QLabel(tr("atol"), box));
    tolerance->addWidget(atol_);
    tolerance->addStretch();
    tolerance->addWidget(run_); // under the settings, not beside them: the form keeps the width in a small window
    auto* file = new QHBoxLayout;
    file->addWidget(otherPath_, 1);
    file->addWidget(browse_);
    auto* form = new QFormLayout;
    form->addRow(tr("Prefix:"), prefix_);
    form->addRow(tr("Activations:"), acts);
    form->addRow(QString(), activationNote_); // on its own row: a long note never squeezes the boxes
    form->addRow(tr("Compare with:"), src);
    form->addRow(tr("Random inputs:"), random);
    form->addRow(tr("Tolerance:"), tolerance);
    form->addRow(tr("File:"), file);
    form->setContentsMargins(0, 0, 0, 0);
    box->setLayout(form);

    connect(prefix_, &QLineEdit::textEdited, this, [this] { clearVerdict(); });
    connect(prefix_, &QLineEdit::editingFinished, this, &VerifyPanel::settingsChanged);
    for (auto* b : { hidden_, final_, reference_ })
        connect(b, &QComboBox::currentIndexChanged, this, &VerifyPanel::settingsChanged);
    connect(otherPath_, &QLineEdit::textChanged, this, [this](const QString& path) {
        otherPath_->setToolTip(path.isEmpty() ? tr("The file with the inputs X and outputs Y, or the clone checkpoint")
                                              : path); // the whole path, however narrow the field
        clearVerdict();
    });
    for (auto* s : { seed_, batch_ })
        connect(s, &QSpinBox::valueChanged, this, [this] { clearVerdict(); });
    for (auto* t : { rtol_, atol_ })
        connect(t, &QLineEdit::textChanged, this, [this] { clearVerdict(); });
    connect(run_, &QPushButton::clicked, this, [this] { run(); });
    connect(browse_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, reference_->currentIndex() == 2 ? tr("Clone checkpoint") : tr("File holding X and Y"));
        if (!path.isEmpty())
            otherPath_->setText(path);
    });
    return box;
}

void VerifyPanel::setSession(CheckpointSession* session)
{
    if (session_)
        disconnect(session_, nullptr, this, nullptr);
    session_ = session;
    verification_.reset();
    settingUp_ = true;
    prefix_->clear();
    hidden_->setCurrentIndex(0);
    final_->setCurrentIndex(0);
    const auto* c = session ? session->checkpoint().get() : nullptr;
    // A training checkpoint keeps its model under model_state_dict (a file describing its own
    // network names its tensors itself).
    if (c && !c->find("hidden.weight") && !c->metadata.contains("architecture"))
        for (const auto& t : c->tensors)
            if (t.info.name.rfind("model_state_dict.", 0) == 0) {
                prefix_->setText(QStringLiteral("model_state_dict"));
                break;
            }
    reference_->setCurrentIndex(c && c->find("X") && c->find("Y") ? 0 : 1);
    otherPath_->clear();
    settingUp_ = false;
    if (session) {
        connect(session, &CheckpointSession::networkReady, this, [this](std::shared_ptr<const NetworkPreview> p) {
            storedArchitecture_ = p->storedArchitecture;
            showNetwork(p->network, p->activations);
        });
        connect(session, &CheckpointSession::networkFailed, this, [this](const QString& message) {
            layers_->setRowCount(0);
            clearVerdict(tr("<b>No network:</b> %1").arg(message.toHtmlEscaped()));
        });
        connect(session, &CheckpointSession::verified, this, &VerifyPanel::showVerification);
        connect(session, &CheckpointSession::verifyFailed, this, [this](const QString& message) {
            if (!std::exchange(awaiting_, false))
                return;
            clearVerdict(tr("<b>Cannot verify:</b> %1").arg(message.toHtmlEscaped()));
            emit failed(message);
        });
    }
    settingsChanged();
}

ckpt::VerifyRequest VerifyPanel::request() const
{
    ckpt::VerifyRequest r;
    r.reference = static_cast<ckpt::VerifyReference>(reference_->currentIndex());
    r.build.prefix = prefix_->text().trimmed().toStdString();
    if (!r.build.prefix.empty() && r.build.prefix.back() != '.' && r.build.prefix.back() != '/')
        r.build.prefix += '.';
    r.build.hidden = chosenActivation(hidden_);
    r.build.final = chosenActivation(final_);
    r.seed = std::uint64_t(seed_->value());
    r.batch = batch_->value();
    r.verify.rtol = rtol_->value().value_or(r.verify.rtol);
    r.verify.atol = atol_->value().value_or(r.verify.atol);
    return r;
}

void VerifyPanel::settingsChanged()
{
    if (settingUp_)
        return;
    const bool clone = reference_->currentIndex() == 2;
    const bool other = reference_->currentIndex() != 0;
    otherPath_->setEnabled(other);
    browse_->setEnabled(other);
    seed_->setEnabled(clone);
    batch_->setEnabled(clone);
    run_->setEnabled(session_ != nullptr);
    layers_->setRowCount(0);
    clearVerdict(session_ ? tr("Rebuilding the network…") : tr("Open a checkpoint first."));
    if (session_)
        session_->previewNetwork(request().build);
}

void VerifyPanel::setReference(ckpt::VerifyReference reference, const QString& otherPath)
{
    reference_->setCurrentIndex(int(reference));
    otherPath_->setText(otherPath);
}

void VerifyPanel::setActivations(std::optional<ckpt::Activation> hidden, std::optional<ckpt::Activation> final)
{
    settingUp_ = true;
    selectActivation(hidden_, hidden);
    settingUp_ = false;
    selectActivation(final_, final);
    settingsChanged();
}

void VerifyPanel::showNetwork(const ckpt::Mlp& network, const QString& activations)
{
    const bool overridden = hidden_->currentIndex() > 0 || final_->currentIndex() > 0;
    const QString firstItem = storedArchitecture_ ? tr("as stored in the file") : tr("default");
    hidden_->setItemText(0, storedArchitecture_ ? firstItem : tr("relu (default)"));
    final_->setItemText(0, storedArchitecture_ ? firstItem : tr("identity (default)"));
    activationNote_->setText(overridden && storedArchitecture_
            ? tr("<span style='color:#b25c00'>Overriding the architecture stored in the file.</span>")
            : tr("Activations: %1.").arg(activations));
    layers_->setRowCount(0);
    for (const auto& l : network.layers()) {
        const int row = layers_->rowCount();
        layers_->insertRow(row);
        layers_->setItem(row, 0, cell(shownText(l.name)));
        layers_->setItem(row, 1, cell(QString::number(l.inputs())));
        layers_->setItem(row, 2, cell(QString::number(l.outputs())));
        layers_->setItem(row, 3, cell(QString::fromLatin1(ckpt::activationName(l.activation).data())));
    }
    if (!verification_ && !awaiting_)
        verdict_->setText(tr("%1 rebuilt; press Run.")
                              .arg(countOf(qint64(network.layers().size()), tr("dense layer"), tr("dense layers"))));
}

bool VerifyPanel::run()
{
    if (!session_ || !session_->isOpen())
        return false;
    for (const auto& problem : { rtol_->problem(QStringLiteral("rtol")), atol_->problem(QStringLiteral("atol")) })
        if (!problem.isEmpty()) {
            clearVerdict(problem.toHtmlEscaped());
            return false;
        }
    const ckpt::VerifyRequest r = request();
    const QString other = otherPath_->text().trimmed();
    if (r.reference != ckpt::VerifyReference::OutputsInFile && other.isEmpty()) {
        clearVerdict(r.reference == ckpt::VerifyReference::Clone ? tr("Choose the clone checkpoint first.")
                                                                 : tr("Choose the file holding X and Y first."));
        return false;
    }
    clearVerdict(tr("Running…"));
    ranWith_ = r.verify;
    awaiting_ = true;
    session_->verify(r, other);
    return true;
}

void VerifyPanel::clearVerdict(const QString& text)
{
    awaiting_ = false;
    verification_.reset();
    verdict_->setText(text);
    outputs_->setRowCount(0);
    scatter_->clearGraphs();
    scatter_->setVisible(false); // no axes made up for outputs that do not exist yet
}

QString VerifyPanel::verdictText() const
{
    return verdict_->text();
}
QString VerifyPanel::activationNote() const
{
    return activationNote_->text();
}

void VerifyPanel::showVerification(std::shared_ptr<const ckpt::Verification> v)
{
    if (!std::exchange(awaiting_, false))
        return; // started with settings changed since

    showNetwork(v->network, QString::fromStdString(v->activations)); // the network that was run
    verification_ = std::move(v);
    const auto& c = verification_->result.comparison;
    QString text
        = (c.match
                  ? tr("<span style='color:#2a7a2a; font-size:large'><b>✓ match</b></span>")
                  : tr(
                      "<span style='color:#b22222; font-size:large'><b>✗ mismatch</b></span> (%1 of %2 outputs differ)")
                        .arg(groupedCount(c.mismatched), groupedCount(c.compared)))
        + tr(" with %1 — %2 outputs compared, max abs diff %3, max rel diff %4 (rtol %5, atol %6)")
              .arg(shownText(verification_->against).toHtmlEscaped(), groupedCount(c.compared), floatText(c.maxAbsDiff),
                  floatText(c.maxRelDiff), ToleranceEdit::textOf(ranWith_.rtol), ToleranceEdit::textOf(ranWith_.atol));
    if (const auto& p = verification_->result.parameters)
        text += p->equal ? tr("; parameters identical")
                         : tr("; parameters differ (max %1)").arg(floatText(p->maxAbsDiff));
    text += QStringLiteral("<br>") + tr("This proves: %1.").arg(shownText(verification_->proves).toHtmlEscaped());
    if (const std::string note = ckpt::unusedTensorsNote(*verification_); !note.empty())
        text += QStringLiteral("<br><i>") + shownText(note).toHtmlEscaped() + QStringLiteral("</i>");
    verdict_->setText(text);
    showOutputs(verification_->result);
    emit verified();
}

void VerifyPanel::showOutputs(const ckpt::VerifyResult& r)
{
    const ckpt::VerifyOptions options;
    const auto& out = r.outputs;
    const auto& ref = r.reference;
    const int shown = int(std::min<Eigen::Index>(out.size(), 2000));
    outputs_->setRowCount(shown);
    QVector<double> xs, ys;
    for (int i = 0; i < shown; ++i) {
        const Eigen::Index row = i / out.cols(), col = i % out.cols();
        const double a = out(row, col), b = ref(row, col), d = a - b;
        outputs_->setVerticalHeaderItem(i, new QTableWidgetItem(QStringLiteral("[%1, %2]").arg(row).arg(col)));
        outputs_->setItem(i, 0, cell(floatText(a)));
        outputs_->setItem(i, 1, cell(floatText(b)));
        auto* diff = cell(floatText(d));
        if (!(std::abs(d) <= options.atol + options.rtol * std::abs(b))) {
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
    scatter_->setVisible(true);
    auto* g = scatter_->addGraph();
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    g->setData(xs, ys);
    scatter_->rescaleAxes();
    const double lo = std::min(scatter_->xAxis->range().lower, scatter_->yAxis->range().lower);
    const double hi = std::max(scatter_->xAxis->range().upper, scatter_->yAxis->range().upper);
    auto* diagonal = scatter_->addGraph();
    diagonal->setData({ lo, hi }, { lo, hi });
    diagonal->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    scatter_->xAxis->setRange(lo, hi);
    scatter_->yAxis->setRange(lo, hi);
    scatter_->replot();
}
