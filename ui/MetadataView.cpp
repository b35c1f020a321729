#include "MetadataView.h"

#include "ShownText.h"
#include "report/MetadataForDisplay.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QMenu>

namespace {

constexpr int kPointerRole = Qt::UserRole + 1; // the JSON pointer of an item's value
constexpr int kMaxCellChars = 2000;

QString scalarText(const nlohmann::ordered_json& value)
{
    return value.is_string() ? shownText(value.get<std::string>()) : shownText(value.dump());
}

// The JSON pointer of `key` under `parent` ("" for the root), with / and ~ escaped.
QString childPointer(const QString& parent, const std::string& key)
{
    return parent + QString::fromStdString((nlohmann::json::json_pointer() / key).to_string());
}

QString summary(const nlohmann::ordered_json& value)
{
    const int n = int(value.size());
    if (value.is_object())
        return n == 1 ? QObject::tr("{1 key}") : QObject::tr("{%1 keys}").arg(n);
    return n == 1 ? QObject::tr("[1 item]") : QObject::tr("[%1 items]").arg(n);
}

} // namespace

MetadataView::MetadataView(QWidget* parent)
    : QTreeWidget(parent)
{
    setColumnCount(2);
    setHeaderLabels({ tr("Key"), tr("Value") });
    header()->setStretchLastSection(true);
    header()->setSectionResizeMode(0, QHeaderView::Interactive);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setUniformRowHeights(true);
    setWordWrap(false);
    setTextElideMode(Qt::ElideMiddle);
    auto* copy = new QAction(tr("Copy"), this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    addAction(copy);
    connect(copy, &QAction::triggered, this, &MetadataView::copySelection);
    setContextMenuPolicy(Qt::CustomContextMenu);
    connect(this, &QWidget::customContextMenuRequested, this, &MetadataView::showMenu);
}

void MetadataView::show(const ckpt::Checkpoint* c, const QString& groupPrefix)
{
    clear();
    shown_ = c ? ckpt::metadataForDisplay(*c, groupPrefix.toStdString()) : nlohmann::ordered_json::object();
    for (const auto& [key, value] : shown_.items()) {
        auto* item = new QTreeWidgetItem(this, { shownText(key) });
        item->setData(0, kPointerRole, childPointer(QString(), key));
        addValue(item, value, 0);
    }
    resizeColumnToContents(0);
    setColumnWidth(0, std::min(columnWidth(0), 360));
    if (topLevelItemCount() <= 3)
        expandToDepth(0);
}

void MetadataView::addValue(QTreeWidgetItem* item, const nlohmann::ordered_json& value, int depth)
{
    if (!value.is_structured()) {
        const QString text = scalarText(value);
        item->setText(1, text.left(kMaxCellChars) + (text.size() > kMaxCellChars ? QStringLiteral("…") : QString()));
        item->setToolTip(1, text.left(20000));
        return;
    }
    item->setText(1, summary(value));
    if (depth >= kMaxDepth) {
        item->setText(1, summary(value) + tr(" (nested too deeply to unfold; Copy as JSON shows it)"));
        return;
    }
    const QString pointer = item->data(0, kPointerRole).toString();
    int shown = 0;
    for (const auto& [key, child] : value.items()) {
        if (shown++ == kMaxChildren) {
            new QTreeWidgetItem(
                item, { QStringLiteral("…"), tr("%n more", nullptr, int(value.size()) - kMaxChildren) });
            break;
        }
        auto* childItem = new QTreeWidgetItem(
            item, { value.is_array() ? QStringLiteral("[%1]").arg(QString::fromStdString(key)) : shownText(key) });
        childItem->setData(0, kPointerRole, childPointer(pointer, key));
        addValue(childItem, child, depth + 1);
    }
}

QString MetadataView::text(int row, int column) const
{
    const auto* item = topLevelItem(row);
    return item ? item->text(column) : QString();
}

QString MetadataView::jsonOf(const QTreeWidgetItem* item) const
{
    const std::string pointer = item->data(0, kPointerRole).toString().toStdString();
    if (pointer.empty())
        return {};
    const nlohmann::ordered_json::json_pointer at(pointer);
    if (!shown_.contains(at))
        return {};
    const auto& value = shown_.at(at);
    return value.is_string()
        ? QString::fromStdString(value.get<std::string>())
        : QString::fromStdString(value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

void MetadataView::copySelection() const
{
    QStringList lines;
    for (const auto* item : selectedItems())
        lines << item->text(0) + QStringLiteral(": ") + jsonOf(item);
    if (!lines.isEmpty())
        QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')));
}

void MetadataView::showMenu(const QPoint& position)
{
    const auto* item = itemAt(position);
    if (!item)
        return;
    QMenu menu;
    menu.addAction(tr("Copy value"), this, [this, item] { QApplication::clipboard()->setText(jsonOf(item)); });
    menu.addAction(tr("Copy key"), this, [item] { QApplication::clipboard()->setText(item->text(0)); });
    menu.exec(viewport()->mapToGlobal(position));
}
