// The training-run part of the main window: File ▸ Open run… and the Timeline tab's session,
// File ▸ Compare with run… and the second run drawn beside it.
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
    updateTreePane(); // an empty tree beside the first run's partial results is only in the way
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
        updateTreePane();
        emit runShown();
    });
    // What has been read so far shows at once, unless another run is on show until this one is ready.
    connect(opening, &RunSession::partial, this, [this, opening](std::shared_ptr<const ckpt::RunTimeline> soFar) {
        if (!run_ || opening == run_)
            timeline_->updateRun(std::move(soFar));
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
    updateTreePane();
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

bool MainWindow::compareRun(const QStringList& paths)
{
    if (comparisonOpening_ || paths.isEmpty())
        return false;
    comparisonOpening_ = new RunSession(jobs_, paths, this);
    RunSession* opening = comparisonOpening_;
    tabs_->setCurrentWidget(timeline_);
    connect(opening, &RunSession::ready, this, [this, opening] {
        RunSession* previous = std::exchange(comparison_, std::exchange(comparisonOpening_, nullptr));
        timeline_->setComparison(comparison_->displayName(), comparison_->timeline());
        delete previous;
        emit comparisonShown();
    });
    auto drop = [this, opening](const QString& message) {
        if (opening != comparisonOpening_)
            return;
        comparisonOpening_->deleteLater();
        comparisonOpening_ = nullptr;
        if (!message.isEmpty())
            reportError(tr("Cannot compare with that run"), message);
        emit comparisonFailed(message.isEmpty() ? tr("cancelled") : message);
    };
    connect(opening, &RunSession::failed, this, drop);
    connect(opening, &RunSession::cancelled, this, [drop] { drop(QString()); });
    opening->compute(); // its own rule; the curves place B's steps by number when both rules agree
    return true;
}

void MainWindow::stopComparingRuns()
{
    timeline_->setComparison(QString(), nullptr);
    delete std::exchange(comparison_, nullptr);
}

void MainWindow::compareRunDialog()
{
    const QString path
        = QFileDialog::getExistingDirectory(this, tr("Compare with another training run (a folder of checkpoints)"));
    if (!path.isEmpty())
        compareRun({ path });
}
