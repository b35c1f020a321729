#pragma once

#include "timeline/RunPlan.h"

#include <QWidget>

#include <memory>
#include <vector>

namespace ckpt {
struct RunTimeline;
}

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class RunSession;
class QTabWidget;
class TimelineCurves;
class TimelineDistribution;
class TimelineHeatmap;

// The Timeline tab: a training run step by step. A summary line (order rule, checkpoints,
// skipped entries, first NaN/Inf, events; details in its tooltip), the run's tensors (filter,
// several selectable), the chosen metric of the selected tensors over the steps, and below them
// either the layers × steps heatmap of change or the distribution over steps of the (first)
// selected tensor, which the RunSession reads when it is looked at. Shows what a RunSession
// computed; clicking a step asks the window to open that checkpoint.
class TimelinePanel : public QWidget {
    Q_OBJECT
public:
    explicit TimelinePanel(QWidget* parent = nullptr);

    void setSession(RunSession* session); // null: no run
    // The same run read again (a live run grew): the chosen tensors stay chosen.
    void updateRun(std::shared_ptr<const ckpt::RunTimeline> run);
    void showMessage(const QString& message); // in the summary line (reading, cancelled)
    void showOrder(ckpt::StepOrder order); // the order rule asked for, without asking again
    // Run B, drawn beside the run shown (its curves dashed, "B: name"); null: none.
    void setComparison(const QString& name, std::shared_ptr<const ckpt::RunTimeline> other);

    QListWidget* tensorList() const { return tensors_; }
    QLineEdit* filter() const { return filter_; }
    QComboBox* metric() const { return metric_; }
    QComboBox* order() const { return order_; }
    QCheckBox* logScale() const { return log_; }
    TimelineCurves* curves() const { return curves_; }
    TimelineHeatmap* heatmap() const { return heatmap_; }
    TimelineDistribution* distribution() const { return distribution_; }
    QTabWidget* lowerTabs() const { return lower_; } // the change heatmap, the distribution
    QLabel* summary() const { return summary_; }

signals:
    void checkpointChosen(const QString& path); // a step was clicked
    void orderChosen(ckpt::StepOrder order); // the user chose another ordering rule

private:
    QWidget* buildTensorPane();
    QWidget* buildPlots();
    QComboBox* buildOrderChoice();
    void showRun(std::shared_ptr<const ckpt::RunTimeline> run);
    void applyFilter(const QString& text);
    void redrawCurves();
    void chooseStep(int step);
    std::vector<int> selectedTensors() const;
    void requestDistribution(); // of the first selected tensor, when its tab is shown
    QString comparisonText() const; // for the summary line

    QLabel* summary_;
    QLineEdit* filter_;
    QListWidget* tensors_;
    QComboBox* metric_;
    QComboBox* order_;
    QCheckBox* log_;
    TimelineCurves* curves_;
    TimelineHeatmap* heatmap_;
    TimelineDistribution* distribution_;
    QTabWidget* lower_;
    RunSession* session_ = nullptr;
    QString distributionWanted_; // the tensor asked for last (shown or being read)
    QString comparisonName_;
    std::shared_ptr<const ckpt::RunTimeline> comparison_;
    std::shared_ptr<const ckpt::RunTimeline> run_;
};
