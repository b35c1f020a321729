#pragma once

#include "io/ByteSource.h"
#include "tensor/Checkpoint.h"

#include <cstdint>
#include <memory>
#include <string>

namespace ckpt {

// Where an .npy lives and what to call what is inside it.
struct NpyPlacement {
    std::string name; // the tensor name of a numeric array ("array", an npz key)
    std::string objectPrefix; // prefix for the arrays inside a pickled object array ("" or "key.")
    std::string where; // for TensorInfo::location: "" for a file, "member x.npy, " for a zip member
    // The file on disk, whose size bounds what a pickled object array may cost (an npz member may
    // inflate to far more); 0: the .npy itself is the file.
    std::uint64_t fileSize = 0;
    bool inflated = false; // the bytes are a private copy in memory (a deflated member): parsed in place
};

// Adds the tensors of the .npy held in `bytes`: a numeric array becomes one tensor read lazily
// from `bytes`; an object array (np.save of a dict or list with allow_pickle) becomes one tensor
// per array inside it. Throws FormatError with the reason.
void appendNpyTensors(const std::shared_ptr<const ByteSource>& bytes, const NpyPlacement& placement, Checkpoint& out);

} // namespace ckpt
