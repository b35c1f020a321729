#pragma once

#include "tensor/Checkpoint.h"

#include <optional>
#include <string>
#include <vector>

namespace ckpt {

// Which tensors an export takes and what they are called in the output.
struct ExportSelection {
    std::vector<std::string> select; // globs on full names (* ? [..]); empty with no names: everything
    std::vector<std::string> names; // exact full names, taken besides the globs' matches (the app's checked tensors)
    std::vector<std::string> exclude; // globs; applied after select
    std::string stripPrefix; // removed from the start of names that have it
    std::string addPrefix; // then prepended to every name
};

// fnmatch-style glob on a full tensor name: '*' and '?' also match '.' and '/'.
bool globMatch(std::string_view pattern, std::string_view name);

// The selected tensors under their output names (data sources shared with the checkpoint).
// Throws std::invalid_argument when nothing is selected or two tensors would get one name.
std::vector<Tensor> selectTensors(const Checkpoint& checkpoint, const ExportSelection& selection);

} // namespace ckpt
