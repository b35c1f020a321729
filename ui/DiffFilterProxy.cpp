#include "DiffFilterProxy.h"

#include "DiffTableModel.h"
#include "tensor/NameOrder.h"

DiffFilterProxy::DiffFilterProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(DiffTableModel::SortRole);
}

void DiffFilterProxy::setNameFilter(const QString& text)
{
    filter_ = text.trimmed();
    invalidateFilter();
}

void DiffFilterProxy::setDifferencesOnly(bool only)
{
    differencesOnly_ = only;
    invalidateFilter();
}

bool DiffFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex name = sourceModel()->index(sourceRow, DiffTableModel::Name, sourceParent);
    if (differencesOnly_ && !DiffTableModel::differs(ckpt::DiffStatus(name.data(DiffTableModel::StatusRole).toInt())))
        return false;
    return filter_.isEmpty() || name.data().toString().contains(filter_, Qt::CaseInsensitive);
}

bool DiffFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant l = left.data(sortRole()), r = right.data(sortRole());
    if (l.userType() == QMetaType::QString || r.userType() == QMetaType::QString)
        return ckpt::naturalLess(l.toString().toStdString(), r.toString().toStdString());
    return l.toDouble() < r.toDouble();
}
