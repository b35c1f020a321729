#pragma once

#include "compare/Diff.h"

#include <QAbstractTableModel>

#include <memory>

// The rows of a core DiffReport: A's name, B's name, how they were paired (by name or by layer
// position, by llama.cpp name; transposed or rows un-permuted), status, max abs diff, SQNR (dB)
// and cosine similarity (what a quantization lost, first), mean abs diff, relative L2.
// Rows that differ are tinted (mixed from the palette, so light and dark themes both work).
class DiffTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, NameB, Pairing, Status, MaxAbsDiff, Sqnr, Cosine, MeanAbsDiff, RelativeL2, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1; // numbers for the numeric columns
    static constexpr int StatusRole = Qt::UserRole + 2; // int(ckpt::DiffStatus)

    explicit DiffTableModel(QObject* parent = nullptr);
    // The report points into both checkpoints: the model keeps them alive.
    void setReport(
        std::shared_ptr<const ckpt::Checkpoint> a, std::shared_ptr<const ckpt::Checkpoint> b, ckpt::DiffReport report);
    void clear();
    const ckpt::TensorDiff* diff(int row) const;
    const ckpt::DiffReport& report() const { return report_; }
    std::shared_ptr<const ckpt::Checkpoint> checkpointA() const { return a_; }
    std::shared_ptr<const ckpt::Checkpoint> checkpointB() const { return b_; }
    int rowOf(const QString& name) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static bool hasValues(const ckpt::TensorDiff& d); // both sides present with comparable values
    static bool differs(ckpt::DiffStatus status); // anything but identical / within tolerance
    static QString pairingText(const ckpt::TensorDiff& d); // "by name", "by position, transposed", "—"

private:
    std::shared_ptr<const ckpt::Checkpoint> a_, b_;
    ckpt::DiffReport report_;
};
