#include "CheckpointSession.h"

#include "ShownText.h"

#include "open/ReaderRegistry.h"
#include "scan/CheckpointScan.h"
#include "tensor/CheckpointTree.h"

#include <QFileInfo>
#include <QTimer>

namespace {

const QString kOpen = QStringLiteral("open");
const QString kStats = QStringLiteral("stats");
const QString kOverlay = QStringLiteral("overlay");
const QString kHeatmap = QStringLiteral("heatmap");
const QString kFilterGrid = QStringLiteral("filters");
const QString kCompare = QStringLiteral("compare");
const QString kDiagnose = QStringLiteral("doctor");
const QString kPairHistograms = QStringLiteral("histograms");
const QString kExport = QStringLiteral("export");
const QString kNetwork = QStringLiteral("network");
const QString kVerify = QStringLiteral("verify");

// A cache key: the tensor, a request's numbers and its fixed indices.
QString requestKey(int tensor, std::initializer_list<std::int64_t> numbers, const std::vector<std::int64_t>& fixed)
{
    QString key = QString::number(tensor) + QLatin1Char('/');
    for (auto n : numbers)
        key += QString::number(n) + QLatin1Char('/');
    for (auto i : fixed)
        key += QString::number(i) + QLatin1Char(',');
    return key;
}

// What the cells of a request are, whatever view asked for them.
QString blockKey(int tensor, const ckpt::SliceBlockRequest& r)
{
    return requestKey(tensor, { r.rowAxis, r.colAxis, r.firstRow, r.firstColumn, r.rows, r.columns }, r.fixed);
}

QString heatmapKey(int tensor, const ckpt::SliceHeatmapRequest& r)
{
    return requestKey(tensor,
        { r.rowAxis, r.colAxis, r.firstRow, r.firstColumn, r.targetRows, r.targetColumns, r.maxElements }, r.fixed);
}

std::shared_ptr<const ckpt::Checkpoint> openFile(const QString& path)
{
    return std::make_shared<const ckpt::Checkpoint>(ckpt::openCheckpoint(path.toStdString()));
}

} // namespace

CheckpointSession::CheckpointSession(JobTracker* jobs, const QString& path, const QString& displayName, QObject* parent)
    : QObject(parent)
    , jobs_(jobs)
    , path_(path)
    , displayName_(displayName)
{
}

CheckpointSession::~CheckpointSession()
{
    jobs_->cancelAll(this);
}

void CheckpointSession::open()
{
    const QString path = path_;
    jobs_->run(
        this, kOpen, tr("Opening %1").arg(displayName_),
        [path](JobTracker::Job&) {
            OpenedCheckpoint o;
            o.checkpoint = openFile(path);
            o.tree = std::make_shared<const ckpt::CheckpointTree>(*o.checkpoint);
            if (auto arch = ckpt::architectureOf(*o.checkpoint))
                o.architecture = std::make_shared<const ckpt::Architecture>(std::move(*arch));
            // The scan is the one `ckpt scan` makes: the app and the CLI give the same verdict.
            const ckpt::ScanReport scan = ckpt::scanFile(path.toStdString(), *o.checkpoint);
            o.unsafeContent = scan.unsafe() ? shownText(scan.unsafeSummary()) : QString();
            o.fileSize = QFileInfo(path).size();
            return o;
        },
        [this](OpenedCheckpoint o) {
            o.path = path_;
            o.displayName = displayName_;
            opened_ = std::move(o);
            emit opened();
        },
        [this](const JobFailure& why) { emit openFailed(why.cancelled ? tr("cancelled") : why.message); });
}

const ckpt::Tensor* CheckpointSession::tensor(int index) const
{
    if (!opened_.checkpoint || index < 0 || std::size_t(index) >= opened_.checkpoint->tensors.size())
        return nullptr;
    return &opened_.checkpoint->tensors[std::size_t(index)];
}

const ckpt::TensorStats* CheckpointSession::cachedStats(int tensor, int bins) const
{
    const auto it = stats_.constFind(StatsKey { tensor, bins });
    return it == stats_.constEnd() ? nullptr : &it.value();
}

