#pragma once

#include "CheckpointSession.h"
#include "tensor/Tensor.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QPointer>
#include <QSet>

#include <memory>
#include <vector>

// A 2-D slice of an N-d tensor as a table: two chosen axes are rows and columns, every other
// axis is fixed at an index. The model reads nothing itself: the blocks of 64 x 64 cells the view
// asks for (and their neighbours, ahead of scrolling) are requested from the session, and cells
// show "…" until their block arrives, so huge tensors scroll smoothly.
class SliceTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit SliceTableModel(QObject* parent = nullptr);

    // The tensor (its shape and type only) and the session that reads its values.
    // rowAxis/colAxis: -1 when the tensor has fewer dimensions (1-D: one column; 0-d: one cell).
    void setTensor(CheckpointSession* session, const ckpt::Tensor* tensor, int tensorIndex);
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

    double value(int row, int column) const; // the element as float64 (NaN until read, or unreadable)
    bool isLoaded(int row, int column) const;
    int blocksReceived() const { return blocksReceived_; }

    static constexpr int kBlock = 64;

private:
    const SliceBlock* block(int blockRow, int blockCol) const; // null until it arrives (then asks for it)
    void request(int blockRow, int blockCol) const;
    void onBlock(const std::shared_ptr<const SliceBlock>& block);
    void reset(); // a new slice: forget the blocks

    QPointer<CheckpointSession> session_;
    const ckpt::Tensor* tensor_ = nullptr;
    int tensorIndex_ = -1;
    quint64 view_ = 0; // changes with every slice shown: blocks of older slices are dropped
    int rowAxis_ = -1, colAxis_ = -1;
    std::vector<std::int64_t> fixed_;
    std::int64_t firstRow_ = 0, firstColumn_ = 0;
    QHash<qint64, std::shared_ptr<const SliceBlock>> blocks_;
    mutable QSet<qint64> requested_;
    int blocksReceived_ = 0;
};
