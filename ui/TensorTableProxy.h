#pragma once

#include "report/TableFilter.h"

#include <QSortFilterProxyModel>

// The tensor table as the user filters and sorts it: the filter is the core's TableFilter (the
// same expressions as `ckpt stats --filter`); numbers sort as numbers with missing values last,
// names naturally ("layers.2" before "layers.10").
class TensorTableProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TensorTableProxy(QObject* parent = nullptr);
    void setFilter(ckpt::TableFilter filter);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    ckpt::TableFilter filter_;
};
