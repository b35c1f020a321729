#include "RunSession.h"

#include "base/Cancelled.h"
#include "base/CheckpointError.h"
#include "timeline/RunPlan.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QStandardPaths>
#include <QTimer>

#include <stdexcept>
#include <utility>

namespace {

const QString kTimeline = QStringLiteral("timeline");
const QString kDistribution = QStringLiteral("distribution");

std::vector<std::string> toStd(const QStringList& paths)
{
    std::vector<std::string> out;
    for (const QString& p : paths)
        out.push_back(p.toStdString());
    return out;
}

ckpt::RunPlan plan(const std::vector<std::string>& paths, ckpt::StepOrder order)
{
    try {
        return ckpt::planRun(paths, order);
    } catch (const std::invalid_argument& e) {
        // About the run as a whole ("no checkpoint in the run"): named by its first path, as
        // `ckpt timeline` does, so the message is still "FILE: reason".
        throw ckpt::CheckpointError(paths.empty() ? std::string() : paths.front(), e.what());
    }
}

} // namespace

// Hands the run read so far to partial() at most every intervalMs (never the whole run: that is
// the job's result). Called on the worker; `session` is touched only on its own thread, by post.
std::function<void(const ckpt::RunTimeline&, std::size_t)> RunSession::partialsEvery(
    JobTracker::Job& job, int intervalMs, RunSession* session)
{
    auto last = std::make_shared<QElapsedTimer>();
    last->start();
    return [&job, intervalMs, session, last](const ckpt::RunTimeline& run, std::size_t stepsRead) {
        if (stepsRead >= run.plan.members.size() || (intervalMs > 0 && last->elapsed() < intervalMs))
            return;
        last->restart();
        auto soFar = std::make_shared<const ckpt::RunTimeline>(ckpt::firstSteps(run, stepsRead));
        job.post([session, soFar] { emit session->partial(soFar); });
    };
}

RunSession::RunSession(JobTracker* jobs, const QStringList& paths, QObject* parent)
    : QObject(parent)
    , jobs_(jobs)
    , paths_(paths)
    , cacheFolder_(QStandardPaths::writableLocation(QStandardPaths::CacheLocation))
{
}

RunSession::~RunSession()
{
    jobs_->cancelAll(this);
}

QString RunSession::displayName() const
{
    if (paths_.isEmpty())
        return {};
    const QString first = QFileInfo(paths_.front()).fileName();
    return paths_.size() == 1 ? first : tr("%1 and %n more", nullptr, int(paths_.size() - 1)).arg(first);
}

void RunSession::compute(ckpt::StepOrder order)
{
    order_ = order;
    const std::vector<std::string> paths = toStd(paths_);
    jobs_->run(
        this, kTimeline, tr("Reading the run %1").arg(displayName()),
        [this, paths, order, cache = cacheFolder_.toStdString(), interval = partialIntervalMs_](JobTracker::Job& job) {
            ckpt::TimelineOptions options;
            options.cacheFolder = cache;
            options.stepRead = partialsEvery(job, interval, this);
            options.cancel = job.cancelFlag();
            auto fraction = job.progressCallback();
            // Between checkpoints too: a run of many small files stops at the next one.
            options.progress = [&job, fraction](std::size_t step, std::size_t steps) {
                if (job.cancelled())
                    throw ckpt::Cancelled();
                fraction(steps == 0 ? 1.0 : double(step) / double(steps));
            };
            return std::make_shared<const ckpt::RunTimeline>(ckpt::computeTimeline(plan(paths, order), options));
        },
        [this](std::shared_ptr<const ckpt::RunTimeline> timeline) {
            timeline_ = std::move(timeline);
            emit ready();
        },
        [this](const JobFailure& why) {
            if (why.cancelled)
                emit cancelled();
            else
                emit failed(why.message);
        });
}

void RunSession::computeDistribution(const QString& tensor, int bins)
{
    const auto timeline = timeline_;
    if (!timeline)
        return;
    jobs_->run(
        this, kDistribution, tr("Reading %1 at every step").arg(tensor),
        [timeline, name = tensor.toStdString(), bins](JobTracker::Job& job) {
            ckpt::StepDistributionOptions options;
            options.bins = bins;
            options.cancel = job.cancelFlag();
            auto fraction = job.progressCallback();
            options.progress = [fraction](std::size_t step, std::size_t steps) {
                fraction(steps == 0 ? 1.0 : double(step) / double(steps));
            };
            try {
                return std::make_shared<const ckpt::StepDistribution>(ckpt::stepDistribution(*timeline, name, options));
            } catch (const std::invalid_argument& e) {
                throw ckpt::CheckpointError(name, e.what());
            }
        },
        [this](std::shared_ptr<const ckpt::StepDistribution> d) { emit distributionReady(std::move(d)); },
        [this, tensor](
            const JobFailure& why) { emit distributionFailed(tensor, why.cancelled ? tr("Cancelled") : why.message); });
}

void RunSession::cancelDistribution()
{
    jobs_->cancel(this, kDistribution);
}

void RunSession::watch(bool on, int settleMs)
{
    delete std::exchange(watcher_, nullptr);
    delete std::exchange(settle_, nullptr);
    if (!on)
        return;
    watcher_ = new QFileSystemWatcher(this);
    settle_ = new QTimer(this);
    settle_->setSingleShot(true);
    settle_->setInterval(settleMs);
    connect(watcher_, &QFileSystemWatcher::directoryChanged, this, &RunSession::changed);
    connect(watcher_, &QFileSystemWatcher::fileChanged, this, &RunSession::changed);
    connect(settle_, &QTimer::timeout, this, [this] {
        if (busy())
            settle_->start(); // a read is under way: look again once it is quiet
        else
            compute(order_);
    });
    connect(this, &RunSession::ready, this, &RunSession::watchFiles, Qt::UniqueConnection);
    watchFiles();
}

// Files being written change many times: each change restarts the wait.
void RunSession::changed()
{
    if (settle_)
        settle_->start();
}

void RunSession::watchFiles()
{
    if (!watcher_)
        return;
    QStringList wanted;
    for (const QString& path : paths_) {
        wanted << path;
        const QFileInfo info(path);
        if (info.isDir())
            for (const QFileInfo& entry : QDir(path).entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot))
                wanted << entry.filePath();
    }
    const QStringList watched = watcher_->files() + watcher_->directories();
    QStringList added;
    for (const QString& path : wanted)
        if (!watched.contains(path))
            added << path;
    if (!added.isEmpty())
        watcher_->addPaths(added);
}

void RunSession::cancel()
{
    jobs_->cancel(this, kTimeline);
}

bool RunSession::busy() const
{
    return jobs_->busy(this, kTimeline);
}
