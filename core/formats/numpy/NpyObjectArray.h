#pragma once

#include "formats/numpy/NpyArray.h"
#include "formats/numpy/NpyHeader.h"

namespace ckpt {

// An .npy whose descr is '|O': the data section is a pickle of the whole array.
void appendPickledObjectArray(const std::shared_ptr<const ByteSource>& bytes, const NpyHeader& header,
    const NpyPlacement& placement, Checkpoint& out);

} // namespace ckpt
