#pragma once

#include "tensor/Tensor.h"

namespace ckpt {

// The tensor's values converted to float32 on the fly (for --cast float32: bfloat16 or float8
// into a format that cannot hold them). Exact for every dtype float32 can represent.
Tensor castToFloat32(const Tensor& tensor);

} // namespace ckpt
