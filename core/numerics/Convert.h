#pragma once

#include "tensor/DType.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace ckpt {

// Converts n elements of `dtype` (host byte order) to float64, exactly. Booleans become 0/1.
// Complex numbers become their magnitude |z| (statistics of complex tensors are of |z|).
void convertToDouble(DType dtype, const std::byte* src, std::int64_t n, double* dst);

// float16, bfloat16 and the float8 types to float32, which holds each of their values exactly.
// Returns false (converting nothing) for any other dtype.
bool convertToFloat(DType dtype, const std::byte* src, std::int64_t n, float* dst);

// One element.
double elementToDouble(DType dtype, const std::byte* src);

// Writes element i as text the way numpy prints it ("1.5", "nan", "-inf", "true", "1+2j").
std::string elementToString(DType dtype, const std::byte* src);

} // namespace ckpt
