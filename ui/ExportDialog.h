#pragma once

#include "CheckpointSession.h"

#include <QDialog>
#include <QPointer>

#include <functional>
#include <memory>
#include <vector>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;

// "Export selected…": writes the checked tensors to .h5, .safetensors or .npz (the extension
// chooses) through the session (the core's exportCheckpoint, off the UI thread), with progress
// and cancel.
// Renaming is previewed live with the core's own selection, so what is shown is what is written.
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(CheckpointSession* session, const std::vector<int>& tensors, QWidget* parent = nullptr);
    ~ExportDialog() override;

    // Yes/no questions (replacing a file) go to a message box; tests replace this.
    void setConfirmer(std::function<bool(const QString& title, const QString& text)> confirmer);

    void setOutputPath(const QString& path);
    QString outputPath() const;
    void setStripPrefix(const QString& prefix);
    void setAddPrefix(const QString& prefix);
    void setCompress(bool compress);
    void setCastToFloat32(bool cast);
    void setWithArchitecture(bool with); // the CLI's --with-architecture
    bool withArchitectureAvailable() const; // the chosen format can hold it (HDF5)
    QStringList previewNames() const; // the output names shown ("…" rows excluded)
    QString formatText() const;
    QString messageText() const;

    // Starts the export; false when it cannot start (no format for the path, the user would not
    // replace an existing file, nothing to export) — messageText() says why.
    bool startExport();
    void cancelExport();
    bool isRunning() const;
    QProgressBar* progressBar() const { return progress_; }

signals:
    void exported(const QString& path, int tensorCount, qint64 bytes);
    void failed(const QString& message);
    void cancelled();

public slots:
    void reject() override;

private:
    ckpt::ExportOptions options() const;
    void browse();
    void updatePreview();
    void updateFormat();
    void setRunning(bool running);
    void onExported(const QString& path, int tensors, qint64 bytes);
    void onFailed(const QString& path, const JobFailure& why);
    void showMessage(const QString& text, bool error);

    QPointer<CheckpointSession> session_;
    std::shared_ptr<const ckpt::Checkpoint> checkpoint_; // its names, for the preview
    std::vector<std::string> names_;
    QLineEdit* path_;
    QLabel* format_;
    QLineEdit* strip_;
    QLineEdit* add_;
    QListWidget* preview_;
    QCheckBox* compress_;
    QCheckBox* cast_;
    QCheckBox* architecture_;
    QLabel* message_;
    QProgressBar* progress_;
    QDialogButtonBox* buttons_;
    QPushButton* exportButton_;
    QList<QWidget*> inputs_;
    QString running_; // the path being written, "" when idle
    std::function<bool(const QString&, const QString&)> confirmer_;
};
