#include "verify/Verify.h"

#include "base/CheckpointError.h"
#include "tensor/JsonNumber.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>

namespace ckpt {

Eigen::MatrixXd runNetwork(const Mlp& mlp, const Eigen::MatrixXd& x, bool float64)
{
    if (float64)
        return mlp.forward(x);
    return mlp.forwardFloat(x.cast<float>()).cast<double>();
}

OutputComparison compareOutputs(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const VerifyOptions& options)
{
    if (a.rows() != b.rows() || a.cols() != b.cols())
        throw std::invalid_argument("the outputs are " + std::to_string(a.rows()) + " x " + std::to_string(a.cols())
            + " but the reference is " + std::to_string(b.rows()) + " x " + std::to_string(b.cols()));
    OutputComparison c;
    c.compared = a.size();
    for (Eigen::Index i = 0; i < a.size(); ++i) {
        const double x = a.data()[i];
        const double y = b.data()[i];
        bool ok;
        if (std::isnan(x) || std::isnan(y)) {
            ok = std::isnan(x) && std::isnan(y);
            if (!ok)
                c.maxAbsDiff = c.maxRelDiff = std::numeric_limits<double>::infinity();
        } else {
            const double d = x == y ? 0.0 : std::abs(x - y);
            c.maxAbsDiff = std::max(c.maxAbsDiff, d);
            if (d > 0)
                c.maxRelDiff
                    = std::max(c.maxRelDiff, y != 0 ? d / std::abs(y) : std::numeric_limits<double>::infinity());
            ok = options.exact ? std::memcmp(&x, &y, sizeof x) == 0 || (x == 0 && y == 0 && d == 0)
                               : d <= options.atol + options.rtol * std::abs(y);
        }
        if (!ok)
            ++c.mismatched;
    }
    c.match = c.mismatched == 0;
    return c;
}

ParameterComparison compareParameters(const Mlp& a, const Mlp& b)
{
    ParameterComparison p;
    if (a.layers().size() != b.layers().size()) {
        p.equal = false;
        p.maxAbsDiff = std::numeric_limits<double>::infinity();
        return p;
    }
    for (std::size_t i = 0; i < a.layers().size(); ++i) {
        const auto& la = a.layers()[i];
        const auto& lb = b.layers()[i];
        if (la.weight.rows() != lb.weight.rows() || la.weight.cols() != lb.weight.cols()) {
            p.equal = false;
            p.maxAbsDiff = std::numeric_limits<double>::infinity();
            return p;
        }
        const double dw = (la.weight - lb.weight).cwiseAbs().maxCoeff();
        const double db = la.bias.size() ? (la.bias - lb.bias).cwiseAbs().maxCoeff() : 0.0;
        p.maxAbsDiff = std::max({ p.maxAbsDiff, dw, db });
        p.equal = p.equal && la.weight == lb.weight && la.bias == lb.bias;
    }
    return p;
}

Eigen::MatrixXd readMatrix(const Checkpoint& c, const std::string& name)
{
    const Tensor* t = c.find(name);
    if (!t)
        throw CheckpointError(c.path, "no tensor named '" + name + "'");
    if (t->info.shape.size() != 1 && t->info.shape.size() != 2)
        throw CheckpointError(c.path,
            "'" + name + "' has shape " + shapeToString(t->info.shape)
                + "; inputs and outputs must be (batch, features) matrices");
    try {
        return toMatrix(readTensor(*t));
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw CheckpointError(c.path, name + ": " + e.what());
    }
}

Eigen::MatrixXd randomInputs(Eigen::Index batch, Eigen::Index width, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> dist(0.0f, 1.0f);
    Eigen::MatrixXd x(batch, width);
    for (Eigen::Index i = 0; i < x.size(); ++i)
        x.data()[i] = dist(rng);
    return x;
}

VerifyResult verifyAgainstOutputs(
    const Mlp& mlp, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const VerifyOptions& options)
{
    VerifyResult r;
    r.outputs = runNetwork(mlp, x, options.float64);
    r.reference = y;
    r.comparison = compareOutputs(r.outputs, r.reference, options);
    return r;
}

VerifyResult verifyAgainstClone(
    const Mlp& mlp, const Mlp& clone, const Eigen::MatrixXd& x, const VerifyOptions& options)
{
    if (mlp.inputs() != clone.inputs() || mlp.outputs() != clone.outputs())
        throw std::invalid_argument("the networks differ: " + std::to_string(mlp.inputs()) + " -> "
            + std::to_string(mlp.outputs()) + " against " + std::to_string(clone.inputs()) + " -> "
            + std::to_string(clone.outputs()));
    VerifyResult r;
    r.outputs = runNetwork(mlp, x, options.float64);
    r.reference = runNetwork(clone, x, options.float64);
    r.comparison = compareOutputs(r.outputs, r.reference, options);
    r.parameters = compareParameters(mlp, clone);
    return r;
}

nlohmann::ordered_json verifyJson(const Mlp& mlp, const VerifyResult& r, const VerifyOptions& o)
{
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const auto& l : mlp.layers())
        layers.push_back({ { "name", l.name }, { "in", l.inputs() }, { "out", l.outputs() },
            { "activation", std::string(activationName(l.activation)) } });
    nlohmann::ordered_json j;
    j["layers"] = layers;
    j["max_abs_diff"] = jsonNumber(r.comparison.maxAbsDiff);
    j["max_rel_diff"] = jsonNumber(r.comparison.maxRelDiff);
    j["tolerance"] = { { "rtol", o.rtol }, { "atol", o.atol }, { "exact", o.exact } };
    j["match"] = r.comparison.match;
    j["outputs_compared"] = r.comparison.compared;
    j["mismatched"] = r.comparison.mismatched;
    j["precision"] = o.float64 ? "float64" : "float32";
    if (r.parameters) {
        j["parameters_equal"] = r.parameters->equal;
        j["max_parameter_diff"] = jsonNumber(r.parameters->maxAbsDiff);
    }
    return j;
}

} // namespace ckpt
