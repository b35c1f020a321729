#pragma once

#include "CheckpointSession.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class TensorTableModel;
class TensorTableProxy;

// Every tensor × every metric (issue 20): the session reads the basic metrics of all tensors when
// the tab is first shown, then the spectral metrics batch by batch, filling the table as they
// arrive. A filter expression (`nan > 0`, `std < 1e-6 and name ~ "attn"`, `stable_rank < 5`)
// narrows it, the columns sort, the rows shown export as CSV. Selecting a row selects its tensor
// in the tree; double-clicking shows it.
class AllTensorsPanel : public QWidget {
    Q_OBJECT
public:
    explicit AllTensorsPanel(QWidget* parent = nullptr);
    void setSession(CheckpointSession* session);

    void compute(); // reads the table again (what the Read button does)
    void setFilterText(const QString& text);
    void exportCsv(const QString& path); // the rows shown, in the order shown
    const QTableView* view() const { return view_; }
    QString summaryText() const;
    QString filterError() const;

signals:
    void tensorSelected(const QString& name);
    void tensorChosen(const QString& name);
    void tableShown(); // a new table, or more of its metrics
    void exported(const QString& path);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void applyFilter();
    void showRows(bool reset, int first = 0, int last = -1);
    void widenToFit(int firstColumn);
    void updateSummary();
    void chooseExportPath();

    QPointer<CheckpointSession> session_;
    QLineEdit* filter_;
    QLabel* filterError_;
    QCheckBox* spectral_;
    QPushButton* read_;
    QPushButton* export_;
    QLabel* summary_;
    QTableView* view_;
    TensorTableModel* model_;
    TensorTableProxy* proxy_;
    QString state_; // "", or what is under way / what went wrong
    bool filterNeedsSpectral_ = false;
};
