#include "DiffPanel.h"

#include "DiffFilterProxy.h"
#include "DiffTableModel.h"
#include "NumberText.h"
#include "OverlayPlot.h"
#include "ShownText.h"
#include "ThemedPlot.h"
#include "ToleranceEdit.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <map>

namespace {
constexpr int kBins = 100;
} // namespace

DiffPanel::DiffPanel(QWidget* parent)
    : QWidget(parent)
    , files_(new QLabel(this))
    , prefixA_(new QLineEdit(this))
    , prefixB_(new QLineEdit(this))
    , rtol_(new ToleranceEdit(ckpt::DiffOptions {}.rtol, this))
    , atol_(new ToleranceEdit(ckpt::DiffOptions {}.atol, this))
    , compareButton_(new QPushButton(tr("Compare"), this))
    , progress_(new QProgressBar(this))
    , cancel_(new QPushButton(tr("Cancel"), this))
    , filter_(new QLineEdit(this))
    , differencesOnly_(new QCheckBox(tr("Differences only"), this))
    , summary_(new QLabel(this))
    , model_(new DiffTableModel(this))
    , proxy_(new DiffFilterProxy(this))
    , table_(new QTableView(this))
    , overlay_(new OverlayPlot(this, OverlayPlot::Controls::Hidden))
    , differenceHint_(new QLabel(this))
    , differencePlot_(new ThemedPlot(this))
    , differenceBars_(new QCPBars(differencePlot_->xAxis, differencePlot_->yAxis))
{
    // The two plots side by side under the table, so that each gets half the height, not a third.
    auto* plots = new QSplitter(Qt::Horizontal, this);
    plots->addWidget(overlay_);
    plots->addWidget(buildDifferencePlot());
    plots->setChildrenCollapsible(false);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(buildTable());
    splitter->addWidget(plots);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({ 400, 600 }); // the plots get the larger share, whatever the table asks for
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buildFileRow());
    layout->addLayout(buildOptionRow());
    layout->addWidget(splitter, 1);
    setSession(nullptr);
}

QLayout* DiffPanel::buildFileRow()
{
    auto* browse = new QPushButton(tr("Compare with…"), this);
    browse->setToolTip(tr("Choose the checkpoint B to compare the open one (A) with"));
    connect(browse, &QPushButton::clicked, this, &DiffPanel::browse);
    files_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    files_->setWordWrap(true);
    auto* row = new QHBoxLayout;
    row->addWidget(files_, 1);
    row->addWidget(browse);
    return row;
}

QLayout* DiffPanel::buildOptionRow()
{
    prefixA_->setPlaceholderText(tr("prefix in A"));
    prefixB_->setPlaceholderText(tr("prefix in B"));
    prefixA_->setToolTip(tr("Compare only A's tensors under this prefix, with the prefix removed"));
    prefixB_->setToolTip(tr("Compare only B's tensors under this prefix, with the prefix removed"));
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(220);
    progress_->setVisible(false);
    cancel_->setVisible(false);
    auto* row = new QHBoxLayout;
    for (auto [label, field] : { std::pair { tr("Prefix A:"), prefixA_ }, std::pair { tr("Prefix B:"), prefixB_ },
             std::pair<QString, QLineEdit*> { tr("rtol:"), rtol_ },
             std::pair<QString, QLineEdit*> { tr("atol:"), atol_ } }) {
        row->addWidget(new QLabel(label, this));
        row->addWidget(field, field == prefixA_ || field == prefixB_ ? 1 : 0);
        connect(field, &QLineEdit::returnPressed, this, &DiffPanel::rerun);
    }
    row->addWidget(compareButton_);
    row->addWidget(progress_);
    row->addWidget(cancel_);
    connect(compareButton_, &QPushButton::clicked, this, &DiffPanel::rerun);
    connect(cancel_, &QPushButton::clicked, this, &DiffPanel::cancel);
    return row;
}

