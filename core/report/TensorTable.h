#pragma once

#include "numerics/Spectral.h"
#include "numerics/Stats.h"
#include "tensor/Tensor.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ckpt {

// The metrics of one row of the tensor table (issue 20). Basic: one statistics sweep, and what
// follows from it (denormal and float16-overflow fractions included). All: also, for matrices,
// the spectral metrics.
enum class TableMetrics { Basic, All };

struct TensorTableRow {
    TensorInfo info;
    TensorStats stats;
    double l2 = 0, maxAbs = 0, zeroFraction = 0; // over the finite values (zero fraction: of all)
    std::optional<SpectralMetrics> spectral; // All, for matrices that have one
    std::string noSpectrum; // All: why a tensor has no spectral metrics ("not a matrix", ...)
    std::string error; // why the row has no metrics at all (its data could not be read); else empty

    double denormalFraction() const;
    double beyondFloat16Fraction() const;
};

// Throws what computeStats throws; spectral failures are kept in noSpectrum, not thrown.
TensorTableRow tensorTableRow(const Tensor& tensor, TableMetrics metrics, const StatsOptions& options = {});
// The spectral metrics of a row made with Basic metrics (what All adds), for callers that show
// the basic table first. Throws Cancelled.
void addSpectralMetrics(TensorTableRow& row, const Tensor& tensor, const std::atomic<bool>* cancel = nullptr);
// The same for rows[i] of *tensors[i] (rows with an error are left alone), `threads` matrices at
// a time (0: one per core): each matrix is read into memory, so at most that many at once.
void addSpectralMetrics(std::vector<TensorTableRow*> rows, const std::vector<const Tensor*>& tensors, int threads,
    const std::atomic<bool>* cancel = nullptr);
// A row for a tensor whose data cannot be read: its name, dtype and shape, and why.
TensorTableRow unreadableTableRow(const Tensor& tensor, const std::string& why);

// A sweep over the whole table: visit(i, tensor, options) for each tensors[i] in order, with the
// mapped tensors (a .pt, .safetensors, .npy) read ahead of it by a MappedReadAhead: `tensor` is
// tensors[i] itself, or the same tensor served from the bytes the read-ahead read past the page
// cache; options' adviseReadAhead is off where the read-ahead covers tensors[i]. What visit
// throws ends the sweep.
void sweepTensors(const std::vector<const Tensor*>& tensors, StatsOptions options,
    const std::function<void(std::size_t, const Tensor&, const StatsOptions&)>& visit);

// The row's metrics as JSON fields added to `out` (statsJson's object in `ckpt stats --json`).
void addTableJson(const TensorTableRow& row, nlohmann::ordered_json& out);

void writeTensorTableCsvHeader(std::ostream& out, TableMetrics metrics);
void writeTensorTableCsvRow(std::ostream& out, const TensorTableRow& row, TableMetrics metrics);
// The rows as a CSV file, written to a temporary file renamed into place when complete.
void saveTensorTableCsv(const std::string& path, const std::vector<const TensorTableRow*>& rows, TableMetrics metrics);

} // namespace ckpt
