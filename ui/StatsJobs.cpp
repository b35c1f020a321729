#include "StatsJobs.h"

#include "ShownText.h"

#include <QPointer>
#include <QTimer>
#include <QtConcurrent>

struct StatsJobs::Running {
    Key key;
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<std::atomic<double>> fraction = std::make_shared<std::atomic<double>>(0.0);
    QFutureWatcher<StatsJobs::Outcome> watcher;
    QTimer ticker; // progress reaches the UI by polling: the worker never touches widgets
};

StatsJobs::StatsJobs(QObject* parent)
    : QObject(parent)
{
}

StatsJobs::~StatsJobs()
{
    if (running_) {
        running_->cancel->store(true);
        running_->watcher.waitForFinished();
    }
}

void StatsJobs::setCheckpoint(std::shared_ptr<const ckpt::Checkpoint> checkpoint)
{
    cancelAll();
    if (running_)
        running_->watcher.waitForFinished();
    running_.reset();
    cache_.clear();
    checkpoint_ = std::move(checkpoint);
}

const ckpt::TensorStats* StatsJobs::cached(int tensorIndex, int bins) const
{
    const auto it = cache_.constFind(Key{tensorIndex, bins});
    return it == cache_.constEnd() ? nullptr : &it.value();
}

void StatsJobs::request(int tensorIndex, int bins, bool front)
{
    const Key key{tensorIndex, bins};
    if (cache_.contains(key)) {
        QTimer::singleShot(0, this, [this, key] { emit ready(key.tensor, key.bins); });
        return;
    }
    if (running_ && running_->key == key)
        return;
    queue_.removeAll(key);
    if (front) {
        queue_.prepend(key);
        if (running_)
            running_->cancel->store(true); // the newest request wins; the old one is requeued if still wanted
    } else {
        queue_.enqueue(key);
    }
    startNext();
}

void StatsJobs::cancelAll()
{
    queue_.clear();
    if (running_)
        running_->cancel->store(true);
}

void StatsJobs::startNext()
{
    if (running_ || queue_.isEmpty() || !checkpoint_)
        return;
    running_ = std::make_unique<Running>();
    running_->key = queue_.dequeue();
    const auto checkpoint = checkpoint_;
    const auto cancel = running_->cancel;
    const auto fraction = running_->fraction;
    const Key key = running_->key;
    const QString name = shownText(checkpoint->tensors[std::size_t(key.tensor)].info.name);
    connect(&running_->watcher, &QFutureWatcher<Outcome>::finished, this, &StatsJobs::onFinished);
    connect(&running_->ticker, &QTimer::timeout, this,
            [this, name, fraction] { emit progress(tr("Statistics of %1").arg(name), fraction->load()); });
    running_->ticker.start(100);
    emit progress(tr("Statistics of %1").arg(name), 0.0);
    running_->watcher.setFuture(QtConcurrent::run([checkpoint, cancel, fraction, key] {
        ckpt::StatsOptions o;
        o.bins = key.bins;
        o.cancel = cancel.get();
        o.progress = [fraction](double f) { fraction->store(f); };
        Outcome out;
        try {
            out.stats = ckpt::computeStats(checkpoint->tensors[std::size_t(key.tensor)], o);
        } catch (const ckpt::Cancelled&) {
            out.cancelled = true;
        } catch (const std::exception& e) {
            out.error = shownText(e.what());
        }
        return out;
    }));
}

void StatsJobs::onFinished()
{
    std::unique_ptr<Running> done = std::move(running_);
    done->ticker.stop();
    const Outcome out = done->watcher.result();
    if (!out.error.isEmpty()) {
        emit failed(done->key.tensor, out.error);
    } else if (!out.cancelled) {
        cache_.insert(done->key, out.stats);
        emit ready(done->key.tensor, done->key.bins);
    }
    emit progress(QString(), -1.0);
    startNext();
}
