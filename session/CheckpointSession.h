#pragma once

#include "JobTracker.h"
#include "OpenedCheckpoint.h"

#include "compare/Diff.h"
#include "compare/PairHistograms.h"
#include "doctor/Doctor.h"
#include "export/Export.h"
#include "numerics/Stats.h"
#include "report/FilterGrid.h"
#include "report/SliceBlock.h"
#include "report/SliceHeatmap.h"
#include "report/TensorTable.h"
#include "verify/Verification.h"

#include <QCache>
#include <QHash>
#include <QObject>

#include <memory>
#include <vector>

// Cells of a slice for a table view: `view` is the model's own id for the slice it showed when
// asking, so that blocks of an older slice are recognised and dropped.
struct SliceBlock {
    int tensor = -1;
    quint64 view = 0;
    int blockRow = 0;
    int blockColumn = 0;
    ckpt::SliceBlockValues cells;
    QString error;
};

// The network the Verify tab would run with the current settings, and where its activations
// come from ("chosen", "stored in the file", "default").
struct NetworkPreview {
    ckpt::Mlp network;
    QString activations;
    bool storedArchitecture = false; // the file describes its own network
};

// One checkpoint the app has open, and every background operation on it: opening, statistics,
// slices of values, comparison with a second file, export and verification. Each runs through
// the JobTracker (owned by this session, so closing the session drops its results) and answers
// with a typed signal on the session's thread. Widgets and item models only ask and listen.
class CheckpointSession : public QObject {
    Q_OBJECT
public:
    CheckpointSession(JobTracker* jobs, const QString& path, const QString& displayName, QObject* parent = nullptr);
    ~CheckpointSession() override; // cancels what is still running for it

    // Opening: the core's openCheckpoint and the scan `ckpt scan` makes, off the UI thread.
    void open();
    bool isOpen() const { return opened_.checkpoint != nullptr; }
    const OpenedCheckpoint& openedCheckpoint() const { return opened_; }
    std::shared_ptr<const ckpt::Checkpoint> checkpoint() const { return opened_.checkpoint; }
    const ckpt::Tensor* tensor(int index) const;

    // Statistics and histograms, cached per (tensor, bins). The newest request wins; an answer
    // from the cache also comes as a signal, later.
    void requestStats(int tensor, int bins);
    void requestOverlay(const std::vector<int>& tensors, int bins); // statsReady for each, in order
    const ckpt::TensorStats* cachedStats(int tensor, int bins) const;

    // A block of cells of a slice (cached; a block already asked for is not read twice).
    void requestSliceBlock(
        int tensor, quint64 view, int blockRow, int blockColumn, const ckpt::SliceBlockRequest& cells);

    // A picture of a slice (its values reduced to blocks), read in the background with progress;
    // the newest request wins. Cached per request.
    void requestHeatmap(int tensor, const ckpt::SliceHeatmapRequest& request);
    // The kernels of a convolution weight as small multiples (a few thousand weights at most).
    void requestFilterGrid(int tensor, const ckpt::FilterGridRequest& request);

    // Comparison with B (opened again when `reopen`, else the B of the last comparison).
    void compare(const QString& pathB, const ckpt::DiffOptions& options, bool reopen);
    // `a` and `b`: the checkpoints the diff's tensors belong to (kept alive while it runs).
    void requestPairHistograms(const ckpt::TensorDiff& diff, int bins, std::shared_ptr<const ckpt::Checkpoint> a,
        std::shared_ptr<const ckpt::Checkpoint> b);
    std::shared_ptr<const ckpt::Checkpoint> checkpointB() const { return b_; }

    // Export of a selection (options.cancel and options.progress are the session's).
    void exportTo(const QString& path, ckpt::ExportOptions options);

    // Verify: the network the settings describe, and the verification itself; `otherPath` is
    // the file with X and Y or the clone (unused when X and Y are in this file).
    void previewNetwork(const ckpt::MlpBuildOptions& options);
    void verify(const ckpt::VerifyRequest& request, const QString& otherPath);
    // ckpt doctor on the open checkpoint, against the reference file when one is named.
    void diagnose(const QString& referencePath = {});