void CheckpointSession::requestStats(int index, int bins)
{
    const ckpt::Tensor* t = tensor(index);
    if (!t)
        return;
    if (cachedStats(index, bins)) {
        jobs_->cancel(this, kStats);
        QTimer::singleShot(0, this, [this, index, bins] { emit statsReady(index, bins); });
        return;
    }
    const auto checkpoint = opened_.checkpoint;
    jobs_->run(
        this, kStats, tr("Statistics of %1").arg(shownText(t->info.name)),
        [checkpoint, t, bins](JobTracker::Job& job) {
            ckpt::StatsOptions o;
            o.bins = bins;
            o.cancel = job.cancelFlag();
            o.progress = job.progressCallback();
            return ckpt::computeStats(*t, o);
        },
        [this, index, bins](ckpt::TensorStats s) {
            stats_.insert(StatsKey { index, bins }, std::move(s));
            emit statsReady(index, bins);
        },
        [this, index](
            const JobFailure& why) { emit statsFailed(index, why.cancelled ? tr("cancelled") : why.message); });
}

void CheckpointSession::requestOverlay(const std::vector<int>& tensors, int bins)
{
    std::vector<const ckpt::Tensor*> missing;
    std::vector<int> indices;
    for (int i : tensors)
        if (tensor(i) && !cachedStats(i, bins)) {
            missing.push_back(tensor(i));
            indices.push_back(i);
        }
    if (missing.empty()) {
        jobs_->cancel(this, kOverlay);
        QTimer::singleShot(0, this, [this, tensors, bins] {
            for (int i : tensors)
                emit statsReady(i, bins);
        });
        return;
    }
    const auto checkpoint = opened_.checkpoint;
    jobs_->run(
        this, kOverlay,
        (tensors.size() == 1 ? tr("Distribution of 1 tensor") : tr("Distributions of %1 tensors").arg(tensors.size())),
        [checkpoint, missing, indices, bins](JobTracker::Job& job) {
            std::vector<std::pair<int, ckpt::TensorStats>> computed;
            for (std::size_t k = 0; k < missing.size(); ++k) {
                ckpt::StatsOptions o;
                o.bins = bins;
                o.cancel = job.cancelFlag();
                o.progress
                    = [&job, k, n = missing.size()](double f) { job.progressCallback()((double(k) + f) / double(n)); };
                try {
                    computed.emplace_back(indices[k], ckpt::computeStats(*missing[k], o));
                } catch (const ckpt::Cancelled&) {
                    throw;
                } catch (const std::exception&) {
                    // A tensor that cannot be read is left out of the overlay; its own view says why.
                }
            }
            return computed;
        },
        [this, tensors, bins](const std::vector<std::pair<int, ckpt::TensorStats>>& computed) {
            onOverlayStats(computed, bins);
            for (int i : tensors)
                if (cachedStats(i, bins))
                    emit statsReady(i, bins);
        },
        [this](const JobFailure& why) { emit overlayFailed(why.cancelled ? tr("cancelled") : why.message); });
}

void CheckpointSession::onOverlayStats(const std::vector<std::pair<int, ckpt::TensorStats>>& computed, int bins)
{
    for (const auto& [index, s] : computed)
        stats_.insert(StatsKey { index, bins }, s);
}

void CheckpointSession::requestSliceBlock(
    int index, quint64 view, int blockRow, int blockColumn, const ckpt::SliceBlockRequest& cells)
{
    const ckpt::Tensor* t = tensor(index);
    if (!t)
        return;
    const QString key = blockKey(index, cells);
    const BlockWaiter waiter { view, blockRow, blockColumn };
    if (auto* cached = blocks_.object(key)) {
        QTimer::singleShot(0, this, [this, index, waiter, block = *cached] { answerBlock(index, waiter, *block); });
        return;
    }
    const bool underWay = pendingBlocks_.contains(key);
    pendingBlocks_[key].append(waiter); // a read under way answers every view that asked
    if (underWay)
        return;
    const auto checkpoint = opened_.checkpoint;
    jobs_->run(
        this, QString(), QString(), // quiet: cells appear as they are read
        [checkpoint, t, cells](JobTracker::Job&) {
            SliceBlock block;
            try {
                block.cells = ckpt::readSliceBlock(*t, cells);
            } catch (const std::exception& e) {
                block.error = shownText(e.what()); // shown in the cells' tooltips
            }
            return block;
        },
        [this, key, index](const SliceBlock& block) {
            blocks_.insert(key, new std::shared_ptr<const SliceBlock>(std::make_shared<const SliceBlock>(block)));
            for (const BlockWaiter& w : pendingBlocks_.take(key))
                answerBlock(index, w, block);
        },
        [this, key, index](const JobFailure& why) {
            SliceBlock failed;
            failed.error = why.cancelled ? tr("reading was cancelled") : why.message;
            for (const BlockWaiter& w : pendingBlocks_.take(key))
                answerBlock(index, w, failed);
        });
}

