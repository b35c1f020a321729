#pragma once

#include <Eigen/Dense>

#include <optional>
#include <string_view>

namespace ckpt {

enum class Activation { ReLU, Tanh, Sigmoid, GELU, Identity };

std::string_view activationName(Activation a); // "relu", "tanh", ...
std::optional<Activation> activationFromName(std::string_view name);
void applyActivation(Activation a, Eigen::MatrixXd& values); // in place, element-wise
void applyActivation(Activation a, Eigen::MatrixXf& values);

} // namespace ckpt
