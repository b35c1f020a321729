#pragma once

#include "JobTracker.h"

#include "timeline/StepDistribution.h"
#include "timeline/Timeline.h"

#include <QObject>

class QFileSystemWatcher;
class QTimer;
#include <QStringList>

#include <memory>

// A training run the app has open: the checkpoints the user chose (a folder of them, or several
// files and folders), put in step order and measured step by step (the core's planRun and
// computeTimeline, as `ckpt timeline` does), off the UI thread through the JobTracker with
// progress and cancel. Widgets ask and listen; they never read the run themselves.
class RunSession : public QObject {
    Q_OBJECT
public:
    RunSession(JobTracker* jobs, const QStringList& paths, QObject* parent = nullptr);
    ~RunSession() override; // cancels what is still running for it

    // Plans the run (the order rule, or the first that works) and computes its timeline:
    // ready() or failed(), later. A newer request supersedes one still running.
    void compute(ckpt::StepOrder order = ckpt::StepOrder::Auto);
    void cancel();
    bool busy() const;
    ckpt::StepOrder requestedOrder() const { return order_; } // of the newest compute()

    // Where each step's results are kept (ckpt::TimelineCache): the user's XDG cache folder unless
    // set; empty: no cache.
    void setCacheFolder(const QString& folder) { cacheFolder_ = folder; }
    const QString& cacheFolder() const { return cacheFolder_; }

    // A live run: while training writes, new or changed checkpoints are read again (only the
    // new steps, thanks to the cache) once the folder has been quiet for settleMs; ready() then
    // comes again. A half-written file does not open and is listed as skipped until complete.
    void watch(bool on, int settleMs = 1500);
    bool watching() const { return watcher_ != nullptr; }

    // How often the run read so far is handed out while reading (partial()); 0: after every step.
    void setPartialInterval(int ms) { partialIntervalMs_ = ms; }

    const QStringList& paths() const { return paths_; }
    QString displayName() const; // the folder or first file, and how many more
    // Null until ready(); then the measured run.
    std::shared_ptr<const ckpt::RunTimeline> timeline() const { return timeline_; }

    // The distribution over steps of one tensor of the timeline (by its name there): every step's
    // values on shared bins, read in the background; distributionReady() or distributionFailed().
    // A newer request supersedes one still running.
    void computeDistribution(const QString& tensor, int bins = 64);
    void cancelDistribution();

signals:
    void ready();
    // While reading: the run as far as it has been read (its first steps), now and then.
    void partial(std::shared_ptr<const ckpt::RunTimeline> soFar);
    void distributionReady(std::shared_ptr<const ckpt::StepDistribution> distribution);
    void distributionFailed(const QString& tensor, const QString& message); // also when cancelled
    void failed(const QString& message); // one line, "FILE: reason"
    void cancelled();

private:
    JobTracker* jobs_;
    QStringList paths_;
    ckpt::StepOrder order_ = ckpt::StepOrder::Auto;
    QString cacheFolder_;
    int partialIntervalMs_ = 250;
    QFileSystemWatcher* watcher_ = nullptr;
    QTimer* settle_ = nullptr;
    void watchFiles(); // the run's folders and every file in them, as they are now
    static std::function<void(const ckpt::RunTimeline&, std::size_t)> partialsEvery(
        JobTracker::Job& job, int intervalMs, RunSession* session);
    void changed();
    std::shared_ptr<const ckpt::RunTimeline> timeline_;
};
