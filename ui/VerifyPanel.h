#pragma once

#include "verify/Verify.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

// Rebuild the MLP of the open checkpoint and check it: against the X/Y tensors it holds (the
// seed's Y_clone == Y), or against a clone file run on the same inputs. Shows the inferred
// layers, the verdict, the outputs side by side with differences highlighted, and a scatter
// of the outputs against the reference on the diagonal.
class VerifyPanel : public QWidget {
    Q_OBJECT
public:
    explicit VerifyPanel(QWidget* parent = nullptr);
    void setCheckpoint(std::shared_ptr<const ckpt::Checkpoint> checkpoint);
    bool run(); // what the Run button does; returns whether it could run
    void setClonePath(const QString& path);

    const ckpt::VerifyResult* result() const { return result_ ? &*result_ : nullptr; }
    QString verdictText() const;
    QTableWidget* layerTable();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void refresh();        // fills the panel for checkpoint_
    void refreshIfStale(); // the panel is filled only when it is first looked at
    void rebuildLayers();
    ckpt::MlpBuildOptions buildOptions() const;

    std::shared_ptr<const ckpt::Checkpoint> checkpoint_;
    QLineEdit* prefix_;
    QComboBox* hidden_;
    QComboBox* final_;
    QTableWidget* layers_;
    QComboBox* source_;
    QLineEdit* clone_;
    QSpinBox* seed_;
    QSpinBox* batch_;
    QPushButton* run_;
    QLabel* verdict_;
    QTableWidget* outputs_;
    QCustomPlot* scatter_;
    std::optional<ckpt::Mlp> mlp_, cloneMlp_;
    std::optional<ckpt::VerifyResult> result_;
    bool stale_ = false;
};
