#pragma once

#include "compare/Diff.h"
#include "compare/PairHistograms.h"

#include <QWidget>

#include <memory>

class DiffFilterProxy;
class DiffTableModel;
class OverlayPlot;
class QCheckBox;
class QCPBars;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class QTimer;

// "Compare with…": the open checkpoint (A) against a second one (B), through the core's
// diffCheckpoints. A sortable, filterable table of every tensor's status and differences;
// selecting a row overlays A's and B's histograms on shared bins and shows the histogram of
// B − A. Opening B, comparing and binning all run off the UI thread, with progress and cancel.
class DiffPanel : public QWidget {
    Q_OBJECT
public:
    explicit DiffPanel(QWidget* parent = nullptr);
    ~DiffPanel() override;

    void setCheckpointA(std::shared_ptr<const ckpt::Checkpoint> a, const QString& displayName); // recompares if B is open
    void compareWith(const QString& pathB); // opens B (again) and compares
    void rerun();                           // the same files with the current prefixes and tolerances
    void cancel();
    bool busy() const;

    void setPrefixes(const QString& prefixA, const QString& prefixB);
    void setTolerances(double rtol, double atol);
    void setNameFilter(const QString& text);
    void setDifferencesOnly(bool only);
    bool selectName(const QString& name); // selects the row (in the view's order), which plots it

    DiffTableModel* model() const { return model_; }
    DiffFilterProxy* proxy() const { return proxy_; }
    QTableView* table() const { return table_; }
    OverlayPlot* overlay() const { return overlay_; }
    QCustomPlot* differencePlot() const { return differencePlot_; }
    QCPBars* differenceBars() const { return differenceBars_; }
    QString summaryText() const;
    QString plottedName() const { return plotted_; } // the row whose histograms are shown

signals:
    void compared();
    void failed(const QString& message);
    void histogramsShown(const QString& name);

private:
    struct Job;
    struct CompareOutcome {
        std::shared_ptr<const ckpt::Checkpoint> b;
        ckpt::DiffReport report;
        QString error;
        bool cancelled = false;
    };
    struct HistogramOutcome {
        ckpt::PairHistograms histograms;
        QString error;
        bool cancelled = false;
    };

    void browse();
    void start(const QString& pathB, bool reopen);
    void onCompared(const CompareOutcome& out);
    void onCurrentRowChanged();
    void showHistograms(const QString& name, const ckpt::PairHistograms& h);
    void clearPlots(const QString& message);
    void setBusy(const QString& what, bool busy);
    ckpt::DiffOptions options(QString* error) const;

    std::shared_ptr<const ckpt::Checkpoint> a_, b_;
    QString nameA_, pathB_;
    QLabel* files_;
    QLineEdit* prefixA_;
    QLineEdit* prefixB_;
    QLineEdit* rtol_;
    QLineEdit* atol_;
    QPushButton* compareButton_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QLineEdit* filter_;
    QCheckBox* differencesOnly_;
    QLabel* summary_;
    DiffTableModel* model_;
    DiffFilterProxy* proxy_;
    QTableView* table_;
    OverlayPlot* overlay_;
    QLabel* differenceHint_;
    QCustomPlot* differencePlot_;
    QCPBars* differenceBars_;
    QTimer* ticker_;
    std::shared_ptr<Job> compareJob_;   // null when idle
    std::shared_ptr<Job> histogramJob_;
    int generation_ = 0;                // results of older jobs are dropped
    int histogramGeneration_ = 0;
    QString plotted_;
};
