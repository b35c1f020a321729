#include "numerics/FloatLimits.h"

#include <limits>

namespace ckpt {

double smallestNormal(DType dtype)
{
    switch (dtype) {
    case DType::Float64:
    case DType::Complex128:
        return std::numeric_limits<double>::min();
    case DType::Float32:
    case DType::BFloat16: // float32's exponent
    case DType::Complex64:
        return std::numeric_limits<float>::min();
    case DType::Float16:
        return 0x1p-14;
    case DType::Float8E4M3FN:
        return 0x1p-6;
    case DType::Float8E5M2:
        return 0x1p-14;
    default:
        return 0;
    }
}

bool widerThanFloat16(DType dtype)
{
    return dtype == DType::Float64 || dtype == DType::Float32 || dtype == DType::BFloat16;
}

} // namespace ckpt
