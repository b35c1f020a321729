#include "ArchitectureView.h"

#include "NumberText.h"
#include "ShownText.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {

QString settingsText(const ckpt::Settings& settings, const QString& separator)
{
    QStringList parts;
    for (const auto& [key, value] : settings)
        parts << shownText(key) + QLatin1Char('=') + shownText(value);
    return parts.join(separator);
}

QStringList shownList(const std::vector<std::string>& names)
{
    QStringList out;
    for (const auto& n : names)
        out << shownText(n);
    return out;
}

QTableWidgetItem* cell(const QString& text, const QString& tip = {})
{
    // The full text stays reachable in the tooltip when the column cuts it off.
    auto* item = new QTableWidgetItem(text);
    item->setToolTip(tip.isEmpty() ? text : tip);
    return item;
}

} // namespace

ArchitectureView::ArchitectureView(QWidget* parent)
    : QWidget(parent)
    , summary_(new QLabel(this))
    , table_(new QTableWidget(0, ColumnCount, this))
{
    summary_->setObjectName(QStringLiteral("architectureSummary"));
    summary_->setWordWrap(true);
    summary_->setTextFormat(Qt::PlainText);
    table_->setObjectName(QStringLiteral("architectureTable"));
    table_->setHorizontalHeaderLabels({ tr("#"), tr("Name"), tr("Type"), tr("Settings"), tr("Tensors") });
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->setVisible(false);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setWordWrap(false);
    connect(table_, &QTableWidget::itemSelectionChanged, this, &ArchitectureView::emitChosenTensors);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(summary_);
    layout->addWidget(table_, 1);
    show(nullptr);
}

void ArchitectureView::show(const ckpt::Architecture* architecture)
{
    table_->setRowCount(0);
    table_->setVisible(architecture != nullptr);
    if (!architecture) {
        summary_->setText(tr("This file stores only tensors; no architecture"));
        return;
    }
    QString summary = tr("%1, from the %2")
                          .arg(countOf(qint64(architecture->layers.size()), tr("layer"), tr("layers")),
                              shownText(architecture->source));
    if (!architecture->settings.empty())
        summary += QStringLiteral(" · ") + settingsText(architecture->settings, QStringLiteral(", "));
    summary_->setText(summary);
    for (std::size_t i = 0; i < architecture->layers.size(); ++i)
        addLayer(int(i), architecture->layers[i]);
}

void ArchitectureView::addLayer(int index, const ckpt::ArchitectureLayer& layer)
{
    table_->insertRow(index);
    QString edges;
    if (!layer.inputs.empty() || !layer.outputs.empty())
        edges = tr("%1 → %2").arg(
            shownList(layer.inputs).join(QStringLiteral(", ")), shownList(layer.outputs).join(QStringLiteral(", ")));
    table_->setItem(index, Index, cell(QString::number(index)));
    table_->setItem(index, Name, cell(shownText(layer.name), edges));
    table_->setItem(index, Type, cell(shownText(layer.type)));
    table_->setItem(index, Settings,
        cell(settingsText(layer.settings, QStringLiteral(", ")), settingsText(layer.settings, QStringLiteral("\n"))));
    // The raw names ride along in the item, so selecting the row names exactly these tensors.
    auto* tensors
        = cell(shownList(layer.tensors).join(QStringLiteral(", ")), shownList(layer.tensors).join(QLatin1Char('\n')));
    QStringList raw;
    for (const auto& t : layer.tensors)
        raw << QString::fromStdString(t);
    tensors->setData(Qt::UserRole, raw);
    table_->setItem(index, Tensors, tensors);
}

QString ArchitectureView::summaryText() const
{
    return summary_->text();
}

void ArchitectureView::emitChosenTensors()
{
    const auto rows = table_->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const QStringList names = table_->item(rows.first().row(), Tensors)->data(Qt::UserRole).toStringList();
    if (!names.isEmpty())
        emit tensorsChosen(names);
}
