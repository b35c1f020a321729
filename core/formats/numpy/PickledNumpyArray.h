#pragma once

#include "pickle/Value.h"
#include "tensor/Tensor.h"

namespace ckpt {

// A numeric numpy array held inside a pickle (numpy _reconstruct + BUILD with its bytes in the
// pickle), as a tensor. Throws FormatError for non-numeric dtypes or inconsistent sizes.
Tensor tensorFromPickledNumpyArray(const std::string& name, const pickle::Value& array);

} // namespace ckpt
