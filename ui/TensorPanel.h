#pragma once

#include "numerics/Stats.h"
#include "tensor/Tensor.h"

#include <QPointer>
#include <QWidget>

#include <vector>

class CheckpointSession;
class HeatmapView;
class HistogramView;
class QComboBox;
class QGridLayout;
class QHBoxLayout;
class QLabel;
class QSpinBox;
class QTabWidget;
class QTableView;
class SliceTableModel;
class QLineEdit;

// Everything about one tensor: where it is and what it is, its statistics, a table of any
// 2-D slice of its values, and its histogram.
class TensorPanel : public QWidget {
    Q_OBJECT
public:
    explicit TensorPanel(QWidget* parent = nullptr);

    // The tensor to show (null: none); its values are read by the session.
    void setTensor(CheckpointSession* session, const ckpt::Tensor* tensor, int tensorIndex);
    void showStats(const ckpt::TensorStats& stats);
    void showStatsError(const QString& message);
    int tensorIndex() const { return tensorIndex_; }

    HistogramView* histogram() const { return histogram_; }
    SliceTableModel* slice() const { return slice_; }
    QTableView* table() const { return table_; }
    HeatmapView* heatmap() const { return heatmap_; }
    void showValues(); // the tab of the table and the heatmap
    QString statText(const QString& key) const; // the text shown for "min", "max", "mean", ...
    // Chooses the displayed axes and the index of every other axis (what the controls do).
    void setSlice(int rowAxis, int colAxis, const std::vector<std::int64_t>& fixedIndices);
    void copySelection() const;

signals:
    void binsChanged(int bins);

private:
    void rebuildSliceControls();
    int cellWidthFor(ckpt::DType dtype) const;
    void applySliceControls();
    void updateWindowBar();
    void applyWindowStart();
    void updateHeatmap(); // the heatmap follows the table's slice and window

    QPointer<CheckpointSession> session_;
    const ckpt::Tensor* tensor_ = nullptr;
    int tensorIndex_ = -1;
    QLabel* header_;
    QGridLayout* statsGrid_;
    std::vector<std::pair<QString, QLabel*>> statLabels_;
    QTabWidget* tabs_;
    QHBoxLayout* sliceBar_;
    QComboBox* rowAxis_;
    QComboBox* colAxis_;
    std::vector<QSpinBox*> indexSpins_;
    QWidget* windowBar_; // shown when the slice has more rows or columns than a view lists
    QLabel* windowNote_;
    QLineEdit* firstRowEdit_;
    QLineEdit* firstColumnEdit_;
    SliceTableModel* slice_;
    QTableView* table_;
    HeatmapView* heatmap_;
    QWidget* valuesPage_;
    HistogramView* histogram_;
    bool updating_ = false;
};
