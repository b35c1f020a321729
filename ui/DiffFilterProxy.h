#pragma once

#include <QSortFilterProxyModel>

// Filters the diff table by name (substring, case-insensitive) and optionally to the rows that
// differ; sorts numbers as numbers and names naturally ("layers.2" before "layers.10").
class DiffFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit DiffFilterProxy(QObject* parent = nullptr);
    void setNameFilter(const QString& text);
    void setDifferencesOnly(bool only);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QString filter_;
    bool differencesOnly_ = false;
};
