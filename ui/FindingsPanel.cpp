#include "FindingsPanel.h"

#include "ShownText.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

FindingsPanel::FindingsPanel(QWidget* parent)
    : QWidget(parent)
    , reference_(new QLineEdit(this))
    , browse_(new QPushButton(tr("Browse…"), this))
    , check_(new QPushButton(tr("Check"), this))
    , summary_(new QLabel(this))
    , table_(new QTableWidget(0, 3, this))
{
    reference_->setPlaceholderText(tr("Reference (optional): the model's own state dict, e.g. its initial weights"));
    reference_->setToolTip(tr("Also hold the checkpoint against this file: missing, unexpected and mis-shaped keys "
                              "as PyTorch's load_state_dict(strict=True) reports them, and tensors never trained"));
    browse_->setToolTip(tr("Choose the reference file"));
    check_->setToolTip(tr("Read every tensor and list what looks wrong"));
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    table_->setHorizontalHeaderLabels({ tr("Finding"), tr("Tensor"), tr("Evidence") });
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSortingEnabled(true);
    table_->setToolTip(tr("Double-click a row to show its tensor"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(reference_, 1);
    controls->addWidget(browse_);
    controls->addWidget(check_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(summary_);
    layout->addWidget(table_, 1);

    connect(browse_, &QPushButton::clicked, this, &FindingsPanel::chooseReference);
    connect(check_, &QPushButton::clicked, this, [this] { check(reference_->text().trimmed()); });
    connect(table_, &QTableWidget::cellDoubleClicked, this,
        [this](int row, int) { emit tensorChosen(table_->item(row, 1)->data(Qt::UserRole).toString()); });
}

void FindingsPanel::setSession(CheckpointSession* session)
{
    if (session_) // a report still coming from the previous checkpoint is not this one's
        disconnect(session_, nullptr, this, nullptr);
    session_ = session;
    table_->setRowCount(0);
    summary_->setText(tr("Check the checkpoint for NaN and infinities, all-zero and constant tensors, copies, values "
                         "float16 cannot hold, BatchNorm variances ≤ 0 and denormal values."));
    if (!session)
        return;
    connect(session, &CheckpointSession::diagnosed, this, &FindingsPanel::showReport);
    connect(session, &CheckpointSession::diagnoseFailed, this, &FindingsPanel::fail);
}

void FindingsPanel::check(const QString& referencePath)
{
    if (!session_)
        return;
    reference_->setText(referencePath);
    summary_->setText(tr("Checking…"));
    table_->setRowCount(0);
    session_->diagnose(referencePath);
}

QString FindingsPanel::summaryText() const
{
    return summary_->text();
}

void FindingsPanel::showReport(std::shared_ptr<const ckpt::DoctorReport> report, const QString& referencePath)
{
    table_->setSortingEnabled(false);
    table_->setRowCount(int(report->findings.size()));
    for (int row = 0; row < table_->rowCount(); ++row) {
        const ckpt::Finding& f = report->findings[std::size_t(row)];
        auto* tensor = new QTableWidgetItem(shownText(f.tensor));
        tensor->setData(Qt::UserRole, QString::fromStdString(f.tensor));
        table_->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(f.kind)));
        table_->setItem(row, 1, tensor);
        table_->setItem(row, 2, new QTableWidgetItem(shownText(f.evidence)));
        table_->item(row, 2)->setToolTip(shownText(f.evidence));
    }
    // The report's order (per tensor in file order) until the user sorts by a column.
    table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    table_->setSortingEnabled(true);
    table_->resizeColumnToContents(0);
    table_->resizeColumnToContents(1);
    table_->setColumnWidth(1, std::min(table_->columnWidth(1), std::max(120, table_->width() / 3)));
    const int found = int(report->findings.size());
    const QString tensors = report->tensorsChecked == 1 ? tr("1 tensor") : tr("%1 tensors").arg(report->tensorsChecked);
    QString text = found == 0 ? tr("Nothing found in %1.").arg(tensors)
        : found == 1          ? tr("1 finding in %1.").arg(tensors)
                              : tr("%1 findings in %2.").arg(found).arg(tensors);
    if (report->againstReference && !report->againstReference->loadErrors.empty()) {
        text += QLatin1Char('\n')
            + tr("Against %1, PyTorch's load_state_dict(strict=True) would fail:").arg(referencePath);
        QString full = text;
        for (const auto& line : report->againstReference->loadErrors) {
            const QString shown = shownText(line);
            full += QStringLiteral("\n    ") + shown;
            // A line can list hundreds of keys: the label keeps its start, the tooltip all of it.
            text += QStringLiteral("\n    ") + (shown.size() > 300 ? shown.left(300) + QChar(0x2026) : shown);
        }
        summary_->setToolTip(full);
    }
    summary_->setText(text);
    emit checked();
}

void FindingsPanel::fail(const QString& message)
{
    summary_->setText(message);
}

void FindingsPanel::chooseReference()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Reference checkpoint"));
    if (!path.isEmpty())
        reference_->setText(path);
}
