#pragma once

#include "CheckpointSession.h"

#include <QPointer>
#include <QWidget>

#include <memory>

class DiffFilterProxy;
class DiffTableModel;
class OverlayPlot;
class QCheckBox;
class QCPBars;
class QCustomPlot;
class QLabel;
class QLayout;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class ToleranceEdit;

// "Compare with…": the open checkpoint (A) against a second one (B), through the core's
// diffCheckpoints. A sortable, filterable table of every tensor's status and differences;
// selecting a row overlays A's and B's histograms on shared bins and shows the histogram of
// B − A. Opening B, comparing and binning run in the session, with progress and cancel.
class DiffPanel : public QWidget {
    Q_OBJECT
public:
    explicit DiffPanel(QWidget* parent = nullptr);
    ~DiffPanel() override;

    void setSession(CheckpointSession* session); // A; a new A starts without a B
    void compareWith(const QString& pathB); // opens B (again) and compares
    void rerun(); // the same files with the current prefixes and tolerances
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
    QLayout* buildFileRow();
    QLayout* buildOptionRow();
    QWidget* buildTable();
    QWidget* buildDifferencePlot();
    void browse();
    void start(const QString& pathB, bool reopen);
    void onCompared(const ckpt::DiffReport& report);
    void onCompareFailed(const QString& message);
    void onCurrentRowChanged();
    void showHistograms(const QString& name, const ckpt::PairHistograms& h);
    void clearPlots(const QString& message);
    void showDifferenceAxes(bool shown);
    void setBusy(const QString& what, bool busy);
    ckpt::DiffOptions options(QString* error) const;

    QPointer<CheckpointSession> session_;
    bool bOpen_ = false; // B was opened and compared
    ckpt::DiffOptions usedOptions_; // of the comparison shown or under way
    QString nameA_, pathB_;
    QLabel* files_;
    QLineEdit* prefixA_;
    QLineEdit* prefixB_;
    ToleranceEdit* rtol_;
    ToleranceEdit* atol_;
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
    QString wanted_; // the row whose histograms were asked for
    QString plotted_; // the row whose histograms are shown
};