QWidget* DiffPanel::buildTable()
{
    filter_->setPlaceholderText(tr("Filter by name"));
    filter_->setClearButtonEnabled(true);
    summary_->setWordWrap(true);
    proxy_->setSourceModel(model_);
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(-1, Qt::AscendingOrder); // the report's order until the user sorts
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // The stretched name columns never shrink below their own headers.
    table_->horizontalHeader()->setMinimumSectionSize(
        table_->fontMetrics().horizontalAdvance(model_->headerData(DiffTableModel::NameB, Qt::Horizontal).toString())
        + 24);
    table_->horizontalHeader()->setSectionResizeMode(DiffTableModel::Name, QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(DiffTableModel::NameB, QHeaderView::Stretch);
    table_->setWordWrap(false);
    filter_->setToolTip(tr("Show only tensors whose name contains this text"));
    differencesOnly_->setToolTip(tr("Hide the tensors that are equal within the tolerances"));
    compareButton_->setToolTip(tr("Compare A and B again with these prefixes and tolerances"));
    cancel_->setToolTip(tr("Stop the comparison"));
    connect(filter_, &QLineEdit::textChanged, proxy_, &DiffFilterProxy::setNameFilter);
    connect(differencesOnly_, &QCheckBox::toggled, proxy_, &DiffFilterProxy::setDifferencesOnly);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &DiffPanel::onCurrentRowChanged);
    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(filter_, 1);
    filterRow->addWidget(differencesOnly_);
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filterRow);
    layout->addWidget(table_, 1);
    layout->addWidget(summary_);
    return box;
}

QWidget* DiffPanel::buildDifferencePlot()
{
    differenceBars_->setWidthType(QCPBars::wtPlotCoords);
    differenceBars_->setPen(Qt::NoPen);
    differenceBars_->setBrush(QColor(203, 75, 22));
    differencePlot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    differencePlot_->axisRect()->setRangeZoom(Qt::Horizontal);
    differencePlot_->axisRect()->setRangeDrag(Qt::Horizontal);
    differencePlot_->xAxis->setLabel(tr("B − A"));
    differencePlot_->yAxis->setLabel(tr("count"));
    differencePlot_->setMinimumHeight(120);
    overlay_->plot()->setMinimumHeight(120);
    differenceHint_->setWordWrap(true);
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(differenceHint_);
    layout->addWidget(differencePlot_, 1);
    return box;
}

DiffPanel::~DiffPanel()
{
    cancel();
}

void DiffPanel::setSession(CheckpointSession* session)
{
    if (session_) {
        disconnect(session_, nullptr, this, nullptr);
        disconnect(session_->jobs(), nullptr, this, nullptr);
    }
    session_ = session;
    bOpen_ = false;
    if (session) {
        connect(session, &CheckpointSession::compared, this, &DiffPanel::onCompared);
        connect(session, &CheckpointSession::compareFailed, this, &DiffPanel::onCompareFailed);
        connect(session, &CheckpointSession::compareCancelled, this, [this] { setBusy(QString(), false); });
        connect(session, &CheckpointSession::pairHistogramsReady, this, &DiffPanel::showHistograms);
        connect(session, &CheckpointSession::pairHistogramsFailed, this,
            [this](const QString& name, const QString& message) {
                if (name == wanted_)
                    overlay_->clear(message);
            });
        connect(session->jobs(), &JobTracker::progress, this, [this](const QString&, double fraction) {
            if (busy() && fraction >= 0)
                progress_->setValue(int(fraction * 1000));
        });
        nameA_ = session->openedCheckpoint().displayName;
    }
    // A new A starts without a B: comparing it with the last file's B unasked would be a
    // surprise (the browse dialog still starts beside that B).
    model_->clear();
    files_->setText(session_ ? tr("<b>A:</b> %1 &nbsp; <b>B:</b> not chosen yet").arg(nameA_.toHtmlEscaped())
                             : tr("Open a checkpoint first."));
    summary_->setText(
        session_ ? tr("Compare the open checkpoint with another: File ▸ Compare with… (Ctrl+Shift+O).") : QString());
    compareButton_->setEnabled(false);
    clearPlots(tr("Select a row to overlay A's and B's distributions."));
}

void DiffPanel::compareWith(const QString& pathB)
{
    if (!session_) {
        emit failed(tr("Open a checkpoint before comparing it with another."));
        return;
    }
    start(pathB, /*reopen=*/true);
}

