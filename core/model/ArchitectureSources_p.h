#pragma once

#include "model/Architecture.h"

#include <nlohmann/json.hpp>

// The readers of each source of an architecture, for Architecture.cpp. Each returns nothing when
// the checkpoint does not carry its kind.
namespace ckpt::detail {

std::optional<Architecture> kerasArchitecture(const Checkpoint& ckpt);
std::optional<Architecture> onnxArchitecture(const Checkpoint& ckpt);
std::optional<Architecture> ggufArchitecture(const Checkpoint& ckpt);

// A JSON value as a setting: strings as they are, lists as "3,3", the rest dumped.
std::string settingText(const nlohmann::ordered_json& value);
// A metadata value that is JSON, or JSON text, parsed (null when it is neither).
nlohmann::ordered_json jsonValue(const nlohmann::ordered_json& value);

} // namespace ckpt::detail
