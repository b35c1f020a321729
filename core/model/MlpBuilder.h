#pragma once

#include "model/Mlp.h"
#include "tensor/Checkpoint.h"
#include "tensor/TensorData.h"

#include <optional>
#include <string>

namespace ckpt {

struct MlpBuildOptions {
    std::string prefix; // take parameters from under this name prefix ("model_state_dict.")
    // Activations chosen by the user. Unset: those of the architecture stored in the file, else
    // relu between layers and identity after the last one.
    std::optional<Activation> hidden;
    std::optional<Activation> final;
};

// Rebuilds a dense network from a checkpoint. A checkpoint with an "architecture" metadata
// entry (our self-describing HDF5 files) is rebuilt from it; otherwise the layers are the
// `<layer>.weight` (out, in) / `<layer>.bias` pairs in file order. Activations set in the
// options replace the stored ones. Throws std::invalid_argument saying where the chain breaks.
Mlp buildMlp(const Checkpoint& checkpoint, const MlpBuildOptions& options = {});

// Whether buildMlp takes the layers from an architecture stored in the file.
bool hasStoredArchitecture(const Checkpoint& checkpoint, const MlpBuildOptions& options = {});

// The architecture description stored beside the parameters:
// {"type": "mlp", "layers": [{"name", "in", "out", "activation", "weight", "bias"}]}.
nlohmann::ordered_json architectureJson(const Mlp& mlp, const std::string& prefix = {});

// 2-D tensor <-> Eigen. A 1-D tensor becomes one row.
Eigen::MatrixXd toMatrix(const TensorData& data);
TensorData fromMatrix(const Eigen::MatrixXd& m, DType dtype);
TensorData fromVector(const Eigen::VectorXd& v, DType dtype);

} // namespace ckpt
