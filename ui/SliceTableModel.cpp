#include "SliceTableModel.h"

#include "NumberText.h"
#include "ShownText.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace {
constexpr int kMaxBlocksHeld = 512; // about 100 MiB at worst; the session keeps its own cache
qint64 blockKey(int blockRow, int blockCol)
{
    return (qint64(blockRow) << 32) | qint64(blockCol);
}
} // namespace

SliceTableModel::SliceTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void SliceTableModel::setTensor(CheckpointSession* session, const ckpt::Tensor* tensor, int tensorIndex)
{
    beginResetModel();
    if (session_ != session) {
        if (session_)
            disconnect(session_, nullptr, this, nullptr);
        session_ = session;
        if (session)
            connect(session, &CheckpointSession::sliceBlockReady, this, &SliceTableModel::onBlock);
    }
    tensor_ = session ? tensor : nullptr;
    tensorIndex_ = tensorIndex;
    const int rank = tensor_ ? int(tensor_->info.shape.size()) : 0;
    rowAxis_ = rank >= 1 ? (rank >= 2 ? rank - 2 : 0) : -1;
    colAxis_ = rank >= 2 ? rank - 1 : -1;
    fixed_.assign(std::size_t(rank), 0);
    firstRow_ = firstColumn_ = 0;
    reset();
    endResetModel();
}

void SliceTableModel::setSlice(int rowAxis, int colAxis, std::vector<std::int64_t> fixedIndices)
{
    beginResetModel();
    rowAxis_ = rowAxis;
    colAxis_ = colAxis;
    fixed_ = std::move(fixedIndices);
    firstRow_ = firstColumn_ = 0;
    reset();
    endResetModel();
}

void SliceTableModel::setWindowStart(std::int64_t firstRow, std::int64_t firstColumn)
{
    beginResetModel();
    firstRow_ = std::clamp<std::int64_t>(firstRow, 0, std::max<std::int64_t>(0, totalRows() - 1));
    firstColumn_ = std::clamp<std::int64_t>(firstColumn, 0, std::max<std::int64_t>(0, totalColumns() - 1));
    reset();
    endResetModel();
}

void SliceTableModel::reset()
{
    ++view_;
    blocks_.clear();
    requested_.clear();
}

std::int64_t SliceTableModel::totalRows() const
{
    if (!tensor_)
        return 0;
    return rowAxis_ < 0 ? 1 : tensor_->info.shape[std::size_t(rowAxis_)];
}

std::int64_t SliceTableModel::totalColumns() const
{
    if (!tensor_)
        return 0;
    return colAxis_ < 0 ? 1 : tensor_->info.shape[std::size_t(colAxis_)];
}

int SliceTableModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid())
        return 0;
    return int(std::min(totalRows() - firstRow_, kMaxRows));
}

int SliceTableModel::columnCount(const QModelIndex& parent) const
{
    if (parent.isValid())
        return 0;
    return int(std::min(totalColumns() - firstColumn_, kMaxColumns));
}

const SliceBlock* SliceTableModel::block(int blockRow, int blockCol) const
{
    if (const auto it = blocks_.constFind(blockKey(blockRow, blockCol)); it != blocks_.constEnd())
        return it->get();
    // Ask for the block and, ahead of scrolling, the ones below and to the right.
    request(blockRow, blockCol);
    request(blockRow + 1, blockCol);
    request(blockRow, blockCol + 1);
    return nullptr;
}

void SliceTableModel::request(int blockRow, int blockCol) const
{
    const int row0 = blockRow * kBlock, col0 = blockCol * kBlock;
    if (!session_ || !tensor_ || row0 >= rowCount() || col0 >= columnCount())
        return;
    const qint64 key = blockKey(blockRow, blockCol);
    if (blocks_.contains(key) || requested_.contains(key))
        return;
    requested_.insert(key);
    ckpt::SliceBlockRequest cells;
    cells.rowAxis = rowAxis_;
    cells.colAxis = colAxis_;
    cells.fixed = fixed_;
    cells.firstRow = firstRow_ + row0;
    cells.firstColumn = firstColumn_ + col0;
    cells.rows = std::min(kBlock, rowCount() - row0);
    cells.columns = std::min(kBlock, columnCount() - col0);
    session_->requestSliceBlock(tensorIndex_, view_, blockRow, blockCol, cells);
}

void SliceTableModel::onBlock(const std::shared_ptr<const SliceBlock>& block)
{
    if (block->view != view_ || block->tensor != tensorIndex_)
        return; // for a slice no longer shown
    const qint64 key = blockKey(block->blockRow, block->blockColumn);
    requested_.remove(key);
    if (blocks_.size() >= kMaxBlocksHeld)
        blocks_.clear(); // cells read again come from the session's cache
    blocks_.insert(key, block);
    ++blocksReceived_;
    const int row0 = block->blockRow * kBlock, col0 = block->blockColumn * kBlock;
    const int rows = std::max(1, block->cells.rows), cols = std::max(1, block->cells.columns);
    emit dataChanged(
        index(row0, col0), index(std::min(rowCount(), row0 + rows) - 1, std::min(columnCount(), col0 + cols) - 1));
}

bool SliceTableModel::isLoaded(int row, int column) const
{
    return blocks_.contains(blockKey(row / kBlock, column / kBlock));
}

double SliceTableModel::value(int row, int column) const
{
    if (!tensor_ || row < 0 || column < 0 || row >= rowCount() || column >= columnCount())
        return std::numeric_limits<double>::quiet_NaN();
    const SliceBlock* b = block(row / kBlock, column / kBlock);
    if (!b || !b->error.isEmpty())
        return std::numeric_limits<double>::quiet_NaN();
    return b->cells.values[std::size_t((row % kBlock) * b->cells.columns + column % kBlock)];
}

QVariant SliceTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || !tensor_)
        return {};
    if (role == Qt::TextAlignmentRole)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::EditRole)
        return {};
    const SliceBlock* b = block(index.row() / kBlock, index.column() / kBlock);
    if (!b)
        return role == Qt::DisplayRole ? QStringLiteral("…") : QVariant();
    if (!b->error.isEmpty())
        return role == Qt::DisplayRole ? QStringLiteral("?") : QVariant(b->error);
    const std::size_t at = std::size_t((index.row() % kBlock) * b->cells.columns + index.column() % kBlock);
    const QString exact = QString::fromStdString(b->cells.exact[at]);
    // Floats show 6 significant digits, their exact text in the tooltip; integers every digit.
    if (role == Qt::DisplayRole && ckpt::isFloating(tensor_->info.dtype))
        return floatText(b->cells.values[at]);
    return exact;
}

QVariant SliceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role == Qt::DisplayRole)
        return QString::number((orientation == Qt::Vertical ? firstRow_ : firstColumn_) + section);
    return {};
}
