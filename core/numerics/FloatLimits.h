#pragma once

#include "tensor/DType.h"

namespace ckpt {

// The smallest positive normal number of a floating dtype (complex: of its parts); below it, and
// above zero, a value is denormal. 0 for dtypes without denormals (integers, bool).
double smallestNormal(DType dtype);

// Whether the dtype can hold finite values that float16 cannot (float32, float64, bfloat16).
bool widerThanFloat16(DType dtype);

// float16's largest value is 65504; rounding to nearest sends |x| >= 65520 to infinity.
constexpr double kFloat16Overflow = 65520.0;

} // namespace ckpt
