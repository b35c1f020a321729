#include "CheckpointTreeModel.h"

#include "NumberText.h"
#include "ShownText.h"

#include <QFont>

CheckpointTreeModel::CheckpointTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

void CheckpointTreeModel::setCheckpoint(OpenedCheckpoint opened)
{
    beginResetModel();
    opened_ = std::move(opened);
    checked_.assign(opened_.checkpoint ? opened_.checkpoint->tensors.size() : 0, 0);
    checkedBelow_.clear();
    const bool hadChecks = checkedCount_ > 0;
    checkedCount_ = 0;
    endResetModel();
    if (hadChecks)
        emit checkedChanged(0);
}

Qt::ItemFlags CheckpointTreeModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractItemModel::flags(index);
    if (index.isValid() && index.column() == Name)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

Qt::CheckState CheckpointTreeModel::checkState(const ckpt::TreeNode* n) const
{
    const auto it = checkedBelow_.find(n);
    const std::int64_t below = it == checkedBelow_.end() ? 0 : it->second;
    if (below == 0)
        return Qt::Unchecked;
    return below == n->tensorCount ? Qt::Checked : Qt::PartiallyChecked;
}

bool CheckpointTreeModel::isChecked(int tensorIndex) const
{
    return tensorIndex >= 0 && std::size_t(tensorIndex) < checked_.size() && checked_[std::size_t(tensorIndex)];
}

std::vector<int> CheckpointTreeModel::checkedTensors() const
{
    std::vector<int> out;
    for (std::size_t i = 0; i < checked_.size(); ++i)
        if (checked_[i])
            out.push_back(int(i));
    return out;
}

void CheckpointTreeModel::setSubtreeChecked(const ckpt::TreeNode* n, bool checked)
{
    if (n->isTensor() && bool(checked_[std::size_t(n->tensorIndex)]) != checked) {
        checked_[std::size_t(n->tensorIndex)] = checked;
        checkedCount_ += checked ? 1 : -1;
        for (const ckpt::TreeNode* up = n; up; up = up->parent)
            checkedBelow_[up] += checked ? 1 : -1;
    }
    for (const auto& child : n->children)
        setSubtreeChecked(child.get(), checked);
}

void CheckpointTreeModel::emitSubtreeChanged(const ckpt::TreeNode* n)
{
    if (n->children.empty())
        return;
    emit dataChanged(createIndex(0, Name, n->children.front().get()),
        createIndex(int(n->children.size()) - 1, Name, n->children.back().get()), { Qt::CheckStateRole });
    for (const auto& child : n->children)
        emitSubtreeChanged(child.get());
}

void CheckpointTreeModel::emitCheckChanged(const ckpt::TreeNode* n)
{
    emitSubtreeChanged(n);
    for (const ckpt::TreeNode* up = n; up && up->parent; up = up->parent) {
        const QModelIndex i = createIndex(up->row(), Name, const_cast<ckpt::TreeNode*>(up));
        emit dataChanged(i, i, { Qt::CheckStateRole });
    }
    emit checkedChanged(checkedCount_);
}

bool CheckpointTreeModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::CheckStateRole || !index.isValid() || index.column() != Name)
        return false;
    const auto* n = node(index);
    // A click on a partially checked group checks all of it.
    setSubtreeChecked(n, value.value<Qt::CheckState>() != Qt::Unchecked);
    emitCheckChanged(n);
    return true;
}

bool CheckpointTreeModel::setChecked(const QString& path, bool checked)
{
    if (!opened_.tree)
        return false;
    const auto* n = opened_.tree->find(path.toStdString());
    if (!n || !n->parent)
        return false;
    setSubtreeChecked(n, checked);
    emitCheckChanged(n);
    return true;
}

void CheckpointTreeModel::setAllChecked(bool checked)
{
    if (!opened_.tree)
        return;
    setSubtreeChecked(&opened_.tree->root(), checked);
    emitCheckChanged(&opened_.tree->root());
}

const ckpt::TreeNode* CheckpointTreeModel::node(const QModelIndex& index) const
{
    if (!index.isValid())
        return opened_.tree ? &opened_.tree->root() : nullptr;
    return static_cast<const ckpt::TreeNode*>(index.internalPointer());
}

const ckpt::Tensor* CheckpointTreeModel::tensor(const QModelIndex& index) const
{
    const auto* n = index.isValid() ? node(index) : nullptr;
    return n && n->isTensor() ? &opened_.checkpoint->tensors[std::size_t(n->tensorIndex)] : nullptr;
}

QModelIndex CheckpointTreeModel::indexForPath(const QString& path) const
{
    if (!opened_.tree)
        return {};
    const auto* n = opened_.tree->find(path.toStdString());
    if (!n || !n->parent)
        return {};
    return createIndex(n->row(), 0, const_cast<ckpt::TreeNode*>(n));
}

QModelIndex CheckpointTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    const auto* p = node(parent);
    if (!p || row < 0 || column < 0 || column >= ColumnCount || row >= int(p->children.size()))
        return {};
    return createIndex(row, column, p->children[std::size_t(row)].get());
}

QModelIndex CheckpointTreeModel::parent(const QModelIndex& child) const
{
    const auto* n = child.isValid() ? node(child) : nullptr;
    if (!n || !n->parent || !n->parent->parent)
        return {};
    return createIndex(n->parent->row(), 0, n->parent);
}

int CheckpointTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    const auto* p = node(parent);
    return p ? int(p->children.size()) : 0;
}

int CheckpointTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant CheckpointTreeModel::data(const QModelIndex& index, int role) const
{
    const auto* n = index.isValid() ? node(index) : nullptr;
    if (!n)
        return {};
    const ckpt::Tensor* t = tensor(index);
    if (role == PathRole)
        return QString::fromStdString(n->path);
    if (role == Qt::CheckStateRole && index.column() == Name)
        return checkState(n);
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name:
            return shownText(n->name);
        case Shape:
            return t ? shapeText(t->info.shape) : QString();
        case DType:
            return t ? QString::fromStdString(t->info.dtypeLabel()) : QString();
        case Parameters:
            return groupedCount(n->parameterCount);
        case Size:
            return sizeText(n->nbytes);
        }
    }
    if (role == SortRole) {
        switch (index.column()) {
        case Name:
            return QString::fromStdString(n->name);
        case Shape:
            return t ? QVariant::fromValue<qlonglong>(t->info.shape.size()) : QVariant(-1);
        case DType:
            return t ? QString::fromStdString(t->info.dtypeLabel()) : QString();
        case Parameters:
            return QVariant::fromValue<qlonglong>(n->parameterCount);
        case Size:
            return QVariant::fromValue<qlonglong>(n->nbytes);
        }
    }
    if (role == Qt::TextAlignmentRole && (index.column() == Parameters || index.column() == Size))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return QString(
            shownText(n->path) + (t ? QString(QStringLiteral("\n") + shownText(t->info.location)) : QString()));
    if (role == Qt::FontRole && !t && index.column() != Name) {
        QFont f;
        f.setItalic(true);
        return f;
    }
    return {};
}

QVariant CheckpointTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Shape:
        return tr("Shape");
    case DType:
        return tr("DType");
    case Parameters:
        return tr("Parameters");
    case Size:
        return tr("Size");
    }
    return {};
}
