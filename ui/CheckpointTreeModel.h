#pragma once

#include "OpenedCheckpoint.h"

#include <QAbstractItemModel>

// The layer hierarchy of a checkpoint (the core's CheckpointTree, not a copy): name, shape,
// dtype, parameter count and size; groups show the totals of what is below them.
class CheckpointTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { Name, Shape, DType, Parameters, Size, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;  // numbers for numeric columns
    static constexpr int PathRole = Qt::UserRole + 2;  // full name of the node ("hidden.weight")

    explicit CheckpointTreeModel(QObject* parent = nullptr);
    void setCheckpoint(OpenedCheckpoint opened);
    const OpenedCheckpoint& opened() const { return opened_; }

    const ckpt::TreeNode* node(const QModelIndex& index) const;
    const ckpt::Tensor* tensor(const QModelIndex& index) const; // null for groups
    QModelIndex indexForPath(const QString& path) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    OpenedCheckpoint opened_;
};
