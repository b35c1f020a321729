#include "TensorTableProxy.h"

#include "TensorTableModel.h"
#include "tensor/NameOrder.h"

#include <cmath>

TensorTableProxy::TensorTableProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(TensorTableModel::SortRole);
}

void TensorTableProxy::setFilter(ckpt::TableFilter filter)
{
    filter_ = std::move(filter);
    invalidateFilter();
}

bool TensorTableProxy::filterAcceptsRow(int sourceRow, const QModelIndex&) const
{
    const auto* model = static_cast<const TensorTableModel*>(sourceModel());
    const ckpt::TensorTableRow* row = model->rowAt(sourceRow);
    return row && filter_.matches(*row);
}

bool TensorTableProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant l = left.data(sortRole()), r = right.data(sortRole());
    if (l.userType() == QMetaType::QString || r.userType() == QMetaType::QString)
        return ckpt::naturalLess(l.toString().toStdString(), r.toString().toStdString());
    const double a = l.toDouble(), b = r.toDouble();
    // Missing values after every number, whichever way the column is sorted.
    if (std::isnan(a) || std::isnan(b)) {
        const bool missingLast = sortOrder() == Qt::AscendingOrder;
        return std::isnan(a) == std::isnan(b) ? false : (std::isnan(b) == missingLast);
    }
    return a < b;
}
