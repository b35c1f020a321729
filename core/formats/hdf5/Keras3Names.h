#pragma once

#include "tensor/Checkpoint.h"

#include <nlohmann/json.hpp>

namespace ckpt {

// Keras 3 stores a layer's variables as `layers/<object>/vars/0`, `/1`, ... where <object> is the
// snake_case class name de-duplicated in model order (`dense`, `dense_1`) and the variables come
// in trainable + non-trainable creation order. This renames them to what Keras calls them,
// `<layer name>/kernel`, `<layer name>/bias`, and puts the layers in model order: from the model's
// config.json when there is one (a .keras archive), otherwise from the class implied by the object
// name and the `name` attribute recent Keras versions write. Variables of classes we do not know,
// or whose count does not match, keep their index (`<layer name>/vars/2`). Returns false, leaving
// the checkpoint alone, when it does not have the Keras 3 layout.
bool applyKeras3Names(Checkpoint& ckpt, const nlohmann::json* modelConfig);

// Keras' naming.to_snake_case: "BatchNormalization" → "batch_normalization", "Conv2D" → "conv2d".
std::string kerasSnakeCase(const std::string& className);

} // namespace ckpt
