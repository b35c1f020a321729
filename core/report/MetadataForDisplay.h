#pragma once

#include "tensor/Checkpoint.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ckpt {

// A checkpoint's metadata as a reader would browse it: the entries under `prefix` (all when
// empty), with string values that hold JSON (Keras' model_config, a Hugging Face config, a
// training_config) parsed into objects and arrays, so that they can be unfolded instead of read
// as one long line. Strings that do not parse, are larger than kMaxParsedBytes or exceed the
// bounds of base/BoundedJson.h (nesting, keys, values) stay strings.
nlohmann::ordered_json metadataForDisplay(const Checkpoint& checkpoint, const std::string& prefix = {});

constexpr std::size_t kMaxParsedBytes = std::size_t(16) << 20;

} // namespace ckpt
