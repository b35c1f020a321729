#pragma once

#include "report/TensorTable.h"

#include <QAbstractTableModel>

#include <memory>
#include <vector>

// The tensor table (issue 20) for a view: one row per tensor, one column per metric, from the
// rows the session computed. Missing values (no spectral norm for a vector, not yet computed)
// are empty cells. SortRole gives numbers as numbers (missing: NaN) and names as text.
class TensorTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Name,
        DType,
        ShapeColumn,
        Count,
        Min,
        Max,
        Mean,
        Std,
        MaxAbs,
        L2,
        ZeroFraction,
        NaN,
        Inf,
        DenormalFraction,
        BeyondFloat16Fraction,
        SpectralNorm,
        StableRank,
        EffectiveRank,
        Alpha,
        AlphaKs,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole;

    explicit TensorTableModel(QObject* parent = nullptr);

    using Rows = std::shared_ptr<const std::vector<ckpt::TensorTableRow>>;
    void setRows(Rows rows); // a new table
    void updateRows(Rows rows, int first, int last); // the same tensors, with more metrics in [first, last]
    const ckpt::TensorTableRow* rowAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    Rows rows_;
};
