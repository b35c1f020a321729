#pragma once

#include "tensor/Checkpoint.h"

#include <string>
#include <vector>

namespace ckpt {

// Where one dense layer's parameters are in a checkpoint.
struct DenseLayerRef {
    std::string name; // the layer, without the prefix: "hidden", "0", "dense_1"
    std::string weight; // full tensor name
    std::string bias; // full tensor name, empty when the layer has none
    bool kernel = false; // Keras/TF orientation: (in, out); else PyTorch/Gluon (out, in)
    std::int64_t inputs = 0;
    std::int64_t outputs = 0;
};

// The dense layers under `prefix`, in network order: PyTorch/Gluon `<layer>.weight` (out, in) with
// optional `<layer>.bias`, and Keras/TF `<layer>/kernel` (in, out) with `<layer>/bias` (also
// `kernel:0`, TF checkpoint `layer_with_weights-0/kernel`). Layers come in file order, except that
// layers named by indices (nn.Sequential: 0, 2, 10) are ordered numerically. Shapes are checked
// from metadata alone: throws std::invalid_argument naming where the chain breaks, or when
// there are no dense layers.
std::vector<DenseLayerRef> findDenseLayers(const Checkpoint& checkpoint, const std::string& prefix = {});

} // namespace ckpt