void CheckpointSession::answerBlock(int index, const BlockWaiter& waiter, const SliceBlock& found)
{
    auto block = std::make_shared<SliceBlock>(found);
    block->tensor = index;
    block->view = waiter.view;
    block->blockRow = waiter.blockRow;
    block->blockColumn = waiter.blockColumn;
    emit sliceBlockReady(block);
}

void CheckpointSession::requestHeatmap(int index, const ckpt::SliceHeatmapRequest& request)
{
    const ckpt::Tensor* t = tensor(index);
    if (!t)
        return;
    const QString key = heatmapKey(index, request);
    if (auto* cached = heatmaps_.object(key)) {
        jobs_->cancel(this, kHeatmap);
        QTimer::singleShot(0, this, [this, index, map = *cached] { emit heatmapReady(index, map); });
        return;
    }
    const auto checkpoint = opened_.checkpoint;
    jobs_->run(
        this, kHeatmap, tr("Heatmap of %1").arg(shownText(t->info.name)),
        [checkpoint, t, request](JobTracker::Job& job) {
            return std::make_shared<const ckpt::SliceHeatmap>(
                ckpt::readSliceHeatmap(*t, request, job.cancelFlag(), job.progressCallback()));
        },
        [this, index, key](std::shared_ptr<const ckpt::SliceHeatmap> map) {
            heatmaps_.insert(key, new std::shared_ptr<const ckpt::SliceHeatmap>(map));
            emit heatmapReady(index, std::move(map));
        },
        [this, index, request](const JobFailure& why) {
            emit heatmapFailed(index, request, why.cancelled ? tr("cancelled") : why.message);
        });
}

void CheckpointSession::requestFilterGrid(int index, const ckpt::FilterGridRequest& request)
{
    const ckpt::Tensor* t = tensor(index);
    if (!t)
        return;
    const auto checkpoint = opened_.checkpoint;
    jobs_->run(
        this, kFilterGrid, tr("Kernels of %1").arg(shownText(t->info.name)),
        [checkpoint, t, request](JobTracker::Job& job) {
            return std::make_shared<const ckpt::FilterGrid>(ckpt::readFilterGrid(*t, request, job.cancelFlag()));
        },
        [this, index](std::shared_ptr<const ckpt::FilterGrid> grid) { emit filterGridReady(index, std::move(grid)); },
        [this, index](
            const JobFailure& why) { emit filterGridFailed(index, why.cancelled ? tr("cancelled") : why.message); });
}

void CheckpointSession::compare(const QString& pathB, const ckpt::DiffOptions& options, bool reopen)
{
    const auto a = opened_.checkpoint;
    std::shared_ptr<const ckpt::Checkpoint> b = reopen ? nullptr : b_;
    if (!a)
        return;
    jobs_->run(
        this, kCompare, reopen ? tr("Opening and comparing %1").arg(QFileInfo(pathB).fileName()) : tr("Comparing"),
        [a, b, pathB, options](JobTracker::Job& job) mutable {
            auto o = options;
            o.cancel = job.cancelFlag();
            o.progress = job.progressCallback();
            if (!b)
                b = openFile(pathB);
            return std::make_pair(b, ckpt::diffCheckpoints(*a, *b, o));
        },
        [this](std::pair<std::shared_ptr<const ckpt::Checkpoint>, ckpt::DiffReport> result) {
            b_ = result.first;
            emit compared(result.second);
        },
        [this](const JobFailure& why) {
            if (why.cancelled) {
                emit compareCancelled();
                return;
            }
            b_.reset(); // what was compared belonged to another B
            emit compareFailed(why.message);
        });
}

