#include "TimelinePanel.h"

#include "NumberText.h"
#include "RunSession.h"
#include "ShownText.h"
#include "StepMetricFields.h"
#include "TimelineCurves.h"
#include "TimelineDistribution.h"
#include "TimelineHeatmap.h"
#include "TimelineText.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace {
constexpr int kTensorIndexRole = Qt::UserRole + 1; // the row's index into RunTimeline::tensors
}

TimelinePanel::TimelinePanel(QWidget* parent)
    : QWidget(parent)
    , summary_(new QLabel(this))
    , filter_(new QLineEdit(this))
    , tensors_(new QListWidget(this))
    , metric_(new QComboBox(this))
    , order_(new QComboBox(this))
    , log_(new QCheckBox(tr("Log scale"), this))
    , curves_(new TimelineCurves(this))
    , heatmap_(new TimelineHeatmap(this))
    , distribution_(new TimelineDistribution(this))
    , lower_(new QTabWidget(this))
{
    summary_->setWordWrap(true);
    summary_->setTextFormat(Qt::PlainText);
    summary_->setObjectName(QStringLiteral("timelineSummary"));
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(buildTensorPane());
    split->addWidget(buildPlots());
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(summary_);
    layout->addWidget(split, 1);
    connect(curves_, &TimelineCurves::stepClicked, this, &TimelinePanel::chooseStep);
    connect(heatmap_, &TimelineHeatmap::stepClicked, this, &TimelinePanel::chooseStep);
    connect(distribution_, &TimelineDistribution::stepClicked, this, &TimelinePanel::chooseStep);
    setSession(nullptr);
}

QWidget* TimelinePanel::buildTensorPane()
{
    filter_->setPlaceholderText(tr("Filter tensors"));
    filter_->setToolTip(tr("Show only the run's tensors whose name contains this text"));
    filter_->setClearButtonEnabled(true);
    tensors_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    tensors_->setTextElideMode(Qt::ElideMiddle); // layer numbers and the parameter both stay readable
    tensors_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    tensors_->setToolTip(tr("Select tensors (Ctrl or Shift for several) to overlay their curves"));
    connect(filter_, &QLineEdit::textChanged, this, &TimelinePanel::applyFilter);
    connect(tensors_, &QListWidget::itemSelectionChanged, this, &TimelinePanel::redrawCurves);
    auto* pane = new QWidget(this);
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(filter_);
    layout->addWidget(tensors_, 1);
    pane->setMinimumWidth(160);
    return pane;
}

QWidget* TimelinePanel::buildPlots()
{
    for (const StepMetricField& field : stepMetricFields())
        metric_->addItem(stepMetricLabel(field), QString::fromLatin1(field.key));
    metric_->setToolTip(tr("What the curves show, per tensor and step (as in `ckpt timeline --csv`)"));
    log_->setToolTip(tr("A logarithmic value axis; values not above zero are left out"));
    connect(metric_, &QComboBox::currentIndexChanged, this, &TimelinePanel::redrawCurves);
    connect(log_, &QCheckBox::toggled, this, &TimelinePanel::redrawCurves);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Metric:"), this));
    controls->addWidget(metric_);
    controls->addWidget(log_);
    controls->addStretch();
    controls->addWidget(new QLabel(tr("Order:"), this));
    controls->addWidget(buildOrderChoice());
    lower_->addTab(heatmap_, tr("Change by layer"));
    lower_->addTab(distribution_, tr("Distribution over steps"));
    lower_->setTabToolTip(
        0, tr("Every tensor (rows) at every step (columns), coloured by its change from the previous step"));
    lower_->setTabToolTip(
        1, tr("The selected tensor's values at every step, on bins shared by all steps (exact counts)"));
    lower_->setDocumentMode(true);
    connect(lower_, &QTabWidget::currentChanged, this, &TimelinePanel::requestDistribution);
    auto* plots = new QSplitter(Qt::Vertical, this);
    plots->addWidget(curves_);
    plots->addWidget(lower_);
    plots->setChildrenCollapsible(false);
    auto* pane = new QWidget(this);
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(plots, 1);
    return pane;
}

// The ordering rules of `ckpt timeline --order`; choosing one reads the run again.
QComboBox* TimelinePanel::buildOrderChoice()
{
    order_->addItem(tr("automatic"), int(ckpt::StepOrder::Auto));
    order_->addItem(tr("number in the name"), int(ckpt::StepOrder::Name));
    order_->addItem(tr("epoch/step in the file"), int(ckpt::StepOrder::Meta));
    order_->addItem(tr("modification time"), int(ckpt::StepOrder::Mtime));
    order_->setToolTip(tr("How the checkpoints are put in step order; automatic takes the first rule that gives "
                          "every checkpoint its own step (name, then epoch/step, then time)"));
    connect(order_, &QComboBox::activated, this,
        [this](int index) { emit orderChosen(ckpt::StepOrder(order_->itemData(index).toInt())); });
    return order_;
}

