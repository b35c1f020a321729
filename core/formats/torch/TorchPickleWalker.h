#pragma once

#include "pickle/Value.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace ckpt {

// A tensor found in an unpickled torch object, under its checkpoint name.
struct PickledTensor {
    std::string name;
    // A TorchTensor, a PersistentId (a bare storage) or a NumpyArray with its bytes inline.
    const pickle::Value* value = nullptr;
};

struct PickleWalk {
    std::vector<PickledTensor> tensors; // in pickle order; a shared tensor once per name
    nlohmann::ordered_json metadata = nlohmann::ordered_json::object(); // non-tensor values by full name
    std::vector<std::string> refusedCalls; // calls met on the way, rendered ("os.system('ls')")
    std::size_t otherLeaves = 0; // metadata values that are neither refused calls nor None
};

struct PickleWalkLimits {
    int maxDepth = 64; // nesting of containers and modules
    std::size_t maxVisits = 500'000; // nodes visited in total (shared subgraphs count each time)
    std::size_t maxMetadata = 20'000; // metadata entries kept
    std::size_t maxWork = 50'000'000; // items, entries and name bytes looked at in total
};

// Names the contents of a torch pickle the way people know them: containers nest with '.'
// (list → 0, 1; dict → its keys), a whole nn.Module (or any object with _parameters/_modules)
// shows its state_dict names, other objects their attributes. A tensor at the root is "tensor".
// Non-tensor leaves go to metadata (numbers and strings as JSON values, the rest rendered).
// Cycles and excess depth or work end the walk of that branch with a note, never a crash.
PickleWalk walkTorchPickle(const pickle::Value& root, const PickleWalkLimits& limits = {});

} // namespace ckpt
