#include "numerics/Spectral.h"

#include "base/Cancelled.h"
#include "numerics/Convert.h"
#include "numerics/PowerLaw.h"
#include "tensor/TensorChunks.h"

#include <Eigen/Dense>
#include <Eigen/SVD>
#include <Spectra/SymEigsSolver.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace ckpt {
namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Matrix readMatrix(const Tensor& tensor, std::int64_t rows, std::int64_t cols, const std::atomic<bool>* cancel)
{
    Matrix m(rows, cols);
    float* out = m.data();
    std::vector<double> values;
    forEachChunk(
        tensor,
        [&](const TensorChunk& chunk) {
            if (tensor.info.dtype == DType::Float32) { // as stored: no round trip through double
                std::memcpy(out + chunk.first, chunk.data, std::size_t(chunk.count) * sizeof(float));
                const float* f = out + chunk.first;
                bool finite = true;
                for (std::int64_t i = 0; i < chunk.count; ++i)
                    finite &= std::isfinite(f[i]);
                if (!finite)
                    throw std::invalid_argument("holds NaN or infinite values");
                return;
            }
            values.resize(std::size_t(chunk.count));
            convertToDouble(tensor.info.dtype, chunk.data, chunk.count, values.data());
            for (std::int64_t i = 0; i < chunk.count; ++i) {
                if (!std::isfinite(values[std::size_t(i)]))
                    throw std::invalid_argument("holds NaN or infinite values");
                out[chunk.first + i] = float(values[std::size_t(i)]);
            }
        },
        cancel);
    return m;
}

// x -> G x with G = WᵀW (or WWᵀ when W is wide): the smaller Gram matrix, never formed. Its
// largest eigenvalue is ||W||_2².
class GramOperator {
public:
    using Scalar = double;
    explicit GramOperator(const Matrix& w)
        : w_(w)
        , wide_(w.rows() < w.cols())
    {
    }
    Eigen::Index rows() const { return wide_ ? w_.rows() : w_.cols(); }
    Eigen::Index cols() const { return rows(); }
    void perform_op(const double* in, double* out) const
    {
        const Eigen::VectorXf x = Eigen::Map<const Eigen::VectorXd>(in, rows()).cast<float>();
        Eigen::VectorXf y;
        if (wide_)
            y.noalias() = w_ * (w_.transpose() * x);
        else
            y.noalias() = w_.transpose() * (w_ * x);
        Eigen::Map<Eigen::VectorXd>(out, rows()) = y.cast<double>();
    }

private:
    const Matrix& w_;
    bool wide_;
};

double largestSingularValue(const Matrix& w)
{
    GramOperator op(w);
    const Eigen::Index n = op.rows();
    Spectra::SymEigsSolver<GramOperator> eigs(op, 1, std::min<Eigen::Index>(n, 24));
    eigs.init();
    // 1e-8 on the eigenvalue σ² leaves σ far within the 1e-4 of numpy that is asked for; 1e-10
    // took half as long again on random matrices, whose top singular values crowd together.
    eigs.compute(Spectra::SortRule::LargestAlge, 1000, 1e-8);
    if (eigs.info() != Spectra::CompInfo::Successful)
        throw std::runtime_error("the largest singular value did not converge");
    return std::sqrt(std::max(0.0, eigs.eigenvalues()[0]));
}

// Summed in double, without a double copy of the matrix.
double frobeniusNorm(const Matrix& w)
{
    double squares = 0;
    for (Eigen::Index i = 0; i < w.size(); ++i)
        squares += double(w.data()[i]) * double(w.data()[i]);
    return std::sqrt(squares);
}

// exp(-sum p log p) over p = s / sum(s).
double effectiveRankOf(const Eigen::VectorXd& singular)
{
    const double total = singular.sum();
    if (total <= 0)
        return 0;
    double entropy = 0;
    for (double s : singular)
        if (s > 0)
            entropy -= (s / total) * std::log(s / total);
    return std::exp(entropy);
}

// The eigenvalues of W^T W.
std::vector<double> eigenvaluesOf(const Eigen::VectorXd& singular)
{
    std::vector<double> eigenvalues;
    for (double s : singular)
        eigenvalues.push_back(s * s);
    return eigenvalues;
}

} // namespace

std::optional<std::pair<std::int64_t, std::int64_t>> matrixShape(const Tensor& tensor)
{
    const Shape& shape = tensor.info.shape;
    if (shape.size() < 2 || shape[0] == 0)
        return std::nullopt;
    return std::make_pair(shape[0], tensor.info.numel() / shape[0]);
}

SpectralMetrics computeSpectral(const Tensor& tensor, const SpectralOptions& options)
{
    const auto shape = matrixShape(tensor);
    if (!shape || shape->second == 0)
        throw std::invalid_argument("not a matrix");
    if (shape->first * shape->second > options.maxElements)
        throw std::invalid_argument("too large to read into memory for spectral metrics");
    const Matrix w = readMatrix(tensor, shape->first, shape->second, options.cancel);
    if (options.cancel && options.cancel->load())
        throw Cancelled();

    SpectralMetrics m;
    m.rows = shape->first;
    m.cols = shape->second;
    m.frobenius = frobeniusNorm(w);
    // Lanczos needs a Gram matrix of at least 2 × 2 (one wanted value, more Ritz vectors).
    if (std::min(m.rows, m.cols) <= std::max<std::int64_t>(options.maxFullSvdSide, 2)) {
        const Eigen::MatrixXd wd = w.cast<double>();
        const Eigen::VectorXd singular = Eigen::BDCSVD<Eigen::MatrixXd>(wd).singularValues();
        m.spectralNorm = singular.size() ? singular[0] : 0;
        m.effectiveRank = effectiveRankOf(singular);
        if (const auto fit = fitPowerLaw(eigenvaluesOf(singular))) {
            m.alpha = fit->alpha;
            m.alphaKs = fit->ks;
        }
        m.fullSpectrum = true;
    } else {
        m.spectralNorm = largestSingularValue(w);
    }
    m.stableRank = m.spectralNorm > 0 ? (m.frobenius * m.frobenius) / (m.spectralNorm * m.spectralNorm) : 0;
    return m;
}

} // namespace ckpt
