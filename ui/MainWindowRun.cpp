// The training-run part of the main window: File ▸ Open run… and the Timeline tab's session.
#include "MainWindow.h"

#include "RunSession.h"
#include "TimelinePanel.h"

#include <QFileDialog>
#include <QStatusBar>
#include <QTabWidget>

#include <utility>

bool MainWindow::openRun(const QStringList& paths, ckpt::StepOrder order)
{
    if (runOpening_ || paths.isEmpty())
        return false;
    runOpening_ = new RunSession(jobs_, paths, this);
    RunSession* opening = runOpening_;
    if (!run_)
        timeline_->showMessage(tr("Reading the run %1…").arg(runOpening_->displayName()));
    tabs_->setCurrentWidget(timeline_);
    connect(opening, &RunSession::ready, this, [this, opening] {
        if (opening == run_) { // the live run shown, read again after its folder changed
            timeline_->updateRun(run_->timeline());
            emit runShown();
            return;
        }
        RunSession* previous = std::exchange(run_, std::exchange(runOpening_, nullptr));
        timeline_->setSession(run_);
        delete previous; // after the panel has let go of its timeline
        run_->watch(true); // new checkpoints appear while training goes on
        emit runShown();
    });
    connect(opening, &RunSession::failed, this, [this, opening](const QString& message) {
        if (opening == run_) { // a live update failed: the run shown stays
            statusBar()->showMessage(message, 8000);
            return;
        }
        dropRunOpening();
        reportError(tr("Cannot open run"), message);
        emit runFailed(message);
    });
    connect(opening, &RunSession::cancelled, this, [this, opening] {
        if (opening == run_)
            return;
        dropRunOpening();
        statusBar()->showMessage(tr("Reading the run was cancelled"), 8000);
        emit runFailed(tr("cancelled"));
    });
    runOpening_->compute(order);
    return true;
}

void MainWindow::dropRunOpening()
{
    runOpening_->deleteLater(); // from its own signal: not deleted here
    runOpening_ = nullptr;
    if (!run_)
        timeline_->setSession(nullptr);
    else
        timeline_->showOrder(run_->requestedOrder()); // the order of the run still shown
}

void MainWindow::openRunFolderDialog()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open a training run (a folder of checkpoints)"));
    if (!path.isEmpty())
        openRun({ path });
}

void MainWindow::openRunFilesDialog()
{
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open a training run: choose its checkpoints"));
    if (!paths.isEmpty())
        openRun(paths);
}
