#include "JobTracker.h"

JobTracker::JobTracker(QObject* parent)
    : QObject(parent)
{
    ticker_.setInterval(100);
    connect(&ticker_, &QTimer::timeout, this, &JobTracker::reportProgress);
}

JobTracker::~JobTracker()
{
    cancelAll();
    pool_.waitForDone();
}

std::shared_ptr<JobTracker::Job> JobTracker::begin(QObject* owner, const QString& lane, const QString& what)
{
    if (!lane.isEmpty())
        for (const auto& j : running_)
            if (j->owner_.data() == owner && j->lane_ == lane) {
                j->superseded_ = true;
                j->cancelled_.store(true);
            }
    auto job = std::make_shared<Job>();
    job->tracker_ = this;
    job->self_ = job;
    job->owner_ = owner;
    job->lane_ = lane;
    job->what_ = what;
    job->generation_ = ++generations_;
    const bool wasBusy = busy();
    running_.append(job);
    if (!what.isEmpty()) {
        if (!ticker_.isActive())
            ticker_.start();
        emit progress(what, 0.0);
    }
    if (!wasBusy)
        emit busyChanged(true);
    return job;
}

void JobTracker::Job::post(std::function<void()> fn)
{
    QMetaObject::invokeMethod(
        tracker_,
        [tracker = tracker_, job = self_, fn = std::move(fn)] {
            const auto j = job.lock();
            if (j && tracker->running_.contains(j) && !j->superseded_ && !j->cancelled() && j->owner_)
                fn();
        },
        Qt::QueuedConnection);
}

bool JobTracker::finish(const std::shared_ptr<Job>& job)
{
    const bool wasBusy = busy();
    running_.removeOne(job);
    if (ticker_.isActive() && !reportProgress()) {
        ticker_.stop();
        emit progress(QString(), -1.0);
    }
    if (wasBusy && !busy())
        emit busyChanged(false);
    return !job->superseded_ && job->owner_;
}

void JobTracker::cancel(const QObject* owner, const QString& lane)
{
    for (const auto& j : running_)
        if (j->owner_.data() == owner && j->lane_ == lane)
            j->cancelled_.store(true);
}

void JobTracker::cancelAll(const QObject* owner)
{
    for (const auto& j : running_)
        if (owner ? j->owner_.data() == owner : !j->what_.isEmpty())
            j->cancelled_.store(true);
}

bool JobTracker::busy(const QObject* owner, const QString& lane) const
{
    for (const auto& j : running_)
        if (!j->superseded_ && (!owner || j->owner_.data() == owner) && (lane.isEmpty() || j->lane_ == lane))
            return true;
    return false;
}

bool JobTracker::waitForIdle(int timeoutMs)
{
    return pool_.waitForDone(timeoutMs);
}

bool JobTracker::reportProgress()
{
    for (auto it = running_.crbegin(); it != running_.crend(); ++it)
        if (!(*it)->superseded_ && !(*it)->what_.isEmpty()) {
            emit progress((*it)->what_, (*it)->fraction_.load());
            return true;
        }
    return false;
}
