#pragma once

#include "model/Activation.h"

#include <Eigen/Dense>

#include <random>
#include <string>
#include <vector>

namespace ckpt {

// One fully connected layer, PyTorch orientation: weight is (out, in), y = act(x W^T + b).
struct DenseLayer {
    std::string name; // "hidden", "0", "dense_1"
    Eigen::MatrixXd weight; // (out, in)
    Eigen::VectorXd bias; // (out), zeros when the layer has none
    Activation activation = Activation::Identity;
    std::string weightTensor; // where the parameters came from (empty for a network made here)
    std::string biasTensor;

    Eigen::Index inputs() const { return weight.cols(); }
    Eigen::Index outputs() const { return weight.rows(); }
};

// A multilayer perceptron: a chain of dense layers.
class Mlp {
public:
    Mlp() = default;
    explicit Mlp(std::vector<DenseLayer> layers); // throws std::invalid_argument when shapes do not chain

    // A freshly initialised network like torch.nn.Linear's default (uniform in ±1/sqrt(in)),
    // with weights rounded to float32 so they survive a float32 round trip exactly.
    static Mlp random(const std::vector<int>& sizes, const std::vector<std::string>& names, Activation hidden,
        Activation final, std::mt19937_64& rng);

    // x: (batch, inputs) -> (batch, outputs), in float64.
    Eigen::MatrixXd forward(const Eigen::MatrixXd& x) const;
    // The same in float32, as the frameworks compute it (weights rounded to float32).
    Eigen::MatrixXf forwardFloat(const Eigen::MatrixXf& x) const;

    const std::vector<DenseLayer>& layers() const { return layers_; }
    Eigen::Index inputs() const { return layers_.empty() ? 0 : layers_.front().inputs(); }
    Eigen::Index outputs() const { return layers_.empty() ? 0 : layers_.back().outputs(); }

private:
    std::vector<DenseLayer> layers_;
};

} // namespace ckpt
