#pragma once

#include "model/MlpBuilder.h"

#include <Eigen/Dense>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

struct VerifyOptions {
    double rtol = 1e-5;
    double atol = 1e-6;
    bool exact = false; // bitwise equality of the outputs
    bool float64 = false; // run the network in float64 instead of float32
};

struct OutputComparison {
    double maxAbsDiff = 0;
    double maxRelDiff = 0;
    std::int64_t compared = 0;
    std::int64_t mismatched = 0; // elements outside the tolerance (or not bitwise equal with exact)
    bool match = true;
};

struct ParameterComparison {
    bool equal = true; // every weight and bias bitwise equal
    double maxAbsDiff = 0;
};

// The verdict of one verification, with what the app shows beside it.
struct VerifyResult {
    Eigen::MatrixXd outputs; // what the rebuilt network computed
    Eigen::MatrixXd reference; // Y from the file, or the clone's outputs
    OutputComparison comparison;
    std::optional<ParameterComparison> parameters; // clone checks only
};

// Runs the network on x, in float32 like the frameworks (or float64).
Eigen::MatrixXd runNetwork(const Mlp& mlp, const Eigen::MatrixXd& x, bool float64);

// Element-wise comparison: |a - b| <= atol + rtol * |b| (numpy.allclose), or bitwise with exact.
// Throws std::invalid_argument when the shapes differ.
OutputComparison compareOutputs(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const VerifyOptions& options);

ParameterComparison compareParameters(const Mlp& a, const Mlp& b);

// X and Y as matrices from a checkpoint holding them by name. Throws CheckpointError naming the
// file when a tensor is missing or is not a vector/matrix.
Eigen::MatrixXd readMatrix(const Checkpoint& checkpoint, const std::string& name);

// A reproducible batch of inputs, uniform in [0, 1) like torch.rand, rounded to float32.
Eigen::MatrixXd randomInputs(Eigen::Index batch, Eigen::Index width, std::uint64_t seed);

// The network run on x compared with the reference outputs y.
VerifyResult verifyAgainstOutputs(
    const Mlp& mlp, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const VerifyOptions& options);
// Two networks run on the same x, their outputs and parameters compared.
VerifyResult verifyAgainstClone(
    const Mlp& mlp, const Mlp& clone, const Eigen::MatrixXd& x, const VerifyOptions& options);

// {"layers": [{"name", "in", "out", "activation"}], "max_abs_diff", "max_rel_diff", "tolerance",
//  "match", "outputs_compared"} (+ "parameters_equal", "max_parameter_diff" for clone checks).
nlohmann::ordered_json verifyJson(const Mlp& mlp, const VerifyResult& result, const VerifyOptions& options);

} // namespace ckpt
