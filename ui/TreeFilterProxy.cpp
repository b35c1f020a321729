#include "TreeFilterProxy.h"

#include "CheckpointTreeModel.h"
#include "tensor/NameOrder.h"

TreeFilterProxy::TreeFilterProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setSortRole(CheckpointTreeModel::SortRole);
}

void TreeFilterProxy::setNameFilter(const QString& text)
{
    filter_ = text.trimmed();
    invalidateFilter();
}

bool TreeFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (filter_.isEmpty())
        return true;
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    return i.data(CheckpointTreeModel::PathRole).toString().contains(filter_, Qt::CaseInsensitive);
}

bool TreeFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant l = left.data(sortRole()), r = right.data(sortRole());
    if (l.userType() == QMetaType::QString || r.userType() == QMetaType::QString)
        return ckpt::naturalLess(l.toString().toStdString(), r.toString().toStdString());
    return l.toLongLong() < r.toLongLong();
}
