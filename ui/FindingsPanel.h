#pragma once

#include "CheckpointSession.h"

#include <QPointer>
#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

// What `ckpt doctor` finds in the open checkpoint, as a table: the kind of finding, the tensor
// and the evidence; optionally against a reference file (missing, unexpected and mis-shaped keys
// as PyTorch's load_state_dict would report them, tensors never trained). The check runs in the
// session; double-clicking a row shows its tensor.
class FindingsPanel : public QWidget {
    Q_OBJECT
public:
    explicit FindingsPanel(QWidget* parent = nullptr);
    void setSession(CheckpointSession* session);

    void check(const QString& referencePath = {}); // what the Check button does
    const QTableWidget* table() const { return table_; }
    QString summaryText() const;

signals:
    void tensorChosen(const QString& name);
    void checked();

private:
    void showReport(std::shared_ptr<const ckpt::DoctorReport> report, const QString& referencePath);
    void fail(const QString& message);
    void chooseReference();

    QPointer<CheckpointSession> session_;
    QLineEdit* reference_;
    QPushButton* browse_;
    QPushButton* check_;
    QLabel* summary_;
    QTableWidget* table_;
};
