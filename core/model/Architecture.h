#pragma once

#include "tensor/Checkpoint.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ckpt {

using Settings = std::vector<std::pair<std::string, std::string>>; // key, value as short text

// One layer (Keras), node (ONNX) or block (GGUF) of a network, in the order the file gives.
struct ArchitectureLayer {
    std::string name;
    std::string type; // Keras class name, ONNX op type, "Dense", "<arch> block"
    Settings settings; // the main ones: units, activation, kernel_size, strides, epsilon, ...
    std::vector<std::string> tensors; // names in Checkpoint::tensors this layer uses
    std::vector<std::string> inputs, outputs; // graph edges (ONNX), empty elsewhere
};

struct Architecture {
    std::string source; // where it was found: "ONNX graph", "Keras config.json", ...
    Settings settings; // model-wide settings (GGUF's <arch>.* keys)
    std::vector<ArchitectureLayer> layers;
};

// The architecture a checkpoint's metadata describes (ONNX graph nodes, a Keras 3 config.json,
// a Keras 2 model_config attribute, our own "architecture" attribute, GGUF's
// general.architecture with its blk.N tensors), or nothing when the file stores only tensors.
std::optional<Architecture> architectureOf(const Checkpoint& ckpt);

} // namespace ckpt
