#include "model/Activation.h"

#include <cmath>

namespace ckpt {

namespace {
constexpr std::pair<Activation, std::string_view> kNames[] = {
    { Activation::ReLU, "relu" },
    { Activation::Tanh, "tanh" },
    { Activation::Sigmoid, "sigmoid" },
    { Activation::GELU, "gelu" },
    { Activation::Identity, "identity" },
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

namespace {
template <typename Matrix> void apply(Activation a, Matrix& v)
{
    using T = typename Matrix::Scalar;
    switch (a) {
    case Activation::ReLU:
        v = v.cwiseMax(T(0));
        break;
    case Activation::Tanh:
        v = v.array().tanh().matrix();
        break;
    case Activation::Sigmoid:
        v = v.unaryExpr([](T x) { return T(1) / (T(1) + std::exp(-x)); });
        break;
    case Activation::GELU: // the exact erf form, PyTorch's default
        v = v.unaryExpr([](T x) { return T(0.5) * x * (T(1) + std::erf(x / std::sqrt(T(2)))); });
        break;
    case Activation::Identity:
        break;
    }
}
} // namespace

void applyActivation(Activation a, Eigen::MatrixXd& v)
{
    apply(a, v);
}
void applyActivation(Activation a, Eigen::MatrixXf& v)
{
    apply(a, v);
}

} // namespace ckpt
