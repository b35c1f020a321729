#pragma once

#include "CheckpointSession.h"

#include <QPointer>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class ToleranceEdit;

// Rebuild the MLP of the open checkpoint and check it against one of three references: X and Y
// stored in this file, X and Y in another file (the seed's `ckpt verify PARAMS --io FILE`), or a
// clone checkpoint run on the same random inputs. The activations are those stored in the file
// unless the user overrides them, and the layer table shows the network that is (or was) run.
// The verdict says what it proves and which tensors the network did not use. Everything runs in
// the session, off the UI thread; changing a setting clears the verdict.
class VerifyPanel : public QWidget {
    Q_OBJECT
public:
    explicit VerifyPanel(QWidget* parent = nullptr);
    void setSession(CheckpointSession* session);

    // What the controls set.
    void setReference(ckpt::VerifyReference reference, const QString& otherPath = {});
    void setActivations(std::optional<ckpt::Activation> hidden, std::optional<ckpt::Activation> final);
    bool run(); // what the Run button does: false when it cannot start (verdictText says why)

    const ckpt::Verification* verification() const { return verification_.get(); }
    QString verdictText() const;
    QString activationNote() const;
    const QTableWidget* layerTable() const { return layers_; }

signals:
    void verified();
    void failed(const QString& message);

private:
    QWidget* buildSettings();
    void settingsChanged(); // clears the verdict and rebuilds the preview of the network
    void showNetwork(const ckpt::Mlp& network, const QString& activations);
    void showVerification(std::shared_ptr<const ckpt::Verification> v);
    void showOutputs(const ckpt::VerifyResult& r);
    void clearVerdict(const QString& text = {});
    ckpt::VerifyRequest request() const;

    QPointer<CheckpointSession> session_;
    QLineEdit* prefix_;
    QComboBox* hidden_;
    QComboBox* final_;
    QLabel* activationNote_;
    QTableWidget* layers_;
    QComboBox* reference_;
    QLineEdit* otherPath_;
    QPushButton* browse_;
    QSpinBox* seed_;
    QSpinBox* batch_;
    ToleranceEdit* rtol_;
    ToleranceEdit* atol_;
    ckpt::VerifyOptions ranWith_; // the tolerances of the run under way or shown
    QPushButton* run_;
    QLabel* verdict_;
    QTableWidget* outputs_;
    QCustomPlot* scatter_;
    std::shared_ptr<const ckpt::Verification> verification_;
    bool storedArchitecture_ = false;
    bool settingUp_ = false;
    bool awaiting_ = false; // a verification was started with the settings shown
};
