#include "model/Activation.h"

#include <cmath>

namespace ckpt {

namespace {
constexpr std::pair<Activation, std::string_view> kNames[] = {
    {Activation::ReLU, "relu"}, {Activation::Tanh, "tanh"}, {Activation::Sigmoid, "sigmoid"},
    {Activation::GELU, "gelu"}, {Activation::Identity, "identity"},
};
} // namespace

std::string_view activationName(Activation a)
{
    for (const auto& [act, name] : kNames)
        if (act == a)
            return name;
    return "identity";
}

std::optional<Activation> activationFromName(std::string_view name)
{
    for (const auto& [act, n] : kNames)
        if (n == name)
            return act;
    return std::nullopt;
}

void applyActivation(Activation a, Eigen::MatrixXd& v)
{
    switch (a) {
    case Activation::ReLU: v = v.cwiseMax(0.0); break;
    case Activation::Tanh: v = v.array().tanh().matrix(); break;
    case Activation::Sigmoid: v = v.unaryExpr([](double x) { return 1.0 / (1.0 + std::exp(-x)); }); break;
    case Activation::GELU: // the exact erf form, PyTorch's default
        v = v.unaryExpr([](double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); });
        break;
    case Activation::Identity: break;
    }
}

} // namespace ckpt
