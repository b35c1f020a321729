#pragma once

#include "tensor/Tensor.h"

#include <QAbstractTableModel>
#include <QCache>

#include <vector>

// A 2-D slice of an N-d tensor as a table: two chosen axes are rows and columns, every other
// axis is fixed at an index. Only the blocks of cells that the view asks for are read (boxes
// of 64 x 64 through the tensor's data source), so huge tensors scroll smoothly.
class SliceTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit SliceTableModel(QObject* parent = nullptr);

    // rowAxis/colAxis: -1 when the tensor has fewer dimensions (1-D: one column; 0-d: one cell).
    void setTensor(const ckpt::Tensor* tensor);
    void setSlice(int rowAxis, int colAxis, std::vector<std::int64_t> fixedIndices);
    int rowAxis() const { return rowAxis_; }
    int colAxis() const { return colAxis_; }
    const std::vector<std::int64_t>& fixedIndices() const { return fixed_; }
    const ckpt::Tensor* tensor() const { return tensor_; }

    // A view lists at most kMaxRows x kMaxColumns cells (QHeaderView keeps one item per section
    // and its length in int pixels): a larger slice is shown as a window starting at
    // (firstRow, firstColumn), clamped to the slice.
    static constexpr std::int64_t kMaxRows = 1'000'000;
    static constexpr std::int64_t kMaxColumns = 100'000;
    void setWindowStart(std::int64_t firstRow, std::int64_t firstColumn);
    std::int64_t firstRow() const { return firstRow_; }
    std::int64_t firstColumn() const { return firstColumn_; }
    std::int64_t totalRows() const; // of the whole slice
    std::int64_t totalColumns() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    double value(int row, int column) const; // the element as float64 (NaN when unreadable)
    int blocksRead() const { return blocksRead_; }

private:
    static constexpr int kBlock = 64;
    struct Block {
        std::vector<double> values; // row-major, up to kBlock x kBlock
        int rows = 0, cols = 0;
        QString error;
    };
    const Block* block(int blockRow, int blockCol) const;

    const ckpt::Tensor* tensor_ = nullptr;
    int rowAxis_ = -1, colAxis_ = -1;
    std::vector<std::int64_t> fixed_;
    std::int64_t firstRow_ = 0, firstColumn_ = 0;
    mutable QCache<qint64, Block> blocks_ { 256 };
    mutable int blocksRead_ = 0;
};
