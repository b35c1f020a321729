#include "AllTensorsPanel.h"

#include "TensorTableModel.h"
#include "TensorTableProxy.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

AllTensorsPanel::AllTensorsPanel(QWidget* parent)
    : QWidget(parent)
    , filter_(new QLineEdit(this))
    , filterError_(new QLabel(this))
    , spectral_(new QCheckBox(tr("Spectral metrics"), this))
    , read_(new QPushButton(tr("Read again"), this))
    , export_(new QPushButton(tr("Export CSV…"), this))
    , summary_(new QLabel(this))
    , view_(new QTableView(this))
    , model_(new TensorTableModel(this))
    , proxy_(new TensorTableProxy(this))
{
    filter_->setPlaceholderText(tr("Filter, e.g.  nan > 0    std < 1e-6 and name ~ \"attn\"    stable_rank < 5"));
    filter_->setClearButtonEnabled(true);
    filter_->setToolTip(tr("Columns compared with numbers (< <= > >= == !=) or text (name ~ \"attn\": contains), "
                           "joined with and, or, not and parentheses; a column's name in filters is in its header's "
                           "tooltip. The same filters as ckpt stats --filter."));
    filterError_->setStyleSheet(QStringLiteral("QLabel { color: #b3261e; }"));
    filterError_->setVisible(false);
    spectral_->setChecked(true);
    spectral_->setToolTip(tr("For matrices (and convolution weights as out × rest): spectral norm, stable rank, "
                             "effective rank and the power-law α of the spectrum, computed after the other "
                             "metrics, batch by batch"));
    read_->setToolTip(tr("Read every tensor again"));
    export_->setToolTip(tr("Save the rows shown, in the order shown, as CSV"));
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    proxy_->setSourceModel(model_);
    view_->setModel(proxy_);
    view_->setSortingEnabled(true);
    view_->sortByColumn(-1, Qt::AscendingOrder); // the file's order until a column is chosen
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view_->verticalHeader()->hide();
    view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 6); // many rows in view
    view_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    view_->setWordWrap(false);
    view_->setToolTip(tr("Double-click a row to show its tensor"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(filter_, 1);
    controls->addWidget(spectral_);
    controls->addWidget(read_);
    controls->addWidget(export_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(filterError_);
    layout->addWidget(summary_);
    layout->addWidget(view_, 1);

    connect(filter_, &QLineEdit::textChanged, this, &AllTensorsPanel::applyFilter);
    connect(read_, &QPushButton::clicked, this, &AllTensorsPanel::compute);
    connect(spectral_, &QCheckBox::toggled, this, [this](bool on) {
        if (!session_)
            return;
        if (!on)
            session_->stopSpectral();
        else if (session_->table())
            compute();
    });
    connect(export_, &QPushButton::clicked, this, &AllTensorsPanel::chooseExportPath);
    auto nameAt = [this](const QModelIndex& index) {
        const ckpt::TensorTableRow* row = model_->rowAt(proxy_->mapToSource(index).row());
        return row ? QString::fromStdString(row->info.name) : QString();
    };
    connect(view_, &QTableView::doubleClicked, this, [this, nameAt](const QModelIndex& index) {
        if (const QString name = nameAt(index); !name.isEmpty())
            emit tensorChosen(name);
    });
    connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this, nameAt](const QModelIndex& current) {
            if (const QString name = nameAt(current); !name.isEmpty())
                emit tensorSelected(name);
        });
    updateSummary();
}

void AllTensorsPanel::setSession(CheckpointSession* session)
{
    if (session_)
        disconnect(session_, nullptr, this, nullptr);
    session_ = session;
    model_->setRows(nullptr);
    state_.clear();
    if (session) {
        connect(session, &CheckpointSession::tableReady, this, [this] { showRows(true); });
        connect(session, &CheckpointSession::tableRowsChanged, this,
            [this](int first, int last) { showRows(false, first, last); });
        connect(session, &CheckpointSession::tableFinished, this, [this] {
            state_.clear();
            updateSummary();
        });
        connect(session, &CheckpointSession::tableFailed, this, [this](const QString& message) {
            state_ = message;
            updateSummary();
        });
        connect(session, &CheckpointSession::tableExported, this, [this](const QString& path, int rows) {
            state_ = rows == 1 ? tr("Saved 1 row to %1.").arg(path) : tr("Saved %1 rows to %2.").arg(rows).arg(path);
            updateSummary();
            emit exported(path);
        });
        connect(session, &CheckpointSession::tableExportFailed, this, [this](const QString& path, const QString& why) {
            state_ = tr("Could not save %1: %2").arg(path, why);
            updateSummary();
        });
        if (isVisible() && session->isOpen())
            compute();
    }
    updateSummary();
}

void AllTensorsPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    // The table is read when first looked at, not with every file opened.
    if (session_ && session_->isOpen() && !session_->table() && !session_->busy(QStringLiteral("table")))
        compute();
}

void AllTensorsPanel::compute()
{
    if (!session_ || !session_->isOpen())
        return;
    state_ = tr("Reading every tensor…");
    updateSummary();
    session_->computeTable(spectral_->isChecked());
}

void AllTensorsPanel::setFilterText(const QString& text)
{
    filter_->setText(text);
}

QString AllTensorsPanel::filterError() const
{
    return filterError_->isHidden() ? QString() : filterError_->text();
}

void AllTensorsPanel::applyFilter()
{
    try {
        auto filter = ckpt::TableFilter::parse(filter_->text().toStdString());
        filterNeedsSpectral_ = filter.needsSpectral();
        proxy_->setFilter(std::move(filter));
        filterError_->setVisible(false);
    } catch (const ckpt::TableFilterError& e) {
        // The table keeps the last filter that made sense while the user types.
        filterError_->setText(QString::fromUtf8(e.what()));
        filterError_->setVisible(true);
    }
    updateSummary();
}

void AllTensorsPanel::showRows(bool reset, int first, int last)
{
    if (!session_)
        return;
    if (reset) {
        model_->setRows(session_->table());
        view_->resizeColumnsToContents();
        view_->setColumnWidth(0, std::min(view_->columnWidth(0), std::max(160, width() / 3)));
        state_ = spectral_->isChecked() ? tr("Computing spectral metrics…") : QString();
    } else {
        model_->updateRows(session_->table(), first, last);
        widenToFit(TensorTableModel::SpectralNorm);
    }
    updateSummary();
    emit tableShown();
}

// Columns sized while their values were still missing (the spectral ones arrive later) grow to
// fit the values shown; a wider width, the user's, stays.
void AllTensorsPanel::widenToFit(int firstColumn)
{
    for (int c = firstColumn; c < TensorTableModel::ColumnCount; ++c) {
        const int before = view_->columnWidth(c);
        view_->resizeColumnToContents(c);
        view_->setColumnWidth(c, std::max(before, view_->columnWidth(c)));
    }
}

void AllTensorsPanel::updateSummary()
{
    QString text;
    const int total = model_->rowCount();
    const int shown = proxy_->rowCount();
    if (!session_ || !session_->isOpen())
        text = tr("Open a checkpoint to see every tensor's metrics.");
    else if (total == 0)
        text = tr("Every tensor's metrics appear here.");
    else if (shown == total)
        text = total == 1 ? tr("1 tensor.") : tr("%1 tensors.").arg(total);
    else
        text = tr("%1 of %2 tensors match the filter.").arg(shown).arg(total);
    if (filterNeedsSpectral_ && !spectral_->isChecked())
        text += QLatin1Char(' ') + tr("The filter names spectral metrics: turn them on to compute them.");
    if (!state_.isEmpty())
        text += QLatin1Char(' ') + state_;
    summary_->setText(text);
    export_->setEnabled(shown > 0);
}

QString AllTensorsPanel::summaryText() const
{
    return summary_->text();
}

void AllTensorsPanel::exportCsv(const QString& path)
{
    if (!session_)
        return;
    std::vector<int> rows;
    for (int r = 0; r < proxy_->rowCount(); ++r)
        rows.push_back(proxy_->mapToSource(proxy_->index(r, 0)).row());
    session_->exportTable(path, rows);
}

void AllTensorsPanel::chooseExportPath()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the table"), QString(), tr("CSV (*.csv)"));
    if (!path.isEmpty())
        exportCsv(path);
}
