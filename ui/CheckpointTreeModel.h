#pragma once

#include "OpenedCheckpoint.h"

#include <QAbstractItemModel>

#include <unordered_map>
#include <vector>

// The layer hierarchy of a checkpoint (the core's CheckpointTree, not a copy): name, shape,
// dtype, parameter count and size; groups show the totals of what is below them. Column 0 has
// check boxes (the tensors to export): checking a group checks everything below it, and a
// group is partially checked when only some of its tensors are.
class CheckpointTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { Name, Shape, DType, Parameters, Size, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1; // numbers for numeric columns
    static constexpr int PathRole = Qt::UserRole + 2; // full name of the node ("hidden.weight")

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
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

    // Check states, keyed by tensor (Checkpoint::tensors index).
    bool setChecked(const QString& path, bool checked); // a tensor or a group; false if no such node
    void setAllChecked(bool checked);
    bool isChecked(int tensorIndex) const;
    std::vector<int> checkedTensors() const; // in file order
    int checkedCount() const { return checkedCount_; }

signals:
    void checkedChanged(int checkedCount);

private:
    Qt::CheckState checkState(const ckpt::TreeNode* node) const;
    void setSubtreeChecked(const ckpt::TreeNode* node, bool checked);
    void emitCheckChanged(const ckpt::TreeNode* node);
    void emitSubtreeChanged(const ckpt::TreeNode* node);

    OpenedCheckpoint opened_;
    std::vector<char> checked_; // per tensor
    std::unordered_map<const ckpt::TreeNode*, std::int64_t> checkedBelow_; // checked tensors at or below a node
    int checkedCount_ = 0;
};
