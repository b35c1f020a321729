#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

// Splits a full tensor name into tree segments at '.' and '/' ("hidden.weight" -> hidden, weight),
// and after a leading MXNet "arg:" / "aux:" ("arg:fc1_weight" -> arg, fc1_weight).
// Empty segments are dropped.
std::vector<std::string_view> splitName(std::string_view name);

// "Natural" order: runs of digits compare as numbers, so "layers.2" < "layers.10".
bool naturalLess(std::string_view a, std::string_view b);

} // namespace ckpt