void CheckpointSession::diagnose(const QString& referencePath)
{
    const auto checkpoint = opened_.checkpoint;
    if (!checkpoint)
        return;
    jobs_->run(
        this, kDiagnose, tr("Checking %1").arg(QFileInfo(path_).fileName()),
        [checkpoint, referencePath](JobTracker::Job& job) {
            std::shared_ptr<const ckpt::Checkpoint> reference;
            ckpt::DoctorOptions options;
            options.cancel = job.cancelFlag();
            options.progress = job.progressCallback();
            if (!referencePath.isEmpty()) {
                reference = openFile(referencePath);
                options.reference = reference.get();
            }
            return std::make_shared<const ckpt::DoctorReport>(ckpt::diagnose(*checkpoint, options));
        },
        [this, referencePath](
            std::shared_ptr<const ckpt::DoctorReport> report) { emit diagnosed(report, referencePath); },
        [this](const JobFailure& why) { emit diagnoseFailed(why.cancelled ? tr("Cancelled") : why.message); });
}

void CheckpointSession::requestPairHistograms(const ckpt::TensorDiff& diff, int bins,
    std::shared_ptr<const ckpt::Checkpoint> a, std::shared_ptr<const ckpt::Checkpoint> b)
{
    const QString name = shownText(diff.name);
    // The diff's tensors point into A and B: the worker keeps both alive.
    jobs_->run(
        this, kPairHistograms, tr("Histograms of %1").arg(name),
        [a = std::move(a), b = std::move(b), diff, bins](
            JobTracker::Job& job) { return ckpt::pairHistograms(diff, bins, job.cancelFlag()); },
        [this, name](const ckpt::PairHistograms& h) { emit pairHistogramsReady(name, h); },
        [this, name](
            const JobFailure& why) { emit pairHistogramsFailed(name, why.cancelled ? tr("cancelled") : why.message); });
}

void CheckpointSession::exportTo(const QString& path, ckpt::ExportOptions options)
{
    const auto checkpoint = opened_.checkpoint;
    if (!checkpoint)
        return;
    jobs_->run(
        this, kExport, tr("Exporting to %1").arg(QFileInfo(path).fileName()),
        [checkpoint, path, options](JobTracker::Job& job) mutable {
            options.cancel = job.cancelFlag();
            options.progress = job.progressCallback();
            return ckpt::exportCheckpoint(*checkpoint, path.toStdString(), options);
        },
        [this, path](const ckpt::ExportSummary& summary) {
            emit exported(path, int(summary.names.size()), qint64(summary.bytes));
        },
        [this, path](const JobFailure& why) { emit exportFailed(path, why); });
}

void CheckpointSession::previewNetwork(const ckpt::MlpBuildOptions& options)
{
    const auto checkpoint = opened_.checkpoint;
    if (!checkpoint)
        return;
    jobs_->run(
        this, kNetwork, tr("Rebuilding the network"),
        [checkpoint, options](JobTracker::Job&) {
            auto preview = std::make_shared<NetworkPreview>();
            preview->network = ckpt::buildMlp(*checkpoint, options);
            preview->storedArchitecture = ckpt::hasStoredArchitecture(*checkpoint, options);
            preview->activations = options.hidden || options.final ? tr("chosen")
                : preview->storedArchitecture                      ? tr("stored in the file")
                                                                   : tr("default");
            return std::shared_ptr<const NetworkPreview>(std::move(preview));
        },
        [this](std::shared_ptr<const NetworkPreview> p) { emit networkReady(std::move(p)); },
        [this](const JobFailure& why) {
            if (!why.cancelled)
                emit networkFailed(why.message);
        });
}

void CheckpointSession::verify(const ckpt::VerifyRequest& request, const QString& otherPath)
{
    const auto checkpoint = opened_.checkpoint;
    if (!checkpoint)
        return;
    jobs_->run(
        this, kVerify, tr("Verifying"),
        [checkpoint, request, otherPath](JobTracker::Job&) {
            std::shared_ptr<const ckpt::Checkpoint> other;
            if (request.reference != ckpt::VerifyReference::OutputsInFile && !otherPath.isEmpty())
                other = openFile(otherPath);
            return std::make_shared<const ckpt::Verification>(ckpt::runVerification(*checkpoint, other.get(), request));
        },
        [this](std::shared_ptr<const ckpt::Verification> v) { emit verified(std::move(v)); },
        [this](const JobFailure& why) {
            if (!why.cancelled)
                emit verifyFailed(why.message);
        });
}

void CheckpointSession::cancel(const QString& operation)
{
    jobs_->cancel(this, operation);
}

void CheckpointSession::cancelAll()
{
    jobs_->cancelAll(this);
}

bool CheckpointSession::busy(const QString& operation) const
{
    return jobs_->busy(this, operation);
}
