#pragma once

#include "numerics/Stats.h"
#include "tensor/Tensor.h"

#include <atomic>

namespace ckpt {

// Whether two tensors can hold the same bytes, judged from their statistics: a cheap filter
// before sameBytes. Exact on counts, extremes and histograms; the mean and deviation may differ
// in their last bits, as the threads' partial sums merge in any order.
bool mayBeSame(const Tensor& a, const TensorStats& sa, const Tensor& b, const TensorStats& sb);

// Whether the two tensors have the same dtype, shape and bytes (read in chunks, stopping at the
// first difference). Throws Cancelled when *cancel becomes true. A view that repeats stored values
// (a broadcast, a dataset of fill values) is never the same as anything: its bytes are not stored,
// and comparing them element by element could read far more than the file holds.
bool sameBytes(const Tensor& a, const Tensor& b, const std::atomic<bool>* cancel = nullptr);

} // namespace ckpt