void DiffPanel::rerun()
{
    if (session_ && !pathB_.isEmpty())
        start(pathB_, /*reopen=*/!bOpen_);
}

bool DiffPanel::busy() const
{
    return session_ && session_->busy(QStringLiteral("compare"));
}

void DiffPanel::cancel()
{
    if (session_)
        session_->cancel(QStringLiteral("compare"));
    setBusy(QString(), false);
}

void DiffPanel::setPrefixes(const QString& prefixA, const QString& prefixB)
{
    prefixA_->setText(prefixA);
    prefixB_->setText(prefixB);
}

void DiffPanel::setTolerances(double rtol, double atol)
{
    rtol_->setValue(rtol);
    atol_->setValue(atol);
}

void DiffPanel::setNameFilter(const QString& text)
{
    filter_->setText(text);
}
void DiffPanel::setDifferencesOnly(bool only)
{
    differencesOnly_->setChecked(only);
}
QString DiffPanel::summaryText() const
{
    return summary_->text();
}

bool DiffPanel::selectName(const QString& name)
{
    const int row = model_->rowOf(name);
    const QModelIndex index = row < 0 ? QModelIndex() : proxy_->mapFromSource(model_->index(row, 0));
    if (!index.isValid())
        return false;
    table_->scrollTo(index);
    table_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    return true;
}

void DiffPanel::browse()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Compare with"), pathB_);
    if (!path.isEmpty())
        compareWith(path);
}

ckpt::DiffOptions DiffPanel::options(QString* error) const
{
    ckpt::DiffOptions o;
    o.prefixA = prefixA_->text().toStdString();
    o.prefixB = prefixB_->text().toStdString();
    o.rtol = rtol_->value().value_or(o.rtol);
    o.atol = atol_->value().value_or(o.atol);
    for (const auto& problem : { rtol_->problem(QStringLiteral("rtol")), atol_->problem(QStringLiteral("atol")) })
        if (!problem.isEmpty())
            *error = problem;
    return o;
}

void DiffPanel::setBusy(const QString& what, bool busy)
{
    progress_->setVisible(busy);
    cancel_->setVisible(busy);
    compareButton_->setEnabled(!busy && session_ && !pathB_.isEmpty());
    if (busy) {
        progress_->setValue(0);
        progress_->setFormat(what + QStringLiteral(" %p%"));
    }
}

void DiffPanel::start(const QString& pathB, bool reopen)
{
    QString error;
    ckpt::DiffOptions o = options(&error);
    if (!error.isEmpty()) {
        emit failed(error);
        return;
    }
    pathB_ = pathB;
    if (reopen)
        bOpen_ = false; // until this B is open: a rerun after a cancel opens it again
    usedOptions_ = o;
    files_->setText(tr("<b>A:</b> %1 &nbsp; <b>B:</b> %2").arg(nameA_.toHtmlEscaped(), pathB.toHtmlEscaped()));
    setBusy(reopen ? tr("Opening B…") : tr("Comparing…"), true);
    session_->compare(pathB, o, reopen);
}

void DiffPanel::onCompareFailed(const QString& message)
{
    setBusy(QString(), false);
    // What was shown belonged to another B: start again from A alone.
    bOpen_ = false;
    pathB_.clear();
    setSession(session_);
    summary_->setText(message.toHtmlEscaped());
    emit failed(message);
}

