#include "MetadataView.h"

#include "ShownText.h"
#include <QHeaderView>

MetadataView::MetadataView(QWidget* parent)
    : QTableWidget(0, 2, parent)
{
    setHorizontalHeaderLabels({ tr("Key"), tr("Value") });
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    verticalHeader()->setVisible(false);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setWordWrap(false);
}

void MetadataView::show(const ckpt::Checkpoint* c, const QString& groupPrefix)
{
    setRowCount(0);
    if (!c)
        return;
    const std::string prefix = groupPrefix.toStdString();
    for (const auto& [key, value] : c->metadata.items()) {
        if (!prefix.empty() && key.rfind(prefix, 0) != 0)
            continue;
        const int row = rowCount();
        insertRow(row);
        setItem(row, 0, new QTableWidgetItem(shownText(key)));
        QString text = value.is_string() ? shownText(value.get<std::string>()) : shownText(value.dump());
        auto* item = new QTableWidgetItem(text.left(2000));
        item->setToolTip(text.left(20000));
        setItem(row, 1, item);
    }
}