    // The tensor table (issue 20): every tensor's basic metrics (one statistics sweep each), all
    // at once; then, with `spectral`, the matrices' spectral metrics a batch at a time, each
    // batch as it arrives. A new request supersedes the running one. Rows are in tensor order,
    // without histograms.
    void computeTable(bool spectral);
    // Stops the spectral pass (the rows keep what arrived) and says tableFinished; the basic pass
    // still running, if any, goes on without spectral metrics.
    void stopSpectral();
    std::shared_ptr<const std::vector<ckpt::TensorTableRow>> table() const { return table_; }
    // The rows (indices into table()) as a CSV file, written in the background.
    void exportTable(const QString& path, const std::vector<int>& rows);

    void cancel(const QString& operation); // "stats", "compare", "export", "verify", …
    void cancelAll();
    bool busy(const QString& operation = {}) const;
    JobTracker* jobs() const { return jobs_; }

signals:
    void opened();
    void openFailed(const QString& message);
    void statsReady(int tensor, int bins);
    void statsFailed(int tensor, const QString& message); // also when cancelled
    void overlayFailed(const QString& message); // cancelled
    void sliceBlockReady(std::shared_ptr<const SliceBlock> block);
    void heatmapReady(int tensor, std::shared_ptr<const ckpt::SliceHeatmap> heatmap);
    void heatmapFailed(
        int tensor, const ckpt::SliceHeatmapRequest& request, const QString& message); // also when cancelled
    void filterGridReady(int tensor, std::shared_ptr<const ckpt::FilterGrid> grid);
    void filterGridFailed(int tensor, const QString& message); // also when cancelled
    void compared(const ckpt::DiffReport& report);
    void compareFailed(const QString& message);
    void compareCancelled();
    void pairHistogramsReady(const QString& name, const ckpt::PairHistograms& histograms);
    void pairHistogramsFailed(const QString& name, const QString& message); // also when cancelled
    void exported(const QString& path, int tensors, qint64 bytes);
    void exportFailed(const QString& path, const JobFailure& why);
    void networkReady(std::shared_ptr<const NetworkPreview> preview);
    void networkFailed(const QString& message);
    void verified(std::shared_ptr<const ckpt::Verification> verification);
    void verifyFailed(const QString& message);
    void diagnosed(std::shared_ptr<const ckpt::DoctorReport> report, const QString& referencePath);
    void diagnoseFailed(const QString& message); // also when cancelled
    void tableReady(); // table() holds a row per tensor
    void tableRowsChanged(int first, int last); // spectral metrics arrived for these rows
    void tableFinished(); // every metric asked for is in
    void tableFailed(const QString& message); // also when cancelled
    void tableExported(const QString& path, int rows);
    void tableExportFailed(const QString& path, const QString& message);

private:
    struct BlockWaiter {
        quint64 view;
        int blockRow, blockColumn;
    };
    struct StatsKey {
        int tensor, bins;
        bool operator==(const StatsKey&) const = default;
    };
    friend size_t qHash(const StatsKey& k, size_t seed) { return qHashMulti(seed, k.tensor, k.bins); }
    void answerBlock(int tensor, const BlockWaiter& waiter, const SliceBlock& found);
    void onOverlayStats(const std::vector<std::pair<int, ckpt::TensorStats>>& computed, int bins);
    void computeSpectralFrom(int first, quint64 tableId);

    JobTracker* jobs_;
    QString path_, displayName_;
    OpenedCheckpoint opened_;
    std::shared_ptr<const std::vector<ckpt::TensorTableRow>> table_;
    quint64 tableId_ = 0; // which computeTable the rows and batches belong to
    bool spectralWanted_ = false; // after the basic pass
    bool spectralRunning_ = false;
    std::shared_ptr<const ckpt::Checkpoint> b_;
    QHash<StatsKey, ckpt::TensorStats> stats_;
    QCache<QString, std::shared_ptr<const SliceBlock>> blocks_ { 512 }; // by content, not by view
    QHash<QString, QList<BlockWaiter>> pendingBlocks_; // reads under way, and who asked
    // A few recent pictures (each at most 512 x 512 blocks of four numbers: 8 MiB).
    QCache<QString, std::shared_ptr<const ckpt::SliceHeatmap>> heatmaps_ { 8 };
};
