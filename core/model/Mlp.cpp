#include "model/Mlp.h"

#include <cmath>
#include <stdexcept>

namespace ckpt {

Mlp::Mlp(std::vector<DenseLayer> layers)
    : layers_(std::move(layers))
{
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        const auto& l = layers_[i];
        if (l.bias.size() != l.outputs())
            throw std::invalid_argument("layer '" + l.name + "': bias has " + std::to_string(l.bias.size())
                + " entries but the weight has " + std::to_string(l.outputs()) + " outputs");
        if (i > 0 && l.inputs() != layers_[i - 1].outputs())
            throw std::invalid_argument("layer '" + l.name + "' takes " + std::to_string(l.inputs())
                + " inputs but layer '" + layers_[i - 1].name + "' gives " + std::to_string(layers_[i - 1].outputs()));
    }
}

Mlp Mlp::random(const std::vector<int>& sizes, const std::vector<std::string>& names, Activation hidden,
    Activation final, std::mt19937_64& rng)
{
    std::vector<DenseLayer> layers;
    for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
        const double bound = 1.0 / std::sqrt(static_cast<double>(sizes[i]));
        std::uniform_real_distribution<double> dist(-bound, bound);
        auto draw = [&](double) { return static_cast<double>(static_cast<float>(dist(rng))); };
        DenseLayer l;
        l.name = i < names.size() ? names[i] : std::to_string(i);
        l.weight = Eigen::MatrixXd::Zero(sizes[i + 1], sizes[i]).unaryExpr(draw);
        l.bias = Eigen::VectorXd::Zero(sizes[i + 1]).unaryExpr(draw);
        l.activation = i + 2 == sizes.size() ? final : hidden;
        layers.push_back(std::move(l));
    }
    return Mlp(std::move(layers));
}

namespace {
void checkInputWidth(Eigen::Index cols, Eigen::Index inputs, bool empty)
{
    if (!empty && cols != inputs)
        throw std::invalid_argument(
            "input has " + std::to_string(cols) + " features but the network takes " + std::to_string(inputs));
}
} // namespace

Eigen::MatrixXf Mlp::forwardFloat(const Eigen::MatrixXf& x) const
{
    checkInputWidth(x.cols(), inputs(), layers_.empty());
    Eigen::MatrixXf h = x;
    for (const auto& l : layers_) {
        const Eigen::MatrixXf weight = l.weight.cast<float>();
        Eigen::MatrixXf next = h * weight.transpose();
        next.rowwise() += l.bias.cast<float>().transpose();
        applyActivation(l.activation, next);
        h = std::move(next);
    }
    return h;
}

Eigen::MatrixXd Mlp::forward(const Eigen::MatrixXd& x) const
{
    checkInputWidth(x.cols(), inputs(), layers_.empty());
    Eigen::MatrixXd h = x;
    for (const auto& l : layers_) {
        Eigen::MatrixXd next = h * l.weight.transpose();
        next.rowwise() += l.bias.transpose();
        applyActivation(l.activation, next);
        h = std::move(next);
    }
    return h;
}

} // namespace ckpt