void DiffPanel::onCompared(const ckpt::DiffReport& report)
{
    setBusy(QString(), false);
    bOpen_ = true;
    const QString previous = plotted_;
    model_->setReport(session_->checkpoint(), session_->checkpointB(), report);
    std::map<ckpt::DiffStatus, int> counts;
    for (const auto& d : report.tensors)
        ++counts[d.status];
    QStringList parts;
    for (const auto& [status, count] : counts)
        parts << QStringLiteral("%1 %2").arg(count).arg(QString::fromLatin1(ckpt::diffStatusName(status).data()));
    const ckpt::DiffOptions& o = usedOptions_;
    summary_->setText((report.allEqual() ? tr("<b>Equal.</b> ") : tr("<b>Different.</b> "))
        + parts.join(QStringLiteral(" · "))
        + tr(" &nbsp; (rtol %1, atol %2)").arg(ToleranceEdit::textOf(o.rtol), ToleranceEdit::textOf(o.atol)));
    clearPlots(tr("Select a row to overlay A's and B's distributions."));
    // Keep looking at the same tensor after a recompare; otherwise start on the first difference.
    if (previous.isEmpty() || !selectName(previous)) {
        for (const auto& d : report.tensors)
            if (DiffTableModel::differs(d.status) && selectName(QString::fromStdString(d.name)))
                break;
    }
    emit compared();
}

void DiffPanel::clearPlots(const QString& message)
{
    if (session_)
        session_->cancel(QStringLiteral("histograms"));
    wanted_.clear();
    plotted_.clear();
    overlay_->clear(message);
    differenceBars_->data()->clear();
    showDifferenceAxes(false);
    differenceHint_->setText(tr("Histogram of B − A, element by element."));
    differencePlot_->replot();
}

// Axes are shown only with bars on them, so that no stale or made-up range is left on screen.
void DiffPanel::showDifferenceAxes(bool shown)
{
    for (QCPAxis* axis : { differencePlot_->xAxis, differencePlot_->yAxis })
        axis->setVisible(shown);
}

void DiffPanel::onCurrentRowChanged()
{
    const QModelIndex current = proxy_->mapToSource(table_->currentIndex());
    const ckpt::TensorDiff* d = current.isValid() ? model_->diff(current.row()) : nullptr;
    if (!d) {
        clearPlots(tr("Select a row to overlay A's and B's distributions."));
        return;
    }
    const QString name = shownText(d->name);
    clearPlots(tr("Computing the histograms of %1…").arg(name));
    wanted_ = name;
    session_->requestPairHistograms(*d, kBins, model_->checkpointA(), model_->checkpointB());
}

void DiffPanel::showHistograms(const QString& name, const ckpt::PairHistograms& h)
{
    if (name != wanted_)
        return;
    overlay_->clear(QString());
    // Each side under its own name: a Keras kernel paired with "hidden.weight" is named as in B.
    const int row = model_->rowOf(name);
    const ckpt::TensorDiff* d = row >= 0 ? model_->diff(row) : nullptr;
    const QString nameB = d && d->b ? shownText(d->b->info.name) : name;
    if (!h.a.counts.empty())
        overlay_->addDensity(tr("A: %1").arg(name), h.a);
    if (!h.b.counts.empty())
        overlay_->addDensity(tr("B: %1").arg(nameB), h.b);
    overlay_->plot()->xAxis->setLabel(tr("value (bins shared by A and B)"));
    overlay_->plot()->replot();
    differenceBars_->data()->clear();
    showDifferenceAxes(false);
    const auto& e = h.difference.edges;
    if (h.difference.counts.empty()) {
        differenceHint_->setText(
            tr("No element-wise difference: %1 is not in both files with the same number of elements.").arg(name));
    } else if (h.differenceMin == h.differenceMax) { // one value: a bar would need a range made up for it
        differenceHint_->setText(tr("B − A is %1 for every element of %2.").arg(floatText(h.differenceMin), name));
    } else {
        showDifferenceAxes(true);
        const double width = (e.back() - e.front()) / double(h.difference.counts.size());
        differenceBars_->setWidth(width);
        QVector<double> keys, values;
        for (std::size_t i = 0; i < h.difference.counts.size(); ++i) {
            keys << (e[i] + e[i + 1]) / 2;
            values << double(h.difference.counts[i]);
        }
        differenceBars_->setData(keys, values, true);
        differenceHint_->setText(
            tr("Histogram of B − A for %1: from %2 to %3.").arg(name, floatText(e.front()), floatText(e.back())));
        differencePlot_->rescaleAxes();
        differencePlot_->yAxis->setRangeLower(0);
        differencePlot_->xAxis->scaleRange(1.05);
    }
    differencePlot_->replot();
    plotted_ = name;
    emit histogramsShown(name);
}
