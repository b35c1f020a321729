#pragma once

#include "tensor/Tensor.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ckpt {

// An opened checkpoint: its tensors in file order, and metadata (attributes and non-tensor
// values). Metadata keys are full names in the file's own spelling ("epoch",
// "dense/weight_names", "__metadata__/format"); the group a key belongs to is its prefix.
struct Checkpoint {
    std::string path;
    std::string format; // "HDF5", "Keras HDF5", "PyTorch zip", "safetensors", ...
    std::vector<Tensor> tensors;
    nlohmann::ordered_json metadata = nlohmann::ordered_json::object();

    const Tensor* find(std::string_view name) const;
    std::int64_t parameterCount() const;
    std::int64_t tensorBytes() const;
};

} // namespace ckpt
