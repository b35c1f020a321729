#pragma once

#include "ShownText.h"
#include "base/Cancelled.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

// Why a job ended without a result: an error (its one-line message), or the user cancelled it.
struct JobFailure {
    QString message;
    bool cancelled = false;
};

// The one way the app runs background work (after hotspot's JobTracker). Every job has an owner
// and a lane; starting a job supersedes the owner's running job in the same lane (an empty lane
// supersedes nothing). Work runs on the tracker's thread pool; its result comes back queued to
// the tracker's thread and reaches the callback only if the job is still wanted: its owner lives
// and no newer job of its lane was started. Cancel is one flag the core polls; progress is one
// signal, for the newest running job; partial results are posted (Job::post) under the same rule.
class JobTracker : public QObject {
    Q_OBJECT
public:
    // What a running job sees.
    class Job {
    public:
        const std::atomic<bool>* cancelFlag() const { return &cancelled_; }
        bool cancelled() const { return cancelled_.load(); }
        std::function<void(double)> progressCallback() // for the core's options; any thread
        {
            return [this](double f) { fraction_.store(f); };
        }
        quint64 generation() const { return generation_; }
        // Runs fn later on the tracker's thread if the job is still running and wanted then: how
        // work hands over partial results. Any thread.
        void post(std::function<void()> fn);

    private:
        friend class JobTracker;
        JobTracker* tracker_ = nullptr;
        std::weak_ptr<Job> self_;
        std::atomic<bool> cancelled_ { false };
        std::atomic<double> fraction_ { 0.0 };
        bool superseded_ = false; // the tracker's thread only, like the fields below
        QPointer<QObject> owner_;
        QString lane_, what_;
        quint64 generation_ = 0;
    };

    explicit JobTracker(QObject* parent = nullptr);
    ~JobTracker() override; // cancels every job and waits for the workers

    // Runs work(job) on a worker; `what` names it in the progress signal. On this tracker's thread, later:
    // done(result), or failed(why) when work threw (ckpt::Cancelled: why.cancelled) — neither when the job is no longer
    // wanted. Returns the job's generation (increasing over all jobs).
    template <typename Work, typename Done>
    quint64 run(QObject* owner, const QString& lane, const QString& what, Work work, Done done,
        std::function<void(const JobFailure&)> failed = {});

    void cancel(const QObject* owner, const QString& lane); // the owner's running job in that lane
    // Every job of that owner; without one, every job the progress shows (quiet jobs, such as
    // the reads of a table's cells, go on: the Cancel button stops what it names).
    void cancelAll(const QObject* owner = nullptr);
    bool busy(const QObject* owner = nullptr, const QString& lane = {}) const;
    bool waitForIdle(int timeoutMs = 30000); // waits for the workers (results still come queued)

signals:
    // Of the newest running job that has a `what` (jobs without one are quiet, like the reads of
    // a table's cells); fraction < 0: no such job is running.
    void progress(const QString& what, double fraction);
    void busyChanged(bool busy);

private:
    std::shared_ptr<Job> begin(QObject* owner, const QString& lane, const QString& what);
    bool finish(const std::shared_ptr<Job>& job); // forgets it; whether its outcome is still wanted
    bool reportProgress(); // whether a job was reported

    QThreadPool pool_;
    QList<std::shared_ptr<Job>> running_;
    QTimer ticker_;
    quint64 generations_ = 0;
};

template <typename Work, typename Done>
quint64 JobTracker::run(QObject* owner, const QString& lane, const QString& what, Work work, Done done,
    std::function<void(const JobFailure&)> failed)
{
    using Result = std::invoke_result_t<Work&, Job&>;
    auto job = begin(owner, lane, what);
    pool_.start([this, job, work = std::move(work), done = std::move(done), failed = std::move(failed)]() mutable {
        auto result = std::make_shared<std::optional<Result>>();
        JobFailure failure;
        try {
            if (job->cancelled()) // superseded or cancelled while it waited for a thread
                throw ckpt::Cancelled();
            result->emplace(work(*job));
        } catch (const ckpt::Cancelled&) {
            failure.cancelled = true;
        } catch (const std::exception& e) {
            failure.message = shownText(e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, job, result, failure, done = std::move(done), failed = std::move(failed)]() mutable {
                if (!finish(job))
                    return;
                if (*result)
                    done(std::move(**result));
                else if (failed)
                    failed(failure);
            },
            Qt::QueuedConnection);
    });
    return job->generation_;
}
