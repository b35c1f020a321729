#pragma once

#include "numerics/Stats.h"
#include "tensor/Checkpoint.h"

#include <QFutureWatcher>
#include <QHash>
#include <QObject>
#include <QQueue>

#include <atomic>
#include <memory>

// Statistics and histograms computed off the UI thread, one tensor at a time, with progress
// and cancel; results are cached per (tensor, bins) so going back to a tensor is instant.
class StatsJobs : public QObject {
    Q_OBJECT
public:
    explicit StatsJobs(QObject* parent = nullptr);
    ~StatsJobs() override;

    void setCheckpoint(std::shared_ptr<const ckpt::Checkpoint> checkpoint); // clears cache and queue
    // Queues the computation (or answers from the cache, asynchronously). `front` puts it
    // ahead of queued work and cancels the running job if it is for something else.
    void request(int tensorIndex, int bins, bool front = true);
    const ckpt::TensorStats* cached(int tensorIndex, int bins) const;
    void cancelAll();
    bool busy() const { return running_ != nullptr; }

signals:
    void ready(int tensorIndex, int bins);
    void failed(int tensorIndex, const QString& message);
    void progress(const QString& what, double fraction); // fraction < 0: idle

private:
    struct Key {
        int tensor, bins;
        bool operator==(const Key&) const = default;
    };
    friend size_t qHash(const Key& k, size_t seed) { return qHashMulti(seed, k.tensor, k.bins); }
    struct Running;
    struct Outcome {
        ckpt::TensorStats stats;
        QString error;
        bool cancelled = false;
    };

    void startNext();
    void onFinished();

    std::shared_ptr<const ckpt::Checkpoint> checkpoint_;
    QHash<Key, ckpt::TensorStats> cache_;
    QQueue<Key> queue_;
    std::unique_ptr<Running> running_;
};
