#include "SliceTableModel.h"

#include "NumberText.h"
#include "ShownText.h"
#include "numerics/Convert.h"

#include <algorithm>
#include <cmath>
#include <limits>

SliceTableModel::SliceTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void SliceTableModel::setTensor(const ckpt::Tensor* tensor)
{
    beginResetModel();
    tensor_ = tensor;
    blocks_.clear();
    const int rank = tensor ? int(tensor->info.shape.size()) : 0;
    rowAxis_ = rank >= 1 ? (rank >= 2 ? rank - 2 : 0) : -1;
    colAxis_ = rank >= 2 ? rank - 1 : -1;
    fixed_.assign(std::size_t(rank), 0);
    firstRow_ = firstColumn_ = 0;
    endResetModel();
}

void SliceTableModel::setSlice(int rowAxis, int colAxis, std::vector<std::int64_t> fixedIndices)
{
    beginResetModel();
    rowAxis_ = rowAxis;
    colAxis_ = colAxis;
    fixed_ = std::move(fixedIndices);
    firstRow_ = firstColumn_ = 0;
    blocks_.clear();
    endResetModel();
}

void SliceTableModel::setWindowStart(std::int64_t firstRow, std::int64_t firstColumn)
{
    beginResetModel();
    firstRow_ = std::clamp<std::int64_t>(firstRow, 0, std::max<std::int64_t>(0, totalRows() - 1));
    firstColumn_ = std::clamp<std::int64_t>(firstColumn, 0, std::max<std::int64_t>(0, totalColumns() - 1));
    blocks_.clear();
    endResetModel();
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

const SliceTableModel::Block* SliceTableModel::block(int blockRow, int blockCol) const
{
    const qint64 key = (qint64(blockRow) << 32) | qint64(blockCol);
    if (auto* b = blocks_.object(key))
        return b;
    auto b = std::make_unique<Block>();
    const int row0 = blockRow * kBlock, col0 = blockCol * kBlock;
    b->rows = std::min(kBlock, rowCount() - row0);
    b->cols = std::min(kBlock, columnCount() - col0);
    const std::size_t rank = tensor_->info.shape.size();
    std::vector<std::int64_t> start(rank), count(rank, 1);
    for (std::size_t a = 0; a < rank; ++a)
        start[a] = fixed_[a];
    if (rowAxis_ >= 0) {
        start[std::size_t(rowAxis_)] = firstRow_ + row0;
        count[std::size_t(rowAxis_)] = b->rows;
    }
    if (colAxis_ >= 0) {
        start[std::size_t(colAxis_)] = firstColumn_ + col0;
        count[std::size_t(colAxis_)] = b->cols;
    }
    const std::int64_t n = std::int64_t(b->rows) * b->cols;
    b->values.assign(std::size_t(n), std::numeric_limits<double>::quiet_NaN());
    try {
        std::vector<std::byte> raw(std::size_t(n) * ckpt::dtypeSize(tensor_->info.dtype));
        tensor_->data->readBox(start, count, raw.data());
        std::vector<double> boxValues(static_cast<std::size_t>(n), 0.0);
        ckpt::convertToDouble(tensor_->info.dtype, raw.data(), n, boxValues.data());
        // The box comes in axis order; the table wants (row, col) with row the row axis.
        const bool transposed = rowAxis_ >= 0 && colAxis_ >= 0 && rowAxis_ > colAxis_;
        for (int r = 0; r < b->rows; ++r)
            for (int c = 0; c < b->cols; ++c)
                b->values[std::size_t(r * b->cols + c)]
                    = boxValues[std::size_t(transposed ? c * b->rows + r : r * b->cols + c)];
    } catch (const std::exception& e) {
        b->error = shownText(e.what());
    }
    ++blocksRead_;
    auto* raw = b.release();
    blocks_.insert(key, raw);
    return raw;
}

double SliceTableModel::value(int row, int column) const
{
    if (!tensor_ || row < 0 || column < 0 || row >= rowCount() || column >= columnCount())
        return std::numeric_limits<double>::quiet_NaN();
    const Block* b = block(row / kBlock, column / kBlock);
    return b->values[std::size_t((row % kBlock) * b->cols + column % kBlock)];
}

QVariant SliceTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || !tensor_)
        return {};
    if (role == Qt::DisplayRole) {
        const Block* b = block(index.row() / kBlock, index.column() / kBlock);
        if (!b->error.isEmpty())
            return QStringLiteral("?");
        const double v = b->values[std::size_t((index.row() % kBlock) * b->cols + index.column() % kBlock)];
        if (tensor_->info.dtype == ckpt::DType::Bool)
            return v != 0 ? QStringLiteral("true") : QStringLiteral("false");
        if (ckpt::isInteger(tensor_->info.dtype))
            return QString::number(qlonglong(v));
        return floatText(v);
    }
    if (role == Qt::ToolTipRole) {
        const Block* b = block(index.row() / kBlock, index.column() / kBlock);
        return b->error;
    }
    if (role == Qt::TextAlignmentRole)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant SliceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role == Qt::DisplayRole)
        return QString::number((orientation == Qt::Vertical ? firstRow_ : firstColumn_) + section);
    return {};
}
