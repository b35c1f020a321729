#pragma once

#include "doctor/Finding.h"
#include "tensor/Checkpoint.h"

#include <atomic>
#include <string>
#include <vector>

namespace ckpt {

// A checkpoint held against a reference with the same layout, as PyTorch's
// `model.load_state_dict(checkpoint, strict=True)` would hold it against the model's own
// state dict (the reference).
struct StateDictCheck {
    std::vector<Finding> findings; // missing, unexpected, mis-shaped, and never-trained tensors
    // The lines of PyTorch's RuntimeError after "Error(s) in loading state_dict for <Model>:",
    // in its order and words; empty when it would load.
    std::vector<std::string> loadErrors;
};

struct StateDictCheckOptions {
    std::string prefix, referencePrefix; // tensors under these prefixes, the prefixes stripped (as in diff)
    const std::atomic<bool>* cancel = nullptr;
};

StateDictCheck checkAgainstReference(
    const Checkpoint& checkpoint, const Checkpoint& reference, const StateDictCheckOptions& options = {});

} // namespace ckpt
