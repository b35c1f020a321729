#pragma once

#include "tensor/Tensor.h"

#include <atomic>
#include <cstdint>

namespace ckpt {

// What the doctor needs to know about one tensor's values, from one sweep over its bytes.
// Complex values count by their magnitude, like the statistics.
struct TensorFacts {
    std::int64_t count = 0;
    std::int64_t nan = 0, posInf = 0, negInf = 0, zeros = 0;
    std::int64_t denormals = 0; // nonzero finite values below the dtype's smallest normal number
    std::int64_t beyondHalf = 0; // finite values that float16 would make infinite (|x| >= 65520)
    double min = 0, max = 0; // of the finite values
    double sum = 0, squares = 0; // of the finite values, in element order (a fingerprint, see sameBytes)

    std::int64_t finite() const { return count - nan - posInf - negInf; }
};

// Reads the tensor once, in chunks. Throws Cancelled when *cancel becomes true, and whatever the
// tensor's source throws when its data cannot be read.
TensorFacts scanTensor(const Tensor& tensor, const std::atomic<bool>* cancel = nullptr);

// Whether the two tensors have the same dtype, shape and bytes (read in chunks, stopping at the
// first difference).
bool sameBytes(const Tensor& a, const Tensor& b, const std::atomic<bool>* cancel = nullptr);

// Whether two tensors can hold the same bytes, judged from their facts: a cheap filter before
// sameBytes.
bool mayBeSame(const Tensor& a, const TensorFacts& fa, const Tensor& b, const TensorFacts& fb);

} // namespace ckpt
