#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace ckpt {

// The power-law fit of a weight matrix's empirical spectral density as WeightWatcher makes it
// (C. H. Martin and M. W. Mahoney, "Implicit self-regularization in deep neural networks",
// JMLR 22(165), 2021, and "Predicting trends in the quality of state-of-the-art neural networks
// without access to training or testing data", Nature Communications 12, 4122, 2021;
// weightwatcher's fit_powerlaw, which calls the powerlaw package of Alstott et al. with
// xmax = the largest eigenvalue). The fit is Clauset, Shalizi and Newman's ("Power-law
// distributions in empirical data", SIAM Review 51(4), 2009): for every candidate xmin among the
// distinct eigenvalues but the largest, the continuous maximum-likelihood exponent
//     alpha = 1 + n / sum_i ln(lambda_i / xmin)   over the n eigenvalues >= xmin,
// and the Kolmogorov-Smirnov distance D between those eigenvalues' empirical CDF (the fraction
// below each distinct value) and the power law's CDF on [xmin, lambda_max]; the xmin with the
// smallest D (the first, should several tie) gives alpha. Small D: a good fit. WeightWatcher
// reads alpha of about 2 to 6 as a trained layer, below 2 as over-trained, above 6 as not trained.
struct PowerLawFit {
    double alpha = 0;
    double xmin = 0;
    double ks = 0; // D, the fit's Kolmogorov-Smirnov distance
    std::int64_t tail = 0; // eigenvalues >= xmin
};

// Eigenvalues at or below this are left out (weightwatcher's EVALS_THRESH).
constexpr double kPowerLawEigenvalueFloor = 1e-5;
// Fewer eigenvalues above the floor than this get no fit (weightwatcher's MIN_NUM_EVALS).
constexpr std::size_t kPowerLawMinEigenvalues = 10;

// The fit of these eigenvalues (lambda = sigma^2 of W, any order), or nullopt when too few are
// left above the floor or they take fewer than two distinct values.
std::optional<PowerLawFit> fitPowerLaw(std::vector<double> eigenvalues);

} // namespace ckpt
