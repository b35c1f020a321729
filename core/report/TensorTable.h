#pragma once

#include "numerics/Spectral.h"
#include "numerics/Stats.h"
#include "tensor/Tensor.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>

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

    double denormalFraction() const;
    double beyondFloat16Fraction() const;
};

// Throws what computeStats throws; spectral failures are kept in noSpectrum, not thrown.
TensorTableRow tensorTableRow(const Tensor& tensor, TableMetrics metrics, const StatsOptions& options = {});

// The row's metrics as JSON fields added to `out` (statsJson's object in `ckpt stats --json`).
void addTableJson(const TensorTableRow& row, nlohmann::ordered_json& out);

void writeTensorTableCsvHeader(std::ostream& out, TableMetrics metrics);
void writeTensorTableCsvRow(std::ostream& out, const TensorTableRow& row, TableMetrics metrics);

} // namespace ckpt
