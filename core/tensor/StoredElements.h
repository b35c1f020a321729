#pragma once

#include "tensor/Tensor.h"

#include <cstdint>

namespace ckpt {

// How many elements the tensor really stores: the sum over its repeated parts, or all of them.
std::int64_t storedElements(const Tensor& tensor);

// Element-wise work (comparing two tensors, pairing their values) cannot use repeated parts, so a
// tensor declaring more than 2^32 elements but storing under a sixteenth of them (a broadcast
// view, a dataset of fill values) is refused with FormatError instead of read for hours.
void requireElementwiseReadable(const Tensor& tensor);

} // namespace ckpt
