#pragma once

#include <QSortFilterProxyModel>

// Filters the layer tree by name (a substring of the full name, case-insensitive), keeping the
// parents of matches, and sorts numeric parts naturally ("layers.2" before "layers.10").
class TreeFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TreeFilterProxy(QObject* parent = nullptr);
    void setNameFilter(const QString& text);
    const QString& nameFilter() const { return filter_; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QString filter_;
};
