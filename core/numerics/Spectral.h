#pragma once

#include "tensor/Tensor.h"

#include <atomic>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace ckpt {

// Spectral metrics of a weight matrix: a 2-D tensor, or a convolution weight read as
// out × (everything else) in PyTorch's layout.
struct SpectralMetrics {
    std::int64_t rows = 0, cols = 0;
    double frobenius = 0; // ||W||_F, exact
    double spectralNorm = 0; // ||W||_2, the largest singular value
    double stableRank = 0; // ||W||_F^2 / ||W||_2^2 (Rudelson & Vershynin)
    // exp of the entropy of the singular values normalised to sum 1 (Roy & Vetterli, "The
    // effective rank", EUSIPCO 2007); NaN when the matrix is too large for its full spectrum.
    double effectiveRank = std::numeric_limits<double>::quiet_NaN();
    // The power-law exponent of the eigenvalues sigma^2 and its fit's Kolmogorov-Smirnov distance,
    // as WeightWatcher fits them (numerics/PowerLaw.h); NaN without the full spectrum or a fit.
    double alpha = std::numeric_limits<double>::quiet_NaN();
    double alphaKs = std::numeric_limits<double>::quiet_NaN();
    bool fullSpectrum = false; // all singular values were computed (else the top one by Lanczos)
};

struct SpectralOptions {
    // Matrices whose smaller side is at most this get a full SVD (Eigen's BDCSVD); larger ones the
    // largest singular value by Lanczos on the smaller Gram matrix (Spectra).
    std::int64_t maxFullSvdSide = 512;
    std::int64_t maxElements = std::int64_t(1) << 28; // read into memory as float32: 1 GiB at most
    const std::atomic<bool>* cancel = nullptr;
};

// The matrix a tensor is read as, or nullopt for scalars and vectors: {rows, cols}.
std::optional<std::pair<std::int64_t, std::int64_t>> matrixShape(const Tensor& tensor);

// Throws std::invalid_argument when the tensor is not a matrix, is too large, or holds NaN or
// infinities (the metrics have no meaning then); Cancelled; what the tensor's source throws.
SpectralMetrics computeSpectral(const Tensor& tensor, const SpectralOptions& options = {});

} // namespace ckpt