void TimelinePanel::setSession(RunSession* session)
{
    if (session_)
        disconnect(session_, nullptr, this, nullptr);
    session_ = session;
    if (session_) {
        connect(
            session_, &RunSession::distributionReady, this, [this](std::shared_ptr<const ckpt::StepDistribution> d) {
                if (d && QString::fromStdString(d->tensor) == distributionWanted_)
                    distribution_->showDistribution(std::move(d));
            });
        connect(session_, &RunSession::distributionFailed, this, [this](const QString& tensor, const QString& why) {
            if (tensor == distributionWanted_)
                distribution_->showMessage(why);
        });
    }
    showOrder(session ? session->requestedOrder() : ckpt::StepOrder::Auto);
    order_->setEnabled(session != nullptr);
    showRun(session ? session->timeline() : nullptr);
}

void TimelinePanel::updateRun(std::shared_ptr<const ckpt::RunTimeline> run)
{
    QStringList chosen;
    for (const QListWidgetItem* item : tensors_->selectedItems())
        chosen << item->text();
    showRun(std::move(run));
    if (chosen.isEmpty())
        return;
    tensors_->clearSelection();
    for (int row = 0; row < tensors_->count(); ++row)
        if (chosen.contains(tensors_->item(row)->text()))
            tensors_->item(row)->setSelected(true);
}

void TimelinePanel::setComparison(const QString& name, std::shared_ptr<const ckpt::RunTimeline> other)
{
    comparisonName_ = name;
    comparison_ = std::move(other);
    curves_->setComparison(comparison_);
    if (run_) {
        summary_->setText(timelineSummary(*run_) + comparisonText());
        redrawCurves();
    }
}

QString TimelinePanel::comparisonText() const
{
    if (!comparison_)
        return {};
    return QStringLiteral("  ·  ")
        + tr("compared with B: %1 (%2, dashed)")
              .arg(comparisonName_,
                  countOf(qint64(comparison_->plan.members.size()), tr("checkpoint"), tr("checkpoints")));
}

void TimelinePanel::showOrder(ckpt::StepOrder order)
{
    order_->setCurrentIndex(order_->findData(int(order))); // `activated` is for the user's choices only
}

void TimelinePanel::showMessage(const QString& message)
{
    summary_->setText(message);
    summary_->setToolTip(QString());
}

void TimelinePanel::showRun(std::shared_ptr<const ckpt::RunTimeline> run)
{
    run_ = std::move(run);
    const QSignalBlocker quiet(tensors_); // one redraw below, not one per row
    tensors_->clear();
    for (std::size_t t = 0; run_ && t < run_->tensors.size(); ++t) {
        auto* item = new QListWidgetItem(shownText(run_->tensors[t].name), tensors_);
        item->setData(kTensorIndexRole, int(t));
        item->setToolTip(item->text()); // whole, when the list is too narrow for it
    }
    applyFilter(filter_->text());
    curves_->setRun(run_);
    heatmap_->setRun(run_);
    distribution_->setRun(run_);
    distributionWanted_.clear();
    if (run_) {
        summary_->setText(timelineSummary(*run_) + comparisonText());
        summary_->setToolTip(timelineDetails(*run_));
        if (tensors_->count() > 0)
            tensors_->setCurrentRow(0); // a first look shows a real curve
    } else {
        showMessage(tr("Open a training run (a folder of checkpoints, or several files) with File ▸ Open run…"));
    }
    redrawCurves();
}

void TimelinePanel::applyFilter(const QString& text)
{
    for (int row = 0; row < tensors_->count(); ++row) {
        QListWidgetItem* item = tensors_->item(row);
        item->setHidden(!item->text().contains(text, Qt::CaseInsensitive));
    }
}

std::vector<int> TimelinePanel::selectedTensors() const
{
    std::vector<int> chosen;
    for (int row = 0; row < tensors_->count(); ++row) // in list order, not in the order of clicks
        if (tensors_->item(row)->isSelected() && !tensors_->item(row)->isHidden())
            chosen.push_back(tensors_->item(row)->data(kTensorIndexRole).toInt());
    return chosen;
}

void TimelinePanel::redrawCurves()
{
    curves_->showCurves(selectedTensors(), metric_->currentIndex(), log_->isChecked());
    requestDistribution();
}

void TimelinePanel::requestDistribution()
{
    if (!run_ || !session_ || lower_->currentWidget() != distribution_)
        return;
    const std::vector<int> chosen = selectedTensors();
    if (chosen.empty()) {
        distributionWanted_.clear();
        session_->cancelDistribution();
        return distribution_->setRun(run_);
    }
    const QString name = QString::fromStdString(run_->tensors[std::size_t(chosen.front())].name);
    if (name == distributionWanted_)
        return; // shown, or being read
    distributionWanted_ = name;
    distribution_->showMessage(tr("Reading %1 at every step…").arg(shownText(name.toStdString())));
    session_->computeDistribution(name);
}

void TimelinePanel::chooseStep(int step)
{
    if (run_ && step >= 0 && std::size_t(step) < run_->plan.members.size())
        emit checkpointChosen(QString::fromStdString(run_->plan.members[std::size_t(step)].path));
}
