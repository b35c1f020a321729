#pragma once

#include "tensor/Checkpoint.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace ckpt {

struct DiffOptions {
    std::string prefixA, prefixB; // tensors are paired by their names after these prefixes
    double rtol = 1e-5; // equal within tolerance: |a - b| <= atol + rtol * |b|
    double atol = 1e-8;
    bool transposeKernels = false; // compare every 2-D B tensor transposed
    bool byLayer = false; // pair dense layers by position (also done when no names are shared)
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(double)> progress; // 0..1 over the bytes to compare
};

enum class DiffStatus {
    Identical, // bitwise equal
    WithinTolerance, // values equal within rtol/atol
    Changed, // values differ beyond the tolerance
    ShapeChanged, // shapes differ (and are not a transposed kernel)
    DtypeChanged, // dtypes differ; values are still compared
    OnlyInA,
    OnlyInB,
};

std::string_view diffStatusName(DiffStatus s); // "identical", "within tolerance", ...

struct TensorDiff {
    std::string name; // after the prefix (A's name when B's was paired by layer position)
    DiffStatus status = DiffStatus::Identical;
    const Tensor* a = nullptr; // null when only in B
    const Tensor* b = nullptr; // null when only in A
    bool pairedByPosition = false; // B's tensor was paired by dense-layer position, not by name
    bool transposed = false; // B was compared transposed (Keras kernel against PyTorch weight)
    bool bitwiseEqual = false;
    double maxAbsDiff = 0;
    double meanAbsDiff = 0;
    double relativeL2 = 0; // ||a - b|| / ||b||
    std::int64_t mismatched = 0; // elements outside the tolerance (NaN against non-NaN included)
};

struct DiffReport {
    std::vector<TensorDiff> tensors; // A's order, then B-only tensors in B's order
    bool allEqual() const; // every tensor identical or within tolerance
};

// Pairs the tensors of A and B by name and compares each pair, streaming both in chunks.
// Throws Cancelled, or CheckpointError naming the file whose data could not be read.
DiffReport diffCheckpoints(const Checkpoint& a, const Checkpoint& b, const DiffOptions& options = {});

} // namespace ckpt
