// CheckpointSession's tensor table: the basic metrics of every tensor in one job, then the
// spectral metrics in batches of about a quarter of a second, each shown as it arrives.
#include "CheckpointSession.h"

#include <QFileInfo>

#include <algorithm>

#include <chrono>
#include <thread>

namespace {

const QString kTable = QStringLiteral("table");
const QString kTableExport = QStringLiteral("table-export");

// The spectral metrics of one row, as a batch carries them back.
struct SpectralResult {
    int row;
    std::optional<ckpt::SpectralMetrics> spectral;
    std::string noSpectrum;
};

struct SpectralBatch {
    int first = 0, next = 0; // rows [first, next) were looked at
    std::vector<SpectralResult> results;
};

constexpr auto kBatchTime = std::chrono::milliseconds(250);

} // namespace

void CheckpointSession::computeTable(bool spectral)
{
    const auto checkpoint = opened_.checkpoint;
    if (!checkpoint)
        return;
    const quint64 id = ++tableId_;
    spectralWanted_ = spectral;
    spectralRunning_ = false;
    jobs_->run(
        this, kTable, tr("Reading every tensor of %1").arg(QFileInfo(path_).fileName()),
        [checkpoint](JobTracker::Job& job) {
            auto rows = std::make_shared<std::vector<ckpt::TensorTableRow>>();
            const auto progress = job.progressCallback();
            ckpt::StatsOptions options;
            options.cancel = job.cancelFlag();
            options.bins = 1; // the table shows no histograms
            std::vector<const ckpt::Tensor*> tensors;
            for (const ckpt::Tensor& t : checkpoint->tensors)
                tensors.push_back(&t);
            ckpt::sweepTensors(
                tensors, options, [&](std::size_t i, const ckpt::Tensor& t, const ckpt::StatsOptions& o) {
                    progress(double(i) / double(tensors.size()));
                    try {
                        if (!t.info.unreadable.empty())
                            throw std::runtime_error(t.info.unreadable);
                        rows->push_back(ckpt::tensorTableRow(t, ckpt::TableMetrics::Basic, o));
                    } catch (const ckpt::Cancelled&) {
                        throw;
                    } catch (const std::exception& e) {
                        rows->push_back(ckpt::unreadableTableRow(t, e.what()));
                    }
                    rows->back().stats.histogram = {};
                });
            return std::shared_ptr<const std::vector<ckpt::TensorTableRow>>(std::move(rows));
        },
        [this, id](std::shared_ptr<const std::vector<ckpt::TensorTableRow>> rows) {
            table_ = std::move(rows);
            emit tableReady();
            if (spectralWanted_)
                computeSpectralFrom(0, id);
            else
                emit tableFinished();
        },
        [this](const JobFailure& why) { emit tableFailed(why.cancelled ? tr("Cancelled") : why.message); });
}

void CheckpointSession::computeSpectralFrom(int first, quint64 tableId)
{
    const auto checkpoint = opened_.checkpoint;
    const auto rows = table_;
    if (!checkpoint || !rows || tableId != tableId_)
        return;
    const int total = int(rows->size());
    spectralRunning_ = true;
    jobs_->run(
        this, kTable, tr("Spectral metrics: %1 of %2 tensors").arg(first).arg(total),
        [checkpoint, rows, first, total](JobTracker::Job& job) {
            SpectralBatch batch;
            batch.first = batch.next = first;
            const auto start = std::chrono::steady_clock::now();
            const auto progress = job.progressCallback();
            // A group of rows at a time, one matrix per core, until the batch's time is up.
            const int group = int(std::max(1u, std::thread::hardware_concurrency()));
            while (batch.next < total && std::chrono::steady_clock::now() - start < kBatchTime) {
                progress(double(batch.next) / double(total));
                const int end = std::min(total, batch.next + group);
                std::vector<ckpt::TensorTableRow> computed(
                    rows->begin() + batch.next, rows->begin() + end); // copies: the shared rows stay as they are
                std::vector<ckpt::TensorTableRow*> pointers;
                std::vector<const ckpt::Tensor*> tensors;
                for (int i = batch.next; i < end; ++i) {
                    pointers.push_back(&computed[std::size_t(i - batch.next)]);
                    tensors.push_back(&checkpoint->tensors[std::size_t(i)]);
                }
                ckpt::addSpectralMetrics(pointers, tensors, group, job.cancelFlag());
                for (int i = batch.next; i < end; ++i)
                    if (const auto& row = computed[std::size_t(i - batch.next)]; row.error.empty())
                        batch.results.push_back({ i, row.spectral, row.noSpectrum });
                batch.next = end;
            }
            return batch;
        },
        [this, tableId, total](const SpectralBatch& batch) {
            if (tableId != tableId_)
                return;
            auto updated = std::make_shared<std::vector<ckpt::TensorTableRow>>(*table_);
            for (const SpectralResult& r : batch.results) {
                (*updated)[std::size_t(r.row)].spectral = r.spectral;
                (*updated)[std::size_t(r.row)].noSpectrum = r.noSpectrum;
            }
            table_ = std::move(updated);
            if (batch.next > batch.first)
                emit tableRowsChanged(batch.first, batch.next - 1);
            if (batch.next < total)
                return computeSpectralFrom(batch.next, tableId);
            spectralRunning_ = false;
            emit tableFinished();
        },
        [this, tableId](const JobFailure& why) {
            if (tableId != tableId_)
                return; // stopped or superseded
            spectralRunning_ = false;
            emit tableFailed(why.cancelled ? tr("Cancelled") : why.message);
        });
}

void CheckpointSession::stopSpectral()
{
    spectralWanted_ = false;
    if (!spectralRunning_)
        return;
    spectralRunning_ = false;
    ++tableId_; // a batch already done is dropped when it arrives
    jobs_->cancel(this, kTable);
    emit tableFinished();
}

void CheckpointSession::exportTable(const QString& path, const std::vector<int>& rows)
{
    const auto table = table_;
    if (!table)
        return;
    const bool spectral = std::any_of(table->begin(), table->end(),
        [](const ckpt::TensorTableRow& r) { return r.spectral || !r.noSpectrum.empty(); });
    jobs_->run(
        this, kTableExport, tr("Saving the table to %1").arg(QFileInfo(path).fileName()),
        [table, path, rows, spectral](JobTracker::Job&) {
            std::vector<const ckpt::TensorTableRow*> chosen;
            for (int r : rows)
                chosen.push_back(&table->at(std::size_t(r)));
            ckpt::saveTensorTableCsv(
                path.toStdString(), chosen, spectral ? ckpt::TableMetrics::All : ckpt::TableMetrics::Basic);
            return int(chosen.size());
        },
        [this, path](int written) { emit tableExported(path, written); },
        [this, path](
            const JobFailure& why) { emit tableExportFailed(path, why.cancelled ? tr("Cancelled") : why.message); });
}
