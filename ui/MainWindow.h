#pragma once

#include "OpenedCheckpoint.h"

#include "timeline/RunPlan.h"

#include <QMainWindow>

#include <functional>
#include <optional>

class CheckpointTreeModel;
class DiffPanel;
class ExportDialog;
class ArchitectureView;
class MetadataView;
class OverlayPlot;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTreeView;
class CheckpointSession;
class RunSession;
class TimelinePanel;
class JobTracker;
class TensorPanel;
class TreeFilterProxy;
class AllTensorsPanel;
class FindingsPanel;
class VerifyPanel;

// The main window: the layer tree (filterable) on the left; the selected tensor (statistics,
// values, histogram), the overlay of several distributions and the metadata on the right.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a checkpoint in a new session (metadata only, off the UI thread): checkpointShown()
    // once it is shown; on failure the error names the file and the reason, and what was open
    // stays open (openFailed). False when another file is still being opened.
    bool openFile(const QString& path);
    bool openDemo(); // the embedded demo: a small MLP with its inputs and outputs
    // Opens a training run (a folder of checkpoints, or several files and folders) in the
    // Timeline tab, read in the background: runShown() once shown; on failure one line
    // "FILE: reason" is reported (runFailed) and the run and checkpoint shown before stay.
    // False when another run is still being read. The checkpoint of the other tabs stays open.
    // `order`: how to put the steps in order (Auto: the first rule that works).
    bool openRun(const QStringList& paths, ckpt::StepOrder order = ckpt::StepOrder::Auto);
    // Reads another run (B) to draw beside the run shown, on the same axes: comparisonShown(),
    // or the error reported (comparisonFailed). False while another comparison is being read.
    bool compareRun(const QStringList& paths);
    void stopComparingRuns();

    // Errors go to a message box; tests replace this to record them instead.
    void setErrorReporter(std::function<void(const QString& title, const QString& message)> reporter);
    // Yes/no questions (replace a file? open the exported file?) likewise.
    void setConfirmer(std::function<bool(const QString& title, const QString& text)> confirmer);

    // "Export selected…": the dialog for the checked tensors (null when none is checked).
    ExportDialog* openExportDialog();
    // "Compare with…": the open checkpoint against another file, in the Compare tab.
    void compareWith(const QString& path);
    DiffPanel* diffPanel() const { return diff_; }
    FindingsPanel* findingsPanel() const { return findings_; }
    AllTensorsPanel* allTensorsPanel() const { return allTensors_; }
    QTabWidget* tabs() const { return tabs_; }
    QAction* exportAction() const { return exportAction_; }

    const OpenedCheckpoint& opened() const;
    CheckpointTreeModel* treeModel() const { return model_; }
    TreeFilterProxy* treeProxy() const { return proxy_; }
    QTreeView* treeView() const { return tree_; }
    TensorPanel* tensorPanel() const { return panel_; }
    OverlayPlot* overlay() const { return overlay_; }
    MetadataView* metadata() const { return metadata_; }
    ArchitectureView* architecture() const { return architecture_; }
    VerifyPanel* verifyPanel() const { return verify_; }
    TimelinePanel* timelinePanel() const { return timeline_; }
    RunSession* runSession() const { return run_; } // of the run shown, or null
    RunSession* comparisonRun() const { return comparison_; } // run B beside it, or null
    CheckpointSession* session() const { return session_; } // of the checkpoint shown, or null
    QString statusText() const;
    bool selectTensor(const QString& fullName); // selects its row in the tree
    bool selectTensors(const QStringList& fullNames); // selects exactly these rows, the first current

signals:
    void checkpointShown(const QString& path);
    void openFailed(const QString& message);
    void runShown();
    void runFailed(const QString& message); // also "cancelled"
    void comparisonShown();
    void comparisonFailed(const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    QWidget* buildTreePane();
    QWidget* buildTabs();
    QWidget* buildCentral();
    void buildStatusBar();
    void buildMenus();
    void buildToolBar(QAction* open, QAction* compare);
    void buildKeyboard();
    void buildThemeMenu(QMenu* menu);
    void copySelectedNames() const;
    void connectViews();
    void restoreWindowState();
    void showSession(CheckpointSession* session); // null: nothing open
    void showUnsafeBanner(const QString& calls);
    void onCurrentChanged();
    void followCurrentRow();
    void onSelectionChanged();
    void onStatsReady(int tensorIndex, int bins);
    void onProgress(const QString& what, double fraction);
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void openDialog();
    void openFolderDialog();
    void openRunFolderDialog(); // MainWindowRun.cpp, with openRun
    void openRunFilesDialog();
    void dropRunOpening(); // a run that failed or was cancelled; what was shown stays
    void updateTreePane();
    void compareRunDialog();
    void compareDialog();
    void reportError(const QString& title, const QString& message);
    bool confirm(const QString& title, const QString& text);
    void showTreeMenu(const QPoint& position);

    CheckpointTreeModel* model_;
    TreeFilterProxy* proxy_;
    QTreeView* tree_;
    QLineEdit* filter_;
    QSplitter* splitter_;
    QTabWidget* tabs_;
    TensorPanel* panel_;
    OverlayPlot* overlay_;
    MetadataView* metadata_;
    ArchitectureView* architecture_;
    VerifyPanel* verify_;
    DiffPanel* diff_;
    FindingsPanel* findings_;
    AllTensorsPanel* allTensors_;
    TimelinePanel* timeline_;
    JobTracker* jobs_;
    CheckpointSession* session_ = nullptr; // shown
    CheckpointSession* opening_ = nullptr; // being opened
    RunSession* run_ = nullptr; // the run shown in the Timeline tab
    RunSession* runOpening_ = nullptr; // being read
    RunSession* comparison_ = nullptr; // run B, drawn beside the run shown
    RunSession* comparisonOpening_ = nullptr;
    QLabel* status_;
    QLabel* unsafeBanner_;
    QProgressBar* progress_;
    QLabel* progressLabel_; // what the progress bar is for
    QPushButton* cancel_;
    QMenu* recentMenu_ = nullptr;
    QAction* exportAction_ = nullptr;
    std::vector<int> overlayTensors_;
    int overlayBins_ = 128;
    int overlaySelected_ = 0; // floating tensors selected for the overlay (more than shown when capped)
    std::function<void(const QString&, const QString&)> errorReporter_;
    std::function<bool(const QString&, const QString&)> confirmer_;
    QString demoPath_;
};
